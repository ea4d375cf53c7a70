"""The landing page after login (/me/, issue 13): each role lands on its own page, which lists what
needs it now with the clause and a link to where it is done, in a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext

pytestmark = [pytest.mark.slow]

#: The demo account of each role (klaster.accounts.demo).
ACCOUNTS = {"organizer": "organizer", "analyst": "analyst", "expert": "expert", "akimat": "akimat",
            "authorized_body": "authorized", "regional_body": "regional", "commission_secretary": "secretary",
            "applicant": "applicant", "administrator": "admin"}
#: Queries of one GET /me/ per role (session, user, roles, the role's lookups); measured on the demo
#: world: 5 (analyst, akimat, administrator) to 11 (authorized body).
BUDGET = 12


class LandingTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        from tests.security.test_boundaries import load_world

        load_world()

    def setUp(self):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    def _client(self, role: str, lang: str = "en") -> Client:
        from django.contrib.auth import get_user_model

        c = Client()
        c.force_login(get_user_model().objects.get(username=ACCOUNTS[role]))
        c.cookies["django_language"] = lang
        return c

    def test_login_lands_on_the_role_page(self):
        from klaster.accounts.demo import DEMO_PASSWORD

        c = Client()
        r = c.post("/accounts/login/", {"username": "expert", "password": DEMO_PASSWORD})
        assert r.status_code == 302 and r["Location"] == "/me/"
        c.cookies["django_language"] = "en"
        assert "Score sheets to fill in" in c.get("/me/").content.decode()

    def test_anonymous_is_sent_to_log_in(self):
        r = Client().get("/me/")
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]

    def test_each_role_sees_its_own_sections_with_links_that_open(self):
        expected = {"organizer": "Packages to check for completeness", "analyst": "My recent analysis runs",
                    "expert": "Score sheets to fill in", "akimat": "Conclusions to issue",
                    "authorized_body": "Conclusions to issue", "regional_body": "Conclusions to issue",
                    "commission_secretary": "Commission decisions to record", "applicant": "My next steps",
                    "administrator": "Regulation versions"}
        for role, title in expected.items():
            c = self._client(role)
            html = c.get("/me/").content.decode()
            assert title in html, role
            others = {t for t in expected.values() if t != title}
            assert not [t for t in others if t in html], role
            # every task link opens for this role
            main = html.split('id="main-content"', 1)[1]
            for url in sorted(set(re.findall(r'<a class="govuk-link" href="(/[^"]*)"', main)))[:12]:
                assert c.get(url).status_code == 200, (role, url)

    def test_the_demo_world_gives_each_working_role_something_to_do_with_its_clause(self):
        """The demo's competitions have packages to check, conclusions requested, sheets to score and a
        competition with the Commission: each of those roles sees at least one item with its clause."""
        from klaster.web.landing import sections_for
        from django.contrib.auth import get_user_model

        User = get_user_model()
        for role in ("organizer", "expert", "commission_secretary"):
            blocks = sections_for(User.objects.get(username=ACCOUNTS[role]))
            items = [i for _label, secs in blocks for s in secs for i in s.items]
            assert items, role
            assert any(i.clause.startswith("§") for i in items), (role, [(i.text, i.clause) for i in items])

    def test_conclusions_listed_are_exactly_those_the_body_may_still_issue(self):
        from django.contrib.auth import get_user_model

        from klaster.competition.models import Conclusion
        from klaster.web.landing import sections_for

        for role in ("akimat", "authorized_body", "regional_body"):
            user = get_user_model().objects.get(username=ACCOUNTS[role])
            body = {"akimat": "akimat", "authorized_body": "authorized_body", "regional_body": "regional_body"}[role]
            open_ = [c for c in Conclusion.objects.filter(body=body, issued_on__isnull=True)
                     if user.has_perm("competition.issue_conclusion", c)]
            ((_label, (section,)),) = sections_for(user)
            assert section.total == len(open_), role
            assert {i.url for i in section.items} == {f"/competition/conclusions/{c.pk}/" for c in open_[:8]}, role

    def test_query_budget_per_role(self):
        for role in ACCOUNTS:
            c = self._client(role)
            c.get("/me/")  # warm the per-process caches (regulation documents, calendar)
            with CaptureQueriesContext(connection) as q:
                assert c.get("/me/").status_code == 200
            assert len(q) <= BUDGET, (role, len(q), [x["sql"][:120] for x in q])

    def test_header_navigation_shows_the_role_workspaces(self):
        wanted = {"expert": "/competition/expert/", "akimat": "/competition/conclusions/",
                  "applicant": "/competition/my/", "organizer": "/competition/organizer/"}
        for role, url in wanted.items():
            html = self._client(role).get("/me/").content.decode()
            nav = html.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
            assert f'href="{url}"' in nav and 'href="/me/"' in nav, role
            for other_role, other in wanted.items():
                if other_role != role:
                    assert f'href="{other}"' not in nav, (role, other)
        # the current page is marked for assistive technology
        assert 'aria-current="page" ' not in html and 'href="/me/" aria-current="page"' in html
