"""Programmes with the DB: co-financing on projects, monitoring alerts, effect flags, pages."""

import datetime as dt
from decimal import Decimal

import pytest

from klaster.accounts.roles import Role
from klaster.common import locking
from klaster.programmes import domain
from klaster.register.models import Cluster

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def prog():
    c = Cluster.objects.create(code="furniture", name_kk="Ж", name_ru="Мебельный кластер", name_en="Furniture", oked="31", status="included")
    return domain.create_programme(actor=None, cluster=c, title_ru="ЦКП", start_year=2021, end_year=2025)


def test_programme_needs_inclusion():
    c = Cluster.objects.create(code="x", name_kk="x", name_ru="x", name_en="x", oked="31")
    with pytest.raises(domain.ProgrammeError, match="register"):
        domain.create_programme(actor=None, cluster=c, title_ru="x", start_year=2021, end_year=2025)


def test_project_split_cap_alert_and_monitoring(prog):
    pr = domain.add_project(actor=None, programme=prog, name_ru="Контрактная мебель", cost=Decimal("110"), direction="priority-direction", printed_participants_amount=Decimal("33"))
    assert (pr.state_amount, pr.participants_amount) == (Decimal("77.0"), Decimal("33.0"))
    domain.set_financing(actor=None, project=pr, year=2022, source="republican-budget", amount=Decimal("120"))
    assert [a.year for a in domain.cap_alerts(prog)] == [2022]
    ob = domain.add_obligation(actor=None, programme=prog, indicator_ru="Производство", unit="mln tenge", base_year=2020, base_value=Decimal("15568"), targets={(2022, 1): Decimal("4500"), (2022, 2): Decimal("4600")})
    with pytest.raises(domain.ProgrammeError, match="not ended"):
        domain.submit_report(actor=None, programme=prog, year=2022, quarter=1, actuals={ob: Decimal("4400")}, on=D(2022, 3, 31), reason="history")
    domain.submit_report(actor=None, programme=prog, year=2022, quarter=1, actuals={ob: Decimal("4400")}, on=D(2022, 4, 5), reason="history")
    rows = {r["quarter"]: r for r in domain.monitoring_rows(prog, today=D(2022, 8, 1))}
    assert rows[1]["missed"] and rows[1]["variance"].difference == Decimal("-100")
    # 10 wd after Thu 30 Jun: 1, 4, 5, (6 Capital Day), 7, 8, 11, 12, 13, 14, 15 July
    assert rows[2]["overdue"] and rows[2]["report_due"] == D(2022, 7, 15)
    # a second submission of the quarter that does not name the report it revises is refused
    with pytest.raises(locking.StaleEdit, match="Q1 2022"):
        domain.submit_report(actor=None, programme=prog, year=2022, quarter=1, actuals={ob: Decimal("4500")}, on=D(2022, 4, 6), reason="history")


def test_effect_flags_furniture_88_percent(prog):
    domain.save_effect(actor=None, programme=prog, indicator="production", unit="mln tenge", base_year=2020, base_value=Decimal("15568"), forecast_year=2024, forecast_value=Decimal("29170"), printed_effect_pct=Decimal("88"))
    (e,) = domain.effect_checks(prog)
    assert e["computed"] == Decimal("87.4") and e["matches"] is False


def test_programme_page_with_offline_chart(prog, client, user_factory):
    ob = domain.add_obligation(actor=None, programme=prog, indicator_ru="Производство", unit="mln tenge", base_year=2020, base_value=Decimal("1"), targets={(2022, 1): Decimal("2")})
    domain.submit_report(actor=None, programme=prog, year=2022, quarter=1, actuals={ob: Decimal("1")}, on=D(2022, 4, 5), reason="history")
    client.force_login(user_factory("an", Role.ANALYST))
    html = client.get("/programmes/furniture/").content.decode()
    # plotly.js is a static file of klaster (no CDN); the chart is drawn from the figure on the page
    assert "/static/klaster/vendor/plotly.min" in html and "cdn" not in html.lower() and ("Plotly.newPlot" in html or "data-plotly" in html)
    assert client.get("/programmes/furniture/monitoring.xlsx").status_code == 200
    assert client.get("/programmes/furniture/monitoring.docx").status_code == 200
    client.logout()
    assert client.get("/programmes/furniture/").status_code == 302
