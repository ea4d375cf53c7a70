"""Choropleth maps of Kazakhstan's regions drawn with Plotly (plotly.js served once as a static
file; no CDN): one figure builder, one boundary file, one colouring rule.

- :func:`boundaries` — the regions' boundaries (``Region.boundary``, geokz, WGS84) simplified once
  (Douglas–Peucker, :func:`klaster.observatory.geometry.simplify_ring`) as a GeoJSON ``FeatureCollection`` whose features carry
  the region's KATO as ``properties.kato``; served as ``/regions/boundaries.json``
  (:func:`klaster.web.views.boundaries_json`) with a long cache per reference data version.
- :func:`class_breaks` / :func:`class_of` — the colour classes of a measure and the class of a
  value (the legend and the colouring use the same breaks).
- :func:`choropleth_figure` — a Plotly figure dict (``{"data": [...], "layout": {...}}``): one
  ``choropleth`` trace per colour class on the boundaries' URL, ``featureidkey`` the KATO property,
  ``fitbounds: "locations"`` (klaster.js zooms to the boundaries' extent); the legend lists the
  classes with the measure, its unit and breaks.

Pages embed the figure as JSON (``components/map.html``, the canvas's ``data-map`` attribute, as the
charts' ``data-plotly``: the CSP allows no inline script element) and ``klaster.js`` draws it; numbers in the JSON are machine numbers in every language.
"""

from __future__ import annotations

import math
from html import escape

from klaster.observatory.geometry import TOLERANCE, simplify

#: Colours of the classes, lightest first (ColorBrewer "Blues", colour-blind safe).
PALETTE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
#: The location of a class that has no region (no feature has it: nothing is drawn, the legend keeps the class).
EMPTY = "-"
#: Colour of a region without a value.
NO_DATA = "#d9d9d9"


def boundaries(tolerance: float = TOLERANCE) -> dict:
    """The regions' boundaries as a GeoJSON FeatureCollection (WGS84 degrees), simplified:
    ``{"type": "FeatureCollection", "features": [{"type": "Feature", "id": kato,
    "properties": {"kato": kato}, "geometry": MultiPolygon}]}``. Regions without a boundary are
    left out. Reads ``Region.boundary`` (geokz, A. Rodionov, CC BY 4.0); callers cache it
    (:func:`boundaries_bytes`)."""
    from klaster.reference.models import Region

    feats = []
    for kato, geom in Region.objects.exclude(boundary=None).order_by("kato").values_list("kato", "boundary"):
        g = simplify(geom, tolerance) if geom else None
        if g:
            feats.append({"type": "Feature", "id": kato, "properties": {"kato": kato}, "geometry": g})
    return {"type": "FeatureCollection", "features": feats}


def boundaries_bytes() -> bytes:
    """:func:`boundaries` as compact JSON bytes, computed once per reference data version
    (:mod:`klaster.web.cache`)."""
    import json

    from klaster.web.cache import cached

    return cached(("reference",), ("boundaries-json",), lambda: json.dumps(boundaries(), separators=(",", ":")).encode())


def class_breaks(top: float, n: int = 5) -> list[tuple[float, float]]:
    """The value range of each of ``n`` colour classes of a choropleth whose class is
    ``min(n - 1, int((n - 1) * value / top + 0.5))`` (values rounded to the nearest of ``n``
    evenly spaced steps from 0 to ``top``, as the mapping run's map colours them):
    ``[(low, high)]``, class 0 starting at 0 and the last one ending at ``top``. Empty when
    ``top <= 0`` (nothing to class). Units are those of the values.
    """
    if not top or top <= 0 or n < 2:
        return []
    step = top / (n - 1)
    return [(max(0.0, (k - 0.5) * step), min(top, (k + 0.5) * step)) for k in range(n)]


def count_breaks(top: int, n: int = 5) -> tuple[list[tuple[float, float]], list[int]]:
    """Classes of a count (e.g. clusters per region) from 0 to ``top``: one class per count when
    ``top < n`` (``[(0, 0), (1, 1), …]``, coloured spread over the palette), else
    :func:`class_breaks`. Returns ``(breaks, palette indexes)``."""
    if top < n:
        return [(float(k), float(k)) for k in range(top + 1)], [round(k * (n - 1) / top) if top else 0 for k in range(top + 1)]
    return class_breaks(top, n), list(range(n))


def class_of(value, breaks: list[tuple[float, float]]) -> int | None:
    """The class of ``value`` among ``breaks`` (:func:`class_breaks`): the last class whose low
    end it reaches (a value on a break belongs to the upper class, as the rounding rule puts it).
    ``None`` for a missing or non-finite value or when there are no breaks."""
    if value is None or not breaks:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(v):
        return None
    k = 0
    for i, (lo, _hi) in enumerate(breaks):
        if i and v >= lo - 1e-12 * max(1.0, abs(lo)):
            k = i
    return k


def choropleth_figure(values: dict, *, names: dict, links: dict | None = None, measure: str, unit: str = "",
                      breaks: list[tuple[float, float]], palette: list[str] | None = None, hover: dict | None = None,
                      legend: list[str] | None = None, no_data: str = "", geojson: str = "/regions/boundaries.json",
                      separators: str = ".,") -> dict:
    """A Plotly figure (dict, JSON-ready) of a choropleth of Kazakhstan's regions.

    Parameters
    ----------
    values : {KATO: number or None}
        The measure per region (its unit is ``unit``); every region to draw is a key.
    names : {KATO: str}
        The regions' names in the user's language (hover text).
    links : {KATO: URL}
        Where a click on the region leads (``customdata[0]``); a region without one is not a link.
    measure, unit : str
        The legend's title: ``"measure, unit"``.
    breaks : [(low, high)]
        The classes (:func:`class_breaks` or :func:`count_breaks`); a region's class is
        :func:`class_of`.
    palette : [colour]
        One colour per class (default :data:`PALETTE`, spread when fewer classes).
    hover : {KATO: str}
        The hover lines under the name (default the value); HTML as plotly.js reads it (``<br>``),
        so the caller escapes data in it. Names are escaped here.
    legend : [str]
        The classes' legend entries (default ``"low – high"`` with machine numbers).
    no_data : str
        Legend entry of regions without a value (grey); omitted when every region has one.
    geojson : str
        URL of the boundaries (``featureidkey`` ``properties.kato``).

    Returns ``{"data": [trace per class], "layout": {...}}`` — one ``choropleth`` trace per class
    with its regions (``locations``), its colour, its legend entry; ``layout.geo.fitbounds``
    ``"locations"`` (klaster.js replaces it by the ranges of the fetched boundaries' extent: with
    the base map hidden plotly.js's fit leaves the country at half the canvas). Numbers are Python numbers (machine JSON in every language).
    """
    links = links or {}
    hover = hover or {}
    pal = palette or (PALETTE if len(breaks) >= len(PALETTE) else [PALETTE[round(k * (len(PALETTE) - 1) / max(1, len(breaks) - 1))]
                                                                   for k in range(len(breaks))])
    groups: dict = {}
    for kato in values:
        groups.setdefault(class_of(values[kato], breaks), []).append(kato)
    labels = legend or [f"{lo:g} – {hi:g}" for lo, hi in breaks]
    traces = []
    order = [*range(len(breaks)), None]
    for k in order:
        locs = groups.get(k, [])
        if k is None and not locs:
            continue
        colour = NO_DATA if k is None else pal[k]
        # a class without a region keeps its legend entry (plotly.js lists only traces with data):
        # one location that is no region (EMPTY) draws nothing
        shown = locs or [EMPTY]
        traces.append({
            "type": "choropleth", "geojson": geojson, "featureidkey": "properties.kato",
            "locations": shown, "z": [1] * len(shown), "zmin": 0, "zmax": 1,
            "colorscale": [[0, colour], [1, colour]], "showscale": False, "showlegend": True,
            "name": no_data if k is None else labels[k],
            "marker": {"line": {"color": "#ffffff", "width": 1}},
            "text": [f"{escape(str(names.get(kt, kt)))}<br>{hover.get(kt, '' if values[kt] is None else values[kt])}" for kt in locs] or [""],
            "customdata": [[links.get(kt, "")] for kt in locs] or [[""]],
            "hovertemplate": "%{text}<extra></extra>",
            **({"meta": {"class": k, "low": breaks[k][0], "high": breaks[k][1]}} if k is not None else {"meta": {"class": None}}),
        })
    return {"data": traces, "layout": {
        "geo": {"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"}},
        "legend": {"title": {"text": f"{measure}, {unit}" if unit else measure, "side": "top"}, "traceorder": "normal",
                   "orientation": "h", "x": 0, "y": 0, "yanchor": "top"},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "height": 520, "dragmode": False, "separators": separators,
    }}


def map_context(map_id: str, *, caption: str, figure: dict, head: list[str], rows: list[tuple], note: str = "") -> dict:
    """The context of ``components/map.html``: ``map_id`` (an HTML id, unique on the page), the
    caption, the figure (:func:`choropleth_figure`; ``figure_json`` its JSON, written in the
    ``data-map`` attribute of the canvas ``{map_id}-figure``),
    the table beside the map — ``head`` (three column headings) and ``rows`` ``[(region name,
    link or "", value text, class text)]`` — and an optional note."""
    import json

    # the figure as the canvas's data-map attribute (escaped by the template), as the charts'
    # data-plotly: the policy allows no inline script element, not even a JSON one
    return {"id": map_id, "json_id": f"{map_id}-figure", "caption": caption, "figure": figure,
            "figure_json": json.dumps(figure, separators=(",", ":")), "head": head, "rows": rows, "note": note}
