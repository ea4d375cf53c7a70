"""Budget execution: allocations of a budget line against commitments and payments (no Django).

The lines are regulation data (``budget-lines``): the republican budget of "Productivity 2020" per
year (Decree 440, programme §7; seed 004) and the 112 mln tenge a year for co-financing one
cluster's project (National Project 2021–2025; seed 003), each with its clause; the share of a
line at which klaster warns before it is exceeded (``alert_share``, a parameter of klaster: the
seeds give none).

:func:`execution` computes one line in one year: balance = allocation − commitments (+ refunds
received), the share used, and the status ``ok`` / ``near`` (at least ``alert_share`` used) /
``exceeded`` / ``no-allocation`` (the line allocates nothing for that year).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from klaster import regulations
from klaster.common.money import Money, to_decimal
from klaster.regulations import RegulationDocument

DOC_ID = "budget-lines"


class BudgetError(ValueError):
    """Malformed budget-lines data or an unknown line."""


@dataclass(frozen=True)
class Line:
    """A budget line: ``allocations`` by year (Money), its ``scope`` (``programme``: one line for
    the whole programme; ``cluster``: the same amount for each cluster), the instruments it pays
    for (``programme`` lines) and its clause."""

    id: str
    name: dict
    scope: str
    unit: str
    source_of_funds: str
    clause: str
    allocations: dict[int, Money]
    instruments: tuple[str, ...] = ()

    def allocation(self, year: int) -> Money | None:
        return self.allocations.get(year)


@dataclass(frozen=True)
class Lines:
    """Budget lines of a regulation document (each line's allocations per year as ``Money`` in its
    unit), with the share of a line at which an alert is raised and that rule's clause."""
    doc: RegulationDocument
    lines: tuple[Line, ...]
    alert_share: Decimal
    alert_clause: str

    def line(self, line_id: str) -> Line:
        for x in self.lines:
            if x.id == line_id:
                return x
        raise BudgetError(f"unknown budget line {line_id!r}; known: {', '.join(x.id for x in self.lines)}")


def load_lines(version: str | None = None, *, sha256: str | None = None) -> Lines:
    """The budget lines (default: the latest version of ``budget-lines``).

    Raises
    ------
    BudgetError
        Malformed content (the message names the line and field).
    klaster.regulations.RegulationError
        Unknown version, or a pinned checksum that no longer matches.
    """
    doc = regulations.load(DOC_ID, version, sha256=sha256)
    if doc.kind != "budget-lines":
        raise BudgetError(f"{doc.path.name}: kind is {doc.kind!r}, expected 'budget-lines'")
    out = []
    for raw in doc.content.get("lines") or ():
        where = f"{doc.path.name}: line {raw.get('id')!r}"
        try:
            unit = raw["unit"]
            if "allocations" in raw:
                alloc = {int(y): Money(to_decimal(str(v), field=where), unit) for y, v in raw["allocations"].items()}
            else:
                alloc = {int(y): Money(to_decimal(str(raw["per_year"]), field=where), unit) for y in raw["years"]}
            out.append(Line(id=str(raw["id"]), name=dict(raw["name"]), scope=str(raw["scope"]), unit=unit, source_of_funds=str(raw["source_of_funds"]),
                            clause=str(raw["clause"]), allocations=alloc, instruments=tuple(str(i) for i in raw.get("instruments") or ())))
        except (KeyError, TypeError, ValueError) as e:
            raise BudgetError(f"{where}: missing or malformed {e}") from None
        if out[-1].scope not in ("programme", "cluster"):
            raise BudgetError(f"{where}: scope must be 'programme' or 'cluster'")
    share = doc.content.get("alert_share") or {}
    value = to_decimal(str(share.get("value", "0.9")), field="alert_share")
    if not 0 < value <= 1:
        raise BudgetError(f"{doc.path.name}: alert_share {value} must be in (0, 1]")
    return Lines(doc=doc, lines=tuple(out), alert_share=value, alert_clause=str(share.get("clause", "")))


@dataclass(frozen=True)
class Execution:
    """One line in one year (for a cluster line: one cluster).

    ``balance`` = allocation − commitments + refunds; ``used`` = (commitments − refunds) /
    allocation (None without an allocation); ``status`` ``ok``, ``near`` (≥ the alert share),
    ``exceeded`` (commitments above the allocation) or ``no-allocation``.
    """

    line: Line
    year: int
    allocation: Money | None
    commitments: Money
    payments: Money
    refunds: Money
    balance: Money | None
    used: Decimal | None
    status: str

    @property
    def used_pct(self) -> Decimal | None:
        return None if self.used is None else (self.used * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def execution(line: Line, year: int, *, commitments: Money, payments: Money, refunds: Money | None = None, alert_share: Decimal) -> Execution:
    """The execution of ``line`` in ``year``.

    Parameters
    ----------
    commitments, payments, refunds : Money
        Amounts in any tenge unit (converted to the line's unit).
    alert_share : Decimal
        The share of the allocation at which the line is ``near`` being exceeded.

    Examples
    --------
    >>> from klaster.common.money import Money
    >>> ln = Line("x", {}, "cluster", "mln tenge", "state", "", {2022: Money("112", "mln tenge")})
    >>> execution(ln, 2022, commitments=Money("100", "mln tenge"), payments=Money("50", "mln tenge"), alert_share=Decimal("0.9")).status
    'near'
    """
    unit = line.unit
    c = commitments.to(unit)
    p = payments.to(unit)
    r = (refunds or Money(0, unit)).to(unit)
    alloc = line.allocation(year)
    if alloc is None or alloc.amount == 0:
        return Execution(line, year, alloc, c, p, r, None, None, "no-allocation")
    net = c - r
    used = net.amount / alloc.amount
    status = "exceeded" if net > alloc else ("near" if used >= alert_share else "ok")
    return Execution(line, year, alloc, c, p, r, alloc - net, used, status)
