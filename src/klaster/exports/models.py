"""A large export prepared by the worker (``ExportJob``): who asked for which list with which
filters, its state, and the file once it is made (below ``MEDIA_ROOT/exports/``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def job_file(instance, filename: str) -> str:
    return f"exports/{instance.user_id}/{instance.pk or 'new'}-{filename}"


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("being prepared")
    DONE = "done", _("ready")
    FAILED = "failed", pgettext_lazy("export", "failed")


class ExportJob(models.Model):
    """An export of list ``name`` for ``user`` with ``params`` (the request's filters and format,
    as plain strings), built by :func:`klaster.exports.tasks.run`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    name = models.SlugField(max_length=50)
    params = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    rows = models.PositiveIntegerField(default=0, help_text="rows estimated when it was queued")
    file = models.FileField(upload_to=job_file, max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export being prepared")
        verbose_name_plural = _("exports being prepared")

    def __str__(self) -> str:
        return f"{self.name} #{self.pk} ({self.state})"
