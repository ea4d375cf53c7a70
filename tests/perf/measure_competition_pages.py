"""A measurement, not a test: the median time of the organizer's competition pages on the demo
world (test client, 20 requests each after a first one, ``time.perf_counter``, and the process's CPU time, ``time.process_time``, which a busy machine
disturbs less; SQLite), without
and with the timelines kept per data version (``settings.PAGE_CACHE``).

Run: ``.venv/bin/python -m pytest -q -s -p no:cacheprovider tests/perf/measure_competition_pages.py``
(not collected by a plain ``pytest`` run: its name does not start with ``test_``).
"""

from __future__ import annotations

import io
import statistics
import time

import pytest

pytestmark = pytest.mark.django_db


def test_measure(settings):
    from django.test import Client
    from rich.console import Console

    from klaster.accounts.demo import load_demo as accounts_demo
    from klaster.competition.demo import load_demo
    from klaster.competition.models import Competition

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    con = Console(file=io.StringIO())
    accounts_demo(con)
    load_demo(con)
    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="organizer"))
    urls = ["/competition/organizer/"] + [f"/competition/organizer/{c.pk}/" for c in Competition.objects.order_by("pk")]
    for url in urls:
        out = []
        for page_cache in (False, True):  # without, then with the timelines kept per data version
            settings.PAGE_CACHE = page_cache
            times, cpu = [], []
            for _ in range(21):
                t, c = time.perf_counter(), time.process_time()
                r = client.get(url)
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
                assert r.status_code == 200, (url, r.status_code)
            out.append(f"{statistics.median(times[1:]) * 1000:.1f} ms (CPU {statistics.median(cpu[1:]) * 1000:.1f} ms)")
        print(f"{url}\tmedian without cache {out[0]}, with {out[1]}\t{len(r.content)} bytes")
