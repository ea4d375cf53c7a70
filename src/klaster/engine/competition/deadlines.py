"""Deadlines of a competition computed from recorded events on the working-day calendar.

Every deadline of the procedure is a step of the regulation data with a ``deadline``
(``within`` N working/calendar days or months of an event, ``at least`` N days ``before`` an
event, or ``by`` a date of the competition). This module turns those steps plus the events that
happened (``Event(name, day, subject)``) into a timeline of :class:`DeadlineStatus` rows, each
with its clause, actor, start, due date, the day it was met and its state:

``pending``  the event the period runs from has not happened;
``due``      running, not yet met, today ≤ due date;
``overdue``  not met and today > due date;
``met``      met on or before the due date;
``late``     met after the due date;
``open`` / ``closed``  a window rather than a duty (e.g. §10: amend or withdraw until intake closes).

Event names
-----------
Competition events (``subject`` None): ``announced``, ``stage1_intake_closes`` and
``stage2_intake_closes`` (the closing dates, recorded when fixed), ``stageN_admission_protocol_signed``,
``stageN_scoring_completed``, ``stageN_review_protocol_signed``, ``stageN_sent_to_commission``,
``stageN_commission_meeting``, ``stage1_commission_protocol_signed``,
``stage2_commission_protocol_received``, ``results_published``, ``failed``, ``rerun_announced``.
Application events (``subject`` = application key): ``akimat_request_registered``,
``akimat_conclusion_issued``, ``submitted``, ``conclusion_requested:<body>``,
``conclusion_issued:<body>``, ``roadmap_forwarded``, ``roadmap_agreed``.
The token ``intake_closes`` in a step means the intake closing of the application's stage.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Protocol

from klaster.engine.competition.registry import enforces
from klaster.engine.competition.rules import CompetitionRules, Step


class Calendar(Protocol):  # the interface of klaster.common.calendar.WorkingCalendar used here
    def deadline(self, start: dt.date, n: int, unit: str) -> dt.date: ...
    def latest_date_before(self, end: dt.date, n: int) -> dt.date: ...
    def next_working_day(self, day: dt.date) -> dt.date: ...


@dataclass(frozen=True)
class Event:
    """Something that happened (or a date fixed) on ``day``; ``subject`` is an application key or None."""

    name: str
    day: dt.date
    subject: str | None = None


@dataclass(frozen=True)
class AppRef:
    """What the timeline needs to know about an application."""

    key: str
    stage: int
    skipped_stage1: bool = False
    label: str = ""


@dataclass(frozen=True)
class DeadlineStatus:
    step_id: str
    clause: str
    actor: str
    subject: str | None
    start: dt.date | None
    due: dt.date | None
    done: dt.date | None
    state: str
    rule: str

    @property
    def stands_out(self) -> bool:
        """True for deadlines that need attention (overdue or met late)."""
        return self.state in ("overdue", "late")


def add_months(cal: Calendar, start: dt.date, n: int) -> dt.date:
    """Last day of a period of ``n`` months from ``start`` (Civil Code Art. 185: the same date of
    the last month, or that month's last day), moved to the next working day if needed (Art. 187)."""
    m = start.month - 1 + n
    y, m = start.year + m // 12, m % 12 + 1
    day = min(start.day, _cal.monthrange(y, m)[1])
    return cal.next_working_day(dt.date(y, m, day))


@enforces("step.announce", "step.akimat_conclusion", "step.stage1_completeness_check",
          "step.authorized_body_conclusion", "step.regional_body_conclusion", "step.stage1_expert_scoring",
          "step.stage1_to_commission", "step.stage1_commission_protocol", "step.roadmap_forwarding",
          "step.roadmap_agreement", "step.strategy_review", "step.stage2_completeness_check",
          "step.stage2_to_commission", "step.stage2_commission_protocol", "step.publish_results", "step.rerun")
def due_date(rules: CompetitionRules, step: Step, cal: Calendar, start: dt.date) -> dt.date:
    """Due date of ``step`` given the date of the event it runs from (or, for ``before``/``by``, the anchor date).

    Raises
    ------
    ValueError
        The step has no deadline.
    """
    d = step.deadline
    if d is None:
        raise ValueError(f"step {step.id} ({step.clause}) has no deadline")
    if d.type == "within":
        if d.unit == "months":
            return add_months(cal, start, d.days)
        return cal.deadline(start, d.days, d.unit)
    if d.type == "before":
        return cal.latest_date_before(start, d.days)
    return start


def _resolve(name: str | None, stage: int | None) -> str | None:
    if name and "intake_closes" == name and stage:
        return f"stage{stage}_intake_closes"
    return name


def _first(events: dict, name: str | None, subject: str | None) -> dt.date | None:
    if name is None:
        return None
    return events.get((name, subject))


def _status(start, due, done, today, obligation=True) -> str:
    if due is None:
        return "pending"
    if not obligation:  # a window (e.g. §10 amend/withdraw until intake closes), not a duty
        return "open" if today <= due else "closed"
    if done is not None:
        return "met" if done <= due else "late"
    return "overdue" if today > due else "due"


def timeline(rules: CompetitionRules, cal: Calendar, events: Iterable[Event], today: dt.date,
             applications: Iterable[AppRef] = ()) -> list[DeadlineStatus]:
    """All deadlines of a competition and its applications with their state on ``today``.

    Parameters
    ----------
    rules : CompetitionRules
    cal : calendar (``WorkingCalendar``)
    events : recorded events; for a repeated event the earliest date counts.
    today : date the states are computed for.
    applications : the applications (key, stage, whether it skipped stage 1).

    Returns
    -------
    list of DeadlineStatus, competition rows first, then per application in the given order.
    """
    ev: dict[tuple[str, str | None], dt.date] = {}
    for e in events:
        k = (e.name, e.subject)
        if k not in ev or e.day < ev[k]:
            ev[k] = e.day
    out: list[DeadlineStatus] = []
    apps = list(applications)
    for step in rules.procedure:
        if step.deadline is None:
            continue
        subjects: list[tuple[str | None, int | None]]
        if step.scope == "competition":
            subjects = [(None, step.stage)]
        else:
            subjects = [(a.key, a.stage) for a in apps
                        if (step.stage is None or step.stage == a.stage)
                        and (step.only_if is None or (step.only_if == "skipped_stage1" and a.skipped_stage1))]
            if step.id == "akimat_conclusion":
                # The akimat conclusion is needed in stage 1, and in stage 2 only by those that skipped stage 1 (§7.5).
                subjects = [(a.key, a.stage) for a in apps if a.stage == 1 or a.skipped_stage1]
        for subject, stage in subjects:
            d = step.deadline
            if d.type == "within":
                start = _first(ev, step.from_event, subject) or _first(ev, step.from_event, None)
                due = due_date(rules, step, cal, start) if start else None
            else:
                anchor = _resolve(d.event, stage)
                start = _first(ev, anchor, None)
                due = due_date(rules, step, cal, start) if start else None
            done = _first(ev, step.done_by, subject) if step.done_by else None
            out.append(DeadlineStatus(step.id, step.clause, step.actor, subject, start, due, done,
                                      _status(start, due, done, today, step.done_by is not None), step.deadline.describe()))
    out.sort(key=lambda r: (r.subject is not None, r.subject or "", r.due or dt.date.max))
    return out
