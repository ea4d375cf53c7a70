"""The expert council: who may sit on it (§19), who may score which package (conflicts of interest,
§2.10: the experts are independent), and a suggested allocation of experts to packages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from klaster.engine.competition.messages import Msg
from klaster.engine.competition.registry import enforces
from klaster.engine.competition.rules import CompetitionRules


@dataclass(frozen=True)
class Expert:
    """An expert: ``organisation_bin`` of the employer, ``affiliate_bins`` of the organisations
    affiliated with it, ``interest_bins`` the expert declared an interest in, ``sectors`` the OKED
    prefixes the expert knows."""

    key: str
    years_experience: int | None
    organisation_bin: str = ""
    affiliate_bins: tuple[str, ...] = ()
    interest_bins: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()


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


@enforces("step.expert_council_composition", "experts.independence")
def conflict_of_interest(expert: Expert, *, participant_bins: Iterable[str], applicant_bin: str = "",
                         declared: bool = False, declaration_text: str = "") -> Conflict:
    """Whether an expert is conflicted on a package (§2.10: the council's experts are independent).

    Automatic conflict: the expert's organisation BIN is the applicant's or one of the package's
    participants'; so is the BIN of an organisation affiliated with the expert's; or the expert
    declared an interest in one of them. Declared conflict: the expert declared one (``declared``).
    """
    reasons = []
    parts = {b.strip() for b in participant_bins}
    appl = (applicant_bin or "").strip()
    org = (expert.organisation_bin or "").strip()
    if org:
        if org == appl:
            reasons.append(Msg("conflict.applicant", bin=org))
        elif org in parts:
            reasons.append(Msg("conflict.participant", bin=org))
    for b in sorted({x.strip() for x in expert.affiliate_bins if x and x.strip()} - {org}):
        if b == appl:
            reasons.append(Msg("conflict.affiliate_applicant", bin=b))
        elif b in parts:
            reasons.append(Msg("conflict.affiliate_participant", bin=b))
    for b in sorted({x.strip() for x in expert.interest_bins if x and x.strip()}):
        if b == appl or b in parts:
            reasons.append(Msg("conflict.interest", bin=b))
    if declared:
        reasons.append(Msg("conflict.declared_text", text=declaration_text) if declaration_text else Msg("conflict.declared"))
    return Conflict(bool(reasons), tuple(reasons))


def sector_match(expert: Expert, sector: str) -> bool:
    """Whether one of the expert's sectors (OKED prefixes, dots ignored) covers the OKED code ``sector``."""
    code = (sector or "").replace(".", "").replace(" ", "")
    return bool(code) and any(code.startswith(s.replace(".", "").replace(" ", "")) for s in expert.sectors if s)


@dataclass(frozen=True)
class Need:
    """A package to staff: its key, the cluster's sector (OKED), the applicant's and participants' BINs,
    and the experts assigned already."""

    key: str
    sector: str
    applicant_bin: str
    participant_bins: tuple[str, ...]
    assigned: tuple[str, ...] = ()


@dataclass
class Allocation:
    """A suggested allocation: ``pairs`` ``(package, expert, sector match)`` to assign now; ``excluded``
    ``{(package, expert): [reasons]}``; ``shortfall`` ``{package: experts missing}``; ``load`` the
    experts' assignments after it."""

    pairs: list[tuple[str, str, bool]] = field(default_factory=list)
    excluded: dict = field(default_factory=dict)
    shortfall: dict = field(default_factory=dict)
    load: dict = field(default_factory=dict)


@enforces("experts.independence", "step.expert_council_composition")
def suggest_allocation(rules: CompetitionRules, needs: Iterable[Need], experts: Iterable[Expert], *, per_application: int,
                       load: dict | None = None) -> Allocation:
    """Suggest which experts score which packages: ``per_application`` experts per package (counting the
    ones assigned already), never an expert who is not admissible (§19) or conflicted on the package
    (:func:`conflict_of_interest`); among the others, an expert whose sectors cover the cluster's
    sector first, then the one with the least load (current assignments plus those suggested), then
    by key. The packages with the fewest eligible experts are staffed first. Deterministic.
    """
    experts = sorted(experts, key=lambda e: e.key)
    load = dict(load or {})
    for e in experts:
        load.setdefault(e.key, 0)
    out = Allocation()
    eligible: dict[str, list[Expert]] = {}
    needs = list(needs)
    for n in needs:
        ok = []
        for e in experts:
            why = []
            m = expert_admissible(rules, e)
            if m:
                why.append(m)
            c = conflict_of_interest(e, participant_bins=n.participant_bins, applicant_bin=n.applicant_bin)
            why += list(c.reasons)
            if why:
                out.excluded[(n.key, e.key)] = why
            elif e.key not in n.assigned:
                ok.append(e)
        eligible[n.key] = ok
    for n in sorted(needs, key=lambda n: (len(eligible[n.key]), n.key)):
        want = max(0, per_application - len(n.assigned))
        ranked = sorted(eligible[n.key], key=lambda e: (not sector_match(e, n.sector), load[e.key], e.key))
        chosen = ranked[:want]
        for e in chosen:
            load[e.key] += 1
            out.pairs.append((n.key, e.key, sector_match(e, n.sector)))
        if len(chosen) < want:
            out.shortfall[n.key] = want - len(chosen)
    out.load = load
    return out
