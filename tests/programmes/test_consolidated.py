"""Consolidated quarterly reporting of all clusters and budget execution (issue 14): counter-
obligations of any kind per cluster and per participant; a late report stays late; the report as
XLSX and DOCX in kk and ru; the Ministry's overview with charts and a map; allocations per year and
line as regulation data, commitments and payments per instrument, cluster and year, the balance and
an alert before a line is exceeded; seed 000's Karaganda results held as data."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from klaster.common.money import Money
from klaster.engine.programmes.budget import execution, load_lines
from klaster.programmes import budget, consolidated, domain, pilots
from klaster.programmes.models import CounterObligation, ProgrammePayment
from klaster.support.models import Agreement, Application
from tests.conftest import make_user
from tests.register.world import build_world

D = dt.date
pytestmark = pytest.mark.django_db
R = {"reason": "entered from the paper file"}


@pytest.fixture
def world(db):
    return build_world(make_user)


def _client(user, lang="en"):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


def _paid(world, cluster, component, amount, decided, paid=None, refunded=None, demo=False):
    a = Application.objects.create(applicant=world.users["applicant"], participant=cluster.association, cluster=cluster, component=component,
                                   procedure="instrument-7" if component == "7" else "direct-2-5", amount=Decimal(amount), is_demo=demo,
                                   status="refunded" if refunded else ("paid" if paid else "approved"),
                                   events={"registered": decided.isoformat(), "decided": decided.isoformat(), **({"paid": paid.isoformat()} if paid else {})})
    if refunded:
        Agreement.objects.create(application=a, amount=Decimal(amount), signed_on=decided, paid_on=paid, breached_on=refunded, refund_amount=Decimal(amount), refunded_on=refunded)
    return a


# --- counter-obligations of any kind; a late report stays late ------------------------------------

def test_a_report_submitted_four_years_late_stays_marked_late(world):
    """Reproduction: a report submitted four years late just cleared the "overdue" signal."""
    p = world.prog_a
    rows = {(r["year"], r["quarter"]): r for r in domain.monitoring_rows(p, today=D(2026, 12, 4))}
    assert rows[(2022, 1)]["overdue"] and not rows[(2022, 1)]["late"]
    domain.submit_report(actor=world.users["applicant"], programme=p, year=2022, quarter=1, actuals={world.ob_a: Decimal("31")}, on=D(2026, 4, 20), **R)
    r = {(x["year"], x["quarter"]): x for x in domain.monitoring_rows(p, today=D(2026, 12, 4))}[(2022, 1)]
    assert not r["overdue"] and r["late"] and r["days_late"] > 4 * 365
    assert r["timing"].status == "late" and r["timing"].submitted_on == D(2026, 4, 20)
    page = _client(world.users["organizer"]).get("/programmes/alpha/").content.decode()
    assert "submitted late: 20.04.2026" in page
    data = consolidated.build(2022, 1, today=D(2026, 12, 4))
    alpha = [c for c in data["clusters"] if c["cluster"] == world.a][0]
    assert alpha["timing"].status == "late" and data["totals"]["late"] >= 1


def test_counter_obligations_of_any_kind_per_cluster_and_per_participant(world):
    p = world.prog_a
    ob = domain.add_obligation(actor=None, programme=p, indicator_ru="Новые рынки", unit="markets", base_year=2020, base_value=Decimal("0"),
                               targets={(2022, 2): Decimal("1")}, kind="new-markets", participant=world.member_a)
    assert ob.kind == "new-markets" and ob.participant == world.member_a
    with pytest.raises(domain.ProgrammeError, match="is not a participant"):
        domain.add_obligation(actor=None, programme=p, indicator_ru="Новые продукты", unit="products", base_year=2020, base_value=Decimal("0"),
                              targets={(2022, 2): Decimal("1")}, kind="new-products", participant=world.member_b)
    with pytest.raises(domain.ProgrammeError, match="kind of counter-obligation"):
        domain.add_obligation(actor=None, programme=p, indicator_ru="X", unit="units", base_year=2020, base_value=Decimal("0"), targets={(2022, 2): Decimal("1")}, kind="gossip")
    # through the page: kind and participant are bounded choices
    c = _client(world.users["organizer"])
    base = {"indicator_ru": "Производительность", "unit": "%", "base_year": "2020", "base_value": "0", "kind": "productivity", "t2022_q1": "1,5"}
    assert c.post("/programmes/alpha/obligations/new/", {**base, "participant": str(world.member_b.pk)}).status_code == 200  # not of this cluster
    assert c.post("/programmes/alpha/obligations/new/", {**base, "kind": "gossip"}).status_code == 200
    assert c.post("/programmes/alpha/obligations/new/", {**base, "participant": str(world.member_a.pk)}).status_code == 302
    assert CounterObligation.objects.get(indicator_ru="Производительность").participant == world.member_a


# --- the consolidated report -------------------------------------------------------------------------

def test_the_consolidated_report_lists_every_cluster_with_obligations_effects_and_support(world):
    domain.submit_report(actor=world.users["applicant"], programme=world.prog_a, year=2022, quarter=2, actuals={world.ob_a: Decimal("30")}, on=D(2022, 7, 8), **R)
    _paid(world, world.a, "7", "7500000", D(2022, 5, 10), paid=D(2022, 5, 17))
    _paid(world, world.a, "5b", "1000000", D(2021, 5, 10), paid=D(2021, 5, 17))
    domain.record_payment(actor=None, project=world.prog_a.projects.get(), paid_on=D(2022, 6, 1), source="republican-budget", amount=Decimal("35"), **R)
    data = consolidated.build(2022, 2, today=D(2026, 12, 4))
    assert [c["cluster"].code for c in data["clusters"]] == ["alpha", "beta"]
    a, b = data["clusters"]
    assert a["timing"].status == "on-time" and b["timing"].status == "overdue"
    ob = [o for o in a["obligations"] if o["period"] == "Q2"][0]
    assert ob["target"] == Decimal("31") and ob["actual"] == Decimal("30") and ob["status"] == "missed" and ob["vs_base"] == Decimal("-70.0")
    assert b["obligations"][0]["status"] == "not-reported"
    assert a["support"]["quarter_total"] == Decimal("7500000") and a["support"]["cumulative_total"] == Decimal("8500000")
    assert a["payments"]["quarter_total"] == Decimal("35")
    assert data["totals"]["missed"] == 1 and data["totals"]["not_reported"] == 1


def test_consolidated_report_as_xlsx_and_docx_in_kazakh_and_russian(world):
    world.a.name_ru = world.a.name_kk = world.a.name_en = "=HYPERLINK(\"http://x\")"
    world.a.save()
    c = _client(world.users["analyst"], "ru")
    for lang, title in (("ru", "Сводный квартальный отчёт"), ("kk", "тоқсандық жиынтық есеп")):
        r = c.get(f"/programmes/quarterly/report.xlsx?year=2022&quarter=1&lang={lang}")
        assert r.status_code == 200
        wb = load_workbook(io.BytesIO(r.content))
        assert set(wb.sheetnames) == {"clusters", "obligations", "effects", "support"}
        assert title.lower() in str(wb["clusters"]["A1"].value).lower()
        cells = [cell for row in wb["clusters"].iter_rows() for cell in row]
        assert '=HYPERLINK("http://x")' in [cell.value for cell in cells]  # shown as typed …
        assert all(cell.data_type != "f" for cell in cells)               # … never a live formula
        r = c.get(f"/programmes/quarterly/report.docx?year=2022&quarter=1&lang={lang}")
        from docx import Document

        text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
        assert title.lower() in text.lower()
    assert c.get("/programmes/quarterly/report.xlsx?year=1e30&quarter=9").status_code == 302  # malformed: back with the error


def test_the_ministry_overview_has_charts_across_clusters_and_a_map(world):
    page = _client(world.users["organizer"]).get("/programmes/quarterly/?year=2022&quarter=1").content.decode()
    assert page.count('class="chart"') == 2 and '&quot;350000000&quot;' in page.split('id="quarterly-map-figure"')[1] and 'data-cluster="alpha"' in page and 'data-cluster="beta"' in page
    assert _client(world.users["organizer"]).get("/programmes/quarterly/?year=abc&quarter=7").status_code == 400
    assert _client(world.users["applicant"]).get("/programmes/quarterly/").status_code == 403


# --- seed 000 and seed 003 as data --------------------------------------------------------------------

def test_seed_000_karaganda_results_are_held_with_their_source_line():
    r = pilots.reported_results("construction")
    assert r["changes_pct"] == {"new_products": Decimal("5"), "production": Decimal("19"), "exports": Decimal("11"), "taxes": Decimal("18")}
    assert r["source"] == "seed 000, lines 631–633" and r["kind"] == "expected"
    con = [c for c in pilots.clusters() if c["id"] == "construction"][0]
    # they agree with seed 003's "of which due to the cluster's projects" of the same cluster
    assert (con["production"]["cluster_share_pct"], con["exports"]["cluster_share_pct"], con["taxes"]["cluster_share_pct"]) == (Decimal("19"), Decimal("11"), Decimal("18"))
    assert pilots.reported_results("furniture") is None


def test_the_unlabelled_table_of_seed_003_adds_up_to_its_24_new_products():
    chk = [c for c in pilots.reconcile() if c.what == "total:new_products"][0]
    assert chk.printed == Decimal("24") and chk.computed == Decimal("24") and chk.matches and chk.line == 418


# --- budget execution ----------------------------------------------------------------------------------

def test_budget_lines_are_regulation_data_with_their_source():
    lines = load_lines()
    prod = lines.line("productivity2020")
    assert prod.allocation(2011) == Money("15764910", "thousand tenge") and prod.allocation(2016) == Money("697311", "thousand tenge")
    assert prod.allocation(2021) is None and "Decree 440, programme §7" in prod.clause and prod.instruments == ("2", "3", "4", "5", "7", "8")
    cl = lines.line("cluster-programme")
    assert cl.allocation(2022) == Money("112", "mln tenge") and "line 514" in cl.clause and lines.alert_share == Decimal("0.90")


def test_execution_balance_and_alert_before_a_line_is_exceeded():
    line = load_lines().line("cluster-programme")
    e = execution(line, 2022, commitments=Money("101", "mln tenge"), payments=Money("40", "mln tenge"), alert_share=Decimal("0.9"))
    assert e.status == "near" and e.balance == Money("11", "mln tenge") and e.used_pct == Decimal("90.2")
    assert execution(line, 2022, commitments=Money("100", "mln tenge"), payments=Money("0", "mln tenge"), alert_share=Decimal("0.9")).status == "ok"
    assert execution(line, 2022, commitments=Money("112.1", "mln tenge"), payments=Money("0", "mln tenge"), alert_share=Decimal("0.9")).status == "exceeded"
    assert execution(line, 2030, commitments=Money("1", "mln tenge"), payments=Money("0", "mln tenge"), alert_share=Decimal("0.9")).status == "no-allocation"


def test_productivity_line_per_instrument_and_cluster_with_refunds(world):
    _paid(world, world.a, "7", "15000000", D(2016, 3, 1), paid=D(2016, 3, 9))
    _paid(world, world.b, "5b", "620000000", D(2016, 4, 1), paid=D(2016, 4, 8), demo=True)
    _paid(world, world.b, "3a", "10000000", D(2016, 5, 1), paid=D(2016, 5, 6), refunded=D(2016, 9, 1))
    _paid(world, world.b, "5b", "1000000", D(2015, 12, 1), paid=D(2016, 1, 15))   # committed in 2015, paid in 2016
    x = budget.productivity_line(2016)
    e = x["execution"]
    assert e.allocation == Money("697311", "thousand tenge")
    assert e.commitments == Money("645000", "thousand tenge") and e.payments == Money("646000", "thousand tenge") and e.refunds == Money("10000", "thousand tenge")
    # 635 000 of 697 311 thousand tenge net = 91.1 %: the alert comes before the line is exceeded
    assert e.balance == Money("62311", "thousand tenge") and e.status == "near" and e.used_pct == Decimal("91.1")
    by_i = {r["key"]: r for r in x["by_instrument"]}
    assert set(by_i) == {"3", "5", "7"} and by_i["5"]["committed"] == Money("620000000", "tenge") and by_i["5"]["demo"]
    by_c = {r["key"]: r for r in x["by_cluster"]}
    assert by_c["alpha"]["paid"] == Money("15000000", "tenge") and by_c["beta"]["refunded"] == Money("10000000", "tenge")
    page = _client(world.users["organizer"]).get("/programmes/budget/?year=2016").content.decode()
    assert "budget-alert" in page and "91.1" in page


def test_cluster_line_commitments_are_the_scheduled_state_financing_and_payments_recorded(world):
    proj = world.prog_a.projects.get()
    domain.set_financing(actor=None, project=proj, year=2023, source="republican-budget", amount=Decimal("110"))
    domain.record_payment(actor=None, project=proj, paid_on=D(2023, 3, 1), source="republican-budget", amount=Decimal("55"), **R)
    rows = {r["programme"].cluster.code: r["execution"] for r in budget.cluster_lines(2023)}
    assert rows["alpha"].commitments == Money("110", "mln tenge") and rows["alpha"].payments == Money("55", "mln tenge")
    assert rows["alpha"].status == "near" and rows["beta"].status == "ok"
    with pytest.raises(domain.ProgrammeError, match="republican or a local budget"):
        domain.record_payment(actor=None, project=proj, paid_on=D(2023, 3, 1), source="participants", amount=Decimal("1"), **R)
    n = ProgrammePayment.objects.count()
    c = _client(world.users["organizer"])
    for bad in ({"amount": "-5"}, {"amount": "1e30"}, {"on": "2099-01-01"}, {"on": "2023-03-01"}, {"source": "participants"}):
        r = c.post(f"/programmes/alpha/projects/{proj.pk}/payments/", {"on": "", "source": "republican-budget", "amount": "10", **bad})
        assert r.status_code == 400, bad   # the back-dated one lacks its reason
    assert ProgrammePayment.objects.count() == n


def test_the_operator_sees_the_line_before_approving(world):
    a = world.app_a
    a.status = "complete"
    a.save()
    page = _client(world.users["organizer"]).get(f"/support/{a.pk}/").content.decode()
    assert "Budget line of the year" in page
    notice = budget.approval_notice(a, D(2016, 6, 1))
    _paid(world, world.b, "5b", "690000000", D(2016, 4, 1), paid=D(2016, 4, 8))
    notice = budget.approval_notice(a, D(2016, 6, 1))
    assert notice["execution"].status == "exceeded" and "would exceed" in notice["text"]
    assert "outside any allocation" in budget.approval_notice(a, D(2026, 6, 1))["text"]
