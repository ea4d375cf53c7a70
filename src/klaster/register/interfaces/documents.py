"""The register extract, DOCX (python-docx) and PDF (WeasyPrint): the clusters in the register on a
day and their members, dates as users of the language write them; one content
(:func:`extract_content`), two renderings."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from klaster.common.dates import day_text
from klaster.common.documents import blocks_docx
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


def register_extract(day: dt.date, lang: str = "ru", fmt: str = "docx") -> bytes:
    """The extract as DOCX bytes, or PDF/A bytes with ``fmt="pdf"`` (``lang``: kk, ru or en;
    another language falls back to ru), both from :func:`extract_content`."""
    lang = lang if lang in TITLES else "ru"
    with translation.override(lang):
        blocks = extract_content(day, lang)
    if fmt == "pdf":
        from klaster.common.pdf import blocks_pdf

        return blocks_pdf(blocks, lang)
    return blocks_docx(blocks)


def extract_content(day: dt.date, lang: str) -> list[tuple]:
    """The extract as blocks (:mod:`klaster.common.documents`): the title (marked DEMO when an entry
    is invented) and the note that says what is invented, the table of the clusters in the register
    on ``day``, then each cluster's members on that day. Call inside ``translation.override(lang)``."""
    lang = lang if lang in TITLES else "ru"
    title, head = TITLES[lang]
    clusters = list(services.register_on(day))
    marker, note, real = DEMO[lang]
    demo = any(c.is_demo for c in clusters)
    blocks: list[tuple] = [("heading", 1, title.format(d=day_text(day, lang)) + (f" — {marker}" if demo else ""))]
    if demo:
        blocks.append(("demo", note))
    rows = [[c.code, c.localized_name(lang), c.oked, ", ".join(r.kato for r in c.regions.all()), day_text(c.included_on, lang),
             str(services.members_on(c, day).count()), marker if c.is_demo else real] for c in clusters]
    blocks.append(("table", head, rows))
    for c in clusters:
        blocks.append(("heading", 2, c.localized_name(lang) + (f" — {marker}" if c.is_demo else "")))
        for p in services.members_on(c, day):
            blocks.append(("bullet", f"{p.bin} — {p.name} ({p.get_kind_display()}; {head[2]} {p.oked_main}; {KATO[lang]} {p.kato})" + (f" — {marker}" if p.is_demo else "")))
    return blocks
