"""Browser test of the interface (issue 13): axe-core on the main pages in ru, kk and en with no
serious or critical violation (WCAG 2.1 A/AA rules), no horizontal page scroll at 390 px, and a
screenshot of each role's landing page.

axe-core (``src/klaster/web/design/axe-core/axe.min.js``, vendored from the npm registry, not
served by the site) is injected with ``page.evaluate`` — the site's Content-Security-Policy stays
enforced and allows no foreign script tag. Screenshots go to ``tests/browser/artifacts/`` (CI
artefacts, ignored by git; ``KLASTER_UI_ARTIFACTS`` moves them); ``docs/ui/screenshots/`` keeps the
copies the guide shows. Needs ``/usr/bin/chromium`` (tests/browser/conftest.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import browser  # noqa: F401 — the shared Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "src/klaster/web/design/axe-core/axe.min.js"
ARTIFACTS = Path(os.environ.get("KLASTER_UI_ARTIFACTS", ROOT / "tests/browser/artifacts"))
PUBLIC = ["/", "/register/", "/regions/", "/accounts/login/"]
LANGS = ["ru", "kk", "en"]
#: role → demo account (klaster.accounts.demo); the password is the demo one.
ACCOUNTS = {"organizer": "organizer", "analyst": "analyst", "expert": "expert", "akimat": "akimat",
            "authorized_body": "authorized", "regional_body": "regional", "commission_secretary": "secretary",
            "applicant": "applicant", "administrator": "admin"}
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe(page) -> list[dict]:
    """Serious and critical violations of axe-core's WCAG 2.1 A/AA rules on the loaded page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})", RULES)
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ignore = ARTIFACTS / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    return ARTIFACTS


def _login(context, base: str, username: str):
    from klaster.accounts.demo import DEMO_PASSWORD

    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("span.who")
    return page


def _check(page, url: str, lang: str, problems: list, *, narrow) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang") == lang, url
    if v := _axe(page):
        problems.append((url, lang, "axe", v))
    narrow.goto(url)
    narrow.wait_for_load_state("load")
    if (w := _scroll_width(narrow)) > 390:
        problems.append((url, lang, "scrollWidth", w))


@pytest.mark.django_db(transaction=True)
def test_pages_are_accessible_fit_a_phone_and_each_role_lands_on_its_page(live_server, browser):  # noqa: F811
    from klaster.reference.loaders import load_all
    from tests.security.test_boundaries import load_world

    load_all()
    load_world()
    out = _artifacts()
    problems: list = []
    for lang in LANGS:
        cookie = [{"name": "django_language", "value": lang, "url": live_server.url}]
        wide = browser.new_context(viewport={"width": 1280, "height": 900})
        phone = browser.new_context(viewport={"width": 390, "height": 844})
        for ctx in (wide, phone):
            ctx.add_cookies(cookie)
        page, narrow = wide.new_page(), phone.new_page()
        for path in PUBLIC:
            _check(page, live_server.url + path, lang, problems, narrow=narrow)
            name = path.strip("/").replace("/", "-") or "home"
            page.screenshot(path=str(out / f"{name}-{lang}.png"), full_page=True)
        wide.close()
        phone.close()

    for role, username in ACCOUNTS.items():
        for lang in LANGS:
            wide = browser.new_context(viewport={"width": 1280, "height": 900})
            phone = browser.new_context(viewport={"width": 390, "height": 844})
            for ctx in (wide, phone):
                ctx.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
            page = _login(wide, live_server.url, username)
            narrow = _login(phone, live_server.url, username)
            # log-in lands on the role's own page
            assert page.url == live_server.url + "/me/", (role, page.url)
            _check(page, live_server.url + "/me/", lang, problems, narrow=narrow)
            page.screenshot(path=str(out / f"me-{role}-{lang}.png"), full_page=True)
            if lang == "ru":
                narrow.screenshot(path=str(out / f"me-{role}-{lang}-390.png"), full_page=True)
            wide.close()
            phone.close()
    assert not problems, problems


def test_the_axe_check_reports_a_violation(browser):  # noqa: F811
    """The check itself: a page with an image without a text alternative is a critical violation."""
    page = browser.new_page()
    page.set_content('<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main><img src="data:,"></main></body></html>')
    assert [v["id"] for v in _axe(page)] == ["image-alt"]
