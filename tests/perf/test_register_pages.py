"""The public register and a cluster's profile are cached per day and never stale: a change made
by the organizer's form, by the ORM without signals, by raw SQL as another process would, is shown
by the next request."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from klaster.accounts.roles import Role
from klaster.register.models import Cluster, Participant
from tests.conftest import make_user
from tests.perf.helpers import clusters, queries

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


def test_a_participant_edited_on_its_form_is_shown_at_once(client):
    (c,) = clusters(1, members=2)
    p = Participant.objects.filter(memberships__cluster=c, kind="enterprise").first()
    assert p.name in _html(client, f"/register/{c.code}/")  # cached now
    org = Client()
    org.force_login(make_user("perf_org", Role.ORGANIZER))
    data = {"bin": p.bin, "name": "Renamed Cement Works", "kind": p.kind, "oked_main": p.oked_main, "oked_additional": "", "kato": p.kato,
            "address": "", "affiliation_group": p.affiliation_group, "size": "large", "founded_on": "", "version": p.version}
    r = org.post(f"/register/{c.code}/participants/{p.pk}/", data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    html = _html(client, f"/register/{c.code}/")
    assert "Renamed Cement Works" in html and p.name not in html


def test_a_cluster_renamed_is_shown_at_once_on_the_register_and_its_profile(client):
    (c,) = clusters(1)
    assert "Cluster 0" in _html(client, "/register/") and "Cluster 0" in _html(client, f"/register/{c.code}/")
    c.name_en = "Renamed cluster"
    c.save()
    assert "Renamed cluster" in _html(client, "/register/")
    assert "Renamed cluster" in _html(client, f"/register/{c.code}/")


def test_a_bulk_update_without_signals_is_seen(client):
    """QuerySet.update sends no signal; the database's trigger changes the data version all the same."""
    (c,) = clusters(1)
    assert "Cluster 0" in _html(client, "/register/")
    Cluster.objects.filter(pk=c.pk).update(name_en="Bulk-renamed")
    assert "Bulk-renamed" in _html(client, "/register/")


def test_a_change_by_another_process_is_seen(client):
    """Another worker (or ``klaster`` on the command line) writes with its own connection: raw SQL
    here, which no Python code of this process observes."""
    (c,) = clusters(1, members=2)

    def members(html):  # the table of members on the day shown
        return html.split("Members on")[1].split("Membership history")[0]

    assert members(_html(client, f"/register/{c.code}/?date=2024-01-01")).count("Plant perf0-") == 2
    with connection.cursor() as cur:
        cur.execute("UPDATE register_membership SET left_on = %s WHERE cluster_id = %s AND participant_id IN "
                    "(SELECT id FROM register_participant WHERE name = %s)", ["2021-01-01", c.pk, "Plant perf0-0"])
    shown = members(_html(client, f"/register/{c.code}/?date=2024-01-01"))
    assert "Plant perf0-0" not in shown and "Plant perf0-1" in shown


def test_the_page_cache_switched_off_computes_every_time(client, settings):
    clusters(2)
    settings.PAGE_CACHE = False
    first = queries(client, "/register/", cold=False)[0]
    assert queries(client, "/register/", cold=False)[0] == first > 1




def test_an_unknown_cluster_is_not_kept_in_the_cache(client):
    cache.clear()
    assert client.get("/register/no-such-cluster/").status_code == 404
    assert client.get("/register/no-such-cluster-either/").status_code == 404
    assert len(cache._cache) == 0
