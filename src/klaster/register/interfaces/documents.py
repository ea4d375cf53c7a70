"""DOCX register extract (python-docx)."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document

from klaster.register.domain import services

TITLES = {
    "ru": ("Выписка из реестра территориальных кластеров на {d}", ["Код", "Кластер", "ОКЭД", "Регионы (КАТО)", "Включён", "Участников"]),
    "kk": ("Аумақтық кластерлер тізілімінен үзінді, {d}", ["Код", "Кластер", "ЭҚЖЖ", "Өңірлер (ӘАОЖ)", "Енгізілді", "Қатысушылар"]),
    "en": ("Extract from the register of territorial clusters as of {d}", ["Code", "Cluster", "OKED", "Regions (KATO)", "Included", "Members"]),
}


def register_extract(day: dt.date, lang: str = "ru") -> bytes:
    title, head = TITLES.get(lang, TITLES["ru"])
    doc = Document()
    doc.add_heading(title.format(d=day.isoformat()), level=1)
    clusters = list(services.register_on(day))
    t = doc.add_table(rows=1, cols=len(head))
    t.style = "Table Grid"
    for i, h in enumerate(head):
        t.rows[0].cells[i].text = h
    for c in clusters:
        cells = t.add_row().cells
        vals = [c.code, c.localized_name(lang), c.oked, ", ".join(r.kato for r in c.regions.all()), c.included_on.isoformat() if c.included_on else "", str(services.members_on(c, day).count())]
        for i, v in enumerate(vals):
            cells[i].text = v
    for c in clusters:
        doc.add_heading(c.localized_name(lang), level=2)
        for p in services.members_on(c, day):
            doc.add_paragraph(f"{p.bin} — {p.name} ({p.kind}; OKED {p.oked_main}; KATO {p.kato})", style="List Bullet")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
