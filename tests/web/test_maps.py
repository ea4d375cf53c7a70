"""Maps correct in every locale (issue 13): the SVG's numbers — viewBox, path coordinates, label
positions, legend breaks — are machine numbers in kk, ru and en (a decimal comma in ru/kk once
wrote ``viewBox="0 0 1000,0 543,3"``, cropping the map); the mapping run's legend names the
measure and its class breaks."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.analysis.conftest import media, users  # noqa: F401 — the analysis fixtures

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _numbers(text: str) -> list[str]:
    """The coordinates of a viewBox or path ``d`` (separated by spaces, commas or commands)."""
    return [t for t in re.split(r"[\s,MLZmlz]+", text) if t]


def _check_svg(svg: str, *, min_paths: int):
    (vb,) = re.findall(r'viewBox="([^"]*)"', svg.split(">", 1)[0] + ">")
    parts = vb.split(" ")
    assert len(parts) == 4 and all(NUMBER.match(p) for p in parts), vb
    w, h = float(parts[2]), float(parts[3])
    assert w == 1000 and 400 < h < 700, vb
    paths = re.findall(r'<path [^>]*\bd="([^"]*)"', svg)
    assert len(paths) >= min_paths
    for d in paths:
        nums = _numbers(d)
        assert nums and all(NUMBER.match(n) for n in nums), d[:80]
        xs, ys = [float(n) for n in nums[0::2]], [float(n) for n in nums[1::2]]
        assert len(xs) == len(ys) and 0 <= min(xs) and max(xs) <= w + 0.1 and 0 <= min(ys) and max(ys) <= h + 0.1
    labels = re.findall(r'<text [^>]*\bx="([^"]*)" y="([^"]*)"', svg)
    assert len(labels) >= min_paths
    for x, y in labels:
        assert NUMBER.match(x) and NUMBER.match(y), (x, y)
        assert 0 <= float(x) <= w and 0 <= float(y) <= h


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_regions_map_numbers_are_machine_numbers(lang):
    from django.core.cache import cache

    cache.clear()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    c = Client()
    c.cookies["django_language"] = lang
    html = c.get("/regions/").content.decode()
    assert f'<html lang="{lang}">' in html
    svg = html[html.index('<svg id="kz-map"'):html.index("</svg>", html.index('<svg id="kz-map"'))]
    _check_svg(svg, min_paths=20)


@pytest.mark.django_db
def test_mapping_run_map_in_every_locale_with_a_legend_of_class_breaks(media, users):  # noqa: F811
    from klaster.analysis.models import AnalysisRun

    c = Client()
    c.force_login(users["analyst"])
    c.cookies["django_language"] = "ru"
    r = c.post("/analysis/map/", {"source": "kz-bns-gva", "frame": "2022", "methodologies": ["cmp"], "year": "2024", "stability": "0"})
    run = AnalysisRun.objects.get()
    assert r.status_code == 302 and run.status == "done", run.error
    for lang in ("ru", "kk", "en"):
        c.cookies["django_language"] = lang
        for query in ("", "?sector=B&methodology=cmp"):  # flagged sectors per region; the LQ of one sector
            html = c.get(f"/analysis/runs/{run.pk}/{query}").content.decode()
            start = html.index('<figure class="map" id="choropleth">')
            figure = html[start:html.index("</figure>", start)]
            svg = figure[figure.index("<svg viewBox"):figure.index("</svg>") + 6]
            _check_svg(svg, min_paths=20)
            # the legend: five classes from 0 to the largest value, contiguous, machine numbers in data-*
            legend = re.findall(r'<li data-low="([^"]*)" data-high="([^"]*)">', figure)
            assert len(legend) == 5, (lang, query)
            assert all(NUMBER.match(lo) and NUMBER.match(hi) for lo, hi in legend), legend
            bounds = [(float(lo), float(hi)) for lo, hi in legend]
            assert bounds[0][0] == 0 and all(bounds[k][1] == pytest.approx(bounds[k + 1][0]) for k in range(4))
            assert "Darker: higher value" not in figure


def test_class_breaks_match_the_colouring_rule():
    """Every value falls in the class whose range the legend gives (the run's rule: nearest of five
    steps from 0 to the top)."""
    from klaster.web.maps import class_breaks

    top = 7.3
    breaks = class_breaks(top)
    for i in range(0, 731):
        v = i / 100
        k = min(4, int(4 * v / top + 0.5))
        lo, hi = breaks[k]
        assert lo <= v <= hi + 1e-9, (v, k, breaks[k])
    assert class_breaks(0) == []


@pytest.mark.django_db
def test_regions_map_shows_the_registered_clusters_by_region_with_links_and_legend():
    """The regions page colours each region by the clusters of the register on today that include
    it, names them in the hover title, links the region to its cluster, and follows the register
    (the cached page changes when a cluster is included)."""
    import datetime as dt

    from klaster.reference.models import Region
    from klaster.register.models import Cluster

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    c = Client()
    c.cookies["django_language"] = "ru"

    def groups(html):
        return {kato: (int(k), int(n), link) for k, n, link, kato in re.findall(
            r'<g class="cls-(\d)" data-clusters="(\d+)">(?:<a href="([^"]*)">)?<path class="region" d="[^"]*" data-kato="(\d+)">', html)}

    before = groups(c.get("/regions/").content.decode())
    assert len(before) == 20
    karaganda = Region.objects.get(kato="350000000")
    cl = Cluster.objects.create(code="mapcl", name_kk="Карта кластері", name_ru="Кластер карты", name_en="Map cluster", oked="24",
                                status="included", included_on=dt.date(2020, 1, 1))
    cl.regions.add(karaganda)
    html = c.get("/regions/").content.decode()
    after = groups(html)
    k, n, link = after["350000000"]
    assert n == before["350000000"][1] + 1 and link
    assert "Кластер карты" in html
    top = max(v[1] for v in after.values())
    legend = [(int(k), float(lo), float(hi)) for k, lo, hi in
              re.findall(r'<li class="cls-(\d)" data-low="([^"]*)" data-high="([^"]*)">', html)]
    assert legend[0][1] == 0 and legend[-1][2] == top and legend[-1][0] == 4
    for kato, (k, n, link) in after.items():
        assert [c for c, lo, hi in legend if lo <= n <= hi][:1] == [k], (kato, n, k, legend)
        assert bool(link) == (n > 0)
    if top < 5:  # one class per count, each its own colour
        assert [(lo, hi) for _c, lo, hi in legend] == [(n, n) for n in range(top + 1)]
        assert len({c for c, _lo, _hi in legend}) == top + 1


@pytest.mark.django_db
@pytest.mark.parametrize("lang,shown", [("kk", "08.06.2022"), ("ru", "08.06.2022"), ("en", "8 Jun 2022")])
def test_regions_page_dates_as_each_language_writes_them(lang, shown):
    """Not "Маусым 8, 2022" (English word order in Kazakh): the project's day_text."""
    from django.core.cache import cache

    cache.clear()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    c = Client()
    c.cookies["django_language"] = lang
    html = c.get("/regions/").content.decode()
    assert shown in html and "Маусым 8" not in html and "June 8" not in html
