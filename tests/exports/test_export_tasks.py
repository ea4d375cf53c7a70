"""Large exports are prepared by the worker (django-q2; inline under pytest): above the row
threshold the download is queued as a job, the user follows it on /exports/ and downloads the file,
which equals the export made in the request; only its owner can; a failure is shown, never a
job stuck "being prepared"."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from tests.conftest import make_user


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def admin_client(db):
    from klaster.common import audit

    admin = make_user("export-admin", "administrator")
    for i in range(12):
        audit.record(actor=admin, action="test.export", object_type="test", object_id=str(i), object_repr=f"=HYPERLINK({i})", changes={"n": [None, i]})
    c = Client()
    c.force_login(admin)
    return admin, c


def test_a_large_export_is_queued_prepared_and_downloaded_by_its_owner(admin_client, settings):
    from klaster.common.models import AuditEntry
    from klaster.exports.models import ExportJob

    admin, c = admin_client
    small = c.get("/exports/audit/", {"fmt": "csv", "action__exact": "test.export"})
    assert small.status_code == 200  # 12 rows: below the default threshold, made in the request
    settings.KLASTER_EXPORT_TASK_ROWS = 5
    r = c.get("/exports/audit/", {"fmt": "csv", "action__exact": "test.export"})
    job = ExportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/exports/?job={job.pk}"
    assert job.user == admin and job.rows == 12 and job.state == "done" and job.file.name.startswith(f"exports/{admin.pk}/")
    assert AuditEntry.objects.filter(action="export.queue", object_id=str(job.pk)).exists()
    page = c.get(f"/exports/?job={job.pk}")
    assert page.status_code == 200 and f"/exports/audit/?job={job.pk}" in page.content.decode()
    got = c.get("/exports/audit/", {"job": job.pk})
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")
    queued = _rows(b"".join(got.streaming_content) if got.streaming else got.content)
    inline = _rows(small.content)
    assert len(queued) == 12 and [r["object_id"] for r in queued] == [r["object_id"] for r in inline]
    assert all(r["object"].startswith("'=") for r in queued)  # the same neutralisation
    # only its owner, only finished, only under its list
    other = Client()
    other.force_login(make_user("other-admin", "administrator"))
    assert other.get("/exports/audit/", {"job": job.pk}).status_code == 404
    assert c.get("/exports/register/", {"job": job.pk}).status_code == 404
    for bad in ("abc", "9" * 30, "-1", ""):
        assert c.get("/exports/audit/", {"job": bad}).status_code == 400, bad
        assert c.get("/exports/", {"job": bad}).status_code == 400, bad


def test_a_failed_job_shows_its_error_and_old_jobs_are_pruned(admin_client, settings, monkeypatch, django_capture_on_commit_callbacks):
    from klaster.common import files
    from klaster.exports import lists, tasks
    from klaster.exports.models import ExportJob

    admin, c = admin_client
    settings.KLASTER_EXPORT_TASK_ROWS = 5

    def boom(user, f):
        raise RuntimeError("disk on fire")

    export = lists.registry()["audit"]
    monkeypatch.setitem(lists.registry(), "audit", type(export)(**{**export.__dict__, "rows": boom}))
    r = c.get("/exports/audit/", {"fmt": "xlsx"})
    job = ExportJob.objects.get()
    assert r.status_code == 302 and job.state == "failed" and job.error == "internal error" and not job.file
    assert "disk on fire" not in c.get("/exports/").content.decode()
    monkeypatch.undo()
    settings.KLASTER_EXPORT_TASK_ROWS = 5
    with django_capture_on_commit_callbacks(execute=True):  # files.discard removes after the commit
        for _ in range(tasks.KEEP + 1):
            c.get("/exports/audit/", {"fmt": "csv"})
    assert ExportJob.objects.filter(user=admin).count() == tasks.KEEP
    assert not ExportJob.objects.filter(pk=job.pk).exists()
    assert files.orphans() == []  # the files of pruned jobs are removed, the kept ones referenced
