"""Register pages: public register (HTML, XLSX/DOCX extract; its JSON is klaster.api), rankings, the
association's application for inclusion and the organizer's decision, XLSX import.

Every request value goes through a form of :mod:`klaster.register.forms`; eligibility is shown
with the notice of :func:`klaster.register.domain.services.eligibility_notice` when Decree 535 is
not in force on the day shown; exports go through :mod:`klaster.common.exports`.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from klaster.accounts.permissions import public, role_required
from klaster.accounts.roles import Role
from klaster.common import dates, exports, locking
from klaster.common.files import UploadRejected, check_upload
from klaster.common.forms import errors_text
from klaster.common.refusals import Refusal
from klaster.programmes.models import Programme
from klaster.reference.models import Region
from klaster.register import rules as register_rules
from klaster.register.domain import procedure, services
from klaster.register.i18n import text_of, unit_label
from klaster.register.forms import DayQueryForm, DecisionForm, ImportForm, LeaveForm, ParticipantForm
from klaster.register.interfaces import documents, xlsx
from klaster.register.models import Cluster, ClusterStatus, InclusionApplication, Membership, Participant, RankingMethodology
from klaster.web.cache import cached

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Largest register workbook accepted by the import (a technical limit).
IMPORT_MAX_BYTES = 10 * 1024 * 1024


def _day_form(request) -> DayQueryForm:
    """The ``?date=`` of the request as a bound form (unbound when absent)."""
    return DayQueryForm(request.GET if "date" in request.GET else None)


def _lang() -> str:
    return (get_language() or "ru")[:2]


#: A cluster's regions without their boundaries (about 1 MB of GeoJSON the register never shows).
_REGIONS = Prefetch("regions", queryset=Region.objects.defer("boundary"))


def _rows(day):
    """The register on ``day``: ``[{"c", "members", "eligibility"}]`` in three queries whatever
    the number of clusters (clusters, their regions, the members of all of them)."""
    clusters = list(services.register_on(day).select_related("association").prefetch_related(_REGIONS))
    members = services.members_of(clusters, day)
    return [{"c": c, "members": len(members[c.pk]), "eligibility": services.eligibility(c, day, members=members[c.pk])} for c in clusters]


def _list_data(day):
    """What the public register page shows on ``day`` (cached until the register changes)."""
    return {"rows": _rows(day), "pending": list(Cluster.objects.exclude(status=ClusterStatus.INCLUDED).order_by("code"))}


@public
def register_list(request):
    """The register on ``?date=`` (default today); a malformed date is shown as a form error
    (HTTP 400) with the register of today. The rows are cached per day until the register
    changes (:mod:`klaster.web.cache`)."""
    form = _day_form(request)
    day = form.day()
    data = cached(("register",), ("register-list", day.isoformat()), lambda: _list_data(day))
    return render(request, "register/list.html", {**data, "day": day, "lang": _lang(), "day_form": form,
                                                  "act_notice": services.eligibility_notice(day), "alerts": procedure.alerts_for(request.user)},
                  status=400 if form.errors else 200)


def _detail_data(code, day):
    """A cluster's public profile on ``day`` (None: no such cluster), cached until the register changes."""
    c = Cluster.objects.select_related("association").prefetch_related(_REGIONS).filter(code=code).first()
    if c is None:
        return None
    members = list(services.members_on(c, day))
    return {"c": c, "members": members, "eligibility": services.eligibility(c, day, members=members),
            "history": list(Membership.objects.filter(cluster=c).select_related("participant")), "applications": list(c.applications.all())}


@public
def cluster_detail(request, code):
    form = _day_form(request)
    day = form.day()
    data = cached(("register",), ("register-detail", code, day.isoformat()), lambda: _detail_data(code, day))
    if data is None:
        raise Http404
    c = data["c"]
    return render(request, "register/detail.html", {
        **data, "day": day, "day_form": form, "act_notice": services.eligibility_notice(day),
        "can_apply": request.user.is_authenticated and register_rules.can_apply_for_inclusion(request.user, c) and c.status not in ("included", "excluded"),
        "programme": request.user.is_authenticated and Programme.objects.filter(cluster=c).exists(),
        **_card(request, c),
    }, status=400 if form.errors else 200)


def _card(request, c) -> dict:
    """The public card beyond the cached profile: the wins recorded from the competition, the
    history, the programme in brief, the support received, the ESCA label; the open eligibility
    alerts for the users they are addressed to (organizers, the association)."""
    prog = Programme.objects.filter(cluster=c).prefetch_related("projects").first()
    summary = None
    if prog is not None:
        projects = list(prog.projects.all())
        summary = {"p": prog, "projects": projects, "cost": sum((x.cost for x in projects), Decimal(0)), "state": sum((x.state_amount for x in projects), Decimal(0))}
    mine = request.user.is_authenticated and request.user.get_username()
    return {
        "wins": list(c.wins.all()), "card_history": procedure.history(c), "programme_summary": summary, "support": procedure.support_received(c),
        "cluster_alerts": [a for a in c.alerts.filter(resolved_on__isnull=True) if mine and mine in (a.recipients or [])],
        "can_exclude": request.user.is_authenticated and register_rules.is_organizer(request.user) and c.status == ClusterStatus.INCLUDED,
    }


def _back_to_list(request, form):
    messages.error(request, "; ".join(errors_text(form)))
    return redirect("register:list")


@public
def export_xlsx(request):
    """The register on ``?date=`` as XLSX (:func:`klaster.common.exports.response`: text cells
    cannot run as formulas); a malformed date → back to the register with the error."""
    form = _day_form(request)
    if form.errors:
        return _back_to_list(request, form)
    day = form.day()
    return exports.response(xlsx.export_register(day), f"register-{day.isoformat()}.xlsx", "xlsx")


@public
def extract_docx(request, fmt="docx"):
    """The register extract on ``?date=`` as DOCX, or as PDF/A (``extract.pdf``: ``fmt="pdf"``);
    a malformed date → back to the register with the error."""
    form = _day_form(request)
    if form.errors:
        return _back_to_list(request, form)
    day = form.day()
    data = documents.register_extract(day, _lang(), fmt)
    if fmt == "pdf":
        from klaster.common import pdf

        return pdf.response(data, f"register-extract-{day.isoformat()}.pdf")
    return HttpResponse(data, content_type=DOCX, headers={"Content-Disposition": f'attachment; filename="register-extract-{day.isoformat()}.docx"',
                                                          "X-Content-Type-Options": "nosniff"})


NORMALISATIONS = {"minmax": gettext_lazy("min–max"), "max": gettext_lazy("by the maximum"), "sum": gettext_lazy("by the sum"), "vector": gettext_lazy("vector"), "linear": gettext_lazy("linear")}


def _positions(first: int, last: int) -> str:
    """A rank position; a tie shows the positions it covers ("1–2")."""
    return str(first) if first == last else f"{first}–{last}"


def _clusters_moved(row: dict) -> int | None:
    """How many clusters change position when a weight moves (``clusters_moved`` of
    :func:`klaster.engine.programmes.ranking.sensitivity`): a count of clusters, never the sum of
    mean ranks moved (tied ranks are averaged, so that sum read "1,5" — a rank is never a
    fraction). ``None`` when the stored row lacks it (shown as "—")."""
    v = row.get("clusters_moved")
    return None if v is None else int(v)


@public
def rankings(request):
    """The ranking by development level (the register's own indicators, the methodology of the
    data with its weights and their rule, ties as ties), then any other ranking stored."""
    from klaster.register.domain import ranking as dev

    names = {c.code: c.localized_name() for c in Cluster.objects.all()}
    lang = (get_language() or "ru")[:2]
    out = []
    for m in RankingMethodology.objects.all():
        r = m.rankings.first()
        if not r:
            continue
        snap = r.methodology_snapshot
        labels = {}
        indicators = []
        clauses = snap.get("clauses") or {}
        for i in snap.get("indicators", []):
            code = i["code"]
            name = (i.get("name") or {}).get(lang) or (str(services.INDICATOR_LABELS[code]) if code in services.INDICATOR_LABELS else code)
            labels[code] = name
            indicators.append({**i, "label": name, "unit_label": unit_label(i.get("unit")), "clause": clauses.get(code, "")})
        title = (snap.get("title") or {}).get(lang) or _(m.name)
        out.append({
            "r": r, "title": title, "method": snap.get("method"), "normalisation": NORMALISATIONS.get(snap.get("normalisation"), snap.get("normalisation")),
            "indicators": indicators, "development_level": bool(snap.get("development_level")), "source": snap.get("source", ""),
            "weights_rule": (snap.get("weights_rule") or {}).get(lang, ""), "demo": r.is_demo,
            "has_ties": any(x.get("tie") for x in dev.positions(r.result)),
            "result": [{"rank": _positions(x["first"], x["last"]), "tie": x["tie"], "code": x["cluster"], "name": names.get(x["cluster"], x["cluster"]), "score": x["score"]}
                       for x in dev.positions(r.result)],
            "sensitivity": [{"indicator": labels.get(s["indicator"], s["indicator"]), "change": s["change"], "moved": _clusters_moved(s),
                             "swaps": [f"{names.get(a, a)} ↔ {names.get(b, b)}" for a, b in s["swaps"]]} for s in r.sensitivity],
        })
    out.sort(key=lambda x: not x["development_level"])
    return render(request, "register/rankings.html", {"rankings": out})


@role_required(Role.APPLICANT)
@require_POST
def apply_inclusion(request, code):
    c = get_object_or_404(Cluster, code=code)
    if not register_rules.can_apply_for_inclusion(request.user, c):
        raise PermissionDenied
    try:
        services.submit_inclusion(actor=request.user, cluster=c, on=dates.today())
        messages.success(request, _("The application for inclusion was submitted."))
    except Refusal as e:
        messages.error(request, text_of(e))
    return redirect("register:detail", code=code)


@role_required(Role.ORGANIZER)
def organizer_applications(request):
    return render(request, "register/applications.html", {"applications": InclusionApplication.objects.select_related("cluster"),
                                                          "act_notice": services.eligibility_notice(dates.today()), "alerts": procedure.alerts_for(request.user)})


@role_required(Role.ORGANIZER)
@require_POST
def organizer_decide(request, pk):
    """The organizer's decision, dated today (≥ the submission); a malformed decision or note is
    refused with the form's error and changes nothing."""
    app = get_object_or_404(InclusionApplication, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(errors_text(form)))
        return redirect("register:applications")
    try:
        services.decide_inclusion(actor=request.user, application=app, approve=form.cleaned_data["decision"] == "approve", on=dates.today(), note=form.cleaned_data["note"])
        messages.success(request, _("Decision recorded."))
    except Refusal as e:
        messages.error(request, text_of(e))
    return redirect("register:applications")


@role_required(Role.ORGANIZER)
def organizer_import(request, code):
    """XLSX import of a cluster's participants: the file is checked
    (:func:`klaster.common.files.check_upload`) and read with limits; every row is validated
    first and nothing is written when any row has an error."""
    c = get_object_or_404(Cluster, code=code)
    errors = []
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST":
        if not form.is_valid():
            errors = errors_text(form)
        else:
            f = form.cleaned_data["file"]
            try:
                checked = check_upload(f, allowed=["xlsx"], max_bytes=IMPORT_MAX_BYTES)
                counts = xlsx.import_workbook(actor=request.user, cluster=c, data=f.read(), name=f.name, sha256=checked.sha256)
                messages.success(request, _("Imported: %(p)s participants, %(m)s memberships, %(i)s indicator rows.") % {"p": counts["participants"], "m": counts["memberships"], "i": counts["indicators"]})
                return redirect("register:detail", code=code)
            except UploadRejected as e:
                errors = [e.text()]
            except xlsx.ImportRejected as e:
                errors = [x.text() for x in e.errors]
    return render(request, "register/import.html", {"c": c, "errors": errors, "form": form}, status=400 if errors else 200)


@role_required(Role.ORGANIZER)
def import_template(request):
    return exports.response(xlsx.template_workbook(), "register-import-template.xlsx", "xlsx")


def _refused(form, e):
    if isinstance(e, ValidationError) and hasattr(e, "error_dict"):
        for field, errs in e.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, text_of(e))


def _warn(request, form) -> None:
    for w in getattr(form, "warnings", []):
        messages.warning(request, w.text())


@role_required(Role.ORGANIZER)
def participant_new(request, code):
    """The organizer adds a participant to the cluster (new legal entity, or one already in the
    register by its BIN) with the day it joined (not in the future; the reason when earlier than
    today); audited."""
    c = get_object_or_404(Cluster, code=code)
    form = ParticipantForm(request.POST or None, initial={"on": dates.today()})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.add_participant(actor=request.user, cluster=c, joined_on=form.cleaned_data["on"], reason=form.cleaned_data["reason"], **form.participant_fields())
            messages.success(request, _("The participant was added."))
            _warn(request, form)
            return redirect("register:detail", code=code)
        except (Refusal, ValidationError) as e:
            _refused(form, e)
    return render(request, "register/participant_form.html", {"c": c, "form": form, "title": _("Add a participant")})


@role_required(Role.ORGANIZER)
def participant_edit(request, code, pk):
    """The organizer edits a participant's profile; the page carries the version it showed, and
    an edit saved by someone else in between is answered with 409 and the user's values kept."""
    c = get_object_or_404(Cluster, code=code)
    p = get_object_or_404(Participant.objects.distinct(), pk=pk, memberships__cluster=c)
    initial = {"bin": p.bin, "name": p.name, "kind": p.kind, "oked_main": p.oked_main, "oked_additional": ", ".join(p.oked_additional), "kato": p.kato,
               "address": p.address, "affiliation_group": p.affiliation_group, "specialised": p.specialised, "size": p.size, "founded_on": p.founded_on,
               "version": p.version}
    form = ParticipantForm(request.POST or None, initial=initial, editing=True)
    ctx = {"c": c, "form": form, "participant": p, "title": _("Edit a participant"), "memberships": p.memberships.filter(cluster=c)}
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.update_participant(actor=request.user, participant=p, version=form.cleaned_data["version"], **form.participant_fields())
            messages.success(request, _("The participant was saved."))
            return redirect("register:detail", code=code)
        except locking.StaleEdit as e:
            form.add_error(None, e.text())
            return locking.conflict(request, "register/participant_form.html", ctx)
        except (Refusal, ValidationError) as e:
            _refused(form, e)
    return render(request, "register/participant_form.html", ctx)


@role_required(Role.ORGANIZER)
def membership_leave(request, code, pk):
    """The organizer records that a participant left the cluster (after it joined, not in the
    future, the reason when earlier than today); the register as it stood on earlier dates keeps it."""
    c = get_object_or_404(Cluster, code=code)
    m = get_object_or_404(Membership.objects.select_related("participant"), pk=pk, cluster=c)
    form = LeaveForm(request.POST or None, initial={"on": dates.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.leave(actor=request.user, membership=m, left_on=form.cleaned_data["on"], reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
            messages.success(request, _("The leaving was recorded."))
            _warn(request, form)
            return redirect("register:detail", code=code)
        except Refusal as e:
            form.add_error(None, text_of(e))
    return render(request, "register/leave_form.html", {"c": c, "m": m, "form": form})
