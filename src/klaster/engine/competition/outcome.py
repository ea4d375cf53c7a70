"""Routing for conclusions, the failure of a competition and its re-run, publication of results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from klaster.engine.competition.deadlines import Calendar, due_date
from klaster.engine.competition.messages import Msg
from klaster.engine.competition.registry import enforces
from klaster.engine.competition.rules import CompetitionRules


@dataclass(frozen=True)
class Route:
    """A conclusion a body must give on a package: which body, which step (clause), and by when."""

    body: str
    step_id: str
    clause: str
    due: dt.date | None


@enforces("step.route_conclusions", "step.authorized_body_conclusion", "step.regional_body_conclusion",
          "step.stage2_regional_conclusion", "step.strategy_to_authorized_body", "step.authorized_body_stage2_conclusion",
          "step.collect_conclusions", "step.stage2_expert_analysis")
def routing(rules: CompetitionRules, cal: Calendar | None = None, *, stage: int, registered: dt.date | None = None,
            skipped_stage1: bool = False) -> list[Route]:
    """The conclusions to request for a package of ``stage`` registered with the bodies on ``registered``.

    Stage 1 (§17): the authorized body (sector priorities) and the regional development body
    (Regional Development Programme), each within its deadline. Stage 2: the authorized body's
    review of the strategy and roadmap (§27–§28.2); the regional development body only for
    participants that skipped stage 1 (§33, no deadline in the Decree).
    """
    out = []
    for step in rules.procedure:
        if step.scope != "application" or step.stage != stage or not (step.from_event or "").startswith("conclusion_requested:"):
            continue
        if step.done_by != step.from_event.replace("requested", "issued"):
            continue  # e.g. §28.1 forwarding: not a conclusion of its own
        if step.only_if == "skipped_stage1" and not skipped_stage1:
            continue
        body = step.from_event.split(":", 1)[1]
        due = due_date(rules, step, cal, registered) if (step.deadline and cal is not None and registered) else None
        out.append(Route(body, step.id, step.clause, due))
    return out


@dataclass(frozen=True)
class Failure:
    failed: bool
    clause: str
    qualified: int
    minimum: int
    rerun_due: dt.date | None
    rerun_clause: str


@enforces("step.failure", "step.rerun")
def failure(rules: CompetitionRules, cal: Calendar, *, qualified: int, decided_on: dt.date) -> Failure:
    """Whether the competition fails (fewer than two participants meet §6/§7, §41) and, if so, the
    last day to announce the re-run (no later than two months, §42)."""
    f = rules.step("failure")
    r = rules.step("rerun")
    n = f.extra["min_qualified"]
    failed = qualified < n
    return Failure(failed, f.clause, qualified, n, due_date(rules, r, cal, decided_on) if failed else None, r.clause)


@enforces("step.publish_results")
def publication_due(rules: CompetitionRules, cal: Calendar, protocol_received: dt.date) -> dt.date:
    """Last day to publish the results: 3 working days after receiving the Commission protocol (§40)."""
    return due_date(rules, rules.step("publish_results"), cal, protocol_received)


@enforces("step.announce")
def announcement_problem(rules: CompetitionRules, cal: Calendar, *, announced_on: dt.date, intake_closes: dt.date) -> Msg | None:
    """None when the announcement is at least 60 calendar days before intake closes (§4–§5), else why not."""
    step = rules.step("announce")
    latest = due_date(rules, step, cal, intake_closes)
    if announced_on > latest:
        return Msg("announcement.too_late", announced=announced_on.isoformat(), closes=intake_closes.isoformat(),
                   latest=latest.isoformat(), days=step.deadline.days, clause=step.clause)
    return None


@enforces("step.collect_conclusions", "step.transmit_expert_opinions", "step.stage2_expert_analysis",
          "step.authorized_body_stage2_conclusion")
def missing_conclusions(rules: CompetitionRules, *, stage: int, received: set[str], skipped_stage1: bool = False) -> list[Route]:
    """Conclusions still missing before the package goes to the Commission (§18, §21; §34–§35 in stage 2).

    ``received`` holds the bodies whose conclusions are recorded (``authorized_body``, ``regional_body``).
    """
    return [r for r in routing(rules, stage=stage, skipped_stage1=skipped_stage1) if r.body not in received]

