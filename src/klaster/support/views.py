"""Support pages: the applicant applies for an instrument and follows the application; the
organizer (acting as the programme operator) processes it within its deadlines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klaster.accounts.permissions import role_required
from klaster.accounts.roles import Role, has_role
from klaster.common import audit
from klaster.register.i18n import text_of
from klaster.support import domain, uploads
from klaster.support import rules as support_rules
from klaster.register.i18n import explanation_line
from klaster.support.i18n import COST_KINDS, DEADLINE_STATUS, EXECUTOR_KINDS, finding_text
from klaster.support.models import Application, ApplicationDocument

BOTH = (Role.APPLICANT, Role.ORGANIZER)


def _lang():
    return (get_language() or "ru")[:2]


@role_required(*BOTH)
def application_list(request):
    inst = domain.load_instruments()
    if has_role(request.user, Role.ORGANIZER):
        apps = Application.objects.select_related("participant")
    else:
        apps = support_rules.applications_for(request.user).select_related("participant", "applicant")
    rows = [{"a": a, "deadlines": [d for d in domain.deadlines(a) if d.status in ("open", "overdue")]} for a in apps]
    return render(request, "support/list.html", {"rows": rows, "instruments": inst.instruments, "lang": _lang()})


def _parse_costs(text):
    """Lines "description; amount in tenge; YYYY-MM-DD; employee/specialist; kind"."""
    out, errors = [], []
    for n, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) < 3:
            errors.append(_("cost line %(n)s: give at least description; amount; date") % {"n": n})
            continue
        try:
            amount = Decimal(parts[1].replace(" ", "").replace(",", "."))
            day = dt.date.fromisoformat(parts[2])
        except (InvalidOperation, ValueError):
            errors.append(_("cost line %(n)s: amount or date is not valid") % {"n": n})
            continue
        out.append({"description": parts[0], "amount": amount, "incurred_on": day, "unit_id": parts[3] if len(parts) > 3 else "", "kind": parts[4] if len(parts) > 4 and parts[4] else "services"})
    return out, errors


@role_required(Role.APPLICANT)
def application_new(request):
    inst = domain.load_instruments()
    comps = [c for c in inst.components() if not c.calculation.not_in_seed]
    comp_id = request.POST.get("component") or request.GET.get("component") or comps[0].id
    comp = inst.component(comp_id)
    participants = support_rules.participants_for(request.user)
    errors = []
    if request.method == "POST":
        costs, errors = _parse_costs(request.POST.get("costs"))
        participant = participants.filter(pk=request.POST.get("participant")).first()
        if participant is None:
            errors.append(_("choose a participant you act for"))
        if not costs:
            errors.append(_("give at least one cost line"))
        known = set(comp.documents_required) | set(comp.documents_conditional)
        files = {k[len("file-"):]: f for k, f in request.FILES.items() if k.startswith("file-")}
        for code, f in files.items():
            if code not in known:
                errors.append(_("%(code)s is not a document of this instrument") % {"code": code})
                continue
            try:
                uploads.check_upload(f)
            except uploads.UploadRejected as e:
                errors.append(text_of(e))
        if not errors:
            cluster = participant.memberships.filter(left_on__isnull=True).first()
            facts = {
                "oked_codes": [c.strip() for c in request.POST.get("oked_codes", "").split(",") if c.strip()] or participant.oked_codes,
                "activity_since": request.POST.get("activity_since") or None,
                "competition_stage_won": int(request.POST.get("stage") or 0),
                "declarations": {d: True for d in request.POST.getlist("declarations")},
                "enterprise_size": request.POST.get("size") or participant.size,
                "bases": {"construction-installation-cost": request.POST["base_ciw"]} if request.POST.get("base_ciw") else {},
            }
            saved = []
            try:
                executor = {"kind": request.POST.get("executor_kind", ""), "years_experience": int(request.POST.get("executor_years") or 0), "prior_projects": int(request.POST.get("executor_projects") or 0)} if request.POST.get("executor_kind") else {}
                with transaction.atomic():  # nothing half-written: the draft, costs, files and registration together
                    app = domain.create_application(actor=request.user, participant=participant, component=comp.id, procedure=request.POST.get("procedure") or None, cluster=cluster.cluster if cluster else None, facts=facts, executor=executor)
                    for c in costs:
                        domain.add_cost(actor=request.user, application=app, **c)
                    for code, f in files.items():
                        saved.append(domain.attach_document(actor=request.user, application=app, code=code, uploaded=f))
                    domain.set_documents(actor=request.user, application=app, provided=request.POST.getlist("documents"))
                    domain.register(actor=request.user, application=app, on=dt.date.today())
                messages.success(request, _("The application was registered."))
                return redirect("support:detail", pk=app.pk)
            except (domain.SupportError, uploads.UploadRejected, ValueError) as e:
                for d in saved:
                    d.file.storage.delete(d.file.name)
                errors.append(text_of(e))
    checklist = [{"code": c, "required": req, "name": inst.documents[c]} for req, codes in ((True, comp.documents_required), (False, comp.documents_conditional)) for c in codes]
    return render(request, "support/new.html", {
        "comps": comps, "comp": comp, "participants": participants, "checklist": checklist, "errors": errors, "lang": _lang(),
        "costs_text": request.POST.get("costs", ""),
        "max_mb": uploads.max_bytes() // 1048576, "accepted": ", ".join(sorted(uploads.TYPES)),
        "declarations": [r for r in comp.eligibility if r.type == "declaration"], "procedures": [inst.procedure(p) for p in comp.procedures],
        "executor_kinds": [(v.kind, EXECUTOR_KINDS.get(v.kind, v.kind)) for v in comp.executor_variants],
        "rate_pct": (comp.calculation.rate * 100).normalize() if comp.calculation.rate is not None else None,
        "cost_kinds": [(k, COST_KINDS[k]) for k in (comp.calculation.eligible_kinds or ("services", "labour", "travel", "accommodation"))], "needs_ciw": any(c.type == "share-of-base" for c in comp.calculation.caps),
    })


def _get(request, pk):
    app = get_object_or_404(Application.objects.select_related("participant", "cluster"), pk=pk)
    if not support_rules.can_view_application(request.user, app):
        raise PermissionDenied
    return app


@role_required(*BOTH)
def application_detail(request, pk):
    app = _get(request, pk)
    inst = domain.instruments_for(app)
    comp = inst.component(app.component)
    files = domain.documents_uploaded(app)
    checklist = [{"code": c, "required": req, "provided": c in app.documents, "name": inst.documents[c], "files": files.get(c, [])} for req, codes in ((True, comp.documents_required), (False, comp.documents_conditional)) for c in codes]
    return render(request, "support/detail.html", {
        "can_edit": support_rules.can_edit_application(request.user, app) and app.status in ("draft", "incomplete"),
        "max_mb": uploads.max_bytes() // 1048576, "accepted": ", ".join(sorted(uploads.TYPES)),
        "a": app, "comp": comp, "findings": [{**f, "text": finding_text(f)} for f in app.eligibility], "checklist": checklist, "deadlines": [{"d": d, "status": DEADLINE_STATUS.get(d.status, d.status)} for d in domain.deadlines(app)], "lang": _lang(),
        "explanation": [explanation_line(x) for x in app.explanation.get(_lang(), app.explanation.get("en", []))], "agreement": getattr(app, "agreement", None),
        "agreement_terms": inst.agreement.get("terms", []), "is_operator": has_role(request.user, Role.ORGANIZER),
    })


ACTIONS = {
    "completeness": lambda u, a, on, p: domain.check_completeness(actor=u, application=a, on=on),
    "approve": lambda u, a, on, p: domain.decide(actor=u, application=a, approve=True, on=on, note=p.get("note", "")),
    "refuse": lambda u, a, on, p: domain.decide(actor=u, application=a, approve=False, on=on, note=p.get("note", "")),
    "agreement": lambda u, a, on, p: domain.sign_agreement(actor=u, application=a, on=on, target_indicator=p.get("note", "")),
    "pay": lambda u, a, on, p: domain.pay(actor=u, application=a, on=on),
    "breach": lambda u, a, on, p: domain.record_breach(actor=u, application=a, on=on, note=p.get("note", "")),
    "refund": lambda u, a, on, p: domain.record_refund(actor=u, application=a, on=on),
}


@role_required(Role.ORGANIZER)
@require_POST
def application_action(request, pk):
    app = _get(request, pk)
    action = request.POST.get("action")
    if action not in ACTIONS:
        messages.error(request, _("Unknown action."))
        return redirect("support:detail", pk=pk)
    try:
        on = dt.date.fromisoformat(request.POST.get("on") or dt.date.today().isoformat())
        ACTIONS[action](request.user, app, on, request.POST)
        messages.success(request, _("Recorded."))
    except (domain.SupportError, ValueError) as e:
        messages.error(request, text_of(e))
    return redirect("support:detail", pk=pk)


@role_required(Role.APPLICANT)
@require_POST
def application_resubmit(request, pk):
    app = _get(request, pk)
    if app.applicant_id != request.user.pk:
        raise PermissionDenied
    try:
        domain.set_documents(actor=request.user, application=app, provided=request.POST.getlist("documents"))
        domain.register(actor=request.user, application=app, on=dt.date.today())
        messages.success(request, _("The corrected application was registered again."))
    except (domain.SupportError, ValueError) as e:
        messages.error(request, text_of(e))
    return redirect("support:detail", pk=pk)


@role_required(Role.APPLICANT)
@require_POST
def document_upload(request, pk):
    """The applicant attaches a file to a checklist item of its own draft or returned application."""
    app = _get(request, pk)
    if not support_rules.can_edit_application(request.user, app):
        raise PermissionDenied
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, _("Choose a file."))
        return redirect("support:detail", pk=pk)
    try:
        domain.attach_document(actor=request.user, application=app, code=request.POST.get("code", ""), uploaded=f)
        messages.success(request, _("The document was uploaded."))
    except (domain.SupportError, uploads.UploadRejected) as e:
        messages.error(request, text_of(e))
    return redirect("support:detail", pk=pk)


def _document(request, doc_pk):
    doc = get_object_or_404(ApplicationDocument.objects.select_related("application"), pk=doc_pk)
    if not support_rules.can_view_application(request.user, doc.application):
        raise PermissionDenied
    return doc


@role_required(Role.APPLICANT)
@require_POST
def document_remove(request, doc_pk):
    doc = _document(request, doc_pk)
    if not support_rules.can_edit_application(request.user, doc.application):
        raise PermissionDenied
    pk = doc.application_id
    try:
        domain.remove_document(actor=request.user, document=doc)
        messages.success(request, _("The document was removed."))
    except domain.SupportError as e:
        messages.error(request, text_of(e))
    return redirect("support:detail", pk=pk)


@role_required(*BOTH)
def document_download(request, doc_pk):
    """Serve an uploaded document to the applicant who owns the application or the programme
    operator, as an attachment; every download is recorded in the audit log."""
    doc = _document(request, doc_pk)
    try:
        fh = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404("the stored file is missing") from None
    audit.record(actor=request.user, action="support.document.download", obj=doc)
    resp = FileResponse(fh, as_attachment=True, filename=doc.original_name, content_type=doc.content_type)
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp
