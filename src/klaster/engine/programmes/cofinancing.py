"""Co-financing of targeted cluster programme (ЦКП) projects and the annual budget line.

Shares, rounding, the annual cap and the monitoring period are regulation data
(``cluster-programme-cofinancing``; seeds 000 and 003, regulations.md §5):

* projects in the state's priority directions: 70% state, 30% cluster participants;
* business initiatives: 50% / 50%;
* the National Project 2021–2025 line of 112 mln tenge a year for co-financing one cluster's
  project — exceeding it raises an alert (the seeds do not make it a legal ceiling).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from klaster import regulations
from klaster.common.money import Money, to_decimal
from klaster.regulations import RegulationDocument

DOC_ID = "cluster-programme-cofinancing"


class CofinancingError(ValueError):
    """Unknown co-financing direction or malformed co-financing data."""


@dataclass(frozen=True)
class Split:
    """A project's cost split between the state and the cluster participants.

    ``state + participants == cost`` exactly; the participants' share is rounded half-up to the
    regulation's decimals (0.1 mln tenge) and the state takes the rest.
    """

    cost: Money
    direction: str
    state_share: Decimal
    participants_share: Decimal
    state: Money
    participants: Money
    clause: str


@dataclass(frozen=True)
class CapAlert:
    """State financing of one cluster in one year above the annual line."""

    year: int
    amount: Money
    cap: Money
    excess: Money
    clause: str


def load_rules(version: str | None = None, *, sha256: str | None = None) -> RegulationDocument:
    """The co-financing regulation document (default: the latest version)."""
    doc = regulations.load(DOC_ID, version, sha256=sha256)
    if doc.kind != "cluster-programme-cofinancing":
        raise CofinancingError(f"{doc.path.name}: kind is {doc.kind!r}")
    return doc


def directions(doc: RegulationDocument | None = None) -> dict[str, dict]:
    """Co-financing directions ``{id: {"name", "state", "participants", "clause"}}``."""
    doc = doc or load_rules()
    return dict(doc.content["shares"])


def split_cost(cost: Money, direction: str, doc: RegulationDocument | None = None) -> Split:
    """Split a project's cost by the co-financing rule of its direction.

    Parameters
    ----------
    cost : Money
        Project cost (any tenge unit; the split is in mln tenge).
    direction : {"priority-direction", "business-initiative"}

    Raises
    ------
    CofinancingError
        Unknown direction, or shares that do not sum to 1.

    Examples
    --------
    >>> split_cost(Money("112.1", "mln tenge"), "priority-direction").participants
    Money(amount=Decimal('33.6'), unit='mln tenge')
    """
    doc = doc or load_rules()
    shares = doc.content["shares"]
    if direction not in shares:
        raise CofinancingError(f"unknown co-financing direction {direction!r}; known: {', '.join(shares)}")
    rule = shares[direction]
    s_state = to_decimal(str(rule["state"]), field="state share")
    s_part = to_decimal(str(rule["participants"]), field="participants share")
    if s_state + s_part != 1:
        raise CofinancingError(f"{doc.path.name}: shares of {direction!r} sum to {s_state + s_part}, not 1")
    rnd = doc.content.get("rounding") or {"decimals": 1, "unit": "mln tenge"}
    c = cost.to(rnd["unit"])
    q = Decimal(1).scaleb(-int(rnd["decimals"]))
    part = Money((c.amount * s_part).quantize(q, rounding=ROUND_HALF_UP), rnd["unit"])
    return Split(cost=c, direction=direction, state_share=s_state, participants_share=s_part, state=c - part, participants=part, clause=rule["clause"])


def annual_caps(doc: RegulationDocument | None = None) -> list[dict]:
    doc = doc or load_rules()
    return list(doc.content.get("annual_caps") or ())


def check_annual_caps(state_by_year: dict[int, Money], doc: RegulationDocument | None = None) -> list[CapAlert]:
    """Alerts for the years in which a cluster's state financing exceeds the annual line.

    Parameters
    ----------
    state_by_year : dict of int to Money
        State financing of one cluster's ЦКП projects per year.
    """
    doc = doc or load_rules()
    out = []
    for cap in annual_caps(doc):
        if cap.get("scope") != "cluster":
            continue
        limit = Money(str(cap["amount"]), cap["unit"])
        for year in sorted(state_by_year):
            amount = state_by_year[year].to(cap["unit"])
            if amount > limit:
                out.append(CapAlert(year=year, amount=amount, cap=limit, excess=amount - limit, clause=cap["clause"]))
    return out
