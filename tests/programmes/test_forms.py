"""Organizer forms (programme, key project with computed shares, financing grid,
counter-obligation with targets) and the association's quarterly report: through the audited
domain services, with form errors and nothing half-written on bad input."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from klaster.common.models import AuditEntry
from klaster.programmes.models import CounterObligation, KeyProject, ObligationTarget, Programme, QuarterlyReport
from klaster.register.models import Cluster
from tests.conftest import make_user
from tests.register.world import build_world


@pytest.fixture
def world(db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return build_world(make_user)


def _client(user):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"  # messages are asserted in English
    return c


def test_create_and_edit_programme(world):
    g = Cluster.objects.create(code="gamma", name_kk="Г", name_ru="Гамма", name_en="Gamma", oked="10", status="included", included_on=dt.date(2021, 1, 1))
    Cluster.objects.create(code="delta", name_kk="Д", name_ru="Дельта", name_en="Delta", oked="10", status="applied")
    org = _client(world.users["organizer"])
    html = org.get("/programmes/new/").content.decode()
    assert "Gamma" in html and "Delta" not in html and "Alpha cluster" not in html  # only included clusters without a programme
    r = org.post("/programmes/new/", {"cluster": g.pk, "title_ru": "ЦКП Гамма", "start_year": 2024, "end_year": 2022})
    assert r.status_code == 200 and "errors" in r.content.decode() and not Programme.objects.filter(cluster=g).exists()
    r = org.post("/programmes/new/", {"cluster": g.pk, "title_ru": "ЦКП Гамма", "start_year": 2022, "end_year": 2026})
    assert r.status_code == 302 and Programme.objects.get(cluster=g).regulation_pin["id"] == "cluster-programme-cofinancing"
    assert AuditEntry.objects.filter(action="programmes.programme.create", object_id=str(Programme.objects.get(cluster=g).pk)).exists()
    # shrinking the years below recorded financing is refused with the reason
    v = world.prog_a.version
    r = org.post("/programmes/alpha/edit/", {"title_ru": "ЦКП", "start_year": 2023, "end_year": 2025, "version": v})
    assert "financing is recorded for 2022" in r.content.decode()
    world.prog_a.refresh_from_db()
    assert world.prog_a.start_year == 2021
    world.prog_a.projects.get().financing.all().delete()
    r = org.post("/programmes/alpha/edit/", {"title_ru": "ЦКП", "start_year": 2023, "end_year": 2025, "version": v})
    assert "targets are set for 2022" in r.content.decode()
    assert org.post("/programmes/alpha/edit/", {"title_ru": "ЦКП изм.", "start_year": 2021, "end_year": 2026, "version": v}).status_code == 302
    world.prog_a.refresh_from_db()
    assert (world.prog_a.title_ru, world.prog_a.end_year) == ("ЦКП изм.", 2026)
    assert AuditEntry.objects.filter(action="programmes.programme.update").count() == 1


def test_project_shares_are_computed_not_typed(world):
    org = _client(world.users["organizer"])
    html = org.get("/programmes/alpha/projects/new/").content.decode()
    assert "(70/30)" in html and "(50/50)" in html  # the directions come from the regulation data
    # the seed's example: 112.1 mln tenge, 70/30 → participants 33.6 (rounded half up), state 78.5
    r = org.post("/programmes/alpha/projects/new/", {"name_ru": "Цех", "cost": "112.1", "direction": "priority-direction", "state_amount": "1", "participants_amount": "111.1"})
    assert r.status_code == 302
    pr = KeyProject.objects.get(name_ru="Цех")
    assert (pr.state_amount, pr.participants_amount) == (Decimal("78.5"), Decimal("33.6"))
    r = org.post(f"/programmes/alpha/projects/{pr.pk}/", {"name_ru": "Цех", "cost": "90", "direction": "business-initiative", "version": pr.version})
    assert r.status_code == 302
    pr.refresh_from_db()
    assert (pr.cost, pr.state_amount, pr.participants_amount) == (Decimal("90.0"), Decimal("45.0"), Decimal("45.0"))
    e = AuditEntry.objects.get(action="programmes.project.update")
    assert e.changes["direction"] == ["priority-direction", "business-initiative"]


@pytest.mark.parametrize("post,error", [
    ({"name_ru": "X", "cost": "-5", "direction": "priority-direction"}, "cost"),
    ({"name_ru": "X", "cost": "0", "direction": "priority-direction"}, "cost"),
    ({"name_ru": "X", "cost": "abc", "direction": "priority-direction"}, "cost"),
    ({"name_ru": "X", "cost": "10", "direction": "80-20"}, "direction"),
    ({"name_ru": "", "cost": "10", "direction": "priority-direction"}, "name_ru"),
])
def test_bad_project_input_writes_nothing(world, post, error):
    n, audits = KeyProject.objects.count(), AuditEntry.objects.count()
    r = _client(world.users["organizer"]).post("/programmes/alpha/projects/new/", post)
    assert r.status_code == 200 and error in r.context["form"].errors
    assert KeyProject.objects.count() == n and AuditEntry.objects.count() == audits


def test_financing_grid(world):
    org = _client(world.users["organizer"])
    pr = world.prog_a.projects.get()
    url = f"/programmes/alpha/projects/{pr.pk}/financing/"
    assert 'value="70.0"' in org.get(url).content.decode()  # the existing 2022 republican-budget entry
    # a negative cell: form error, none of the other cells is written
    v = {"version": pr.version}
    r = org.post(url, {**v, "y2022_republican-budget": "70", "y2023_local-budget": "10", "y2024_participants": "-1"})
    assert r.status_code == 200 and "y2024_participants" in r.context["form"].errors
    assert list(pr.financing.values_list("year", "source")) == [(2022, "republican-budget")]
    # 2022 raised above the annual line (regulation data): saved, and an alert on the page; 2023 added
    r = org.post(url, {**v, "y2022_republican-budget": "120", "y2023_local-budget": "10"})
    assert r.status_code == 302
    assert {(f.year, f.source): f.amount for f in pr.financing.all()} == {(2022, "republican-budget"): Decimal("120.0"), (2023, "local-budget"): Decimal("10.0")}
    html = org.get("/programmes/alpha/").content.decode()
    assert "2022:" in html and "seed" in html  # the cap alert names its clause
    # clearing a cell removes the entry (audited)
    pr.refresh_from_db()
    assert org.post(url, {"version": pr.version, "y2022_republican-budget": "120"}).status_code == 302
    assert pr.financing.count() == 1 and AuditEntry.objects.filter(action="programmes.financing.remove").count() == 1


def test_obligation_form_and_targets(world):
    org = _client(world.users["organizer"])
    base = {"indicator_ru": "Экспорт", "unit": "mln USD", "base_year": 2020, "base_value": "12.5", "higher_is_better": "on"}
    r = org.post("/programmes/alpha/obligations/new/", base)
    assert r.status_code == 200 and "at least one target" in r.content.decode()
    r = org.post("/programmes/alpha/obligations/new/", {**base, "t2022_q1": "3", "t2022_q2": "3.5", "t2022_y": "14", "t2023_q1": "x"})
    assert r.status_code == 200 and "t2023_q1" in r.context["form"].errors
    assert not CounterObligation.objects.filter(indicator_ru="Экспорт").exists()
    assert org.post("/programmes/alpha/obligations/new/", {**base, "t2022_q1": "3", "t2022_q2": "3.5", "t2022_y": "14"}).status_code == 302
    ob = CounterObligation.objects.get(indicator_ru="Экспорт")
    assert {(t.year, t.quarter): t.value for t in ob.targets.all()} == {(2022, 1): Decimal("3"), (2022, 2): Decimal("3.5"), (2022, None): Decimal("14")}
    # the reported Q1 target cannot be dropped; nothing changes
    QuarterlyReport.objects.create(programme=world.prog_a, year=2022, quarter=1, submitted_on=dt.date(2022, 4, 5)).actuals.create(obligation=ob, value=Decimal("2"))
    r = org.post(f"/programmes/alpha/obligations/{ob.pk}/", {**base, "unit": "thousand USD", "t2022_q2": "4", "version": ob.version})
    assert "Q1 2022" in r.content.decode()
    ob.refresh_from_db()
    assert ob.unit == "mln USD" and ob.targets.count() == 3
    assert org.post(f"/programmes/alpha/obligations/{ob.pk}/", {**base, "t2022_q1": "3", "t2022_q2": "4", "version": ob.version}).status_code == 302
    assert sorted((t.quarter or 0, t.value) for t in ObligationTarget.objects.filter(obligation=ob)) == [(1, Decimal("3")), (2, Decimal("4"))]
    e = AuditEntry.objects.get(action="programmes.obligation.update")
    assert e.changes["targets"][0]["2022-Q2"] == "3.50" and e.changes["targets"][1]["2022-Q2"] == "4"


def test_quarterly_report_by_the_association(world):
    app = _client(world.users["applicant"])
    assert "/programmes/alpha/report/" in app.get("/programmes/alpha/").content.decode()
    assert "/programmes/alpha/report/" not in _client(world.users["applicant_b"]).get("/programmes/beta/").content.decode()
    f = f"actual_{world.ob_a.pk}"
    r = app.post("/programmes/alpha/report/", {"year": 2022, "quarter": 1, f: "25", "comment": "Q1"})
    assert r.status_code == 302
    rep = QuarterlyReport.objects.get(programme=world.prog_a, year=2022, quarter=1)
    assert rep.submitted_by == world.users["applicant"] and rep.actuals.get().value == Decimal("25")
    assert AuditEntry.objects.filter(action="programmes.report.submit").count() == 1
    page = app.get(r["Location"])
    row = next(x for x in page.context["rows"] if x["quarter"] == 1)
    assert row["variance"].difference == Decimal("-5") and row["missed"]
    assert any(a["quarter"] == 1 and a["missed"] for a in page.context["alerts"])
    # a quarter that has not ended, no actuals, not a number: form errors, nothing written
    future = dt.date.today().year + 1
    Programme.objects.filter(pk=world.prog_a.pk).update(end_year=future)
    for post, msg in (({"year": future, "quarter": 4, f: "30"}, "has not ended"),
                      ({"year": 2022, "quarter": 2, f: ""}, "at least one counter-obligation"),
                      ({"year": 2022, "quarter": 2, f: "many"}, "number")):
        r = app.post("/programmes/alpha/report/", post)
        assert r.status_code == 200 and msg in r.content.decode(), msg
    assert QuarterlyReport.objects.count() == 1
    # the other cluster's association may not report for alpha
    assert _client(world.users["applicant_b"]).post("/programmes/alpha/report/", {"year": 2022, "quarter": 2, f: "30"}).status_code == 403
    assert QuarterlyReport.objects.count() == 1
