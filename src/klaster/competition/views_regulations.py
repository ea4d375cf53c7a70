"""The administrators' page of regulation versions: every document and version (shipped or added) with
its effective dates and source, and the addition of a new version without a code change — its YAML
validated (header, then the content by its kind), shown as a difference from the version it amends,
then stored and audited (:func:`klaster.regulations.add`). The next competition can pin it.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from klaster.accounts.permissions import role_required
from klaster.accounts.roles import Role
from klaster.competition.interfaces import forms as f
from klaster.competition.pages import DOCUMENT_KINDS
from klaster.competition.views import _form_errors


def _listing():
    from klaster.regulations import RegulationError, documents, load, versions

    rows = []
    for d in documents():
        try:
            for v in versions(d):
                rows.append(load(d, v))
        except RegulationError as e:
            rows.append(str(e))
    return rows


@role_required(Role.ADMINISTRATOR)
def regulations(request):
    """Every regulation document and version: kind, effective period, source, whether it was added."""
    return render(request, "competition/regulations.html", {"docs": [d for d in _listing() if not isinstance(d, str)],
                                                            "errors": [d for d in _listing() if isinstance(d, str)],
                                                            "kinds": DOCUMENT_KINDS})


@role_required(Role.ADMINISTRATOR)
def regulation_add(request):
    """Add a regulation version: upload (or paste) its YAML; the page shows the validation result, the
    effective dates, the source and the difference from the version it amends; confirming stores it."""
    from klaster.regulations import RegulationError, add, check_new
    from klaster.regulations.audit import record_addition

    form = f.RegulationForm(request.POST or None, request.FILES or None)
    ctx, status = {"form": form}, 200
    if request.method == "POST":
        if not form.is_valid():
            _form_errors(request, form)
            return render(request, "competition/regulation_add.html", ctx, status=400)
        data = form.cleaned_data["yaml"]
        name = getattr(form.cleaned_data.get("file"), "name", "") or "pasted.yaml"
        try:
            if form.cleaned_data.get("confirm"):
                done = add(data, name=name)
                record_addition(done, actor=request.user, note=f"{name} (web)")
                messages.success(request, _("%(doc)s %(version)s added; a new competition can pin it") % {"doc": done.doc.id, "version": done.doc.version})
                return redirect("competition:regulations")
            import base64

            ctx["addition"] = check_new(data, name=name)
            ctx["data_b64"] = base64.b64encode(data).decode("ascii")
        except RegulationError as e:
            messages.error(request, str(e))
            status = 400
    return render(request, "competition/regulation_add.html", ctx, status=status)
