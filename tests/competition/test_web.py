"""The competition web app: domain services with audit, frozen versions, optimistic locking of scores,
documents, and every role against every view and action."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from klaster.accounts.roles import Role
from klaster.common.audit import history
from klaster.common.models import AuditEntry
from klaster.competition.domain import services as svc
from klaster.common.files import sample_pdf
from klaster.competition.models import Application, Competition, ExpertAssignment

from .conftest import bins, body_of, concept_pdf, fill_content, record_paper

pytestmark = pytest.mark.django_db
D = dt.date
PDF = sample_pdf(2)


@pytest.fixture
def world(user_factory):
    from klaster.reference.models import OkedCode

    u = {
        "organizer": user_factory("org", Role.ORGANIZER),
        "applicant": user_factory("app1", Role.APPLICANT, organisation_bin=bins(1, start=70000)[0]),
        "applicant2": user_factory("app2", Role.APPLICANT),
        "akimat": user_factory("akim", Role.AKIMAT, region_kato="350000000"),
        "akimat_other": user_factory("akim2", Role.AKIMAT, region_kato="750000000"),
        "authorized": body_of(user_factory("auth", Role.AUTHORIZED_BODY)),
        "regional": user_factory("reg", Role.REGIONAL_BODY),
        "secretary": user_factory("sec", Role.COMMISSION_SECRETARY),
        "analyst": user_factory("ana", Role.ANALYST),
        "admin": user_factory("adm", Role.ADMINISTRATOR),
    }
    ps = bins(12, start=71000)
    for i in range(3):
        u[f"expert{i}"] = user_factory(f"exp{i}", Role.EXPERT, years_experience=5 + i)
    u["expert_conflicted"] = user_factory("expc", Role.EXPERT, years_experience=9, organisation_bin=ps[4])
    u["junior"] = user_factory("jun", Role.EXPERT, years_experience=3)
    oked = OkedCode.objects.filter(level="subclass", code__startswith="23").values_list("code", flat=True)[0]
    return u, ps, oked


def _app(c, user, ps, oked, *, on, docs=("application", "concept", "akimat_conclusion", "document_list"), kind="business_association"):
    with svc.on_day(on):
        return _build_app(c, user, ps, oked, docs=docs, kind=kind)


def _build_app(c, user, ps, oked, *, docs, kind):
    a = svc.create_application(actor=user, competition=c, organisation_name=f"Assoc {user.username}", organisation_bin=bins(1, start=hash(user.username) % 9000 + 72000)[0],
                               kind=kind, cluster_name=f"Cluster {user.username}", region_kato="350000000")
    for d in docs:
        svc.upload_document(actor=user, application=a, doc_id=d, uploaded=SimpleUploadedFile(f"{d}.pdf", concept_pdf() if d == "concept" else PDF),
                            pages=None if d == "concept" else 2)
    for i, b in enumerate(ps):
        svc.add_participant(actor=user, application=a, name=f"P{i}", bin=b, oked=oked, kato="351010000")
    fill_content(a)
    return a


def test_domain_flow_with_frozen_versions_locking_documents_and_audit(world):
    u, ps, oked = world
    day = svc.on_day
    with day(D(2024, 1, 15)):
        c = svc.announce_competition(actor=u["organizer"], title="T", stage1_intake_closes=D(2024, 3, 20))
    assert c.state == "stage1_intake" and c.rules_pins["rules"]["version"] == "decree-535-2015"
    with day(D(2024, 2, 1)), pytest.raises(svc.DomainError, match="§4, §5"):
        svc.announce_competition(actor=u["organizer"], title="T2", stage1_intake_closes=D(2024, 3, 20))

    a1 = _app(c, u["applicant"], ps, oked, on=D(2024, 3, 1))
    a2 = _app(c, u["applicant2"], bins(10, start=73000), oked, on=D(2024, 3, 1))
    a3 = _app(c, u["applicant2"], bins(10, start=74000), oked, on=D(2024, 3, 1), docs=("application", "document_list"))
    # Upload checks: type by extension and content.
    with pytest.raises(svc.DomainError, match="not a .pdf"):
        svc.upload_document(actor=u["applicant"], application=a1, doc_id="concept", uploaded=SimpleUploadedFile("x.pdf", b"MZ\x90\x00"))
    with pytest.raises(svc.DomainError, match="not accepted"):
        svc.upload_document(actor=u["applicant"], application=a1, doc_id="concept", uploaded=SimpleUploadedFile("x.exe", PDF))
    with pytest.raises(svc.DomainError, match="BIN"):
        svc.add_participant(actor=u["applicant"], application=a1, name="Bad", bin="123", oked=oked, kato="351010000")

    with day(D(2024, 3, 18)):
        svc.submit_application(actor=u["applicant"], application=a1, statement=True)
        record_paper(a1, u["organizer"])
    v1 = a1.submitted_version()
    assert v1.frozen and a1.registration_number
    with pytest.raises(svc.DomainError, match="frozen"):
        svc.add_participant(actor=u["applicant"], application=a1, name="Late", bin=bins(1, start=75000)[0], oked=oked, kato="351010000")
    # §10: a change before the deadline makes a new version; the frozen one is untouched.
    with day(D(2024, 3, 19)):
        v2 = svc.start_amendment(actor=u["applicant"], application=a1, reason="added a participant")
        svc.add_participant(actor=u["applicant"], application=a1, name="New", bin=bins(1, start=75000)[0], oked=oked, kato="351010000")
        fill_content(a1)  # the new participant's company profile (App. 2 §7)
        svc.submit_application(actor=u["applicant"], application=a1, statement=True)
        record_paper(a1, u["organizer"])
    assert (v1.participants.count(), v2.participants.count(), a1.submitted_version().number) == (12, 13, 2)
    with day(D(2024, 3, 20)):
        svc.submit_application(actor=u["applicant2"], application=a2, statement=True)
        record_paper(a2, u["organizer"])
        svc.submit_application(actor=u["applicant2"], application=a3, statement=True)
        record_paper(a3, u["organizer"])
    late = _app(c, u["applicant2"], bins(10, start=76000), oked, on=D(2024, 3, 1))
    with day(D(2024, 3, 21)), pytest.raises(svc.DomainError, match="§13"):
        svc.submit_application(actor=u["applicant2"], application=late, statement=True)
        record_paper(late, u["organizer"])
    late.refresh_from_db()
    assert late.state == "draft" and not late.registration_number  # refused: nothing recorded, nothing registered

    with day(D(2024, 3, 21)):
        svc.close_intake(actor=u["organizer"], competition=c)
    with day(D(2024, 3, 29)):
        proto = svc.sign_admission_protocol(actor=u["organizer"], competition=c)
    a3.refresh_from_db()
    assert proto.admitted == [a1.key, a2.key] and a3.state == "returned" and "§6.2" in a3.notice
    for a in (a1, a2):
        a.refresh_from_db()
        with day(D(2024, 4, 1)):
            svc.route_for_conclusions(actor=u["organizer"], application=a)
        with day(D(2024, 4, 10)):
            for cc in a.conclusions.exclude(body="akimat"):
                svc.issue_conclusion(actor=u[{"authorized_body": "authorized", "regional_body": "regional"}[cc.body]], conclusion=cc,
                                     positive=True, text="ok")
    # §19 and conflicts.
    with pytest.raises(svc.DomainError, match="at least 5"):
        svc.assign_expert(actor=u["organizer"], application=a1, expert=u["junior"])
    conflicted = svc.assign_expert(actor=u["organizer"], application=a1, expert=u["expert_conflicted"])
    assert conflicted.conflicted and not hasattr(conflicted, "sheet")
    rules = c.rules
    with day(D(2024, 4, 20)):
        for i, a in enumerate((a1, a2)):
            for k in range(3):
                asg = svc.assign_expert(actor=u["organizer"], application=a, expert=u[f"expert{k}"])
                svc.declare_interest(actor=u[f"expert{k}"], assignment=asg, conflicted=False)
                svc.save_scores(actor=u[f"expert{k}"], sheet=asg.sheet, version=asg.sheet.version, submit=True,
                                scores={x.id: 8 - 4 * i for x in rules.criteria.criteria}, justifications={x.id: "j" for x in rules.criteria.criteria})
    with day(D(2024, 5, 2)):
        svc.sign_review_protocol(actor=u["organizer"], competition=c)
        svc.send_to_commission(actor=u["organizer"], competition=c)
    with day(D(2024, 5, 27)):
        svc.record_stage1_decision(actor=u["secretary"], competition=c, minimum_score=Decimal("100"), meeting_on=D(2024, 5, 24),
                                   protocol_on=D(2024, 5, 27), stage2_intake_closes=D(2024, 9, 30))
    a1.refresh_from_db(), a2.refresh_from_db()
    assert (a1.state, a2.state) == ("passed", "below_threshold")  # 15·8 = 120 ≥ 100 > 15·4 = 60

    # Documents: receipts and protocols in Kazakh and Russian are real DOCX with the recorded data.
    from docx import Document

    from klaster.competition import documents as docs

    text = "\n".join(p.text for p in Document(io.BytesIO(docs.receipt(a1, "kk"))).paragraphs)
    assert "Аумақтық кластерлерді бірінші конкурстық іріктеуге қатысуға арналған өтінім" in text and a1.registration_number in text
    # The receipt carries the day the package was received (not the day it was typed in), BIN in the language.
    assert "Қабылдау күні: 2024 жылғы «18» наурыз" in text and f"БСН {a1.organisation_bin}" in text  # submitted on 18 March 2024
    ru = "\n".join(p.text for p in Document(io.BytesIO(docs.receipt(a1, "ru"))).paragraphs)
    assert "Заявка на участие в первом этапе конкурсного отбора территориальных кластеров" in ru and "Приложение 1 к Правилам" in ru
    assert f"БИН {a1.organisation_bin}" in ru and "BIN" not in ru
    d25 = Document(io.BytesIO(docs.protocol(c, "25", "ru")))
    p25 = "\n".join(p.text for p in d25.paragraphs)
    assert "Протокол решения Комиссии по итогам первого этапа (пункт 25)" in p25
    assert "п. 24): 100,00" in p25 and "«30» сентября 2024 г." in p25 and "Дата протокола: «27» мая 2024 г." in p25
    assert any(cell.text == "120,00" for t in d25.tables for row in t.rows for cell in row.cells)
    k22 = "\n".join(p.text for p in Document(io.BytesIO(docs.protocol(c, "22", "kk"))).paragraphs)
    assert "Өтінімдер материалдарын қарау хаттамасы (22-тармақ)" in k22 and "2024 жылғы «02» мамыр" in k22
    for clause in docs.PROTOCOLS:
        for lang in docs.LANGS:
            assert docs.protocol(c, clause, lang)[:2] == b"PK"

    # Every transition is audited.
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"competition.announce", "application.submit", "application.amend", "package.freeze",
            "application.return_package", "conclusion.issue", "score.submit", "commission.minimum_score"} <= actions
    assert history(a1).filter(action="application.pass_threshold").exists()
    # Timeline shows the §15 deadline met.
    row = next(r for r in svc.timeline(c, D(2024, 6, 1)) if r.step_id == "stage1_completeness_check")
    assert (row.due, row.state) == (D(2024, 4, 1), "met")


def _to_review(u, c, apps, *, day0=D(2024, 3, 21)):
    """Close intake, admit and route the packages (the competition is then under review)."""
    with svc.on_day(day0):
        svc.close_intake(actor=u["organizer"], competition=c)
        svc.sign_admission_protocol(actor=u["organizer"], competition=c)
        for a in apps:
            a.refresh_from_db()
            if a.state == "admitted":
                svc.route_for_conclusions(actor=u["organizer"], application=a)


def test_two_tabs_editing_the_same_score_sheet_are_told(world):
    u, ps, oked = world
    with svc.on_day(D(2024, 1, 15)):
        c = svc.announce_competition(actor=u["organizer"], title="T", stage1_intake_closes=D(2024, 3, 20))
    a = _app(c, u["applicant"], ps, oked, on=D(2024, 3, 1))
    b = _app(c, u["applicant2"], bins(10, start=73000), oked, on=D(2024, 3, 1))
    with svc.on_day(D(2024, 3, 18)):
        svc.submit_application(actor=u["applicant"], application=a, statement=True)
        record_paper(a, u["organizer"])
        svc.submit_application(actor=u["applicant2"], application=b, statement=True)
        record_paper(b, u["organizer"])
    _to_review(u, c, [a, b])
    asg = svc.assign_expert(actor=u["organizer"], application=a, expert=u["expert0"])
    svc.declare_interest(actor=u["expert0"], assignment=asg, conflicted=False)
    expert = u["expert0"]
    client = Client()
    client.force_login(expert)
    url = reverse("competition:expert_assignment", args=[asg.pk])
    loaded_version = asg.sheet.version  # both tabs loaded the page at this version
    r1 = client.post(url, {"action": "save", "version": loaded_version, "score_1.1": "7", "just_1.1": "tab one"})
    assert r1.status_code == 302
    r2 = client.post(url, {"action": "save", "version": loaded_version, "score_1.1": "3", "just_1.1": "tab two"})
    assert r2.status_code == 409 and "changed by someone else" in r2.content.decode()
    asg.sheet.refresh_from_db()
    assert asg.sheet.scores["1.1"] == "7" and asg.sheet.justifications["1.1"] == "tab one"
    # Submitting an incomplete sheet is refused with the reasons (justification per criterion).
    r3 = client.post(url, {"action": "submit", "version": asg.sheet.version, "score_1.1": "7", "just_1.1": ""})
    assert r3.status_code == 400 and "justification is required" in r3.content.decode()


# ------------------------------------------------------------------- every role against every view and action


ROLES = [r for r in Role]


@pytest.fixture
def demo(db):
    from rich.console import Console

    from klaster.accounts.demo import load_demo as accounts_demo
    from klaster.competition.demo import load_demo

    con = Console(file=io.StringIO())
    accounts_demo(con)
    load_demo(con)
    from django.contrib.auth import get_user_model

    users = {r: get_user_model().objects.get(username=n) for r, n in [
        (Role.ORGANIZER, "organizer"), (Role.ANALYST, "analyst"), (Role.EXPERT, "expert"), (Role.AKIMAT, "akimat"),
        (Role.AUTHORIZED_BODY, "authorized"), (Role.REGIONAL_BODY, "regional"), (Role.COMMISSION_SECRETARY, "secretary"),
        (Role.APPLICANT, "applicant"), (Role.ADMINISTRATOR, "admin")]}
    return users


class LoggedIn(frozenset):
    """Every role, but not anonymous visitors."""


def _urls():
    review = Competition.objects.get(title__contains="рассмотрение")
    own = Application.objects.filter(competition=review, applicant__username="applicant").first()
    other = Application.objects.filter(competition=review).exclude(applicant__username="applicant").first()
    akimat_c = own.conclusions.get(body="akimat")
    auth_c = own.conclusions.get(body="authorized_body")
    asg = ExpertAssignment.objects.filter(application=own, expert__username="expert").first()
    doc = own.submitted_version().documents.first()
    other_doc = other.submitted_version().documents.first()
    O, A, X, K, B, R, S, M = (Role.ORGANIZER, Role.APPLICANT, Role.EXPERT, Role.AKIMAT, Role.AUTHORIZED_BODY,
                              Role.REGIONAL_BODY, Role.COMMISSION_SECRETARY, Role.ADMINISTRATOR)
    ALL = set(ROLES)
    # (method, url, data, roles allowed)
    return [
        ("get", reverse("competition:list"), None, ALL),
        ("get", reverse("competition:public", args=[review.pk]), None, ALL),
        ("get", reverse("competition:organizer_dashboard"), None, {O, M}),
        ("post", reverse("competition:organizer_announce"), {"title": ""}, {O, M}),
        ("get", reverse("competition:organizer_competition", args=[review.pk]), None, {O, M}),
        ("post", reverse("competition:organizer_action", args=[review.pk]), {"action": "noop"}, {O, M}),
        ("get", reverse("competition:commission", args=[review.pk]), None, {S, O, M}),
        ("get", reverse("competition:organizer_application", args=[own.pk]), None, {O, M}),
        ("get", reverse("competition:my_applications"), None, {A}),
        ("post", reverse("competition:application_create"), {"competition": review.pk}, {A}),
        ("get", reverse("competition:application", args=[own.pk]), None, {A}),
        ("get", reverse("competition:application", args=[other.pk]), None, set()),  # not the demo applicant's
        ("post", reverse("competition:application_action", args=[own.pk]), {"action": "noop"}, {A}),
        # The demo expert has not declared yet: nothing of the package is readable before the declaration.
        ("get", reverse("competition:package_file", args=[doc.pk]), None, {A, O, M, K, B, R}),
        ("get", reverse("competition:package_file", args=[other_doc.pk]), None, {O, M, K, B, R}),
        ("get", reverse("competition:conclusions"), None, {K, B, R}),
        ("get", reverse("competition:conclusion", args=[akimat_c.pk]), None, {K}),
        ("get", reverse("competition:conclusion", args=[auth_c.pk]), None, {B}),
        ("get", reverse("competition:expert_workspace"), None, {X}),
        ("get", reverse("competition:expert_assignment", args=[asg.pk]), None, {X}),
        ("get", reverse("competition:application_document", args=[own.pk, "receipt", "kk"]), None, {A, O, M}),
        ("get", reverse("competition:application_document", args=[own.pk, "akimat_conclusion", "ru"]), None, {A, O, M, K}),
        ("get", reverse("competition:protocol_document", args=[review.pk, "15", "kk"]), None, {O, M, S}),
        # issue 10: the same documents as PDF, refused to the same roles
        ("get", reverse("competition:application_pdf", args=[own.pk, "receipt", "kk"]), None, {A, O, M}),
        ("get", reverse("competition:application_pdf", args=[own.pk, "akimat_conclusion", "ru"]), None, {A, O, M, K}),
        ("get", reverse("competition:protocol_pdf", args=[review.pk, "15", "kk"]), None, {O, M, S}),
        ("get", reverse("competition:notifications"), None, LoggedIn(ALL)),
        ("post", reverse("competition:notifications"), {"all": "1"}, LoggedIn(ALL)),
        # issue 15: the package as data, records, the council, regulation versions
        ("get", reverse("competition:structured_form", args=[own.pk, "concept"]), None, {A}),
        ("get", reverse("competition:structured_template", args=[own.pk, "concept"]), None, {A}),
        ("get", reverse("competition:structured_view", args=[own.pk, "concept"]), None, {A, O, M, K, B, R}),
        ("get", reverse("competition:structured_document", args=[own.pk, "concept", "ru"]), None, {A, O, M, K, B, R}),
        ("get", reverse("competition:structured_pdf", args=[own.pk, "concept", "ru"]), None, {A, O, M, K, B, R}),
        ("post", reverse("competition:organizer_paper", args=[own.pk]), {"originals": "x"}, {O, M}),
        ("get", reverse("competition:organizer_council", args=[review.pk]), None, {O, M}),
        ("get", reverse("competition:organizer_ranked", args=[review.pk]), None, {O, M, S}),
        ("get", reverse("competition:organizer_admission", args=[review.pk]), None, {O, M}),
        ("post", reverse("competition:organizer_publication", args=[review.pk]), {"outlet": ""}, {O, M}),
        ("get", reverse("competition:discussion", args=[own.pk]), None, {O, M}),
        ("get", reverse("competition:expert_profile"), None, {X}),
        ("get", reverse("competition:regulations"), None, {M}),
        ("get", reverse("competition:regulation_add"), None, {M}),
    ]


def test_every_role_against_every_competition_view_and_action(demo):
    cases = _urls()
    # Every URL pattern of the app is exercised.
    from klaster.competition.urls import urlpatterns

    names = {p.name for p in urlpatterns}
    from django.urls import resolve

    assert names == {resolve(u.split("?")[0]).url_name for _, u, _, _ in cases}
    failures = []
    for role, user in demo.items():
        client = Client()
        client.force_login(user)
        for method, url, data, allowed in cases:
            r = getattr(client, method)(url, data or {})
            ok = r.status_code in (200, 302, 400, 409) and not (r.status_code == 302 and "/accounts/login" in r.get("Location", ""))
            if ok != (role in allowed):
                failures.append((role.value, method, url, r.status_code))
    anon = Client()
    for method, url, data, allowed in cases:
        r = getattr(anon, method)(url, data or {})
        public = allowed == set(ROLES) and not isinstance(allowed, LoggedIn)
        if public != (r.status_code == 200):
            failures.append(("anonymous", method, url, r.status_code))
    assert failures == []


def test_demo_is_idempotent_and_labelled(demo):
    from rich.console import Console

    from klaster.competition.demo import load_demo

    n = (Competition.objects.count(), Application.objects.count(), AuditEntry.objects.count())
    load_demo(Console(file=io.StringIO()))
    assert (Competition.objects.count(), Application.objects.count(), AuditEntry.objects.count()) == n
    assert all(c.is_sample and "sample" not in c.title for c in Competition.objects.all())
    assert all("образец" in a.cluster_name for a in Application.objects.all())
