"""Names of a mapping run's parameters, methodologies, flags and sectors in the user's language
(the run's page: ``analysis/run.html``). The run keeps machine values (``cmp``, ``strong``,
``stability=0``); these are what an official reads."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: Flag columns of the methodologies' tables (klaster.observatory.methodology: ClusterMapping,
#: ClusterObservatory stars, BusinessNavigator) → their names.
FLAG_NAMES = {
    "strong": gettext_lazy("strong cluster"),
    "strong10": gettext_lazy("strong cluster, top decile"),
    "significant": gettext_lazy("significant cluster"),
    "qualifying": gettext_lazy("qualifying cluster"),
    "size": gettext_lazy("size star"),
    "specialisation": gettext_lazy("specialisation star"),
    "focus": gettext_lazy("focus star"),
    "stars": gettext_lazy("stars (0–3)"),
    "productivity_star": gettext_lazy("productivity star"),
    "growth_star": gettext_lazy("growth star"),
    "specialised": gettext_lazy("specialised"),
    "growing_cluster": gettext_lazy("growing cluster"),
    "regional_advantage": gettext_lazy("regional advantage"),
    "flagged": gettext_lazy("flagged (all three conditions)"),
}

#: The flags each methodology sets (its columns of the flags table; klaster.observatory.methodology).
METHOD_FLAGS = {
    "cmp": ("strong", "strong10", "significant", "qualifying"),
    "eco": ("size", "specialisation", "focus", "stars", "productivity_star", "growth_star"),
    "kz-bn": ("specialised", "growing_cluster", "regional_advantage", "flagged"),
}

#: The tables a mapping run writes (``<name>.csv``/``.xlsx`` in its directory) → their names.
FILE_NAMES = {
    "comparison": gettext_lazy("Comparison of the methodologies"),
    "complexity": gettext_lazy("Economic complexity of the regions"),
    "concentration": gettext_lazy("Concentration indices"),
    "flags": gettext_lazy("Flags table"),
    "indicators": gettext_lazy("All indicators"),
    "lq": gettext_lazy("Location quotients"),
    "product_complexity": gettext_lazy("Complexity of the sectors"),
    "relatedness": gettext_lazy("Relatedness of the sectors"),
    "specialisation": gettext_lazy("Specialisation"),
    "strength": gettext_lazy("Cluster strength of the regions"),
    "thresholds": gettext_lazy("Thresholds of the flags"),
}


def file_label(filename: str) -> str:
    """``flags.csv`` → "Flags table (CSV)" in the active language (an unknown table: its file name)."""
    stem, _dot, ext = filename.rpartition(".")
    name = FILE_NAMES.get(stem)
    return f"{name} ({ext.upper()})" if name else filename


#: Measures of the built-in panels → their names.
MEASURE_NAMES = {"gva": gettext_lazy("gross value added"), "employment": gettext_lazy("employment")}


def _choice_label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def methodology_label(code: str) -> str:
    """The name of a methodology code (``cmp``, ``eco``, ``kz-bn``; a version suffix ``@…`` is
    ignored) as the mapping form names it; the code itself when unknown."""
    from klaster.analysis.forms import MapForm

    return _choice_label(MapForm.base_fields["methodologies"].choices, str(code).split("@")[0])


def flag_label(column: str) -> str:
    """The name of a flag column (:data:`FLAG_NAMES`); the column itself when unknown."""
    return str(FLAG_NAMES.get(column, column))


def flag_count_rows(run) -> list[tuple[str, str, int]]:
    """The run's flag counts (``summary["flag_counts"]``) as ``[(methodology name, flag name,
    count)]``, only the flags the methodology sets (:data:`METHOD_FLAGS`; all for an unknown one)."""
    out = []
    for m, counts in (run.summary.get("flag_counts") or {}).items():
        own = METHOD_FLAGS.get(str(m).split("@")[0])
        for k, v in counts.items():
            if own is None or k in own:
                out.append((methodology_label(m), flag_label(k), v))
    return out


def sector_names(run, names: dict) -> dict[str, str]:
    """The sectors' names of ``run`` in the active language: OKED sections from the OKED reference
    (Kazakh or Russian names) for a Kazakhstan run, else the run's own names (``names["sectors"]``,
    as the dataset gives them)."""
    out = dict(names.get("sectors", {}))
    lang = (get_language() or "ru")[:2]
    if run.summary.get("kazakhstan") and lang != "en":
        from klaster.reference.models import OkedCode

        for code, ru, kk in OkedCode.objects.filter(level="section", code__in=list(out)).values_list("code", "name_ru", "name_kk"):
            name = (kk if lang == "kk" and kk else ru) or ""
            if name:
                out[code] = name[:1] + name[1:].lower() if name.isupper() else name
    return out


def parameter_rows(run) -> list[tuple[str, str]]:
    """The run's parameters as ``[(name, value)]`` in words (the summary list of the run's page):
    dataset, territorial frame, methodologies, measure, year, over-time years, stability rule, LQ
    base. Machine values the labels do not know are shown as they are."""
    from klaster.analysis.forms import MapForm

    p = run.parameters or {}
    rows = []
    if run.is_upload:
        rows.append((_("Dataset"), _("uploaded file: %(name)s") % {"name": run.upload_name}))
    else:
        rows.append((_("Dataset"), _choice_label(MapForm.SOURCES, run.dataset)))
    if p.get("frame"):
        rows.append((_("Territorial frame"), _choice_label(MapForm.FRAMES, p["frame"])))
    if p.get("methodologies"):
        rows.append((_("Methodologies"), "; ".join(methodology_label(m) for m in p["methodologies"])))
    if p.get("measure"):
        unit = run.summary.get("unit")
        measure = str(MEASURE_NAMES.get(p["measure"], p["measure"]))
        rows.append((_("Measure"), f"{measure}, {_unit(unit)}" if unit else measure))
    if p.get("year"):
        rows.append((_("Year"), str(p["year"])))
    if "years" in p:
        rows.append((_("Years for the over-time tables"), ", ".join(map(str, p["years"])) if p["years"] else _("the main year only")))
    if "stability" in p:
        n = int(p.get("stability") or 0)
        rows.append((_("Stability of the flags"), _("not assessed (no replicates)") if not n else
                     _("assessed on %(n)s bootstrap replicates") % {"n": n}))
    if "lq_base" in p:
        rows.append((_("Base of the location quotient"), _choice_label(MapForm.base_fields["lq_base"].choices, p.get("lq_base") or "")))
    if p.get("household_income") is not None:
        rows.append((_("Total household income"), str(p["household_income"])))
    if p.get("type"):
        rows.append((_("Multipliers"), _("Type %(type)s") % {"type": p["type"]}))
    if p.get("delta_y"):
        rows.append((_("Final-demand changes"), ", ".join(f"{k}: {v}" for k, v in p["delta_y"].items())))
    return rows


#: Units of the built-in panels → their names.
UNIT_NAMES = {"mln KZT": gettext_lazy("mln tenge"), "persons": gettext_lazy("persons")}


def _unit(unit: str) -> str:
    return str(UNIT_NAMES.get(unit, unit))
