"""Browser test of the interface (issue 13): every page of the census (:mod:`tests.web.census`:
each role's pages, one URL per URL pattern, crawled from the site's links on the boundary walk's
world) in ru, kk and en passes axe-core with no serious or critical violation (WCAG 2.1 A/AA rules)
and has no horizontal page scroll on a 390 px screen; each role lands on ``/me/`` after log-in, and
its landing page is photographed.

Each URL pattern is checked once per language, as the first role of
``tests.security.test_boundaries.ROLES`` whose census reaches it, and every role's landing page
(the shell — navigation, header — differs per role); ``KLASTER_UI_ALL=1`` checks every pattern as
every role (about ten times longer). One browser context per role and language (logged in once
through the log-in form), one tab reused for every page: the page is loaded at 1280 px and checked by axe, then the viewport is narrowed to
390 px and ``document.documentElement.scrollWidth`` is measured (the same document, re-laid out;
the media queries apply as on a phone).

axe-core (``src/klaster/web/design/axe-core/axe.min.js``, vendored from the npm registry, not
served by the site) is injected with ``page.evaluate`` — the site's Content-Security-Policy stays
enforced and allows no foreign script tag. Screenshots and ``ui-problems.json`` (every problem
found, per page) go to ``tests/browser/artifacts/`` (CI artefacts, ignored by git;
``KLASTER_UI_ARTIFACTS`` moves them); ``docs/ui/screenshots/`` keeps the copies the guide shows.
``KLASTER_UI_PREFIX=/register/`` checks only the census pages under a prefix (the roles' landing
pages always). Needs ``/usr/bin/chromium`` (tests/browser/conftest.py).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.browser.conftest import artifacts_dir, browser  # noqa: F401 — the shared Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "src/klaster/web/design/axe-core/axe.min.js"
PREFIX = os.environ.get("KLASTER_UI_PREFIX", "")
ALL = os.environ.get("KLASTER_UI_ALL") == "1"
LANGS = ["ru", "kk", "en"]
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: The public pages photographed (anonymous), as ``name → path``.
SHOTS = {"home": "/", "register": "/register/", "regions": "/regions/", "accounts-login": "/accounts/login/"}


def _axe(page) -> list[dict]:
    """Serious and critical violations of axe-core's WCAG 2.1 A/AA rules on the loaded page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})", RULES)
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _login(page, base: str, username: str) -> None:
    from klaster.accounts.demo import DEMO_PASSWORD

    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("span.who")


def _check(page, url: str, lang: str) -> list[tuple[str, object]]:
    """``[(kind, detail)]``: the axe violations at 1280 px and the page width at 390 px."""
    out: list[tuple[str, object]] = []
    page.set_viewport_size(WIDE)
    resp = page.goto(url, wait_until="domcontentloaded")
    if resp is None or resp.status != 200:
        return [("status", resp.status if resp else None)]
    if (got := page.evaluate("document.documentElement.lang")) != lang:
        out.append(("lang", got))
    out += [("axe", v) for v in _axe(page)]
    page.set_viewport_size(PHONE)
    if (w := _scroll_width(page)) > PHONE["width"]:
        out.append(("scrollWidth", w))
    return out


@pytest.mark.django_db(transaction=True)
def test_every_page_is_accessible_and_fits_a_phone_in_three_languages(live_server, browser, settings, tmp_path):  # noqa: F811
    from klaster.reference.loaders import load_all
    from tests.security.test_boundaries import DEMO_USER, ROLES, extra_world, load_world
    from tests.web.census import census

    settings.MEDIA_ROOT = str(tmp_path)  # the mapping run's files
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    load_all()
    load_world()
    extra_world()
    out = artifacts_dir()
    problems: dict[str, list] = {}
    started = time.monotonic()
    plan, done = {}, set()
    for role in ROLES:
        pages = census(role)
        assert pages, role
        # each URL pattern once, as the first role that reaches it (every role's landing page:
        # the shell differs per role); KLASTER_UI_ALL=1 checks every pattern as every role
        plan[role] = [(pat, url) for pat, url in pages
                      if url == "/me/" or (url.startswith(PREFIX) and (ALL or pat not in done))]
        done |= {pat for pat, _ in pages}
    crawled, checked = time.monotonic() - started, 0
    for role, pages in plan.items():
        for lang in LANGS:
            ctx = browser.new_context(viewport=WIDE)
            ctx.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
            page = ctx.new_page()
            if role != "anonymous":
                _login(page, live_server.url, DEMO_USER[role])
                # log-in lands on the role's own page
                assert page.url == live_server.url + "/me/", (role, page.url)
            for pat, url in pages:
                checked += 1
                if found := _check(page, live_server.url + url, lang):
                    problems.setdefault(f"{url} [{pat}]", []).append({"role": role, "lang": lang, "problems": found})
                if url == "/me/":
                    page.set_viewport_size(WIDE)
                    page.screenshot(path=str(out / f"me-{role}-{lang}.png"), full_page=True)
                    if lang == "ru":
                        page.set_viewport_size(PHONE)
                        page.screenshot(path=str(out / f"me-{role}-{lang}-390.png"), full_page=True)
            if role == "anonymous":
                page.set_viewport_size(WIDE)
                for name, path in SHOTS.items():
                    page.goto(live_server.url + path, wait_until="domcontentloaded")
                    page.screenshot(path=str(out / f"{name}-{lang}.png"), full_page=True)
            ctx.close()
    elapsed = time.monotonic() - started
    (out / "ui-problems.json").write_text(json.dumps(problems, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\n{len(done)} URL patterns; {checked} page loads (census pages × languages) in {elapsed:.0f} s "
          f"(census {crawled:.0f} s); {len(problems)} pages with problems")
    assert checked > 3 * len(ROLES), checked
    assert not problems, "\n".join(f"{k}: {v}" for k, v in sorted(problems.items()))


def test_the_axe_check_reports_a_violation(browser):  # noqa: F811
    """The check itself: a page with an image without a text alternative is a critical violation."""
    page = browser.new_page()
    page.set_content('<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main><img src="data:,"></main></body></html>')
    assert [v["id"] for v in _axe(page)] == ["image-alt"]


def test_the_width_check_reports_a_page_wider_than_a_phone(browser):  # noqa: F811
    """The check itself: narrowed in place to 390 px, a page with a 600 px block scrolls sideways;
    the shared CSS keeps a wide table inside its own scrolling box."""
    css = (ROOT / "src/klaster/web/static/klaster/klaster.css").read_text(encoding="utf-8")
    page = browser.new_page(viewport=WIDE)
    body = '<main><table><tr><td>{}</td></tr></table><fieldset><input size="80"></fieldset>{}</main>'
    for wide, expected in (('<div style="width:600px">x</div>', 600), ("", PHONE["width"])):
        page.set_content(f'<!DOCTYPE html><html lang="en"><head><title>t</title><style>{css}</style></head><body>'
                         + body.format("x" * 20 + " " + "y" * 120, wide) + "</body></html>")
        page.set_viewport_size(PHONE)
        assert _scroll_width(page) == expected
        page.set_viewport_size(WIDE)
