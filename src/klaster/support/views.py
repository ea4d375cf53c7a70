"""Support pages: the applicant applies for an instrument and follows the application; the
organizer (acting as the programme operator) processes it within its deadlines.

Every GET and POST value goes through a form of :mod:`klaster.support.forms` (path ids too:
:class:`~klaster.support.forms.PkForm`); a malformed value is a form error, a refused step a
message, a stale edit a 409 page with the user's values kept (:func:`klaster.common.locking.conflict`).
Every page of an application dated outside the period Decree 440 was in force carries the act's
warning (:func:`klaster.common.acts.act_notice`), and where the act admits two readings the page
names the one the amount was computed under.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klaster import regulations
from klaster.accounts.permissions import role_required
from klaster.accounts.roles import Role, has_role
from klaster.common import acts, audit, dates, files, locking
from klaster.common.forms import errors_text
from klaster.common.refusals import Refusal, text_of
from klaster.register.i18n import clause_in, explanation_line
from klaster.support import domain, uploads
from klaster.support import rules as support_rules
from klaster.support.forms import ActionForm, ApplicationForm, ComponentForm, PkForm, ResubmitForm, UploadForm, VersionForm, cost_formset
from klaster.engine.support import document_checklist
from klaster.support.i18n import COST_KINDS, DEADLINE_STATUS, EXECUTOR_KINDS, finding_text, when_text
from klaster.support.models import Application, ApplicationDocument

BOTH = (Role.APPLICANT, Role.ORGANIZER)


def _lang():
    return (get_language() or "ru")[:2]


def _id(value) -> int:
    """A row id from the URL path, bounded like every id (404 otherwise)."""
    form = PkForm({"pk": value})
    if not form.is_valid():
        raise Http404("no such record")
    return form.cleaned_data["pk"]


@role_required(*BOTH)
def application_list(request):
    inst = domain.load_instruments()
    if has_role(request.user, Role.ORGANIZER):
        apps = Application.objects.select_related("participant", "applicant")
    else:
        apps = support_rules.applications_for(request.user).select_related("participant", "applicant")
    rows = []
    for a in apps:
        try:
            a_inst = domain.instruments_for(a)
            rows.append({"a": a, "deadlines": [d for d in domain.deadlines(a) if d.status in ("open", "overdue")], "act_notice": acts.act_notice(a_inst.doc, domain.act_day(a))})
        except regulations.RegulationError as e:  # the pinned rules changed since registration
            rows.append({"a": a, "deadlines": [], "act_notice": None, "rules_error": str(e)})
    return render(request, "support/list.html", {"rows": rows, "instruments": inst.instruments})


def _checklist(inst, comp, context: dict | None = None):
    """The document list of ``comp``: an item the act requires only in a case is required when
    its case applies to the application (``context``: :func:`klaster.support.domain.document_context`)
    and says when it is required."""
    rows = document_checklist(comp, frozenset(), **(context or {}))
    return [{"code": r["code"], "required": r["required"], "name": inst.documents[r["code"]], "when": when_text(r["when"])} for r in rows]


def _stage_info(user) -> list[dict]:
    """The wins recorded in the register for the clusters whose association ``user`` acts for
    (the stage of instruments 7 and 8 is read from them, never typed)."""
    from klaster.register.domain.procedure import stage_for
    from klaster.register.models import Cluster

    b = support_rules._bin(user)
    if not b:
        return []
    return [{"cluster": c, **stage_for(c, c.association)} for c in Cluster.objects.filter(association__bin=b).select_related("association")]


def _readings(doc, chosen) -> list[dict]:
    """The readings of the act for the page (:func:`klaster.common.acts.reading_lines`), clauses
    written the page language's way."""
    return [{**r, "clause": clause_in(r["clause"])} for r in acts.reading_lines(doc, chosen)]


def _remove_unreferenced(names) -> None:
    """Remove files written for a request whose rows were rolled back (until
    :class:`klaster.common.files.UploadCleanupMiddleware` does it for every request)."""
    for name in names:
        if name and not files.is_referenced(name):
            default_storage.delete(name)


@role_required(Role.APPLICANT)
def application_new(request):
    inst = domain.load_instruments()
    comps = [c for c in inst.components() if not c.calculation.not_in_seed]
    source = request.POST if request.method == "POST" else request.GET
    chooser = ComponentForm(source, components=comps)
    errors: list[str] = []
    comp, rows = comps[0], None
    if chooser.is_valid():
        if chooser.cleaned_data["component"]:
            comp = inst.component(chooser.cleaned_data["component"])
        rows = chooser.cleaned_data["rows"]
    else:
        errors += errors_text(chooser)
    participants = support_rules.participants_for(request.user)
    kinds = domain.cost_kinds(comp)
    if request.method == "POST" and chooser.is_valid():
        form = ApplicationForm(request.POST, component=comp, participants=participants)
        costs = cost_formset(request.POST, component=comp, kinds=kinds)
        form_ok, costs_ok = form.is_valid(), costs.is_valid()
        if form_ok:
            costs.check_activity(form.cleaned_data.get("activity_since") or form.cleaned_data["participant"].founded_on)
            costs_ok = costs.is_valid()
        errors += errors_text(form)
        if costs_ok and not costs.filled() and comp.calculation.kind != "leasing":
            errors.append(_("give at least one cost line"))
        errors += [str(e) for e in costs.non_form_errors()]
        if any(f.errors for f in costs.forms):
            errors.append(_("Check the cost lines marked below."))
        known = set(comp.documents_required) | set(comp.documents_conditional)
        uploaded = {k[len("file-"):]: f for k, f in request.FILES.items() if k.startswith("file-")}
        for code, f in uploaded.items():
            if code not in known:
                errors.append(_("%(code)s is not a document of this instrument") % {"code": code})
                continue
            try:
                uploads.check_upload(f)
            except uploads.UploadRejected as e:
                errors.append(text_of(e))
        if not errors:
            saved: list[str] = []
            try:
                with transaction.atomic():  # nothing half-written: the draft, costs, files and registration together
                    participant = form.cleaned_data["participant"]
                    cluster = participant.memberships.filter(left_on__isnull=True).first()
                    app = domain.create_application(actor=request.user, participant=participant, component=comp.id, procedure=form.cleaned_data.get("procedure") or None,
                                                    cluster=cluster.cluster if cluster else None, facts=form.facts(), executor=form.executor())
                    for c in costs.filled() if comp.calculation.kind != "leasing" else ():
                        domain.add_cost(actor=request.user, application=app, description=c["description"], amount=c["amount"], incurred_on=c["incurred_on"],
                                        unit_id=c.get("unit_id") or "", kind=c["kind"], budget_funded=bool(c.get("budget_funded")),
                                        period_start=c.get("period_start"), period_end=c.get("period_end"))
                    for code, f in uploaded.items():
                        saved.append(domain.attach_document(actor=request.user, application=app, code=code, uploaded=f).file.name)
                    domain.set_documents(actor=request.user, application=app, provided=form.cleaned_data["documents"])
                    domain.register(actor=request.user, application=app, on=dates.today())
            except Refusal as e:
                _remove_unreferenced(saved)
                errors.append(text_of(e))
            else:
                messages.success(request, _("The application was registered."))
                return redirect("support:detail", pk=app.pk)
        if request.FILES:
            errors.append(_("Files are not kept on a refused form: choose them again."))
    else:
        form = ApplicationForm(component=comp, participants=participants, initial={"component": comp.id})
        costs = cost_formset(component=comp, kinds=kinds, rows=rows)
    value = (lambda name: form[name].value() or []) if form.is_bound else (lambda name: [])
    return render(request, "support/new.html", {
        "comps": comps, "comp": comp, "participants": participants, "checklist": _checklist(inst, comp), "errors": errors,
        "form": form, "costs": costs, "rows": rows or "", "chosen_participant": str(form["participant"].value() or ""),
        "chosen_procedure": form["procedure"].value() or "", "chosen_declarations": value("declarations"), "chosen_documents": value("documents"),
        "max_mb": uploads.max_bytes() // 1048576, "accepted": ", ".join(sorted(uploads.TYPES)),
        "declarations": [r for r in comp.eligibility if r.type == "declaration"], "procedures": [inst.procedure(p) for p in comp.procedures],
        "executor_kinds": [(v.kind, EXECUTOR_KINDS.get(v.kind, v.kind)) for v in comp.executor_variants],
        "rate_pct": (comp.calculation.rate * 100).normalize() if comp.calculation.rate is not None else None,
        "cost_kinds": [(k, COST_KINDS.get(k, k)) for k in kinds], "needs_ciw": any(c.type == "share-of-base" for c in comp.calculation.caps),
        "act_notice": acts.act_notice(inst.doc, dates.today()),
        "readings": _readings(inst.doc, None) if comp.calculation.cap_reading else [],
        "leasing": comp.calculation.kind == "leasing", "parameters": comp.calculation.parameters, "needs_stage": any(r.type == "competition-stage-won" for r in comp.eligibility),
        "stage_info": _stage_info(request.user),
        "rates_by_year": [{"pct": (r.rate * 100).normalize(), "years": r.years} for r in comp.calculation.rates_by_year],
    })


def _get(request, pk):
    app = get_object_or_404(Application.objects.select_related("participant", "cluster"), pk=_id(pk))
    if not support_rules.can_view_application(request.user, app):
        raise PermissionDenied
    return app


def _detail_context(request, app: Application, *, action_form=None, resubmit_form=None, problems=(), stale_text: str = "") -> dict:
    inst = domain.instruments_for(app)
    comp = inst.component(app.component)
    uploaded = domain.documents_uploaded(app)
    ticked = set(resubmit_form["documents"].value() or []) if resubmit_form is not None and resubmit_form.is_bound else set(app.documents)
    checklist = [{**d, "provided": d["code"] in app.documents, "ticked": d["code"] in ticked, "files": uploaded.get(d["code"], [])}
                 for d in _checklist(inst, comp, domain.document_context(app))]
    with_check = domain.has_completeness_step(app)
    with_expertise = domain.has_step(app, "expertise")
    pays_after = domain.payment_follows(app)
    return {
        "can_edit": support_rules.can_edit_application(request.user, app) and app.status in ("draft", "incomplete"),
        "max_mb": uploads.max_bytes() // 1048576, "accepted": ", ".join(sorted(uploads.TYPES)),
        "a": app, "comp": comp, "findings": [{**f, "text": finding_text(f)} for f in app.eligibility], "checklist": checklist,
        "deadlines": [{"d": d, "status": DEADLINE_STATUS.get(d.status, d.status)} for d in domain.deadlines(app)],
        "explanation": [explanation_line(x) for x in app.explanation.get(_lang(), app.explanation.get("en", []))], "agreement": getattr(app, "agreement", None),
        "agreement_terms": inst.agreement.get("terms", []), "is_operator": has_role(request.user, Role.ORGANIZER),
        "costs": [{"c": c, "kind": COST_KINDS.get(c.kind, c.kind)} for c in app.costs.all()],
        "can_decide": (app.status == "complete" and (not with_expertise or "expertise-done" in app.events)) or (app.status == "registered" and not with_check),
        "with_check": with_check, "can_expertise": with_expertise and app.status == "complete" and "expertise-done" not in app.events,
        "can_sign": app.status == "approved" and pays_after == "agreement-signed",
        "can_pay": (app.status == "agreement" and pays_after == "agreement-signed") or (app.status == "approved" and pays_after == "decided"),
        "can_breach": getattr(app, "agreement", None) is not None and app.status in ("paid", "agreement"),
        "leasing": comp.calculation.kind == "leasing", "parameters": comp.calculation.parameters, "stage": domain.stage_source(app),
        "needs_stage": any(r.type == "competition-stage-won" for r in comp.eligibility),
        "budget_notice": _budget_notice(request, app, with_check, with_expertise),
        "action_form": action_form or ActionForm(initial={"version": app.version}), "problems": list(problems), "stale_text": stale_text,
        "act_notice": acts.act_notice(inst.doc, domain.act_day(app)), "act_day": domain.act_day(app),
        "readings": _readings(inst.doc, domain.readings_of(app)) if comp.calculation.cap_reading else [],
    }


def _budget_notice(request, app, with_check, with_expertise):
    """For the operator about to decide: what approving the application today would do to the
    budget line that pays it (:func:`klaster.programmes.budget.approval_notice`)."""
    if not has_role(request.user, Role.ORGANIZER) or app.status not in ("registered", "complete"):
        return None
    from klaster.programmes.budget import approval_notice

    return approval_notice(app, dates.today())


def _detail(request, app, *, status=200, **kwargs):
    return render(request, "support/detail.html", _detail_context(request, app, **kwargs), status=status)


@role_required(*BOTH)
def application_detail(request, pk):
    app = _get(request, pk)
    try:
        return _detail(request, app)
    except regulations.RegulationError as e:  # the pinned rules changed since registration
        messages.error(request, str(e))
        return redirect("support:list")


@role_required(*BOTH)
def agreement_document(request, pk, lang, fmt="docx"):
    """The reimbursement agreement (kk or ru) as DOCX, or as PDF/A (``.pdf``: ``fmt="pdf"``), for
    whom may see the application; 404 when no agreement is signed or the language is not kk/ru."""
    from klaster.support import documents

    app = _get(request, pk)
    if lang not in documents.LANGS or getattr(app, "agreement", None) is None:
        raise Http404("no agreement")
    try:
        data = documents.agreement(app, lang, fmt)
    except regulations.RegulationError as e:  # the pinned rules changed since registration
        messages.error(request, str(e))
        return redirect("support:detail", pk=app.pk)
    name = f"agreement-{app.pk}-{lang}.{fmt}"
    if fmt == "pdf":
        from klaster.common import pdf

        return pdf.response(data, name)
    from django.http import HttpResponse

    return HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"})


def _record(action: str, user, app: Application, d: dict):
    common = {"actor": user, "application": app, "on": d["on"], "reason": d.get("reason") or "", "version": d["version"]}
    note = d.get("note") or ""
    if action == "completeness":
        domain.check_completeness(**common)
    elif action == "expertise":
        domain.record_expertise(**common)
    elif action in ("approve", "refuse"):
        domain.decide(approve=action == "approve", note=note, **common)
    elif action == "agreement":
        domain.sign_agreement(target_indicator=note, **common)
    elif action == "pay":
        domain.pay(**common)
    elif action == "breach":
        domain.record_breach(note=note, **common)
    elif action == "refund":
        domain.record_refund(**common)


@role_required(Role.ORGANIZER)
@require_POST
def application_action(request, pk):
    """The programme operator records an act (completeness, decision, agreement, payment, breach,
    refund) on the day it happened; the date and the reason go through :class:`ActionForm`."""
    app = _get(request, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        return _detail(request, app, action_form=form, problems=errors_text(form))
    try:
        _record(form.cleaned_data["action"], request.user, app, form.cleaned_data)
    except locking.StaleEdit as e:
        return locking.conflict(request, "support/detail.html", _detail_context(request, _get(request, pk), action_form=form, stale_text=e.text()))
    except Refusal as e:
        return _detail(request, _get(request, pk), action_form=form, problems=[text_of(e)])
    for w in form.warnings:
        messages.warning(request, w.text())
    messages.success(request, _("Recorded."))
    return redirect("support:detail", pk=app.pk)


def _editable(request, app):
    if not support_rules.can_edit_application(request.user, app):
        raise PermissionDenied


@role_required(Role.APPLICANT)
@require_POST
def application_resubmit(request, pk):
    """The applicant corrects the checklist of a returned application and registers it again
    (with the version the page showed)."""
    app = _get(request, pk)
    _editable(request, app)
    comp = domain.component_of(app)
    form = ResubmitForm(request.POST, codes=(*comp.documents_required, *comp.documents_conditional))
    if not form.is_valid():
        return _detail(request, app, resubmit_form=form, problems=errors_text(form))
    try:
        with transaction.atomic():
            domain.set_documents(actor=request.user, application=app, provided=form.cleaned_data["documents"], version=form.cleaned_data["version"])
            domain.register(actor=request.user, application=app, on=dates.today())
    except locking.StaleEdit as e:
        return locking.conflict(request, "support/detail.html", _detail_context(request, _get(request, pk), resubmit_form=form, stale_text=e.text()))
    except Refusal as e:
        return _detail(request, _get(request, pk), resubmit_form=form, problems=[text_of(e)])
    messages.success(request, _("The corrected application was registered again."))
    return redirect("support:detail", pk=pk)


@role_required(Role.APPLICANT)
@require_POST
def document_upload(request, pk):
    """The applicant attaches a file to a checklist item of its own draft or returned application."""
    app = _get(request, pk)
    _editable(request, app)
    comp = domain.component_of(app)
    form = UploadForm(request.POST, request.FILES, codes=(*comp.documents_required, *comp.documents_conditional))
    if not form.is_valid():
        for e in errors_text(form):
            messages.error(request, e)
        return redirect("support:detail", pk=app.pk)
    try:
        domain.attach_document(actor=request.user, application=app, code=form.cleaned_data["code"], uploaded=form.cleaned_data["file"], version=form.cleaned_data["version"])
    except locking.StaleEdit as e:
        return locking.conflict(request, "support/detail.html", _detail_context(request, _get(request, pk), stale_text=e.text()))
    except Refusal as e:
        messages.error(request, text_of(e))
    else:
        messages.success(request, _("The document was uploaded."))
    return redirect("support:detail", pk=app.pk)


def _document(request, doc_pk):
    doc = get_object_or_404(ApplicationDocument.objects.select_related("application"), pk=_id(doc_pk))
    if not support_rules.can_view_application(request.user, doc.application):
        raise PermissionDenied
    return doc


@role_required(Role.APPLICANT)
@require_POST
def document_remove(request, doc_pk):
    doc = _document(request, doc_pk)
    _editable(request, doc.application)
    pk = doc.application_id
    form = VersionForm(request.POST)
    if not form.is_valid():
        for e in errors_text(form):
            messages.error(request, e)
        return redirect("support:detail", pk=pk)
    try:
        domain.remove_document(actor=request.user, document=doc, version=form.cleaned_data["version"])
    except locking.StaleEdit as e:
        return locking.conflict(request, "support/detail.html", _detail_context(request, _get(request, pk), stale_text=e.text()))
    except Refusal as e:
        messages.error(request, text_of(e))
    else:
        messages.success(request, _("The document was removed."))
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
