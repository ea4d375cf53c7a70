"""Operations on targeted cluster programmes (ЦКП); every change is audited.

The rules (co-financing shares, the annual line, monitoring period) come from the regulation
``cluster-programme-cofinancing`` through :mod:`klaster.engine.programmes`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_noop as _

from klaster.common import audit
from klaster.register.i18n import Refusal
from klaster.common.calendar import default_calendar
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
    QuarterlyReport,
)


class ProgrammeError(Refusal):
    """An operation on a programme was refused; the message says why (``str``: English;
    :meth:`~klaster.register.i18n.Refusal.text`: the active language)."""


def create_programme(*, actor, cluster, title_ru: str, start_year: int, end_year: int, **extra) -> Programme:
    """Open the ЦКП of a cluster included in the register, pinning the co-financing regulation."""
    if cluster.status != "included":
        raise ProgrammeError(_("%(cluster)s is not in the register; a programme follows inclusion (ЦКП algorithm, step 3)"), cluster=cluster)
    if end_year < start_year:
        raise ProgrammeError(_("the last year %(end)s is before the first year %(start)s"), end=end_year, start=start_year)
    doc = cofinancing.load_rules()
    p = Programme.objects.create(cluster=cluster, title_ru=title_ru, start_year=start_year, end_year=end_year, regulation_pin=doc.pin, **extra)
    audit.record(actor=actor, action="programmes.programme.create", obj=p)
    return p


PROGRAMME_FIELDS = ("title_ru", "title_kk", "title_en", "start_year", "end_year", "source")


@transaction.atomic
def update_programme(*, actor, programme: Programme, **fields) -> Programme:
    """Change a programme's titles, years or source; audited.

    Raises
    ------
    ProgrammeError
        Unknown field; the last year before the first; financing or targets outside the new years
        (they would drop out of the forms and the monitoring).
    """
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise ProgrammeError(f"cannot change {', '.join(sorted(unknown))}")
    start, end = fields.get("start_year", programme.start_year), fields.get("end_year", programme.end_year)
    if end < start:
        raise ProgrammeError(_("the last year %(end)s is before the first year %(start)s"), end=end, start=start)
    outside = sorted({f.year for f in Financing.objects.filter(project__programme=programme) if not start <= f.year <= end})
    if outside:
        raise ProgrammeError(_("financing is recorded for %(years)s, outside %(start)s–%(end)s"), years=[str(y) for y in outside], start=start, end=end)
    outside = sorted({t.year for t in ObligationTarget.objects.filter(obligation__programme=programme) if not start <= t.year <= end})
    if outside:
        raise ProgrammeError(_("counter-obligation targets are set for %(years)s, outside %(start)s–%(end)s"), years=[str(y) for y in outside], start=start, end=end)
    before = audit.snapshot(programme)
    for k, v in fields.items():
        setattr(programme, k, v)
    programme.save()
    audit.record(actor=actor, action="programmes.programme.update", obj=programme, before=before)
    return programme


def _rules(programme: Programme):
    pin = programme.regulation_pin or {}
    return cofinancing.load_rules(pin.get("version"), sha256=pin.get("sha256")) if pin else cofinancing.load_rules()


def add_project(*, actor, programme: Programme, name_ru: str, cost: Decimal, direction: str, printed_participants_amount: Decimal | None = None, **extra) -> KeyProject:
    """Add a key project; its state and participants' shares follow the co-financing rule of
    ``direction`` (70/30 or 50/50, regulation data)."""
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
    if cost is None or Decimal(cost) <= 0:
        raise ProgrammeError(_("the project cost must be positive, not %(cost)s"), cost=cost)
    try:
        return cofinancing.split_cost(Money(cost, "mln tenge"), direction, _rules(programme))
    except cofinancing.CofinancingError as e:
        raise ProgrammeError("%(reason)s", reason=str(e)) from e


PROJECT_FIELDS = ("name_ru", "name_kk", "name_en", "selected", "source", "printed_participants_amount")


@transaction.atomic
def update_project(*, actor, project: KeyProject, cost: Decimal, direction: str, **fields) -> KeyProject:
    """Change a key project; its state and participants' shares are recomputed from the cost and
    the direction's co-financing rule (never typed in); audited."""
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ProgrammeError(f"cannot change {', '.join(sorted(unknown))}")
    split = _split(project.programme, cost, direction)
    before = audit.snapshot(project)
    for k, v in fields.items():
        setattr(project, k, v)
    project.cost, project.direction = split.cost.amount, direction
    project.state_amount, project.participants_amount = split.state.amount, split.participants.amount
    project.save()
    audit.record(actor=actor, action="programmes.project.update", obj=project, before=before, note=split.clause)
    return project


def set_financing(*, actor, project: KeyProject, year: int, source: str, amount: Decimal, illustrative: bool = False) -> Financing:
    """Set the financing of ``project`` in ``year`` from ``source`` (mln tenge); audited.

    Raises
    ------
    ProgrammeError
        A year outside the programme's years, an unknown source or a negative amount.
    """
    from klaster.programmes.models import FundingSource

    prog = project.programme
    if not prog.start_year <= int(year) <= prog.end_year:
        raise ProgrammeError(_("%(year)s is outside the programme years %(start)s–%(end)s"), year=year, start=prog.start_year, end=prog.end_year)
    if source not in FundingSource.values:
        raise ProgrammeError(_("unknown source %(source)s; known: %(known)s"), source=repr(source), known=list(FundingSource.values))
    if amount is None or Decimal(amount) < 0:
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
    the year) to the target value."""
    _check_targets(programme, targets)
    ob = CounterObligation.objects.create(programme=programme, indicator_ru=indicator_ru, unit=unit, base_year=base_year, base_value=base_value, **extra)
    for (year, quarter), value in targets.items():
        ObligationTarget.objects.create(obligation=ob, year=year, quarter=quarter, value=value)
    audit.record(actor=actor, action="programmes.obligation.add", obj=ob, changes={"targets": {f"{y}-Q{q or 'year'}": str(v) for (y, q), v in targets.items()}})
    return ob


def _check_targets(programme: Programme, targets: dict) -> None:
    if not targets:
        raise ProgrammeError(_("give at least one target (a quarter or the year)"))
    for (year, quarter) in targets:
        if quarter is not None and quarter not in (1, 2, 3, 4):
            raise ProgrammeError(_("quarter %(quarter)s is not 1–4"), quarter=quarter)
        if not programme.start_year <= year <= programme.end_year:
            raise ProgrammeError(_("a target for %(year)s is outside the programme years %(start)s–%(end)s"), year=year, start=programme.start_year, end=programme.end_year)


OBLIGATION_FIELDS = ("indicator_ru", "indicator_kk", "indicator_en", "unit", "base_year", "base_value", "higher_is_better")


@transaction.atomic
def update_obligation(*, actor, obligation: CounterObligation, targets: dict, **fields) -> CounterObligation:
    """Change a counter-obligation and replace its targets; audited. Targets of quarters that
    already have a reported actual cannot be removed.

    Raises
    ------
    ProgrammeError
        Unknown field; a quarter not 1–4 or a year outside the programme; removing a reported target.
    """
    unknown = set(fields) - set(OBLIGATION_FIELDS)
    if unknown:
        raise ProgrammeError(f"cannot change {', '.join(sorted(unknown))}")
    _check_targets(obligation.programme, targets)
    reported = {(a.report.year, a.report.quarter) for a in obligation.actuals.select_related("report")}
    lost = sorted(k for k in reported if k not in targets)
    if lost:
        raise ProgrammeError(_("actuals are reported for %(quarters)s; their targets cannot be removed"), quarters=[f"Q{q} {y}" for y, q in lost])
    before = audit.snapshot(obligation)
    before_targets = {f"{t.year}-Q{t.quarter or 'year'}": str(t.value) for t in obligation.targets.all()}
    for k, v in fields.items():
        setattr(obligation, k, v)
    obligation.save()
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
def submit_report(*, actor, programme: Programme, year: int, quarter: int, actuals: dict, on: dt.date, comment: str = "") -> QuarterlyReport:
    """Submit the quarterly report: ``actuals`` maps an obligation (or its id) to the actual value.

    Raises
    ------
    ProgrammeError
        The quarter has not ended on ``on``, a report for it exists, or an obligation belongs to
        another programme.
    """
    if on <= monitoring.quarter_end(year, quarter):
        raise ProgrammeError(_("Q%(quarter)s %(year)s has not ended on %(day)s"), quarter=quarter, year=year, day=on)
    if QuarterlyReport.objects.filter(programme=programme, year=year, quarter=quarter).exists():
        raise ProgrammeError(_("the report for Q%(quarter)s %(year)s was already submitted; reports are not overwritten"), quarter=quarter, year=year)
    rep = QuarterlyReport.objects.create(programme=programme, year=year, quarter=quarter, submitted_on=on, submitted_by=actor if getattr(actor, "pk", None) else None, comment=comment)
    for ob, value in actuals.items():
        ob = ob if isinstance(ob, CounterObligation) else CounterObligation.objects.get(pk=ob)
        if ob.programme_id != programme.pk:
            raise ProgrammeError(_("obligation %(obligation)s is not of this programme"), obligation=ob)
        ObligationActual.objects.create(report=rep, obligation=ob, value=value)
    audit.record(actor=actor, action="programmes.report.submit", obj=rep, changes={"actuals": {str(getattr(k, "pk", k)): str(v) for k, v in actuals.items()}})
    return rep


def monitoring_rows(programme: Programme, *, today: dt.date | None = None) -> list[dict]:
    """Targets against actuals per obligation and quarter, with variance and alerts.

    An alert is raised when an actual misses its target, and when a quarter's report is overdue
    (its due date — regulation data — has passed with no report).
    """
    today = today or dt.date.today()
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
            overdue = act is None and (t.year, t.quarter or 4) not in reports and today > due
            rows.append({
                "obligation": ob, "year": t.year, "quarter": t.quarter, "target": t.value, "actual": act,
                "variance": v, "missed": bool(v and v.missed), "report_due": due, "overdue": overdue,
            })
    return rows


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
