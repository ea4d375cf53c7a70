"""Builders and counters of the performance tests: rows in bulk for the list pages, and the number
of SQL queries a page costs with an empty page cache."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.register.world import bin_

D = dt.date
KARAGANDA = "350000000"


def queries(client, url: str, *, cold: bool = True) -> tuple[int, list[str]]:
    """``(number of queries, their SQL)`` of one GET of ``url``; with ``cold`` the page cache is
    emptied first (the cost of the first request after a change). Fails unless the answer is 200."""
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as q:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return len(q), [x["sql"] for x in q]


def clusters(n: int, *, start: int = 0, members: int = 3, day: dt.date = D(2020, 1, 1)):
    """``n`` clusters included in the register on ``day``, each in Karaganda region with its
    association and ``members`` enterprises joined that day."""
    from klaster.reference.models import Region
    from klaster.register.domain import services as reg
    from klaster.register.models import Cluster

    region = Region.objects.get(kato=KARAGANDA)
    out = []
    for i in range(start, start + n):
        c = Cluster.objects.create(code=f"perf{i}", name_kk=f"Кластер {i}", name_ru=f"Кластер {i}", name_en=f"Cluster {i}", oked="23",
                                   status="included", included_on=day, competition_stage_won=1)
        c.regions.add(region)
        serial = 1000 + i * 50
        assoc = reg.save_participant(actor=None, bin=bin_(serial), name=f"Association {i}", kind="association", oked_main="9411", kato=KARAGANDA)
        c.association = assoc
        c.save()
        reg.join(actor=None, cluster=c, participant=assoc, joined_on=day)
        participants(c, members, start=serial + 1, day=day)
        out.append(c)
    return out


def participants(cluster, n: int, *, start: int, day: dt.date = D(2020, 1, 1)):
    """``n`` enterprises joined ``cluster`` on ``day`` (BIN serials from ``start``)."""
    from klaster.register.domain import services as reg

    out = []
    for j in range(n):
        p = reg.save_participant(actor=None, bin=bin_(start + j), name=f"Plant {cluster.code}-{j}", kind="enterprise", oked_main="2361",
                                 kato=KARAGANDA, affiliation_group=f"g{j % 4}" if j % 2 else "", specialised=bool(j % 3))
        reg.join(actor=None, cluster=cluster, participant=p, joined_on=day)
        out.append(p)
    return out
