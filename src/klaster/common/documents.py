"""A document's content as blocks, rendered as DOCX (python-docx, :func:`blocks_docx`) and as PDF
(WeasyPrint, :func:`klaster.common.pdf.blocks_pdf`) — one content builder per document, two
renderings of the same content.

The blocks (tuples; texts already in the document's language, numbers and dates already written
as text):

* ``("title", text)`` — the document's title (DOCX: heading 0);
* ``("heading", level, text)`` — level 1…4;
* ``("para", text)`` — a paragraph (one per line of ``text``);
* ``("field", label, value)`` — "**label:** value";
* ``("strong", text)`` — a bold paragraph (warnings, DRAFT);
* ``("note", text)`` — an italic paragraph;
* ``("empty", text)`` — an item not filled in ("— text —", italic);
* ``("right", text)`` — a right-aligned line (the appendix line of a form);
* ``("demo", text)`` — the note that the document holds invented (demo) data;
* ``("bullet", text)`` — an item of a bulleted list;
* ``("table", header, rows)`` — ``header`` a list of texts (or None), ``rows`` lists of values.
"""

from __future__ import annotations

import io


def title_of(blocks: list[tuple]) -> str:
    """The first title or heading of the blocks ("" when none)."""
    for b in blocks:
        if b[0] == "title":
            return str(b[1])
        if b[0] == "heading":
            return str(b[2])
    return ""


def blocks_docx(blocks: list[tuple], font: str | None = None, size: int | None = None) -> bytes:
    """The DOCX bytes of ``blocks`` (``font``/``size`` in points: the Normal style, when given)."""
    from docx import Document
    from docx.shared import Pt

    d = Document()
    if font:
        d.styles["Normal"].font.name = font
    if size:
        d.styles["Normal"].font.size = Pt(size)
    for b in blocks:
        kind = b[0]
        if kind == "title":
            d.add_heading(b[1], level=0)
        elif kind == "heading":
            d.add_heading(b[2], level=min(b[1], 4))
        elif kind == "para" or kind == "demo":
            for line in str(b[1]).split("\n"):
                d.add_paragraph(line)
        elif kind == "field":
            p = d.add_paragraph()
            p.add_run(f"{b[1]}: ").bold = True
            p.add_run(str(b[2]))
        elif kind == "strong":
            d.add_paragraph().add_run(b[1]).bold = True
        elif kind == "note":
            d.add_paragraph().add_run(b[1]).italic = True
        elif kind == "empty":
            d.add_paragraph().add_run(f"— {b[1]} —").italic = True
        elif kind == "right":
            d.add_paragraph(b[1]).alignment = 2
        elif kind == "bullet":
            d.add_paragraph(b[1], style="List Bullet")
        elif kind == "table":
            _table(d, b[1], b[2])
        else:
            raise ValueError(f"unknown block {kind!r}")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _table(d, header, rows):
    rows = list(rows)
    width = max([len(header or ())] + [len(r) for r in rows]) or 1
    t = d.add_table(rows=1 if header else 0, cols=width)
    t.style = "Table Grid"
    for i, h in enumerate(header or ()):
        t.rows[0].cells[i].text = "" if h is None else str(h)
    for r in rows:
        cells = t.add_row().cells
        for i, v in enumerate(r):
            cells[i].text = "" if v is None else str(v)
    return t
