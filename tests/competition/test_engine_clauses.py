"""One test (at least) per clause of regulations.md §3, named by the clause.

Dates are worked by hand on Kazakhstan's official calendar (the comments show the count), with
holidays in between: Nauryz 2024 (21, 22, 25 March off; 23 March a Saturday), International
Women's Day (8 March 2024, a Friday), the working Saturday 4 May 2024, Independence Day
(16 December 2024), New Year 2025 (1–2 January off, 3 January a moved day off, Sunday 5 January
a working day, 7 January Orthodox Christmas).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from klaster.engine.competition.deadlines import AppRef, Event, due_date, timeline
from klaster.engine.competition.experts import Expert, conflict_of_interest, expert_admissible
from klaster.engine.competition.outcome import (
    announcement_problem,
    failure,
    missing_conclusions,
    publication_due,
    routing,
)
from klaster.engine.competition.package import DocumentInfo, admission_protocol, may_take_part
from klaster.engine.competition.scoring import (
    RankedEntry,
    ScoreSheet,
    WinnerDecision,
    aggregate,
    apply_threshold,
    check_winner_decisions,
    ranked_list,
    validate_sheet,
)
from klaster.engine.competition.states import TransitionError, application_transition, competition_transition

from .conftest import checked, participants

D = dt.date


def stage1_docs(*skip):
    return [DocumentInfo(d) for d in ("application", "concept", "akimat_conclusion", "document_list") if d not in skip]


def stage2_docs(*skip, akimat=False):
    ids = ["application", "strategy", "roadmap", "authorized_body_conclusion", "document_list"] + (["akimat_conclusion"] if akimat else [])
    return [DocumentInfo(d) for d in ids if d not in skip]


def full_sheet(criteria, expert, app, value=5, justification="reasoned"):
    return ScoreSheet(expert, app, {c.id: value for c in criteria.criteria}, {c.id: justification for c in criteria.criteria})


# §3 ---------------------------------------------------------------------------------------------


@pytest.mark.rule("step.decide_competition")
def test_clause_3_organizer_decides_and_announces_once():
    assert competition_transition("draft", "announce")[0] == "stage1_intake"
    with pytest.raises(TransitionError):
        competition_transition("stage1_intake", "announce")


# §4–§5 ------------------------------------------------------------------------------------------


@pytest.mark.rule("step.announce")
def test_clause_5_announcement_at_least_60_calendar_days_before_intake_closes(rules, cal):
    # Intake closes 20 March 2024 (a leap year): 20 March − 60 days = 20 January 2024 (never rolled).
    assert due_date(rules, rules.step("announce"), cal, D(2024, 3, 20)) == D(2024, 1, 20)
    assert announcement_problem(rules, cal, announced_on=D(2024, 1, 20), intake_closes=D(2024, 3, 20)) is None
    msg = announcement_problem(rules, cal, announced_on=D(2024, 1, 21), intake_closes=D(2024, 3, 20))
    assert msg and "2024-01-20" in msg and "§4, §5" in msg


@pytest.mark.rule("step.announce")
def test_clause_4_announcement_shown_met_or_late_on_the_timeline(rules, cal):
    ev = [Event("stage1_intake_closes", D(2024, 3, 20)), Event("announced", D(2024, 1, 22))]
    row = next(r for r in timeline(rules, cal, ev, D(2024, 2, 1)) if r.step_id == "announce")
    assert (row.due, row.state, row.stands_out) == (D(2024, 1, 20), "late", True)


# §6 ---------------------------------------------------------------------------------------------


@pytest.mark.rule("step.akimat_conclusion")
def test_clause_6_akimat_conclusion_within_5_working_days_across_womens_day(rules, cal):
    # Registered Fri 1 March 2024: 4(1) 5(2) 6(3) 7(4), 8 March holiday, weekend, 11 March (5).
    ev = [Event("akimat_request_registered", D(2024, 3, 1), "A")]
    rows = timeline(rules, cal, ev, D(2024, 3, 12), [AppRef("A", 1)])
    row = next(r for r in rows if r.step_id == "akimat_conclusion")
    assert (row.due, row.state) == (D(2024, 3, 11), "overdue")
    ev.append(Event("akimat_conclusion_issued", D(2024, 3, 11), "A"))
    row = next(r for r in timeline(rules, cal, ev, D(2024, 3, 12), [AppRef("A", 1)]) if r.step_id == "akimat_conclusion")
    assert row.state == "met"


@pytest.mark.rule("package.stage1")
def test_clause_6_stage1_package_needs_application_concept_and_akimat_conclusion(rules):
    ok = checked(rules, stage=1, documents=stage1_docs(), participants=participants(10), kind="business_association")
    assert ok.complete and ok.missing == []
    bad = checked(rules, stage=1, documents=stage1_docs("akimat_conclusion"), participants=participants(10))
    assert not bad.complete and bad.missing == ["akimat_conclusion"]
    assert any(p.clause == "§6.3" for p in bad.problems)


# §10 --------------------------------------------------------------------------------------------


@pytest.mark.rule("step.amend_or_withdraw")
def test_clause_10_amend_or_withdraw_only_before_intake_closes_with_reasoned_notice():
    closes = D(2024, 3, 20)
    assert application_transition("submitted", "amend", stage=1, day=closes, intake_closes=closes)[0] == "submitted"
    with pytest.raises(TransitionError, match="§10"):
        application_transition("submitted", "amend", stage=1, day=D(2024, 3, 21), intake_closes=closes)
    with pytest.raises(TransitionError, match="reasons"):
        application_transition("submitted", "withdraw", stage=1, day=D(2024, 3, 1), intake_closes=closes, notice="  ")
    new, clause = application_transition("submitted", "withdraw", stage=1, day=D(2024, 3, 1), intake_closes=closes,
                                         notice="Participants asked to wait for the 2025 round.")
    assert (new, clause) == ("withdrawn", "§10")


# §13 --------------------------------------------------------------------------------------------


@pytest.mark.rule("step.stage1_submission")
def test_clause_13_late_package_not_accepted_but_the_closing_day_is_on_time():
    closes = D(2024, 3, 20)
    assert application_transition("draft", "submit", stage=1, day=closes, intake_closes=closes)[0] == "submitted"
    with pytest.raises(TransitionError, match="§13"):
        application_transition("draft", "submit", stage=1, day=D(2024, 3, 21), intake_closes=closes)
    assert application_transition("draft", "refuse_late", stage=1)[0] == "refused_late"


@pytest.mark.rule("step.stage1_submission")
def test_clause_13_intake_cannot_be_closed_early():
    with pytest.raises(TransitionError, match="§13"):
        competition_transition("stage1_intake", "close_intake", today=D(2024, 3, 20), intake_closes=D(2024, 3, 20))
    assert competition_transition("stage1_intake", "close_intake", today=D(2024, 3, 21), intake_closes=D(2024, 3, 20))[0] == "stage1_admission"


# §15 --------------------------------------------------------------------------------------------


@pytest.mark.rule("step.stage1_completeness_check")
def test_clause_15_completeness_check_within_5_working_days_across_nauryz(rules, cal):
    # Intake closes Wed 20 March 2024; 21, 22 March Nauryz, 23–24 weekend, 25 March Nauryz (observed):
    # 26(1) 27(2) 28(3) 29(4) 1 April (5).
    ev = [Event("stage1_intake_closes", D(2024, 3, 20))]
    row = next(r for r in timeline(rules, cal, ev, D(2024, 3, 27)) if r.step_id == "stage1_completeness_check")
    assert (row.due, row.state, row.clause) == (D(2024, 4, 1), "due", "§15")
    ev.append(Event("stage1_admission_protocol_signed", D(2024, 4, 2)))
    row = next(r for r in timeline(rules, cal, ev, D(2024, 4, 3)) if r.step_id == "stage1_completeness_check")
    assert row.state == "late" and row.stands_out


@pytest.mark.rule("step.stage1_completeness_check")
def test_clause_15_protocol_lists_admitted_participants(rules):
    results = {
        "A": checked(rules, stage=1, documents=stage1_docs(), participants=participants(10)),
        "B": checked(rules, stage=1, documents=stage1_docs("concept"), participants=participants(10)),
        "C": checked(rules, stage=1, documents=stage1_docs(), participants=participants(12, start=100)),
    }
    proto = admission_protocol(rules, stage=1, results=results)
    assert proto.admitted == ["A", "C"] and list(proto.returned) == ["B"]
    assert proto.clause == "§15" and not proto.fails


# §16 --------------------------------------------------------------------------------------------


@pytest.mark.rule("step.stage1_return")
def test_clause_16_return_needs_written_notice():
    with pytest.raises(TransitionError, match="§16"):
        application_transition("submitted", "return_package", stage=1, notice="")
    assert application_transition("submitted", "return_package", stage=1, notice="App. 3 missing") == ("returned", "§16")


# §17 --------------------------------------------------------------------------------------------


@pytest.mark.rule("step.route_conclusions", "step.authorized_body_conclusion", "step.regional_body_conclusion")
def test_clause_17_conclusions_of_both_bodies_within_10_working_days_over_new_year(rules, cal):
    # Registered Tue 24 Dec 2024: 25(1) 26(2) 27(3) 30(4) 31(5); 1–2 Jan holidays, 3 Jan moved day off,
    # 4 Jan Saturday, Sun 5 Jan a working day (6), 6 Jan (7), 7 Jan Christmas, 8(8) 9(9) 10 Jan 2025 (10).
    routes = routing(rules, cal, stage=1, registered=D(2024, 12, 24))
    assert {(r.body, r.due, r.clause) for r in routes} == {
        ("authorized_body", D(2025, 1, 10), "§17"),
        ("regional_body", D(2025, 1, 10), "§17"),
    }


# §18, §21 ---------------------------------------------------------------------------------------


@pytest.mark.rule("step.collect_conclusions")
def test_clause_18_institute_collects_both_conclusions_before_review(rules):
    assert [r.body for r in missing_conclusions(rules, stage=1, received={"authorized_body"})] == ["regional_body"]
    assert missing_conclusions(rules, stage=1, received={"authorized_body", "regional_body"}) == []


@pytest.mark.rule("step.transmit_expert_opinions")
def test_clause_21_expert_points_per_concept_aggregate_to_a_ranked_list(rules):
    crit, cfg = rules.criteria, rules.scoring  # 15 sub-criteria, weight 1, mean of 3 experts
    sheets = [full_sheet(crit, e, "A", v) for e, v in (("e1", 8), ("e2", 6), ("e3", 7))]  # totals 120, 90, 105
    sheets += [full_sheet(crit, e, "B", v) for e, v in (("e1", 9), ("e2", 9), ("e3", 9))]  # 135 each
    ranked = ranked_list(cfg, crit, sheets, {"A": D(2024, 3, 1), "B": D(2024, 3, 2)})
    assert [(e.application, e.score, e.rank) for e in ranked] == [("B", Decimal("135.00"), 1), ("A", Decimal("105.00"), 2)]


# §19 --------------------------------------------------------------------------------------------


@pytest.mark.rule("step.expert_council_composition")
def test_clause_19_experts_need_at_least_5_years_of_practical_experience(rules):
    assert expert_admissible(rules, Expert("x", 5)) is None
    assert "at least 5" in expert_admissible(rules, Expert("x", 4))
    assert "not recorded" in expert_admissible(rules, Expert("x", None))


@pytest.mark.rule("experts.independence")
def test_clause_19_conflict_when_expert_organisation_is_a_participant():
    ps = participants(10)
    e = Expert("x", 10, organisation_bin=ps[3].bin)
    c = conflict_of_interest(e, participant_bins=[p.bin for p in ps])
    assert c.conflicted and "among the cluster's participants" in c.reasons[0]
    assert not conflict_of_interest(Expert("y", 10, "000000000000"), participant_bins=[p.bin for p in ps]).conflicted
    assert conflict_of_interest(Expert("y", 10), participant_bins=[], declared=True, declaration_text="former employer").conflicted


# §20 --------------------------------------------------------------------------------------------


@pytest.mark.rule("step.stage1_expert_scoring")
def test_clause_20_scoring_within_60_calendar_days_rolled_past_a_sunday(rules, cal):
    # 20 March 2024 + 60 days = Sun 19 May 2024 → next working day Mon 20 May (Civil Code Art. 187).
    assert due_date(rules, rules.step("stage1_expert_scoring"), cal, D(2024, 3, 20)) == D(2024, 5, 20)


@pytest.mark.rule("scoring.scoring")
def test_clause_20_score_sheet_needs_every_criterion_on_the_scale_with_justification(rules):
    crit, cfg = rules.criteria, rules.scoring
    good = full_sheet(crit, "e1", "A", 7)
    assert validate_sheet(cfg, crit, good) == []
    bad_scores = dict(good.scores, **{"1.1": 11, "2.1": "7.5"})
    bad_just = dict(good.justifications, **{"4.2": " "})
    errs = validate_sheet(cfg, crit, ScoreSheet("e1", "A", bad_scores, bad_just))
    assert any("1.1" in e and "outside the scale" in e for e in errs)
    assert any("2.1" in e and "step" in e for e in errs)
    assert any("4.2" in e and "justification" in e for e in errs)


@pytest.mark.rule("scoring.scoring")
def test_clause_20_aggregation_mean_median_trimmed_mean(rules):
    from dataclasses import replace

    vals = [Decimal(x) for x in (10, 60, 70, 80, 200)]
    cfg = rules.scoring
    assert aggregate(replace(cfg, aggregation="mean"), vals) == Decimal("84.00")  # 420 / 5
    assert aggregate(replace(cfg, aggregation="median"), vals) == Decimal("70.00")
    # trimmed fraction 0.2 of 5 → drop one at each end: (60 + 70 + 80) / 3 = 70
    assert aggregate(replace(cfg, aggregation="trimmed_mean"), vals) == Decimal("70.00")


@pytest.mark.rule("scoring.scoring")
def test_clause_20_below_quorum_gets_no_rank(rules):
    crit, cfg = rules.criteria, rules.scoring
    sheets = [full_sheet(crit, "e1", "A", 9), full_sheet(crit, "e2", "A", 9)]
    sheets += [full_sheet(crit, e, "B", 1) for e in ("e1", "e2", "e3")]
    ranked = ranked_list(cfg, crit, sheets, {}, applications=["A", "B"])
    assert [(e.application, e.rank, e.quorum_met) for e in ranked] == [("B", 1, True), ("A", None, False)]


@pytest.mark.rule("scoring.scoring")
def test_clause_20_tie_broken_by_group_1_then_registration(rules):
    crit, cfg = rules.criteria, rules.scoring
    # Same total 75 for A and B; A has more points in group 1 (development level).
    def sheet(app, g1):
        scores = {c.id: (g1 if c.group == "1" else 0) for c in crit.criteria}
        rest = [c.id for c in crit.criteria if c.group != "1"]
        total_rest = 75 - 3 * g1
        for cid in rest:
            take = min(10, total_rest)
            scores[cid] = take
            total_rest -= take
        return ScoreSheet("e", app, scores, {c.id: "x" for c in crit.criteria})

    sheets = [ScoreSheet(e, s.application, s.scores, s.justifications) for e in ("e1", "e2", "e3") for s in (sheet("A", 10), sheet("B", 5))]
    ranked = ranked_list(cfg, crit, sheets, {"A": D(2024, 3, 5), "B": D(2024, 3, 1)})
    assert [e.application for e in ranked] == ["A", "B"] and ranked[0].score == ranked[1].score == Decimal("75.00")


# §22, §36 ---------------------------------------------------------------------------------------


@pytest.mark.rule("step.stage1_review_protocol")
def test_clause_22_review_protocol_moves_stage1_to_the_commission():
    assert competition_transition("stage1_review", "sign_review_protocol") == ("stage1_commission", "§22")
    with pytest.raises(TransitionError):
        competition_transition("stage1_admission", "sign_review_protocol")


@pytest.mark.rule("step.stage2_review_protocol")
def test_clause_36_stage2_review_protocol_moves_stage2_to_the_commission():
    assert competition_transition("stage2_review", "sign_review_protocol") == ("stage2_commission", "§36")


# §23, §37 ---------------------------------------------------------------------------------------


@pytest.mark.rule("step.stage1_to_commission")
def test_clause_23_protocol_to_commission_within_3_working_days_counting_a_working_saturday(rules, cal):
    # Signed Thu 2 May 2024: Fri 3 May (1), Sat 4 May is a working day by decree (2), Mon 6 May (3).
    assert due_date(rules, rules.step("stage1_to_commission"), cal, D(2024, 5, 2)) == D(2024, 5, 6)


@pytest.mark.rule("step.stage2_to_commission")
def test_clause_37_stage2_protocol_to_commission_within_3_working_days(rules, cal):
    # Signed Wed 20 March 2024: 21, 22 Nauryz, weekend, 25 Nauryz (observed): 26(1) 27(2) 28(3).
    assert due_date(rules, rules.step("stage2_to_commission"), cal, D(2024, 3, 20)) == D(2024, 3, 28)


# §24 --------------------------------------------------------------------------------------------


@pytest.mark.rule("step.minimum_score", "commission.minimum_score")
def test_clause_24_commission_minimum_score_decides_who_passes(rules):
    ranked = [RankedEntry("A", Decimal("80"), 3, True, 1), RankedEntry("B", Decimal("70"), 3, True, 2),
              RankedEntry("C", Decimal("69.99"), 3, True, 3), RankedEntry("D", None, 1, False)]
    apply_threshold(rules, ranked, Decimal("70"))
    assert [e.passes for e in ranked] == [True, True, False, False]
    with pytest.raises(ValueError, match="§24"):
        apply_threshold(rules, ranked, None)


# §25, §26 ---------------------------------------------------------------------------------------


@pytest.mark.rule("step.stage1_commission_protocol")
def test_clause_25_commission_protocol_within_3_days_rolled_past_independence_day(rules, cal):
    # §25 "3 days" read as calendar days: meeting Fri 13 Dec 2024 + 3 = Mon 16 Dec (Independence Day) → Tue 17 Dec.
    assert due_date(rules, rules.step("stage1_commission_protocol"), cal, D(2024, 12, 13)) == D(2024, 12, 17)


@pytest.mark.rule("step.stage2_submission")
def test_clause_26_protocol_sets_the_stage2_deadline_used_for_stage2_packages(rules, cal):
    ev = [Event("stage2_intake_closes", D(2025, 3, 3)), Event("submitted", D(2025, 3, 4), "A")]
    row = next(r for r in timeline(rules, cal, ev, D(2025, 3, 5), [AppRef("A", 2)]) if r.step_id == "stage2_submission")
    assert (row.due, row.state) == (D(2025, 3, 3), "late")


# §27, §28, §29 ----------------------------------------------------------------------------------


@pytest.mark.rule("step.strategy_to_authorized_body")
def test_clause_27_stage2_strategy_goes_to_the_authorized_body(rules, cal):
    routes = routing(rules, cal, stage=2, registered=D(2024, 3, 1))
    assert [r.body for r in routes] == ["authorized_body"]


@pytest.mark.rule("step.roadmap_forwarding", "step.roadmap_agreement")
def test_clause_28_1_roadmap_forwarded_in_3_and_agreed_in_5_working_days_over_new_year(rules, cal):
    # Registered Tue 31 Dec 2024: Sun 5 Jan 2025 working (1), 6 Jan (2), 7 Jan Christmas, 8 Jan (3).
    ev = [Event("conclusion_requested:authorized_body", D(2024, 12, 31), "A"), Event("roadmap_forwarded", D(2025, 1, 8), "A")]
    rows = {r.step_id: r for r in timeline(rules, cal, ev, D(2025, 1, 9), [AppRef("A", 2)])}
    assert (rows["roadmap_forwarding"].due, rows["roadmap_forwarding"].state) == (D(2025, 1, 8), "met")
    # Agreement: 5 working days from 8 Jan: 9(1) 10(2) 13(3) 14(4) 15 Jan (5).
    assert (rows["roadmap_agreement"].due, rows["roadmap_agreement"].state) == (D(2025, 1, 15), "due")


@pytest.mark.rule("step.strategy_review")
def test_clause_28_2_strategy_review_within_20_calendar_days_rolled_past_nauryz(rules, cal):
    # 1 March 2024 + 20 = Thu 21 March (Nauryz) → 22 off, 23–24 weekend, 25 off → Tue 26 March.
    routes = routing(rules, cal, stage=2, registered=D(2024, 3, 1))
    assert routes[0].step_id == "strategy_review" and routes[0].due == D(2024, 3, 26) and routes[0].clause == "§28.2"


@pytest.mark.rule("package.stage2", "step.authorized_body_stage2_conclusion")
def test_clause_29_stage2_package_needs_the_authorized_body_conclusion(rules):
    r = checked(rules, stage=2, documents=stage2_docs("authorized_body_conclusion"), participants=participants(10),
                      kind="business_association", stage1_winner=True)
    assert not r.complete and r.missing == ["authorized_body_conclusion"]


# §7, §30, §8, §2.7, §2.8 ------------------------------------------------------------------------


@pytest.mark.rule("package.stage2")
def test_clause_7_stage2_package_complete_for_a_stage1_winner(rules):
    r = checked(rules, stage=2, documents=stage2_docs(), participants=participants(10),
                      kind="business_association", stage1_winner=True)
    assert r.complete


@pytest.mark.rule("step.stage2_submission")
def test_clause_30_stage2_submission_by_the_stage2_deadline():
    with pytest.raises(TransitionError, match="§13"):
        application_transition("draft", "submit", stage=2, day=D(2025, 3, 4), intake_closes=D(2025, 3, 3))


@pytest.mark.rule("step.stage2_entry_without_stage1", "participants.stage2_participants")
def test_clause_8_cluster_association_skipping_stage1_needs_akimat_conclusion(rules):
    no_akimat = checked(rules, stage=2, documents=stage2_docs(), participants=participants(10),
                              skipped_stage1=True, kind="cluster_association")
    assert not no_akimat.complete and no_akimat.missing == ["akimat_conclusion"]
    ok = checked(rules, stage=2, documents=stage2_docs(akimat=True), participants=participants(10),
                       skipped_stage1=True, kind="cluster_association")
    assert ok.complete
    # A business association that did not win stage 1 may not enter stage 2.
    assert may_take_part(rules, stage=2, kind="business_association", stage1_winner=False) is not None


@pytest.mark.rule("participants.stage1_participants")
def test_clause_2_7_who_may_take_part_in_stage1(rules):
    for k in ("regional_chamber", "social_entrepreneurial_corporation", "sez_management_company", "business_association"):
        assert may_take_part(rules, stage=1, kind=k) is None
    p = may_take_part(rules, stage=1, kind="cluster_association")
    assert p is not None and p.clause == "§2.7"


@pytest.mark.rule("participants.stage2_participants")
def test_clause_2_8_stage1_winners_take_part_in_stage2(rules):
    assert may_take_part(rules, stage=2, kind="regional_chamber", stage1_winner=True) is None


# §31, §32, §33, §34–§35 -------------------------------------------------------------------------


@pytest.mark.rule("step.stage2_completeness_check")
def test_clause_31_stage2_completeness_check_within_5_working_days(rules, cal):
    # Stage-2 intake closes Fri 27 Dec 2024: 30(1) 31(2) Sun 5 Jan (3) 6 Jan (4) 8 Jan 2025 (5).
    ev = [Event("stage2_intake_closes", D(2024, 12, 27))]
    row = next(r for r in timeline(rules, cal, ev, D(2025, 1, 9)) if r.step_id == "stage2_completeness_check")
    assert (row.due, row.state) == (D(2025, 1, 8), "overdue")


@pytest.mark.rule("step.stage2_return")
def test_clause_32_stage2_return_needs_written_notice():
    assert application_transition("submitted", "return_package", stage=2, notice="Roadmap lacks App. 6 columns") == ("returned", "§32")
    with pytest.raises(TransitionError, match="§32"):
        application_transition("submitted", "return_package", stage=2)


@pytest.mark.rule("step.stage2_regional_conclusion")
def test_clause_33_regional_conclusion_only_for_those_that_skipped_stage1(rules, cal):
    assert [r.body for r in routing(rules, cal, stage=2, registered=D(2024, 3, 1), skipped_stage1=True)] == [
        "authorized_body", "regional_body"]
    assert [r.body for r in routing(rules, cal, stage=2, registered=D(2024, 3, 1))] == ["authorized_body"]


@pytest.mark.rule("step.stage2_expert_analysis")
def test_clause_34_conclusions_collected_before_the_stage2_analysis(rules):
    missing = missing_conclusions(rules, stage=2, received={"authorized_body"}, skipped_stage1=True)
    assert [r.body for r in missing] == ["regional_body"] and missing[0].clause == "§33"


# §38, §39, §40 ----------------------------------------------------------------------------------


@pytest.mark.rule("step.stage2_winners", "commission.stage2_winners")
def test_clause_38_winners_carry_the_recommended_support(rules):
    errs = check_winner_decisions(rules, [WinnerDecision("A", True, ""), WinnerDecision("B", True, "co-financing of roadmap events 1.1–1.3"),
                                          WinnerDecision("Z", False)], admitted=["A", "B"])
    assert errs == ["A: a winner needs the recommended state support measures (§38)", "Z: not an admitted stage-2 application"]


@pytest.mark.rule("step.stage2_commission_protocol")
def test_clause_39_commission_protocol_within_3_working_days_of_the_meeting(rules, cal):
    # Meeting Fri 13 Dec 2024: 16 Dec Independence Day; 17(1) 18(2) 19 Dec (3).
    assert due_date(rules, rules.step("stage2_commission_protocol"), cal, D(2024, 12, 13)) == D(2024, 12, 19)


@pytest.mark.rule("step.publish_results")
def test_clause_40_results_published_within_3_working_days_of_the_protocol(rules, cal):
    # Received Wed 20 March 2024 → 26, 27, 28 March.
    assert publication_due(rules, cal, D(2024, 3, 20)) == D(2024, 3, 28)


# §41, §42 ---------------------------------------------------------------------------------------


@pytest.mark.rule("step.failure")
def test_clause_41_fewer_than_two_qualified_participants_fail_the_competition(rules, cal):
    assert failure(rules, cal, qualified=1, decided_on=D(2024, 4, 1)).failed
    assert not failure(rules, cal, qualified=2, decided_on=D(2024, 4, 1)).failed
    proto = admission_protocol(rules, stage=1, results={
        "A": checked(rules, stage=1, documents=stage1_docs(), participants=participants(10)),
        "B": checked(rules, stage=1, documents=stage1_docs(), participants=participants(9)),
    })
    assert proto.fails and proto.failure_clause == "§41"


@pytest.mark.rule("step.rerun")
def test_clause_42_rerun_announced_within_two_months(rules, cal):
    # 31 Dec 2024 + 2 months → 28 Feb 2025 (no 31 Feb; a Friday, working).
    assert failure(rules, cal, qualified=0, decided_on=D(2024, 12, 31)).rerun_due == D(2025, 2, 28)
    # 8 Jan 2024 + 2 months = Fri 8 March 2024 (holiday) → Mon 11 March.
    assert failure(rules, cal, qualified=0, decided_on=D(2024, 1, 8)).rerun_due == D(2024, 3, 11)


# Criteria 1.1, App. 2 §3.1 ----------------------------------------------------------------------


@pytest.mark.rule("eligibility.min_unaffiliated_legal_entities")
def test_clause_criteria_1_1_ten_unaffiliated_legal_entities_by_bin_and_affiliation(rules):
    from klaster.engine.competition.package import check_participants

    # 11 legal entities, two of them declared affiliated → 10 unaffiliated: eligible.
    r = check_participants(rules, participants(11, groups={0: "Holding X", 1: "holding x"}))
    assert (r.unaffiliated, r.ok) == (10, True)
    # 10 legal entities, two affiliated → 9: not eligible.
    r = check_participants(rules, participants(10, groups={0: "H", 1: "H"}))
    assert (r.unaffiliated, r.ok) == (9, False)
    assert any(p.clause == "Criteria 1.1" and "at least 10" in p.message for p in r.problems)


@pytest.mark.rule("eligibility.min_unaffiliated_legal_entities")
def test_clause_criteria_1_1_branches_repeats_and_invalid_bins_do_not_count(rules):
    from klaster.common.bin import make_number
    from klaster.engine.competition.package import Participant, check_participants

    ps = participants(9)
    branch = next(b for b in (make_number(f"150441{s:05d}") for s in range(50)) if b)  # 6th digit 1: a branch
    ps += [Participant("Branch", branch), Participant("Repeat", ps[0].bin), Participant("Typo", ps[1].bin[:11] + str((int(ps[1].bin[11]) + 1) % 10))]
    r = check_participants(rules, ps)
    assert r.unaffiliated == 9 and not r.ok
    assert {p.row for p in r.problems if p.severity == "warning"} == {10, 11, 12}


@pytest.mark.rule("eligibility.concept_min_specialised_companies")
def test_clause_app2_3_1_fewer_than_six_specialised_companies_is_a_warning(rules):
    from klaster.engine.competition.package import check_participants

    r = check_participants(rules, participants(5))
    assert any(p.clause == "App. 2 §3.1" and p.severity == "warning" for p in r.problems)


# The Criteria: every criterion is scored -----------------------------------------------------------


@pytest.mark.rule("criterion.*")
def test_criteria_every_criterion_of_the_set_must_be_scored_and_is_reported_with_its_spread(rules):
    """Each item of the Criteria is a line of the score sheet: a sheet without any one of them cannot be
    submitted, and the ranked list reports every one of them with the spread between the experts."""
    from klaster.engine.competition.scoring import breakdown

    crit, cfg = rules.criteria, rules.scoring
    assert [c.clause for c in crit.criteria][:3] == ["Criteria 1.1", "Criteria 1.2", "Criteria 1.3"] and len(crit.criteria) == 15
    for c in crit.criteria:
        sheet = full_sheet(crit, "e1", "A", 6)
        scores = {k: v for k, v in sheet.scores.items() if k != c.id}
        errs = validate_sheet(cfg, crit, ScoreSheet("e1", "A", scores, sheet.justifications))
        assert [e.code for e in errs] == ["score.missing"] and errs[0].params["criterion"] == c.id
    sheets = [full_sheet(crit, "e1", "A", 4), full_sheet(crit, "e2", "A", 8), full_sheet(crit, "e3", "A", 9)]
    b = breakdown(cfg, crit, sheets)["A"]
    assert set(b.criteria) == {c.id for c in crit.criteria}
    assert all((x.low, x.high, x.spread, x.aggregate) == (4, 9, 5, Decimal("7.00")) for x in b.criteria.values())
    assert b.spread == Decimal(75) and b.totals == {"e1": Decimal(60), "e2": Decimal(120), "e3": Decimal(135)}
