"""Operations on reimbursement applications; every change is audited.

The rules are the regulation ``productivity2020-instruments`` (through
:mod:`klaster.engine.support`), pinned on registration together with the readings of the act the
amount is computed under; the deadlines run on :func:`klaster.common.calendar.default_calendar`.

Life of an application: draft → registered → (incomplete → registered again) → complete →
approved / refused → agreement → paid → (breached → refunded). Each event is recorded once (a
repeated step is refused by the application's status), on a day that is not in the future, not
before the event it follows (registration → completeness check → decision → agreement → payment
→ breach → refund, each with its clause: :func:`klaster.common.dates.check_recorded_day`), and,
when earlier than today, with the reason it is recorded only now (kept in the audit note).

Every operation is atomic: a refusal raises before anything is written or rolls back. The
applicant's edits of a draft or returned application carry the version its page showed
(:mod:`klaster.common.locking`): a second writer gets :class:`~klaster.common.locking.StaleEdit`.

Errors
------
SupportError
    A step refused (status, eligibility, missing reasons, bad cost line, unknown document…).
klaster.common.dates.DayRefused
    A date in the future, before the event it follows, or back-dated without a reason.
klaster.common.locking.StaleEdit
    Someone else changed the application after the page was loaded.
klaster.common.files.UploadRejected
    A file that is too big or not what its name says.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_noop as _

from klaster import regulations
from klaster.common import audit, dates, files, locking
from klaster.common.calendar import default_calendar
from klaster.common.dates import Follows
from klaster.common.money import Money
from klaster.engine.support import (
    ApplicantFacts,
    CostItem,
    ExecutorFacts,
    LeasingFacts,
    PriorUse,
    check_eligibility,
    check_executor,
    check_leasing,
    compute_leasing,
    compute_reimbursement,
    is_eligible,
    is_light_industry,
    load_instruments,
    missing_documents,
    schedule,
)
from klaster.register.i18n import Refusal
from klaster.support import uploads
from klaster.support.i18n import DAY_FIELDS, EVENTS, ClauseText
from klaster.support.models import Agreement, Application, ApplicationDocument, CostLine, Status

#: Cost kinds a component reimburses when its calculation names none (the kinds of CostLine).
ALL_COST_KINDS = tuple(k for k, _label in CostLine._meta.get_field("kind").choices)
_AMOUNT = CostLine._meta.get_field("amount")


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


def cost_kinds(component) -> tuple[str, ...]:
    """The cost kinds ``component`` reimburses (its ``eligible_kinds``, else every kind)."""
    return tuple(component.calculation.eligible_kinds or ALL_COST_KINDS)


def has_completeness_step(app: Application) -> bool:
    """Whether the application's procedure has a completeness check (the non-financial operator's
    procedure of instruments 2–5 goes straight to the decision)."""
    return any(s.id == "completeness-check" for s in instruments_for(app).procedure(app.procedure).steps)


def activity_start(app: Application) -> dt.date | None:
    """Since when the applicant carries on its activity: the date it stated, else the
    participant's founding date (None when neither is known)."""
    since = (app.facts or {}).get("activity_since")
    return dt.date.fromisoformat(since) if since else app.participant.founded_on


def stage_source(app: Application) -> dict:
    """The stage of the competitive selection the applicant won, read from the register (the
    cluster's wins recorded from the competition's records), never from what the applicant typed:
    :func:`klaster.register.domain.procedure.stage_for`."""
    from klaster.register.domain.procedure import stage_for

    return stage_for(app.cluster, app.participant)


def _facts(app: Application, on: dt.date | None = None) -> ApplicantFacts:
    from klaster.register.domain.procedure import support_year

    f = app.facts or {}
    src = stage_source(app)
    comp = component_of(app)
    return ApplicantFacts(
        oked_codes=tuple(f.get("oked_codes") or app.participant.oked_codes),
        activity_since=activity_start(app),
        competition_stage_won=int(src.get("stage") or 0),
        declarations=dict(f.get("declarations") or {}),
        competition=src if src.get("cluster_stage") else None,
        support_year=support_year(app.cluster, on or dates.today()) if comp.calculation.support_years else None,
    )


def is_leasing(app: Application) -> bool:
    """Whether the application is for leasing financing (instrument 1: terms confirmed, nothing reimbursed)."""
    return component_of(app).calculation.kind == "leasing"


def document_context(app: Application) -> dict:
    """What makes a conditional item of the document list required for ``app``: the executor's
    kind, the kinds of the costs claimed, a licence the law requires of the executor."""
    ex = app.executor or {}
    return {"executor_kind": ex.get("kind"), "cost_kinds": tuple(app.costs.values_list("kind", flat=True).distinct()) if app.pk else (),
            "executor_licence_required": bool(ex.get("licence_required"))}


def _require(app: Application, *statuses):
    if app.status not in statuses:
        raise SupportError(_("application #%(pk)s is %(status)s; this step needs %(needed)s"), pk=app.pk, status=Status(app.status).label, needed=[Status(s).label for s in statuses])


def _set(app: Application, *, actor, action: str, note: str = "", version: int | None = None, **fields):
    """Change fields of ``app`` and save it if it is still at ``version`` (None: as loaded); audited.

    Raises
    ------
    StaleEdit
    """
    before = audit.snapshot(app)
    for k, v in fields.items():
        setattr(app, k, v)
    locking.save(app, version)
    audit.record(actor=actor, action=action, obj=app, before=before, note=note)


def _day(app: Application, event: str) -> dt.date | None:
    v = (app.events or {}).get(event)
    return dt.date.fromisoformat(v) if v else None


def _step_clause(app: Application, step_id: str, fallback: str = "") -> str:
    for s in instruments_for(app).procedure(app.procedure).steps:
        if s.id == step_id:
            return s.clause
    return fallback


def _check_day(on: dt.date, *, action: str, reason: str, follows=()) -> str:
    """Check the day of an act (:func:`klaster.common.dates.check_recorded_day`); return the audit
    note of a back-dated record ("" for today)."""
    dates.check_recorded_day(on, follows=follows, reason=reason, field=DAY_FIELDS[action])
    return dates.backdating_note(on, reason)


def _notes(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


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


@transaction.atomic
def add_cost(*, actor, application: Application, description: str, amount: Decimal, incurred_on: dt.date, unit_id: str = "", kind: str | None = None,
             budget_funded: bool = False, version: int | None = None, period_start: dt.date | None = None, period_end: dt.date | None = None) -> CostLine:
    """Add a cost line (tenge) to a draft or returned application.

    Parameters
    ----------
    amount : Decimal
        Tenge, ≥ 0, at most the digits of ``CostLine.amount`` (14 before the point, 2 after).
    incurred_on : date
        Not in the future and not before the applicant's activity started (:func:`activity_start`).
    kind : str, optional
        One of the component's eligible cost kinds (default the first of them).
    budget_funded : bool
        Financed from the budget under another programme (excluded, Programme §5.1).
    period_start, period_end : date, optional
        The period of work the cost pays for; required where only full calendar months are
        reimbursed (instrument 3, 2)); the end not before the start, neither in the future.

    Raises
    ------
    SupportError
        Wrong status; an amount that is negative, not a number or too long; an unknown kind;
        a description or unit longer than the model stores; a missing or reversed period.
        ``incurred_on`` in the future or before the activity started.
    klaster.common.dates.DayRefused
        ``incurred_on`` outside the calendar years.
    """
    _require(application, Status.DRAFT, Status.INCOMPLETE)
    kinds = cost_kinds(component_of(application))
    kind = kind or kinds[0]
    if kind not in kinds:
        raise SupportError(_("cost kind %(kind)s is not reimbursed by this instrument; kinds: %(kinds)s"), kind=kind, kinds=", ".join(kinds))
    amount = Decimal(amount)
    integer_digits = _AMOUNT.max_digits - _AMOUNT.decimal_places
    if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** integer_digits or amount != amount.quantize(Decimal(1).scaleb(-_AMOUNT.decimal_places)):
        raise SupportError(_("cost %(description)s: the amount %(amount)s is not a sum of tenge ≥ 0 with at most %(digits)s digits and %(places)s decimals"),
                           description=description, amount=amount, digits=integer_digits, places=_AMOUNT.decimal_places)
    if not description.strip() or len(description) > 300 or len(unit_id or "") > 300:
        raise SupportError(_("cost %(description)s: give a description of at most 300 characters and the employees or specialist in at most 300"), description=description[:50])
    comp = component_of(application)
    if comp.calculation.full_months_clause and (period_start is None or period_end is None):
        raise SupportError(_("cost %(description)s: give the period of work it pays for (only full calendar months are reimbursed, %(clause)s)"),
                           description=description, clause=ClauseText(comp.calculation.full_months_clause))
    if period_start is not None and period_end is not None:
        for d in (period_start, period_end):
            dates.check_in_range(d, field=DAY_FIELDS["cost"])
        if period_end < period_start or period_end > dates.today():
            raise SupportError(_("cost %(description)s: the period of work %(start)s – %(end)s ends before it starts or in the future"),
                               description=description, start=period_start, end=period_end)
    dates.check_in_range(incurred_on, field=DAY_FIELDS["cost"])
    if incurred_on > dates.today():
        raise SupportError(_("cost %(description)s: %(day)s is in the future; a cost is claimed after it is incurred"), description=description, day=incurred_on)
    since = activity_start(application)
    if since is not None and incurred_on < since:
        raise SupportError(_("cost %(description)s: %(day)s is before the applicant's activity started on %(since)s"), description=description, day=incurred_on, since=since)
    if version is not None:
        locking.touch(application, version)
    line = CostLine.objects.create(application=application, description=description, amount=amount, incurred_on=incurred_on, unit_id=unit_id or "", kind=kind,
                                   budget_funded=budget_funded, period_start=period_start, period_end=period_end)
    audit.record(actor=actor, action="support.cost.add", obj=line)
    return line


@transaction.atomic
def set_documents(*, actor, application: Application, provided: list[str], version: int | None = None) -> Application:
    """The checklist items the applicant hands in (on paper or as files).

    Raises
    ------
    SupportError
        Wrong status, or an item that is not in the component's list (§5.4: the operator may not
        ask for others).
    StaleEdit
        ``version`` is not the application's any more.
    """
    _require(application, Status.DRAFT, Status.INCOMPLETE)
    comp = component_of(application)
    known = set(comp.documents_required) | set(comp.documents_conditional)
    unknown = [c for c in provided if c not in known]
    if unknown:
        raise SupportError(_("documents %(codes)s are not in the list of instrument %(component)s (§5.4: the operator may not ask for others)"), codes=unknown, component=comp.id)
    with_files = set(application.files.values_list("code", flat=True))
    _set(application, actor=actor, action="support.documents.set", version=version, documents=sorted(set(provided) | with_files))
    return application


@transaction.atomic
def attach_document(*, actor, application: Application, code: str, uploaded, version: int | None = None) -> ApplicationDocument:
    """Attach a file to checklist item ``code``; the item then counts as provided. Audited with
    the file's SHA-256.

    Raises
    ------
    SupportError
        The application is not a draft or returned for correction; ``code`` is not in the
        component's document list (§5.4: the operator may not ask for others).
    klaster.common.files.UploadRejected
        Too big, not an accepted type, or content that does not match the extension.
    StaleEdit
        ``version`` is not the application's any more.
    """
    _require(application, Status.DRAFT, Status.INCOMPLETE)
    comp = component_of(application)
    if code not in set(comp.documents_required) | set(comp.documents_conditional):
        raise SupportError(_("document %(code)s is not in the list of instrument %(component)s (§5.4: the operator may not ask for others)"), code=code, component=comp.id)
    checked = uploads.check_upload(uploaded)
    locking.touch(application, version)
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
    # a file written in a transaction that a caller rolls back later is removed after the request
    # (klaster.common.files.UploadCleanupMiddleware) or by the caller
    return doc


@transaction.atomic
def remove_document(*, actor, document: ApplicationDocument, version: int | None = None) -> None:
    """Remove an uploaded file (draft or returned application); the item stays provided only if
    another file remains for it. The stored file is deleted after the transaction commits
    (:func:`klaster.common.files.discard`).

    Raises
    ------
    SupportError
        Wrong status.
    StaleEdit
        ``version`` is not the application's any more.
    """
    app = document.application
    _require(app, Status.DRAFT, Status.INCOMPLETE)
    locking.touch(app, version)
    audit.record(actor=actor, action="support.document.remove", obj=document, before=audit.snapshot(document))
    name, code = document.file.name, document.code
    document.delete()
    files.discard(name)
    if not app.files.filter(code=code).exists() and code in app.documents:
        _set(app, actor=actor, action="support.documents.set", documents=[c for c in app.documents if c != code])


def documents_uploaded(application: Application) -> dict[str, list[ApplicationDocument]]:
    out: dict[str, list[ApplicationDocument]] = {}
    for d in application.files.all():
        out.setdefault(d.code, []).append(d)
    return out


#: Statuses of an application whose amount is granted (it counts against the limits of later ones).
GRANTED = (Status.APPROVED, Status.AGREEMENT, Status.PAID, Status.BREACHED, Status.REFUNDED)
#: Statuses of an application registered and not yet decided: registered earlier, it comes first
#: for the limits (15 employees, 3 specialists a year; the cap per cluster), as it will at the decision.
PENDING = (Status.REGISTERED, Status.COMPLETE)


def _counts_before(other: Application, app: Application) -> bool:
    """Whether ``other`` comes before ``app`` for the limits: granted, or pending and registered
    before it (the same day: created before it)."""
    if other.status in GRANTED:
        return True
    if other.status not in PENDING:
        return False
    mine, theirs = app.events.get("registered"), other.events.get("registered")
    if not theirs:
        return False
    if not mine:
        return True
    return (theirs, other.pk) < (mine, app.pk)


def prior_use(app: Application, on: dt.date) -> PriorUse:
    """What the same participant (per unit, this calendar year) and cluster already received or
    will receive first: applications granted, and applications registered before this one and not
    yet decided (so the amount shown at registration is the amount the decision computes — the
    15 employees of an earlier application are not offered again)."""
    live = (*GRANTED, *PENDING)
    units: dict[str, Money] = {}
    for other in Application.objects.filter(participant=app.participant, component=app.component, status__in=live).exclude(pk=app.pk):
        reg = other.events.get("registered")
        if not reg or dt.date.fromisoformat(reg).year != on.year or not _counts_before(other, app):
            continue
        for uid, amount in (other.unit_amounts or {}).items():
            units[uid] = units.get(uid, Money(0)) + Money(amount)
    cluster_total = Money(0)
    cluster_year = Money(0)
    if app.cluster_id:
        for other in Application.objects.filter(cluster=app.cluster, component=app.component, status__in=live).exclude(pk=app.pk):
            if not _counts_before(other, app):
                continue
            cluster_total = cluster_total + Money(other.amount or 0)
            reg = other.events.get("registered")
            if reg and dt.date.fromisoformat(reg).year == on.year:
                cluster_year = cluster_year + Money(other.amount or 0)
    return PriorUse(unit_reimbursed=units, cluster_reimbursed=cluster_total, cluster_reimbursed_year=cluster_year)


def readings_of(app: Application) -> dict[str, str]:
    """The readings of the act the application is computed under (``{reading id: option id}``):
    those recorded at registration, completed with the regulation's defaults."""
    return regulations.check_readings(instruments_for(app).doc, app.readings or None)


def compute(app: Application, on: dt.date):
    """Eligibility findings and the reimbursement computed for ``app`` as of ``on``, under the
    readings recorded with it (:func:`readings_of`)."""
    comp = component_of(app)
    facts = _facts(app, on)
    findings = check_eligibility(comp, facts, on=on)
    if app.executor:
        findings += check_executor(comp, ExecutorFacts(**app.executor))
    f = app.facts or {}
    if comp.calculation.kind == "leasing":
        lz = f.get("leasing") or {}
        if not lz:
            raise SupportError(_("give the leasing project: the value of the asset, the own cash and the term"))
        lf = LeasingFacts(asset_value=Money(lz["asset_value"]), own_cash=Money(lz["own_cash"]), term_years=int(lz["term_years"]), oked_codes=facts.oked_codes)
        findings += check_leasing(comp, lf)
        return findings, compute_leasing(comp, asset_value=lf.asset_value, own_cash=lf.own_cash, term_years=lf.term_years,
                                         light_industry=is_light_industry(comp, facts.oked_codes))
    costs = [CostItem(Money(c.amount), c.incurred_on, c.unit_id or None, c.kind, c.budget_funded, c.description, c.period_start, c.period_end) for c in app.costs.all()]
    bases = {k: Money(v) for k, v in (f.get("bases") or {}).items()}
    r = compute_reimbursement(comp, application_date=on, costs=costs, enterprise_size=f.get("enterprise_size") or app.participant.size, bases=bases,
                              prior=prior_use(app, on), readings=readings_of(app), support_year=facts.support_year)
    return findings, r


@transaction.atomic
def register(*, actor, application: Application, on: dt.date | None = None, reason: str = "", version: int | None = None, readings: dict | None = None) -> Application:
    """Register (or re-register after correction) the application: pins the regulation and the
    readings of the act, computes eligibility and the amount. The deadlines start from ``on``.

    Parameters
    ----------
    on : date, optional
        The day of registration (default today); an earlier day needs ``reason``; a
        re-registration is not before the completeness check that returned the application.
    readings : dict, optional
        ``{reading id: option id}`` of the regulation's readings (partial; completed with the
        defaults); default the readings recorded before, else the defaults.

    Raises
    ------
    SupportError
        No cost lines; an unknown reading; or the component cannot be computed (instrument 8).
    klaster.common.dates.DayRefused
        ``on`` in the future, before the returning completeness check, or back-dated without reason.
    StaleEdit
        ``version`` is not the application's any more.
    """
    on = on or dates.today()
    _require(application, Status.DRAFT, Status.INCOMPLETE)
    follows = []
    if application.status == Status.INCOMPLETE:
        follows.append(Follows(_day(application, "completeness-failed"), EVENTS["completeness"], ClauseText(_step_clause(application, "completeness-check")), required=False))
    note = _check_day(on, action="register", reason=reason, follows=follows)
    if not application.costs.exists() and not is_leasing(application):
        raise SupportError(_("add the costs to be reimbursed before registering"))
    inst = load_instruments()
    application.regulation_pin = inst.doc.pin
    try:
        application.readings = regulations.check_readings(inst.doc, readings if readings is not None else (application.readings or None))
    except regulations.RegulationError as e:
        raise SupportError("%(reason)s", reason=str(e)) from e
    try:
        findings, r = compute(application, on)
    except SupportError:
        raise
    except ValueError as e:
        raise SupportError("%(reason)s", reason=getattr(e, "msg", str(e))) from e
    history = dict(application.events)
    prev = [v for k, v in history.items() if k.startswith("previous-registration")]
    events = {"registered": on.isoformat()}
    if "registered" in history:
        events[f"previous-registration-{len(prev) + 1}"] = history["registered"]
    _set(
        application, actor=actor, action="support.application.register", note=note, version=version, status=Status.REGISTERED, events=events,
        readings=application.readings,
        eligibility=[f.as_dict() for f in findings], amount=r.amount.amount, unit_amounts={k: str(v.amount) for k, v in r.unit_amounts.items()},
        explanation={lang: r.explanation(lang) for lang in ("kk", "ru", "en")} | {"binding_caps": list(r.binding_caps), "claimed": str(r.claimed.amount), "eligible": str(r.eligible_cost.amount), "gross": str(r.gross.amount)},
    )
    return application


def _event(app: Application, name: str, on: dt.date) -> dict:
    ev = dict(app.events)
    if name in ev:
        raise SupportError(_("event %(event)s was already recorded on %(day)s"), event=name, day=dt.date.fromisoformat(ev[name]))
    ev[name] = on.isoformat()
    return ev


@transaction.atomic
def check_completeness(*, actor, application: Application, on: dt.date | None = None, reason: str = "", version: int | None = None) -> list[str]:
    """The completeness check against the document list; returns the missing documents.

    Incomplete: the applicant is notified (the notice is the audit entry and the page) and the
    application returns to the applicant for correction and re-registration.

    Raises
    ------
    SupportError
        Not registered (or already checked).
    klaster.common.dates.DayRefused
        ``on`` in the future, before the registration (§5.4, instruments 2–5, item 3; instruments
        7, 8, item 2) or back-dated without a reason.
    StaleEdit
    """
    on = on or dates.today()
    _require(application, Status.REGISTERED)
    note = _check_day(on, action="completeness", reason=reason,
                      follows=[Follows(_day(application, "registered"), EVENTS["registered"], ClauseText(_step_clause(application, "completeness-check")))])
    missing = missing_documents(component_of(application), set(application.documents), **document_context(application))
    if missing:
        ev = _event(application, "completeness-failed", on)
        ev["mismatch-notified"] = on.isoformat()
        _set(application, actor=actor, action="support.completeness.fail", version=version, status=Status.INCOMPLETE, events=ev, note=_notes("missing: " + ", ".join(missing), note))
    else:
        _set(application, actor=actor, action="support.completeness.pass", version=version, status=Status.COMPLETE, events=_event(application, "completeness-passed", on), note=note)
    return missing


@transaction.atomic
def decide(*, actor, application: Application, approve: bool, on: dt.date | None = None, note: str = "", reason: str = "", version: int | None = None) -> Application:
    """The programme operator's decision (with the notice the same day).

    The decision follows the positive completeness check, or the registration where the procedure
    has no completeness check (the non-financial operator's, §5.4, instruments 2–5, item 2).

    Raises
    ------
    SupportError
        Not ready for a decision (or already decided); approving an application that fails
        eligibility or whose amount is zero; refusing without reasons.
    klaster.common.dates.DayRefused
        ``on`` in the future, before the event it follows, or back-dated without a reason.
    StaleEdit
    """
    on = on or dates.today()
    with_check = has_completeness_step(application)
    _require(application, *((Status.COMPLETE,) if with_check else (Status.REGISTERED, Status.COMPLETE)))
    after = "completeness-passed" if with_check or "completeness-passed" in application.events else "registered"
    if has_step(application, "expertise"):
        if "expertise-done" not in application.events:
            raise SupportError(_("the decision follows the expertise (%(clause)s): record the expertise first"), clause=ClauseText(_step_clause(application, "expertise")))
        after = "expertise-done"
    label = {"completeness-passed": EVENTS["completeness"], "registered": EVENTS["registered"], "expertise-done": EVENTS["expertise"]}[after]
    day_note = _check_day(on, action="decide", reason=reason,
                          follows=[Follows(_day(application, after), label, ClauseText(_step_clause(application, "decision")))])
    findings, r = compute(application, dt.date.fromisoformat(application.events["registered"]))
    if approve and not is_eligible(findings):
        raise SupportError(_("not eligible: %(reasons)s"), reasons=Failures([f for f in findings if not f.passed]))
    if approve and r.amount.amount <= 0 and not is_leasing(application):
        raise SupportError(_("the computed amount is zero; nothing to reimburse"))
    if not approve and not note.strip():
        raise SupportError(_("a refusal needs reasons (§5.4: a notice with the grounds)"))
    ev = _event(application, "decided", on)
    ev["notified"] = on.isoformat()
    _set(application, actor=actor, action="support.application.decide", note=_notes(note, day_note), version=version, status=Status.APPROVED if approve else Status.REFUSED,
         events=ev, decision_note=note, amount=r.amount.amount, unit_amounts={k: str(v.amount) for k, v in r.unit_amounts.items()})
    return application


@transaction.atomic
def sign_agreement(*, actor, application: Application, on: dt.date | None = None, target_indicator: str = "", reason: str = "", version: int | None = None) -> Agreement:
    """Both parties signed the agreement (the applicant returns one of the two copies).

    Raises
    ------
    SupportError
        Not approved (or already signed); a target indicator longer than 300 characters.
    klaster.common.dates.DayRefused
        ``on`` in the future, before the decision (§5.4, instruments 2–5, items 6, 8) or
        back-dated without a reason.
    StaleEdit
    """
    on = on or dates.today()
    _require(application, Status.APPROVED)
    inst = instruments_for(application)
    note = _check_day(on, action="agreement", reason=reason,
                      follows=[Follows(_day(application, "decided"), EVENTS["decided"], ClauseText(inst.agreement.get("clause", "")))])
    if len(target_indicator) > Agreement._meta.get_field("target_indicator").max_length:
        raise SupportError(_("the target indicator is longer than %(limit)s characters"), limit=Agreement._meta.get_field("target_indicator").max_length)
    ev = _event(application, "agreement-signed", on)
    ag = Agreement.objects.create(application=application, amount=application.amount, signed_on=on, target_indicator=target_indicator)
    audit.record(actor=actor, action="support.agreement.sign", obj=ag, note=note)
    _set(application, actor=actor, action="support.application.agreement", version=version, status=Status.AGREEMENT, events=ev, note=note)
    return ag


@transaction.atomic
def pay(*, actor, application: Application, on: dt.date | None = None, reason: str = "", version: int | None = None) -> Application:
    """The reimbursement was paid.

    Raises
    ------
    SupportError
        No signed agreement (or already paid).
    klaster.common.dates.DayRefused
        ``on`` in the future, before the agreement (§5.4, instruments 2–5, item 10) or back-dated
        without a reason.
    StaleEdit
    """
    on = on or dates.today()
    after = payment_follows(application)
    if after is None:
        raise SupportError(_("instrument %(component)s pays nothing: its procedure has no payment"), component=application.component)
    _require(application, Status.AGREEMENT if after == "agreement-signed" else Status.APPROVED)
    note = _check_day(on, action="pay", reason=reason,
                      follows=[Follows(_day(application, after), EVENTS[after], ClauseText(_step_clause(application, "payment")))])
    ev = _event(application, "paid", on)
    ag = getattr(application, "agreement", None)
    if ag is not None:
        before = audit.snapshot(ag)
        ag.paid_on = on
        ag.save()
        audit.record(actor=actor, action="support.agreement.pay", obj=ag, before=before, note=note)
    _set(application, actor=actor, action="support.application.pay", version=version, status=Status.PAID, events=ev, note=note)
    return application


def has_step(app: Application, step_id: str) -> bool:
    """Whether the application's procedure has the step ``step_id``."""
    return any(s.id == step_id for s in instruments_for(app).procedure(app.procedure).steps)


def payment_follows(app: Application) -> str | None:
    """The event the payment follows under the application's procedure: the signed agreement
    (instruments 2–5, item 10), the decision (instruments 7 and 8: payment within 5 working days of
    the decision, on the authorized body's decision recognising the winner), or None (instrument
    1: the operator confirms, the leasing operator finances)."""
    for s in instruments_for(app).procedure(app.procedure).steps:
        if s.id == "payment":
            return "agreement-signed" if s.after == "agreement-signed" else "decided"
    return None


@transaction.atomic
def record_expertise(*, actor, application: Application, on: dt.date | None = None, reason: str = "", version: int | None = None) -> Application:
    """The expertise of a complete application for compliance with the programme, where the
    procedure has that step (instrument 7: 3 working days after the completeness check, §5.4,
    instrument 7, item 5).

    Raises
    ------
    SupportError
        The procedure has no expertise step; the application is not complete; already recorded.
    klaster.common.dates.DayRefused
        ``on`` in the future, before the completeness check, or back-dated without a reason.
    StaleEdit
    """
    on = on or dates.today()
    if not has_step(application, "expertise"):
        raise SupportError(_("the procedure of instrument %(component)s has no separate expertise"), component=application.component)
    _require(application, Status.COMPLETE)
    note = _check_day(on, action="expertise", reason=reason,
                      follows=[Follows(_day(application, "completeness-passed"), EVENTS["completeness"], ClauseText(_step_clause(application, "expertise")))])
    _set(application, actor=actor, action="support.application.expertise", version=version, events=_event(application, "expertise-done", on), note=note)
    return application


@transaction.atomic
def record_breach(*, actor, application: Application, on: dt.date | None = None, note: str = "", reason: str = "", version: int | None = None) -> Agreement:
    """The agreement's terms were breached: the agreement is terminated and the money paid is to
    be refunded (§5.4, instruments 2–5, item 9.3; share from the regulation data).

    Raises
    ------
    SupportError
        No agreement (or a breach already recorded); no description of the breach.
    klaster.common.dates.DayRefused
        ``on`` in the future, before the payment (or the agreement, when not paid) or back-dated
        without a reason.
    StaleEdit
    """
    on = on or dates.today()
    _require(application, Status.PAID, Status.AGREEMENT)
    if getattr(application, "agreement", None) is None:
        raise SupportError(_("instrument %(component)s has no reimbursement agreement whose breach could be recorded (§5.4)"), component=application.component)
    refund = instruments_for(application).agreement["refund"]
    after = "paid" if application.status == Status.PAID else "agreement-signed"
    day_note = _check_day(on, action="breach", reason=reason, follows=[Follows(_day(application, after), EVENTS[after], ClauseText(refund["clause"]))])
    if not note.strip():
        raise SupportError(_("describe the breach"))
    ev = _event(application, "breached", on)
    share = Decimal(str(refund["share_of_paid"]))
    ag = application.agreement
    before = audit.snapshot(ag)
    ag.breached_on = on
    ag.breach_note = note
    ag.refund_amount = (ag.amount * share) if ag.paid_on else Decimal(0)
    ag.save()
    audit.record(actor=actor, action="support.agreement.breach", obj=ag, before=before, note=_notes(note, day_note))
    _set(application, actor=actor, action="support.application.breach", version=version, status=Status.BREACHED, events=ev, note=_notes(note, day_note))
    return ag


@transaction.atomic
def record_refund(*, actor, application: Application, on: dt.date | None = None, reason: str = "", version: int | None = None) -> Agreement:
    """The refund after a breach was received.

    Raises
    ------
    SupportError
        No breach recorded (or the refund already recorded).
    klaster.common.dates.DayRefused
        ``on`` in the future, before the breach (§5.4, instruments 2–5, item 9.3) or back-dated
        without a reason.
    StaleEdit
    """
    on = on or dates.today()
    _require(application, Status.BREACHED)
    ag = application.agreement
    refund = instruments_for(application).agreement["refund"]
    note = _check_day(on, action="refund", reason=reason, follows=[Follows(ag.breached_on or _day(application, "breached"), EVENTS["breached"], ClauseText(refund["clause"]))])
    ev = _event(application, "refunded", on)
    before = audit.snapshot(ag)
    ag.refunded_on = on
    ag.save()
    audit.record(actor=actor, action="support.agreement.refund", obj=ag, before=before, note=note)
    _set(application, actor=actor, action="support.application.refund", version=version, status=Status.REFUNDED, events=ev, note=note)
    return ag


def deadlines(application: Application, *, today: dt.date | None = None):
    """The processing deadlines of the application on the working calendar."""
    if "registered" not in application.events:
        return []
    proc = instruments_for(application).procedure(application.procedure)
    events = {k: dt.date.fromisoformat(v) for k, v in application.events.items() if not k.startswith("previous")}
    return schedule(proc, events, default_calendar(), today=today)


def act_day(application: Application) -> dt.date:
    """The day the application is dated for the act in force: its registration, else today."""
    return _day(application, "registered") or dates.today()
