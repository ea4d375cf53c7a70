"""Issue 15, part 2: the expert council's real work.

Reproductions: experts were assigned one at a time from a list showing only a name and years; there
was no view of their load, no matching by sector, and conflicts were found only from the BIN of the
expert's employer; experts did not see the bodies' conclusions (kept: tested in test_boundaries); no
discussion or consensus note, no request to the participant to substantiate (§16), no blind option;
no ranked list with every criterion and the spread between experts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from klaster.accounts.roles import Role
from klaster.common.models import AuditEntry
from klaster.competition.domain import council
from klaster.competition.domain import services as svc
from klaster.competition.models import ExpertAssignment, ExpertProfile
from klaster.engine.competition.experts import Expert, Need, conflict_of_interest, suggest_allocation

from .conftest import bins, body_of, concept_pdf, fast_user, fill_content, participants, record_paper

D = dt.date


# ----------------------------------------------------------------------------------------------- the engine


@pytest.mark.rule("experts.independence")
def test_conflicts_through_affiliates_and_declared_interests(rules):
    ps = [p.bin for p in participants(10)]
    aff = Expert("x", 10, organisation_bin="000000000000", affiliate_bins=(ps[2],))
    c = conflict_of_interest(aff, participant_bins=ps, applicant_bin="")
    assert c.conflicted and c.reasons[0].code == "conflict.affiliate_participant"
    assert conflict_of_interest(Expert("x", 10, affiliate_bins=("111",)), participant_bins=ps, applicant_bin="111").reasons[0].code == "conflict.affiliate_applicant"
    interest = Expert("y", 10, interest_bins=(ps[9],))
    assert conflict_of_interest(interest, participant_bins=ps).reasons[0].code == "conflict.interest"
    assert not conflict_of_interest(Expert("z", 10, affiliate_bins=("999999999999",), interest_bins=("888888888888",)), participant_bins=ps).conflicted


@pytest.mark.rule("experts.independence", "step.expert_council_composition")
def test_suggested_allocation_balances_load_matches_sectors_and_excludes_conflicts(rules):
    ps = participants(10)
    needs = [Need("A", "23611", "100", tuple(p.bin for p in ps)), Need("B", "10511", "200", ("777",)), Need("C", "23611", "300", ())]
    experts = [Expert("e1", 10, sectors=("23",)), Expert("e2", 8, sectors=("10",)), Expert("e3", 6),
               Expert("e4", 7, sectors=("23",), affiliate_bins=(ps[0].bin,)),  # conflicted on A
               Expert("e5", 3, sectors=("23",))]  # §19: too little experience
    out = suggest_allocation(rules, needs, experts, per_application=2, load={"e1": 2})
    pairs = {(a, e) for a, e, _m in out.pairs}
    assert ("A", "e4") not in pairs and [m.code for m in out.excluded[("A", "e4")]] == ["conflict.affiliate_participant"]
    assert all(("X", "e5") not in pairs for X in "ABC") and out.excluded[("B", "e5")][0].code == "expert.experience_short"
    # B (food) gets the food expert first; C (building) its sector experts; the load is balanced.
    assert ("B", "e2") in pairs and ("C", "e4") in pairs
    assert sorted(out.load.values()) == [0, 2, 2, 2, 2] or max(out.load[k] for k in ("e2", "e3", "e4")) <= 2
    assert all(len([p for p in out.pairs if p[0] == k]) == 2 for k in "ABC") and out.shortfall == {}
    # Deterministic; experts assigned already count toward the need.
    again = suggest_allocation(rules, needs, experts, per_application=2, load={"e1": 2})
    assert again.pairs == out.pairs
    one = suggest_allocation(rules, [Need("A", "23611", "100", (), assigned=("e1",))], experts, per_application=2)
    assert len(one.pairs) == 1 and one.pairs[0][1] != "e1"
    short = suggest_allocation(rules, needs, experts[:1], per_application=3)
    assert short.shortfall == {"A": 2, "B": 2, "C": 2}


# ----------------------------------------------------------------------------------------------- the web app


@pytest.fixture
def review(user_factory, settings):
    """A competition under review: three admitted packages (building materials), routed; four experts."""
    from klaster.reference.models import OkedCode

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    oked = OkedCode.objects.filter(level="subclass", code__startswith="23").values_list("code", flat=True)[0]
    u = {"org": user_factory("org", Role.ORGANIZER), "akim": user_factory("akim", Role.AKIMAT, region_kato="350000000"),
         "auth": body_of(user_factory("auth", Role.AUTHORIZED_BODY)), "reg": user_factory("reg", Role.REGIONAL_BODY),
         "sec": user_factory("sec", Role.COMMISSION_SECRETARY)}
    for i in range(4):
        u[f"x{i}"] = user_factory(f"x{i}", Role.EXPERT, years_experience=6 + i)
    with svc.on_day(D(2025, 1, 10)):
        c = svc.announce_competition(actor=u["org"], title="Council", stage1_intake_closes=D(2025, 3, 20))
    apps = []
    for i in range(3):
        user = user_factory(f"a{i}", Role.APPLICANT)
        with svc.on_day(D(2025, 3, 3)):
            a = svc.create_application(actor=user, competition=c, organisation_name=f"Org {i}", organisation_bin=bins(1, start=9000 + i)[0],
                                       kind="business_association", cluster_name=f"Cluster {i}", region_kato="350000000", sector_oked=oked)
            from django.core.files.uploadedfile import SimpleUploadedFile

            from klaster.common.files import sample_pdf

            for d in ("application", "concept", "akimat_conclusion", "document_list"):
                svc.upload_document(actor=user, application=a, doc_id=d,
                                    uploaded=SimpleUploadedFile(f"{d}.pdf", concept_pdf() if d == "concept" else sample_pdf(2)))
            for k, b in enumerate(bins(12, start=1000 * (i + 1))):
                svc.add_participant(actor=user, application=a, name=f"P{k}", bin=b, oked=oked, kato="351010000")
            fill_content(a)
            svc.request_conclusion(actor=user, application=a, body="akimat")
        with svc.on_day(D(2025, 3, 4)):
            svc.issue_conclusion(actor=u["akim"], conclusion=a.conclusions.get(body="akimat"), positive=True, text="Akimat: confirmed")
        with svc.on_day(D(2025, 3, 18)):
            svc.submit_application(actor=user, application=a, statement=True)
            record_paper(a, u["org"])
        apps.append(a)
    with svc.on_day(D(2025, 3, 21)):
        svc.close_intake(actor=u["org"], competition=c)
        svc.sign_admission_protocol(actor=u["org"], competition=c)
    with svc.on_day(D(2025, 3, 26)):
        for a in apps:
            a.refresh_from_db()
            svc.route_for_conclusions(actor=u["org"], application=a)
    # x3's employer is affiliated with a participant of Cluster 0.
    ExpertProfile.objects.create(user=u["x3"], sectors=["23"], affiliate_bins=[bins(12, start=1000)[5]])
    ExpertProfile.objects.create(user=u["x0"], sectors=["23"])
    return u, c, apps


def login(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
@pytest.mark.rule("experts.independence")
def test_bulk_assignment_of_the_suggested_allocation_all_or_nothing(review, monkeypatch):
    u, c, apps = review
    monkeypatch.setattr(svc, "today", lambda: D(2025, 3, 27))
    o = login(u["org"])
    url = reverse("competition:organizer_council", args=[c.pk])
    page = o.get(url + "?per=3").content.decode()
    import re

    checked = re.findall(r'name="pair" value="(\d+):(\d+)" checked', page)
    assert len(checked) == 9
    assert (str(apps[0].pk), str(u["x3"].pk)) not in checked  # the affiliate conflict is excluded, with its reason
    assert "an organisation affiliated with the expert" in page
    # A malformed or foreign pair is a form error: nothing assigned.
    assert o.post(url, {"pair": ["abc"]}).status_code == 400
    assert o.post(url, {"pair": [f"{apps[0].pk}:{u['org'].pk}"]}).status_code == 400
    assert not ExpertAssignment.objects.exists()
    # One refusal (an expert without the §19 experience) assigns none of the others.
    junior = fast_user("junior", Role.EXPERT, years_experience=2)
    r = o.post(url, {"pair": [f"{apps[0].pk}:{u['x0'].pk}", f"{apps[0].pk}:{junior.pk}"]})
    assert r.status_code == 400 and "at least 5" in r.content.decode() and not ExpertAssignment.objects.exists()
    r = o.post(url, {"pair": [f"{a}:{e}" for a, e in checked]})
    assert r.status_code == 302 and ExpertAssignment.objects.count() == 9
    assert AuditEntry.objects.filter(action="expert.bulk_assign").count() == 1
    # The load and progress table.
    page = o.get(url).content.decode()
    assert 'data-expert="x0"' in page
    rows = {r.user.username: r.assigned for r in council.progress(c)}
    # x0 and x3 know the sector (23) and come first; x3 is excluded from Cluster 0, whose third expert is the least loaded.
    assert rows == {"junior": 0, "x0": 3, "x1": 2, "x2": 2, "x3": 2}


@pytest.mark.django_db
def test_discussion_consensus_clarification_and_blind_mode(review, monkeypatch):
    u, c, apps = review
    monkeypatch.setattr(svc, "today", lambda: D(2025, 3, 27))
    with svc.on_day(D(2025, 3, 27)):
        council.set_blind(actor=u["org"], competition=c, blind=True)
        for e in ("x0", "x1"):
            svc.assign_expert(actor=u["org"], application=apps[0], expert=u[e])
        with pytest.raises(svc.DomainError, match="before the first expert"):
            council.set_blind(actor=u["org"], competition=c, blind=False)
    asg = ExpertAssignment.objects.get(application=apps[0], expert=u["x0"])
    url = reverse("competition:discussion", args=[apps[0].pk])
    # Before the declaration the expert neither reads nor posts.
    assert login(u["x0"]).get(url).status_code == 403
    svc.declare_interest(actor=u["x0"], assignment=asg, conflicted=False)
    x = login(u["x0"])
    assert x.post(url, {"text": "Investment figures look unsubstantiated (Criteria 1.3)."}).status_code == 302
    assert x.post(url, {"text": "Consensus?", "kind": "consensus"}).status_code == 400  # the organizer records the consensus
    assert login(u["x1"]).get(url).status_code == 403  # not declared yet
    o = login(u["org"])
    assert o.post(url, {"text": "The council agrees: 1.3 scored low until the investment is confirmed.", "kind": "consensus"}).status_code == 302
    # §16: the organizer asks the participant to substantiate; the participant answers once.
    o.post(reverse("competition:organizer_action", args=[c.pk]), {"action": "clarify", "application": apps[0].pk,
                                                                   "note": "Confirm the business investment with documents."})
    q = apps[0].clarifications.get()
    appl = login(apps[0].applicant)
    act = reverse("competition:application_action", args=[apps[0].pk])
    assert "Confirm the business investment" in appl.get(reverse("competition:application", args=[apps[0].pk])).content.decode()
    appl.post(act, {"action": "answer", "request": q.pk, "answer": "Loan agreement No. 5 attached."})
    q.refresh_from_db()
    assert q.answer == "Loan agreement No. 5 attached." and q.answered_at
    r = appl.post(act, {"action": "answer", "request": q.pk, "answer": "again"}, follow=True)
    assert "answered already" in r.content.decode()
    thread = x.get(url).content.decode()
    assert "unsubstantiated" in thread and 'data-kind="consensus"' in thread and "Loan agreement No. 5" in thread
    # Blind: the expert sees an application number, not who applied — on the workspace, the scoring page, the thread and the concept.
    for page in (x.get(reverse("competition:expert_workspace")), x.get(reverse("competition:expert_assignment", args=[asg.pk])), x.get(url),
                 x.get(reverse("competition:structured_view", args=[apps[0].pk, "concept"]))):
        html = page.content.decode()
        assert page.status_code == 200 and "Org 0" not in html and "Cluster 0" not in html, page.request["PATH_INFO"]
        assert apps[0].registration_number in html
    # The expert sees the akimat's conclusion beside the documents.
    assert "Akimat: confirmed" in x.get(reverse("competition:expert_assignment", args=[asg.pk])).content.decode()
    # The organizer sees everything.
    assert "Org 0" in o.get(url).content.decode()
    assert {p.kind for p in apps[0].posts.all()} == {"comment", "consensus"}
    assert AuditEntry.objects.filter(action="clarification.answer").exists()


@pytest.mark.django_db
@pytest.mark.rule("scoring.scoring")
def test_ranked_list_with_every_criterion_and_the_spread_exported_without_live_formulas(review, monkeypatch):
    u, c, apps = review
    apps[0].organisation_name = '=HYPERLINK("http://evil","click")'
    apps[0].save()
    rules = c.rules
    with svc.on_day(D(2025, 3, 27)):
        for a in apps:
            for e in ("x0", "x1", "x2"):
                svc.assign_expert(actor=u["org"], application=a, expert=u[e])
    for k, a in enumerate(apps):
        for m, e in enumerate(("x0", "x1", "x2")):
            asg = ExpertAssignment.objects.get(application=a, expert=u[e])
            svc.declare_interest(actor=u[e], assignment=asg, conflicted=False)
            with svc.on_day(D(2025, 4, 1)):
                svc.save_scores(actor=u[e], sheet=asg.sheet, version=asg.sheet.version, submit=True,
                                scores={x.id: str(9 - k - m if x.id != "1.1" else 2 + 3 * m) for x in rules.criteria.criteria},
                                justifications={x.id: "j" for x in rules.criteria.criteria})
    rows = council.ranked_breakdown(c, 1)
    e0, a0, b0 = next(r for r in rows if r[1].pk == apps[0].pk)
    assert b0.criteria["1.1"].spread == 6 and b0.criteria["2.1"].spread == 2 and b0.spread > 0
    o = login(u["org"])
    page = o.get(reverse("competition:organizer_ranked", args=[c.pk])).content.decode()
    assert 'class="spread"' in page and "x0:" in page
    assert login(u["sec"]).get(reverse("competition:organizer_ranked", args=[c.pk])).status_code == 200
    r = o.get(reverse("competition:organizer_ranked", args=[c.pk]) + "?stage=1&fmt=csv")
    text = r.content.decode("utf-8-sig")
    data = list(csv.reader(io.StringIO(text)))
    assert data[0][:5] == ["rank", "registration_no", "participant", "cluster", "score"] and "criterion_1.1_spread" in data[0]
    assert any(row[2] == "'=HYPERLINK(\"http://evil\",\"click\")" for row in data[1:])
    wb = openpyxl.load_workbook(io.BytesIO(o.get(reverse("competition:organizer_ranked", args=[c.pk]) + "?fmt=xlsx").content))
    ws = wb.worksheets[0]
    cell = next(r[2] for r in ws.iter_rows(min_row=2) if str(r[2].value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"
    assert o.get(reverse("competition:organizer_ranked", args=[c.pk]) + "?fmt=pdf").status_code == 302  # a form error, not a 500


@pytest.mark.django_db
def test_the_expert_records_sectors_affiliates_and_interests(review):
    u, c, apps = review
    x = login(u["x1"])
    url = reverse("competition:expert_profile")
    assert x.post(url, {"sectors": "23, 99.99", "affiliate_bins": "", "interest_bins": ""}).status_code == 400
    assert x.post(url, {"sectors": "23", "affiliate_bins": "123", "interest_bins": ""}).status_code == 400
    assert not ExpertProfile.objects.filter(user=u["x1"]).exists()
    target = apps[1].submitted_version().participants.first().bin
    assert x.post(url, {"sectors": "23, 24.10", "affiliate_bins": "", "interest_bins": target, "interests_text": "shareholder"}).status_code == 302
    p = ExpertProfile.objects.get(user=u["x1"])
    assert p.sectors == ["23", "2410"] and p.interest_bins == [target]
    # The declared interest makes the assignment conflicted automatically.
    with svc.on_day(D(2025, 3, 27)):
        a = svc.assign_expert(actor=u["org"], application=apps[1], expert=u["x1"])
    assert a.conflicted and "declared an interest" in a.auto_conflict
    # A stale second page is told (409) and writes nothing.
    stale = x.post(url, {"version": "0", "sectors": "10", "affiliate_bins": "", "interest_bins": ""})
    assert stale.status_code == 409 and ExpertProfile.objects.get(user=u["x1"]).sectors == ["23", "2410"]
