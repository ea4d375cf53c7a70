"""``/exports/``: the lists the user may export, each with its filters; ``/exports/<list>/?fmt=…``
downloads one (CSV or XLSX through :mod:`klaster.common.exports`).

Who may export a list is decided by the roles of the page it mirrors; which rows, by the page's own
query for that user (:mod:`klaster.exports.lists`). A malformed filter re-renders the exports page
with the error (400) and builds nothing.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from klaster.accounts.permissions import public
from klaster.common import exports
from klaster.common.forms import errors_text
from klaster.common.refusals import text_of
from klaster.exports.lists import ExportForm, ExportRefused, build, registry


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
    """The lists the user may export (public ones for everyone), each with the filters of its page."""
    return render(request, "exports/index.html", {"items": _forms(request)})


@public
def download(request, name):
    """One list as CSV or XLSX for the user; the page's roles apply (anonymous: to the log-in page,
    others without the role: 403); a malformed filter → the exports page with the error, 400."""
    export = registry().get(name)
    if export is None:
        raise Http404
    if not export.allowed(request.user):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    form = ExportForm(export, request.GET)
    error = None
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
