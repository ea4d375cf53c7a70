"""No English in kk/ru pages (issue 13): every page of the census (:mod:`tests.web.census`: each
role's pages, one URL per URL pattern, crawled from the site's links on the demo world), rendered in
Kazakh and Russian, shows no interface string of any catalogue untranslated.

Every msgid of every catalogue (``src/klaster/**/locale/<lang>/LC_MESSAGES/django.po``) is an
English interface string; a text node (or a title, aria-label, placeholder or value the user sees)
of a kk/ru page that equals one of them is an untranslated string — unless that language's
catalogue deliberately translates it to itself (codes such as "CSV" or "KATO").

The world is the boundary walk's (every module's demo data, a mapping run, a cluster applying for
inclusion); its stored files go to a temporary MEDIA_ROOT of the class.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from lxml import html as lxml_html

import klaster
from tests.security.test_boundaries import WorldTestCase

pytestmark = [pytest.mark.slow]

ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


def catalogue(lang: str) -> tuple[set[str], set[str]]:
    """``(msgids, msgids translated to themselves)`` of every catalogue of ``lang``."""
    ids, same = set(), set()
    for po_path in Path(klaster.__file__).parent.glob(f"**/locale/{lang}/LC_MESSAGES/django.po"):
        for e in polib.pofile(str(po_path)):
            if e.obsolete:
                continue
            ids.add(e.msgid)
            if e.msgstr.strip() == e.msgid.strip():
                same.add(e.msgid)
    return ids, same


def interface_strings(lang: str) -> set[str]:
    """The English msgids that must never show in a ``lang`` page: with a letter, not a format
    pattern, not translated to themselves."""
    ids, same = catalogue(lang)
    return {m.strip() for m in ids - same
            if re.search(r"[A-Za-z]{2}", m) and "%(" not in m and "{" not in m and "\n" not in m and len(m.strip()) > 2}


def shown_texts(page: str) -> set[str]:
    """Text nodes and user-visible attributes of the page's body (scripts, styles and the user name excepted)."""
    doc = lxml_html.fromstring(page)
    # scripts and styles; the user's name in the header (data, not interface: the demo expert is "expert")
    for bad in doc.xpath("//script|//style|//noscript|//*[contains(concat(' ', @class, ' '), ' who ')]"):
        bad.drop_tree()
    out = {t.strip() for t in doc.xpath("//body//text()") if t.strip()}
    for attr in ATTRIBUTES:
        out |= {v.strip() for v in doc.xpath(f"//body//@{attr}") if v.strip()}
    out |= {v.strip() for v in doc.xpath("//body//input[@type='submit' or @type='button']/@value") if v.strip()}
    out.add(" ".join(doc.xpath("string(//title)").split()).split(" · ")[0])
    return out


def untranslated(page: str, lang: str, english: set[str]) -> list[str]:
    return sorted(t for t in shown_texts(page) if t in english)


class InterfaceTranslated(WorldTestCase):
    """Every census page of every role (tests.security.test_boundaries.ROLES) in kk and ru."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._pages: dict[str, list[tuple[str, str]]] = {}

    def _census(self, role: str) -> list[tuple[str, str]]:
        """The role's census, crawled once for both languages."""
        from tests.web.census import census

        if role not in self._pages:
            self._pages[role] = census(role)
        return self._pages[role]

    def _check(self, lang: str):
        from tests.security.test_boundaries import client_for
        from tests.web.census import ROLES

        english = interface_strings(lang)
        found: dict[str, list[str]] = {}
        checked = 0
        for role in ROLES:
            pages = self._census(role)
            assert pages, role
            c = client_for(role)
            c.cookies["django_language"] = lang
            for pat, url in pages:
                r = c.get(url)
                assert r.status_code == 200, (role, url, r.status_code)
                checked += 1
                if bad := untranslated(r.content.decode(), lang, english):
                    found[f"{url} ({pat}, {role})"] = bad
        assert checked > 100, checked  # the census reached the site, not a handful of pages
        assert not found, f"{len(found)} of {checked} pages show English in {lang}:\n" + "\n".join(
            f"{k}: {v}" for k, v in sorted(found.items()))

    def test_kazakh_pages_show_no_english_interface_string(self):
        self._check("kk")

    def test_russian_pages_show_no_english_interface_string(self):
        self._check("ru")

    def test_the_check_finds_an_untranslated_string(self):
        """The check itself: an English msgid in a Russian page is reported."""
        english = interface_strings("ru")
        assert "Log in" in english
        assert untranslated("<html><body><p>Log in</p><p>Войти</p></body></html>", "ru", english) == ["Log in"]
