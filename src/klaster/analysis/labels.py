"""Labels of the input-output pages in the user's language: industry names, column headers,
validation items, tolerances, units.

Industry names are data: ``klaster/datasets/data/io_sector_names.csv`` (table, code, name_en,
name_ru, name_kk; its header gives the sources — the tables' own English names and the OKED /
ЭҚЖЖ division names in Russian and Kazakh). Column headers and the other texts the library writes
in English are interface strings (gettext, ``klaster/analysis/locale``). Machine formats (CSV,
XLSX exports) keep the library's English headers and the English names and add the ru/kk names as
columns (:func:`sector_frame`).
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import klaster.datasets

#: The translation table of the industry names (shipped with the package).
SECTOR_NAMES_PATH = Path(klaster.datasets.__file__).with_name("data") / "io_sector_names.csv"
#: Languages of the table (``en`` is the table's own English name).
LANGS = ("en", "ru", "kk")
#: The table id of the 29 groups of the UK → Scotland regionalisation (names keyed by English name).
GROUPS = "uk-scotland-groups"


def lang_of(lang: str | None = None) -> str:
    """``lang`` or the active language, cut to ``en``/``ru``/``kk`` (anything else: ``ru``, the default)."""
    lang = (lang or get_language() or "ru")[:2]
    return lang if lang in LANGS else "ru"


@lru_cache(maxsize=1)
def _rows() -> tuple[dict, ...]:
    with SECTOR_NAMES_PATH.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(line for line in fh if not line.startswith("#")))


def sector_names(table: str, lang: str | None = None) -> dict[str, str]:
    """``{code: name}`` of the industries of the built-in table ``table`` (``scotland-2019``,
    ``uk-2019``) in ``lang`` (default: the active language). For :data:`GROUPS` the keys are the
    groups' English names. An unknown table gives ``{}``."""
    col = f"name_{lang_of(lang)}"
    key = "name_en" if table == GROUPS else "code"
    return {r[key]: r[col] for r in _rows() if r["table"] == table}


def sector_frame(table: str) -> pd.DataFrame:
    """The names of ``table`` as a frame indexed by code: columns ``Sector`` (English),
    ``Sector (ru)``, ``Sector (kk)`` — the name columns of the exports."""
    rows = [r for r in _rows() if r["table"] == table]
    return pd.DataFrame({"Sector": [r["name_en"] for r in rows], "Sector (ru)": [r["name_ru"] for r in rows],
                         "Sector (kk)": [r["name_kk"] for r in rows]}, index=[r["code"] for r in rows])


#: The library's English column names and what the pages show.
COLUMNS = {
    "Sector": gettext_lazy("Sector"),
    "Output multiplier": gettext_lazy("Output multiplier"),
    "Published output multiplier": gettext_lazy("Published output multiplier"),
    "Income effect": gettext_lazy("Income effect"),
    "Income multiplier": gettext_lazy("Income multiplier"),
    "Employment effect": gettext_lazy("Employment effect"),
    "Employment multiplier": gettext_lazy("Employment multiplier"),
    "GVA effect": gettext_lazy("GVA effect"),
    "GVA multiplier": gettext_lazy("GVA multiplier"),
    "regionalised": gettext_lazy("Regionalised estimate"),
    "Scotland (own table)": gettext_lazy("Scotland (own table)"),
    "UK national": gettext_lazy("United Kingdom (national table)"),
    "abs. % error": gettext_lazy("Absolute error, %"),
    "output": gettext_lazy("Output"),
    "income": gettext_lazy("Income"),
    "employment": gettext_lazy("Employment"),
    "gva": gettext_lazy("Gross value added"),
}

#: Quantities of the validation tables (``klaster.observatory.io.validation``).
QUANTITIES = {
    "A": gettext_lazy("Technical coefficients A"),
    "Leontief inverse": gettext_lazy("Leontief inverse"),
    "Output multiplier": gettext_lazy("Output multiplier"),
    "Income effect": gettext_lazy("Income effect"),
    "Income multiplier": gettext_lazy("Income multiplier"),
    "Employment effect": gettext_lazy("Employment effect"),
    "Employment multiplier": gettext_lazy("Employment multiplier"),
    "GVA effect": gettext_lazy("GVA effect"),
    "GVA multiplier": gettext_lazy("GVA multiplier"),
    "Use of imported products, cif": gettext_lazy("Use of imported products (CIF)"),
    "Taxes less subsidies on products": gettext_lazy("Taxes less subsidies on products"),
    "Compensation of employees": gettext_lazy("Compensation of employees"),
    "Gross operating surplus and mixed income": gettext_lazy("Gross operating surplus and mixed income"),
    "Taxes less subsidies on production": gettext_lazy("Other taxes less subsidies on production"),
    "Gross value added": gettext_lazy("Gross value added"),
    "Output": gettext_lazy("Output"),
}

#: Units of the built-in tables.
UNITS = {"£m": gettext_lazy("£ million")}

#: The built-in tables (``services.IO_TABLES`` ids).
TABLES = {
    "scotland-2019": gettext_lazy("Scotland 2019, Scottish Government, 98 industries (£ million)"),
    "uk-2019": gettext_lazy("United Kingdom 2019, ONS, 105 industries (£ million)"),
}


def column(name: str) -> str:
    """The header of the library's column ``name`` in the active language (unknown: as it is)."""
    return str(COLUMNS.get(name, name))


def unit(u: str) -> str:
    """A table's unit in the active language (``£m`` → «млн £»); an uploaded table's unit as it is."""
    return str(UNITS.get(u, u))


def table_label(key: str) -> str:
    """The title of the built-in table ``key`` in the active language (unknown: ``key``)."""
    return str(TABLES.get(key, key))


_ITEM = re.compile(r"^(?:Type (?P<type>I{1,2}) )?(?:(?P<kind>effect|multiplier): )?(?P<what>.+)$")


def validation_item(item: str) -> str:
    """A row of the library's validation table in the active language:
    ``Type II Output multiplier`` → «Мультипликатор выпуска (тип II)»,
    ``Type I effect: Compensation of employees`` → «Эффект: оплата труда работников (тип I)»."""
    m = _ITEM.fullmatch(item)
    what = m.group("what") if m else item
    text = str(QUANTITIES.get(what, what))
    if m and m.group("kind"):
        kind = _("Effect") if m.group("kind") == "effect" else _("Multiplier")
        text = _("%(kind)s: %(quantity)s") % {"kind": kind, "quantity": text[:1].lower() + text[1:]}
    if m and m.group("type"):
        text = _("%(quantity)s (Type %(type)s)") % {"quantity": text, "type": m.group("type")}
    return text


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_TOL = re.compile(r"^(?P<tol>[0-9.e+-]+) \((?P<how>absolute|relative)\)$")


def tolerance(text: str) -> str:
    """The library's tolerance (``1e-06 (absolute)``) as a sentence in the active language:
    «абсолютная разница ≤ 10⁻⁶» (anything else: as it is)."""
    from django.utils.formats import number_format

    m = _TOL.fullmatch(text or "")
    if not m:
        return text
    v = float(m.group("tol"))
    mant, _e, exp = f"{v:e}".partition("e")
    mant = mant.rstrip("0").rstrip(".")
    power = "10" + str(int(exp)).translate(_SUPERSCRIPT)
    number = power if mant == "1" else f"{number_format(float(mant))}·{power}"
    if m.group("how") == "absolute":
        return _("absolute difference ≤ %(tolerance)s") % {"tolerance": number}
    return _("relative difference ≤ %(tolerance)s") % {"tolerance": number}


_METHOD = re.compile(r"^(?P<m>SLQ|CILQ|FLQ|AFLQ)(?: δ=(?P<d>[0-9.]+))?$")


def method_label(label: str) -> str:
    """A row of the regionalisation comparison: ``FLQ δ=0.2`` keeps the method's code with δ written
    as the language writes numbers (``FLQ δ=0,2`` in kk/ru); ``UK national (no regionalisation)`` is
    translated."""
    from django.utils.formats import number_format

    if label == "UK national (no regionalisation)":
        return _("United Kingdom national table (no regionalisation)")
    m = _METHOD.fullmatch(label)
    if m and m.group("d"):
        return f"{m.group('m')} δ={number_format(float(m.group('d')), decimal_pos=len(m.group('d').split('.')[-1]))}"
    return label


def with_names(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """``frame`` (indexed by industry code) for an export: the English name and the Russian and
    Kazakh names first (``Sector``, ``Sector (ru)``, ``Sector (kk)``; :func:`sector_frame`), then
    ``frame``'s columns with the library's English headers. A table without names (an upload)
    gets an empty ``Sector`` column."""
    names = sector_frame(key)
    if names.empty:
        return frame.assign(Sector="")[["Sector", *frame.columns]]
    return names.reindex(frame.index).join(frame)


def dataset_title(dataset: str) -> str:
    """The title of a run's dataset id (``kz-bns-gva``, ``us-cmp2016``, ``scotland-2019``,
    ``uk-2019``) in the active language; an unknown id as it is (``upload`` is the page's own text)."""
    from klaster.analysis.forms import MapForm

    if dataset in TABLES:
        return table_label(dataset)
    return str(dict(MapForm.SOURCES).get(dataset, dataset))
