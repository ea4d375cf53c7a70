"""Keyboard use (issue 13): a form and the tabs component worked with the keyboard alone.

1. **The log-in form**: from the top of the page, Tab moves through the skip link, the header and
   the navigation to the user name field, the password field and the submit button; every element
   that takes the focus shows it (its outline, shadow, background, colour or underline differ from
   the same element without focus); the account is typed in and Enter on the submit button logs in
   (the user lands on ``/me/``).
2. **The tabs** of the organizer's competition page (GOV.UK tabs): Tab reaches the selected tab,
   whose focus is visible; the arrow keys move to the next tab, which selects it and shows its
   panel (the others hidden). When the page has no tabs yet, the organizer's form of a new
   competition is tabbed through to its submit button instead.

Needs ``/usr/bin/chromium`` (tests/browser/conftest.py).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser  # noqa: F401 — the shared Chromium fixture

pytestmark = [pytest.mark.browser]

#: How an element shows the focus: the computed properties compared with and without it.
SIGNATURE = """e => { const s = getComputedStyle(e);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.color,
          s.textDecorationLine, s.textDecorationThickness].join('|'); }"""
#: The focused element: a description, and its focus signature; marks it for the unfocused check.
FOCUSED = """i => { const e = document.activeElement; if (!e || e === document.body) return null;
  e.setAttribute('data-kbd', String(i)); const s = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), id: e.id, cls: String(e.className || ''), main: !!e.closest('main'), type: e.getAttribute('type') || '', text: (e.innerText || e.value || '').trim().slice(0, 40),
          sig: [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.color,
                s.textDecorationLine, s.textDecorationThickness].join('|')}; }"""


def _tab_until(page, done, limit: int = 60, start: int = 0) -> list[dict]:
    """Press Tab until ``done(focused)``; the focused elements in order (the last one satisfies it),
    marked ``data-kbd=start, start+1, …``."""
    seen: list[dict] = []
    for i in range(limit):
        page.keyboard.press("Tab")
        f = page.evaluate(FOCUSED, start + len(seen))
        assert f is not None, f"Tab {i + 1} left the focus on the page body after {seen[-1:]}"
        seen.append(f)
        if done(f):
            return seen
    raise AssertionError(f"not reached in {limit} Tab presses: {[s['id'] or s['text'] for s in seen]}")


def _invisible_focus(page, seen: list[dict]) -> list[dict]:
    """The elements of ``seen`` whose look does not change with the focus."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    out = []
    for i, f in enumerate(seen):
        el = page.locator(f"[data-kbd='{i}']")
        if el.count() and el.first.evaluate(SIGNATURE) == f["sig"]:
            out.append(f)
    return out


@pytest.mark.django_db(transaction=True)
def test_log_in_form_and_competition_tabs_with_the_keyboard(live_server, browser, settings, tmp_path):  # noqa: F811
    from django.urls import reverse

    from klaster.accounts.demo import DEMO_PASSWORD
    from klaster.competition.models import Competition
    from klaster.reference.loaders import load_all
    from tests.security.test_boundaries import load_world

    settings.MEDIA_ROOT = str(tmp_path)
    load_all()
    load_world()
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.add_cookies([{"name": "django_language", "value": "ru", "url": live_server.url}])
    page = ctx.new_page()

    # 1. the log-in form, by keyboard alone
    page.goto(live_server.url + "/accounts/login/")
    seen = _tab_until(page, lambda f: f["id"] == "id_username")
    assert seen[0]["text"] and page.locator("[data-kbd='0']").get_attribute("href") == "#main-content", seen[0]  # the skip link first
    page.keyboard.type("organizer")
    seen += _tab_until(page, lambda f: f["id"] == "id_password", limit=3, start=len(seen))
    page.keyboard.type(DEMO_PASSWORD)
    seen += _tab_until(page, lambda f: f["tag"] == "button" and f["type"] == "submit", limit=5, start=len(seen))
    assert not (hidden := _invisible_focus(page, seen)), f"focus not visible on {hidden}"
    page.locator(f"[data-kbd='{len(seen) - 1}']").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("span.who")
    assert page.url == live_server.url + "/me/"

    # 2. the tabs of the organizer's competition page
    comp = Competition.objects.order_by("pk").first()
    page.goto(live_server.url + reverse("competition:organizer_competition", args=[comp.pk]))
    if page.locator(".govuk-tabs__list").count() and page.locator(".govuk-tabs__list .govuk-tabs__tab").count() > 1:
        page.wait_for_selector(".govuk-frontend-supported .govuk-tabs__tab[role=tab]")
        tabs = page.locator(".govuk-tabs__tab")
        seen = _tab_until(page, lambda f: "govuk-tabs__tab" in f["cls"], limit=120)
        first = page.locator(f"[data-kbd='{len(seen) - 1}']")
        assert first.get_attribute("aria-selected") == "true"
        page.keyboard.press("ArrowRight")
        now = page.evaluate("() => document.activeElement.getAttribute('href')")
        assert now == tabs.nth(1).get_attribute("href"), now
        assert tabs.nth(1).get_attribute("aria-selected") == "true"
        assert page.locator(now).is_visible()
        assert not page.locator(first.get_attribute("href")).is_visible()
        f = page.evaluate(FOCUSED, len(seen))
        seen.append(f)
        print(f"\nkeyboard: competition tabs, {len(seen)} focus stops checked")
        assert not (hidden := _invisible_focus(page, seen)), f"focus not visible on {hidden}"
    else:  # no tabs yet: the organizer's form of a new competition
        page.goto(live_server.url + reverse("competition:organizer_announce"))
        seen = _tab_until(page, lambda f: f["tag"] == "button" and f["type"] == "submit" and f["main"], limit=120)
        print(f"\nkeyboard: no tabs on the competition page; announcement form, {len(seen)} focus stops checked")
        assert not (hidden := _invisible_focus(page, seen)), f"focus not visible on {hidden}"
    ctx.close()


def test_the_focus_check_finds_an_invisible_focus(browser):  # noqa: F811
    """The check itself: a link whose focus style is removed is reported, one with an outline is not."""
    page = browser.new_page()
    page.set_content('<!DOCTYPE html><html lang="en"><head><title>t</title><style>a:focus { outline:none }'
                     ' a.shown:focus { outline:3px solid #fd0 }</style></head><body>'
                     '<a href="#a" id="hidden">a</a> <a href="#b" id="shown" class="shown">b</a></body></html>')
    seen = _tab_until(page, lambda f: f["id"] == "shown", limit=4)
    assert [f["id"] for f in seen] == ["hidden", "shown"]
    assert [f["id"] for f in _invisible_focus(page, seen)] == ["hidden"]
