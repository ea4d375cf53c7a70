"""Browser test: Playwright drives Debian's Chromium against the live server.

Logs in, switches to Kazakh and sees the map of the regions. Needs ``/usr/bin/chromium``
(``apt-get install chromium``; CI installs it). Outside CI the test is skipped when Chromium is
absent; in CI (``CI=true``) a missing browser is a failure.
"""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [pytest.mark.browser]


@pytest.fixture
def browser_page():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        page = browser.new_page()
        yield page
        browser.close()


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
    page.wait_for_selector("#kz-map")
    assert page.locator("#kz-map path.region").count() == 20
    assert page.get_by_role("heading", level=1).inner_text() == "Қазақстан өңірлері"
    assert "Қарағанды облысы" in page.locator("#kz-map").text_content()
    page.screenshot(path=os.environ.get("KLASTER_SCREENSHOT", "/tmp/klaster-regions-kk.png"), full_page=True)
