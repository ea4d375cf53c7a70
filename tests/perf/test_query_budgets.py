"""Query-count budgets: every list page costs the same number of SQL queries whatever the length
of its list (measured with 2 rows and with 20 or more, with an empty page cache — the first
request after a change), and no more than its budget. A page whose count grows with its list
(N+1) fails here, naming the queries.

Budgets count everything the request runs: the session and the user of a logged-in request (2),
the user's roles (1), the unread-notices badge of the header (1, counted once per request), the
data version of the page cache (1).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from klaster.accounts.roles import Role
from tests.conftest import make_user
from tests.perf.helpers import D, KARAGANDA, clusters, participants, queries

pytestmark = pytest.mark.django_db

SESSION = 4  # session, user, roles, the header's unread-notices badge of a logged-in request
#: The cluster profile's public card (wins, history, programme in brief, support received, alerts:
#: register.views._card of issue 14), not cached: a fixed number of queries.
CARD = 9


@pytest.fixture
def client(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return Client()


def _same(short: tuple[int, list[str]], long: tuple[int, list[str]], budget: int):
    """The long list costs what the short one costs, within the budget (else the queries are shown)."""
    (n_short, sql_short), (n_long, sql_long) = short, long
    assert n_long == n_short, f"{n_short} queries with the short list, {n_long} with the long one:\n" + "\n".join(s[:160] for s in sql_long)
    assert n_long <= budget, f"{n_long} queries, budget {budget}:\n" + "\n".join(s[:160] for s in sql_long)


# ------------------------------------------------------------------------------------- register

def test_public_register_list(client):
    clusters(2)
    short = queries(client, "/register/?date=2024-01-01")
    clusters(20, start=2)
    # data version, clusters, their regions, the members of all of them, clusters not (yet) included
    _same(short, queries(client, "/register/?date=2024-01-01"), budget=5)


def test_public_register_list_warm_is_one_query(client):
    clusters(3)
    queries(client, "/register/?date=2024-01-01")
    n, sql = queries(client, "/register/?date=2024-01-01", cold=False)
    assert n == 1 and "web_dataversion" in sql[0]


def test_register_json_api(client):
    clusters(2)
    short = queries(client, "/register/api/clusters.json?date=2024-01-01")
    clusters(20, start=2)
    _same(short, queries(client, "/register/api/clusters.json?date=2024-01-01"), budget=3)


def test_cluster_profile_with_its_members(client):
    (c,) = clusters(1, members=2)
    short = queries(client, f"/register/{c.code}/?date=2024-01-01")
    participants(c, 30, start=5000)
    # cached profile: data version, cluster with its association, regions, members, history,
    # applications; the public card of issue 14, computed per request: programme, wins,
    # applications, open application, memberships, alerts, support, history (CARD)
    _same(short, queries(client, f"/register/{c.code}/?date=2024-01-01"), budget=6 + CARD)


def test_cluster_profile_as_organizer(client):
    """The organizer's links (edit, record leaving) need nothing more per member."""
    (c,) = clusters(1, members=2)
    client.force_login(make_user("perf_org", Role.ORGANIZER))
    short = queries(client, f"/register/{c.code}/")
    participants(c, 25, start=5000)
    # + the organizer's profile (may it apply for inclusion?) and the programme link
    _same(short, queries(client, f"/register/{c.code}/"), budget=SESSION + 6 + 2 + CARD)


def test_inclusion_applications(client):
    from klaster.register.models import InclusionApplication

    client.force_login(make_user("perf_org", Role.ORGANIZER))
    cs = clusters(22, members=0)
    for c in cs[:2]:
        InclusionApplication.objects.create(cluster=c, submitted_on=D(2024, 1, 10))
    short = queries(client, "/register/applications/")
    for c in cs[2:]:
        InclusionApplication.objects.create(cluster=c, submitted_on=D(2024, 1, 10))
    _same(short, queries(client, "/register/applications/"), budget=SESSION + 2)  # + the organizer's eligibility alerts


# ------------------------------------------------------------------------------------- competition

def _competitions(n: int, start: int = 0):
    from klaster.competition.models import Competition

    return [Competition.objects.create(title=f"Competition {i}", state="stage1_intake", announced_on=D(2024, 1, 15),
                                       stage1_intake_closes=D(2024, 3, 20)) for i in range(start, start + n)]


def _applications(competition, applicant, n: int, start: int = 0, **fields):
    from klaster.competition.models import Application

    return [Application.objects.create(competition=competition, applicant=applicant, organisation_name=f"Association {i}",
                                       organisation_bin=f"15044{i:07d}"[:12], kind="business_association", cluster_name=f"Cluster {i}",
                                       region_kato=KARAGANDA, **fields) for i in range(start, start + n)]


def test_public_competitions(client):
    _competitions(2)
    short = queries(client, "/competition/")
    _competitions(20, start=2)
    # the data version of the anonymous page (klaster.web.cache.AnonymousPageMiddleware) + the list
    _same(short, queries(client, "/competition/"), budget=2)


def test_expert_workspace(client):
    from klaster.competition.models import ExpertAssignment, ScoreSheet

    expert = make_user("perf_expert", Role.EXPERT)
    applicant = make_user("perf_app", Role.APPLICANT)
    (c,) = _competitions(1)
    apps = _applications(c, applicant, 22)

    def assign(batch):
        for a in batch:
            asg = ExpertAssignment.objects.create(application=a, expert=expert)
            ScoreSheet.objects.create(assignment=asg, scores={}, justifications={})

    assign(apps[:2])
    client.force_login(expert)
    short = queries(client, "/competition/expert/")
    assign(apps[2:])
    _same(short, queries(client, "/competition/expert/"), budget=SESSION + 1)  # + the assignments


def test_my_applications(client):
    applicant = make_user("perf_app", Role.APPLICANT)
    (c,) = _competitions(1)
    _applications(c, applicant, 2)
    client.force_login(applicant)
    short = queries(client, "/competition/my/")
    _applications(c, applicant, 20, start=2)
    _same(short, queries(client, "/competition/my/"), budget=SESSION + 3)


def _organizer_competition(client, state: str):
    from klaster.competition.models import ExpertAssignment

    org = make_user("perf_org", Role.ORGANIZER)
    experts = [make_user(f"perf_expert{i}", Role.EXPERT) for i in range(2)]
    (c,) = _competitions(1)

    def add(n, start):
        for a in _applications(c, make_user(f"perf_app{start}", Role.APPLICANT), n, start=start, state=state):
            for e in experts:
                ExpertAssignment.objects.create(application=a, expert=e)

    add(2, 0)
    client.force_login(org)
    short = queries(client, f"/competition/organizer/{c.pk}/")
    add(20, 2)
    return short, queries(client, f"/competition/organizer/{c.pk}/")


def test_organizer_competition_applications_with_their_experts(client):
    """The applications table with each application's expert assignments (expert, sheet)."""
    short, long = _organizer_competition(client, "under_review")
    _same(short, long, budget=SESSION + 13)


def test_organizer_competition_with_admitted_applications(client):
    """The completeness of every admitted application in a fixed number of queries
    (competition.domain.services.completeness_of: versions, their documents, participants and
    structured content, conclusions, paper receipts — 5 more than the page without checks)."""
    short, long = _organizer_competition(client, "admitted")
    _same(short, long, budget=SESSION + 13 + 5)


def test_organizer_competition_with_packages(client):
    """Admitted applications with a frozen package version each (documents, participants, a
    structured document) and a paper receipt: still a fixed number of queries."""
    from klaster.competition.models import PackageDocument, PackageVersion, PaperReceipt, Participant, StructuredDocument

    def package(app):
        v = PackageVersion.objects.create(application=app, number=1, frozen=True)
        PackageVersion.objects.create(application=app, number=2)
        PackageDocument.objects.create(version=v, doc_id="concept", original_name="c.pdf", size=1, sha256="0" * 64, pages=3)
        Participant.objects.create(version=v, name="Plant", bin="150440000001", oked="2361", kato=KARAGANDA)
        StructuredDocument.objects.create(version=v, form_id="concept", data={})
        PaperReceipt.objects.create(application=app, received_on=D(2024, 3, 1), received_by="clerk", originals=1, copies=1,
                                    volumes=[10])

    org = make_user("perf_org", Role.ORGANIZER)
    applicant = make_user("perf_app", Role.APPLICANT)
    (c,) = _competitions(1)
    for a in _applications(c, applicant, 2, state="admitted"):
        package(a)
    client.force_login(org)
    short = queries(client, f"/competition/organizer/{c.pk}/")
    for a in _applications(c, applicant, 20, start=2, state="admitted"):
        package(a)
    _same(short, queries(client, f"/competition/organizer/{c.pk}/"), budget=SESSION + 13 + 5)


def test_organizer_dashboard(client):
    """Every competition's timeline in three queries (competition.domain.services.timelines_labelled:
    events, applications, the calendar), whatever the number of competitions."""
    org = make_user("perf_org", Role.ORGANIZER)
    _competitions(2)
    client.force_login(org)
    short = queries(client, "/competition/organizer/")
    _competitions(20, start=2)
    _same(short, queries(client, "/competition/organizer/"), budget=SESSION + 9)


# ------------------------------------------------------------------------------------- programmes

def test_programme_list(client):
    from klaster.programmes import domain as pd

    cs = clusters(22, members=0)

    def programmes(batch):
        for c in batch:
            p = pd.create_programme(actor=None, cluster=c, title_ru=f"ЦКП {c.code}", start_year=2021, end_year=2025)
            for k in range(2):
                pd.add_project(actor=None, programme=p, name_ru=f"Завод {k}", cost=Decimal("100"), direction="priority-direction")

    programmes(cs[:2])
    client.force_login(make_user("perf_analyst", Role.ANALYST))
    short = queries(client, "/programmes/")
    programmes(cs[2:])
    _same(short, queries(client, "/programmes/"), budget=SESSION + 2)


# ------------------------------------------------------------------------------------- web shell

def test_home_regions_and_oked_within_budget(client):
    """Fixed-size reference pages: one query (the data version) once cached; the OKED tree is
    paginated (50 rows a page) and costs the same on every page."""
    assert queries(client, "/")[0] <= 3
    assert queries(client, "/", cold=False)[0] == 1
    assert queries(client, "/regions/")[0] <= 4  # + the clusters on the map (regions of the register on today)
    assert queries(client, "/regions/", cold=False)[0] == 1
    first = queries(client, "/oked/?parent=C")  # manufacturing: its 24 divisions, with the crumbs
    assert first[0] <= 4
    assert queries(client, "/oked/?parent=C", cold=False)[0] == 1
    assert queries(client, "/oked/?parent=10")[0] == first[0]  # a division: its groups
    assert queries(client, "/oked/?parent=99999")[0] <= first[0]  # no such code: an empty page


def test_oked_search_is_paginated(client):
    """A search matching a thousand codes shows 50 rows in a fixed number of queries."""
    n, _ = queries(client, "/oked/?q=1")
    assert n <= 3  # the data version of the anonymous page (klaster.web.cache.AnonymousPageMiddleware), the count, the page
    html = client.get("/oked/?q=1").content.decode()
    assert html.count("<tr>") <= 51
