"""Expert scores, their aggregation, the ranked list, the Commission's threshold and the winners.

The seed says only that the expert council scores the concepts against the criteria and reports
points (§20–§21); the scale, weights, aggregation, quorum and tie-break come from the
competition's :class:`~klaster.engine.competition.rules.ScoringConfig` (klaster defaults recorded
with the competition, regulations.md §9).

An expert's total is the weighted sum ``Σ_c w_c · s_c`` over the criteria ``c`` of the set; an
application's score is the aggregate (mean, median or trimmed mean) of the totals of the experts
who submitted, provided at least ``quorum`` did. All arithmetic is in :class:`~decimal.Decimal`.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable, Mapping

from klaster.engine.competition.messages import Msg
from klaster.engine.competition.registry import enforces
from klaster.engine.competition.rules import CompetitionRules, CriteriaSet, ScoringConfig

Q = Decimal("0.01")


@dataclass(frozen=True)
class ScoreSheet:
    """One expert's scores of one application: ``scores[criterion id]`` and ``justifications[criterion id]``."""

    expert: str
    application: str
    scores: Mapping[str, object]
    justifications: Mapping[str, str] = field(default_factory=dict)


@enforces("scoring.scoring", "criterion.*")
def validate_sheet(config: ScoringConfig, criteria: CriteriaSet, sheet: ScoreSheet) -> list[str]:
    """Problems that prevent submitting ``sheet`` (empty list when it can be submitted).

    Every criterion needs a score on the scale (min..max in steps of ``step``) and, when
    ``justification_required``, a non-empty justification.
    """
    errs = []
    for c in criteria.criteria:
        raw = sheet.scores.get(c.id)
        if raw is None or raw == "":
            errs.append(Msg("score.missing", criterion=c.id))
            continue
        try:
            v = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            errs.append(Msg("score.not_number", criterion=c.id, value=repr(raw)))
            continue
        if not (config.scale_min <= v <= config.scale_max):
            errs.append(Msg("score.outside_scale", criterion=c.id, value=v, min=config.scale_min, max=config.scale_max))
        elif (v - config.scale_min) % config.step != 0:
            errs.append(Msg("score.off_step", criterion=c.id, value=v, step=config.step))
        if config.justification_required and not str(sheet.justifications.get(c.id) or "").strip():
            errs.append(Msg("score.justification_required", criterion=c.id))
    unknown = set(sheet.scores) - {c.id for c in criteria.criteria}
    for u in sorted(unknown):
        errs.append(Msg("score.unknown_criterion", criterion=u, criteria_set=criteria.id))
    return errs


def sheet_total(config: ScoringConfig, criteria: CriteriaSet, sheet: ScoreSheet) -> Decimal:
    """Weighted total of a valid sheet: Σ weight × score."""
    return sum((config.weight(c.id) * Decimal(str(sheet.scores[c.id])) for c in criteria.criteria), Decimal(0))


def score_range(config: ScoringConfig, criteria: CriteriaSet) -> tuple[Decimal, Decimal]:
    """The lowest and highest total an application can get: Σ weight × scale end over the criteria
    (the aggregate of experts' totals lies between them, §20–§24)."""
    lo = sum((config.weight(c.id) * config.scale_min for c in criteria.criteria), Decimal(0))
    hi = sum((config.weight(c.id) * config.scale_max for c in criteria.criteria), Decimal(0))
    return min(lo, hi), max(lo, hi)


def group_total(config: ScoringConfig, criteria: CriteriaSet, sheet: ScoreSheet, group: str) -> Decimal:
    return sum((config.weight(c.id) * Decimal(str(sheet.scores[c.id])) for c in criteria.criteria if c.group == group), Decimal(0))


@enforces("scoring.scoring")
def aggregate(config: ScoringConfig, values: Iterable[Decimal]) -> Decimal:
    """Combine experts' totals by ``config.aggregation``.

    ``trimmed_mean`` drops ``floor(n · trimmed_fraction)`` values from each end (none when that is 0).

    Raises
    ------
    ValueError
        No values.
    """
    xs = sorted(Decimal(v) for v in values)
    if not xs:
        raise ValueError("no scores to aggregate")
    if config.aggregation == "median":
        return Decimal(statistics.median(xs)).quantize(Q, ROUND_HALF_UP)
    if config.aggregation == "trimmed_mean":
        k = math.floor(len(xs) * config.trimmed_fraction)
        xs = xs[k: len(xs) - k] if k else xs
    return (sum(xs, Decimal(0)) / len(xs)).quantize(Q, ROUND_HALF_UP)


@dataclass
class RankedEntry:
    application: str
    score: Decimal | None
    experts: int
    quorum_met: bool
    rank: int | None = None
    tie_values: tuple = ()
    criterion_minimum_failed: tuple[str, ...] = ()
    passes: bool | None = None


@enforces("scoring.scoring", "step.transmit_expert_opinions")
def ranked_list(config: ScoringConfig, criteria: CriteriaSet, sheets: Iterable[ScoreSheet],
                registered_at: Mapping[str, dt.datetime | dt.date], applications: Iterable[str] | None = None) -> list[RankedEntry]:
    """The ranked list: aggregated score per application, best first, ties broken by ``config.tie_break``.

    Only submitted sheets are passed in. Applications below the quorum get no rank and come last.
    ``tie_break`` entries: ``group:<id>`` (higher aggregated group subtotal first),
    ``criterion:<id>`` (higher aggregated criterion score first), ``registered_at`` (earlier first).
    A per-criterion minimum (``config.per_criterion_minimum``) that the aggregated criterion score
    misses is listed in ``criterion_minimum_failed``.
    """
    by_app: dict[str, list[ScoreSheet]] = {}
    for s in sheets:
        by_app.setdefault(s.application, []).append(s)
    keys = list(applications) if applications is not None else list(by_app)
    entries = []
    for key in keys:
        ss = by_app.get(key, [])
        quorum = len(ss) >= config.quorum
        score = aggregate(config, [sheet_total(config, criteria, s) for s in ss]) if ss else None
        ties = []
        for t in config.tie_break:
            if t.startswith("group:"):
                g = t[6:]
                ties.append(-(aggregate(config, [group_total(config, criteria, s, g) for s in ss]) if ss else Decimal(0)))
            elif t.startswith("criterion:"):
                c = t[10:]
                ties.append(-(aggregate(config, [Decimal(str(s.scores[c])) for s in ss]) if ss else Decimal(0)))
            elif t == "registered_at":
                r = registered_at.get(key)
                ties.append(r.isoformat() if r is not None else "9999")
        failed = tuple(c for c, m in config.per_criterion_minimum.items()
                       if ss and aggregate(config, [Decimal(str(s.scores[c])) for s in ss]) < m)
        entries.append(RankedEntry(key, score, len(ss), quorum, tie_values=tuple(ties), criterion_minimum_failed=failed))
    ranked = sorted((e for e in entries if e.quorum_met), key=lambda e: (-e.score, e.tie_values, e.application))
    for i, e in enumerate(ranked, start=1):
        e.rank = i
    return ranked + [e for e in entries if not e.quorum_met]


@enforces("commission.minimum_score", "step.minimum_score")
def apply_threshold(rules: CompetitionRules, ranked: list[RankedEntry], minimum: Decimal | None) -> list[RankedEntry]:
    """Mark who passes to stage 2: score ≥ the Commission's minimum (§24), quorum met, no per-criterion minimum missed.

    Raises
    ------
    ValueError
        ``minimum`` is not set — the Commission must set it (§24; the Decree gives no default).
    """
    if minimum is None:
        raise ValueError(f"the Commission has not set the minimum score ({rules.minimum_score_clause})")
    minimum = Decimal(str(minimum))
    for e in ranked:
        e.passes = bool(e.quorum_met and e.score is not None and e.score >= minimum and not e.criterion_minimum_failed)
    return ranked


@dataclass(frozen=True)
class WinnerDecision:
    application: str
    winner: bool
    support: str = ""


@enforces("commission.stage2_winners", "step.stage2_winners")
def check_winner_decisions(rules: CompetitionRules, decisions: Iterable[WinnerDecision], admitted: Iterable[str]) -> list[str]:
    """Problems with the Commission's stage-2 decisions (§38): every winner is an admitted stage-2
    application and carries the state support measures recommended."""
    adm = set(admitted)
    errs = []
    for d in decisions:
        if d.application not in adm:
            errs.append(Msg("winners.not_admitted", application=d.application))
        if d.winner and rules.support_recommendation_required and not d.support.strip():
            errs.append(Msg("winners.support_required", application=d.application, clause=rules.winners_clause))
    return errs


@dataclass
class CriterionSpread:
    """The experts' scores of one criterion on one application: aggregate (by the competition's
    aggregation), lowest, highest and the spread between them."""

    criterion: str
    scores: dict
    aggregate: Decimal
    low: Decimal
    high: Decimal

    @property
    def spread(self) -> Decimal:
        return self.high - self.low


@dataclass
class Breakdown:
    """One application's submitted scores: each expert's total, the spread of the totals (highest −
    lowest) and their standard deviation, and each criterion's :class:`CriterionSpread`."""

    application: str
    totals: dict
    criteria: dict
    spread: Decimal | None
    stdev: Decimal | None


@enforces("scoring.scoring")
def breakdown(config: ScoringConfig, criteria: CriteriaSet, sheets: Iterable[ScoreSheet]) -> dict[str, Breakdown]:
    """Per application, the per-criterion scores of the experts and their spread (submitted sheets only)."""
    by_app: dict[str, list[ScoreSheet]] = {}
    for s in sheets:
        by_app.setdefault(s.application, []).append(s)
    out = {}
    for key, ss in by_app.items():
        totals = {s.expert: sheet_total(config, criteria, s) for s in ss}
        per = {}
        for c in criteria.criteria:
            vals = {s.expert: Decimal(str(s.scores[c.id])) for s in ss if s.scores.get(c.id) not in (None, "")}
            if vals:
                per[c.id] = CriterionSpread(c.id, vals, aggregate(config, vals.values()), min(vals.values()), max(vals.values()))
        t = list(totals.values())
        spread = (max(t) - min(t)) if t else None
        sd = Decimal(statistics.pstdev([float(x) for x in t])).quantize(Q, ROUND_HALF_UP) if len(t) > 1 else (Decimal(0) if t else None)
        out[key] = Breakdown(key, totals, per, spread, sd)
    return out
