"""Issue 9 in the targeted cluster programmes: bounded inputs typed as people type numbers, no
negative amounts turned into permanent alerts, reports only for quarters that have ended and
dated today, optimistic locking of every edit form (two sessions: the second gets 409 and the
first one's change stays), formula-safe monitoring report, and the co-financing document named
as a policy document.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from klaster.accounts.roles import Role
from klaster.common import dates, locking
from klaster.common.dates import DayRefused
from klaster.common.models import AuditEntry
from klaster.programmes import domain
from klaster.programmes.models import CounterObligation, Financing, KeyProject, ObligationActual, ObligationTarget, Programme, QuarterlyReport
from klaster.register.models import Cluster
from tests.conftest import make_user
from tests.register.world import build_world

D = dt.date


@pytest.fixture
def world(db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return build_world(make_user)


def _client(user, lang="en") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


def _rows() -> tuple:
    """Everything a refused request must leave as it was."""
    return (tuple(Programme.objects.order_by("pk").values_list("title_ru", "start_year", "end_year", "version")),
            tuple(KeyProject.objects.order_by("pk").values_list("name_ru", "cost", "direction", "version")),
            tuple(Financing.objects.order_by("pk").values_list("year", "source", "amount")),
            tuple(CounterObligation.objects.order_by("pk").values_list("indicator_ru", "unit", "base_value", "version")),
            tuple(ObligationTarget.objects.order_by("pk").values_list("year", "quarter", "value")),
            tuple(QuarterlyReport.objects.order_by("pk").values_list("year", "quarter", "comment", "version")),
            tuple(ObligationActual.objects.order_by("pk").values_list("value", flat=True)),
            AuditEntry.objects.count())


# ----------------------------------------------------------------------------------- numbers

def test_decimal_comma_in_russian(world):
    """Before: Django's DecimalField refused "17 000,5" — the way a Russian or Kazakh user types it."""
    org = _client(world.users["organizer"], "ru")
    r = org.post("/programmes/alpha/projects/new/", {"name_ru": "Цех", "cost": "17 000,5", "direction": "priority-direction"})
    assert r.status_code == 302
    pr = KeyProject.objects.get(name_ru="Цех")
    assert pr.cost == Decimal("17000.5")
    r = org.post(f"/programmes/alpha/projects/{pr.pk}/financing/", {"version": pr.version, "y2023_local-budget": "1 234,5"})
    assert r.status_code == 302 and pr.financing.get().amount == Decimal("1234.5")
    r = org.post("/programmes/alpha/obligations/new/", {"indicator_ru": "Экспорт", "unit": "mln USD", "base_year": "2020", "base_value": "12,5", "t2022_q1": "3,25", "higher_is_better": "on"})
    assert r.status_code == 302
    ob = CounterObligation.objects.get(indicator_ru="Экспорт")
    assert ob.base_value == Decimal("12.5") and ob.targets.get().value == Decimal("3.25")
    # the edit page shows the stored value with the decimal comma again
    assert 'value="17000,5"' in org.get(f"/programmes/alpha/projects/{pr.pk}/").content.decode()


@pytest.mark.parametrize("value", ["1e30", "9" * 30, "NaN", "-Infinity", "12,345,6", "1.23", "10000000000000"])
def test_numbers_beyond_their_column_are_form_errors(world, value):
    org = _client(world.users["organizer"])
    pr = world.prog_a.projects.get()
    before = _rows()
    r = org.post("/programmes/alpha/projects/new/", {"name_ru": "X", "cost": value, "direction": "priority-direction"})
    assert r.status_code == 200 and "cost" in r.context["form"].errors
    r = org.post(f"/programmes/alpha/projects/{pr.pk}/financing/", {"version": pr.version, "y2023_local-budget": value})
    assert r.status_code == 200 and "y2023_local-budget" in r.context["form"].errors
    assert _rows() == before


def test_the_domain_refuses_numbers_beyond_their_column(world):
    pr = world.prog_a.projects.get()
    before = _rows()
    for cost in (Decimal("1e30"), Decimal("0.05"), Decimal("-3")):
        with pytest.raises(domain.ProgrammeError):
            domain.add_project(actor=None, programme=world.prog_a, name_ru="X", cost=cost, direction="priority-direction")
    with pytest.raises(domain.ProgrammeError):
        domain.set_financing(actor=None, project=pr, year=2023, source="local-budget", amount=Decimal("1e20"))
    assert _rows() == before


def test_negative_production_is_refused_not_turned_into_a_permanent_alert(world):
    """Before: a negative actual production was accepted and raised "target missed" for ever."""
    app = _client(world.users["applicant"])
    f = f"actual_{world.ob_a.pk}"  # production, mln tenge
    before = _rows()
    r = app.post("/programmes/alpha/report/", {"year": 2022, "quarter": 1, f: "-25"})
    assert r.status_code == 200 and f in r.context["form"].errors
    assert _rows() == before
    assert not [a for a in app.get("/programmes/alpha/").context["alerts"] if a["missed"]]
    with pytest.raises(domain.ProgrammeError, match="negative"):
        domain.submit_report(actor=None, programme=world.prog_a, year=2022, quarter=1, actuals={world.ob_a: Decimal("-25")}, on=dates.today())
    assert _rows() == before


def test_targets_in_amounts_are_not_negative_a_change_in_percent_may_be(world):
    org = _client(world.users["organizer"])
    base = {"indicator_ru": "Производство", "base_year": "2020", "higher_is_better": "on"}
    before = _rows()
    r = org.post("/programmes/alpha/obligations/new/", {**base, "unit": "mln tenge", "base_value": "-1", "t2022_q1": "-3"})
    assert r.status_code == 200 and {"base_value", "t2022_q1"} <= set(r.context["form"].errors)
    r = org.post("/programmes/alpha/obligations/new/", {**base, "unit": "bananas", "base_value": "1", "t2022_q1": "3"})
    assert r.status_code == 200 and "unit" in r.context["form"].errors
    assert _rows() == before
    with pytest.raises(domain.ProgrammeError, match="negative"):
        domain.add_obligation(actor=None, programme=world.prog_a, indicator_ru="x", unit="persons", base_year=2020, base_value=Decimal("5"), targets={(2022, 1): Decimal("-1")})
    assert _rows() == before
    # growth of labour productivity, %: a fall is a negative value
    r = org.post("/programmes/alpha/obligations/new/", {**base, "indicator_ru": "Рост производительности", "unit": "%", "base_value": "-2.5", "t2022_q1": "-1"})
    assert r.status_code == 302
    ob = CounterObligation.objects.get(indicator_ru="Рост производительности")
    r = _client(world.users["applicant"]).post("/programmes/alpha/report/", {"year": 2022, "quarter": 1, f"actual_{ob.pk}": "-1,5"})
    assert r.status_code == 302 and ob.actuals.get().value == Decimal("-1.5")


# ------------------------------------------------------------------------------------- years

def test_programme_years_are_bounded_by_the_calendar(world):
    """Before: a programme could start in 1990, before the working-day calendar (1992), and its
    page then failed computing report due dates; the domain took any year, 40000 included."""
    g = Cluster.objects.create(code="gamma", name_kk="Г", name_ru="Гамма", name_en="Gamma", oked="10", status="included", included_on=D(2021, 1, 1))
    org = _client(world.users["organizer"])
    before = _rows()
    for start, end in (("1990", "1995"), ("2022", "40000"), ("2022", "9" * 30), ("2022", "1e3"), ("2025", "2022"), ("-2022", "2025")):
        r = org.post("/programmes/new/", {"cluster": g.pk, "title_ru": "ЦКП", "start_year": start, "end_year": end})
        assert r.status_code == 200 and {"start_year", "end_year"} & set(r.context["form"].errors), (start, end)
    r = org.post("/programmes/alpha/edit/", {"title_ru": "ЦКП", "start_year": "2021", "end_year": "32768", "version": world.prog_a.version})
    assert r.status_code == 200 and "end_year" in r.context["form"].errors
    for start, end in ((1990, 1995), (2022, 40000), (2025, 2022)):
        with pytest.raises(domain.ProgrammeError):
            domain.create_programme(actor=None, cluster=g, title_ru="ЦКП", start_year=start, end_year=end)
    with pytest.raises(domain.ProgrammeError):
        domain.update_programme(actor=None, programme=world.prog_a, start_year=2021, end_year=40000)
    assert _rows() == before and not Programme.objects.filter(cluster=g).exists()


# ------------------------------------------------------------------------------ report dates

def test_a_report_for_a_quarter_that_has_not_ended_or_dated_in_the_future_is_refused(world):
    """Before: the domain trusted the caller's ``on``: a report for Q4 2027 "submitted" on
    5 Jan 2028 was accepted in 2026."""
    Programme.objects.filter(pk=world.prog_a.pk).update(end_year=2030)
    world.prog_a.refresh_from_db()
    before = _rows()
    with pytest.raises(DayRefused, match="in the future"):
        domain.submit_report(actor=None, programme=world.prog_a, year=2027, quarter=4, actuals={world.ob_a: Decimal("1")}, on=D(2028, 1, 5))
    today = dates.today()
    q = (today.month - 1) // 3 + 1
    with pytest.raises(domain.ProgrammeError, match="has not ended"):
        domain.submit_report(actor=None, programme=world.prog_a, year=today.year, quarter=q, actuals={world.ob_a: Decimal("1")}, on=today)
    with pytest.raises(DayRefused, match="reason"):
        domain.submit_report(actor=None, programme=world.prog_a, year=2022, quarter=1, actuals={world.ob_a: Decimal("1")}, on=D(2022, 4, 5))
    assert _rows() == before
    # on the web the report is dated today
    r = _client(world.users["applicant"]).post("/programmes/alpha/report/", {"year": 2022, "quarter": 1, f"actual_{world.ob_a.pk}": "31"})
    assert r.status_code == 302 and QuarterlyReport.objects.get(programme=world.prog_a).submitted_on == today


def test_a_malformed_report_query_is_a_visible_error(world):
    app = _client(world.users["applicant"])
    for query in ({"year": "abc", "quarter": "1"}, {"year": "2022", "quarter": "9"}, {"year": "9" * 30, "quarter": "1"}):
        r = app.get("/programmes/alpha/report/", query)
        assert r.status_code == 400 and r.context["query_errors"], query


# ----------------------------------------------------------------------------------- locking

def _two(world):
    return _client(world.users["organizer"]), _client(make_user("w_organizer2", Role.ORGANIZER))


def _v(r) -> int:
    return r.context["form"]["version"].value()


def test_two_organizers_editing_one_programme(world):
    first, second = _two(world)
    url = "/programmes/alpha/edit/"
    v1, v2 = _v(first.get(url)), _v(second.get(url))
    assert first.post(url, {"title_ru": "ЦКП первого", "start_year": 2021, "end_year": 2025, "version": v1}).status_code == 302
    before = _rows()
    r = second.post(url, {"title_ru": "ЦКП второго", "start_year": 2021, "end_year": 2026, "version": v2})
    assert r.status_code == 409 and "ЦКП второго" in r.content.decode() and "changed by someone else" in r.content.decode()
    assert _rows() == before
    world.prog_a.refresh_from_db()
    assert (world.prog_a.title_ru, world.prog_a.end_year) == ("ЦКП первого", 2025)


def test_two_organizers_editing_one_key_project_and_its_financing(world):
    first, second = _two(world)
    pr = world.prog_a.projects.get()
    url = f"/programmes/alpha/projects/{pr.pk}/"
    v1, v2 = _v(first.get(url)), _v(second.get(url))
    assert first.post(url, {"name_ru": "Завод", "cost": "200", "direction": "priority-direction", "version": v1}).status_code == 302
    before = _rows()
    r = second.post(url, {"name_ru": "Завод", "cost": "150", "direction": "business-initiative", "version": v2})
    assert r.status_code == 409 and 'value="150"' in r.content.decode()
    assert _rows() == before
    pr.refresh_from_db()
    assert (pr.cost, pr.direction) == (Decimal("200.0"), "priority-direction")
    # the financing grid is part of the project: two grids, the second is refused
    fin = f"/programmes/alpha/projects/{pr.pk}/financing/"
    g1, g2 = _v(first.get(fin)), _v(second.get(fin))
    assert first.post(fin, {"version": g1, "y2022_republican-budget": "70", "y2023_participants": "30"}).status_code == 302
    before = _rows()
    r = second.post(fin, {"version": g2, "y2022_republican-budget": "80"})
    assert r.status_code == 409 and 'value="80"' in r.content.decode()
    assert _rows() == before
    assert {(f.year, f.source): f.amount for f in pr.financing.all()} == {(2022, "republican-budget"): Decimal("70.0"), (2023, "participants"): Decimal("30.0")}


def test_two_organizers_editing_one_counter_obligation(world):
    first, second = _two(world)
    ob = world.ob_a
    url = f"/programmes/alpha/obligations/{ob.pk}/"
    v1, v2 = _v(first.get(url)), _v(second.get(url))
    base = {"indicator_ru": "Производство", "unit": "mln tenge", "base_year": "2020", "base_value": "100", "higher_is_better": "on"}
    assert first.post(url, {**base, "t2022_q1": "40", "version": v1}).status_code == 302
    before = _rows()
    r = second.post(url, {**base, "t2022_q1": "50", "t2022_q2": "55", "version": v2})
    assert r.status_code == 409
    assert _rows() == before
    assert {(t.year, t.quarter): t.value for t in ob.targets.all()} == {(2022, 1): Decimal("40")}


def test_two_submissions_of_one_quarterly_report(world):
    """The page of a quarter with a report carries the report and its version: a re-submission
    replaces the actuals; a second session that loaded the same page gets 409 after the first
    re-submitted; a session whose page showed no report cannot overwrite one submitted since."""
    assoc = world.users["applicant"]
    first, second = _client(assoc), _client(assoc)
    f = f"actual_{world.ob_a.pk}"
    url = "/programmes/alpha/report/"
    # both open the empty form for Q1 2022; the first submits
    first.get(url, {"year": 2022, "quarter": 1})
    second.get(url, {"year": 2022, "quarter": 1})
    assert first.post(url + "?year=2022&quarter=1", {"year": 2022, "quarter": 1, f: "30"}).status_code == 302
    before = _rows()
    r = second.post(url + "?year=2022&quarter=1", {"year": 2022, "quarter": 1, f: "29"})
    assert r.status_code == 409 and 'value="29"' in r.content.decode()
    assert _rows() == before
    # both open the submitted report: the form carries it
    p1 = first.get(url, {"year": 2022, "quarter": 1})
    p2 = second.get(url, {"year": 2022, "quarter": 1})
    rep = QuarterlyReport.objects.get(programme=world.prog_a, year=2022, quarter=1)
    assert p1.context["form"]["report"].value() == rep.pk and p1.context["form"][f].value() == Decimal("30.00")
    post = lambda page, value: {"year": 2022, "quarter": 1, f: value, "report": page.context["form"]["report"].value(), "version": page.context["form"]["version"].value(), "comment": value}  # noqa: E731
    assert first.post(url + "?year=2022&quarter=1", post(p1, "31")).status_code == 302
    rep.refresh_from_db()
    assert rep.actuals.get().value == Decimal("31") and rep.comment == "31"
    assert AuditEntry.objects.filter(action="programmes.report.resubmit", object_id=str(rep.pk)).count() == 1
    before = _rows()
    r = second.post(url + "?year=2022&quarter=1", post(p2, "28"))
    assert r.status_code == 409
    assert _rows() == before
    # a page of another quarter's report cannot overwrite this one
    first.post(url, {"year": 2022, "quarter": 2, f: "31"})
    p3 = first.get(url, {"year": 2022, "quarter": 2})
    r = first.post(url, {**post(p3, "40"), "quarter": 1})
    assert r.status_code == 409
    rep.refresh_from_db()
    assert rep.actuals.get().value == Decimal("31")
    with pytest.raises(locking.StaleEdit):
        domain.submit_report(actor=None, programme=world.prog_a, year=2022, quarter=1, actuals={world.ob_a: Decimal("1")}, on=dates.today())


# ----------------------------------------------------------------------------------- exports

def test_the_monitoring_report_xlsx_has_no_live_formula_and_numbers_as_numbers(world):
    CounterObligation.objects.filter(pk=world.ob_a.pk).update(indicator_en='=HYPERLINK("http://evil.example/","x")')
    r = _client(world.users["organizer"]).get("/programmes/alpha/monitoring.xlsx")
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    ws = load_workbook(io.BytesIO(r.content))["monitoring"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert rows[0][0] == '=HYPERLINK("http://evil.example/","x")'
    q1 = next(r for r in rows if r[2] == 2022 and r[3] == 1)
    assert isinstance(q1[4], (int, float)) and q1[4] == 30  # the Q1 2022 target is a number, not text


# ---------------------------------------------------------------------------- policy document

def test_the_co_financing_document_is_named_a_policy_document(world):
    html = _client(world.users["organizer"]).get("/programmes/alpha/").content.decode()
    assert "a policy document, not a normative act" in html and "act-notice" not in html
