"""Every role (and an anonymous visitor) against every view and action of the register,
programmes and support apps, by GET and by POST, including object-level denials: the other
cluster's association, the akimat of another region.

Each request runs in a savepoint that is rolled back, so the cases do not affect each other.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import get_resolver

from klaster.register.models import InclusionApplication
from klaster.support import domain as sd
from tests.conftest import make_user
from tests.register.world import build_world, pdf_bytes

PUBLIC = "public"
ROLES = ("anonymous", "organizer", "analyst", "expert", "akimat", "authorized_body", "regional_body",
         "commission_secretary", "applicant", "applicant_b", "administrator")
VIEWERS_A = {"organizer", "analyst", "authorized_body", "akimat", "applicant"}  # alpha is in Karaganda, the akimat's region
VIEWERS_B = {"organizer", "analyst", "authorized_body", "applicant_b"}  # beta is in Pavlodar
APPLICANTS = {"applicant", "applicant_b"}
SIGNED_IN = set(ROLES) - {"anonymous"}
MINISTRY = {"organizer", "analyst", "authorized_body"}  # the Ministry and QazIndustry: the consolidated view


class PostOnly(frozenset):
    """A POST-only action: holders of these roles get 405 on GET (before any object check); others 403."""


def cases(w, incl, doc):
    pr = w.prog_a.projects.get().pk
    ob = w.ob_a.pk
    a = w.app_a.pk
    return [
        # (url name, path, GET allowed, POST allowed)
        ("register:list", "/register/", PUBLIC, PUBLIC),
        ("register:rankings", "/register/rankings/", PUBLIC, PUBLIC),
        ("register:api_clusters", "/register/api/clusters.json", PUBLIC, PUBLIC),
        ("register:api_cluster", "/register/api/clusters/alpha.json", PUBLIC, PUBLIC),
        ("register:export_xlsx", "/register/export.xlsx", PUBLIC, PUBLIC),
        ("register:extract_docx", "/register/extract.docx", PUBLIC, PUBLIC),
        ("register:extract_pdf", "/register/extract.pdf", PUBLIC, PUBLIC),
        ("register:applications", "/register/applications/", {"organizer"}, {"organizer"}),
        ("register:decide", f"/register/applications/{incl}/decide/", PostOnly({"organizer"}), {"organizer"}),
        ("register:import_template", "/register/import-template.xlsx", {"organizer"}, {"organizer"}),
        ("register:detail", "/register/alpha/", PUBLIC, PUBLIC),
        ("register:apply", "/register/alpha/apply/", PostOnly(APPLICANTS), {"applicant"}),
        ("register:apply", "/register/beta/apply/", PostOnly(APPLICANTS), {"applicant_b"}),
        ("register:import", "/register/alpha/import/", {"organizer"}, {"organizer"}),
        ("register:participant_new", "/register/alpha/participants/new/", {"organizer"}, {"organizer"}),
        ("register:participant_edit", f"/register/alpha/participants/{w.member_a.pk}/", {"organizer"}, {"organizer"}),
        ("register:membership_leave", f"/register/alpha/memberships/{w.member_a.memberships.get().pk}/leave/", {"organizer"}, {"organizer"}),
        ("register:winners", "/register/winners/", {"organizer"}, {"organizer"}),
        ("register:new_cluster", "/register/new/", APPLICANTS, APPLICANTS),
        ("register:alerts", "/register/alerts/", SIGNED_IN, SIGNED_IN),
        ("register:exclude", "/register/alpha/exclude/", {"organizer"}, {"organizer"}),
        ("register:recheck", "/register/alpha/recheck/", PostOnly({"organizer"}), {"organizer"}),
        ("programmes:list", "/programmes/", VIEWERS_A | VIEWERS_B, VIEWERS_A | VIEWERS_B),
        ("programmes:plotly_js", "/programmes/plotly.js", PUBLIC, PUBLIC),
        ("programmes:new", "/programmes/new/", {"organizer"}, {"organizer"}),
        ("programmes:detail", "/programmes/alpha/", VIEWERS_A, VIEWERS_A),
        ("programmes:detail", "/programmes/beta/", VIEWERS_B, VIEWERS_B),
        ("programmes:report_xlsx", "/programmes/alpha/monitoring.xlsx", VIEWERS_A, VIEWERS_A),
        ("programmes:report_docx", "/programmes/beta/monitoring.docx", VIEWERS_B, VIEWERS_B),
        ("programmes:report_pdf", "/programmes/alpha/monitoring.pdf", VIEWERS_A, VIEWERS_A),
        ("programmes:edit", "/programmes/alpha/edit/", {"organizer"}, {"organizer"}),
        ("programmes:project_new", "/programmes/alpha/projects/new/", {"organizer"}, {"organizer"}),
        ("programmes:project_edit", f"/programmes/alpha/projects/{pr}/", {"organizer"}, {"organizer"}),
        ("programmes:financing", f"/programmes/alpha/projects/{pr}/financing/", {"organizer"}, {"organizer"}),
        ("programmes:obligation_new", "/programmes/alpha/obligations/new/", {"organizer"}, {"organizer"}),
        ("programmes:obligation_edit", f"/programmes/alpha/obligations/{ob}/", {"organizer"}, {"organizer"}),
        ("programmes:report", "/programmes/alpha/report/", {"applicant"}, {"applicant"}),
        ("programmes:quarterly", "/programmes/quarterly/", MINISTRY, MINISTRY),
        ("programmes:quarterly_xlsx", "/programmes/quarterly/report.xlsx", MINISTRY, MINISTRY),
        ("programmes:quarterly_docx", "/programmes/quarterly/report.docx", MINISTRY, MINISTRY),
        ("programmes:quarterly_pdf", "/programmes/quarterly/report.pdf", MINISTRY, MINISTRY),
        ("programmes:budget", "/programmes/budget/", MINISTRY, MINISTRY),
        ("programmes:payments", f"/programmes/alpha/projects/{pr}/payments/", {"organizer"}, {"organizer"}),
        ("programmes:report", "/programmes/beta/report/", {"applicant_b"}, {"applicant_b"}),
        ("support:list", "/support/", {"organizer", "applicant", "applicant_b"}, {"organizer", "applicant", "applicant_b"}),
        ("support:new", "/support/new/", {"applicant", "applicant_b"}, {"applicant", "applicant_b"}),
        ("support:detail", f"/support/{a}/", {"organizer", "applicant"}, {"organizer", "applicant"}),
        ("support:action", f"/support/{a}/action/", PostOnly({"organizer"}), {"organizer"}),
        ("support:resubmit", f"/support/{a}/resubmit/", PostOnly(APPLICANTS), {"applicant"}),
        # no agreement is signed in this world: who may see the application gets 404, others 403 (tests/pdf: with one)
        ("support:agreement_docx", f"/support/{a}/agreement/ru.docx", {"organizer", "applicant"}, {"organizer", "applicant"}),
        ("support:agreement_pdf", f"/support/{a}/agreement/kk.pdf", {"organizer", "applicant"}, {"organizer", "applicant"}),
        ("support:document_upload", f"/support/{doc.application_id}/documents/", PostOnly(APPLICANTS), {"applicant"}),
        ("support:document", f"/support/documents/{doc.pk}/", {"organizer", "applicant"}, {"organizer", "applicant"}),
        ("support:document_remove", f"/support/documents/{doc.pk}/remove/", PostOnly(APPLICANTS), {"applicant"}),
    ]


POST_DATA = {
    "file": None,  # replaced per request (a fresh upload)
    "code": "charter", "decision": "reject", "note": "reasons", "action": "completeness",
    "title_ru": "x", "start_year": "2021", "end_year": "2025", "name_ru": "x", "cost": "10", "direction": "priority-direction",
    "indicator_ru": "x", "unit": "u", "base_year": "2020", "base_value": "1", "t2022_q1": "1",
    "year": "2022", "quarter": "3", "component": "5b",
}


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    w = build_world(make_user)
    incl = InclusionApplication.objects.create(cluster=w.a, submitted_on=dt.date(2024, 1, 10)).pk
    draft = sd.create_application(actor=w.users["applicant"], participant=w.member_a, component="5b", cluster=w.a)
    doc = sd.attach_document(actor=w.users["applicant"], application=draft, code="charter", uploaded=SimpleUploadedFile("c.pdf", pdf_bytes()))
    return w, incl, doc


def _denied(r) -> bool:
    return r.status_code == 403 or (r.status_code == 302 and "/accounts/login" in r["Location"])


def test_every_role_against_every_view_and_action(world):
    w, incl, doc = world
    table = cases(w, incl, doc)
    clients = {}
    for role in ROLES:
        c = Client()
        if role != "anonymous":
            c.force_login(w.users[role])
        clients[role] = c
    problems = []
    for name, path, get_ok, post_ok in table:
        for method, allowed in (("GET", get_ok), ("POST", post_ok)):
            for role in ROLES:
                with transaction.atomic():
                    if method == "GET":
                        r = clients[role].get(path)
                    else:
                        r = clients[role].post(path, {**POST_DATA, "file": SimpleUploadedFile("c.pdf", pdf_bytes())})
                    transaction.set_rollback(True)
                should = allowed == PUBLIC or role in allowed
                if isinstance(allowed, PostOnly) and should:
                    if r.status_code != 405:
                        problems.append(f"{method} {path} as {role}: {r.status_code} (should be 405)")
                    continue
                if should and (_denied(r) or r.status_code >= 500):
                    problems.append(f"{method} {path} as {role}: {r.status_code} (should be allowed)")
                if not should:
                    expected = 302 if role == "anonymous" else 403
                    if not _denied(r) or r.status_code != expected:
                        problems.append(f"{method} {path} as {role}: {r.status_code} (should be {expected})")
    assert not problems, "\n".join(problems)


def test_matrix_covers_every_url_of_the_three_apps(world):
    w, incl, doc = world
    covered = {name for name, *_ in cases(w, incl, doc)}
    names = set()
    for ns in ("register", "programmes", "support"):
        resolver = get_resolver().namespace_dict[ns][1]
        names |= {f"{ns}:{p.name}" for p in resolver.url_patterns}
    assert names == covered


def test_lists_are_scoped(world):
    w, incl, doc = world

    def get(role, path):
        c = Client()
        c.force_login(w.users[role])
        return c.get(path)

    def codes(r):
        return sorted(p.cluster.code for p in r.context["programmes"])

    assert codes(get("akimat", "/programmes/")) == ["alpha"]
    assert codes(get("applicant", "/programmes/")) == ["alpha"]
    assert codes(get("applicant_b", "/programmes/")) == ["beta"]
    assert codes(get("analyst", "/programmes/")) == ["alpha", "beta"]
    assert [r["a"].pk for r in get("applicant_b", "/support/").context["rows"]] == []
    assert w.app_a.pk in [r["a"].pk for r in get("applicant", "/support/").context["rows"]]
    # the other association cannot apply for a participant of alpha
    html = get("applicant_b", "/support/new/").content.decode()
    assert w.member_b.name in html and w.member_a.name not in html
    # an akimat user without a region sees no programme
    from klaster.accounts.roles import Role

    nobody = make_user("w_akimat2", Role.AKIMAT)
    c = Client()
    c.force_login(nobody)
    assert list(c.get("/programmes/").context["programmes"]) == []
    assert c.get("/programmes/alpha/").status_code == 403


def test_applicant_cannot_apply_for_another_clusters_participant(world):
    from klaster.support.models import Application

    w, incl, doc = world
    c = Client()
    c.force_login(w.users["applicant_b"])
    c.cookies["django_language"] = "en"
    n = Application.objects.count()
    r = c.post("/support/new/", {"component": "5b", "participant": w.member_a.pk, "costs": "plan; 1000; 2024-02-01"})
    assert r.status_code == 200 and "choose a participant you act for" in r.content.decode()
    assert Application.objects.count() == n
