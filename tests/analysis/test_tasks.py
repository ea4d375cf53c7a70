"""Mapping runs as tasks of the worker (issue 10): the page saves the run ``queued`` and puts a task
in the database queue (django-q2's ORM broker); the run's page shows the status and progress and
refreshes itself; the worker computes it (done) or fails it with a clear error on the page."""

from __future__ import annotations

import pydoc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from klaster.analysis.models import AnalysisRun
from tests.analysis.conftest import small_panel
from tests.analysis.test_mapping import _client

pytestmark = pytest.mark.django_db
DATA = {"source": "upload", "frame": "2022", "methodologies": ["cmp"], "stability": "0"}


@pytest.fixture
def queued(monkeypatch):
    """Tasks go to the queue (as in production) instead of running inline as in the other tests."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)


def work_one():
    """Take one task from the queue and run it, as a worker of ``klaster worker`` does."""
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    broker = get_broker()
    (task_id, payload), = broker.dequeue()
    task = SignedPackage.loads(payload)
    result = pydoc.locate(task["func"])(*task["args"], **task["kwargs"])
    broker.acknowledge(task_id)
    return task, result


def test_a_run_is_queued_then_done_by_the_worker(media, users, queued, django_capture_on_commit_callbacks):
    c = _client(users["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/analysis/map/", {**DATA, "lq_base": "all", "file": SimpleUploadedFile("p.csv", small_panel(), content_type="text/csv")})
    run = AnalysisRun.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/analysis/runs/{run.pk}/"
    assert run.status == "queued" and run.progress == 0
    page = c.get(r["Location"]).content.decode()
    assert 'data-status="queued"' in page and 'http-equiv="refresh"' in page and "<progress" in page
    task, status = work_one()
    assert task["func"] == "klaster.analysis.tasks.run_map" and status == "done"
    run.refresh_from_db()
    assert (run.status, run.progress) == ("done", 100) and run.summary["cells"] > 0
    page = c.get(r["Location"]).content.decode()
    assert 'data-status="done"' in page and 'http-equiv="refresh"' not in page and "<progress" not in page


def test_a_failing_run_shows_its_error(media, users, queued, django_capture_on_commit_callbacks):
    c = _client(users["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/analysis/map/", {**DATA, "file": SimpleUploadedFile("p.csv", small_panel(), content_type="text/csv")})
    run = AnalysisRun.objects.get()
    assert run.status == "queued"
    _task, status = work_one()
    run.refresh_from_db()
    assert status == "failed" and run.status == "failed" and "column 'group'" in run.error
    page = c.get(f"/analysis/runs/{run.pk}/").content.decode()
    assert "data-run-error" in page and "column &#x27;group&#x27;" in page and 'http-equiv="refresh"' not in page


def test_a_run_whose_stored_file_is_gone_fails_with_a_message_not_running_for_ever(media, users, queued, django_capture_on_commit_callbacks):
    import shutil

    from klaster.analysis import services as S

    c = _client(users["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/analysis/map/", {**DATA, "lq_base": "all", "file": SimpleUploadedFile("p.csv", small_panel(), content_type="text/csv")})
    run = AnalysisRun.objects.get()
    shutil.rmtree(S.run_dir(run))
    _task, status = work_one()
    run.refresh_from_db()
    assert status == "failed" and run.status == "failed" and run.error and run.finished_at is not None


def test_a_task_for_a_run_no_longer_queued_does_nothing(media, users, queued, django_capture_on_commit_callbacks):
    c = _client(users["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/analysis/map/", {**DATA, "lq_base": "all", "file": SimpleUploadedFile("p.csv", small_panel(), content_type="text/csv")})
    AnalysisRun.objects.update(status="done")
    _task, status = work_one()
    assert status == "skipped"


# ---------------------------------------------------------------- uploaded input-output tables
from tests.analysis.test_io_pages import TABLE, _row  # noqa: E402


def _upload_table(c, content=TABLE, name="mb.csv", **extra):
    return c.post("/analysis/io/", {"file": SimpleUploadedFile(name, content), "household_income": "", "check": "on", **extra})


def test_an_uploaded_table_is_queued_then_done_by_the_worker(media, users, queued, django_capture_on_commit_callbacks):
    from klaster.common.models import AuditEntry

    c = _client(users["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        r = _upload_table(c)
    run = AnalysisRun.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/analysis/io/?table=run-{run.pk}"
    assert (run.kind, run.status, run.progress, run.upload_name) == ("io_table", "queued", 0, "mb.csv")
    assert AuditEntry.objects.filter(action="analysis.io_table.upload", object_id=str(run.pk)).exists()
    page = c.get(r["Location"]).content.decode()
    assert 'data-status="queued"' in page and 'http-equiv="refresh"' in page and "<progress" in page
    assert 'id="multipliers"' not in page
    # the queued run says what was asked for, as a map run's page does
    assert "mb.csv" in page.split('id="run-meta"')[1].split("</dl>")[0]
    # the run page leads to the same place; the table is not offered to the impact page yet
    assert c.get(f"/analysis/runs/{run.pk}/")["Location"] == r["Location"]
    assert c.get(f"/analysis/io/impact/?table=run-{run.pk}").status_code == 404
    task, status = work_one()
    assert task["func"] == "klaster.analysis.tasks.run_io_table" and status == "done"
    run.refresh_from_db()
    assert (run.status, run.progress, run.error, run.summary["sectors"]) == ("done", 100, "", 2) and run.finished_at
    assert AuditEntry.objects.filter(action="analysis.io_table.run", object_id=str(run.pk)).exists()
    page = c.get(r["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page and "<progress" not in page
    # the results as before (Miller & Blair ch. 2: output multipliers 1.5181, 1.4521)
    assert "1.518" in _row(page, "a") and "1.452" in _row(page, "b")
    assert c.get(f"/analysis/io/impact/?table=run-{run.pk}").status_code == 200


def test_a_failing_table_shows_its_error_and_the_run_is_failed(media, users, queued, django_capture_on_commit_callbacks):
    c = _client(users["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        r = _upload_table(c, TABLE.replace(b"b,200,100", b"b,2x0,100"), "bad.csv")
    run = AnalysisRun.objects.get()
    assert r.status_code == 302 and run.status == "queued"
    _task, status = work_one()
    run.refresh_from_db()
    assert status == "failed" and run.status == "failed" and run.finished_at is not None and run.progress == 100
    assert run.error.startswith("bad.csv: cell at row 'b', column 'a' is not a number") and str(media) not in run.error
    page = c.get(r["Location"]).content.decode().replace("&#x27;", "'")
    assert 'data-status="failed"' in page and "data-run-error" in page and "bad.csv: cell at row 'b'" in page
    assert 'http-equiv="refresh"' not in page and 'id="multipliers"' not in page
    # a failed table is not offered as a table of the pages
    assert f"run-{run.pk}" not in c.get("/analysis/io/").content.decode()


def test_an_internal_error_fails_the_table_with_a_generic_message(media, users, queued, monkeypatch, caplog, django_capture_on_commit_callbacks):
    from klaster.analysis import services as S

    c = _client(users["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        r = _upload_table(c)

    def broken(run):
        raise RuntimeError("bug at /secret/path")

    monkeypatch.setattr(S, "load_uploaded_io", broken)
    _task, status = work_one()
    run = AnalysisRun.objects.get()
    assert status == "failed" and run.status == "failed" and run.error == S.INTERNAL_ERROR
    assert "bug at /secret/path" in caplog.text  # logged for the administrator
    page = c.get(r["Location"]).content.decode()
    assert "data-run-error" in page and "/secret/path" not in page


def test_a_table_whose_stored_file_is_gone_fails_with_a_message(media, users, queued, django_capture_on_commit_callbacks):
    import shutil

    from klaster.analysis import services as S

    c = _client(users["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        _upload_table(c)
    run = AnalysisRun.objects.get()
    shutil.rmtree(S.run_dir(run))
    _task, status = work_one()
    run.refresh_from_db()
    assert status == "failed" and run.status == "failed" and run.error and str(media) not in run.error


def test_another_user_cannot_see_an_uploaded_table_run(media, users, queued, django_capture_on_commit_callbacks):
    c = _client(users["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        _upload_table(c)
    run = AnalysisRun.objects.get()
    urls = [f"/analysis/io/?table=run-{run.pk}", f"/analysis/runs/{run.pk}/", f"/analysis/io/?table=run-{run.pk}&format=csv",
            f"/analysis/io/impact/?table=run-{run.pk}"]
    for state in ("queued", "done"):
        for who in ("analyst2", "organizer"):
            other = _client(users[who])
            for url in urls:
                assert other.get(url).status_code == 403, (state, who, url)
            assert "mb.csv" not in other.get("/analysis/").content.decode()
        if state == "queued":
            work_one()
    # an organizer may not upload; a task for a run that is no longer queued does nothing
    assert _upload_table(_client(users["organizer"])).status_code == 403
    from klaster.analysis.tasks import run_io_table

    assert run_io_table(run.pk) == "skipped"
