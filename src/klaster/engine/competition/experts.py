"""The expert council: who may sit on it (§19) and who may score which package (conflicts of interest)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from klaster.engine.competition.messages import Msg
from klaster.engine.competition.registry import enforces
from klaster.engine.competition.rules import CompetitionRules


@dataclass(frozen=True)
class Expert:
    key: str
    years_experience: int | None
    organisation_bin: str = ""


@dataclass(frozen=True)
class Conflict:
    conflicted: bool
    reasons: tuple[str, ...]


@enforces("step.expert_council_composition")
def expert_admissible(rules: CompetitionRules, expert: Expert) -> Msg | None:
    """None when the expert may be on the council, else the reason (§19: ≥ 5 years of practical experience)."""
    step = rules.step("expert_council_composition")
    need = step.extra["min_years_experience"]
    if expert.years_experience is None:
        return Msg("expert.experience_unknown", required=need, clause=step.clause)
    if expert.years_experience < need:
        return Msg("expert.experience_short", years=expert.years_experience, required=need, clause=step.clause)
    return None


@enforces("step.expert_council_composition")
def conflict_of_interest(expert: Expert, *, participant_bins: Iterable[str], applicant_bin: str = "",
                         declared: bool = False, declaration_text: str = "") -> Conflict:
    """Whether an expert is conflicted on a package.

    Automatic conflict: the expert's organisation BIN is the applicant's or one of the package's
    participants'. Declared conflict: the expert declared one (``declared``).
    """
    reasons = []
    org = (expert.organisation_bin or "").strip()
    if org:
        if org == (applicant_bin or "").strip():
            reasons.append(Msg("conflict.applicant", bin=org))
        elif org in {b.strip() for b in participant_bins}:
            reasons.append(Msg("conflict.participant", bin=org))
    if declared:
        reasons.append(Msg("conflict.declared_text", text=declaration_text) if declaration_text else Msg("conflict.declared"))
    return Conflict(bool(reasons), tuple(reasons))
