"""A whole competition run through the web app by every role, stage 1 to published results.

The clock is moved by patching ``services.today`` (the one "today" the views and the domain use).
Stage 1: three applicants; one is returned for a missing concept (§16). Stage 2: the stage-1
winner and a cluster association entering under §8. Then the Commission decides and the organizer
publishes (§40).
"""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from klaster.accounts.roles import Role
from klaster.competition.domain import services as svc
from klaster.common.files import sample_pdf
from klaster.competition.models import Application, Competition, Conclusion, ExpertAssignment

from .conftest import body_of, bins, concept_pdf, filled_workbook

pytestmark = pytest.mark.django_db
D0 = dt.date(2025, 3, 3)
PDF = sample_pdf(3)


class Clock:
    def __init__(self, monkeypatch):
        self.day = D0
        monkeypatch.setattr(svc, "today", lambda: self.day)


def login(user):
    c = Client()
    c.force_login(user)
    return c


def ok(resp):
    assert resp.status_code in (200, 302), resp.status_code
    if resp.status_code == 302:
        # Follow to read the flash messages: an error message means the action was refused.
        return resp
    return resp


def no_errors(client):
    """The messages of the last redirect, asserting none is an error."""
    from django.contrib.messages import get_messages

    msgs = [(m.level_tag, str(m)) for m in get_messages(client.get(reverse("competition:list")).wsgi_request)]
    assert not [m for m in msgs if m[0] == "error"], msgs
    return msgs


def xlsx(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["name", "BIN", "OKED", "KATO", "affiliation group"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("participants.xlsx", buf.getvalue())


def test_whole_competition_through_the_web(monkeypatch, user_factory):
    from klaster.reference.models import OkedCode

    clock = Clock(monkeypatch)
    oked = OkedCode.objects.filter(level="subclass", code__startswith="23").values_list("code", flat=True)[0]
    org = user_factory("org", Role.ORGANIZER)
    akimat = user_factory("akim", Role.AKIMAT, region_kato="350000000")
    auth = body_of(user_factory("auth", Role.AUTHORIZED_BODY))
    reg = user_factory("reg", Role.REGIONAL_BODY)
    sec = user_factory("sec", Role.COMMISSION_SECRETARY)
    experts = [user_factory(f"exp{i}", Role.EXPERT, years_experience=6 + i) for i in range(3)]
    appl = [user_factory(f"app{i}", Role.APPLICANT) for i in range(4)]

    # Organizer announces (§4–§5): intake closes 14 May 2025, announced 60+ days before.
    o = login(org)
    ok(o.post(reverse("competition:organizer_announce"), {"title": "E2E", "announced_on": "2025-03-03",
                                                         "stage1_intake_closes": "2025-05-14", "public_note": "x"}))
    c = Competition.objects.get(title="E2E")
    assert c.state == "stage1_intake"
    assert login(appl[0]).get(reverse("competition:public", args=[c.pk])).status_code == 200

    # Applicants build packages.
    def build(user, stage, kind, n_part, start, docs, *, use_xlsx=False, request_akimat=True):
        cl = login(user)
        ok(cl.post(reverse("competition:application_create"), {
            "competition": c.pk, "stage": stage, "kind": kind, "organisation_name": f"Org {user.username}",
            "organisation_bin": bins(1, start=start + 900)[0], "cluster_name": f"Cluster {user.username}", "region_kato": "350000000"}))
        a = Application.objects.filter(applicant=user, stage=stage).latest("id")
        act = reverse("competition:application_action", args=[a.pk])
        for d in docs:
            if d == "concept":  # App. 2: 20–25 pages, counted by pypdf
                ok(cl.post(act, {"action": "upload", "doc_id": d, "file": SimpleUploadedFile(f"{d}.pdf", concept_pdf())}))
            else:
                ok(cl.post(act, {"action": "upload", "doc_id": d, "file": SimpleUploadedFile(f"{d}.pdf", PDF), "pages": 3}))
        ps = bins(n_part, start=start)
        if use_xlsx:
            bad = cl.post(act, {"action": "import", "xlsx": xlsx([["Bad row", "123456789012", oked, "351010000", ""]])}, follow=True)
            assert "row 2" in bad.content.decode()
            ok(cl.post(act, {"action": "import", "xlsx": xlsx([[f"P{i}", b, oked, "351010000", ""] for i, b in enumerate(ps)])}))
        else:
            for i, b in enumerate(ps):
                ok(cl.post(act, {"action": "participant", "name": f"P{i}", "bin": b, "oked": oked, "kato": "351010000"}))
        if request_akimat:
            ok(cl.post(act, {"action": "akimat"}))
        assert cl.get(reverse("competition:application", args=[a.pk])).status_code == 200
        # The structured documents of the stage (App. 2; App. 5 and 6) from their XLSX templates.
        for form_id in {1: ("concept",), 2: ("strategy", "roadmap")}[stage]:
            tpl = cl.get(reverse("competition:structured_template", args=[a.pk, form_id])).content
            url = reverse("competition:structured_form", args=[a.pk, form_id])
            ok(cl.post(url, {"action": "import", "version": a.current_version().version,
                             "xlsx": SimpleUploadedFile(f"{form_id}.xlsx", filled_workbook(tpl))}))
            a.refresh_from_db()
        return cl, a, act

    def paper(a):
        """The organizer records the paper original and copy (§9, §11), every document placed."""
        docs_ = [d.doc_id for d in a.submitted_version().documents.all()]
        order = ["document_list"] + [d for d in docs_ if d != "document_list"]
        data = {"received_by": "Clerk", "originals": "1", "copies": "1", "electronic": "on", "volumes": str(10 * len(order))}
        for i, d in enumerate(order):
            data.update({f"vol_{d}": "1", f"from_{d}": str(1 + 10 * i), f"to_{d}": str(10 + 10 * i)})
        ok(o.post(reverse("competition:organizer_paper", args=[a.pk]), data))
        no_errors(o)

    def admit():
        url = reverse("competition:organizer_admission", args=[c.pk])
        ok(o.post(url, {"action": "draft"}))
        page = o.get(url).content.decode()
        assert 'data-protocol-state="draft"' in page
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        ok(o.post(url, {"action": "sign", "version": version}))
        no_errors(o)

    def assign(stage_apps):
        """Bulk assignment of the suggested allocation (the council page)."""
        page = o.get(reverse("competition:organizer_council", args=[c.pk]) + "?per=3").content.decode()
        pairs = re.findall(r'name="pair" value="(\d+:\d+)" checked', page)
        assert len(pairs) == 3 * len(stage_apps)
        ok(o.post(reverse("competition:organizer_council", args=[c.pk]), {"pair": pairs}))
        no_errors(o)

    c0, a0, act0 = build(appl[0], 1, "business_association", 12, 10000, ["application", "concept", "document_list"], use_xlsx=True)
    c1, a1, act1 = build(appl[1], 1, "regional_chamber", 10, 20000, ["application", "concept", "document_list"])
    c2, a2, act2 = build(appl[2], 1, "sez_management_company", 10, 30000, ["application", "document_list"])
    assert a0.current_version().participants.count() == 12

    # The akimat issues its conclusions (App. 3) within 5 working days.
    clock.day = dt.date(2025, 3, 5)
    k = login(akimat)
    inbox = k.get(reverse("competition:conclusions")).content.decode()
    assert "Cluster app0" in inbox
    for cc in Conclusion.objects.filter(body="akimat"):
        ok(k.post(reverse("competition:conclusion", args=[cc.pk]), {"positive": "1", "text": "Confirmed"}))
    assert login(appl[0]).get(reverse("competition:application_document", args=[a0.pk, "akimat_conclusion", "kk"])).status_code == 200

    # Submission; amendment (§10) makes version 2; the receipt (App. 1) is issued.
    clock.day = dt.date(2025, 5, 12)
    for cl, act in ((c0, act0), (c1, act1), (c2, act2)):
        ok(cl.post(act, {"action": "submit", "statement": "on"}))
    ok(c0.post(act0, {"action": "amend", "notice": "adding the cost table"}))
    ok(c0.post(act0, {"action": "submit", "statement": "on"}))
    for a in (a0, a1, a2):
        a.refresh_from_db()
        paper(a)
    a0.refresh_from_db()
    assert a0.state == "submitted" and a0.submitted_version().number == 2
    r = c0.get(reverse("competition:application_document", args=[a0.pk, "receipt", "ru"]))
    assert r.status_code == 200 and r.content[:2] == b"PK"
    # The fourth applicant is late (§13).
    c3, a3, act3 = build(appl[3], 1, "business_association", 10, 40000, ["application", "concept", "document_list"], request_akimat=False)
    clock.day = dt.date(2025, 5, 15)
    resp = c3.post(act3, {"action": "submit", "statement": "on"}, follow=True)
    assert "§13" in resp.content.decode()
    a3.refresh_from_db()
    assert a3.state == "draft" and not a3.registration_number  # refused (§13): nothing recorded

    # Organizer: close intake, admission protocol (§15/§16), routing (§17), experts (§19).
    act = reverse("competition:organizer_action", args=[c.pk])
    assert "future" in o.post(act, {"action": "close_intake", "on": "2025-06-01"}, follow=True).content.decode()
    ok(o.post(act, {"action": "close_intake"}))
    clock.day = dt.date(2025, 5, 20)
    admit()
    a2.refresh_from_db()
    assert a2.state == "returned" and "§6.2" in a2.notice
    for a in (a0, a1):
        ok(o.post(act, {"action": "route", "application": a.pk}))
    assign((a0, a1))
    page = o.get(reverse("competition:organizer_competition", args=[c.pk])).content.decode()
    assert "stage1_completeness_check" in page and "§15" in page

    # Authorized and regional bodies give their conclusions (§17).
    clock.day = dt.date(2025, 5, 27)
    for user, body in ((auth, "authorized_body"), (reg, "regional_body")):
        b = login(user)
        for cc in Conclusion.objects.filter(body=body):
            ok(b.post(reverse("competition:conclusion", args=[cc.pk]), {"positive": "1", "text": f"{body} agrees"}))

    # Experts declare and score (§20).
    c_rules = c.rules
    for i, e in enumerate(experts):
        ec = login(e)
        for a, base in ((a0, 8), (a1, 4)):
            asg = ExpertAssignment.objects.get(application=a, expert=e)
            url = reverse("competition:expert_assignment", args=[asg.pk])
            ok(ec.post(url, {"action": "declare"}))
            asg.sheet.refresh_from_db()
            data = {"action": "submit", "version": asg.sheet.version}
            for x in c_rules.criteria.criteria:
                data[f"score_{x.id}"] = str(base)
                data[f"just_{x.id}"] = "reasoned"
            ok(ec.post(url, data))
    clock.day = dt.date(2025, 6, 10)
    ok(o.post(act, {"action": "review"}))
    ok(o.post(act, {"action": "send"}))

    # Commission secretary: minimum score and stage-2 deadline (§24–§26).
    s = login(sec)
    clock.day = dt.date(2025, 6, 20)
    ok(s.post(reverse("competition:commission", args=[c.pk]), {"minimum_score": "100", "meeting_on": "2025-06-18",
                                                              "protocol_on": "2025-06-20", "stage2_intake_closes": "2025-09-30"}))
    c.refresh_from_db(), a0.refresh_from_db(), a1.refresh_from_db()
    assert (c.state, a0.state, a1.state) == ("stage2_intake", "passed", "below_threshold")
    # The Commission page: the ranked list with points, the threshold and each decision.
    cp = s.get(reverse("competition:commission", args=[c.pk])).content.decode()
    assert re.search(r'data-threshold="100(\.0+)?"', cp)
    assert 'data-decision="passed"' in cp and 'data-decision="below_threshold"' in cp
    ranked_rows = re.findall(r"<tr[^>]*><td[^>]*>(\d+)</td><td[^>]*>Org app(\d)</td><td[^>]*>Cluster app\d</td><td[^>]*>([\d.]+)</td>", cp)
    assert [(r, who) for r, who, _ in ranked_rows] == [("1", "0"), ("2", "1")]
    assert float(ranked_rows[0][2]) >= 100 > float(ranked_rows[1][2])

    # Stage 2: the winner (§2.8) and a cluster association skipping stage 1 (§8).
    w, aw, actw = build(appl[0], 2, "business_association", 12, 10000, ["application", "strategy", "roadmap", "document_list"], request_akimat=False)
    assert aw.stage1_application_id == a0.pk and not aw.skipped_stage1
    assoc = user_factory("assoc", Role.APPLICANT)
    ca, aa, acta = build(assoc, 2, "cluster_association", 11, 50000, ["application", "strategy", "roadmap", "document_list"])
    assert aa.skipped_stage1
    for cl, a_act in ((w, actw), (ca, acta)):
        ok(cl.post(a_act, {"action": "authorized_body"}))  # §27
    clock.day = dt.date(2025, 7, 1)
    for cc in Conclusion.objects.filter(body="akimat", issued_on=None):
        ok(k.post(reverse("competition:conclusion", args=[cc.pk]), {"positive": "1", "text": "Confirmed"}))
    b = login(auth)
    for cc in Conclusion.objects.filter(body="authorized_body", application__stage=2):
        ok(b.post(reverse("competition:conclusion", args=[cc.pk]), {"action": "roadmap_forwarded"}))
        ok(b.post(reverse("competition:conclusion", args=[cc.pk]), {"positive": "1", "text": "Strategy consistent (§28.2)"}))
    clock.day = dt.date(2025, 9, 29)
    for cl, a_act in ((w, actw), (ca, acta)):
        ok(cl.post(a_act, {"action": "submit", "statement": "on"}))
    for a in (aw, aa):
        a.refresh_from_db()
        paper(a)
    clock.day = dt.date(2025, 10, 1)
    ok(o.post(act, {"action": "close_intake"}))
    admit()
    aw.refresh_from_db(), aa.refresh_from_db()
    assert (aw.state, aa.state) == ("admitted", "admitted")
    for a in (aw, aa):
        ok(o.post(act, {"action": "route", "application": a.pk}))
    assign((aw, aa))
    rg = login(reg)
    for cc in Conclusion.objects.filter(body="regional_body", application__stage=2):
        ok(rg.post(reverse("competition:conclusion", args=[cc.pk]), {"positive": "1", "text": "Consistent with the programme (§33)"}))
    for e in experts:
        ec = login(e)
        for a in (aw, aa):
            asg = ExpertAssignment.objects.get(application=a, expert=e)
            url = reverse("competition:expert_assignment", args=[asg.pk])
            ok(ec.post(url, {"action": "declare"}))
            asg.sheet.refresh_from_db()
            data = {"action": "submit", "version": asg.sheet.version}
            for x in c_rules.criteria.criteria:
                data[f"score_{x.id}"], data[f"just_{x.id}"] = "7", "ok"
            ok(ec.post(url, data))
    clock.day = dt.date(2025, 10, 20)
    ok(o.post(act, {"action": "review"}))
    ok(o.post(act, {"action": "send"}))
    clock.day = dt.date(2025, 11, 5)
    ok(s.post(reverse("competition:commission", args=[c.pk]), {
        f"winner_{aw.pk}": "1", f"support_{aw.pk}": "Co-financing of roadmap events 1–3",
        f"winner_{aa.pk}": "1", f"support_{aa.pk}": "Reimbursement of strategy costs",
        "meeting_on": "2025-11-03", "received_on": "2025-11-05"}))
    c.refresh_from_db()
    assert c.state == "decided"
    cp = s.get(reverse("competition:commission", args=[c.pk])).content.decode()
    assert cp.count('data-decision="winner"') == 2 and "Co-financing of roadmap events 1–3" in cp
    ok(o.post(act, {"action": "publish"}))
    c.refresh_from_db()
    assert c.state == "published"
    public = Client().get(reverse("competition:public", args=[c.pk])).content.decode()
    assert "Co-financing of roadmap events 1–3" in public and "Cluster assoc" in public

    # Every protocol is downloadable; every competition deadline was met (§40: 6, 7, 10 November).
    for clause in ("15", "22", "25", "31", "36", "39"):
        assert o.get(reverse("competition:protocol_document", args=[c.pk, clause, "kk"])).content[:2] == b"PK"
    rows = {r.step_id: r for r in svc.timeline(c, dt.date(2025, 11, 10)) if r.subject is None}
    assert rows["publish_results"].due == dt.date(2025, 11, 10) and rows["publish_results"].state == "met"
    late = [(k_, r.state) for k_, r in rows.items() if r.state not in ("met", "pending")]
    assert late == [], late
    # A published competition is finished: not among the running ones of the dashboard, listed
    # under "finished"; its deadlines are on its page's Deadlines tab.
    running = o.get(reverse("competition:organizer_dashboard")).content.decode()
    assert f'data-competition="{c.pk}"' not in running
    dash = o.get(reverse("competition:organizer_dashboard") + "?show=finished").content.decode()
    assert f'data-competition="{c.pk}"' in dash
    page = o.get(reverse("competition:organizer_competition", args=[c.pk]) + "?deadlines=done").content.decode()
    assert re.search(r'data-state="met" data-step="stage1_completeness_check"', page)
    # The competition page leads to each application, and the application page to its documents and receipts.
    for a in (a0, a1, a2, aw, aa):
        assert reverse("competition:organizer_application", args=[a.pk]) in page
    ap = o.get(reverse("competition:organizer_application", args=[a0.pk])).content.decode()
    assert reverse("competition:package_file", args=[a0.submitted_version().documents.first().pk]) in ap
    assert reverse("competition:application_document", args=[a0.pk, "receipt", "kk"]) in ap
    assert 'data-step="akimat_conclusion"' in ap and "working days" in ap


def test_failure_and_rerun_through_the_web(monkeypatch, user_factory):
    """§41–§42 over HTTP: one package admitted, one returned → fewer than two participants, the
    competition fails; the re-run deadline (two months, rolled to a working day) is shown to the public
    and on the organizer's timeline, stands out once missed, and the organizer announces the re-run."""
    from klaster.reference.models import OkedCode

    clock = Clock(monkeypatch)
    oked = OkedCode.objects.filter(level="subclass", code__startswith="23").values_list("code", flat=True)[0]
    org = user_factory("org_f", Role.ORGANIZER)
    akimat = user_factory("akim_f", Role.AKIMAT, region_kato="350000000")
    o = login(org)
    ok(o.post(reverse("competition:organizer_announce"), {"title": "Fails", "announced_on": "2025-03-03",
                                                         "stage1_intake_closes": "2025-05-14"}))
    c = Competition.objects.get(title="Fails")
    apps = []
    for i, docs_ in enumerate((["application", "concept", "document_list"], ["application", "document_list"])):
        user = user_factory(f"app_f{i}", Role.APPLICANT)
        cl = login(user)
        ok(cl.post(reverse("competition:application_create"), {
            "competition": c.pk, "stage": 1, "kind": "business_association", "organisation_name": f"Org {i}",
            "organisation_bin": bins(1, start=50900 + i)[0], "cluster_name": f"Cluster F{i}", "region_kato": "350000000"}))
        a = Application.objects.get(applicant=user)
        act = reverse("competition:application_action", args=[a.pk])
        for d in docs_:
            ok(cl.post(act, {"action": "upload", "doc_id": d, "file": SimpleUploadedFile(f"{d}.pdf", concept_pdf() if d == "concept" else PDF),
                             **({} if d == "concept" else {"pages": 3})}))
        for j, b in enumerate(bins(10, start=60000 + 1000 * i)):
            ok(cl.post(act, {"action": "participant", "name": f"P{j}", "bin": b, "oked": oked, "kato": "351010000"}))
        ok(cl.post(act, {"action": "akimat"}))
        tpl = cl.get(reverse("competition:structured_template", args=[a.pk, "concept"])).content
        ok(cl.post(reverse("competition:structured_form", args=[a.pk, "concept"]),
                   {"action": "import", "version": a.current_version().version, "xlsx": SimpleUploadedFile("c.xlsx", filled_workbook(tpl))}))
        apps.append((cl, a, act))
    clock.day = dt.date(2025, 3, 5)
    k = login(akimat)
    for cc in Conclusion.objects.filter(application__competition=c, body="akimat"):
        ok(k.post(reverse("competition:conclusion", args=[cc.pk]), {"positive": "1", "text": "Confirmed"}))
    clock.day = dt.date(2025, 5, 12)
    for cl, a, act in apps:
        ok(cl.post(act, {"action": "submit", "statement": "on"}))
    no_errors(apps[0][0])
    from klaster.competition.domain import records

    for _cl, a, _act in apps:
        a.refresh_from_db()
        docs_ = [d.doc_id for d in a.submitted_version().documents.all()]
        records.record_paper(actor=org, application=a, received_on=clock.day, received_by="Clerk", originals=1, copies=1, electronic=True,
                             volumes=[40], documents={d: [1, 1 + 10 * i, 10 + 10 * i] for i, d in enumerate(["document_list"] + [x for x in docs_ if x != "document_list"])})

    act = reverse("competition:organizer_action", args=[c.pk])
    clock.day = dt.date(2025, 5, 15)
    ok(o.post(act, {"action": "close_intake"}))
    clock.day = dt.date(2025, 5, 20)
    adm = reverse("competition:organizer_admission", args=[c.pk])
    ok(o.post(adm, {"action": "draft"}))
    ok(o.post(adm, {"action": "sign"}))
    c.refresh_from_db()
    states = sorted(Application.objects.filter(competition=c).values_list("state", flat=True))
    assert (c.state, states) == ("failed", ["admitted", "returned"])

    # §42: two calendar months from 20 May 2025 end on Sunday 20 July → Monday 21 July 2025.
    public = Client().get(reverse("competition:public", args=[c.pk])).content.decode()
    assert "fewer than two participants" in public and "21 Jul 2025" in public and "§42" in public
    page = o.get(reverse("competition:organizer_competition", args=[c.pk])).content.decode()
    assert "21 Jul 2025" in page
    row = re.search(r'<tr class="deadline-(\w+)[^"]*" data-state="\w+" data-step="rerun"', page)
    assert row and row.group(1) == "due"
    # Missed: the dashboard marks it overdue; then the organizer announces the re-run (met late).
    clock.day = dt.date(2025, 7, 22)
    dash = o.get(reverse("competition:organizer_dashboard")).content.decode()
    assert re.search(r'<tr class="deadline-overdue stands-out" data-state="overdue" data-step="rerun"', dash)
    ok(o.post(reverse("competition:organizer_announce"), {"title": "Fails again", "announced_on": "2025-07-22",
                                                         "stage1_intake_closes": "2025-09-30", "rerun_of": c.pk}))
    no_errors(o)
    c.refresh_from_db()
    assert c.state == "rerun_announced" and Competition.objects.get(title="Fails again").rerun_of == c
    page = o.get(reverse("competition:organizer_competition", args=[c.pk])).content.decode()
    row = re.search(r'<tr class="deadline-(\w+)[^"]*" data-state="\w+" data-step="rerun"', page)
    assert row and row.group(1) == "late"
