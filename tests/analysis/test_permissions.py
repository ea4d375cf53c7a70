"""Every role (and an anonymous visitor) against every view of the analysis app.

Decision (docs/analysis.md): analysts run; organizers read shared runs and the I-O pages;
a run on an uploaded file is visible to its owner only. Runs are prepared once per test with
the real U.S. CMP data (shared) and a small uploaded panel (private to ``analyst``).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver

from klaster.analysis.models import AnalysisRun
from tests.analysis.conftest import ROLES, small_panel

READ = {"analyst", "analyst2", "organizer"}
RUN = {"analyst", "analyst2"}
OWNER = {"analyst"}


@pytest.mark.django_db
def test_every_role_against_every_view(media, users):
    a = Client()
    a.force_login(users["analyst"])
    a.post("/analysis/map/", {"source": "upload", "file": SimpleUploadedFile("p.csv", small_panel()), "frame": "2022",
                              "methodologies": ["cmp"], "stability": "0", "lq_base": "all"})
    a.post("/analysis/io/", {"file": SimpleUploadedFile("t.csv", b"s,a,b,hh\na,1,2,7\nb,2,1,7\noutput,10,10,\n"), "check": "on"})
    a.post("/analysis/io/impact/", {"table": "scotland-2019", "type": "I", "sector_0": "01", "amount_0": "1"})
    private = AnalysisRun.objects.get(kind="map", dataset="upload")
    table = AnalysisRun.objects.get(kind="io_table")
    impact = AnalysisRun.objects.get(kind="io_impact")
    # a shared run on built-in data, made cheaply: the private run's outputs under a built-in dataset id
    shared = AnalysisRun.objects.create(kind="map", owner=users["analyst2"], dataset="us-cmp2016", status="done",
                                        parameters=private.parameters, output_dir=private.output_dir, summary=private.summary)
    cases = [
        ("/analysis/", READ), ("/analysis/map/", RUN),
        (f"/analysis/runs/{shared.pk}/", READ), (f"/analysis/runs/{shared.pk}/flags.csv", READ),
        (f"/analysis/runs/{shared.pk}/flags.xlsx", READ), (f"/analysis/runs/{shared.pk}/report.html", READ),
        (f"/analysis/runs/{shared.pk}/files/lq.csv", READ),
        (f"/analysis/runs/{private.pk}/", OWNER), (f"/analysis/runs/{private.pk}/flags.csv", OWNER),
        (f"/analysis/runs/{private.pk}/report.html", OWNER), (f"/analysis/runs/{private.pk}/files/lq.csv", OWNER),
        (f"/analysis/runs/{impact.pk}/", READ),
        ("/analysis/io/", READ), (f"/analysis/io/?table=run-{table.pk}", OWNER),
        ("/analysis/io/impact/", RUN), (f"/analysis/io/impact/?table=run-{table.pk}", OWNER),
        ("/analysis/io/regionalise/", READ),
    ]
    covered = {p.name for p in get_resolver("klaster.analysis.urls").url_patterns}
    from django.urls import resolve

    assert covered == {resolve(u.split("?")[0]).url_name for u, _ in cases}
    for who in ("anonymous", *ROLES, "analyst2"):
        c = Client()
        if who != "anonymous":
            c.force_login(users[who])
        for url, allowed in cases:
            r = c.get(url)
            if who == "anonymous":
                assert r.status_code == 302 and "/login" in r["Location"], (who, url)
            elif who in allowed:
                assert r.status_code == 200, (who, url, r.status_code)
            else:
                assert r.status_code == 403, (who, url, r.status_code)
    # POSTs that run or upload: analysts only (organizer read-only)
    before = AnalysisRun.objects.count()
    for who in ("organizer", "expert", "applicant", "administrator"):
        c = Client()
        c.force_login(users[who])
        assert c.post("/analysis/map/", {"source": "us-cmp2016", "methodologies": ["cmp"], "frame": "2022"}).status_code == 403
        assert c.post("/analysis/io/", {"file": SimpleUploadedFile("t.csv", b"x")}).status_code == 403
        assert c.post("/analysis/io/impact/", {"table": "scotland-2019", "type": "I", "sector_0": "01", "amount_0": "1"}).status_code == 403
    assert AnalysisRun.objects.count() == before
    # the run list shows the shared run to every reader, the private one only to its owner
    for who in READ:
        c = Client()
        c.force_login(users[who])
        html = c.get("/analysis/").content.decode()
        assert f"/analysis/runs/{shared.pk}/" in html
        assert (f"/analysis/runs/{private.pk}/" in html) == (who in OWNER)
