"""Long computations of the analysts' pages as tasks of the worker (django-q2).

A mapping run is saved ``queued`` by the page (:func:`klaster.analysis.views.map_new`) and queued
after the commit with :func:`enqueue_map`; the worker runs :func:`run_map`, which marks it
``running`` with its progress, loads the panel (the built-in dataset or the stored upload), computes
and writes it (:func:`klaster.analysis.services.execute_map`) and ends ``done`` or ``failed`` with the
error the user sees on the run's page (which refreshes itself while the run is queued or running).

An uploaded input-output table is the same: the page (:func:`klaster.analysis.views.io_multipliers`)
checks and stores the file and saves its ``io_table`` run ``queued`` (:func:`enqueue_io_table`); the
worker runs :func:`run_io_table`, which reads and checks the table with the library and computes its
multipliers, and ends ``done`` (the I-O page then shows the multipliers) or ``failed``.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from klaster.analysis.models import AnalysisRun
from klaster.observatory import message_of

log = logging.getLogger(__name__)


def _progress(run: AnalysisRun, percent: int, text: str, **fields) -> None:
    run.progress, run.progress_text = percent, text
    for k, v in fields.items():
        setattr(run, k, v)
    AnalysisRun.objects.filter(pk=run.pk).update(progress=percent, progress_text=text, **fields)


def enqueue_map(run: AnalysisRun) -> None:
    """Queue the computation of ``run`` after the current transaction commits (inline when
    django-q2 runs tasks synchronously: ``Q_CLUSTER["sync"]``)."""
    _enqueue("klaster.analysis.tasks.run_map", run, "map")


def enqueue_io_table(run: AnalysisRun) -> None:
    """Queue the reading of the uploaded input-output table of ``run`` (as :func:`enqueue_map`)."""
    _enqueue("klaster.analysis.tasks.run_io_table", run, "io_table")


def _enqueue(func: str, run: AnalysisRun, name: str) -> None:
    from django_q.conf import Conf
    from django_q.tasks import async_task

    pk = run.pk

    def queue():
        async_task(func, pk, task_name=f"analysis.{name}.{pk}", group="analysis")

    if Conf.SYNC:  # tests: computed inline, at once (the run's row is visible to this connection)
        queue()
    else:
        transaction.on_commit(queue)


def run_map(run_id: int) -> str:
    """Compute the mapping run ``run_id`` (a task of the worker); returns its final status.

    A run that is not queued (already taken by another worker, or deleted) is left alone. A panel
    that cannot be loaded fails the run with the loader's message; any other error fails it with
    :data:`klaster.analysis.services.INTERNAL_ERROR` (logged), never leaving it ``running``.
    """
    from klaster.analysis import services as S
    from klaster.analysis.uploads import absolute

    with transaction.atomic():
        n = AnalysisRun.objects.filter(pk=run_id, status=AnalysisRun.Status.QUEUED).update(
            status=AnalysisRun.Status.RUNNING, progress=5, progress_text="loading the panel")
    if not n:
        return "skipped"
    run = AnalysisRun.objects.select_related("owner").get(pk=run_id)
    try:
        if run.dataset == "upload":
            from klaster.observatory.panel import load_panel

            panel = load_panel(absolute(run.parameters["file"]))
        else:
            panel = S.load_builtin_panel(run.dataset, run.parameters.get("frame") or "2022")
    except Exception as exc:  # noqa: BLE001 - the run fails with a message, never stays "running"
        if not isinstance(exc, (ValueError, KeyError, OSError)):
            log.exception("analysis run %s: the panel could not be loaded", run_id)
        error = message_of(exc) if isinstance(exc, (ValueError, KeyError, OSError)) else S.INTERNAL_ERROR
        _progress(run, 100, "", status=AnalysisRun.Status.FAILED, error=error, finished_at=timezone.now())
        from klaster.common import audit

        audit.record(actor=run.owner, action="analysis.map.run", obj=run, note=f"failed: {run.dataset} {run.upload_name}".strip())
        return AnalysisRun.Status.FAILED
    _progress(run, 20, "computing")
    S.execute_map(run, panel, user=run.owner)
    AnalysisRun.objects.filter(pk=run.pk).update(progress=100, progress_text="")
    return run.status


def run_io_table(run_id: int) -> str:
    """Read, check and compute the uploaded input-output table of the run ``run_id`` (a task of the
    worker); returns its final status.

    A run that is not queued is left alone. The library's errors (``IOTableError`` and other
    ``ValueError``s — a cell that is not a number, a table that does not balance, a singular
    I − A — and ``OSError``) fail the run with their message, naming the user's file (not the
    stored path); any other error fails it with :data:`klaster.analysis.services.INTERNAL_ERROR`
    (logged), never leaving it ``running``. The run is finished and audited
    (``analysis.io_table.run``) in one transaction.
    """
    import time

    from klaster.analysis import services as S
    from klaster.analysis.uploads import absolute, clean_message
    from klaster.common import audit

    with transaction.atomic():
        n = AnalysisRun.objects.filter(pk=run_id, status=AnalysisRun.Status.QUEUED, kind=AnalysisRun.Kind.IO_TABLE).update(
            status=AnalysisRun.Status.RUNNING, progress=5, progress_text="reading the table")
    if not n:
        return "skipped"
    run = AnalysisRun.objects.select_related("owner").get(pk=run_id)
    t0 = time.monotonic()
    try:
        t = S.load_uploaded_io(run)
        _progress(run, 50, "computing the multipliers")
        t.multipliers("I")
        if t.household_income is not None:
            t.multipliers("II")
    except (ValueError, KeyError, OSError) as exc:  # the library's messages (IOTableError is a ValueError)
        run.status = AnalysisRun.Status.FAILED
        try:
            where = absolute(run.parameters["file"])
        except (KeyError, ValueError):
            where = None
        text = message_of(exc)
        run.error = clean_message(text, where) if where is not None else text
    except Exception:  # noqa: BLE001 - the run fails with a message, never stays "running"
        log.exception("analysis run %s: the input-output table could not be computed", run_id)
        run.status, run.error = AnalysisRun.Status.FAILED, str(S.INTERNAL_ERROR)
    else:
        run.status = AnalysisRun.Status.DONE
        run.summary = {**run.summary, "sectors": t.n}
    run.progress, run.progress_text = 100, ""
    run.finished_at = timezone.now()
    run.duration_s = round(time.monotonic() - t0, 2)
    with transaction.atomic():
        run.save()
        audit.record(actor=run.owner, action="analysis.io_table.run", obj=run, note=f"{run.status}: {run.upload_name}")
    return run.status
