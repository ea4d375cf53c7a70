"""Operations on reimbursement applications; every change is audited.

The rules are the regulation ``productivity2020-instruments`` (through
:mod:`klaster.engine.support`), pinned on registration; the deadlines run on
:func:`klaster.common.calendar.default_calendar`.

Life of an application: draft → registered → (incomplete → registered again) → complete →
approved / refused → agreement → paid → (breached → refunded).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_noop as _

from klaster.common import audit
from klaster.common.calendar import default_calendar
from klaster.common.money import Money
from klaster.engine.support import (
    ApplicantFacts,
    CostItem,
    ExecutorFacts,
    PriorUse,
    check_eligibility,
    check_executor,
    compute_reimbursement,
    is_eligible,
    load_instruments,
    missing_documents,
    schedule,
)
from klaster.register.i18n import Refusal
from klaster.support import uploads
from klaster.support.models import Agreement, Application, ApplicationDocument, CostLine, Status


class SupportError(Refusal):
    """An operation on an application was refused; the message says why (``str``: English;
    :meth:`~klaster.register.i18n.Refusal.text`: the active language)."""


class Failures(Refusal):
    """Failed eligibility findings as one parameter: ``clause: message; …`` in any language."""

    def __init__(self, findings):
        self.findings = findings
        super().__init__("%(text)s", text="; ".join(f"{f.clause}: {f.message}" for f in findings))

    def text(self) -> str:
        from klaster.support.i18n import engine_text

        return "; ".join(f"{f.clause}: {engine_text(f.message)}" for f in self.findings)


def instruments_for(app: Application | None = None):
    pin = (app.regulation_pin if app else None) or {}
    return load_instruments(pin.get("version"), sha256=pin.get("sha256"))


def component_of(app: Application):
    return instruments_for(app).component(app.component)


def _facts(app: Application) -> ApplicantFacts:
    f = app.facts or {}
    since = f.get("activity_since")
    return ApplicantFacts(
        oked_codes=tuple(f.get("oked_codes") or app.participant.oked_codes),
        activity_since=dt.date.fromisoformat(since) if since else app.participant.founded_on,
        competition_stage_won=int(f.get("competition_stage_won", app.cluster.competition_stage_won if app.cluster else 0)),
        declarations=dict(f.get("declarations") or {}),
    )


def _require(app: Application, *statuses):
    if app.status not in statuses:
        raise SupportError(_("application #%(pk)s is %(status)s; this step needs %(needed)s"), pk=app.pk, status=Status(app.status).label, needed=[Status(s).label for s in statuses])


def _set(app: Application, *, actor, action: str, note: str = "", **fields):
    before = audit.snapshot(app)
    for k, v in fields.items():
        setattr(app, k, v)
    app.save()
    audit.record(actor=actor, action=action, obj=app, before=before, note=note)


@transaction.atomic
def create_application(*, actor, participant, component: str, procedure: str | None = None, cluster=None, facts: dict | None = None, executor: dict | None = None) -> Application:
    """Start a draft application for an instrument component.

    Raises
    ------
    SupportError
        Unknown component, or a procedure the instrument does not use.
    """
    inst = load_instruments()
    comp = inst.component(component)
    procs = comp.procedures
    procedure = procedure or procs[0]
    if procedure not in procs:
        raise SupportError(_("instrument %(instrument)s is processed by %(procedures)s, not %(procedure)s"), instrument=comp.instrument_id, procedures=procs, procedure=procedure)
    app = Application.objects.create(applicant=actor, participant=participant, cluster=cluster, component=component, procedure=procedure, facts=facts or {}, executor=executor or {})
    audit.record(actor=actor, action="support.application.create", obj=app)
    return app


def add_cost(*, actor, application: Application, description: str, amount: Decimal, incurred_on: dt.date, unit_id: str = "", kind: str = "services", budget_funded: bool = False) -> CostLine:
    _require(application, Status.DRAFT, Status.INCOMPLETE)
    line = CostLine.objects.create(application=application, description=description, amount=amount, incurred_on=incurred_on, unit_id=unit_id, kind=kind, budget_funded=budget_funded)
    audit.record(actor=actor, action="support.cost.add", obj=line)
    return line


def set_documents(*, actor, application: Application, provided: list[str]) -> Application:
    _require(application, Status.DRAFT, Status.INCOMPLETE)
    comp = component_of(application)
    known = set(comp.documents_required) | set(comp.documents_conditional)
    unknown = [c for c in provided if c not in known]
    if unknown:
        raise SupportError(_("documents %(codes)s are not in the list of instrument %(component)s (§5.4: the operator may not ask for others)"), codes=unknown, component=comp.id)
    with_files = set(application.files.values_list("code", flat=True))
    _set(application, actor=actor, action="support.documents.set", documents=sorted(set(provided) | with_files))
    return application


@transaction.atomic
def attach_document(*, actor, application: Application, code: str, uploaded) -> ApplicationDocument:
    """Attach a file to checklist item ``code``; the item then counts as provided. Audited with
    the file's SHA-256.

    Raises
    ------
    SupportError
        The application is not a draft or returned for correction; ``code`` is not in the
        component's document list (§5.4: the operator may not ask for others).
    klaster.support.uploads.UploadRejected
        Too big, not an accepted type, or content that does not match the extension.
    """
    _require(application, Status.DRAFT, Status.INCOMPLETE)
    comp = component_of(application)
    if code not in set(comp.documents_required) | set(comp.documents_conditional):
        raise SupportError(_("document %(code)s is not in the list of instrument %(component)s (§5.4: the operator may not ask for others)"), code=code, component=comp.id)
    checked = uploads.check_upload(uploaded)
    doc = ApplicationDocument(application=application, code=code, original_name=uploaded.name[:255], content_type=checked.content_type,
                              size=checked.size, sha256=checked.sha256, uploaded_by=actor if getattr(actor, "pk", None) else None)
    doc.file.save(uploaded.name, uploaded, save=False)
    try:
        doc.save()
        audit.record(actor=actor, action="support.document.upload", obj=doc, changes={"application": application.pk, "code": code, "sha256": checked.sha256, "size": checked.size})
        if code not in application.documents:
            _set(application, actor=actor, action="support.documents.set", documents=sorted({*application.documents, code}))
    except Exception:
        doc.file.delete(save=False)
        raise
    return doc


@transaction.atomic
def remove_document(*, actor, document: ApplicationDocument) -> None:
    """Remove an uploaded file (draft or returned application); the item stays provided only if
    another file remains for it. The stored file is deleted after the transaction commits."""
    app = document.application
    _require(app, Status.DRAFT, Status.INCOMPLETE)
    audit.record(actor=actor, action="support.document.remove", obj=document, before=audit.snapshot(document))
    name, storage = document.file.name, document.file.storage
    code = document.code
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
    if not app.files.filter(code=code).exists() and code in app.documents:
        _set(app, actor=actor, action="support.documents.set", documents=[c for c in app.documents if c != code])


def documents_uploaded(application: Application) -> dict[str, list[ApplicationDocument]]:
    out: dict[str, list[ApplicationDocument]] = {}
    for d in application.files.all():
        out.setdefault(d.code, []).append(d)
    return out


def prior_use(app: Application, on: dt.date) -> PriorUse:
    """What the same participant (per unit, this calendar year) and cluster already received."""
    approved = (Status.APPROVED, Status.AGREEMENT, Status.PAID, Status.BREACHED, Status.REFUNDED)
    units: dict[str, Money] = {}
    for other in Application.objects.filter(participant=app.participant, component=app.component, status__in=approved).exclude(pk=app.pk):
        reg = other.events.get("registered")
        if not reg or dt.date.fromisoformat(reg).year != on.year:
            continue
        for uid, amount in (other.unit_amounts or {}).items():
            units[uid] = units.get(uid, Money(0)) + Money(amount)
    cluster_total = Money(0)
    if app.cluster_id:
        for other in Application.objects.filter(cluster=app.cluster, component=app.component, status__in=approved).exclude(pk=app.pk):
            cluster_total = cluster_total + Money(other.amount or 0)
    return PriorUse(unit_reimbursed=units, cluster_reimbursed=cluster_total)


def compute(app: Application, on: dt.date):
    """Eligibility findings and the reimbursement computed for ``app`` as of ``on``."""
    comp = component_of(app)
    findings = check_eligibility(comp, _facts(app), on=on)
    if app.executor:
        findings += check_executor(comp, ExecutorFacts(**app.executor))
    costs = [CostItem(Money(c.amount), c.incurred_on, c.unit_id or None, c.kind, c.budget_funded, c.description) for c in app.costs.all()]
    f = app.facts or {}
    bases = {k: Money(v) for k, v in (f.get("bases") or {}).items()}
    r = compute_reimbursement(comp, application_date=on, costs=costs, enterprise_size=f.get("enterprise_size") or app.participant.size, bases=bases, prior=prior_use(app, on))
    return findings, r


@transaction.atomic
def register(*, actor, application: Application, on: dt.date) -> Application:
    """Register (or re-register after correction) the application: pins the regulation and
    computes eligibility and the amount. The deadlines start from ``on``.

    Raises
    ------
    SupportError
        No cost lines; or the component cannot be computed (instrument 8).
    """
    _require(application, Status.DRAFT, Status.INCOMPLETE)
    if not application.costs.exists():
        raise SupportError(_("add the costs to be reimbursed before registering"))
    inst = load_instruments()
    application.regulation_pin = inst.doc.pin
    try:
        findings, r = compute(application, on)
    except ValueError as e:
        raise SupportError("%(reason)s", reason=getattr(e, "msg", str(e))) from e
    history = dict(application.events)
    prev = [v for k, v in history.items() if k.startswith("previous-registration")]
    events = {"registered": on.isoformat()}
    if "registered" in history:
        events[f"previous-registration-{len(prev) + 1}"] = history["registered"]
    _set(
        application, actor=actor, action="support.application.register", status=Status.REGISTERED, events=events,
        eligibility=[f.as_dict() for f in findings], amount=r.amount.amount, unit_amounts={k: str(v.amount) for k, v in r.unit_amounts.items()},
        explanation={lang: r.explanation(lang) for lang in ("kk", "ru", "en")} | {"binding_caps": list(r.binding_caps), "claimed": str(r.claimed.amount), "eligible": str(r.eligible_cost.amount), "gross": str(r.gross.amount)},
    )
    return application


def _event(app: Application, name: str, on: dt.date) -> dict:
    ev = dict(app.events)
    if name in ev:
        raise SupportError(_("event %(event)s was already recorded on %(day)s"), event=name, day=ev[name])
    reg = dt.date.fromisoformat(ev["registered"])
    if on < reg:
        raise SupportError(_("%(day)s is before the registration on %(registered)s"), day=on.isoformat(), registered=reg.isoformat())
    ev[name] = on.isoformat()
    return ev


@transaction.atomic
def check_completeness(*, actor, application: Application, on: dt.date) -> list[str]:
    """The completeness check against the document list; returns the missing documents.

    Incomplete: the applicant is notified (the notice is the audit entry and the page) and the
    application returns to the applicant for correction and re-registration.
    """
    _require(application, Status.REGISTERED)
    missing = missing_documents(component_of(application), set(application.documents))
    if missing:
        ev = _event(application, "completeness-failed", on)
        ev["mismatch-notified"] = on.isoformat()
        _set(application, actor=actor, action="support.completeness.fail", status=Status.INCOMPLETE, events=ev, note="missing: " + ", ".join(missing))
    else:
        _set(application, actor=actor, action="support.completeness.pass", status=Status.COMPLETE, events=_event(application, "completeness-passed", on))
    return missing


@transaction.atomic
def decide(*, actor, application: Application, approve: bool, on: dt.date, note: str = "") -> Application:
    """The programme operator's decision (with the notice the same day).

    Raises
    ------
    SupportError
        Approving an application that fails eligibility or whose amount is zero; refusing
        without reasons.
    """
    _require(application, Status.COMPLETE)
    findings, r = compute(application, dt.date.fromisoformat(application.events["registered"]))
    if approve and not is_eligible(findings):
        raise SupportError(_("not eligible: %(reasons)s"), reasons=Failures([f for f in findings if not f.passed]))
    if approve and r.amount.amount <= 0:
        raise SupportError(_("the computed amount is zero; nothing to reimburse"))
    if not approve and not note.strip():
        raise SupportError(_("a refusal needs reasons (§5.4: a notice with the grounds)"))
    ev = _event(application, "decided", on)
    ev["notified"] = on.isoformat()
    _set(application, actor=actor, action="support.application.decide", note=note, status=Status.APPROVED if approve else Status.REFUSED, events=ev, decision_note=note, amount=r.amount.amount, unit_amounts={k: str(v.amount) for k, v in r.unit_amounts.items()})
    return application


@transaction.atomic
def sign_agreement(*, actor, application: Application, on: dt.date, target_indicator: str = "") -> Agreement:
    """Both parties signed the agreement (the applicant returns one of the two copies)."""
    _require(application, Status.APPROVED)
    ev = _event(application, "agreement-signed", on)
    ag = Agreement.objects.create(application=application, amount=application.amount, signed_on=on, target_indicator=target_indicator)
    audit.record(actor=actor, action="support.agreement.sign", obj=ag)
    _set(application, actor=actor, action="support.application.agreement", status=Status.AGREEMENT, events=ev)
    return ag


@transaction.atomic
def pay(*, actor, application: Application, on: dt.date) -> Application:
    _require(application, Status.AGREEMENT)
    ev = _event(application, "paid", on)
    ag = application.agreement
    before = audit.snapshot(ag)
    ag.paid_on = on
    ag.save()
    audit.record(actor=actor, action="support.agreement.pay", obj=ag, before=before)
    _set(application, actor=actor, action="support.application.pay", status=Status.PAID, events=ev)
    return application


@transaction.atomic
def record_breach(*, actor, application: Application, on: dt.date, note: str) -> Agreement:
    """The agreement's terms were breached: the agreement is terminated and the money paid is to
    be refunded (§5.4, instruments 2–5, item 9.3; share from the regulation data)."""
    _require(application, Status.PAID, Status.AGREEMENT)
    if not note.strip():
        raise SupportError(_("describe the breach"))
    share = Decimal(str(instruments_for(application).agreement["refund"]["share_of_paid"]))
    ag = application.agreement
    before = audit.snapshot(ag)
    ag.breached_on = on
    ag.breach_note = note
    ag.refund_amount = (ag.amount * share) if ag.paid_on else Decimal(0)
    ag.save()
    audit.record(actor=actor, action="support.agreement.breach", obj=ag, before=before, note=note)
    _set(application, actor=actor, action="support.application.breach", status=Status.BREACHED, note=note)
    return ag


@transaction.atomic
def record_refund(*, actor, application: Application, on: dt.date) -> Agreement:
    _require(application, Status.BREACHED)
    ag = application.agreement
    before = audit.snapshot(ag)
    ag.refunded_on = on
    ag.save()
    audit.record(actor=actor, action="support.agreement.refund", obj=ag, before=before)
    _set(application, actor=actor, action="support.application.refund", status=Status.REFUNDED)
    return ag


def deadlines(application: Application, *, today: dt.date | None = None):
    """The processing deadlines of the application on the working calendar."""
    if "registered" not in application.events:
        return []
    proc = instruments_for(application).procedure(application.procedure)
    events = {k: dt.date.fromisoformat(v) for k, v in application.events.items() if not k.startswith("previous")}
    return schedule(proc, events, default_calendar(), today=today)
