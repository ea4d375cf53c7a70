"""Processing deadlines of a support application (seed 004, programme §5.4).

A procedure is a list of steps, each due ``days`` working (or calendar) days after an anchor
event (``registered``, ``completeness-passed``, ``decided``, ``agreement-signed`` …). Given the
dates of the events that happened, :func:`schedule` computes each step's due date on the
working calendar, whether it is done (its own event happened: the step id in ``events``), and
whether it is overdue on ``today``. Steps whose anchor has not happened yet are ``pending``
(with a provisional date when ``project=True``, counting from the anchor's own due date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from .rules import Procedure

# Which event completes which step (a step is done when this event is recorded).
DONE_BY = {
    "completeness-check": ("completeness-passed", "completeness-failed"),
    "mismatch-notice": ("mismatch-notified",),
    "expertise": ("expertise-done",),
    "decision": ("decided",),
    "decision-notice": ("notified",),
    "payment": ("paid",),
}
# Which step's due date stands in for an anchor event that has not happened yet (projection).
ANCHOR_STEP = {
    "completeness-passed": "completeness-check",
    "completeness-failed": "completeness-check",
    "expertise-done": "expertise",
    "decided": "decision",
    "notified": "decision-notice",
}


@dataclass(frozen=True)
class Deadline:
    """One step's deadline.

    ``status`` is ``done`` (finished on ``done_on``; ``late`` tells whether after ``due``),
    ``open`` (anchor happened, not done, not overdue), ``overdue``, ``pending`` (anchor not
    happened; ``due`` is provisional or None), or ``passed-over`` (not recorded, but a later step
    of the procedure is done — e.g. the mismatch notice of an application found complete, or an
    expertise the decision already covers: it is neither open nor overdue any more).
    """

    step: str
    after: str
    days: int
    unit: str
    clause: str
    text: dict
    due: dt.date | None
    status: str
    done_on: dt.date | None = None
    late: bool = False
    provisional: bool = False


def schedule(procedure: Procedure, events: dict[str, dt.date], calendar, *, today: dt.date | None = None, project: bool = True) -> list[Deadline]:
    """Deadlines of every step of ``procedure``.

    Parameters
    ----------
    procedure : Procedure
    events : dict of str to date
        Recorded events, e.g. ``{"registered": date(2015, 9, 1), "completeness-passed": ...}``.
    calendar : WorkingCalendar
        From :mod:`klaster.common.calendar` (``default_calendar()`` in Django code).
    today : date, optional
        For the overdue status; default ``date.today()``.
    project : bool
        Give provisional due dates for steps whose anchor has not happened, counting from the
        anchor step's due date.
    """
    today = today or dt.date.today()
    out: list[Deadline] = []
    due_of: dict[str, dt.date] = {}
    for s in procedure.steps:
        anchor = events.get(s.after)
        provisional = False
        anchor_step = ANCHOR_STEP.get(s.after)
        anchor_step_done = anchor_step is not None and any(e in events for e in DONE_BY.get(anchor_step, ()))
        # Project only while the anchor step is still open: once it ended otherwise (e.g. the
        # completeness check failed), the anchor event will not happen on this registration.
        if anchor is None and project and anchor_step in due_of and not anchor_step_done:
            anchor = due_of[ANCHOR_STEP[s.after]]
            provisional = True
        due = calendar.deadline(anchor, s.days, s.unit) if anchor else None
        if due:
            due_of[s.id] = due
        done_on = next((events[e] for e in DONE_BY.get(s.id, (s.id,)) if e in events), None)
        if done_on is not None:
            status = "done"
        elif anchor is None or provisional:
            status = "pending"
        elif today > due:
            status = "overdue"
        else:
            status = "open"
        out.append(
            Deadline(
                step=s.id, after=s.after, days=s.days, unit=s.unit, clause=s.clause, text=s.text, due=due, status=status,
                done_on=done_on, late=bool(done_on and due and done_on > due and not provisional), provisional=provisional,
            )
        )
    for i, d in enumerate(out):
        if d.status != "done" and any(x.status == "done" for x in out[i + 1:]):
            out[i] = replace(d, status="passed-over")
    return out
