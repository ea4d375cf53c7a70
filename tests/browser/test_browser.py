"""Browser test: Playwright drives Debian's Chromium against the live server.

Logs in, switches to Kazakh and sees the map of the regions. Needs ``/usr/bin/chromium``
(``apt-get install chromium``; CI installs it). Outside CI the test is skipped when Chromium is
absent; in CI (``CI=true``) a missing browser is a failure.
"""

import os

import pytest


pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_login_switch_to_kazakh_and_see_the_map(live_server, browser_page, settings):
    from klaster.accounts.roles import Role
    from klaster.reference.loaders import load_regions
    from tests.conftest import make_user

    load_regions()
    make_user("analyst1", Role.ANALYST)
    page = browser_page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "analyst1")
    page.fill("#id_password", "pw-analyst1-123456")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("span.who")
    assert page.inner_text("span.who") == "analyst1"
    page.click("button[data-lang=kk]")
    page.wait_for_selector("html[lang=kk]")
    page.goto(live_server.url + "/regions/")
    page.wait_for_selector("#kz-map .js-plotly-plot path.choroplethlocation")  # drawn by plotly.js from the figure's JSON
    page.wait_for_function("document.querySelectorAll('#kz-map path.choroplethlocation').length === 20")
    assert page.locator("#kz-map path.choroplethlocation").count() == 20
    assert page.get_by_role("heading", level=1).inner_text() == "Қазақстан өңірлері"
    assert "Қарағанды облысы" in page.locator("#kz-map").text_content()
    page.screenshot(path=os.environ.get("KLASTER_SCREENSHOT", "/tmp/klaster-regions-kk.png"), full_page=True)
