"""Counter-obligations of a ЦКП: targets against actuals, variance and alerts; report due dates.

Participants take counter-obligations (innovative products, new markets, labour productivity…),
monitored once a quarter (seed 003, ЦКП slide; seed 000, text after fig. 3; regulations.md §5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from klaster.common.money import UNIT_LABELS, to_decimal

#: Units of counts: a value in them is a quantity, never negative.
COUNT_UNITS = ("persons", "jobs", "legal entities", "units", "tonnes", "products", "markets")
#: Units in which a counter-obligation may be negative: a percentage is how the seeds state a
#: change (growth of labour productivity, of exports …), and a change may be a fall.
SIGNED_UNITS = ("%",)
#: The units a counter-obligation is stated in: money (:data:`klaster.common.money.UNIT_LABELS`),
#: counts and percentages.
OBLIGATION_UNITS = (*UNIT_LABELS, *COUNT_UNITS, *SIGNED_UNITS)


def is_signed(unit: str) -> bool:
    """Whether values of a counter-obligation in ``unit`` may be negative.

    Amounts and quantities — production, exports, taxes (money units), persons, jobs, units,
    tonnes — are never negative: a negative actual is a typing mistake that would raise a
    permanent "target missed" alert. Only a percentage (:data:`SIGNED_UNITS`), the unit of a
    change ("growth of …"), may be negative. Any other (older, free-text) unit is treated as an
    amount.
    """
    return (unit or "").strip() in SIGNED_UNITS


@dataclass(frozen=True)
class Variance:
    """Actual against target.

    ``difference = actual − target``; ``percent`` = difference / |target| × 100 (None when the
    target is 0); ``missed`` when the actual falls short (or, for an indicator where lower is
    better, exceeds the target).
    """

    target: Decimal
    actual: Decimal
    difference: Decimal
    percent: Decimal | None
    missed: bool


def variance(target, actual, *, higher_is_better: bool = True) -> Variance:
    """Variance of an actual value against its target (values as Decimal, int or str)."""
    t = to_decimal(target, field="target")
    a = to_decimal(actual, field="actual")
    d = a - t
    pct = None if t == 0 else (d / abs(t) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    missed = a < t if higher_is_better else a > t
    return Variance(target=t, actual=a, difference=d, percent=pct, missed=missed)


def quarter_end(year: int, quarter: int) -> dt.date:
    """Last day of a quarter (1–4)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1–4, got {quarter}")
    month = quarter * 3
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def report_due(year: int, quarter: int, calendar, doc=None) -> dt.date:
    """Due date of the quarterly monitoring report: N days (regulation data) after the quarter ends."""
    from .cofinancing import load_rules

    doc = doc or load_rules()
    m = doc.content["monitoring"]
    return calendar.deadline(quarter_end(year, quarter), int(m["report_due_days_after_quarter"]), m.get("report_due_unit", "working"))


@dataclass(frozen=True)
class ReportTiming:
    """When a quarter's report came against its due date.

    ``status``: ``on-time``, ``late`` (submitted after the due date: it stays marked late, with
    ``days_late`` calendar days), ``overdue`` (not submitted, the due date has passed) or
    ``not-due`` (not submitted, not yet due).
    """

    status: str
    due: dt.date
    submitted_on: dt.date | None = None
    days_late: int = 0


def report_timing(due: dt.date, submitted_on: dt.date | None, today: dt.date) -> ReportTiming:
    """The timing of a quarterly report: a report submitted after ``due`` is *late* for good (a
    report four years late does not clear the signal, it turns "overdue" into "late")."""
    if submitted_on is not None:
        late = (submitted_on - due).days
        return ReportTiming("late" if late > 0 else "on-time", due, submitted_on, max(late, 0))
    return ReportTiming("overdue" if today > due else "not-due", due, None, max((today - due).days, 0) if today > due else 0)


def change_vs_base(base, actual) -> Decimal | None:
    """``(actual / base − 1) × 100`` to 0.1 %, the effect against the base year (None when the base is 0)."""
    b, a = to_decimal(base, field="base"), to_decimal(actual, field="actual")
    if b == 0:
        return None
    return ((a / b - 1) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
