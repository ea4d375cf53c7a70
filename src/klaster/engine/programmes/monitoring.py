"""Counter-obligations of a ЦКП: targets against actuals, variance and alerts; report due dates.

Participants take counter-obligations (innovative products, new markets, labour productivity…),
monitored once a quarter (seed 003, ЦКП slide; seed 000, text after fig. 3; regulations.md §5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from klaster.common.money import to_decimal


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
