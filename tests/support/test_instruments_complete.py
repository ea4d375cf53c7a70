"""Every instrument of "Productivity 2020" complete (revision r2 of the instruments regulation):
each requirement of the act a test named by its clause. Worked amounts are computed by hand in
the comments.

Seed 004 (Decree 440, programme §5.1–§5.4); instrument 8's parameters from seed 002 (regulation
``cluster-support-2015-2019``).
"""

import datetime as dt

import pytest

from klaster import regulations
from klaster.common.calendar import WorkingCalendar
from klaster.common.money import Money
from klaster.engine.support import (
    ApplicantFacts,
    CalculationError,
    CostItem,
    ExecutorFacts,
    LeasingFacts,
    PriorUse,
    check_eligibility,
    check_executor,
    check_leasing,
    compute_leasing,
    compute_reimbursement,
    document_checklist,
    is_eligible,
    load_instruments,
    missing_documents,
    schedule,
)

D = dt.date
T = lambda s: Money(s, "tenge")  # noqa: E731
MLN = lambda s: Money(s, "mln tenge")  # noqa: E731


@pytest.fixture(scope="module")
def inst():
    return load_instruments()


def _passed(findings, rule):
    return [f.passed for f in findings if f.rule == rule]


def test_latest_version_is_r2_and_the_first_version_is_kept_byte_for_byte(inst):
    import yaml

    assert inst.doc.version == "decree-440-2015-r2"
    assert yaml.safe_load(inst.doc.path.read_text(encoding="utf-8"))["amends"] == {"id": "productivity2020-instruments", "version": "decree-440-2015"}
    old = regulations.load("productivity2020-instruments", "decree-440-2015")
    # applications registered under the first version keep loading it by its checksum
    assert regulations.load("productivity2020-instruments", "decree-440-2015", sha256=old.sha256) is old


# --- instrument 1: leasing ------------------------------------------------------------------------

def _lease(inst, asset, own, years, okeds=("23.61",)):
    return check_leasing(inst.component("1"), LeasingFacts(asset_value=MLN(asset), own_cash=MLN(own), term_years=years, oked_codes=okeds))


def test_programme_5_3_instrument_1_own_cash_at_least_15_percent_of_the_asset(inst):
    assert _passed(_lease(inst, "200", "30", 10), "leasing-own-share") == [True]      # 15.0 %
    assert _passed(_lease(inst, "200", "29.9", 10), "leasing-own-share") == [False]   # 14.95 %


def test_programme_5_3_instrument_1_asset_at_least_150_mln_or_75_mln_for_light_industry(inst):
    assert _passed(_lease(inst, "149.9", "30", 5), "leasing-asset-value") == [False]
    assert _passed(_lease(inst, "150", "30", 5), "leasing-asset-value") == [True]
    # light industry (OKED 13–15, the regulation's light_industry_oked): 75 mln is enough
    assert _passed(_lease(inst, "75", "15", 5, okeds=("14.13",)), "leasing-asset-value") == [True]
    assert _passed(_lease(inst, "74.9", "15", 5, okeds=("14.13",)), "leasing-asset-value") == [False]
    # wood-processing (16) is in the same priority group but is not light industry
    assert _passed(_lease(inst, "75", "15", 5, okeds=("16.10",)), "leasing-asset-value") == [False]


def test_programme_5_3_instrument_1_term_at_most_10_years(inst):
    assert _passed(_lease(inst, "200", "40", 10), "leasing-term") == [True]
    assert _passed(_lease(inst, "200", "40", 11), "leasing-term") == [False]


def test_programme_5_3_instrument_1_rate_5_percent_and_funding_80_20(inst):
    r = compute_leasing(inst.component("1"), asset_value=MLN("200"), own_cash=MLN("40"), term_years=7)
    assert r.amount == T("160000000")  # 200 − 40 mln financed by the leasing operator
    text = r.explanation("en")[-1]
    assert "rate 5% a year" in text and "80% from the budget credit and 20% from other sources" in text
    with pytest.raises(CalculationError):
        compute_reimbursement(inst.component("1"), application_date=D(2016, 1, 5), costs=[])


def test_programme_5_4_instrument_1_item_2_confirmation_within_5_working_days(inst):
    proc = inst.procedure("instrument-1")
    d = {x.step: x for x in schedule(proc, {"registered": D(2016, 3, 18)}, WorkingCalendar(), today=D(2016, 3, 18))}
    # 5 working days after Fri 18 Mar 2016: Nauryz 21–23 Mar are days off → 24, 25, 28, 29, 30 Mar
    assert d["decision"].due == D(2016, 3, 30) and d["decision"].clause.endswith("instrument 1, item 2")


# --- instrument 8: parameters of seed 002 ---------------------------------------------------------

def _cost(amount, on=D(2016, 2, 1)):
    return CostItem(T(amount), on, description="roadmap events")


def test_programme_5_3_instrument_8_amount_is_a_named_parameter_of_seed_002(inst):
    c = inst.component("8a").calculation
    assert c.parameters.id == "cluster-support-2015-2019" and c.parameters.version == "seed-002"
    r = compute_reimbursement(inst.component("8a"), application_date=D(2016, 3, 1), costs=[_cost("10000000")], support_year=1)
    assert "Decree 440 states no rate or amount" in r.explanation("en")[2]
    assert "Постановление 440 не устанавливает" in r.explanation("ru")[2]


@pytest.mark.parametrize("year, prior, expected", [
    (1, "0", "60000000"),          # 75 % of 100 mln = 75 mln → cap 60 mln a year per cluster
    (2, "50000000", "10000000"),   # 75 mln → 60 mln less 50 mln already this year
    (3, "0", "40000000"),          # 40 % in years 3–5
    (5, "0", "40000000"),
    (6, "0", "0"),                 # support for 5 years only
])
def test_seed_002_expansion_75_percent_two_years_40_percent_three_years_60_mln_a_year(inst, year, prior, expected):
    r = compute_reimbursement(inst.component("8a"), application_date=D(2016, 3, 1), costs=[_cost("100000000")], support_year=year,
                              prior=PriorUse(cluster_reimbursed_year=T(prior)))
    assert r.amount == T(expected)


def test_seed_002_expansion_needs_the_support_year(inst):
    with pytest.raises(CalculationError) as e:
        compute_reimbursement(inst.component("8a"), application_date=D(2016, 3, 1), costs=[_cost("100")])
    assert e.value.msg.code == "calc.no_support_year"
    f = check_eligibility(inst.component("8a"), ApplicantFacts(competition_stage_won=2, declarations={"not-budget-funded": True}), on=D(2016, 3, 1))
    assert _passed(f, "support-years") == [False]


def test_seed_002_engineering_centres_50_percent_at_most_100_mln_per_cluster(inst):
    comp = inst.component("8b")
    assert compute_reimbursement(comp, application_date=D(2016, 3, 1), costs=[_cost("250000000")]).amount == T("100000000")
    assert compute_reimbursement(comp, application_date=D(2016, 3, 1), costs=[_cost("250000000")], prior=PriorUse(cluster_reimbursed=T("80000000"))).amount == T("20000000")


def test_programme_5_4_instrument_8_items_2_8_completeness_2_mismatch_1_decision_6_notice_2_payment_5(inst):
    proc = inst.procedure("instrument-8")
    assert [(s.id, s.after, s.days) for s in proc.steps] == [
        ("completeness-check", "registered", 2), ("mismatch-notice", "completeness-failed", 1), ("decision", "completeness-passed", 6),
        ("decision-notice", "decided", 2), ("payment", "decided", 5)]
    d = {x.step: x.due for x in schedule(proc, {"registered": D(2016, 4, 4), "completeness-passed": D(2016, 4, 5), "decided": D(2016, 4, 12)},
                                         WorkingCalendar(), today=D(2016, 4, 12))}
    assert d["completeness-check"] == D(2016, 4, 6) and d["decision"] == D(2016, 4, 13) and d["payment"] == D(2016, 4, 19)


def test_programme_5_1_4_instrument_8_for_the_winner_of_stage_2_only(inst):
    comp = inst.component("8a")
    ok = dict(declarations={"not-budget-funded": True}, support_year=1)
    assert not is_eligible(check_eligibility(comp, ApplicantFacts(competition_stage_won=1, **ok), on=D(2016, 3, 1)))
    assert is_eligible(check_eligibility(comp, ApplicantFacts(competition_stage_won=2, **ok), on=D(2016, 3, 1)))


def test_programme_5_1_4_a_member_of_the_winning_cluster_is_not_the_winner(inst):
    """The stage is the applicant's own: a member enterprise of a cluster whose association won
    stage 2 does not meet instrument 7 (the finding names the winner)."""
    src = {"cluster_stage": 2, "title": "Competition 2016", "decided_on": "2016-02-01", "winner_name": "Association", "winner_bin": "150440000019"}
    f = check_eligibility(inst.component("7"), ApplicantFacts(competition_stage_won=0, competition=src, declarations={"not-budget-funded": True}), on=D(2016, 3, 1))
    stage = [x for x in f if x.rule == "competition-stage-won"][0]
    assert not stage.passed and stage.message.code == "stage.not_winner" and "150440000019" in str(stage.message)


# --- instrument 3 ---------------------------------------------------------------------------------

def test_programme_5_3_instrument_3_2_only_full_calendar_months_are_reimbursed(inst):
    """Application of 15 Mar 2016 (window from 15 Mar 2015). A specialist's 9 mln tenge for the
    period 10 Mar – 20 Jun 2015 (103 days): full calendar months in it and in the window are April
    and May (61 days) → 9 000 000 × 61 / 103 = 5 330 097.087… → 40 % = 2 132 038.83."""
    comp = inst.component("3b")
    cost = CostItem(T("9000000"), D(2015, 6, 25), "S. Expert", "labour", description="expert", period_start=D(2015, 3, 10), period_end=D(2015, 6, 20))
    r = compute_reimbursement(comp, application_date=D(2016, 3, 15), costs=[cost])
    assert r.amount == T("2132038.83")
    assert any("full calendar months" in s and "61 of 103 days" in s for s in r.explanation("en"))
    whole = CostItem(T("9000000"), D(2015, 6, 25), "S. Expert", "labour", description="expert", period_start=D(2015, 4, 1), period_end=D(2015, 6, 30))
    assert compute_reimbursement(comp, application_date=D(2016, 3, 15), costs=[whole]).amount == T("3600000")  # three full months: all of it
    with pytest.raises(CalculationError) as e:
        compute_reimbursement(comp, application_date=D(2016, 3, 15), costs=[CostItem(T("100"), D(2015, 6, 25), "S", "labour")])
    assert e.value.msg.code == "calc.no_period"


def test_programme_5_3_instrument_3_training_costs_item_1_one_contract_split_equally(inst):
    """One contract of 9 mln tenge for three employees: 3 mln each → 40 % = 1.2 mln each (under the
    2 mln cap) → 3.6 mln. Read as one person the cap would have bound at 2 mln."""
    comp = inst.component("3a")
    r = compute_reimbursement(comp, application_date=D(2016, 3, 15), costs=[CostItem(T("9000000"), D(2016, 2, 1), "Ivanov; Petrov; Sidorov", description="course")])
    assert r.amount == T("3600000") and set(r.unit_amounts) == {"Ivanov", "Petrov", "Sidorov"}
    assert any("one contract for 3 employee(s), 3,000,000 tenge each" in s for s in r.explanation("en"))
    # the 15-employee limit counts each trainee of the contract
    prior = PriorUse(unit_reimbursed={f"P{i}": T("1") for i in range(14)})
    r = compute_reimbursement(comp, application_date=D(2016, 3, 15), costs=[CostItem(T("9000000"), D(2016, 2, 1), "Ivanov; Petrov; Sidorov", description="course")], prior=prior)
    assert r.amount == T("1200000") and "unit-limit" in r.binding_caps


# --- documents ------------------------------------------------------------------------------------

def test_programme_5_4_item_13_14_reference_required_of_a_specialised_organisation(inst):
    comp = inst.component("3a")
    provided = set(comp.documents_required)
    assert "executor-reference" in missing_documents(comp, provided, executor_kind="specialised-organisation")
    assert "executor-reference" not in missing_documents(comp, provided, executor_kind="host-enterprise")
    row = [r for r in document_checklist(comp, executor_kind="specialised-organisation") if r["code"] == "executor-reference"][0]
    assert row["required"] and row["clause"].endswith("item 13, 14)")


def test_programme_5_4_item_13_11_12_travel_and_accommodation_documents_for_those_costs(inst):
    comp = inst.component("3a")
    provided = set(comp.documents_required)
    assert missing_documents(comp, provided, cost_kinds=("services",)) == []
    assert missing_documents(comp, provided, cost_kinds=("services", "travel", "accommodation")) == ["travel-documents", "accommodation-documents"]


def test_programme_5_4_item_15_one_document_list_for_both_components_of_instrument_4(inst):
    a, b = inst.component("4a"), inst.component("4b")
    assert a.documents_required == b.documents_required
    assert {"audit-report", "engineering-documents"} <= set(a.documents_required)


# --- executors ------------------------------------------------------------------------------------

def test_programme_5_2_feasibility_study_developer_needs_3_projects_with_positive_expertise(inst):
    comp = inst.component("2b")
    f = check_executor(comp, ExecutorFacts(kind="developer", years_experience=5, prior_projects=10, prior_projects_positive_expertise=2))
    proj = [x for x in f if x.rule == "executor-projects"][0]
    assert not proj.passed and "positive conclusion of the comprehensive extra-departmental expertise" in str(proj.message)
    f = check_executor(comp, ExecutorFacts(kind="developer", years_experience=5, prior_projects=3, prior_projects_positive_expertise=3))
    assert is_eligible(f)


# --- the declaration of §5.1 ------------------------------------------------------------------------

@pytest.mark.parametrize("component", ["2a", "2b", "3a", "3b", "4a", "4b", "5a", "5b", "7", "8a", "8b"])
def test_programme_5_1_closing_paragraphs_declaration_not_financed_from_the_budget(inst, component):
    comp = inst.component(component)
    rule = [r for r in comp.eligibility if r.id == "not-budget-funded"]
    assert rule and rule[0].clause == "Programme §5.1 (closing paragraphs)"
    f = check_eligibility(comp, ApplicantFacts(declarations={}), on=D(2016, 3, 1))
    assert _passed(f, "declaration:not-budget-funded") == [False]
