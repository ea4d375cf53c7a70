"""The programme page's figures (monitoring rows, charts, co-financing, effects) are cached per
day and language until the programme's data or the calendar changes: a report submitted is shown
at once, and so is a day off recorded by the administrator that moves a report's due date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from klaster.accounts.roles import Role
from klaster.programmes import domain as pd
from tests.conftest import make_user
from tests.perf.helpers import clusters, queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    cache.clear()
    (c,) = clusters(1, members=0)
    p = pd.create_programme(actor=None, cluster=c, title_ru="ЦКП", title_en="Programme", start_year=2021, end_year=2025)
    ob = pd.add_obligation(actor=None, programme=p, indicator_ru="Производство", indicator_en="Production", unit="mln tenge", base_year=2020,
                           base_value=Decimal("1"), targets={(2022, 1): Decimal("20"), (2022, 2): Decimal("30")})
    client = Client()
    client.force_login(make_user("perf_analyst", Role.ANALYST))
    client.cookies["django_language"] = "en"
    return client, f"/programmes/{c.code}/", p, ob


def test_a_submitted_report_is_shown_at_once(page):
    client, url, p, ob = page
    before = client.get(url).content.decode()
    assert "report overdue since" in before and "data-plotly" in before
    pd.submit_report(actor=None, programme=p, year=2022, quarter=1, actuals={ob: Decimal("17")}, on=dt.date(2022, 4, 5), reason="history")
    after = client.get(url).content.decode()
    assert "target missed" in after and "17" in after.split("target missed")[1][:40]


def test_the_page_is_cached_until_a_change(page):
    client, url, p, ob = page
    cold = queries(client, url)[0]
    warm = queries(client, url, cold=False)[0]
    # session, user, roles, the header's unread-notices badge, the programme (its permission), the
    # data version; the figures from memory
    assert warm == 6 < cold
    from klaster.common.models import CalendarException

    CalendarException.objects.create(day=dt.date(2030, 1, 2), working=False, note="a day off")
    assert queries(client, url, cold=False)[0] > warm  # the calendar changed: computed again
