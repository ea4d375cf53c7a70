"""Large exports on the worker (django-q2): :func:`queue` records an :class:`~klaster.exports.models.ExportJob`
and hands it to the task runner; :func:`run` builds the file with the same pure builder as a
download in the request (:func:`klaster.exports.lists.build`) and stores it below
``MEDIA_ROOT/exports/<user>/``. The user follows it on ``/exports/?job=<id>`` (the page refreshes
itself while it is prepared) and downloads it from ``/exports/<list>/?job=<id>``."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from klaster.common import audit

log = logging.getLogger(__name__)

#: Jobs kept per user (older ones and their files are removed when a new one is queued).
KEEP = 10


def queue(name: str, user, params: dict, rows: int):
    """Record a job for list ``name`` with ``params`` (plain strings) and queue :func:`run`.

    Returns the job (state ``queued``; already ``done`` or ``failed`` when tasks run inline,
    ``KLASTER_TASKS_SYNC=1``). Audited as ``export.queue``."""
    from django_q.tasks import async_task

    from klaster.exports.models import ExportJob

    with transaction.atomic():
        job = ExportJob.objects.create(user=user, name=name, params=params, rows=rows)
        audit.record(actor=user, action="export.queue", obj=job, note=f"{name}: ~{rows} rows")
        _prune(user)
    async_task("klaster.exports.tasks.run", job.pk, task_name=f"exports.{name}.{job.pk}", group="exports")
    job.refresh_from_db()
    return job


def _prune(user) -> None:
    from klaster.common import files
    from klaster.exports.models import ExportJob

    old = list(ExportJob.objects.filter(user=user).order_by("-created_at", "-id")[KEEP:])
    for job in old:
        name = job.file.name
        job.delete()
        if name:
            files.discard(name)


def run(job_id: int) -> str:
    """Build job ``job_id``'s file; a refusal or an error marks it ``failed`` with the message
    (an unexpected error is logged and shown as "internal error"). Returns the state."""
    from klaster.common.refusals import Refusal, text_of
    from klaster.exports.lists import build
    from klaster.exports.models import ExportJob, JobState

    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.state not in (JobState.QUEUED, JobState.RUNNING):
        return "gone"
    ExportJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING)
    try:
        out = build(job.name, job.user, job.params)
    except Refusal as e:
        return _fail(job, text_of(e))
    except Exception:  # noqa: BLE001 - the job must not stay "being prepared"
        log.exception("export job %s failed", job.pk)
        return _fail(job, "internal error")
    job.filename = out.filename
    job.file.save(out.filename, ContentFile(out.data), save=False)
    job.state, job.finished_at = JobState.DONE, timezone.now()
    job.save(update_fields=["filename", "file", "state", "finished_at"])
    return job.state


def _fail(job, message: str) -> str:
    from klaster.exports.models import JobState

    job.state, job.error, job.finished_at = JobState.FAILED, message[:2000], timezone.now()
    job.save(update_fields=["state", "error", "finished_at"])
    return job.state
