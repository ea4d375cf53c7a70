"""The territorial changes of the first-level frame in the user's language.

The rows (:class:`~klaster.reference.models.TerritorialChange`, loaded from
:data:`klaster.reference.loaders.TERRITORIAL_CHANGES`) keep their units as KATO codes with English
labels and their basis as the English title of the act. Shown in kk or ru, a unit is named as the
KATO reference names it (``Region.name_kk``/``name_ru``; a former unit no longer in the frame from
:data:`FORMER_UNITS`) and the act by its official title in that language (:data:`ACT_TITLES`).
"""

from __future__ import annotations

import re

#: Units of the frame that no longer exist (their KATO code is not a Region any more), named as the
#: KATO classifier named them before the change. Source: KATO (Bureau of National Statistics), the
#: decree of 19 June 2018 No. 702.
FORMER_UNITS = {
    "510000000": {"en": "South Kazakhstan oblast", "ru": "Южно-Казахстанская область", "kk": "Оңтүстік Қазақстан облысы"},
}

#: The acts on which the frame changed: the English title (the row's ``basis`` without the unit in
#: parentheses) → the official title in kk and ru. Source: adilet.zan.kz (the decrees' texts).
ACT_TITLES = {
    "Decree of the President of RK No. 702 of 19 June 2018": {
        "ru": "Указ Президента Республики Казахстан от 19 июня 2018 года № 702",
        "kk": "Қазақстан Республикасы Президентінің 2018 жылғы 19 маусымдағы № 702 Жарлығы",
    },
    "Decree of the President of RK No. 887 of 3 May 2022": {
        "ru": "Указ Президента Республики Казахстан от 3 мая 2022 года № 887",
        "kk": "Қазақстан Республикасы Президентінің 2022 жылғы 3 мамырдағы № 887 Жарлығы",
    },
}

_BASIS = re.compile(r"(?P<title>.*?)(?: \((?P<unit>[^()]*)\))?")


def unit_name(kato: str, english: str, regions: dict, lang: str) -> str:
    """The name of the unit ``kato`` in ``lang`` (kk, ru, en): the region's name in the reference
    (``regions``: {KATO: Region}), else :data:`FORMER_UNITS`, else ``english`` (the row's label)."""
    r = regions.get(kato)
    if r is not None:
        return r.localized_name(lang)
    return FORMER_UNITS.get(kato, {}).get(lang) or english


def basis_text(change, regions: dict, lang: str) -> str:
    """The basis of ``change`` in ``lang``: the act's title (:data:`ACT_TITLES`) followed by the
    unit it created in parentheses, named in ``lang``; the English text when the act is not in
    :data:`ACT_TITLES` or ``lang`` is ``en``."""
    if lang == "en":
        return change.basis
    m = _BASIS.fullmatch(change.basis)
    title = ACT_TITLES.get(m.group("title"), {}).get(lang) if m else None
    if not title:
        return change.basis
    if not m.group("unit"):
        return title
    new = [k for k in change.to_units if k not in change.from_units]
    unit = unit_name(new[0], m.group("unit"), regions, lang) if len(new) == 1 else m.group("unit")
    return f"{title} ({unit})"


def localized_changes(changes, regions, lang: str) -> list[dict]:
    """``changes`` (TerritorialChange rows) for display in ``lang``: ``[{"date", "kind",
    "from_units": [(KATO, name)], "to_units": [(KATO, name)], "basis"}]``. ``regions``: the
    Region rows (an iterable) whose names are used."""
    by_kato = {r.kato: r for r in regions}
    return [{"date": c.date, "kind": c.get_kind_display(),
             "from_units": [(k, unit_name(k, v, by_kato, lang)) for k, v in c.from_units.items()],
             "to_units": [(k, unit_name(k, v, by_kato, lang)) for k, v in c.to_units.items()],
             "basis": basis_text(c, by_kato, lang)} for c in changes]
