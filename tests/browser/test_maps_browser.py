"""The maps in Chromium (issue 13): plotly.js draws the regions map and the mapping run's map from
the figure JSON and ``/regions/boundaries.json`` in Russian, without a request to another site (no
CDN; the world base map is not fetched), and a click on a region follows its link. Screenshots of
both maps go to the browser artefacts (``tests/browser/artifacts/maps/``); with
``KLASTER_DOCS_SCREENSHOTS=1`` they also replace docs/ui/screenshots/regions-ru.png and run-map-ru.png."""

import os
from pathlib import Path

import pytest

from tests.browser.conftest import artifacts_dir

pytestmark = [pytest.mark.browser]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "ui" / "screenshots"


def _region_centre(page, map_id: str, kato: str):
    """The centre (page pixels) of the drawn region ``kato`` (plotly binds each path's datum)."""
    box = page.evaluate("""([id, kato]) => {
        const p = [...document.querySelectorAll('#' + id + ' path.choroplethlocation')].find(e => e.__data__ && e.__data__.loc === kato);
        if (!p) { return null; }
        const r = p.getBoundingClientRect();
        return {x: r.x + r.width / 2, y: r.y + r.height / 2};
    }""", [map_id, kato])
    assert box, kato
    return box["x"], box["y"]


def _shot(page, selector, name):
    path = artifacts_dir("maps") / name
    page.locator(selector).screenshot(path=str(path))
    if os.environ.get("KLASTER_DOCS_SCREENSHOTS"):
        page.locator(selector).screenshot(path=str(DOCS / name))


@pytest.mark.django_db(transaction=True)
def test_maps_are_drawn_offline_in_russian_and_a_region_opens_its_cluster(live_server, browser, settings):
    import datetime as dt

    from django.test import Client

    from klaster.accounts.roles import Role
    from klaster.analysis.models import AnalysisRun
    from klaster.reference.loaders import load_regions
    from klaster.reference.models import Region
    from klaster.register.models import Cluster
    from tests.conftest import make_user

    load_regions()
    for code, katos in (("kargmk", ["350000000"]), ("pvlmet", ["550000000", "350000000"]), ("astit", ["710000000"])):
        cl = Cluster.objects.create(code=code, name_kk=f"{code} кластері", name_ru=f"Кластер {code}", name_en=f"{code} cluster",
                                    oked="24", status="included", included_on=dt.date(2020, 1, 1))
        cl.regions.add(*Region.objects.filter(kato__in=katos))
    analyst = make_user("analyst1", Role.ANALYST)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    c = Client()
    c.force_login(analyst)
    c.post("/analysis/map/", {"source": "kz-bns-gva", "frame": "2022", "methodologies": ["cmp"], "year": "2024", "stability": "0"})
    run = AnalysisRun.objects.get()
    assert run.status == "done", run.error

    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="ru-RU")
    context.add_cookies([{"name": "django_language", "value": "ru", "url": live_server.url},
                         {"name": "sessionid", "value": c.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    foreign, errors, seen = [], [], []
    page.on("request", lambda r: seen.append(r.url) if r.url.startswith(live_server.url) or r.url.startswith("data:") else foreign.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(live_server.url + "/regions/")
    page.locator("#kz-map path.choroplethlocation").nth(19).wait_for(state="attached")  # (no wait_for_function: the CSP forbids eval)
    assert "Кластеры" in page.locator("#kz-map .legend").text_content() or page.locator("#kz-map .legend").count() == 1
    assert sum(1 for u in seen if u.endswith("/regions/boundaries.json")) == 1  # fetched once, not inline
    _shot(page, "#kz-map", "regions-ru.png")
    x, y = _region_centre(page, "kz-map", "710000000")  # Astana: one cluster → its page
    page.mouse.click(x, y)
    page.wait_for_url("**/register/astit/")

    page.goto(live_server.url + f"/analysis/runs/{run.pk}/")
    page.locator("#choropleth path.choroplethlocation").nth(19).wait_for(state="attached")
    legend = page.locator("#choropleth .legend").text_content()
    assert "Отрасли с признаком, число отраслей" in legend
    _shot(page, "#choropleth", "run-map-ru.png")
    x, y = _region_centre(page, "choropleth", "350000000")  # a click filters the flags by the region
    page.mouse.click(x, y)
    page.wait_for_url("**region=350000000**")
    assert not foreign, foreign
    assert not errors, errors
    context.close()
