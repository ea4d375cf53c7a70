"""Operations on targeted cluster programmes (ЦКП); every change is audited.

The rules (co-financing shares, the annual line, monitoring period) come from the regulation
``cluster-programme-cofinancing`` through :mod:`klaster.engine.programmes`. That document is a
policy document (QazIndustry's "Vision", the National Project's plan-schedule), not a normative
act: pages name it as such and show no "act out of force" warning for it.

Every operation runs in one transaction and refuses (:class:`ProgrammeError`,
:class:`klaster.common.dates.DayRefused`, :class:`klaster.common.locking.StaleEdit`) before
anything is written: years within the calendar (:data:`~klaster.common.calendar.MIN_YEAR` –
:data:`~klaster.common.dates.MAX_YEAR`), amounts within their columns and ≥ 0, counter-obligations
in amounts or counts ≥ 0 (:func:`klaster.engine.programmes.monitoring.is_signed`), a report only
for a quarter that has ended, dated today. Edits of a programme, a key project (with its
financing), a counter-obligation (with its targets) and a quarterly report are checked against
the version the user's page showed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as _

from klaster.common import audit, dates, locking
from klaster.common.calendar import MIN_YEAR, default_calendar
from klaster.register.i18n import Refusal
from klaster.common.money import Money
from klaster.engine.programmes import cofinancing, monitoring
from klaster.engine.programmes.effects import check_printed, effect_pct
from klaster.programmes.models import (
    STATE_SOURCES,
    CounterObligation,
    EffectRow,
    Financing,
    KeyProject,
    ObligationActual,
    ObligationTarget,
    Programme,
    ProgrammePayment,
    QuarterlyReport,
)


class ProgrammeError(Refusal):
    """An operation on a programme was refused; the message says why (``str``: English;
    :meth:`~klaster.register.i18n.Refusal.text`: the active language)."""


#: max_digits, decimal_places of the money columns (KeyProject, Financing; mln tenge)
MONEY_DIGITS = (14, 1)
#: max_digits, decimal_places of counter-obligation values, targets and actuals
VALUE_DIGITS = (18, 2)
REPORTED_ON = gettext_lazy("submitted on")
COST = gettext_lazy("cost, mln tenge")
AMOUNT = gettext_lazy("amount, mln tenge")
PRINTED_SHARE = gettext_lazy("participants' share as printed in the source, mln tenge")
BASE_VALUE = gettext_lazy("base-year value")
TARGET = gettext_lazy("target")


def _check_years(start: int, end: int) -> None:
    """The years of a programme: whole years within the calendar, the last not before the first."""
    for y in (start, end):
        if not isinstance(y, int) or isinstance(y, bool) or not MIN_YEAR <= y <= dates.MAX_YEAR:
            raise ProgrammeError(_("%(year)s is not a year %(min)s–%(max)s"), year=y, min=MIN_YEAR, max=dates.MAX_YEAR)
    if end < start:
        raise ProgrammeError(_("the last year %(end)s is before the first year %(start)s"), end=end, start=start)


def _check_number(value, digits: tuple[int, int], *, field: str, non_negative: bool) -> Decimal:
    """``value`` as a Decimal that fits its column (``digits``: max_digits, decimal_places) and,
    for an amount, is not negative.

    Raises
    ------
    ProgrammeError
    """
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except Exception:  # noqa: BLE001 - anything that is not a number
        raise ProgrammeError(_("%(field)s: %(value)s is not a number"), field=field, value=value) from None
    max_digits, places = digits
    if not d.is_finite() or d.as_tuple().exponent < -places or abs(d) >= Decimal(10) ** (max_digits - places):
        raise ProgrammeError(_("%(field)s: %(value)s does not fit %(int)s digits before the decimal mark and %(places)s after it"),
                             field=field, value=value, int=max_digits - places, places=places)
    if non_negative and d < 0:
        raise ProgrammeError(_("%(field)s: %(value)s is negative; an amount or a count is not"), field=field, value=value)
    return d


def create_programme(*, actor, cluster, title_ru: str, start_year: int, end_year: int, **extra) -> Programme:
    """Open the ЦКП of a cluster included in the register, pinning the co-financing regulation.

    Raises
    ------
    ProgrammeError
        The cluster is not in the register; years outside the calendar or the last before the first.
    """
    if cluster.status != "included":
        raise ProgrammeError(_("%(cluster)s is not in the register; a programme follows inclusion (ЦКП algorithm, step 3)"), cluster=cluster)
    _check_years(start_year, end_year)
    doc = cofinancing.load_rules()
    p = Programme.objects.create(cluster=cluster, title_ru=title_ru, start_year=start_year, end_year=end_year, regulation_pin=doc.pin, **extra)
    audit.record(actor=actor, action="programmes.programme.create", obj=p)
    return p


PROGRAMME_FIELDS = ("title_ru", "title_kk", "title_en", "start_year", "end_year", "source")


@transaction.atomic
def update_programme(*, actor, programme: Programme, version: int | None = None, **fields) -> Programme:
    """Change a programme's titles, years or source; audited.

    Parameters
    ----------
    version : int, optional
        The version the user's page showed (None: the version ``programme`` was read with).

    Raises
    ------
    ProgrammeError
        Unknown field; years outside the calendar or the last before the first; financing or
        targets outside the new years (they would drop out of the forms and the monitoring).
    klaster.common.locking.StaleEdit
        Someone else saved the programme after the page was loaded; nothing is written.
    """
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise ProgrammeError(f"cannot change {', '.join(sorted(unknown))}")
    start, end = fields.get("start_year", programme.start_year), fields.get("end_year", programme.end_year)
    _check_years(start, end)
    outside = sorted({f.year for f in Financing.objects.filter(project__programme=programme) if not start <= f.year <= end})
    if outside:
        raise ProgrammeError(_("financing is recorded for %(years)s, outside %(start)s–%(end)s"), years=[str(y) for y in outside], start=start, end=end)
    outside = sorted({t.year for t in ObligationTarget.objects.filter(obligation__programme=programme) if not start <= t.year <= end})
    if outside:
        raise ProgrammeError(_("counter-obligation targets are set for %(years)s, outside %(start)s–%(end)s"), years=[str(y) for y in outside], start=start, end=end)
    before = audit.snapshot(programme)
    for k, v in fields.items():
        setattr(programme, k, v)
    locking.save(programme, version)
    audit.record(actor=actor, action="programmes.programme.update", obj=programme, before=before)
    return programme


def _rules(programme: Programme):
    pin = programme.regulation_pin or {}
    return cofinancing.load_rules(pin.get("version"), sha256=pin.get("sha256")) if pin else cofinancing.load_rules()


@transaction.atomic
def add_project(*, actor, programme: Programme, name_ru: str, cost: Decimal, direction: str, printed_participants_amount: Decimal | None = None, **extra) -> KeyProject:
    """Add a key project; its state and participants' shares follow the co-financing rule of
    ``direction`` (70/30 or 50/50, regulation data).

    Raises
    ------
    ProgrammeError
        A cost not positive or too large for its column (mln tenge, 0.1), an unknown direction.
    """
    if printed_participants_amount is not None:
        printed_participants_amount = _check_number(printed_participants_amount, MONEY_DIGITS, field=PRINTED_SHARE, non_negative=True)
    split = _split(programme, cost, direction)
    p = KeyProject.objects.create(
        programme=programme, name_ru=name_ru, cost=split.cost.amount, direction=direction,
        state_amount=split.state.amount, participants_amount=split.participants.amount,
        printed_participants_amount=printed_participants_amount, **extra,
    )
    audit.record(actor=actor, action="programmes.project.add", obj=p, note=split.clause)
    return p


def _split(programme: Programme, cost, direction: str):
    """The co-financing split of ``cost`` (mln tenge) for ``direction`` under the programme's
    pinned rules; a non-positive cost or an unknown direction is refused."""
    if cost is None:
        raise ProgrammeError(_("the project cost must be positive, not %(cost)s"), cost=cost)
    cost = _check_number(cost, MONEY_DIGITS, field=COST, non_negative=True)
    if cost <= 0:
        raise ProgrammeError(_("the project cost must be positive, not %(cost)s"), cost=cost)
    try:
        return cofinancing.split_cost(Money(cost, "mln tenge"), direction, _rules(programme))
    except cofinancing.CofinancingError as e:
        raise ProgrammeError("%(reason)s", reason=str(e)) from e


PROJECT_FIELDS = ("name_ru", "name_kk", "name_en", "selected", "source", "printed_participants_amount")


@transaction.atomic
def update_project(*, actor, project: KeyProject, cost: Decimal, direction: str, version: int | None = None, **fields) -> KeyProject:
    """Change a key project; its state and participants' shares are recomputed from the cost and
    the direction's co-financing rule (never typed in); audited.

    Raises
    ------
    ProgrammeError
        Unknown field; a cost not positive or too large; an unknown direction.
    klaster.common.locking.StaleEdit
        Someone else saved the project (or its financing) after the page was loaded.
    """
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ProgrammeError(f"cannot change {', '.join(sorted(unknown))}")
    split = _split(project.programme, cost, direction)
    before = audit.snapshot(project)
    for k, v in fields.items():
        setattr(project, k, v)
    project.cost, project.direction = split.cost.amount, direction
    project.state_amount, project.participants_amount = split.state.amount, split.participants.amount
    locking.save(project, version)
    audit.record(actor=actor, action="programmes.project.update", obj=project, before=before, note=split.clause)
    return project


@transaction.atomic
def set_financing(*, actor, project: KeyProject, year: int, source: str, amount: Decimal, illustrative: bool = False) -> Financing:
    """Set the financing of ``project`` in ``year`` from ``source`` (mln tenge); audited.

    Raises
    ------
    ProgrammeError
        A year outside the programme's years, an unknown source, a negative amount or one too
        large for its column.
    """
    from klaster.programmes.models import FundingSource

    prog = project.programme
    if not prog.start_year <= int(year) <= prog.end_year:
        raise ProgrammeError(_("%(year)s is outside the programme years %(start)s–%(end)s"), year=year, start=prog.start_year, end=prog.end_year)
    if source not in FundingSource.values:
        raise ProgrammeError(_("unknown source %(source)s; known: %(known)s"), source=repr(source), known=list(FundingSource.values))
    if amount is None or _check_number(amount, MONEY_DIGITS, field=AMOUNT, non_negative=False) < 0:
        raise ProgrammeError(_("the amount must not be negative, not %(amount)s"), amount=amount)
    obj = Financing.objects.filter(project=project, year=year, source=source).first()
    before = audit.snapshot(obj) if obj else {}
    obj = obj or Financing(project=project, year=year, source=source)
    obj.amount = amount
    obj.illustrative = illustrative
    obj.save()
    audit.record(actor=actor, action="programmes.financing.set", obj=obj, before=before)
    return obj


def remove_financing(*, actor, financing: Financing) -> None:
    """Remove one year-and-source financing entry of a project; audited."""
    audit.record(actor=actor, action="programmes.financing.remove", obj=financing, before=audit.snapshot(financing), after={})
    financing.delete()


@transaction.atomic
def set_financing_grid(*, actor, project: KeyProject, amounts: dict, version: int | None = None) -> KeyProject:
    """Replace the financing of ``project`` by the grid ``{(year, source): amount or None}``
    (None: no financing from that source in that year); each changed cell audited.

    Raises
    ------
    ProgrammeError
        As :func:`set_financing`; nothing of the grid is written.
    klaster.common.locking.StaleEdit
        Someone else saved the project or its financing after the page was loaded.
    """
    locking.touch(project, version)
    have = {(f.year, f.source): f for f in project.financing.all()}
    for (year, src), amount in amounts.items():
        if amount is None:
            if (year, src) in have:
                remove_financing(actor=actor, financing=have[(year, src)])
        elif (year, src) not in have or have[(year, src)].amount != amount:
            set_financing(actor=actor, project=project, year=year, source=src, amount=amount)
    return project


def state_by_year(programme: Programme) -> dict[int, Money]:
    out: dict[int, Money] = defaultdict(lambda: Money(0, "mln tenge"))
    for f in Financing.objects.filter(project__programme=programme, source__in=STATE_SOURCES):
        out[f.year] = out[f.year] + Money(f.amount, "mln tenge")
    return dict(out)


def cap_alerts(programme: Programme):
    """Years in which the programme's state financing exceeds the annual line (regulation data)."""
    return cofinancing.check_annual_caps(state_by_year(programme), _rules(programme))


@transaction.atomic
def add_obligation(*, actor, programme: Programme, indicator_ru: str, unit: str, base_year: int, base_value: Decimal, targets: dict, **extra) -> CounterObligation:
    """A counter-obligation with targets: ``targets`` maps ``(year, quarter)`` (quarter None for
    the year) to the target value.

    Raises
    ------
    ProgrammeError
        No target; a quarter not 1–4 or a year outside the programme; a base year outside the
        calendar; a value too large for its column or negative in a unit of amounts or counts.
    """
    _check_values(unit, base_year, base_value, targets)
    _check_targets(programme, targets)
    _check_obligation(programme, extra.get("kind"), extra.get("participant"))
    ob = CounterObligation.objects.create(programme=programme, indicator_ru=indicator_ru, unit=unit, base_year=base_year, base_value=base_value, **extra)
    for (year, quarter), value in targets.items():
        ObligationTarget.objects.create(obligation=ob, year=year, quarter=quarter, value=value)
    audit.record(actor=actor, action="programmes.obligation.add", obj=ob, changes={"targets": {f"{y}-Q{q or 'year'}": str(v) for (y, q), v in targets.items()}})
    return ob


def _check_values(unit: str, base_year: int, base_value, targets: dict) -> None:
    """Base year within the calendar; base value and targets fit their column and, unless the
    unit is signed (%), are ≥ 0 (:func:`klaster.engine.programmes.monitoring.is_signed`)."""
    if not isinstance(base_year, int) or isinstance(base_year, bool) or not MIN_YEAR <= base_year <= dates.MAX_YEAR:
        raise ProgrammeError(_("%(year)s is not a year %(min)s–%(max)s"), year=base_year, min=MIN_YEAR, max=dates.MAX_YEAR)
    signed = monitoring.is_signed(unit)
    _check_number(base_value, VALUE_DIGITS, field=BASE_VALUE, non_negative=not signed)
    for (year, quarter), value in targets.items():
        _check_number(value, VALUE_DIGITS, field=format_lazy("{} {}{}", TARGET, year, f" Q{quarter}" if quarter else ""), non_negative=not signed)


def _check_targets(programme: Programme, targets: dict) -> None:
    if not targets:
        raise ProgrammeError(_("give at least one target (a quarter or the year)"))
    for (year, quarter) in targets:
        if quarter is not None and quarter not in (1, 2, 3, 4):
            raise ProgrammeError(_("quarter %(quarter)s is not 1–4"), quarter=quarter)
        if not programme.start_year <= year <= programme.end_year:
            raise ProgrammeError(_("a target for %(year)s is outside the programme years %(start)s–%(end)s"), year=year, start=programme.start_year, end=programme.end_year)


OBLIGATION_FIELDS = ("indicator_ru", "indicator_kk", "indicator_en", "unit", "base_year", "base_value", "higher_is_better", "kind", "participant", "source")


def _check_obligation(programme: Programme, kind, participant) -> None:
    """The kind is one of :class:`~klaster.programmes.models.ObligationKind`; a participant
    taking the obligation is (or was) a member of the programme's cluster."""
    from klaster.programmes.models import ObligationKind

    if kind is not None and kind not in ObligationKind.values:
        raise ProgrammeError(_("%(kind)s is not a kind of counter-obligation"), kind=kind)
    if participant is not None and not programme.cluster.memberships.filter(participant=participant).exists():
        raise ProgrammeError(_("%(participant)s is not a participant of %(cluster)s"), participant=participant, cluster=programme.cluster)


@transaction.atomic
def update_obligation(*, actor, obligation: CounterObligation, targets: dict, version: int | None = None, **fields) -> CounterObligation:
    """Change a counter-obligation and replace its targets; audited. Targets of quarters that
    already have a reported actual cannot be removed.

    Raises
    ------
    ProgrammeError
        Unknown field; a quarter not 1–4 or a year outside the programme; removing a reported
        target; values as in :func:`add_obligation` (reported actuals included: a unit of amounts
        cannot be chosen while a negative actual is reported).
    klaster.common.locking.StaleEdit
        Someone else saved the counter-obligation (or its targets) after the page was loaded.
    """
    unknown = set(fields) - set(OBLIGATION_FIELDS)
    if unknown:
        raise ProgrammeError(f"cannot change {', '.join(sorted(unknown))}")
    unit = fields.get("unit", obligation.unit)
    _check_values(unit, fields.get("base_year", obligation.base_year), fields.get("base_value", obligation.base_value), targets)
    if not monitoring.is_signed(unit) and obligation.actuals.filter(value__lt=0).exists():
        raise ProgrammeError(_("negative actuals are reported for this counter-obligation; its unit cannot be one of amounts or counts"))
    _check_targets(obligation.programme, targets)
    _check_obligation(obligation.programme, fields.get("kind"), fields.get("participant"))
    reported = {(a.report.year, a.report.quarter) for a in obligation.actuals.select_related("report")}
    lost = sorted(k for k in reported if k not in targets)
    if lost:
        raise ProgrammeError(_("actuals are reported for %(quarters)s; their targets cannot be removed"), quarters=[f"Q{q} {y}" for y, q in lost])
    before = audit.snapshot(obligation)
    before_targets = {f"{t.year}-Q{t.quarter or 'year'}": str(t.value) for t in obligation.targets.all()}
    for k, v in fields.items():
        setattr(obligation, k, v)
    locking.save(obligation, version)
    obligation.targets.all().delete()
    for (year, quarter), value in targets.items():
        ObligationTarget.objects.create(obligation=obligation, year=year, quarter=quarter, value=value)
    after_targets = {f"{y}-Q{q or 'year'}": str(v) for (y, q), v in targets.items()}
    changes = audit.diff(before, audit.snapshot(obligation))
    if before_targets != after_targets:
        changes["targets"] = [before_targets, after_targets]
    audit.record(actor=actor, action="programmes.obligation.update", obj=obligation, changes=changes)
    return obligation


@transaction.atomic
def submit_report(*, actor, programme: Programme, year: int, quarter: int, actuals: dict, on: dt.date, comment: str = "",
                  reason: str = "", revises: int | None = None, version: int | None = None, today: dt.date | None = None) -> QuarterlyReport:
    """Submit the quarterly report: ``actuals`` maps an obligation (or its id) to the actual value.

    A second submission for the same quarter is a re-submission: it replaces the report's
    actuals and comment (the first submission day stays; the audit trail keeps both) and must
    name the report the user's page showed (``revises``, its id) at the ``version`` shown.

    Parameters
    ----------
    on : date
        The day of submission: today on the web (an earlier day only with ``reason``, e.g. a
        load of history), after the quarter has ended (seed 000: reports follow the quarter).
    revises, version : int, optional
        The report and its version the page showed; None when the page showed no report.

    Raises
    ------
    ProgrammeError
        The quarter has not ended on ``on``; an obligation belongs to another programme; an
        actual too large for its column or negative in a unit of amounts or counts.
    klaster.common.dates.DayRefused
        ``on`` in the future, or earlier than today without a reason.
    klaster.common.locking.StaleEdit
        A report for the quarter exists that the page did not show, or it was changed since.
    """
    dates.check_recorded_day(on, reason=reason, field=REPORTED_ON, on=today)
    if quarter not in (1, 2, 3, 4):
        raise ProgrammeError(_("quarter %(quarter)s is not 1–4"), quarter=quarter)
    if not programme.start_year <= year <= programme.end_year:
        raise ProgrammeError(_("%(year)s is outside the programme years %(start)s–%(end)s"), year=year, start=programme.start_year, end=programme.end_year)
    if on <= monitoring.quarter_end(year, quarter):
        raise ProgrammeError(_("Q%(quarter)s %(year)s has not ended on %(day)s"), quarter=quarter, year=year, day=on)
    values = {}
    for ob, value in actuals.items():
        ob = ob if isinstance(ob, CounterObligation) else CounterObligation.objects.filter(pk=ob).first()
        if ob is None or ob.programme_id != programme.pk:
            raise ProgrammeError(_("obligation %(obligation)s is not of this programme"), obligation=ob)
        values[ob] = _check_number(value, VALUE_DIGITS, field=ob.localized_indicator(), non_negative=not monitoring.is_signed(ob.unit))
    rep = QuarterlyReport.objects.select_for_update().filter(programme=programme, year=year, quarter=quarter).first()
    changes = {"actuals": {str(ob.pk): str(v) for ob, v in values.items()}}
    if rep is None:
        rep = QuarterlyReport.objects.create(programme=programme, year=year, quarter=quarter, submitted_on=on, submitted_by=actor if getattr(actor, "pk", None) else None, comment=comment)
        action, note = "programmes.report.submit", dates.backdating_note(on, reason, on=today)
    else:
        if revises != rep.pk or version is None:
            raise locking.StaleEdit(_("The report for Q%(quarter)s %(year)s was submitted (or changed) after you opened the page; your values were not saved. "
                                      "Your values are kept below: open the report of that quarter, compare and submit again."), quarter=quarter, year=year)
        before_actuals = {str(a.obligation_id): str(a.value) for a in rep.actuals.all()}
        changes = {"actuals": [before_actuals, changes["actuals"]]}
        if rep.comment != comment:
            changes["comment"] = [rep.comment, comment]
        rep.comment = comment
        locking.save(rep, version)
        rep.actuals.all().delete()
        action, note = "programmes.report.resubmit", "; ".join(x for x in (f"re-submitted on {on.isoformat()}", dates.backdating_note(on, reason, on=today)) if x)
    for ob, value in values.items():
        ObligationActual.objects.create(report=rep, obligation=ob, value=value)
    audit.record(actor=actor, action=action, obj=rep, changes=changes, note=note)
    return rep


def monitoring_rows(programme: Programme, *, today: dt.date | None = None) -> list[dict]:
    """Targets against actuals per obligation and quarter, with variance and alerts.

    An alert is raised when an actual misses its target, when a quarter's report is overdue (its
    due date — regulation data — has passed with no report) and when it came late: a report
    submitted after its due date stays marked late (``late``, ``days_late``), it does not merely
    clear the "overdue" signal.

    Returns
    -------
    list of dict
        ``{"obligation", "year", "quarter" (None: the year), "target", "actual", "variance",
        "missed", "report_due", "overdue", "late", "days_late", "timing"
        (:class:`~klaster.engine.programmes.monitoring.ReportTiming`), "report", "vs_base" (% against
        the base-year value, or None), "demo"}``.
    """
    today = today or dates.today()
    cal = default_calendar()
    doc = _rules(programme)
    reports = {(r.year, r.quarter): r for r in programme.reports.all()}
    actual = {(a.report.year, a.report.quarter, a.obligation_id): a.value for a in ObligationActual.objects.filter(report__programme=programme).select_related("report")}
    rows = []
    for ob in programme.obligations.all():
        for t in ob.targets.all():
            if t.quarter is None:
                # annual target: compare with the Q4 actual (cumulative indicators) when present
                act = actual.get((t.year, 4, ob.pk))
                due = monitoring.report_due(t.year, 4, cal, doc)
            else:
                act = actual.get((t.year, t.quarter, ob.pk))
                due = monitoring.report_due(t.year, t.quarter, cal, doc)
            v = monitoring.variance(t.value, act, higher_is_better=ob.higher_is_better) if act is not None else None
            rep = reports.get((t.year, t.quarter or 4))
            timing = monitoring.report_timing(due, rep.submitted_on if rep else None, today)
            overdue = act is None and rep is None and today > due
            rows.append({
                "obligation": ob, "year": t.year, "quarter": t.quarter, "target": t.value, "actual": act,
                "variance": v, "missed": bool(v and v.missed), "report_due": due, "overdue": overdue,
                "late": timing.status == "late", "days_late": timing.days_late, "timing": timing, "report": rep,
                "vs_base": monitoring.change_vs_base(ob.base_value, act) if act is not None else None,
                "demo": ob.is_demo or bool(rep and rep.is_demo),
            })
    return rows


PAID_ON = gettext_lazy("paid on")
PAYMENT = gettext_lazy("amount, mln tenge")


@transaction.atomic
def record_payment(*, actor, project: KeyProject, paid_on: dt.date, source: str, amount, note: str = "", reason: str = "",
                   today: dt.date | None = None, is_demo: bool = False) -> "ProgrammePayment":
    """Record a payment of the state's share of a key project (mln tenge); audited.

    Parameters
    ----------
    paid_on : date
        Not in the future, within the programme's years; earlier than today only with ``reason``
        (kept in the audit note).
    source : str
        A state source: republican or local budget.
    amount : Decimal
        > 0, 14 digits and 1 decimal (mln tenge).

    Raises
    ------
    ProgrammeError
        A source that is not the state's, an amount not positive or too long, a day outside the
        programme's years.
    klaster.common.dates.DayRefused
        ``paid_on`` in the future, outside the calendar, or back-dated without a reason.
    """

    dates.check_recorded_day(paid_on, reason=reason, field=PAID_ON, on=today)
    prog = project.programme
    if not prog.start_year <= paid_on.year <= prog.end_year:
        raise ProgrammeError(_("%(year)s is outside the programme years %(start)s–%(end)s"), year=paid_on.year, start=prog.start_year, end=prog.end_year)
    if source not in [s.value for s in STATE_SOURCES]:
        raise ProgrammeError(_("a payment of the state's share comes from the republican or a local budget, not %(source)s"), source=source)
    amount = _check_number(amount, MONEY_DIGITS, field=PAYMENT, non_negative=True)
    if amount <= 0:
        raise ProgrammeError(_("the amount paid must be positive, not %(amount)s"), amount=amount)
    pay = ProgrammePayment.objects.create(project=project, paid_on=paid_on, source=source, amount=amount, note=(note or "")[:300],
                                          recorded_by=actor if getattr(actor, "pk", None) else None, is_demo=is_demo)
    audit.record(actor=actor, action="programmes.payment.record", obj=pay, note=dates.backdating_note(paid_on, reason, on=today))
    return pay


def effect_checks(programme: Programme) -> list[dict]:
    """Each effect row with its recomputed effect % beside the printed one (flagged when they differ)."""
    out = []
    for e in programme.effects.all():
        computed = effect_pct(e.base_value, e.forecast_value)
        chk = check_printed(e.base_value, e.forecast_value, e.printed_effect_pct) if e.printed_effect_pct is not None else None
        out.append({"row": e, "computed": computed.quantize(Decimal("0.1")), "printed": e.printed_effect_pct, "matches": chk.matches if chk else None})
    return out


def save_effect(*, actor, programme: Programme, indicator: str, **fields) -> EffectRow:
    obj = EffectRow.objects.filter(programme=programme, indicator=indicator).first()
    before = audit.snapshot(obj) if obj else {}
    obj = obj or EffectRow(programme=programme, indicator=indicator)
    for k, v in fields.items():
        setattr(obj, k, v)
    obj.save()
    audit.record(actor=actor, action="programmes.effect.save", obj=obj, before=before)
    return obj
