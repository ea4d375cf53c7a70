"""PDF documents: one renderer, HTML (a Django template) → PDF/A with WeasyPrint.

Every document klaster issues (receipts of App. 1 / App. 4, the akimat conclusion of App. 3, the
protocols of §15 §22 §25 §31 §36 §39 of Decree 535, the register extract, the programme monitoring
report, the consolidated quarterly report, the reimbursement agreement) is built once as content
— a list of blocks, :mod:`klaster.common.documents` — and rendered twice: DOCX (python-docx) and
PDF (here).

* **PDF/A-3b** (:data:`VARIANT`, ISO 19005-3 level B: fonts embedded, sRGB output intent, XMP
  metadata with ``pdfaid:part`` 3) — the archival form officials file.
* **Metadata**: the title (``<title>``) and the language (``<html lang>``: kk, ru or en).
* **A4** pages (landscape when a table is too wide for portrait), page numbers.
* **The font is shipped in the package** (:data:`FONTS`: DejaVu Sans, regular, bold and oblique,
  from matplotlib's mpl-data, licence ``fonts/LICENSE-DejaVu.txt``) and has every Kazakh letter
  (Ә ә Ғ ғ Қ қ Ң ң Ө ө Ұ ұ Ү ү Һ һ І і); it is declared with ``@font-face`` and a ``file:`` URL,
  and :class:`PackageFetcher` lets WeasyPrint read only the files of that folder — never the
  network, never the file system at large (a document's text cannot make it fetch anything).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.http import HttpResponse
from django.template.loader import render_to_string

#: The fonts shipped with klaster (DejaVu Sans; licence in LICENSE-DejaVu.txt).
FONTS = Path(__file__).resolve().parent / "fonts"
#: The family name the templates use (``font-family``); only this family is declared.
FAMILY = "Klaster Sans"
#: WeasyPrint's PDF variant: PDF/A-3b (WeasyPrint 70 supports a-1b … a-4f).
VARIANT = "pdf/a-3b"
CONTENT_TYPE = "application/pdf"
#: Tables with more columns than this are laid out on landscape pages.
PORTRAIT_COLUMNS = 7


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PackageFetcher(URLFetcher):
        """Fetches ``file:`` URLs inside :data:`FONTS` only; anything else raises ``ValueError``
        (WeasyPrint then leaves the resource out)."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise ValueError(f"not a packaged file: {url}")
            path = Path(unquote(parts.path)).resolve()
            if path.parent != FONTS or not path.is_file():
                raise ValueError(f"not a packaged file: {url}")
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": "font/ttf"})

    return PackageFetcher(allowed_protocols=("file",))


def font_face() -> str:
    """The ``@font-face`` rules of the shipped font (CSS text; regular, bold, oblique)."""
    faces = (("DejaVuSans.ttf", "normal", "normal"), ("DejaVuSans-Bold.ttf", "bold", "normal"), ("DejaVuSans-Oblique.ttf", "normal", "italic"))
    return "\n".join(f'@font-face {{ font-family: "{FAMILY}"; src: url("{(FONTS / name).as_uri()}"); font-weight: {w}; font-style: {s}; }}'
                     for name, w, s in faces)


def render(template: str, context: dict, *, title: str, lang: str, landscape: bool = False) -> bytes:
    """The PDF/A-3b bytes of a Django template rendered with ``context``.

    ``template`` extends ``pdf/base.html`` (which sets the font, A4 pages and the metadata);
    ``title`` becomes the document's title (PDF Info and XMP ``dc:title``), ``lang`` its language
    (``kk``, ``ru`` or ``en``). Only the shipped fonts can be fetched (:class:`PackageFetcher`).
    Raises whatever the template raises; WeasyPrint's missing system libraries raise ``OSError``
    at import (see docs/operations.md, "PDF documents")."""
    from weasyprint import HTML

    html = render_to_string(template, {**context, "pdf_title": title, "pdf_lang": lang, "pdf_fonts": font_face(),
                                       "pdf_family": FAMILY, "pdf_landscape": landscape})
    return HTML(string=html, base_url=FONTS.as_uri() + "/", url_fetcher=_fetcher()).write_pdf(
        pdf_variant=VARIANT, uncompressed_pdf=False)


def blocks_pdf(blocks: list[tuple], lang: str, title: str | None = None) -> bytes:
    """The PDF of a document's blocks (:mod:`klaster.common.documents`) through ``pdf/blocks.html``;
    the title is the first ``title``/``heading`` block unless given; landscape pages when a table
    has more than :data:`PORTRAIT_COLUMNS` columns."""
    from klaster.common.documents import title_of

    wide = any(b[0] == "table" and max([len(b[1] or ())] + [len(r) for r in b[2]]) > PORTRAIT_COLUMNS for b in blocks)
    return render("pdf/blocks.html", {"blocks": [_view(b) for b in blocks]}, title=title or title_of(blocks), lang=lang, landscape=wide)


def _view(b: tuple) -> dict:
    """A block as the template reads it."""
    kind = b[0]
    if kind == "heading":
        return {"kind": kind, "level": min(int(b[1]) + 1, 5), "text": b[2]}
    if kind == "table":
        return {"kind": kind, "header": [("" if h is None else str(h)) for h in (b[1] or [])],
                "rows": [[("" if v is None else str(v)) for v in r] for r in b[2]]}
    if kind == "field":
        return {"kind": kind, "label": b[1], "text": b[2]}
    if kind == "para":
        return {"kind": kind, "lines": str(b[1]).split("\n")}
    return {"kind": kind, "text": b[1]}


def response(data: bytes, filename: str) -> HttpResponse:
    """An attachment response of PDF bytes (``Content-Type: application/pdf``, nosniff)."""
    return HttpResponse(data, content_type=CONTENT_TYPE, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                                   "X-Content-Type-Options": "nosniff"})
