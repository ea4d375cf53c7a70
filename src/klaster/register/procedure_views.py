"""Pages of the register procedure: the competition's winners entering the register (organizer),
the association's application for a new register entry (applicant), the exclusion of a cluster
(organizer) and the eligibility alerts (organizer and association).

Every request value goes through a form of :mod:`klaster.register.forms`; the domain calls
(:mod:`klaster.register.domain.procedure`) are atomic and audited; a refusal is shown with the
form and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klaster.accounts.permissions import login_required_any_role, role_required
from klaster.accounts.roles import Role
from klaster.common import dates
from klaster.common.forms import errors_text
from klaster.common.refusals import Refusal, text_of
from klaster.register.domain import procedure
from klaster.register.forms import ExcludeForm, NewClusterForm, WinnerForm
from klaster.register.models import Cluster, ClusterStatus


def _bin(user) -> str:
    return getattr(getattr(user, "profile", None), "organisation_bin", "") or ""


@role_required(Role.ORGANIZER)
def winners(request):
    """The competition's winners (stage 2, and stage 1 passed) with the Commission's decision:
    include one as a new register entry, or record its win for the cluster whose association won."""
    form = WinnerForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, "; ".join(errors_text(form)))
        else:
            from klaster.competition.models import Application as CompetitionApplication

            d = form.cleaned_data
            app = CompetitionApplication.objects.filter(pk=d["application"]).select_related("competition").first()
            if app is None:
                messages.error(request, _("No such application of the competition."))
            else:
                target = Cluster.objects.filter(association__bin=app.organisation_bin).first() if d["action"] == "link" else None
                try:
                    if d["action"] == "link" and target is None:
                        messages.error(request, _("No register entry has the winner %(winner)s as its association.") % {"winner": app.organisation_name})
                    else:
                        with transaction.atomic():
                            if d["action"] == "include":
                                target = procedure.include_winner(actor=request.user, application=app, code=d["code"], name_kk=d["name_kk"], name_en=d["name_en"], oked=d["oked"])
                            else:
                                procedure.link_winner(actor=request.user, cluster=target, application=app)
                        messages.success(request, _("Recorded in the register: %(cluster)s.") % {"cluster": target.localized_name()})
                        return redirect("register:detail", code=target.code)
                except ValidationError as e:
                    messages.error(request, "; ".join(f"{k}: {', '.join(str(x) for x in v)}" for k, v in getattr(e, "message_dict", {"": e.messages}).items()))
                except Refusal as e:
                    messages.error(request, text_of(e))
    return render(request, "register/winners.html", {"rows": procedure.winners(), "form": form}, status=400 if request.method == "POST" else 200)


@role_required(Role.APPLICANT)
def new_cluster(request):
    """The association applies for a new register entry: the cluster and the association (its BIN
    is the applicant's organisation); the organizer decides on the applications page."""
    org_bin = _bin(request.user)
    form = NewClusterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if not org_bin:
            form.add_error(None, _("Your profile has no organisation BIN: only a cluster association may apply."))
        else:
            try:
                with transaction.atomic():
                    app = procedure.apply_new_cluster(
                        actor=request.user, code=d["code"], name_ru=d["name_ru"], name_kk=d["name_kk"], name_en=d["name_en"], oked=d["oked"], regions=d["regions"],
                        association={"bin": org_bin, "name": d["association_name"], "oked_main": d["association_oked"], "oked_additional": [],
                                     "kato": d["association_kato"], "address": d["association_address"]})
                messages.success(request, _("The application for inclusion was submitted."))
                return redirect("register:detail", code=app.cluster.code)
            except ValidationError as e:
                for field, errs in getattr(e, "error_dict", {}).items():
                    target = {"bin": None, "name": "association_name", "oked_main": "association_oked", "kato": "association_kato", "oked": "oked"}.get(field)
                    form.add_error(target if target in form.fields else None, errs)
                if not hasattr(e, "error_dict"):
                    form.add_error(None, e.messages)
            except Refusal as e:
                form.add_error(None, text_of(e))
    return render(request, "register/new_cluster.html", {"form": form, "org_bin": org_bin}, status=400 if form.errors else 200)


@role_required(Role.ORGANIZER)
def exclude(request, code):
    """The organizer excludes a cluster from the register, with its reasons and day."""
    c = get_object_or_404(Cluster, code=code)
    form = ExcludeForm(request.POST or None, initial={"on": dates.today()})
    if request.method == "POST" and form.is_valid():
        try:
            procedure.exclude(actor=request.user, cluster=c, on=form.cleaned_data["on"], note=form.cleaned_data["note"], reason=form.cleaned_data["reason"])
            messages.success(request, _("The cluster was excluded from the register."))
            for w in form.warnings:
                messages.warning(request, w.text())
            return redirect("register:detail", code=code)
        except Refusal as e:
            form.add_error(None, text_of(e))
    return render(request, "register/exclude.html", {"c": c, "form": form, "included": c.status == ClusterStatus.INCLUDED}, status=400 if form.errors else 200)


@login_required_any_role
def alerts(request):
    """The open eligibility alerts addressed to the user (the organizers; the association's users)."""
    return render(request, "register/alerts.html", {"alerts": procedure.alerts_for(request.user)})


@role_required(Role.ORGANIZER)
@require_POST
def recheck(request, code):
    """Re-check a cluster's eligibility now (an alert is raised or resolved as the check finds)."""
    c = get_object_or_404(Cluster, code=code)
    procedure.recheck_eligibility(actor=request.user, cluster=c, cause=f"re-checked by {request.user.get_username()}",
                                  cause_params={"event": "recheck", "name": request.user.get_username()})
    messages.success(request, _("Eligibility re-checked."))
    return redirect("register:detail", code=code)
