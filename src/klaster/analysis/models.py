"""Saved analysis runs of the analysts' pages (cluster mapping, input-output).

A run records who ran what, when, with which parameters, its status and where its output
files are (a directory below ``settings.MEDIA_ROOT``, outside the web root; files are served
only through permission-checked views). Visibility (see ``rules.py`` and ``docs/analysis.md``):
runs on the built-in datasets are shared with every analyst and readable by organizers; runs on
an uploaded file are visible to their owner only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AnalysisRun(models.Model):
    class Kind(models.TextChoices):
        MAP = "map", _("Specialisation and cluster mapping")
        IO_TABLE = "io_table", _("Uploaded input-output table")
        IO_IMPACT = "io_impact", _("Impact of a final-demand change")

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("analysis run", "queued")
        RUNNING = "running", pgettext_lazy("analysis run", "running")
        DONE = "done", pgettext_lazy("analysis run", "done")
        FAILED = "failed", pgettext_lazy("analysis run", "failed")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="analysis_runs")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    #: built-in dataset id (``kz-bns-gva``, ``us-cmp2016``, ``scotland-2019``, ``uk-2019``) or ``upload``
    dataset = models.CharField(max_length=40)
    #: original name of the uploaded file (the stored file has a random directory)
    upload_name = models.CharField(max_length=255, blank=True)
    parameters = models.JSONField(default=dict)
    #: directory of the run's files, relative to MEDIA_ROOT
    output_dir = models.CharField(max_length=255, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    #: per cent done of a run computed by the worker (klaster.analysis.tasks), and what it is doing
    progress = models.PositiveSmallIntegerField(default=0)
    progress_text = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.dataset})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_upload(self) -> bool:
        return self.dataset == "upload"
