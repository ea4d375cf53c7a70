"""Browser test: the pages work under the Content-Security-Policy (Chromium enforces it).

The programme page draws its plotly charts from the JSON in data-plotly (no inline script) with
plotly's own styles applied; the mapping form shows its "running" note from klaster.js; no page
raises a CSP violation except the one known below. Needs ``/usr/bin/chromium`` (see
tests/browser/conftest.py).
"""

import pytest

from tests.browser.conftest import browser  # noqa: F401 — the shared Chromium fixture

pytestmark = [pytest.mark.browser]

WATCH = """document.addEventListener('securitypolicyviolation',
  e => (window.__csp = window.__csp || []).push([e.violatedDirective, e.sourceFile]));"""


def _page(browser, base, username):  # noqa: F811
    page = browser.new_page()
    page.add_init_script(WATCH)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}-123456")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("span.who")
    return page, errors


def _violations(page):
    return page.evaluate("window.__csp || []")


@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_policy(live_server, browser):  # noqa: F811
    from decimal import Decimal

    from klaster.accounts.roles import Role
    from klaster.programmes import domain
    from klaster.register.models import Cluster
    from tests.conftest import make_user

    from klaster.reference.models import Region

    if not Region.objects.exists():  # a transactional test before this one flushed the reference data (the map needs the regions)
        from klaster.reference.loaders import load_all

        load_all()
    c = Cluster.objects.create(code="cspb", name_kk="Ж", name_ru="Кластер", name_en="Cluster", oked="31", status="included")
    prog = domain.create_programme(actor=None, cluster=c, title_ru="ЦКП", start_year=2021, end_year=2025)
    domain.add_obligation(actor=None, programme=prog, indicator_ru="Производство", unit="mln tenge", base_year=2020,
                          base_value=Decimal("1"), targets={(2022, 1): Decimal("2"), (2022, 2): Decimal("3")})
    make_user("csp_analyst", Role.ANALYST)
    page, errors = _page(browser, live_server.url, "csp_analyst")

    for path in ("/", "/regions/", "/oked/", "/register/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        if path == "/regions/":  # the map is drawn by plotly.js: only its known maplibre stylesheet (below) is refused
            page.wait_for_selector("#kz-map path.choroplethlocation")
            assert all(d == "style-src-elem" and "/static/klaster/vendor/plotly.min" in f for d, f in _violations(page)), _violations(page)
            assert len(_violations(page)) <= 1
            continue
        assert _violations(page) == [], path

    # The programme page: the chart is drawn by klaster.js from data-plotly, and plotly's style
    # rules reach the page through its empty <style> element (the modebar is positioned by them).
    page.goto(live_server.url + "/programmes/cspb/")
    page.wait_for_selector(".chart .main-svg")
    assert page.locator(".chart.js-plotly-plot").count() == 1
    assert page.locator(".chart .trace.bars").count() == 2 and page.locator(".chart .legend .traces").count() == 2  # target, actual
    assert page.evaluate("getComputedStyle(document.querySelector('.modebar')).position") == "absolute"
    # plotly.js also injects maplibre's stylesheet (map traces, unused here) as inline text: blocked,
    # and the only violation.
    assert all(d == "style-src-elem" and "/static/klaster/vendor/plotly.min" in f for d, f in _violations(page)), _violations(page)
    assert len(_violations(page)) <= 1

    # The mapping form: on submit the button is disabled and the note shown (data-busy). The test
    # stops the submission itself after klaster.js has seen it (its listener was added first).
    page.goto(live_server.url + "/analysis/map/")
    assert page.is_hidden("#running") and page.is_enabled("#run-button")
    page.evaluate("document.getElementById('map-form').addEventListener('submit', e => e.preventDefault())")
    page.click("#run-button")
    assert page.is_visible("#running") and page.is_disabled("#run-button")
    assert _violations(page) == []
    assert errors == []
