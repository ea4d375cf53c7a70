"""The expert council: who may sit on it (§19) and who may score which package (conflicts of interest)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

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
def expert_admissible(rules: CompetitionRules, expert: Expert) -> str | None:
    """None when the expert may be on the council, else the reason (§19: ≥ 5 years of practical experience)."""
    step = rules.step("expert_council_composition")
    need = step.extra["min_years_experience"]
    if expert.years_experience is None:
        return f"years of practical experience in industrial development are not recorded; at least {need} are required ({step.clause})"
    if expert.years_experience < need:
        return f"{expert.years_experience} years of practical experience; at least {need} are required ({step.clause})"
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
            reasons.append(f"the expert's organisation (BIN {org}) is the applicant")
        elif org in {b.strip() for b in participant_bins}:
            reasons.append(f"the expert's organisation (BIN {org}) is among the cluster's participants")
    if declared:
        reasons.append("declared by the expert" + (f": {declaration_text}" if declaration_text else ""))
    return Conflict(bool(reasons), tuple(reasons))
