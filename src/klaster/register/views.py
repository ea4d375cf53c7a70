"""Register pages: public register (HTML, JSON API, XLSX/DOCX extract), rankings, the
association's application for inclusion and the organizer's decision, XLSX import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from klaster.accounts.permissions import public, role_required
from klaster.accounts.roles import Role
from klaster.common.money import format_number
from klaster.register import rules as register_rules
from klaster.register.domain import RegisterError, services
from klaster.register.i18n import text_of, unit_label
from klaster.register.forms import LeaveForm, ParticipantForm
from klaster.register.interfaces import documents, xlsx
from klaster.register.models import Cluster, ClusterStatus, InclusionApplication, Membership, Participant, Ranking, RankingMethodology

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _day(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return dt.date.today()


def _rows(day):
    out = []
    for c in services.register_on(day).prefetch_related("regions"):
        out.append({"c": c, "members": services.members_on(c, day).count(), "eligibility": services.eligibility(c, day)})
    return out


@public
def register_list(request):
    day = _day(request)
    pending = Cluster.objects.exclude(status=ClusterStatus.INCLUDED).order_by("code")
    return render(request, "register/list.html", {"rows": _rows(day), "day": day, "pending": pending, "lang": (get_language() or "ru")[:2]})


@public
def cluster_detail(request, code):
    c = get_object_or_404(Cluster, code=code)
    day = _day(request)
    return render(request, "register/detail.html", {
        "c": c, "day": day, "members": services.members_on(c, day), "history": Membership.objects.filter(cluster=c).select_related("participant"),
        "eligibility": services.eligibility(c, day), "applications": c.applications.all(),
        "can_apply": request.user.is_authenticated and register_rules.can_apply_for_inclusion(request.user, c),
        "programme": getattr(c, "programme", None),
    })


@public
def api_clusters(request):
    """Read-only JSON: the register on ``?date=`` (default today)."""
    day = _day(request)
    data = []
    for row in _rows(day):
        c = row["c"]
        data.append({
            "code": c.code, "name": {"kk": c.name_kk, "ru": c.name_ru, "en": c.name_en}, "oked": c.oked,
            "regions": [r.kato for r in c.regions.all()], "included_on": c.included_on.isoformat() if c.included_on else None,
            "association_bin": c.association.bin if c.association else None, "members": row["members"],
            "eligibility": [{k: f[k] for k in ("id", "clause", "required", "actual", "passed")} for f in row["eligibility"]],
        })
    return JsonResponse({"date": day.isoformat(), "clusters": data}, json_dumps_params={"ensure_ascii": False})


@public
def api_cluster(request, code):
    c = get_object_or_404(Cluster, code=code, status=ClusterStatus.INCLUDED)
    day = _day(request)
    members = [{"bin": p.bin, "name": p.name, "kind": p.kind, "oked_main": p.oked_main, "oked_additional": p.oked_additional, "kato": p.kato} for p in services.members_on(c, day)]
    return JsonResponse({"date": day.isoformat(), "code": c.code, "name_ru": c.name_ru, "members": members}, json_dumps_params={"ensure_ascii": False})


@public
def export_xlsx(request):
    day = _day(request)
    return HttpResponse(xlsx.export_register(day), content_type=XLSX, headers={"Content-Disposition": f'attachment; filename="register-{day}.xlsx"'})


@public
def extract_docx(request):
    day = _day(request)
    data = documents.register_extract(day, (get_language() or "ru")[:2])
    return HttpResponse(data, content_type=DOCX, headers={"Content-Disposition": f'attachment; filename="register-extract-{day}.docx"'})


NORMALISATIONS = {"minmax": gettext_lazy("min–max"), "max": gettext_lazy("by the maximum"), "sum": gettext_lazy("by the sum"), "vector": gettext_lazy("vector"), "linear": gettext_lazy("linear")}


def _rank(value) -> str:
    """A rank position: whole when whole (ties share a half position, e.g. 1.5)."""
    v = float(value)
    return str(int(v)) if v == int(v) else format_number(Decimal(str(v)), (get_language() or "ru")[:2], decimals=1)


@public
def rankings(request):
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
        for i in snap.get("indicators", []):
            code = i["code"]
            name = (i.get("name") or {}).get(lang) or (str(services.INDICATOR_LABELS[code]) if code in services.INDICATOR_LABELS else code)
            labels[code] = name
            indicators.append({**i, "label": name, "unit_label": unit_label(i.get("unit"))})
        out.append({
            "r": r, "title": _(m.name), "method": snap.get("method"), "normalisation": NORMALISATIONS.get(snap.get("normalisation"), snap.get("normalisation")),
            "indicators": indicators,
            "result": [{"rank": _rank(x["rank"]), "code": x["cluster"], "name": names.get(x["cluster"], x["cluster"]), "score": x["score"]} for x in r.result],
            "sensitivity": [{"indicator": labels.get(s["indicator"], s["indicator"]), "change": s["change"], "moved": _rank(s["positions_moved"]),
                             "swaps": [f"{names.get(a, a)} ↔ {names.get(b, b)}" for a, b in s["swaps"]]} for s in r.sensitivity],
        })
    return render(request, "register/rankings.html", {"rankings": out})


@role_required(Role.APPLICANT)
@require_POST
def apply_inclusion(request, code):
    c = get_object_or_404(Cluster, code=code)
    if not register_rules.can_apply_for_inclusion(request.user, c):
        raise PermissionDenied
    try:
        services.submit_inclusion(actor=request.user, cluster=c, on=dt.date.today())
        messages.success(request, _("The application for inclusion was submitted."))
    except RegisterError as e:
        messages.error(request, text_of(e))
    return redirect("register:detail", code=code)


@role_required(Role.ORGANIZER)
def organizer_applications(request):
    return render(request, "register/applications.html", {"applications": InclusionApplication.objects.select_related("cluster")})


@role_required(Role.ORGANIZER)
@require_POST
def organizer_decide(request, pk):
    app = get_object_or_404(InclusionApplication, pk=pk)
    try:
        services.decide_inclusion(actor=request.user, application=app, approve=request.POST.get("decision") == "approve", on=dt.date.today(), note=request.POST.get("note", ""))
        messages.success(request, _("Decision recorded."))
    except RegisterError as e:
        messages.error(request, text_of(e))
    return redirect("register:applications")


@role_required(Role.ORGANIZER)
def organizer_import(request, code):
    c = get_object_or_404(Cluster, code=code)
    errors = []
    if request.method == "POST" and request.FILES.get("file"):
        f = request.FILES["file"]
        head = f.read(4)
        f.seek(0)
        if not f.name.lower().endswith(".xlsx") or head != b"PK\x03\x04" or f.size > 10 * 1024 * 1024:
            errors = [_("Upload an .xlsx workbook of at most 10 MB.")]
        else:
            try:
                counts = xlsx.import_workbook(actor=request.user, cluster=c, data=f.read())
                messages.success(request, _("Imported: %(p)s participants, %(m)s memberships, %(i)s indicator rows.") % {"p": counts["participants"], "m": counts["memberships"], "i": counts["indicators"]})
                return redirect("register:detail", code=code)
            except xlsx.ImportRejected as e:
                errors = [x.text() for x in e.errors]
    return render(request, "register/import.html", {"c": c, "errors": errors})


@role_required(Role.ORGANIZER)
def import_template(request):
    return HttpResponse(xlsx.template_workbook(), content_type=XLSX, headers={"Content-Disposition": 'attachment; filename="register-import-template.xlsx"'})


def _refused(form, e):
    if isinstance(e, ValidationError) and hasattr(e, "error_dict"):
        for field, errs in e.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, text_of(e))


@role_required(Role.ORGANIZER)
def participant_new(request, code):
    """The organizer adds a participant to the cluster (new legal entity, or one already in the
    register by its BIN) with the date it joined; audited."""
    c = get_object_or_404(Cluster, code=code)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.add_participant(actor=request.user, cluster=c, joined_on=form.cleaned_data["joined_on"], **form.participant_fields())
            messages.success(request, _("The participant was added."))
            return redirect("register:detail", code=code)
        except (RegisterError, ValidationError) as e:
            _refused(form, e)
    return render(request, "register/participant_form.html", {"c": c, "form": form, "title": _("Add a participant")})


@role_required(Role.ORGANIZER)
def participant_edit(request, code, pk):
    c = get_object_or_404(Cluster, code=code)
    p = get_object_or_404(Participant, pk=pk, memberships__cluster=c)
    initial = {"bin": p.bin, "name": p.name, "kind": p.kind, "oked_main": p.oked_main, "oked_additional": ", ".join(p.oked_additional), "kato": p.kato,
               "address": p.address, "affiliation_group": p.affiliation_group, "specialised": p.specialised, "size": p.size, "founded_on": p.founded_on}
    form = ParticipantForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.update_participant(actor=request.user, participant=p, **form.participant_fields())
            messages.success(request, _("The participant was saved."))
            return redirect("register:detail", code=code)
        except (RegisterError, ValidationError) as e:
            _refused(form, e)
    return render(request, "register/participant_form.html", {"c": c, "form": form, "participant": p, "title": _("Edit a participant"),
                                                              "memberships": p.memberships.filter(cluster=c)})


@role_required(Role.ORGANIZER)
def membership_leave(request, code, pk):
    """The organizer records that a participant left the cluster; the register as it stood on
    earlier dates keeps it."""
    c = get_object_or_404(Cluster, code=code)
    m = get_object_or_404(Membership.objects.select_related("participant"), pk=pk, cluster=c)
    form = LeaveForm(request.POST or None, initial={"left_on": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.leave(actor=request.user, membership=m, left_on=form.cleaned_data["left_on"], note=form.cleaned_data["note"])
            messages.success(request, _("The leaving was recorded."))
            return redirect("register:detail", code=code)
        except RegisterError as e:
            form.add_error(None, text_of(e))
    return render(request, "register/leave_form.html", {"c": c, "m": m, "form": form})
