"""State machines of a competition and of an application in each stage.

Each transition names the clause it implements. :func:`competition_transition` and
:func:`application_transition` check that an action is allowed in the current state and return
the new state; the guards that depend on dates and data (intake closed? notice given?) are
explicit keyword arguments so the caller cannot skip them.

Competition::

    draft --announce(§4–§5)--> stage1_intake --close_intake(§13)--> stage1_admission
    stage1_admission --sign_admission_protocol(§15)--> stage1_review | failed (§41)
    stage1_review --sign_review_protocol(§22)--> stage1_commission
    stage1_commission --record_commission_decision(§24–§26)--> stage2_intake
    stage2_intake --close_intake(§30)--> stage2_admission
    stage2_admission --sign_admission_protocol(§31)--> stage2_review | failed (§41)
    stage2_review --sign_review_protocol(§36)--> stage2_commission
    stage2_commission --record_commission_decision(§38–§39)--> decided
    decided --publish_results(§40)--> published
    failed --announce_rerun(§42)--> rerun_announced

Application (one per stage)::

    draft --submit(§6/§7, before intake closes §13)--> submitted
    draft --refuse_late(§13)--> refused_late
    submitted --amend(§10, before intake closes)--> submitted (a new version)
    submitted --withdraw(§10, before intake closes, written reasoned notice)--> withdrawn
    submitted --admit(§15/§31)--> admitted
    submitted --return_package(§16/§32, written notice)--> returned
    admitted --start_review(§17/§33)--> under_review
    under_review --pass_threshold(§24)--> passed        (stage 1)
    under_review --fail_threshold(§24)--> below_threshold (stage 1)
    under_review --declare_winner(§38)--> winner         (stage 2)
    under_review --not_selected(§38)--> not_selected     (stage 2)
"""

from __future__ import annotations

import datetime as dt

from klaster.engine.competition.messages import Msg
from klaster.engine.competition.registry import enforces


class TransitionError(ValueError):
    """An action is not allowed now; ``clause`` names the rule that forbids it and ``msg`` is the
    :class:`~klaster.engine.competition.messages.Msg` (code and parameters, for translation)."""

    def __init__(self, msg: Msg, clause: str = ""):
        super().__init__(f"{msg}" + (f" ({clause})" if clause else ""))
        self.msg = msg
        self.clause = clause


COMPETITION_STATES = ("draft", "stage1_intake", "stage1_admission", "stage1_review", "stage1_commission",
                      "stage2_intake", "stage2_admission", "stage2_review", "stage2_commission", "decided",
                      "published", "failed", "rerun_announced")

COMPETITION_TRANSITIONS = {
    ("draft", "announce"): ("stage1_intake", "§4, §5"),
    ("stage1_intake", "close_intake"): ("stage1_admission", "§13"),
    ("stage1_admission", "sign_admission_protocol"): ("stage1_review", "§15"),
    ("stage1_admission", "fail"): ("failed", "§41"),
    ("stage1_review", "sign_review_protocol"): ("stage1_commission", "§22"),
    ("stage1_commission", "record_commission_decision"): ("stage2_intake", "§24, §25, §26"),
    ("stage2_intake", "close_intake"): ("stage2_admission", "§30"),
    ("stage2_admission", "sign_admission_protocol"): ("stage2_review", "§31"),
    ("stage2_admission", "fail"): ("failed", "§41"),
    ("stage2_review", "sign_review_protocol"): ("stage2_commission", "§36"),
    ("stage2_commission", "record_commission_decision"): ("decided", "§38, §39"),
    ("decided", "publish_results"): ("published", "§40"),
    ("failed", "announce_rerun"): ("rerun_announced", "§42"),
}

APPLICATION_STATES = ("draft", "submitted", "refused_late", "withdrawn", "admitted", "returned", "under_review",
                      "passed", "below_threshold", "winner", "not_selected")

APPLICATION_TRANSITIONS = {
    ("draft", "submit"): ("submitted", "§6, §7, §13"),
    ("draft", "refuse_late"): ("refused_late", "§13"),
    ("submitted", "amend"): ("submitted", "§10"),
    ("submitted", "withdraw"): ("withdrawn", "§10"),
    ("submitted", "admit"): ("admitted", "§15, §31"),
    ("submitted", "return_package"): ("returned", "§16, §32"),
    ("admitted", "start_review"): ("under_review", "§17, §33"),
    ("under_review", "pass_threshold"): ("passed", "§24"),
    ("under_review", "fail_threshold"): ("below_threshold", "§24"),
    ("under_review", "declare_winner"): ("winner", "§38"),
    ("under_review", "not_selected"): ("not_selected", "§38"),
}

STAGE_ONLY = {"pass_threshold": 1, "fail_threshold": 1, "declare_winner": 2, "not_selected": 2}


@enforces("step.decide_competition", "step.stage1_review_protocol", "step.stage2_review_protocol")
def competition_transition(state: str, action: str, *, today: dt.date | None = None,
                           intake_closes: dt.date | None = None) -> tuple[str, str]:
    """Next state of a competition after ``action``; returns ``(new state, clause)``.

    ``close_intake`` needs ``today`` after ``intake_closes`` (an intake period cannot be cut short).

    Raises
    ------
    TransitionError
    """
    key = (state, action)
    if key not in COMPETITION_TRANSITIONS:
        raise TransitionError(Msg("competition.not_allowed", state=state, action=action))
    new, clause = COMPETITION_TRANSITIONS[key]
    if action == "close_intake":
        if today is None or intake_closes is None:
            raise TransitionError(Msg("competition.close_needs_dates"), clause)
        if today <= intake_closes:
            raise TransitionError(Msg("competition.intake_open", closes=intake_closes.isoformat()), "§13")
    return new, clause


@enforces("step.stage1_submission", "step.stage2_submission", "step.amend_or_withdraw",
          "step.stage1_return", "step.stage2_return")
def application_transition(state: str, action: str, *, stage: int, day: dt.date | None = None,
                           intake_closes: dt.date | None = None, notice: str = "") -> tuple[str, str]:
    """Next state of an application after ``action``; returns ``(new state, clause)``.

    Guards
    ------
    * ``submit``: ``day`` ≤ ``intake_closes`` — a package after the deadline is not accepted (§13);
    * ``amend`` / ``withdraw``: ``day`` ≤ ``intake_closes`` (§10); ``withdraw`` needs a written,
      reasoned ``notice``;
    * ``return_package``: a written ``notice`` to the participant (§16, §32);
    * threshold actions only in stage 1, winner actions only in stage 2.

    Raises
    ------
    TransitionError
    """
    key = (state, action)
    if key not in APPLICATION_TRANSITIONS:
        raise TransitionError(Msg("application.not_allowed", state=state, action=action))
    new, clause = APPLICATION_TRANSITIONS[key]
    if action in STAGE_ONLY and STAGE_ONLY[action] != stage:
        raise TransitionError(Msg("application.wrong_stage", action=action, expected=STAGE_ONLY[action], stage=stage), clause)
    if action in ("submit", "amend", "withdraw"):
        if day is None or intake_closes is None:
            raise TransitionError(Msg("application.needs_dates", action=action), clause)
        if day > intake_closes:
            if action == "submit":
                raise TransitionError(Msg("application.late", closes=intake_closes.isoformat(), day=day.isoformat()), "§13")
            raise TransitionError(Msg(f"application.{action}_after_intake", closes=intake_closes.isoformat()), "§10")
    if action == "withdraw" and not notice.strip():
        raise TransitionError(Msg("application.withdraw_needs_notice"), "§10")
    if action == "return_package" and not notice.strip():
        raise TransitionError(Msg("application.return_needs_notice"), "§16" if stage == 1 else "§32")
    return new, ("§16" if stage == 1 else "§32") if action == "return_package" else clause
