"""Whole competitions through the engine: the two-stage scenario and the failure scenario.

Four stage-1 applicants: C is late (§13), D is returned for an incomplete package (§16), B is
below the Commission's threshold (§24), A passes and wins stage 2; E, a cluster association that
skipped stage 1, enters stage 2 under §8 and wins too. Dates run across Nauryz 2024.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from klaster.engine.competition.deadlines import AppRef, Event, timeline
from klaster.engine.competition.experts import Expert, conflict_of_interest, expert_admissible
from klaster.engine.competition.outcome import announcement_problem, failure, missing_conclusions, routing
from klaster.engine.competition.package import DocumentInfo, admission_protocol
from klaster.engine.competition.scoring import (
    ScoreSheet,
    WinnerDecision,
    apply_threshold,
    check_winner_decisions,
    ranked_list,
    validate_sheet,
)
from klaster.engine.competition.states import TransitionError, application_transition, competition_transition

from .conftest import checked, participants

D = dt.date
S1 = ("application", "concept", "akimat_conclusion", "document_list")
S2 = ("application", "strategy", "roadmap", "authorized_body_conclusion", "document_list")


def docs(ids, *skip):
    return [DocumentInfo(d) for d in ids if d not in skip]


def test_two_stage_scenario_with_four_applicants(rules, cal):
    crit, cfg = rules.criteria, rules.scoring
    events: list[Event] = []
    state = "draft"

    # Announcement ≥ 60 days before intake closes (§4–§5).
    intake1 = D(2024, 3, 20)
    assert announcement_problem(rules, cal, announced_on=D(2024, 1, 15), intake_closes=intake1) is None
    state, _ = competition_transition(state, "announce")
    events += [Event("announced", D(2024, 1, 15)), Event("stage1_intake_closes", intake1)]

    kinds = {"A": "business_association", "B": "regional_chamber", "C": "sez_management_company", "D": "social_entrepreneurial_corporation"}
    ps = {"A": participants(12, start=0), "B": participants(10, start=200), "C": participants(10, start=400), "D": participants(11, start=600)}
    apps = {k: "draft" for k in kinds}
    for k, day in (("A", D(2024, 3, 18)), ("B", D(2024, 3, 20)), ("D", D(2024, 3, 19))):
        events += [Event("akimat_request_registered", day - dt.timedelta(days=14), k),
                   Event("akimat_conclusion_issued", day - dt.timedelta(days=10), k)]
        apps[k], _ = application_transition(apps[k], "submit", stage=1, day=day, intake_closes=intake1)
        events.append(Event("submitted", day, k))
    # A amends its concept before the deadline: still submitted (a new version, §10).
    apps["A"], _ = application_transition(apps["A"], "amend", stage=1, day=D(2024, 3, 19), intake_closes=intake1)
    # C comes a day late: not accepted (§13).
    with pytest.raises(TransitionError, match="§13"):
        application_transition(apps["C"], "submit", stage=1, day=D(2024, 3, 21), intake_closes=intake1)
    apps["C"], _ = application_transition(apps["C"], "refuse_late", stage=1)

    # Intake closes; completeness check and protocol of admitted participants (§15) by 1 April.
    state, _ = competition_transition(state, "close_intake", today=D(2024, 3, 21), intake_closes=intake1)
    results = {
        "A": checked(rules, stage=1, documents=docs(S1), participants=ps["A"], kind=kinds["A"]),
        "B": checked(rules, stage=1, documents=docs(S1), participants=ps["B"], kind=kinds["B"]),
        "D": checked(rules, stage=1, documents=docs(S1, "concept"), participants=ps["D"], kind=kinds["D"]),
    }
    proto = admission_protocol(rules, stage=1, results=results)
    assert proto.admitted == ["A", "B"] and list(proto.returned) == ["D"] and not proto.fails
    for k in proto.admitted:
        apps[k], _ = application_transition(apps[k], "admit", stage=1)
    apps["D"], clause = application_transition(apps["D"], "return_package", stage=1, notice="The concept (App. 2) is missing.")
    assert clause == "§16"
    state, _ = competition_transition(state, "sign_admission_protocol")
    events.append(Event("stage1_admission_protocol_signed", D(2024, 3, 29)))

    # Conclusions (§17) within 10 working days of registration on 1 April 2024.
    for k in proto.admitted:
        apps[k], _ = application_transition(apps[k], "start_review", stage=1)
        for r in routing(rules, cal, stage=1, registered=D(2024, 4, 1)):
            assert r.due == D(2024, 4, 15)  # 2(1) … 5(4), 8(5) … 12(9), 15 April (10)
            events += [Event(f"conclusion_requested:{r.body}", D(2024, 4, 1), k), Event(f"conclusion_issued:{r.body}", D(2024, 4, 10), k)]
        assert missing_conclusions(rules, stage=1, received={"authorized_body", "regional_body"}) == []

    # Expert council (§19): four candidates; one too junior, one conflicted on A.
    experts = [Expert("e1", 12), Expert("e2", 8), Expert("e3", 6), Expert("e4", 4), Expert("e5", 20, ps["A"][2].bin)]
    council = [e for e in experts if expert_admissible(rules, e) is None]
    assert [e.key for e in council] == ["e1", "e2", "e3", "e5"]
    sheets = []
    for app, values in (("A", {"e1": 8, "e2": 7, "e3": 9, "e5": 10}), ("B", {"e1": 4, "e2": 5, "e3": 3, "e5": 4})):
        for e in council:
            c = conflict_of_interest(e, participant_bins=[p.bin for p in ps[app]])
            if c.conflicted:
                assert (app, e.key) == ("A", "e5")
                continue
            s = ScoreSheet(e.key, app, {x.id: values[e.key] for x in crit.criteria}, {x.id: "see concept §3" for x in crit.criteria})
            assert validate_sheet(cfg, crit, s) == []
            sheets.append(s)
    events.append(Event("stage1_scoring_completed", D(2024, 5, 10)))
    ranked = ranked_list(cfg, crit, sheets, {"A": D(2024, 3, 18), "B": D(2024, 3, 20)})
    # A: mean of 15·8, 15·7, 15·9 = 120; B: mean of 60, 75, 45, = 60 (e5 scores B: 60) → (60+75+45+60)/4 = 60.
    assert [(e.application, e.score) for e in ranked] == [("A", Decimal("120.00")), ("B", Decimal("60.00"))]

    state, _ = competition_transition(state, "sign_review_protocol")  # §22
    events += [Event("stage1_review_protocol_signed", D(2024, 5, 13)), Event("stage1_sent_to_commission", D(2024, 5, 15))]
    apply_threshold(rules, ranked, Decimal("75"))  # §24
    for e in ranked:
        apps[e.application], _ = application_transition(apps[e.application], "pass_threshold" if e.passes else "fail_threshold", stage=1)
    assert (apps["A"], apps["B"]) == ("passed", "below_threshold")
    state, _ = competition_transition(state, "record_commission_decision")
    intake2 = D(2024, 9, 30)  # set in the Commission protocol (§26)
    events += [Event("stage1_commission_meeting", D(2024, 5, 24)), Event("stage1_commission_protocol_signed", D(2024, 5, 27)),
               Event("stage2_intake_closes", intake2)]

    # Stage 2: A (stage-1 winner) and E (cluster association skipping stage 1, §8).
    ps["E"] = participants(14, start=800)
    s2 = {"A": "draft", "E": "draft"}
    for k, day in (("A", D(2024, 9, 20)), ("E", D(2024, 9, 27))):
        s2[k], _ = application_transition(s2[k], "submit", stage=2, day=day, intake_closes=intake2)
        events.append(Event("submitted", day, f"{k}2"))
    state, _ = competition_transition(state, "close_intake", today=D(2024, 10, 1), intake_closes=intake2)
    results2 = {
        "A": checked(rules, stage=2, documents=docs(S2), participants=ps["A"], kind="business_association", stage1_winner=True),
        "E": checked(rules, stage=2, documents=docs(S2 + ("akimat_conclusion",)), participants=ps["E"],
                           kind="cluster_association", skipped_stage1=True),
    }
    proto2 = admission_protocol(rules, stage=2, results=results2)
    assert proto2.admitted == ["A", "E"] and not proto2.fails
    state, _ = competition_transition(state, "sign_admission_protocol")
    events.append(Event("stage2_admission_protocol_signed", D(2024, 10, 7)))
    assert [r.body for r in missing_conclusions(rules, stage=2, received={"authorized_body"}, skipped_stage1=True)] == ["regional_body"]
    state, _ = competition_transition(state, "sign_review_protocol")
    events += [Event("stage2_review_protocol_signed", D(2024, 11, 1)), Event("stage2_sent_to_commission", D(2024, 11, 5))]
    decisions = [WinnerDecision("A", True, "Co-financing of roadmap events 1–3 (instrument 8)"),
                 WinnerDecision("E", True, "Reimbursement of strategy costs")]
    assert check_winner_decisions(rules, decisions, proto2.admitted) == []
    for k in ("A", "E"):
        s2[k], _ = application_transition(s2[k], "admit", stage=2)
        s2[k], _ = application_transition(s2[k], "start_review", stage=2)
        s2[k], _ = application_transition(s2[k], "declare_winner", stage=2)
    state, _ = competition_transition(state, "record_commission_decision")
    events += [Event("stage2_commission_meeting", D(2024, 12, 13)), Event("stage2_commission_protocol_received", D(2024, 12, 18))]
    state, _ = competition_transition(state, "publish_results")
    events.append(Event("results_published", D(2024, 12, 20)))
    assert state == "published"

    # Every competition-level deadline is met; only the re-run (§42) is pending, as nothing failed.
    rows = timeline(rules, cal, events, D(2024, 12, 23),
                    [AppRef(k, 1) for k in ("A", "B", "D")] + [AppRef("A2", 2), AppRef("E2", 2, skipped_stage1=True)])
    comp = {r.step_id: r for r in rows if r.subject is None}
    assert {k for k, r in comp.items() if r.state != "met"} == {"rerun"} and comp["rerun"].state == "pending"
    assert comp["publish_results"].due == D(2024, 12, 23)  # 18 Dec + 3 wd: 19, 20, 23
    assert comp["stage1_completeness_check"].due == D(2024, 4, 1)
    assert comp["stage1_commission_protocol"].due == D(2024, 5, 27)  # 24 May + 3 = Mon 27 May
    app_rows = [r for r in rows if r.subject in ("A", "B")]
    assert all(r.state in ("met", "closed") for r in app_rows), [(r.step_id, r.subject, r.state) for r in app_rows]


def test_failure_scenario_and_rerun(rules, cal):
    state = competition_transition("draft", "announce")[0]
    state = competition_transition(state, "close_intake", today=D(2024, 12, 28), intake_closes=D(2024, 12, 27))[0]
    results = {
        "A": checked(rules, stage=1, documents=docs(S1), participants=participants(10)),
        "B": checked(rules, stage=1, documents=docs(S1, "akimat_conclusion"), participants=participants(10, start=300)),
        "C": checked(rules, stage=1, documents=docs(S1), participants=participants(8, start=500)),
    }
    proto = admission_protocol(rules, stage=1, results=results)
    assert proto.admitted == ["A"] and proto.fails
    # The competition cannot continue to review; it fails (§41).
    state = competition_transition(state, "fail")[0]
    assert state == "failed"
    with pytest.raises(TransitionError):
        competition_transition(state, "sign_admission_protocol")
    f = failure(rules, cal, qualified=len(proto.admitted), decided_on=D(2025, 1, 8))
    # 8 Jan + 2 months = Sat 8 March 2025 (Women's Day), Sun 9, Mon 10 March off (observed) → Tue 11 March.
    assert f.failed and f.rerun_due == D(2025, 3, 11)
    assert competition_transition(state, "announce_rerun") == ("rerun_announced", "§42")
