"""The page cache (klaster.web.cache): data versions that change with every write to an area's
tables (triggers), kept by a rollback, new after the table is emptied; the regions map cached per
language with its coordinates as machine numbers (ru and kk write decimal commas) and drawn anew
after the reference loader's bulk writes; the home page's counts; the OKED browser's query
values through a bounded form. The register's pages: tests/perf/test_register_pages.py."""

from __future__ import annotations

import json
from html import unescape as html_unescape
import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client

from klaster.reference.models import Region
from klaster.register.models import Cluster
from klaster.web import cache as page_cache
from klaster.web.models import DataVersion
from tests.perf.helpers import KARAGANDA, clusters, queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    cache.clear()
    return Client()


def _html(client, url, lang="en"):
    client.cookies["django_language"] = lang
    r = client.get(url)
    assert r.status_code == 200
    return r.content.decode()


# ------------------------------------------------------------------------------------- data versions

def test_a_rolled_back_change_keeps_the_data_version():
    before = page_cache.tokens("register")
    with transaction.atomic():
        Cluster.objects.create(code="rolled", name_ru="x", oked="23")
        assert page_cache.tokens("register") != before
        transaction.set_rollback(True)
    assert page_cache.tokens("register") == before


def test_an_emptied_version_table_starts_a_new_version():
    """After a flush the row is missing: a new random token, never the one of an earlier state."""
    before = page_cache.tokens("reference")
    DataVersion.objects.all().delete()
    after = page_cache.tokens("reference")
    assert after != before and DataVersion.objects.filter(area="reference").exists()


def test_every_table_of_every_area_has_its_trigger():
    from klaster.register.models import InclusionApplication

    import datetime as dt
    from decimal import Decimal

    from klaster.common.models import CalendarException
    from klaster.programmes import domain as pd

    (c,) = clusters(1, members=1)
    InclusionApplication.objects.create(cluster=c, submitted_on="2024-01-10")
    p = pd.create_programme(actor=None, cluster=c, title_ru="ЦКП", start_year=2021, end_year=2025)
    pr = pd.add_project(actor=None, programme=p, name_ru="Завод", cost=Decimal("100"), direction="priority-direction")
    pd.set_financing(actor=None, project=pr, year=2022, source="republican-budget", amount=Decimal("70"))
    ob = pd.add_obligation(actor=None, programme=p, indicator_ru="Производство", unit="mln tenge", base_year=2020, base_value=Decimal("1"),
                           targets={(2022, 1): Decimal("2")})
    pd.submit_report(actor=None, programme=p, year=2022, quarter=1, actuals={ob: Decimal("1")}, on=dt.date(2022, 4, 5), reason="history")
    pd.save_effect(actor=None, programme=p, indicator="production", unit="mln tenge", base_year=2020, base_value=Decimal("10"),
                   forecast_year=2024, forecast_value=Decimal("20"))
    CalendarException.objects.create(day=dt.date(2030, 1, 2), working=False, note="a day off")
    tables = {t for ts in page_cache.area_tables().values() for t in ts}
    assert {"register_cluster", "register_cluster_regions", "register_membership", "reference_region", "reference_okedcode",
            "programmes_obligationactual", "common_calendarexception"} <= tables
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT t.tgname FROM pg_trigger t WHERE NOT t.tgisinternal")
        else:
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        installed = {name for (name,) in cur.fetchall()}
    for area, ts in page_cache.area_tables().items():
        for table in ts:
            with connection.cursor() as cur:
                cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                has_rows = cur.fetchone()[0] > 0
            if not has_rows:  # an empty table: its trigger is there (an UPDATE would change no row)
                names = {page_cache._trigger_name(area, table, e) for e in ("", "insert", "update", "delete")}
                assert names & installed, (area, table)
                continue
            with transaction.atomic():
                before = page_cache.tokens(area)
                with connection.cursor() as cur:
                    cur.execute(f"UPDATE {connection.ops.quote_name(table)} SET id = id")
                assert page_cache.tokens(area) != before, (area, table)
                transaction.set_rollback(True)


# ------------------------------------------------------------------------------------- regions

def test_regions_map_is_cached_per_language(client):
    kk, ru, en = (_html(client, "/regions/", lang) for lang in ("kk", "ru", "en"))
    assert "Қарағанды облысы" in kk and "Карагандинская область" in ru and "Karagandy Region" in en
    assert queries(client, "/regions/", cold=False)[0] == 1  # only the data version


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_regions_map_coordinates_are_machine_numbers(client, lang):
    """A decimal comma in the map's numbers makes it unreadable: the figure is JSON (machine numbers)
    and the boundaries one GeoJSON file."""
    html = _html(client, "/regions/", lang)
    fig = json.loads(html_unescape(re.search(r'id="kz-map-figure" data-map="([^"]*)"', html).group(1)))
    assert sum(1 for t in fig["data"] for k in t["locations"] if k != "-") == 20
    gj = json.loads(client.get("/regions/boundaries.json").content)
    assert all(isinstance(x, float | int) for f in gj["features"] for poly in f["geometry"]["coordinates"] for ring in poly for pt in ring for x in pt)


def test_a_region_boundary_changed_by_the_loader_is_drawn_at_once(client):
    """The reference loader writes with bulk_update (no signals): the map and its boundaries are drawn anew."""
    before = _html(client, "/regions/")
    r = Region.objects.get(kato=KARAGANDA)
    square = {"type": "Polygon", "coordinates": [[[70.0, 48.0], [75.0, 48.0], [75.0, 50.0], [70.0, 50.0], [70.0, 48.0]]]}
    r.boundary = square
    r.name_en = "Karaganda (redrawn)"
    Region.objects.bulk_update([r], ["boundary", "name_en"])
    after = _html(client, "/regions/")
    gj = json.loads(client.get("/regions/boundaries.json").content)
    (feature,) = [f for f in gj["features"] if f["id"] == KARAGANDA]
    assert feature["geometry"]["coordinates"] == [square["coordinates"]] and "Karaganda (redrawn)" in after and after != before


def test_home_counts_follow_the_reference_data(client):
    from klaster.reference.models import OkedCode

    n = OkedCode.objects.count()
    assert f"{n} codes" in _html(client, "/").replace("\xa0", " ")
    OkedCode.objects.filter(level="subclass").order_by("-code")[:1].get().delete()
    assert f"{n - 1} codes" in _html(client, "/").replace("\xa0", " ")


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=" + "9" * 30, "parent=<script>", "q=" + "x" * 101])
def test_oked_malformed_values_are_form_errors(client, query):
    r = client.get(f"/oked/?{query}", HTTP_ACCEPT_LANGUAGE="ru")
    assert r.status_code == 400
    html = r.content.decode()
    assert "govuk-error-summary" in html and "<script>" not in re.split(r"<main\b", html)[1]
