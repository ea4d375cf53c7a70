"""The census of the site's pages: every HTML page each role can open, one URL per URL pattern.

Built by crawling the site's own links from every parameter-free URL pattern (the boundary walk's
crawl, :mod:`tests.security.test_boundaries`, without its malformed values) on the demo world of
every module. Used by the interface checks of issue 13 — untranslated strings on every page in kk
and ru (``tests/web/test_ui_i18n.py``), axe-core and the 390 px width on every page in kk, ru and en
(``tests/browser/test_ui_pages.py``) — so that "every page" means the pages the site links, not a
hand-kept list.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.security.test_boundaries import (ALL_PATTERNS, APPLYING, ROLES, _html, client_for,
                                            parse_page, pattern_of)

#: Pages that are not interface pages of their own (the Django admin's pages are Django's).
EXCLUDED = ("admin:index",)


def census(role: str, client=None) -> list[tuple[str, str]]:
    """``[(view name, url)]``: the first URL reached of every URL pattern that answers ``role``
    with an HTML page (status 200), in crawl order.

    ``client`` defaults to a test client logged in as the role's demo account.
    """
    client = client or client_for(role)
    queue = ["/", f"/register/{APPLYING}/"] + sorted({p for name, p in ALL_PATTERNS.items() if "<" not in p and name not in EXCLUDED})
    seen_urls: set[str] = set()
    seen_patterns: set[str] = set()
    pages: list[tuple[str, str]] = []
    while queue:
        url = queue.pop(0)
        if url in seen_urls:
            continue
        seen_urls.add(url)
        pat = pattern_of(urlsplit(url).path)
        if pat is None or pat in seen_patterns or pat in EXCLUDED:
            continue
        resp = client.get(url)
        html = _html(resp) if resp.status_code == 200 else ""
        if not html:
            continue
        seen_patterns.add(pat)
        pages.append((pat, url))
        links, _ = parse_page(html, url)
        queue.extend(u for u in links if u not in seen_urls)
    return pages


__all__ = ["census", "ROLES"]
