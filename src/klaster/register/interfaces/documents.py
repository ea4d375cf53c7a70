"""DOCX register extract (python-docx): the clusters in the register on a day and their members,
dates as users of the language write them."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import translation
from docx import Document

from klaster.common.dates import day_text
from klaster.register.domain import services

TITLES = {
    "ru": ("Выписка из реестра территориальных кластеров на {d}", ["Код", "Кластер", "ОКЭД", "Регионы (КАТО)", "Включён", "Участников", "Данные"]),
    "kk": ("Аумақтық кластерлер тізілімінен үзінді, {d}", ["Код", "Кластер", "ЭҚЖЖ", "Өңірлер (ӘАОЖ)", "Енгізілді", "Қатысушылар", "Деректер"]),
    "en": ("Extract from the register of territorial clusters as of {d}", ["Code", "Cluster", "OKED", "Regions (KATO)", "Included", "Members", "Data"]),
}
#: The marker of an entry invented for the demonstration, and the note that says what is invented.
DEMO = {
    "ru": ("ДЕМО", "Записи с отметкой «ДЕМО» придуманы для демонстрации: название, регион и отрасль пилотного кластера реальны (документ 003), "
                   "даты заявки и включения, ассоциация, участники и их показатели — нет. Это не официальная выписка.", "реальные"),
    "kk": ("ДЕМО", "«ДЕМО» белгісі бар жазбалар көрсету үшін ойдан құрастырылған: пилоттық кластердің атауы, өңірі және саласы нақты (003 құжат), "
                   "өтінім және енгізу күндері, қауымдастығы, қатысушылары мен олардың көрсеткіштері — жоқ. Бұл ресми үзінді емес.", "нақты"),
    "en": ("DEMO", "Entries marked DEMO are invented for the demonstration: the pilot cluster's name, region and sector are real (seed 003); its dates of "
                   "application and inclusion, association, members and their indicators are not. This is not an official extract.", "real"),
}

KATO = {"ru": "КАТО", "kk": "ӘАОЖ", "en": "KATO"}


def register_extract(day: dt.date, lang: str = "ru") -> bytes:
    """The extract as DOCX bytes (``lang``: kk, ru or en)."""
    with translation.override(lang):
        return _extract(day, lang)


def _extract(day: dt.date, lang: str) -> bytes:
    lang = lang if lang in TITLES else "ru"
    title, head = TITLES[lang]
    doc = Document()
    clusters = list(services.register_on(day))
    marker, note, real = DEMO[lang]
    demo = any(c.is_demo for c in clusters)
    doc.add_heading(title.format(d=day_text(day, lang)) + (f" — {marker}" if demo else ""), level=1)
    if demo:
        doc.add_paragraph(note)
    t = doc.add_table(rows=1, cols=len(head))
    t.style = "Table Grid"
    for i, h in enumerate(head):
        t.rows[0].cells[i].text = h
    for c in clusters:
        cells = t.add_row().cells
        vals = [c.code, c.localized_name(lang), c.oked, ", ".join(r.kato for r in c.regions.all()), day_text(c.included_on, lang), str(services.members_on(c, day).count()),
                marker if c.is_demo else real]
        for i, v in enumerate(vals):
            cells[i].text = v
    for c in clusters:
        doc.add_heading(c.localized_name(lang) + (f" — {marker}" if c.is_demo else ""), level=2)
        for p in services.members_on(c, day):
            doc.add_paragraph(f"{p.bin} — {p.name} ({p.get_kind_display()}; {head[2]} {p.oked_main}; {KATO[lang]} {p.kato})" + (f" — {marker}" if p.is_demo else ""), style="List Bullet")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
