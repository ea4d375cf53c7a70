"""Whole public pages kept for anonymous visitors (``klaster.web.cache.AnonymousPageMiddleware``).

- **True by construction**: every page in ``ANONYMOUS_PAGES`` is opened (the URL the anonymous
  census reaches, :mod:`tests.web.census`) with the cache off while every SQL statement is
  recorded; each table it reads must belong to one of the page's areas — a page reading a table
  outside them could be served stale, and this test fails.
- A kept page is replayed with this request's CSP nonce (the header's and every script's agree)
  and fresh CSRF tokens that work (a POST of the language form is accepted with CSRF checks on);
- a change of data is seen on the next request; a logged-in user, another language, a waiting
  message are never answered from the anonymous page.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, TestCase

from klaster.web import cache as page_cache

pytestmark = [pytest.mark.slow]

TABLE = re.compile(r'(?:FROM|JOIN|INTO|UPDATE)\s+"([A-Za-z0-9_]+)"', re.IGNORECASE)
#: Tables any request may touch that no page shows: the data versions themselves, sessions.
INFRA = {"web_dataversion", "django_session"}


def _nonces(html: str) -> set[str]:
    return set(re.findall(r'nonce="([^"]+)"', html))


class AnonymousPages(TestCase):
    @classmethod
    def setUpTestData(cls):
        from tests.security.test_boundaries import load_world

        load_world()

    def setUp(self):
        from django.conf import settings

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        cache.clear()

    def _urls(self) -> dict[str, str]:
        from tests.web.census import census

        return {name: url for name, url in census("anonymous", Client()) if name in page_cache.ANONYMOUS_PAGES}

    def test_every_kept_page_reads_only_the_tables_of_its_areas(self):
        urls = self._urls()
        assert set(urls) == set(page_cache.ANONYMOUS_PAGES), f"not reached by an anonymous visitor: {set(page_cache.ANONYMOUS_PAGES) - set(urls)}"
        tables = page_cache.area_tables()
        problems = {}
        with self.settings(PAGE_CACHE=False):
            for name, url in urls.items():
                seen: set[str] = set()

                def record(execute, sql, params, many, context, seen=seen):
                    seen.update(TABLE.findall(sql))
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(record):
                    r = Client().get(url)
                assert r.status_code == 200, url
                allowed = INFRA.union(*(tables[a] for a in page_cache.ANONYMOUS_PAGES[name]))
                if outside := seen - allowed:
                    problems[name] = sorted(outside)
        assert not problems, f"pages reading tables outside their areas (would be served stale): {problems}"

    def test_the_check_sees_a_table_outside_the_areas(self):
        """The recorder itself: the register page reads register_cluster, outside the reference area."""
        seen: set[str] = set()

        def record(execute, sql, params, many, context):
            seen.update(TABLE.findall(sql))
            return execute(sql, params, many, context)

        with self.settings(PAGE_CACHE=False), connection.execute_wrapper(record):
            Client().get("/register/")
        assert "register_cluster" in seen and "register_cluster" not in page_cache.area_tables()["reference"]

    def test_a_kept_page_carries_this_requests_nonce_and_working_csrf_tokens(self):
        c = Client(enforce_csrf_checks=True)
        first = c.get("/competition/")
        second = c.get("/competition/")
        assert first["X-Klaster-Page"] == "miss" and second["X-Klaster-Page"] == "hit"
        html1, html2 = first.content.decode(), second.content.decode()
        (n1,), (n2,) = _nonces(html1), _nonces(html2)
        assert n1 != n2
        assert f"'nonce-{n2}'" in second["Content-Security-Policy"]
        strip = re.compile(r'(nonce|value)="[^"]*"')
        assert strip.sub("", html1) == strip.sub("", html2)
        fresh = Client(enforce_csrf_checks=True)
        r = fresh.get("/competition/")
        assert r["X-Klaster-Page"] == "hit"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode()).group(1)
        assert "csrftoken" in r.cookies, "the replayed page must give this visitor their CSRF cookie"
        post = fresh.post("/i18n/setlang/", {"csrfmiddlewaretoken": token, "language": "kk", "next": "/competition/"})
        assert post.status_code == 302
        # a token that does not belong to the visitor is still refused
        other = Client(enforce_csrf_checks=True)
        other.get("/competition/")
        assert other.post("/i18n/setlang/", {"csrfmiddlewaretoken": token, "language": "kk", "next": "/"}).status_code == 403

    def test_a_change_is_seen_on_the_next_request(self):
        from klaster.competition.models import Competition

        c = Client()
        c.cookies["django_language"] = "en"
        comp = Competition.objects.exclude(state="draft").first()
        assert c.get("/competition/")["X-Klaster-Page"] == "miss"
        assert c.get("/competition/")["X-Klaster-Page"] == "hit"
        Competition.objects.filter(pk=comp.pk).update(title="Renamed competition 42")
        r = c.get("/competition/")
        assert r["X-Klaster-Page"] == "miss" and "Renamed competition 42" in r.content.decode()

    def test_users_languages_and_messages_are_never_served_the_anonymous_page(self):
        from django.contrib.auth import get_user_model

        anon = Client()
        anon.get("/register/")
        assert anon.get("/register/")["X-Klaster-Page"] == "hit"
        kk = Client()
        kk.cookies["django_language"] = "kk"
        assert kk.get("/register/")["X-Klaster-Page"] == "miss"
        user = Client()
        user.force_login(get_user_model().objects.get(username="organizer"))
        r = user.get("/register/")
        assert "X-Klaster-Page" not in r and "organizer" in r.content.decode()
        with self.settings(PAGE_CACHE=False):
            assert "X-Klaster-Page" not in Client().get("/register/")
