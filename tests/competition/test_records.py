"""Issue 15, part 3: every record the Rules name.

Reproductions: publication in print media (§4) was not recorded; the paper original and copy with
volumes and sheets (§9, §11) were not; the participant's statement (§12) was not asked; any
authorized-body user answered any cluster's request although §17 means the ministry of the cluster's
sector; the admission protocol was one irreversible click with no preview, no organizer override and
no editable notice. Each is recorded, checked and tested now.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from klaster.accounts.roles import Role
from klaster.common.files import sample_pdf
from klaster.common.models import AuditEntry
from klaster.competition.domain import records
from klaster.competition.domain import services as svc
from klaster.competition.models import AdmissionProtocol, Application, Conclusion

from .conftest import bins, body_of, concept_pdf, fill_content, record_paper

pytestmark = pytest.mark.django_db
D = dt.date
DOCS = ("application", "concept", "akimat_conclusion", "document_list")


@pytest.fixture
def world(user_factory, settings):
    from klaster.reference.models import OkedCode

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    u = {"org": user_factory("org", Role.ORGANIZER), "akim": user_factory("akim", Role.AKIMAT, region_kato="350000000"),
         "mid": body_of(user_factory("mid", Role.AUTHORIZED_BODY), "mid"), "moa": body_of(user_factory("moa", Role.AUTHORIZED_BODY), "moa"),
         "nobody": user_factory("nobody", Role.AUTHORIZED_BODY), "reg": user_factory("reg", Role.REGIONAL_BODY)}
    for i in range(3):
        u[f"a{i}"] = user_factory(f"a{i}", Role.APPLICANT)
    u["oked23"] = OkedCode.objects.filter(level="subclass", code__startswith="23").values_list("code", flat=True)[0]
    u["oked10"] = OkedCode.objects.filter(level="subclass", code__startswith="10").values_list("code", flat=True)[0]
    return u


def login(user):
    c = Client()
    c.force_login(user)
    return c


def announce(u, on=D(2025, 1, 10), closes=D(2025, 3, 20)):
    with svc.on_day(on):
        return svc.announce_competition(actor=u["org"], title="R", stage1_intake_closes=closes)


def package(u, c, i, *, sector=None, on=D(2025, 3, 3), concept_pages=22):
    user = u[f"a{i}"]
    with svc.on_day(on):
        a = svc.create_application(actor=user, competition=c, organisation_name=f"Org {i}", organisation_bin=bins(1, start=9000 + i)[0],
                                   kind="business_association", cluster_name=f"Cluster {i}", region_kato="350000000",
                                   sector_oked=sector or u["oked23"])
        for d in DOCS:
            svc.upload_document(actor=user, application=a, doc_id=d,
                                uploaded=SimpleUploadedFile(f"{d}.pdf", concept_pdf(concept_pages) if d == "concept" else sample_pdf(2)))
        for k, b in enumerate(bins(12, start=1000 * (i + 1))):
            svc.add_participant(actor=user, application=a, name=f"P{k}", bin=b, oked=sector or u["oked23"], kato="351010000")
        fill_content(a)
        svc.request_conclusion(actor=user, application=a, body="akimat")
    with svc.on_day(on + dt.timedelta(days=1)):
        svc.issue_conclusion(actor=u["akim"], conclusion=a.conclusions.get(body="akimat"), positive=True, text="ok")
    return a


# ----------------------------------------------------------------------------------------------- §4


@pytest.mark.rule("records.publication")
def test_section_4_publication_in_print_and_on_the_website_each_at_least_60_days_before(world):
    u = world
    c = announce(u)
    found = records.publication_findings(c)
    assert [p.clause for p in found] == ["§4", "§4"] and "official print media" in found[0].message
    with svc.on_day(D(2025, 1, 10)):
        records.record_publication(actor=u["org"], competition=c, medium="website", outlet="gov.kz", day=D(2025, 1, 10))
    with svc.on_day(D(2025, 1, 25)):
        # A print publication 54 days before intake closes: recorded as it happened, shown as a §5 finding.
        p = records.record_publication(actor=u["org"], competition=c, medium="print", outlet="Егемен Қазақстан", day=D(2025, 1, 25),
                                       reference="№ 12")
        with pytest.raises(svc.DomainError, match="future"):
            records.record_publication(actor=u["org"], competition=c, medium="print", outlet="X", day=D(2025, 1, 26))
        with pytest.raises(svc.DomainError, match="before"):
            records.record_publication(actor=u["org"], competition=c, medium="print", outlet="X", day=D(2025, 1, 9), reason="late entry")
        with pytest.raises(svc.DomainError, match="unknown medium"):
            records.record_publication(actor=u["org"], competition=c, medium="radio", outlet="X", day=D(2025, 1, 25))
    (late,) = records.publication_findings(c)
    assert late.clause == "§4, §5" and "less than 60 calendar days before intake closes" in late.message and "2025-01-19" in late.message
    assert AuditEntry.objects.filter(action="competition.publication", object_id=str(p.pk)).exists()
    # Through the page: a malformed day is a form error, nothing recorded.
    n = c.publications.count()
    r = login(u["org"]).post(reverse("competition:organizer_publication", args=[c.pk]), {"medium": "print", "outlet": "X", "on": "2025-02-30"})
    assert r.status_code == 302 and c.publications.count() == n


@pytest.mark.rule("records.publication")
def test_rules_without_forms_data_refuse_publications_and_paper_instead_of_assuming_them(world, monkeypatch):
    """The media (§4) and the paper limits (§9, §11) are the regulation data's; rules pinned without
    a forms dataset refuse the record (nothing written) instead of assuming print and website or 50
    volumes of 5,000 sheets."""
    import dataclasses

    from klaster.competition.models import Competition, PaperReceipt

    u = world
    c = announce(u)
    a = package(u, c, 0)
    with svc.on_day(D(2025, 3, 5)):
        svc.submit_application(actor=u["a0"], application=a, statement=True)
    real = Competition.rules.fget(c)
    monkeypatch.setattr(Competition, "rules", property(lambda self: dataclasses.replace(real, forms=None)))
    n = c.publications.count()
    with svc.on_day(D(2025, 1, 10)), pytest.raises(svc.DomainError, match="no publication media"):
        records.record_publication(actor=u["org"], competition=c, medium="print", outlet="X", day=D(2025, 1, 10))
    with svc.on_day(D(2025, 3, 6)), pytest.raises(svc.DomainError, match="no limits of the paper package"):
        records.record_paper(actor=u["org"], application=a, received_on=D(2025, 3, 6), received_by="clerk", originals=1, copies=1,
                             electronic=True, volumes=[10], documents={})
    assert c.publications.count() == n and not PaperReceipt.objects.filter(application=a).exists()


# ----------------------------------------------------------------------------------------------- §9, §11, §12


@pytest.mark.rule("records.statement")
def test_section_12_the_statement_is_accepted_at_submission(world, monkeypatch):
    u = world
    c = announce(u)
    a = package(u, c, 0)
    with svc.on_day(D(2025, 3, 10)):
        with pytest.raises(svc.DomainError, match="§12"):
            svc.submit_application(actor=u["a0"], application=a)
    a.refresh_from_db()
    assert a.state == "draft" and not a.registration_number and a.statement_at is None
    monkeypatch.setattr(svc, "today", lambda: D(2025, 3, 10))
    cl = login(u["a0"])
    act = reverse("competition:application_action", args=[a.pk])
    page = cl.get(reverse("competition:application", args=[a.pk])).content.decode()
    assert "answers for the completeness and accuracy" in page and 'name="statement"' in page
    r = cl.post(act, {"action": "submit", "version": a.current_version().version}, follow=True)
    assert any("statement" in str(m).lower() for m in r.context["messages"])
    a.refresh_from_db()
    assert a.state == "draft"
    cl.post(act, {"action": "submit", "version": a.current_version().version, "statement": "on"})
    a.refresh_from_db()
    assert a.state == "submitted" and a.statement_at and "completeness and accuracy" in a.statement_text
    assert AuditEntry.objects.filter(action="application.statement", object_id=str(a.pk)).exists()


@pytest.mark.rule("records.paper")
def test_sections_9_and_11_paper_original_and_copy_with_volumes_and_sheets(world):
    u = world
    c = announce(u)
    a = package(u, c, 0)
    with svc.on_day(D(2025, 3, 10)):
        svc.submit_application(actor=u["a0"], application=a, statement=True)
    found = [p for p in svc.completeness(a).problems if p.rule == "records.paper"]
    assert [(p.clause, p.message) for p in found] == [("§9, §11", "the paper original and copy of the package have not been received")]
    with svc.on_day(D(2025, 3, 12)):
        r = records.record_paper(actor=u["org"], application=a, received_on=D(2025, 3, 12), received_by="Clerk", originals=1, copies=0,
                                 electronic=True, volumes=[60, 40], documents={"concept": [1, 1, 30], "application": [2, 1, 3],
                                                                               "akimat_conclusion": [2, 30, 45]})
    msgs = {p.message for p in svc.completeness(a).problems if p.rule == "records.paper"}
    assert "0 paper copy(ies) received; 1 required" in msgs
    assert "the list of documents is not bound first (volume 1, sheet 1)" in msgs
    assert any(m.startswith("List of the package's documents") and "not given" in m for m in msgs)
    assert any("sheets 30–45 lie outside volume 2 (40 sheets)" in m for m in msgs)
    # Corrected by the organizer; a stale second page is refused.
    stale = r.version
    with svc.on_day(D(2025, 3, 12)):
        records.record_paper(actor=u["org"], application=a, received_on=D(2025, 3, 12), received_by="Clerk", originals=1, copies=1,
                             electronic=True, volumes=[60, 40], documents={"document_list": [1, 1, 2], "concept": [1, 3, 30],
                                                                           "application": [2, 1, 3], "akimat_conclusion": [2, 4, 10]},
                             version=stale)
        with pytest.raises(svc.StaleEdit):
            records.record_paper(actor=u["org"], application=a, received_on=D(2025, 3, 12), received_by="Other", originals=2, copies=2,
                                 electronic=True, volumes=[1], documents={}, version=stale)
    assert not [p for p in svc.completeness(a).problems if p.rule == "records.paper"]
    a.paper.refresh_from_db()
    assert a.paper.received_by == "Clerk"
    # Paper received after intake closed is not accepted (§13); nothing recorded.
    b = package(u, c, 1)
    with svc.on_day(D(2025, 3, 18)):
        svc.submit_application(actor=u["a1"], application=b, statement=True)
    with svc.on_day(D(2025, 3, 21)), pytest.raises(svc.DomainError, match="§13"):
        records.record_paper(actor=u["org"], application=b, received_on=D(2025, 3, 21), received_by="Clerk", originals=1, copies=1,
                             electronic=True, volumes=[10], documents={})
    assert not hasattr(Application.objects.get(pk=b.pk), "paper") or not records.paper_of(b)
    # The receipt (App. 1) names the paper package and the §12 statement.
    from docx import Document

    from klaster.competition import documents

    text = "\n".join(p.text for p in Document(io.BytesIO(documents.receipt(a, "ru"))).paragraphs)
    assert "оригинал — 1, копия — 1; томов — 2 (листов: 60; 40)" in text and "п. 12" in text


@pytest.mark.rule("records.paper")
def test_the_paper_form_on_the_organizer_page_refuses_malformed_values_and_writes_nothing(world, monkeypatch):
    u = world
    c = announce(u)
    a = package(u, c, 0)
    with svc.on_day(D(2025, 3, 10)):
        svc.submit_application(actor=u["a0"], application=a, statement=True)
    monkeypatch.setattr(svc, "today", lambda: D(2025, 3, 11))
    cl = login(u["org"])
    url = reverse("competition:organizer_paper", args=[a.pk])
    for bad in ({"volumes": "1e30"}, {"volumes": "12; x"}, {"originals": "-1"}, {"vol_concept": "1"}, {"on": "2025-03-12"}):
        data = {"received_by": "Clerk", "originals": "1", "copies": "1", "volumes": "20", "on": "2025-03-11", **bad}
        cl.post(url, data)
        assert records.paper_of(a) is None, bad
    ok = {"received_by": "Clerk", "originals": "1", "copies": "1", "electronic": "on", "volumes": "20; 10", "on": "2025-03-11",
          "vol_document_list": "1", "from_document_list": "1", "to_document_list": "1"}
    cl.post(url, ok)
    assert records.paper_of(a).volumes == (20, 10)


# ----------------------------------------------------------------------------------------------- §17, §27


@pytest.mark.rule("routing.sector_body")
def test_section_17_the_request_goes_to_the_authorized_body_of_the_clusters_sector(world, monkeypatch):
    u = world
    c = announce(u)
    build = package(u, c, 0)  # building materials (OKED 23): the Ministry for Investment and Development
    food = package(u, c, 1, sector=u["oked10"])  # food products (OKED 10): the Ministry of Agriculture (assumed)
    with svc.on_day(D(2025, 3, 18)):
        for a in (build, food):
            svc.submit_application(actor=a.applicant, application=a, statement=True)
            record_paper(a, u["org"])
    with svc.on_day(D(2025, 3, 21)):
        svc.close_intake(actor=u["org"], competition=c)
        svc.sign_admission_protocol(actor=u["org"], competition=c)
    with svc.on_day(D(2025, 3, 26)):
        for a in (build, food):
            a.refresh_from_db()
            svc.route_for_conclusions(actor=u["org"], application=a)
    cb, cf = (Conclusion.objects.get(application=a, body="authorized_body") for a in (build, food))
    assert (cb.ministry, cf.ministry) == ("mid", "moa")
    body, rule = records.ministry_for(food)
    assert body.assumed and rule.oked == "10"
    assert u["mid"].has_perm("competition.issue_conclusion", cb) and not u["mid"].has_perm("competition.issue_conclusion", cf)
    assert u["moa"].has_perm("competition.issue_conclusion", cf) and not u["moa"].has_perm("competition.issue_conclusion", cb)
    assert not u["nobody"].has_perm("competition.issue_conclusion", cb)  # no ministry recorded: answers nothing
    # The inbox lists only the ministry's own requests; the other's page is forbidden.
    monkeypatch.setattr(svc, "today", lambda: D(2025, 3, 27))
    inbox = login(u["moa"]).get(reverse("competition:conclusions")).content.decode()
    assert "Cluster 1" in inbox and "Cluster 0" not in inbox
    assert login(u["moa"]).get(reverse("competition:conclusion", args=[cb.pk])).status_code == 403
    r = login(u["moa"]).post(reverse("competition:conclusion", args=[cb.pk]), {"positive": "1", "text": "ok"})
    assert r.status_code == 403 and Conclusion.objects.get(pk=cb.pk).issued_on is None
    # The application page names the sector and its body.
    page = login(u["org"]).get(reverse("competition:organizer_application", args=[food.pk])).content.decode()
    assert "Ministry of Agriculture" in page and "assumed by klaster" in page


# ----------------------------------------------------------------------------------------------- admission protocol


@pytest.mark.rule("step.stage1_completeness_check", "step.stage1_return", "step.failure")
def test_admission_protocol_drafted_reviewed_with_overrides_and_an_edited_notice_then_signed(world, monkeypatch):
    u = world
    c = announce(u)
    good = package(u, c, 0)
    short = package(u, c, 1, concept_pages=3)  # App. 2: 3 pages
    doubt = package(u, c, 2)
    with svc.on_day(D(2025, 3, 18)):
        for a in (good, short, doubt):
            svc.submit_application(actor=a.applicant, application=a, statement=True)
            record_paper(a, u["org"])
    with svc.on_day(D(2025, 3, 21)):
        svc.close_intake(actor=u["org"], competition=c)
    monkeypatch.setattr(svc, "today", lambda: D(2025, 3, 24))
    cl = login(u["org"])
    url = reverse("competition:organizer_admission", args=[c.pk])
    assert cl.post(url, {"action": "draft"}).status_code == 302
    proto = AdmissionProtocol.objects.get(competition=c, stage=1)
    dec = {d.application_id: d for d in proto.decisions.all()}
    assert (dec[good.pk].proposed, dec[short.pk].proposed, dec[doubt.pk].proposed) == ("admit", "return", "admit")
    assert "3 pages without the annexes; 20–25 are required (App. 2)" in dec[short.pk].notice
    page = cl.get(url).content.decode()
    assert 'data-protocol-state="draft"' in page and "3 pages without the annexes" in page
    # The draft's DOCX is marked as a draft.
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(cl.get(reverse("competition:protocol_document", args=[c.pk, "15", "ru"])).content)).paragraphs)
    assert "ПРОЕКТ" in text
    base = {"action": "review", "version": proto.version}
    for d in dec.values():
        base.update({f"decision_{d.application_id}": d.decision, f"notice_{d.application_id}": d.notice})
    # Returning a complete package (§16: information not substantiated) without a reason is refused; so is a return without a notice.
    r = cl.post(url, {**base, f"decision_{doubt.pk}": "return", f"notice_{doubt.pk}": "Инвестиции не подтверждены"})
    assert r.status_code == 400 and "state the reason" in r.content.decode()
    r = cl.post(url, {**base, f"decision_{doubt.pk}": "return", f"reason_{doubt.pk}": "§16"})
    assert r.status_code == 400 and "written notice" in r.content.decode()
    assert AdmissionProtocol.objects.get(pk=proto.pk).decisions.get(application=doubt).decision == "admit"  # nothing written
    ok = {**base, f"decision_{doubt.pk}": "return", f"notice_{doubt.pk}": "Объём инвестиций бизнеса не подтверждён (п. 16)",
          f"reason_{doubt.pk}": "§16: unsubstantiated business investment", f"notice_{short.pk}": "Концепция — 3 листа вместо 20–25 (прил. 2)"}
    assert cl.post(url, ok).status_code == 302
    # A second session with the old version is refused (409), the first one's decisions stay.
    stale = cl.post(url, {**ok, f"decision_{doubt.pk}": "admit"})
    assert stale.status_code == 409
    assert AdmissionProtocol.objects.get(pk=proto.pk).decisions.get(application=doubt).decision == "return"
    proto.refresh_from_db()
    r = cl.post(url, {"action": "sign", "version": proto.version})
    assert r.status_code == 302
    for a in (good, short, doubt):
        a.refresh_from_db()
    assert (good.state, short.state, doubt.state) == ("admitted", "returned", "returned")
    assert short.notice == "Концепция — 3 листа вместо 20–25 (прил. 2)" and "не подтверждён" in doubt.notice
    c.refresh_from_db()
    assert c.state == "failed"  # one admitted: §41
    assert AuditEntry.objects.filter(action="admission.decision").count() == 2 and AuditEntry.objects.filter(action="admission.sign").exists()


# ----------------------------------------------------------------------------------------------- App. 1, App. 3, App. 4


@pytest.mark.rule("document.receipt")
def test_app1_receipt_carries_the_fields_of_the_form(world):
    """App. 1 (stage 1) / App. 4 (stage 2): cluster name, participant, signatory's position and full
    name, received by, registration No. and date; a copy for the applicant."""
    from docx import Document

    from klaster.competition import documents

    u = world
    c = announce(u)
    a = package(u, c, 0)
    a.signatory_position, a.signatory_name = "Председатель", "Иванов И. И."
    a.save()
    with svc.on_day(D(2025, 3, 10)):
        svc.submit_application(actor=u["a0"], application=a, statement=True, received_by="Айгерим Организатор")
    a.refresh_from_db()
    for lang, words in (("ru", ("Приложение 1", "Наименование территориального кластера: Cluster 0", "Председатель Иванов И. И.",
                                "Принял (Ф.И.О. лица, принявшего заявку): Айгерим Организатор", f"Регистрационный №: {a.registration_number}",
                                "«10» марта 2025 г.", "Копия настоящей заявки выдаётся заявителю")),
                        ("kk", ("1-қосымша", "Аумақтық кластердің атауы: Cluster 0", "2025 жылғы «10» наурыз"))):
        text = "\n".join(p.text for p in Document(io.BytesIO(documents.receipt(a, lang))).paragraphs)
        for w in words:
            assert w in text, (lang, w)


@pytest.mark.rule("document.akimat_conclusion")
def test_app3_akimat_conclusion_lists_the_participants_with_their_activity(world):
    from docx import Document

    from klaster.competition import documents

    u = world
    c = announce(u)
    a = package(u, c, 0)
    doc = Document(io.BytesIO(documents.akimat_conclusion(a, "ru")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Приложение 3" in text and "Подтверждает наличие/отсутствие участников" in text and "Положительное: ok" in text
    rows = [[c_.text for c_ in r.cells] for r in doc.tables[0].rows]
    assert rows[0] == ["№", "Участники кластера", "Вид деятельности участника кластера (ОКЭД)"] and len(rows) == 13
    assert rows[1][1].startswith("P0 (БИН ") and rows[1][2] == u["oked23"]
