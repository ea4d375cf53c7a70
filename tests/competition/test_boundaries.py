"""Issue 9 in the competition, reproduction by reproduction: malformed values, impossible dates,
actions that skip the procedure, numbers, locking of the package, expert-council governance,
files, acts in force and readings. Each test failed on the code before and passes now."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from klaster.accounts.roles import Role
from klaster.common.files import sample_pdf
from klaster.common.models import AuditEntry
from klaster.competition.domain import services as svc
from klaster.competition.models import Application, Competition, ExpertAssignment, PackageDocument

from tests.xlsx_cases import declared_whole_sheet

from .conftest import bins, body_of, concept_pdf, fill_content, record_paper

pytestmark = pytest.mark.django_db
D = dt.date
PDF = sample_pdf(3)
DOCS = ("application", "concept", "akimat_conclusion", "document_list")


@pytest.fixture
def world(user_factory, settings):
    from klaster.reference.models import OkedCode

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    u = {
        "org": user_factory("org", Role.ORGANIZER),
        "sec": user_factory("sec", Role.COMMISSION_SECRETARY),
        "akim": user_factory("akim", Role.AKIMAT, region_kato="350000000"),
        "auth": body_of(user_factory("auth", Role.AUTHORIZED_BODY)),
        "reg": user_factory("reg", Role.REGIONAL_BODY),
    }
    for i in range(3):
        u[f"x{i}"] = user_factory(f"x{i}", Role.EXPERT, years_experience=6 + i)
        u[f"a{i}"] = user_factory(f"a{i}", Role.APPLICANT)
    u["oked"] = OkedCode.objects.filter(level="subclass", code__startswith="23").values_list("code", flat=True)[0]
    return u


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def announce(u, *, on=D(2025, 1, 10), closes=D(2025, 3, 20), **kw) -> Competition:
    with svc.on_day(on):
        return svc.announce_competition(actor=u["org"], title=kw.pop("title", "C"), stage1_intake_closes=closes, **kw)


def package(u, c, i, *, on=D(2025, 3, 3), docs=DOCS, akimat=True, positive=True) -> Application:
    """A complete stage-1 package of applicant ``a{i}`` (12 participants, the akimat's conclusion)."""
    user = u[f"a{i}"]
    with svc.on_day(on):
        a = svc.create_application(actor=user, competition=c, organisation_name=f"Org {i}", organisation_bin=bins(1, start=9000 + i)[0],
                                   kind="business_association", cluster_name=f"Cluster {i}", region_kato="350000000")
        for d in docs:
            svc.upload_document(actor=user, application=a, doc_id=d, uploaded=SimpleUploadedFile(f"{d}.pdf", concept_pdf() if d == "concept" else PDF))
        for k, b in enumerate(bins(12, start=1000 * (i + 1))):
            svc.add_participant(actor=user, application=a, name=f"P{k}", bin=b, oked=u["oked"], kato="351010000")
        fill_content(a)
        if akimat:
            svc.request_conclusion(actor=user, application=a, body="akimat")
    if akimat:
        with svc.on_day(on + dt.timedelta(days=1)):
            svc.issue_conclusion(actor=u["akim"], conclusion=a.conclusions.get(body="akimat"), positive=positive,
                                 text="ok" if positive else "участники не подтверждены: нет производственных мощностей")
    return a


def submit_all(u, c, apps, on=D(2025, 3, 18)):
    with svc.on_day(on):
        for a in apps:
            svc.submit_application(actor=a.applicant, application=a, statement=True)
            record_paper(a, u["org"])


def to_review(u, c, apps, *, closed=D(2025, 3, 21), admitted=D(2025, 3, 24)):
    with svc.on_day(closed):
        svc.close_intake(actor=u["org"], competition=c)
    with svc.on_day(admitted):
        svc.sign_admission_protocol(actor=u["org"], competition=c)
        for a in apps:
            a.refresh_from_db()
            if a.state == "admitted":
                svc.route_for_conclusions(actor=u["org"], application=a)
                for k in range(3):
                    svc.assign_expert(actor=u["org"], application=a, expert=u[f"x{k}"])


def reviewed(u, n=2):
    """A competition under review with ``n`` admitted packages, experts assigned."""
    c = announce(u)
    apps = [package(u, c, i) for i in range(n)]
    submit_all(u, c, apps)
    to_review(u, c, apps)
    return c, apps


def scored(u, c, apps, *, on=D(2025, 4, 10)):
    rules = c.rules
    with svc.on_day(on):
        for a in apps:
            a.refresh_from_db()
            for cc in a.conclusions.filter(issued_on__isnull=True):
                svc.issue_conclusion(actor=u["auth"] if cc.body == "authorized_body" else u["reg"], conclusion=cc, positive=True, text="ok")
            for k in range(3):
                asg = a.assignments.get(expert=u[f"x{k}"])
                svc.declare_interest(actor=u[f"x{k}"], assignment=asg, conflicted=False)
                svc.save_scores(actor=u[f"x{k}"], sheet=asg.sheet, version=asg.sheet.version, submit=True,
                                scores={x.id: 8 for x in rules.criteria.criteria}, justifications={x.id: "j" for x in rules.criteria.criteria})


def errors_of(resp) -> list[str]:
    from django.contrib.messages import ERROR

    return [str(m) for m in resp.wsgi_request._messages._queued_messages if m.level >= ERROR]


# ------------------------------------------------------------------ 1. malformed values are form errors, never 500


def test_malformed_ids_and_numbers_are_form_errors(world):
    u = world
    c = announce(u)
    a = package(u, c, 0)
    org, appl = login(u["org"]), login(u["a0"])
    n = Application.objects.count()
    r = appl.post(reverse("competition:application_create"), {"competition": "abc", "stage": "1"})
    assert r.status_code == 302 and errors_of(r) and Application.objects.count() == n
    act = reverse("competition:application_action", args=[a.pk])
    r = appl.post(act, {"action": "remove_participant", "participant": "abc"})
    assert r.status_code == 302 and errors_of(r) and a.current_version().participants.count() == 12
    r = appl.post(act, {"action": "upload", "doc_id": "concept", "pages": "9" * 30, "file": SimpleUploadedFile("c.pdf", PDF)})
    assert r.status_code == 302 and any("Pages" in e for e in errors_of(r))
    oa = reverse("competition:organizer_action", args=[c.pk])
    for data in ({"action": "assign", "application": "1x", "expert": str(u["x0"].pk)},
                 {"action": "assign", "application": str(a.pk), "expert": "y"},
                 {"action": "close_intake", "on": "2026-02-30"},
                 {"action": "nonsense"}):
        r = org.post(oa, data)
        assert r.status_code == 302 and errors_of(r), data
    assert not ExpertAssignment.objects.exists()


def test_a_non_integer_version_on_the_score_form_is_a_form_error(world):
    u = world
    c, apps = reviewed(u)
    asg = apps[0].assignments.get(expert=u["x0"])
    with svc.on_day(D(2025, 4, 1)):
        svc.declare_interest(actor=u["x0"], assignment=asg, conflicted=False)
    r = login(u["x0"]).post(reverse("competition:expert_assignment", args=[asg.pk]), {"action": "save", "version": "abc", "score_1.1": "7"})
    assert r.status_code == 400
    asg.sheet.refresh_from_db()
    assert asg.sheet.scores == {}


# ------------------------------------------------------------------ 2. dates as the law and common sense allow


def test_the_announcement_is_dated_when_made_and_section_5_is_checked_against_that_day(world, monkeypatch):
    u = world
    monkeypatch.setattr(svc, "today", lambda: D(2025, 2, 1))
    org = login(u["org"])
    url = reverse("competition:organizer_announce")
    # Back-dating to pass the 60-day rule: the posted date is not a field; §5 is checked against today.
    r = org.post(url, {"title": "Back-dated", "announced_on": "2024-12-01", "stage1_intake_closes": "2025-03-20"})
    assert r.status_code == 400 and "§4, §5" in r.content.decode() and not Competition.objects.exists()
    # A closing date already past is a form error.
    r = org.post(url, {"title": "Past", "stage1_intake_closes": "2025-01-15"})
    assert r.status_code == 400 and "has passed" in r.content.decode() and not Competition.objects.exists()
    # Dated today when made.
    assert org.post(url, {"title": "OK", "stage1_intake_closes": "2025-04-15"}).status_code == 302
    assert Competition.objects.get().announced_on == D(2025, 2, 1)
    # The domain refuses a future announcement and a past one without a reason.
    with pytest.raises(svc.DomainError, match="future"):
        svc.announce_competition(actor=u["org"], title="F", announced_on=D(2025, 2, 2), stage1_intake_closes=D(2025, 5, 1))
    with pytest.raises(svc.DomainError, match="reason"):
        svc.announce_competition(actor=u["org"], title="P", announced_on=D(2025, 1, 20), stage1_intake_closes=D(2025, 5, 1))


def test_admission_protocol_not_before_intake_closed_and_rerun_not_before_failure(world):
    u = world
    c = announce(u)
    apps = [package(u, c, 0)]
    submit_all(u, c, apps)
    with svc.on_day(D(2025, 3, 21)):
        svc.close_intake(actor=u["org"], competition=c)
    # Dated before intake closed (a back-dated record with a reason is still refused).
    with svc.on_day(D(2025, 3, 24)), pytest.raises(svc.DomainError, match="before the day after intake closed"):
        svc.sign_admission_protocol(actor=u["org"], competition=c, on=D(2025, 3, 19), reason="signed on paper")
    c.refresh_from_db()
    assert c.state == "stage1_admission" and not c.events.filter(name="failed").exists()
    with svc.on_day(D(2025, 3, 24)):
        svc.sign_admission_protocol(actor=u["org"], competition=c)  # one package: the competition fails (§41)
    c.refresh_from_db()
    assert c.state == "failed"
    # A re-run "announced" before the failure is refused.
    with svc.on_day(D(2025, 3, 25)), pytest.raises(svc.DomainError, match="failure"):
        svc.announce_competition(actor=u["org"], title="Re-run", announced_on=D(2025, 3, 20), reason="paper",
                                 stage1_intake_closes=D(2025, 6, 30), rerun_of=c)
    with svc.on_day(D(2025, 3, 25)):
        svc.announce_competition(actor=u["org"], title="Re-run", stage1_intake_closes=D(2025, 6, 30), rerun_of=c)


def test_acts_in_the_future_are_refused_back_dating_needs_a_reason_and_is_audited(world, monkeypatch):
    u = world
    c = announce(u)
    apps = [package(u, c, i) for i in range(2)]
    submit_all(u, c, apps)
    monkeypatch.setattr(svc, "today", lambda: D(2025, 3, 25))
    oa = reverse("competition:organizer_action", args=[c.pk])
    org = login(u["org"])
    r = org.post(oa, {"action": "close_intake", "on": "2030-01-01"})
    assert any("future" in e for e in errors_of(r))
    r = org.post(oa, {"action": "close_intake", "on": "2025-03-21"})
    assert any("reason" in e.lower() for e in errors_of(r))
    c.refresh_from_db()
    assert c.state == "stage1_intake"
    org.post(oa, {"action": "close_intake", "on": "2025-03-21", "reason": "closed on paper, recorded later"})
    c.refresh_from_db()
    assert c.state == "stage1_admission"
    assert AuditEntry.objects.filter(note__contains="closed on paper, recorded later").exists()
    # A Saturday is recorded with a warning, not refused.
    org.post(reverse("competition:organizer_admission", args=[c.pk]), {"action": "draft"})
    r = org.post(reverse("competition:organizer_admission", args=[c.pk]), {"action": "sign", "on": "2025-03-22", "reason": "signed on Saturday"})
    warnings = [str(m) for m in r.wsgi_request._messages._queued_messages if m.level_tag == "warning"]
    assert not errors_of(r) and any("not a working day" in w for w in warnings)


# ------------------------------------------------------------------ 3. every action checks the state on the server


def test_send_to_commission_only_after_the_review_protocol_and_only_once(world):
    u = world
    c = announce(u)
    with svc.on_day(D(2025, 2, 1)), pytest.raises(svc.DomainError, match="after it is signed"):
        svc.send_to_commission(actor=u["org"], competition=c)
    assert not c.events.filter(name__endswith="sent_to_commission").exists()
    apps = [package(u, c, i) for i in range(2)]
    submit_all(u, c, apps)
    to_review(u, c, apps)
    scored(u, c, apps)
    with svc.on_day(D(2025, 4, 15)):
        svc.sign_review_protocol(actor=u["org"], competition=c)
        svc.send_to_commission(actor=u["org"], competition=c)
        with pytest.raises(svc.DomainError, match="was sent to the Commission on"):
            svc.send_to_commission(actor=u["org"], competition=c)
    assert c.events.filter(name="stage1_sent_to_commission").count() == 1


def test_minimum_score_within_the_scale_and_the_stage2_deadline_leaves_the_section_28_periods(world):
    u = world
    c, apps = reviewed(u)
    scored(u, c, apps)
    with svc.on_day(D(2025, 4, 15)):
        svc.sign_review_protocol(actor=u["org"], competition=c)
        svc.send_to_commission(actor=u["org"], competition=c)
    sec = login(u["sec"])
    url = reverse("competition:commission", args=[c.pk])
    with svc.on_day(D(2025, 4, 18)):
        base = {"meeting_on": "2025-04-17", "protocol_on": "2025-04-18", "stage2_intake_closes": "2025-09-30"}
        r = sec.post(url, {**base, "minimum_score": "-5"})
        assert r.status_code == 400
        r = sec.post(url, {**base, "minimum_score": "100", "stage2_intake_closes": "2025-04-21"})
        assert r.status_code == 400 and "20 calendar days" in r.content.decode()
        c.refresh_from_db()
        assert c.state == "stage1_commission" and c.minimum_score is None
        # Confirmed: recorded, with the confirmation in the audit trail.
        r = sec.post(url, {**base, "minimum_score": "100,5", "stage2_intake_closes": "2025-04-21", "short_deadline_confirmed": "on"})
        assert r.status_code == 302
    c.refresh_from_db()
    assert c.minimum_score == Decimal("100.5") and c.state == "stage2_intake"
    assert AuditEntry.objects.filter(action="commission.minimum_score", note__contains="shorter than the §28.2 period").exists()


def test_a_quorum_larger_than_the_council_is_refused_and_can_be_changed_until_scoring(world):
    u = world
    with svc.on_day(D(2025, 1, 10)), pytest.raises(svc.DomainError, match="expert council has 3 members"):
        svc.announce_competition(actor=u["org"], title="Q", stage1_intake_closes=D(2025, 3, 20), scoring={"quorum": 99})
    c = announce(u, scoring={"quorum": 2})
    assert c.rules.scoring.quorum == 2
    svc.set_scoring(actor=u["org"], competition=c, scoring={"quorum": 3})
    c.refresh_from_db()
    assert c.rules.scoring.quorum == 3
    with pytest.raises(svc.DomainError, match="never be reached"):
        svc.set_scoring(actor=u["org"], competition=c, scoring={"quorum": 99})


# ------------------------------------------------------------------ 4. locking of the package


def test_two_sessions_editing_the_same_package_the_second_gets_409_and_nothing_is_lost(world):
    u = world
    c = announce(u)
    a = package(u, c, 0)
    url = reverse("competition:application", args=[a.pk])
    act = reverse("competition:application_action", args=[a.pk])
    s1, s2 = login(u["a0"]), login(u["a0"])
    v = int(re.search(r'name="version" value="(\d+)"', s1.get(url).content.decode()).group(1))
    assert int(re.search(r'name="version" value="(\d+)"', s2.get(url).content.decode()).group(1)) == v
    b1, b2 = bins(2, start=50000)
    r1 = s1.post(act, {"action": "participant", "version": v, "name": "First", "bin": b1, "oked": u["oked"], "kato": "351010000"})
    assert r1.status_code == 302
    r2 = s2.post(act, {"action": "participant", "version": v, "name": "Second", "bin": b2, "oked": u["oked"], "kato": "351010000"})
    assert r2.status_code == 409 and "changed by someone else" in r2.content.decode()
    names = set(a.current_version().participants.values_list("name", flat=True))
    assert "First" in names and "Second" not in names


# ------------------------------------------------------------------ 5. the expert council's governance


def test_declaration_is_final_documents_only_after_it_and_the_organizer_lifts_with_a_reason(world):
    u = world
    c, apps = reviewed(u)
    asg = apps[0].assignments.get(expert=u["x0"])
    doc = apps[0].submitted_version().documents.first()
    x0 = login(u["x0"])
    assert x0.get(reverse("competition:package_file", args=[doc.pk])).status_code == 403  # before any declaration
    assert "package_file" not in x0.get(reverse("competition:expert_assignment", args=[asg.pk])).content.decode()
    with svc.on_day(D(2025, 3, 25)):
        svc.declare_interest(actor=u["x0"], assignment=asg, conflicted=True, text="my former employer")
        with pytest.raises(svc.DomainError, match="only the organizer can lift it"):
            svc.declare_interest(actor=u["x0"], assignment=asg, conflicted=False)
    assert x0.get(reverse("competition:package_file", args=[doc.pk])).status_code == 403
    with pytest.raises(svc.DomainError, match="reason"):
        svc.lift_conflict(actor=u["org"], assignment=asg, reason="")
    r = login(u["org"]).post(reverse("competition:organizer_action", args=[c.pk]),
                             {"action": "lift_conflict", "assignment": asg.pk, "note": "left that employer in 2019"})
    assert r.status_code == 302
    asg.refresh_from_db()
    assert not asg.conflicted and asg.conflict_lift_reason == "left that employer in 2019"
    assert AuditEntry.objects.filter(action="expert.conflict_lifted", note="left that employer in 2019").exists()
    assert x0.get(reverse("competition:package_file", args=[doc.pk])).status_code == 200
    # The expert sees the bodies' conclusions on the package once declared.
    assert "Conclusions on this package" in x0.get(reverse("competition:expert_assignment", args=[asg.pk])).content.decode()


def test_the_organizer_reopens_a_submitted_sheet_with_a_reason(world):
    u = world
    c, apps = reviewed(u)
    scored(u, c, apps)
    sheet = apps[0].assignments.get(expert=u["x1"]).sheet
    with pytest.raises(svc.DomainError, match="final"):
        svc.save_scores(actor=u["x1"], sheet=sheet, scores={}, justifications={}, version=sheet.version)
    svc.reopen_sheet(actor=u["org"], sheet=sheet, reason="score 1.1 contradicts its justification")
    sheet.refresh_from_db()
    assert sheet.submitted_at is None
    assert AuditEntry.objects.filter(action="score.reopen", note__contains="contradicts").exists()
    with svc.on_day(D(2025, 4, 11)):
        svc.save_scores(actor=u["x1"], sheet=sheet, scores={"1.1": "7,5"}, justifications={"1.1": "corrected"}, version=sheet.version)
    sheet.refresh_from_db()
    assert sheet.scores["1.1"] == "7.5"


def test_a_negative_akimat_conclusion_returns_the_package_with_that_reason(world):
    u = world
    c = announce(u)
    apps = [package(u, c, 0), package(u, c, 1), package(u, c, 2, positive=False)]
    submit_all(u, c, apps)
    with svc.on_day(D(2025, 3, 21)):
        svc.close_intake(actor=u["org"], competition=c)
        svc.sign_admission_protocol(actor=u["org"], competition=c)
    bad = apps[2]
    bad.refresh_from_db()
    assert bad.state == "returned"
    assert "negative" in bad.notice and "нет производственных мощностей" in bad.notice and "missing" not in bad.notice


# ------------------------------------------------------------------ 6. files


def test_a_pdf_that_is_an_executable_is_refused_and_a_replaced_file_is_removed(world, django_capture_on_commit_callbacks):
    u = world
    c = announce(u)
    a = package(u, c, 0, docs=("application",))
    fake = b"%PDF-1.7\n" + b"MZ\x90\x00" + bytes(range(256)) * 20
    with pytest.raises(svc.DomainError, match="does not open as a PDF"):
        svc.upload_document(actor=u["a0"], application=a, doc_id="concept", uploaded=SimpleUploadedFile("concept.pdf", fake))
    old = PackageDocument.objects.get(version__application=a, doc_id="application")
    path = old.file.path
    with django_capture_on_commit_callbacks(execute=True):
        d = svc.upload_document(actor=u["a0"], application=a, doc_id="application", uploaded=SimpleUploadedFile("application.pdf", sample_pdf(5)))
    assert d.pages == 5  # counted by pypdf
    import os

    assert not os.path.exists(path) or path == d.file.path


def test_a_small_xlsx_declaring_the_whole_sheet_is_refused_at_once(world):
    u = world
    c = announce(u)
    a = package(u, c, 0, docs=())
    data = declared_whole_sheet(last_cell=True)
    assert len(data) < 10_000
    t0 = time.monotonic()
    with pytest.raises(svc.DomainError, match="more than"):
        svc.import_participants_xlsx(actor=u["a0"], application=a, fileobj=SimpleUploadedFile("p.xlsx", data))
    # A guard against the pathological path (86 s before), not a speed target.
    assert time.monotonic() - t0 < 10
    assert a.current_version().participants.count() == 12


# ------------------------------------------------------------------ 7. acts in force, 8. readings


def test_a_competition_under_a_repealed_act_says_so_on_its_pages_and_documents(world):
    from docx import Document

    from klaster.competition import documents as docs

    u = world
    c = announce(u)
    page = Client().get(reverse("competition:public", args=[c.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "out of force since 18 Feb 2016" in page and "Decree No. 73" in page
    with svc.on_day(D(2025, 1, 10)):
        ru = "\n".join(p.text for p in Document(io.BytesIO(docs.protocol(c, "15", "ru"))).paragraphs)
    assert "утратил" in ru.lower() or "утратило" in ru.lower()


def test_the_readings_of_section_25_and_of_a_closing_day_off_are_recorded_and_change_the_deadlines(world):
    u = world
    # Intake closing on Saturday 22 March 2025: by default the period ends on the next working day
    # (Nauryz 21–25 March: Wednesday 26 March), so a package brought then is accepted.
    c = announce(u, closes=D(2025, 3, 22))
    assert c.readings == {"commission_protocol_days": "calendar", "intake_closes_on_day_off": "next_working_day"}
    a = package(u, c, 0)
    with svc.on_day(D(2025, 3, 26)):
        svc.submit_application(actor=u["a0"], application=a, statement=True)
    strict = announce(u, closes=D(2025, 3, 22), title="Strict", readings={"intake_closes_on_day_off": "as_announced"})
    b = package(u, strict, 1)
    with svc.on_day(D(2025, 3, 26)), pytest.raises(svc.DomainError, match="§13"):
        svc.submit_application(actor=u["a1"], application=b, statement=True)
    # §25: a meeting on Friday 18 April 2025 — 3 calendar days end on Monday 21 April; 3 working days on Wednesday 23 April.
    rules_cal = c.rules
    rules_wd = strict.rules.with_readings({"commission_protocol_days": "working"})
    from klaster.common.calendar import default_calendar
    from klaster.engine.competition.deadlines import due_date

    step = "stage1_commission_protocol"
    assert due_date(rules_cal, rules_cal.step(step), default_calendar(), D(2025, 4, 18)) == D(2025, 4, 21)
    assert due_date(rules_wd, rules_wd.step(step), default_calendar(), D(2025, 4, 18)) == D(2025, 4, 23)
    # The page names the reading used and the other one.
    page = login(u["org"]).get(reverse("competition:organizer_competition", args=[strict.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "intake closes on the announced date" in page and "intake closes at the end of the next working day" in page


def test_no_orphan_file_after_replacing_amending_and_refused_uploads(world, settings, tmp_path, django_capture_on_commit_callbacks):
    from klaster.common import files

    settings.MEDIA_ROOT = str(tmp_path)
    u = world
    c = announce(u)
    with django_capture_on_commit_callbacks(execute=True):
        a = package(u, c, 0)
        with svc.on_day(D(2025, 3, 10)):
            svc.submit_application(actor=u["a0"], application=a, statement=True)
            svc.start_amendment(actor=u["a0"], application=a, reason="a better concept")  # the new version shares the files
            svc.upload_document(actor=u["a0"], application=a, doc_id="concept", uploaded=SimpleUploadedFile("concept.pdf", sample_pdf(4)))
            svc.upload_document(actor=u["a0"], application=a, doc_id="concept", uploaded=SimpleUploadedFile("concept.pdf", sample_pdf(5)))
        # Refused through the web as stale: refused before anything is written.
        act = reverse("competition:application_action", args=[a.pk])
        r = login(u["a0"]).post(act, {"action": "upload", "doc_id": "application", "version": "0",
                                      "file": SimpleUploadedFile("application.pdf", sample_pdf(1))})
        assert r.status_code == 409
    stored = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert stored and files.orphans() == []
    # The first version's concept is still there (v1 is frozen and registered); v2's replaced one is gone.
    v1, v2 = a.versions.order_by("number")
    assert v1.documents.get(doc_id="concept").file.name in stored and v2.documents.get(doc_id="concept").pages == 5
    assert len(stored) == len({d.file.name for d in PackageDocument.objects.filter(version__application=a)})


@pytest.mark.parametrize("header", [["атауы", "БСН", "ЭҚЖЖ", "ӘАКЖ", "үлестес топ"],
                                    ["Наименование", "БИН", "ОКЭД", "КАТО", "Группа аффилированности"]])
def test_participants_import_reads_the_headers_the_page_names_in_kk_and_ru(world, header):
    """The page tells kk and ru users the columns in their language (issue 13); the import reads them."""
    from openpyxl import Workbook

    from tests.competition.conftest import bins

    u = world
    c = announce(u)
    a = package(u, c, 0, docs=())
    before = a.current_version().participants.count()
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    ws.append(["ТОО «Жаңа қатысушы»", bins(1, start=900)[0], u["oked"], "351010000", "G1"])
    buf = io.BytesIO()
    wb.save(buf)
    n, errors = svc.import_participants_xlsx(actor=u["a0"], application=a, fileobj=SimpleUploadedFile("p.xlsx", buf.getvalue()))
    assert (n, errors) == (1, []) and a.current_version().participants.count() == before + 1
    assert a.current_version().participants.get(name="ТОО «Жаңа қатысушы»").affiliation_group == "G1"
