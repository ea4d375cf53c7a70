"""Effect tables of cluster projects: base year → forecast year, effect %, and printed figures.

The effect of a sector indicator is ``(forecast / base − 1) × 100``. Source documents print
rounded percentages; :func:`check_printed` recomputes them from the printed numbers and reports
both, flagging a mismatch rather than silently "fixing" either (regulations.md §6, note).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from klaster.common.money import to_decimal


def effect_pct(base, forecast) -> Decimal:
    """Growth in percent, ``(forecast / base − 1) × 100`` (unrounded Decimal).

    Raises
    ------
    ValueError
        ``base`` is zero.
    """
    b = to_decimal(base, field="base")
    f = to_decimal(forecast, field="forecast")
    if b == 0:
        raise ValueError("base value is zero: the effect in percent is undefined")
    return (f / b - 1) * 100


@dataclass(frozen=True)
class PrintedCheck:
    computed: Decimal          # to 0.1
    computed_rounded: Decimal  # to the printed precision
    printed: Decimal
    matches: bool


def check_printed(base, forecast, printed, *, decimals: int = 0) -> PrintedCheck:
    """Compare a printed effect % with the one recomputed from the printed base and forecast.

    Parameters
    ----------
    printed : Decimal, int or str
        The percentage as printed (e.g. 88).
    decimals : int
        Precision of the printed figure (0 = whole percent).
    """
    e = effect_pct(base, forecast)
    one = e.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    r = e.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    p = to_decimal(printed, field="printed")
    return PrintedCheck(computed=one, computed_rounded=r, printed=p, matches=r == p)
