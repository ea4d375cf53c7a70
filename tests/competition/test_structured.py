"""Issue 15, part 1: the concept (App. 2), strategy (App. 5) and roadmap (App. 6) as data.

Reproductions: a 3-page concept was accepted although App. 2 asks for 20–25 pages; the company
profile table of App. 2 §7, the roadmap's six groups of events with their columns and the strategy's
quarterly cash flow were not collected. Each is a finding with its clause now; the forms and the XLSX
templates fill them (row-level errors, nothing half-written); the data renders into DOCX.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from klaster.accounts.roles import Role
from klaster.common.files import sample_pdf
from klaster.competition.domain import services as svc
from klaster.competition.domain import structured
from klaster.engine.competition import forms as eng_forms
from klaster.engine.competition.package import DocumentInfo, check_package

from tests.xlsx_cases import declared_whole_sheet

from .conftest import ANNOUNCED, bins, full_content, participants

D = dt.date


# ----------------------------------------------------------------------------------------------- the engine


def _problems(res, prefix):
    return [p for p in res.problems if p.rule.startswith(prefix)]


@pytest.mark.rule("form.concept.pages")
def test_app2_a_3_page_concept_is_refused_and_20_to_25_pages_without_annexes_pass(rules):
    """The reproduction: a concept of 3 pages passed the completeness check; App. 2 asks 20–25 A4
    pages, the annexes not counted."""
    docs = lambda pages, annex=None, non_a4=(): [DocumentInfo(d, pages=pages if d == "concept" else 1, annex_from=annex if d == "concept" else None,
                                                              non_a4=non_a4 if d == "concept" else ())
                                                 for d in ("application", "concept", "akimat_conclusion", "document_list")]
    ps = participants(10)
    struct = full_content(rules, 1, ps)
    run = lambda **kw: check_package(rules, stage=1, documents=docs(**kw), participants=ps, structured=struct, announced=ANNOUNCED)
    short = run(pages=3)
    assert not short.complete
    (p,) = _problems(short, "form.concept.pages")
    assert p.clause == "App. 2" and "3 pages without the annexes; 20–25 are required" in p.message
    assert run(pages=22).complete and run(pages=20).complete and run(pages=25).complete
    assert not run(pages=26).complete
    # 30 pages of which the annexes start at page 24: 23 pages count.
    assert run(pages=30, annex=24).complete
    assert "19 pages" in _problems(run(pages=30, annex=20), "form.concept.pages")[0].message
    assert "start at page 40" in _problems(run(pages=30, annex=40), "form.concept.pages")[0].message
    # Unknown pages (a DOCX without a stated count) are not accepted as 20–25.
    assert "number of pages is not known" in _problems(run(pages=None), "form.concept.pages")[0].message
    # Pages that are not A4: a warning, not a refusal.
    w = run(pages=22, non_a4=(3, 4))
    assert w.complete and _problems(w, "form.concept.pages")[0].severity == "warning"


@pytest.mark.rule("form.concept.structure", "form.strategy.structure")
def test_app2_and_app5_every_item_of_every_section_is_required_with_its_clause(rules):
    fs = rules.forms
    concept = fs.form("concept")
    # The sections and items of App. 2, in the seed's order.
    assert [s.id for s in concept.sections] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert [i.id for i in concept.sections[0].items] == [f"1.{n}" for n in range(1, 8)]
    assert concept.sections[6].items[0].table == "company_profiles" and concept.pages.min == 20 and concept.pages.max == 25
    strategy = fs.form("strategy")
    assert [s.id for s in strategy.sections] == [str(n) for n in range(1, 11)]
    assert {i.table for i in strategy.table_items} == {"company_profiles", "cash_flow"}
    ps = participants(10)
    data = full_content(rules, 1, ps)["concept"]
    assert eng_forms.check_document(fs, concept, data, participants=[(p.bin, p.name) for p in ps], announced=ANNOUNCED) == []
    del data["items"]["5.6"]
    data["items"]["3.2"] = "   "
    found = eng_forms.check_document(fs, concept, data, participants=[(p.bin, p.name) for p in ps], announced=ANNOUNCED)
    assert [(p.clause, p.rule) for p in found] == [("App. 2 §3.2", "form.concept.structure"), ("App. 2 §5.6", "form.concept.structure")]
    assert "item 5.6 “Innovation infrastructure (technoparks, technology-transfer centres)” is empty" in found[1].message
    nothing = eng_forms.check_document(fs, strategy, None)
    assert nothing[0].clause == "App. 5" and "not filled in" in nothing[0].message


@pytest.mark.rule("form.concept.company_profiles", "form.strategy.company_profiles")
def test_app2_section_7_a_profile_per_participant_with_every_field_and_year(rules):
    """App. 2 §7 (and App. 5 §7): turnover, export, net profit %, value added, staff, % in R&D and R&D
    spending by year, for every company; a year before the founding may be empty."""
    fs = rules.forms
    t = fs.tables["company_profiles"]
    assert [i.id for i in t.indicators] == ["turnover", "export", "net_profit_pct", "gva", "employees", "rd_staff_pct", "rd_spending"]
    assert t.years(D(2015, 9, 1)) == [2011, 2012, 2013, 2014]
    ps = participants(10)
    data = full_content(rules, 1, ps)["concept"]
    rows = data["tables"]["company_profiles"]
    rows.pop(3)  # participant 4 has no profile
    rows[0].pop("email")
    rows[1]["indicators"]["2013"].pop("export")
    rows[2]["founded"] = "2013-05-01"  # founded in 2013: 2011 and 2012 may be empty
    rows[2]["indicators"].pop("2011")
    rows[2]["indicators"].pop("2012")
    rows.append({**rows[5], "bin": bins(1, start=7777)[0], "name": "Stranger"})
    found = eng_forms.check_document(fs, fs.form("concept"), data, participants=[(p.bin, p.name) for p in ps], announced=ANNOUNCED)
    msgs = [(p.clause, p.severity, str(p.message)) for p in found]
    assert ("App. 2 §7", "error", f"no company profile for participant Company 4 (BIN {ps[3].bin})") in msgs
    assert any(m[2].startswith("company profile of Company 1") and "E-mail" in m[2] for m in msgs)
    assert any(m[2].startswith("company profile of Company 2") and "1 indicator value(s)" in m[2] for m in msgs)
    assert not any("Company 3" in m[2] for m in msgs)
    assert ("App. 2 §7", "warning", f"company profile of Stranger (BIN {bins(1, start=7777)[0]}): not a participant of the package") in msgs
    strategy = eng_forms.check_document(fs, fs.form("strategy"), full_content(rules, 2, ps)["strategy"], participants=[(ps[0].bin, "X")],
                                        announced=ANNOUNCED)
    assert any(p.rule == "form.strategy.company_profiles" and p.severity == "warning" for p in strategy)


@pytest.mark.rule("form.strategy.cash_flow")
def test_app5_quarterly_cash_flow_for_five_years(rules):
    fs = rules.forms
    t = fs.tables["cash_flow"]
    assert len(t.keys()) == 20 and {ln.direction for ln in t.lines} == {"in", "out"}
    data = full_content(rules, 2, participants(10))["strategy"]
    data["tables"]["cash_flow"]["cells"]["out_payroll"].pop("y5q4")
    data["tables"]["cash_flow"]["first_year"] = None
    found = [p for p in eng_forms.check_document(fs, fs.form("strategy"), data, participants=[(p.bin, p.name) for p in participants(10)],
                                                 announced=ANNOUNCED) if p.rule == "form.strategy.cash_flow"]
    assert [p.clause for p in found] == ["App. 5 §9.4", "App. 5 §9.4"]
    assert "first year" in found[0].message and "1 of 140 cells are empty (first: out_payroll y5q4)" in found[1].message
    # Cleaning: a decimal comma, a negative amount, an exponent, three decimals.
    value, errs = eng_forms.clean_cash_flow(t, "2026", {"in_own": {"y1q1": "1 200,5", "y1q2": "-5", "y1q3": "1e30", "y1q4": "1,234"}}, lang="ru")
    assert value["cells"]["in_own"] == {"y1q1": "1200.5"} and value["first_year"] == 2026
    assert sorted(e.key for e in errs) == ["in_own.y1q2", "in_own.y1q3", "in_own.y1q4"]


@pytest.mark.rule("form.roadmap.events")
def test_app6_six_groups_of_events_with_their_columns_and_elements(rules):
    fs = rules.forms
    t = fs.tables["events"]
    assert [g.id for g in t.groups] == ["1", "2", "3", "4", "5", "6"] and [g.required for g in t.groups] == [True] * 5 + [False]
    assert [c.id for c in t.columns] == ["title", "completion_form", "executor", "financing", "sources", "start", "end"]
    assert [d.id for d in t.details] == ["concept", "intermediate_results", "final_results", "target_group", "evaluation"]
    data = full_content(rules, 2, participants(10))["roadmap"]
    rows = data["tables"]["events"]["rows"]
    rows[:] = [r for r in rows if r["group"] not in ("3", "6")]
    rows[0].pop("executor")
    rows[1]["financing"] = {}
    found = eng_forms.check_document(fs, fs.form("roadmap"), data)
    assert [p.clause for p in found] == ["App. 6"] * 3
    assert "no event in group 3 “Events implementing the human-resources strategy”" in found[0].message
    assert "lacks: Responsible executor" in found[1].message and "Financing by year" in found[2].message
    row, errs = eng_forms.clean_event(t, {"group": "7", "start": "31.02.2026", "end": "2026-01-01", "sources": "own; budget",
                                          "financing_y1": "abc"}, lang="ru")
    assert {e.key for e in errs} == {"group", "start", "sources", "financing_y1"}
    row, errs = eng_forms.clean_event(t, {"group": "1", "start": "01.06.2026", "end": "01.01.2026"}, lang="ru")
    assert [e.key for e in errs] == ["end"] and "before the start" in errs[0].message


def test_forms_data_validated_on_load_naming_file_and_field(tmp_path):
    from klaster.engine.competition.rules import RulesFormatError
    from klaster.regulations import load, parse_bytes

    doc = load("competition-decree-535-forms")
    raw = doc.path.read_text().replace("table: cash_flow", "table: cash_flows")
    bad = parse_bytes(raw.encode(), tmp_path / "competition-decree-535-forms" / "x.yaml")
    with pytest.raises(RulesFormatError, match=r"x\.yaml: content\.forms\[1\]\.sections\[8\]\.items\[3\]\.table: unknown table 'cash_flows'"):
        eng_forms.parse_forms(bad)


# ----------------------------------------------------------------------------------------------- the web app



@pytest.fixture
def draft(user_factory):
    """A stage-1 draft of an applicant with 10 participants, in a competition whose intake is open."""
    from klaster.reference.models import OkedCode

    org = user_factory("org15", Role.ORGANIZER)
    user = user_factory("appl15", Role.APPLICANT)
    oked = OkedCode.objects.filter(level="subclass", code__startswith="23").values_list("code", flat=True)[0]
    with svc.on_day(D(2025, 1, 10)):
        c = svc.announce_competition(actor=org, title="C15", stage1_intake_closes=D(2025, 3, 20))
    with svc.on_day(D(2025, 2, 3)):
        a = svc.create_application(actor=user, competition=c, organisation_name="Org", organisation_bin=bins(1, start=9100)[0],
                                   kind="business_association", cluster_name="Cluster", region_kato="350000000", sector_oked=oked)
        for k, b in enumerate(bins(10, start=4000)):
            svc.add_participant(actor=user, application=a, name=f"P{k}", bin=b, oked=oked, kato="351010000")
    return {"org": org, "user": user, "c": c, "a": a, "oked": oked}


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _errors(resp):
    from django.contrib.messages import get_messages

    return [str(m) for m in get_messages(resp.wsgi_request) if m.level_tag == "error"]


@pytest.mark.django_db
@pytest.mark.rule("form.concept.structure", "form.concept.company_profiles")
def test_the_concept_filled_through_the_forms_of_its_sections_and_profiles(draft, monkeypatch):
    monkeypatch.setattr(svc, "today", lambda: D(2025, 2, 4))
    a, cl = draft["a"], _client(draft["user"])
    url = reverse("competition:structured_form", args=[a.pk, "concept"])
    page = cl.get(url)
    assert page.status_code == 200 and "1.1. Location of the territorial cluster" in page.content.decode()
    v = a.current_version()
    r = cl.post(url, {"action": "items", "version": v.version, "item_1.1": "Karaganda region", "item_3.1": "Twelve companies"})
    assert r.status_code == 302
    data = structured.data_of(a.current_version(), "concept")
    assert data["items"]["1.1"] == "Karaganda region" and data["items"]["3.1"] == "Twelve companies"
    # A profile with a bad e-mail and a number with letters: refused, nothing stored, the values kept on the page.
    p0 = v.participants.first()
    v.refresh_from_db()
    y = structured.indicator_years(a)[-1]
    assert structured.indicator_years(a) == [2021, 2022, 2023, 2024]  # announced in 2025: the four years before
    bad = {"action": "profile", "version": v.version, "name": p0.name, "bin": p0.bin, "email": "not-an-address", f"turnover_{y}": "12abc"}
    r = cl.post(url, bad)
    assert r.status_code == 400 and "not an e-mail address" in r.content.decode() and 'value="12abc"' in r.content.decode()
    assert "company_profiles" not in structured.data_of(a.current_version(), "concept").get("tables", {})
    good = {**bad, "email": "a@b.kz", f"turnover_{y}": "17 000,5", f"net_profit_pct_{y}": "-3,5", "founded": "01.03.2010", "ownership": "domestic"}
    r = cl.post(url, good)
    assert r.status_code == 302, _errors(r)
    row = structured.data_of(a.current_version(), "concept")["tables"]["company_profiles"][0]
    assert row["indicators"][str(y)] == {"turnover": "17000.5", "net_profit_pct": "-3.5"} and row["founded"] == "2010-03-01"
    # The completeness check names what is still missing, with its clause.
    check = svc.completeness(a)
    assert any(p.clause == "App. 2 §7" and "no company profile for participant P1" in p.message for p in check.problems)
    assert any(p.clause == "App. 2 §1" and "item 1.2" in p.message for p in check.problems)


@pytest.mark.django_db
def test_two_tabs_on_the_same_draft_the_second_save_is_told_and_writes_nothing(draft, monkeypatch):
    monkeypatch.setattr(svc, "today", lambda: D(2025, 2, 4))
    a, cl = draft["a"], _client(draft["user"])
    url = reverse("competition:structured_form", args=[a.pk, "concept"])
    loaded = a.current_version().version
    assert cl.post(url, {"action": "items", "version": loaded, "item_2.1": "first tab"}).status_code == 302
    r = cl.post(url, {"action": "items", "version": loaded, "item_2.1": "second tab"})
    assert r.status_code == 409 and "second tab" in r.content.decode() and 'data-stale="1"' in r.content.decode()
    assert structured.data_of(a.current_version(), "concept")["items"]["2.1"] == "first tab"


def _filled_template(cl, a, form_id, edit):
    r = cl.get(reverse("competition:structured_template", args=[a.pk, form_id]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    edit(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(f"{form_id}.xlsx", buf.getvalue())


@pytest.mark.django_db
@pytest.mark.rule("form.concept.company_profiles")
def test_the_xlsx_template_round_trip_with_row_level_errors_and_nothing_half_written(draft, monkeypatch):
    monkeypatch.setattr(svc, "today", lambda: D(2025, 2, 4))
    a, cl = draft["a"], _client(draft["user"])
    url = reverse("competition:structured_form", args=[a.pk, "concept"])

    def fill(wb, *, bad_row=None):
        items = wb["items"]
        assert [c.value for c in items[1]] == ["item", "title", "text"]
        for row in items.iter_rows(min_row=3):
            row[2].value = f"Text of {row[0].value}"
        prof = wb["company_profiles"]
        keys = [c.value for c in prof[1]]
        assert prof.max_row == 12  # the template lists the package's ten participants
        for row in prof.iter_rows(min_row=3):
            vals = dict(zip(keys, row))
            for k, cell in vals.items():
                if k.endswith(("_2021", "_2022", "_2023", "_2024")):
                    cell.value = 10 if not k.startswith(("net_profit", "rd_staff")) else 5
            for k, v in {"street": "Street 1", "city": "Karaganda", "postcode": "100000", "capital_country": "KZ", "founded": "01.02.2005",
                         "main_clients": "Builders", "ownership": "отечественная", "contact_surname": "A", "contact_name": "B",
                         "contact_position": "CEO", "phone": "+7 701 000 00 00", "email": "x@y.kz"}.items():
                vals[k].value = v
        if bad_row is not None:
            prof.cell(row=bad_row, column=keys.index("email") + 1, value="bad")
            prof.cell(row=bad_row + 1, column=keys.index("founded") + 1, value="30.02.2005")

    r = cl.post(url, {"action": "import", "version": a.current_version().version,
                      "xlsx": _filled_template(cl, a, "concept", lambda wb: fill(wb, bad_row=5))}, follow=True)
    errs = _errors(r)
    assert "sheet company_profiles, row 5, column email: E-mail: “bad” is not an e-mail address" in errs
    assert "sheet company_profiles, row 6, column founded: Founding date: “30.02.2005” is not a date (dd.mm.yyyy)" in errs
    assert "nothing was imported" in errs
    assert structured.data_of(a.current_version(), "concept") == {}  # nothing half-written
    r = cl.post(url, {"action": "import", "version": a.current_version().version,
                      "xlsx": _filled_template(cl, a, "concept", fill)}, follow=True)
    assert not _errors(r)
    data = structured.data_of(a.current_version(), "concept")
    assert len(data["tables"]["company_profiles"]) == 10 and data["tables"]["company_profiles"][0]["ownership"] == "domestic"
    assert not [p for p in svc.completeness(a).problems if p.rule.startswith("form.concept.") and p.rule != "form.concept.pages"]
    # A workbook declaring the whole sheet is refused at once (limits), nothing written.
    r = cl.post(url, {"action": "import", "version": a.current_version().version,
                      "xlsx": SimpleUploadedFile("x.xlsx", declared_whole_sheet(("item", "title", "text"), last_cell=True, title="items"))},
                follow=True)
    assert any("more than" in e for e in _errors(r))


@pytest.mark.django_db
def test_a_formula_in_the_data_stays_text_in_the_template(draft, monkeypatch):
    monkeypatch.setattr(svc, "today", lambda: D(2025, 2, 4))
    a, cl = draft["a"], _client(draft["user"])
    structured.save_items(actor=draft["user"], application=a, form_id="concept", items={"1.1": '=HYPERLINK("http://x","y")'}, version=None)
    wb = openpyxl.load_workbook(io.BytesIO(cl.get(reverse("competition:structured_template", args=[a.pk, "concept"])).content))
    cell = next(r[2] for r in wb["items"].iter_rows(min_row=3) if r[0].value == "1.1")
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


@pytest.mark.django_db
@pytest.mark.rule("form.concept.pages")
def test_the_uploaded_concept_pages_annexes_by_the_form_or_a_bookmark_and_non_a4_pages(draft, monkeypatch):
    from pypdf import PdfWriter

    monkeypatch.setattr(svc, "today", lambda: D(2025, 2, 4))
    a, user = draft["a"], draft["user"]
    d = svc.upload_document(actor=user, application=a, doc_id="concept", uploaded=SimpleUploadedFile("c.pdf", sample_pdf(3)))
    assert (d.pages, d.annex_from) == (3, None)
    assert any("3 pages without the annexes" in p.message for p in svc.completeness(a).problems)
    d = svc.upload_document(actor=user, application=a, doc_id="concept", uploaded=SimpleUploadedFile("c.pdf", sample_pdf(30)), annex_from=24)
    assert (d.pages, d.annex_from, d.annex_source) == (30, 24, "stated")
    assert not [p for p in svc.completeness(a).problems if p.rule == "form.concept.pages"]
    with pytest.raises(svc.DomainError, match="cannot start at page 31 of 30"):
        svc.upload_document(actor=user, application=a, doc_id="concept", uploaded=SimpleUploadedFile("c.pdf", sample_pdf(30)), annex_from=31)
    # A bookmark titled as an annex marks where the annexes begin; a Letter-size page is noted.
    w = PdfWriter()
    for i in range(28):
        w.add_blank_page(612, 792) if i == 5 else w.add_blank_page(595, 842)
    w.add_outline_item(title="Введение", page_number=0)
    w.add_outline_item(title="Приложение 1. Профили компаний", page_number=21)
    buf = io.BytesIO()
    w.write(buf)
    d = svc.upload_document(actor=user, application=a, doc_id="concept", uploaded=SimpleUploadedFile("c.pdf", buf.getvalue()))
    assert (d.pages, d.annex_from, d.annex_source, d.non_a4) == (28, 22, "bookmark", [6])
    found = [p for p in svc.completeness(a).problems if p.rule == "form.concept.pages"]
    assert [(p.severity, "page 6" in p.message) for p in found] == [("warning", True)]


@pytest.mark.django_db
@pytest.mark.rule("form.strategy.cash_flow", "form.roadmap.events")
def test_stage2_strategy_cash_flow_and_roadmap_events_through_the_services(draft, monkeypatch):
    from klaster.competition.models import Application

    a = draft["a"]
    a2 = Application.objects.create(competition=a.competition, stage=2, applicant=draft["user"], organisation_name="Org", organisation_bin=a.organisation_bin,
                                    kind="cluster_association", cluster_name="Cluster", region_kato="350000000", skipped_stage1=True)
    from klaster.competition.models import PackageVersion

    PackageVersion.objects.create(application=a2, number=1)
    cells = {ln: {f"y{y}q{q}": "10" for y in range(1, 6) for q in range(1, 5)} for ln in ("in_own", "in_local", "in_republican", "in_other",
                                                                                           "out_operating", "out_other", "out_payroll")}
    cells["in_own"]["y1q1"] = "1e5"
    with pytest.raises(svc.DomainError, match="is not a number"):
        structured.save_cash_flow(actor=draft["user"], application=a2, form_id="strategy", first_year="2026", cells=cells, version=None)
    cells["in_own"]["y1q1"] = "100 000"
    value = structured.save_cash_flow(actor=draft["user"], application=a2, form_id="strategy", first_year="2026", cells=cells, version=None)
    assert value["cells"]["in_own"]["y1q1"] == "100000"
    with pytest.raises(svc.DomainError, match="not a structured document of the stage-2 package"):
        structured.save_items(actor=draft["user"], application=a2, form_id="concept", items={}, version=None)
    ev = {"group": "1", "title": "Market study", "completion_form": "report", "executor": "Association", "financing_y1": "500",
          "sources": ["own"], "start": "2026-02-01", "end": "2026-06-30", "concept": "c", "intermediate_results": "i", "final_results": "f",
          "target_group": "SMEs", "evaluation": "KPI"}
    structured.save_event(actor=draft["user"], application=a2, form_id="roadmap", raw=ev, first_year="2026", version=None)
    found = [p for p in svc.completeness(a2).problems if p.rule == "form.roadmap.events"]
    assert [p.message.split("“")[0] for p in found] == ["roadmap: no event in group 2 ", "roadmap: no event in group 3 ",
                                                       "roadmap: no event in group 4 ", "roadmap: no event in group 5 "]
    structured.remove_event(actor=draft["user"], application=a2, form_id="roadmap", index=1, version=None)
    with pytest.raises(svc.DomainError, match="no event No. 1"):
        structured.remove_event(actor=draft["user"], application=a2, form_id="roadmap", index=1, version=None)


@pytest.mark.django_db
def test_the_data_renders_into_docx_in_kazakh_and_russian(draft, monkeypatch):
    from docx import Document

    from klaster.competition import documents

    from .conftest import fill_content

    monkeypatch.setattr(svc, "today", lambda: D(2025, 2, 4))
    a = draft["a"]
    fill_content(a)
    blocks = documents.structured_content(a, "concept", "ru")
    assert blocks[0] == ("title", "Концепция развития территориального кластера (App. 2)")
    assert ("heading", 2, "1.1. Местоположение территориального кластера") in blocks
    for lang, word in (("kk", "Айналым, мың теңге"), ("ru", "Оборот, тыс. тенге")):
        r = _client(draft["user"]).get(reverse("competition:structured_document", args=[a.pk, "concept", lang]))
        doc = Document(io.BytesIO(r.content))
        cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
        assert word in cells and "1 024" in "".join(cells).replace("\xa0", " ")
