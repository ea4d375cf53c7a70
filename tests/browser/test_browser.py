"""Browser journey, in Russian, Kazakh and English: the public register and the map.

Playwright drives Debian's Chromium against the live server. The analyst logs in (the site opens in
another language), switches the language with the header's button, opens the register of
territorial clusters, one cluster, and the map of the regions; each page's heading is the
catalogue's translation of its English msgid (in kk and ru never the English), the map is drawn and
its regions are named in the language. A screenshot of every step is written to
``tests/browser/artifacts/register-map/<lang>-<step>.png`` (CI artefacts; README, "Documentation").

Needs ``/usr/bin/chromium`` (``apt-get install chromium``; CI installs it). Outside CI the test is
skipped when Chromium is absent; in CI (``CI=true``) a missing browser is a failure.
"""

import io

import pytest

from tests.browser.conftest import browser, shot, translated  # noqa: F401 — the shared Chromium fixture

pytestmark = [pytest.mark.browser]

JOURNEY = "register-map"


def _h1(page) -> str:
    return " ".join(page.get_by_role("heading", level=1).first.inner_text().split())


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
@pytest.mark.django_db(transaction=True)
def test_register_and_map_in_each_language(live_server, browser, settings, lang):  # noqa: F811
    from rich.console import Console

    from klaster.accounts import demo as accounts_demo
    from klaster.accounts.roles import Role
    from klaster.reference.loaders import load_all
    from klaster.reference.models import Region
    from klaster.register import demo as register_demo
    from klaster.register.models import Cluster
    from tests.conftest import make_user

    load_all()  # the register demo checks its OKED and KATO codes
    console = Console(file=io.StringIO())
    accounts_demo.load_demo(console)
    register_demo.load_demo(console)
    make_user("analyst1", Role.ANALYST)
    start = "en" if lang != "en" else "ru"  # the site opens in another language, the user switches
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.add_cookies([{"name": "django_language", "value": start, "url": live_server.url}])
    page = ctx.new_page()
    page.goto(live_server.url + "/accounts/login/")
    assert page.evaluate("document.documentElement.lang") == start
    page.fill("#id_username", "analyst1")
    page.fill("#id_password", "pw-analyst1-123456")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("span.who")
    assert page.inner_text("span.who") == "analyst1"
    page.click(f"button[data-lang={lang}]")
    page.wait_for_selector(f"html[lang={lang}]")
    shot(page, JOURNEY, lang, "1-landing")

    # the register
    page.goto(live_server.url + "/register/")
    assert _h1(page) == translated(lang, "Register of territorial clusters")
    headers = page.locator("main table thead th").all_inner_texts()
    assert translated(lang, "Cluster") in headers and translated(lang, "Members") in headers, headers
    shot(page, JOURNEY, lang, "2-register")
    first = page.locator("main table tbody tr td a").first
    name = first.inner_text().strip()
    first.click()
    page.wait_for_load_state("domcontentloaded")
    cluster = Cluster.objects.get(code=page.url.split("/register/")[1].split("/")[0])
    assert name == cluster.localized_name(lang) and _h1(page).startswith(name), (name, _h1(page))
    shot(page, JOURNEY, lang, "3-cluster")

    # the map of the regions
    page.goto(live_server.url + "/regions/")
    assert _h1(page) == translated(lang, "Regions of Kazakhstan")
    page.wait_for_selector(".klaster-map__canvas path.choroplethlocation")  # drawn by plotly.js, boundaries fetched
    karaganda = Region.objects.filter(kato__startswith="35").order_by("kato").first()  # Karaganda region
    assert karaganda.localized_name(lang) in page.locator("main").inner_text()
    shot(page, JOURNEY, lang, "4-regions")
    ctx.close()
