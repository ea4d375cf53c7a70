"""``/exports/``: the lists the user may export, each with its filters; ``/exports/<list>/?fmt=…``
downloads one (CSV or XLSX through :mod:`klaster.common.exports`).

Who may export a list is decided by the roles of the page it mirrors; which rows, by the page's own
query for that user (:mod:`klaster.exports.lists`). A malformed filter re-renders the exports page
with the error (400) and builds nothing.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from klaster.accounts.permissions import public
from klaster.common import exports
from klaster.common import forms as kf
from klaster.common.forms import errors_text
from klaster.common.refusals import text_of
from klaster.exports.lists import ExportForm, ExportRefused, build, registry, task_rows


class JobForm(forms.Form):
    """``?job=`` — one of the user's exports prepared by the worker."""

    job = kf.IdField()


def _jobs(request):
    """The user's exports prepared by the worker (newest first)."""
    from klaster.exports.models import ExportJob

    if not request.user.is_authenticated:
        return []
    jobs = list(ExportJob.objects.filter(user=request.user)[:10])
    titles = {name: export.title for name, export in registry().items()}
    for j in jobs:
        j.title = titles.get(j.name, j.name)
    return jobs


def _forms(request, bound=None):
    out = []
    for name, export in registry().items():
        if not export.allowed(request.user):
            continue
        form = bound if bound is not None and bound.export is export else ExportForm(export, initial=_initial(request, export))
        out.append((export, form))
    return out


def _initial(request, export) -> dict:
    return {k: v for k, v in request.GET.items() if k in export.filters()}


@public
def index(request):
    """The lists the user may export (public ones for everyone), each with the filters of its page,
    and the user's exports being prepared by the worker (``?job=`` marks the one just queued)."""
    jobs = _jobs(request)
    job_form = JobForm(request.GET if "job" in request.GET else None)
    status = 200
    if job_form.is_bound and not job_form.is_valid():
        status = 400
    current = job_form.cleaned_data["job"] if job_form.is_bound and job_form.is_valid() else None
    return render(request, "exports/index.html", {"items": _forms(request), "jobs": jobs, "current_job": current,
                                                  "in_progress": any(j.state in ("queued", "running") for j in jobs),
                                                  "errors": errors_text(job_form) if status == 400 else None,
                                                  "title_error": _("The export was not made")}, status=status)


def _job_download(request, export):
    """``/exports/<list>/?job=<id>``: the file of one of the user's finished jobs of that list (404 otherwise)."""
    from klaster.exports.models import ExportJob, JobState

    form = JobForm(request.GET)
    if not form.is_valid():
        return render(request, "exports/index.html", {"items": _forms(request), "jobs": _jobs(request), "errors": errors_text(form),
                                                      "title_error": _("The export was not made")}, status=400)
    job = ExportJob.objects.filter(pk=form.cleaned_data["job"], user=request.user, name=export.name, state=JobState.DONE).first()
    if job is None or not job.file:
        raise Http404
    with job.file.open("rb") as fh:
        data = fh.read()
    return exports.response(data, job.filename, job.filename.rsplit(".", 1)[-1])


@public
def download(request, name):
    """One list as CSV or XLSX for the user; the page's roles apply (anonymous: to the log-in page,
    others without the role: 403); a malformed filter → the exports page with the error, 400.
    Above :func:`klaster.exports.lists.task_rows` rows (estimated) the export is queued for the
    worker and the user is sent to ``/exports/?job=<id>``; ``?job=<id>`` downloads a finished one."""
    export = registry().get(name)
    if export is None:
        raise Http404
    if not export.allowed(request.user):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    if "job" in request.GET:
        return _job_download(request, export)
    form = ExportForm(export, request.GET)
    error = None
    if form.is_valid() and export.estimate is not None and request.user.is_authenticated:
        rows = export.estimate(request.user, form.filters())
        if rows > task_rows():  # a large export: prepared by the worker
            from klaster.exports import tasks

            params = {k: v for k, v in request.GET.items() if k in form.fields}
            job = tasks.queue(name, request.user, params, rows)
            messages.info(request, _("The export has about %(rows)s rows: it is being prepared; download it from this page when it is ready.")
                          % {"rows": rows})
            return redirect(f"{reverse('exports:index')}?job={job.pk}")
    if form.is_valid():
        try:
            out = build(name, request.user, request.GET)
            return exports.response(out.data, out.filename, out.fmt)
        except ExportRefused as e:
            error = text_of(e)
        except ValidationError as e:  # pragma: no cover - the form above refused it already
            error = "; ".join(e.messages)
    errors = [error] if error else errors_text(form)
    return render(request, "exports/index.html", {"items": _forms(request, bound=form), "errors": errors, "failed": export,
                                                  "title_error": _("The export was not made")}, status=400)
