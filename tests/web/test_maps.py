"""Maps from a well-kept library (issue 13): every map is a Plotly choropleth
(:func:`klaster.web.maps.choropleth_figure`) written as JSON in the page and drawn by klaster.js on
the boundaries of ``/regions/boundaries.json``. Its numbers are machine numbers in kk, ru and en (a
decimal comma once wrote ``viewBox="0 0 1000,0 543,3"`` and cropped the SVG map); the legend's
classes are contiguous and are the colouring rule (a region's class is the class its value falls
in); regions link to their cluster (regions page) or to the flags of the region (mapping run);
each map has its data as a table beside it."""

from __future__ import annotations

import json
import math
import re
from html import unescape

import pytest
from django.conf import settings
from django.test import Client

from klaster.web.maps import EMPTY
from tests.analysis.conftest import media, users  # noqa: F401 — the analysis fixtures


def figure_of(html: str, map_id: str) -> dict:
    """The Plotly figure of map ``map_id``: the JSON of its canvas's data-map attribute, machine-parsed."""
    m = re.search(rf'<div class="klaster-map__canvas" id="{map_id}-figure" data-map="([^"]*)"></div>', html)
    assert m, f"no figure {map_id}"
    return json.loads(unescape(m.group(1)))


def _numbers(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _numbers(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _numbers(v)
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        yield obj


def classes_of(fig: dict) -> dict[str, tuple]:
    """{KATO: (class, low, high, link)} from the figure's traces (one trace per class)."""
    out = {}
    for t in fig["data"]:
        assert t["type"] == "choropleth" and t["featureidkey"] == "properties.kato"
        assert t["geojson"] == "/regions/boundaries.json"
        for kato, (link,) in zip(t["locations"], t["customdata"]):
            if kato == EMPTY:  # a class without a region: in the legend, nothing drawn
                assert t["locations"] == [EMPTY] and link == ""
                continue
            assert kato not in out, kato  # each region drawn once
            out[kato] = (t["meta"]["class"], t["meta"].get("low"), t["meta"].get("high"), link)
    return out


def check_legend(fig: dict, n_classes: int, gap: int = 0):
    """The breaks of the classes: machine numbers, from 0, contiguous (``gap`` 1 for classes of
    whole counts: 0, 1, 2…), ascending."""
    bounds = [(t["meta"]["low"], t["meta"]["high"]) for t in fig["data"] if t["meta"]["class"] is not None]
    assert [t["meta"]["class"] for t in fig["data"] if t["meta"]["class"] is not None] == list(range(n_classes))
    assert all(isinstance(v, (int, float)) for b in bounds for v in b), bounds
    assert bounds[0][0] == 0
    assert all(bounds[k][1] + gap == pytest.approx(bounds[k + 1][0]) for k in range(len(bounds) - 1)), bounds
    assert fig["layout"]["geo"]["fitbounds"] == "locations"
    return bounds


def _client(lang):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    c = Client()
    c.cookies["django_language"] = lang
    return c


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_regions_map_is_a_plotly_figure_with_machine_numbers(lang):
    from django.core.cache import cache

    cache.clear()
    html = _client(lang).get("/regions/").content.decode()
    assert f'<html lang="{lang}">' in html and "<svg id=\"kz-map\"" not in html and 'type="application/json"' not in html
    assert re.search(r'<script src="/static/klaster/vendor/plotly[^"]*\.js" nonce="[^"]+">', html)
    fig = figure_of(html, "kz-map")
    assert len(classes_of(fig)) == 20
    assert all(math.isfinite(v) for v in _numbers(fig))
    # the table beside the map: one row per region, names in the page's language
    table = html[html.index("data-map-table"):html.index("</table>", html.index("data-map-table"))]
    assert table.count('<th scope="row"') == 20
    assert {"ru": "Карагандинская область", "kk": "Қарағанды облысы", "en": "Karagandy Region"}[lang] in table


@pytest.mark.django_db
def test_boundaries_json_is_one_small_cached_geojson():
    """One file for every map: 20 simplified regions keyed by KATO, machine numbers inside
    Kazakhstan, a long cache revalidated by the reference data's version."""
    c = _client("ru")
    r = c.get("/regions/boundaries.json")
    assert r.status_code == 200 and r["Content-Type"] == "application/geo+json"
    assert "max-age=86400" in r["Cache-Control"] and r["ETag"]
    assert len(r.content) < 150_000  # the source boundaries are about 1 MB
    gj = json.loads(r.content)
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 20
    assert {f["properties"]["kato"] for f in gj["features"]} == {f["id"] for f in gj["features"]}
    for f in gj["features"]:
        for poly in f["geometry"]["coordinates"]:
            for ring in poly:
                assert ring[0] == ring[-1] and len(ring) >= 4
                assert all(45 < lon < 90 and 39 < lat < 57 for lon, lat in ring)
    assert c.get("/regions/boundaries.json", HTTP_IF_NONE_MATCH=r["ETag"]).status_code == 304


def test_simplify_ring_keeps_the_shape_and_drops_what_is_below_the_tolerance():
    from klaster.observatory.geometry import simplify_ring

    square = [[0, 0], [0.5, 0.0001], [1, 0], [1, 1], [0, 1], [0, 0]]
    assert simplify_ring(square, 0.01) == [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    assert simplify_ring([[0, 0], [0.001, 0], [0.001, 0.001], [0, 0]], 0.01) == []
    # two kept corners that round to one point are drawn once (the report rounds to 2 places)
    near = [[0, 0], [1, 0], [1, 1], [0.002, 1.0], [0.0, 0.998], [0, 0]]
    assert simplify_ring(near, 0.0001, 2) == [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]


def test_class_breaks_match_the_colouring_rule():
    """Every value falls in the class whose range the legend gives, and ``class_of`` is the run's
    rule (nearest of five steps from 0 to the top)."""
    from klaster.web.maps import class_breaks, class_of

    top = 7.3
    breaks = class_breaks(top)
    for i in range(0, 731):
        v = i / 100
        k = min(4, int(4 * v / top + 0.5))
        lo, hi = breaks[k]
        assert lo <= v <= hi + 1e-9, (v, k, breaks[k])
        assert class_of(v, breaks) == k, v
    assert class_breaks(0) == [] and class_of(None, breaks) is None and class_of(float("nan"), breaks) is None


@pytest.mark.django_db
def test_mapping_run_map_in_every_locale_with_a_legend_of_the_measure_and_class_breaks(media, users):  # noqa: F811
    from klaster.analysis.models import AnalysisRun
    from klaster.web.maps import class_breaks, class_of

    c = Client()
    c.force_login(users["analyst"])
    c.cookies["django_language"] = "ru"
    r = c.post("/analysis/map/", {"source": "kz-bns-gva", "frame": "2022", "methodologies": ["cmp"], "year": "2024", "stability": "0"})
    run = AnalysisRun.objects.get()
    assert r.status_code == 302 and run.status == "done", run.error
    titles = {}
    for lang in ("ru", "kk", "en"):
        c.cookies["django_language"] = lang
        for query in ("", "?sector=B&methodology=cmp"):  # flagged sectors per region; the LQ of one sector
            html = c.get(f"/analysis/runs/{run.pk}/{query}").content.decode()
            assert "<svg viewBox" not in html and "Darker: higher value" not in html
            fig = figure_of(html, "choropleth")
            got = classes_of(fig)
            assert len(got) == 20
            bounds = check_legend(fig, 5)
            top = bounds[-1][1]
            assert [v for b in bounds for v in b] == pytest.approx([v for b in class_breaks(top) for v in b])
            # the colouring rule: the class of each region's value (its hover text) is its trace's class
            for t in fig["data"]:
                for kato, text, (link,) in zip(t["locations"], t["text"], t["customdata"]):
                    if kato == EMPTY:
                        continue
                    assert link.startswith("?") and "region=" in link
                    v = float(text.split("<br>")[1].replace("\xa0", "").replace(" ", "").replace(",", "."))
                    k = class_of(v, bounds)
                    assert k == t["meta"]["class"] if not query else abs(k - t["meta"]["class"]) <= 1, (kato, v, bounds)
            titles[(lang, query)] = fig["layout"]["legend"]["title"]["text"]
            assert all(math.isfinite(v) for v in _numbers(fig))
            table = html[html.index("data-map-table"):html.index("</table>", html.index("data-map-table"))]
            assert table.count('<th scope="row"') == 20
    assert titles[("ru", "")] == "Отрасли с признаком, число отраслей"
    assert titles[("en", "?sector=B&methodology=cmp")] == "Location quotient, ratio to the national share"
    assert titles[("kk", "")] != titles[("en", "")]


@pytest.mark.django_db
def test_regions_map_shows_the_registered_clusters_by_region_with_links_and_legend():
    """The regions map colours each region by the clusters of the register on today that include
    it, names them in the hover text, links the region to its cluster, and follows the register
    (the cached page changes when a cluster is included); one class per count when there are
    fewer than five."""
    import datetime as dt

    from klaster.reference.models import Region
    from klaster.register.models import Cluster
    from klaster.web.maps import class_of

    c = _client("ru")
    before = classes_of(figure_of(c.get("/regions/").content.decode(), "kz-map"))
    assert len(before) == 20
    karaganda = Region.objects.get(kato="350000000")
    cl = Cluster.objects.create(code="mapcl", name_kk="Карта кластері", name_ru="Кластер карты", name_en="Map cluster", oked="24",
                                status="included", included_on=dt.date(2020, 1, 1))
    cl.regions.add(karaganda)
    html = c.get("/regions/").content.decode()
    fig = figure_of(html, "kz-map")
    after = classes_of(fig)
    assert after["350000000"][3] == "/register/mapcl/"
    hover = {kato: text for t in fig["data"] for kato, text in zip(t["locations"], t["text"]) if kato != EMPTY}
    assert "Кластер карты" in hover["350000000"] and "Карагандинская область" in hover["350000000"]
    counts = {kato: int(re.search(r"<br>(\d+)", text).group(1)) for kato, text in hover.items()}
    assert counts["350000000"] >= 1
    top = max(counts.values())
    bounds = check_legend(fig, top + 1 if top < 5 else 5, gap=1 if top < 5 else 0)
    for kato, (k, lo, hi, link) in after.items():
        assert class_of(counts[kato], bounds) == k, (kato, counts[kato], k, bounds)
        assert bool(link) == (counts[kato] > 0)
    if top < 5:  # one class per count, each its own colour
        assert bounds == [(n, n) for n in range(top + 1)]
        colours = [t["colorscale"][0][1] for t in fig["data"] if t["meta"]["class"] is not None]
        assert len(set(colours)) == top + 1


@pytest.mark.django_db
@pytest.mark.parametrize("lang,shown", [("kk", "08.06.2022"), ("ru", "08.06.2022"), ("en", "8 Jun 2022")])
def test_regions_page_dates_as_each_language_writes_them(lang, shown):
    """Not "Маусым 8, 2022" (English word order in Kazakh): the project's day_text."""
    from django.core.cache import cache

    cache.clear()
    html = _client(lang).get("/regions/").content.decode()
    assert shown in html and "Маусым 8" not in html and "June 8" not in html


@pytest.mark.django_db
def test_quarterly_map_keeps_its_shading_rule_and_numbers():
    """The Ministry's quarterly map: a region with clusters is in class ``min(3, int(4 · support /
    top))`` (the former SVG's levels 1–4), a region without a cluster is grey ("no cluster"); the
    hover text keeps the clusters and the support paid; a region of one cluster links to it."""
    import datetime as dt
    import random
    from decimal import Decimal

    from django.utils import translation

    from klaster.programmes.views import _map
    from klaster.reference.models import Region
    from klaster.register.models import Cluster
    from klaster.web.maps import class_of

    def cluster(code, kato):
        c = Cluster.objects.create(code=code, name_kk=f"{code} kk", name_ru=f"{code} ru", name_en=f"{code} en", oked="24",
                                   status="included", included_on=dt.date(2020, 1, 1))
        c.regions.add(Region.objects.get(kato=kato))
        return c

    a, b = cluster("qa", "350000000"), cluster("qb", "190000000")
    data = {"clusters": [{"cluster": a, "support": {"cumulative_total": Decimal("100000.50")}},
                         {"cluster": b, "support": {"cumulative_total": Decimal("30000")}}]}
    with translation.override("ru"):
        m = _map(data)
    fig = m["figure"]
    got = classes_of(fig)
    assert len(got) == 20
    bounds = check_legend(fig, 4)
    assert got["350000000"][0] == 3 and got["190000000"][0] == 1  # int(4 · 30000 / 100000.5) = 1
    assert got["350000000"][3] == "/register/qa/"
    assert sum(1 for k, v in got.items() if v[0] is None) == 18  # grey: no cluster
    hover = {kato: text for t in fig["data"] for kato, text in zip(t["locations"], t["text"]) if kato != EMPTY}
    assert "qa ru" in hover["350000000"] and "100\xa0000,50" in hover["350000000"]
    top = 100000.5
    for v in [random.uniform(0, top) for _ in range(500)] + [0, top / 4, top / 2, top * 3 / 4, top]:
        assert class_of(v, bounds) == min(3, int(v / top * 4)), v
