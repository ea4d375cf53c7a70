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
