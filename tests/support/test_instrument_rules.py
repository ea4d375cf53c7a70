"""Support instruments of "Productivity 2020" as rules (seed 004, programme §5; regulations.md §7).

Worked examples are computed by hand in the comments; every cap of the act is hit at least once.
"""

import datetime as dt
from decimal import Decimal

import pytest

from klaster.common.calendar import WorkingCalendar
from klaster.common.money import Money
from klaster.engine.support import (
    ApplicantFacts,
    CalculationError,
    CostItem,
    ExecutorFacts,
    PriorUse,
    check_eligibility,
    check_executor,
    compute_reimbursement,
    document_checklist,
    is_eligible,
    load_instruments,
    missing_documents,
    schedule,
    window_start,
)

D = dt.date
T = lambda s: Money(s, "tenge")  # noqa: E731
MLN = lambda s: Money(s, "mln tenge")  # noqa: E731


@pytest.fixture(scope="module")
def inst():
    return load_instruments("decree-440-2015")


# --- the data says what the act says (clause by clause) ---------------------------------------

@pytest.mark.parametrize(
    "component, rate, window, clause",
    [
        ("2a", "0.50", None, "§5.3, instrument 2, 1)"),
        ("2b", "0.50", 12, "§5.3, instrument 2, 2)"),
        ("3a", "0.40", 6, "§5.3, instrument 3, 1)"),
        ("3b", "0.40", 12, "§5.3, instrument 3, 2)"),
        ("4a", "0.50", 6, "§5.3, instrument 4, 1)"),
        ("4b", "0.40", 6, "§5.3, instrument 4, 2)"),
        ("5a", "0.40", 6, "§5.3, instrument 5, 1)"),
        ("5b", "0.40", 6, "§5.3, instrument 5, 2)"),
        ("7", "0.50", None, "§5.3, instrument 7"),
    ],
)
def test_programme_5_3_rates_and_windows(inst, component, rate, window, clause):
    c = inst.component(component).calculation
    assert c.rate == Decimal(rate)
    assert c.window_months == window
    assert clause in c.clause
    for cap in c.caps:
        assert cap.clause, "every cap carries its clause"


def test_programme_5_3_every_instrument_listed(inst):
    assert [i.id for i in inst.instruments] == [str(n) for n in range(1, 9)]
    assert inst.instrument("6").not_in_seed
    lease = inst.instrument("1").leasing
    assert lease["min_own_share"] == "0.15" and lease["max_term_years"] == 10 and lease["applicant_rate"] == "0.05"


# --- worked reimbursement examples -----------------------------------------------------------

def test_instrument_3_1_training_per_employee_cap_employee_limit_and_window(inst):
    """Application of 15 Sep 2015; window from 15 Mar 2015 (6 months).

    Already this year: 13 employees (E and P1..P12), E got 1.5 mln.
    A: 6.0 mln → 40% = 2.4 mln → capped at 2 mln per employee.
    A (old cost of 14 Mar 2015): outside the window, excluded.
    E: 3.0 mln → 1.2 mln → only 0.5 mln left of E's 2 mln this year.
    B: 1.0 mln on 15 Mar 2015 (first day of the window) → 0.4 mln; B is the 15th employee.
    C, D: 16th and 17th employees this year → refused (at most 15 a year).
    Total 2.0 + 0.5 + 0.4 = 2.9 mln tenge.
    """
    prior = PriorUse(unit_reimbursed={"E": MLN("1.5"), **{f"P{i}": MLN("1") for i in range(1, 13)}})
    costs = [
        CostItem(MLN("6"), D(2015, 8, 1), "A", description="A course"),
        CostItem(MLN("1"), D(2015, 3, 14), "A", description="A old"),
        CostItem(MLN("3"), D(2015, 9, 1), "E"),
        CostItem(MLN("1"), D(2015, 3, 15), "B"),
        CostItem(MLN("1"), D(2015, 9, 1), "C"),
        CostItem(MLN("1"), D(2015, 9, 1), "D"),
    ]
    r = compute_reimbursement(inst.component("3a"), application_date=D(2015, 9, 15), costs=costs, prior=prior)
    assert r.amount == MLN("2.9")
    assert r.claimed == MLN("13")
    assert r.eligible_cost == MLN("12")
    assert r.binding_caps.count("unit-cap") == 2
    assert r.binding_caps.count("unit-limit") == 2
    codes = [s.code for s in r.steps]
    assert codes.count("excluded-window") == 1
    assert all(s.clause for s in r.steps if s.binding)


def test_instrument_3_2_experts_labour_only_specialist_cap_and_limit(inst):
    """Application of 20 Jan 2016; 12-month window from 20 Jan 2015.

    X: labour 25 mln → 10 mln → capped at 9 mln per specialist a year; X's travel 2 mln is not
    labour → excluded. Y: 5 mln → 2 mln. Z: 1 mln → 0.4 mln. W: fourth specialist → refused.
    Total 11.4 mln tenge.
    """
    costs = [
        CostItem(MLN("25"), D(2015, 6, 1), "X", kind="labour"),
        CostItem(MLN("2"), D(2015, 6, 1), "X", kind="travel"),
        CostItem(MLN("5"), D(2015, 2, 1), "Y", kind="labour"),
        CostItem(MLN("1"), D(2015, 1, 20), "Z", kind="labour"),
        CostItem(MLN("1"), D(2015, 12, 1), "W", kind="labour"),
    ]
    r = compute_reimbursement(inst.component("3b"), application_date=D(2016, 1, 20), costs=costs)
    assert r.amount == MLN("11.4")
    assert "unit-cap" in r.binding_caps and "unit-limit" in r.binding_caps
    assert [s.code for s in r.steps].count("excluded-kind") == 1


def test_instrument_2_2_fixed_cap_and_two_percent_of_construction(inst):
    """Feasibility study costing 40 mln → 50% = 20 mln; cap 15 mln; then 2% of 500 mln CIW = 10 mln."""
    c = inst.component("2b")
    costs = [CostItem(MLN("40"), D(2015, 5, 1))]
    r = compute_reimbursement(c, application_date=D(2015, 9, 1), costs=costs, bases={"construction-installation-cost": MLN("500")})
    assert r.gross == MLN("20")
    assert r.amount == MLN("10")
    assert r.binding_caps == ("cap-fixed", "cap-share-of-base")
    # with a 2 bn CIW, 2% = 40 mln does not bind: the fixed cap decides
    r2 = compute_reimbursement(c, application_date=D(2015, 9, 1), costs=costs, bases={"construction-installation-cost": Money("2", "bn tenge")})
    assert r2.amount == MLN("15") and r2.binding_caps == ("cap-fixed",)
    with pytest.raises(CalculationError, match="construction-installation-cost"):
        compute_reimbursement(c, application_date=D(2015, 9, 1), costs=costs)


def test_instrument_2_1_cap_and_rounding(inst):
    """4,000,001 tenge → 50% = 2,000,000.50 → capped at 2 mln; 3,000,001 → 1,500,000.50 (kept)."""
    c = inst.component("2a")
    r = compute_reimbursement(c, application_date=D(2015, 9, 1), costs=[CostItem(T("4000001"), D(2015, 1, 1))])
    assert r.amount == T("2000000") and r.binding_caps == ("cap-fixed",)
    r = compute_reimbursement(c, application_date=D(2015, 9, 1), costs=[CostItem(T("3000001"), D(2015, 1, 1))])
    assert r.amount == T("1500000.50") and r.binding_caps == ()


def test_rounding_half_up_to_the_tiyn(inst):
    """1,234,567.89 × 40% = 493,827.156 → 493,827.16."""
    r = compute_reimbursement(inst.component("5a"), application_date=D(2015, 9, 1), costs=[CostItem(T("1234567.89"), D(2015, 8, 1))])
    assert r.amount == T("493827.16")
    assert "rounding" in [s.code for s in r.steps]


@pytest.mark.parametrize("size, expected", [("sme", "8"), ("large", "10")])
def test_instrument_4_1_cap_by_enterprise_size(inst, size, expected):
    """Diagnostics 20 mln → 50% = 10 mln; SME cap 8 mln binds, the large-enterprise cap of 16 mln does not."""
    r = compute_reimbursement(inst.component("4a"), application_date=D(2015, 9, 1), costs=[CostItem(MLN("20"), D(2015, 8, 1))], enterprise_size=size)
    assert r.amount == MLN(expected)


def test_instrument_4_1_needs_the_size(inst):
    with pytest.raises(CalculationError, match="enterprise_size"):
        compute_reimbursement(inst.component("4a"), application_date=D(2015, 9, 1), costs=[CostItem(MLN("1"), D(2015, 8, 1))])


@pytest.mark.parametrize("component, cost, expected, bound", [("4b", "100", "30", True), ("5a", "10", "4", False), ("5b", "50", "15", True)])
def test_instruments_4_2_and_5_fixed_caps(inst, component, cost, expected, bound):
    """4b: 40% of 100 = 40 → 30. 5a: 40% of 10 = 4 (cap 5 not reached). 5b: 40% of 50 = 20 → 15."""
    r = compute_reimbursement(inst.component(component), application_date=D(2015, 9, 1), costs=[CostItem(MLN(cost), D(2015, 8, 1))])
    assert r.amount == MLN(expected)
    assert ("cap-fixed" in r.binding_caps) is bound


def test_instrument_7_per_cluster_cap_less_prior(inst):
    """Strategy and roadmap 20 mln → 50% = 10 mln; cluster already received 10 of its 15 mln → 5 mln."""
    r = compute_reimbursement(inst.component("7"), application_date=D(2016, 3, 1), costs=[CostItem(MLN("20"), D(2016, 1, 10))], prior=PriorUse(cluster_reimbursed=MLN("10")))
    assert r.amount == MLN("5") and r.binding_caps == ("cap-per-cluster",)
    r = compute_reimbursement(inst.component("7"), application_date=D(2016, 3, 1), costs=[CostItem(MLN("40"), D(2016, 1, 10))])
    assert r.amount == MLN("15")


def test_instrument_8_has_no_amount_in_the_act(inst):
    with pytest.raises(CalculationError, match="cannot be computed"):
        compute_reimbursement(inst.component("8"), application_date=D(2016, 3, 1), costs=[CostItem(MLN("1"), D(2016, 1, 1))])


def test_programme_5_1_no_double_funding_and_costs_after_application(inst):
    costs = [
        CostItem(MLN("10"), D(2015, 8, 1), budget_funded=True),
        CostItem(MLN("10"), D(2015, 9, 2)),
        CostItem(MLN("10"), D(2015, 8, 1)),
    ]
    r = compute_reimbursement(inst.component("5b"), application_date=D(2015, 9, 1), costs=costs)
    assert r.eligible_cost == MLN("10") and r.amount == MLN("4")
    codes = [s.code for s in r.steps]
    assert "excluded-double-funding" in codes and "excluded-after-application" in codes


def test_per_unit_cost_without_unit_is_refused(inst):
    with pytest.raises(CalculationError, match="employee"):
        compute_reimbursement(inst.component("3a"), application_date=D(2015, 9, 1), costs=[CostItem(MLN("1"), D(2015, 8, 1))])


def test_explanation_in_three_languages(inst):
    r = compute_reimbursement(inst.component("4b"), application_date=D(2015, 9, 1), costs=[CostItem(MLN("100"), D(2015, 8, 1))])
    en, ru, kk = r.explanation("en"), r.explanation("ru"), r.explanation("kk")
    assert any("30,000,000" in s and "§5.3, instrument 4, 2)" in s for s in en)
    assert any("30 000 000" in s and "Ограничение" in s for s in ru)
    assert len(kk) == len(en) and kk != en


def test_window_start_clamps_to_month_end():
    assert window_start(D(2015, 8, 31), 6) == D(2015, 2, 28)
    assert window_start(D(2016, 8, 31), 6) == D(2016, 2, 29)


# --- eligibility, executors, documents --------------------------------------------------------

def test_programme_5_1_3_priority_oked_and_one_year(inst):
    c = inst.component("3a")
    ok = ApplicantFacts(oked_codes=("10.51.1",), activity_since=D(2014, 9, 15))
    f = check_eligibility(c, ok, on=D(2015, 9, 15))
    assert is_eligible(f)
    short = ApplicantFacts(oked_codes=("10.51.1",), activity_since=D(2014, 9, 16))
    assert not is_eligible(check_eligibility(c, short, on=D(2015, 9, 15)))
    retail = ApplicantFacts(oked_codes=("47.11",), activity_since=D(2010, 1, 1))
    f = check_eligibility(c, retail, on=D(2015, 9, 15))
    assert [x.passed for x in f] == [False, True]


def test_programme_5_1_4_competition_stage(inst):
    assert not is_eligible(check_eligibility(inst.component("7"), ApplicantFacts(competition_stage_won=0), on=D(2016, 1, 1)))
    assert is_eligible(check_eligibility(inst.component("7"), ApplicantFacts(competition_stage_won=1), on=D(2016, 1, 1)))
    assert not is_eligible(check_eligibility(inst.component("8"), ApplicantFacts(competition_stage_won=1), on=D(2016, 1, 1)))
    assert is_eligible(check_eligibility(inst.component("8"), ApplicantFacts(competition_stage_won=2), on=D(2016, 1, 1)))


def test_programme_5_1_2_declarations(inst):
    c = inst.component("2b")
    facts = ApplicantFacts(oked_codes=("23.51",), activity_since=D(2010, 1, 1), declarations={"in-industrialisation-map": True})
    f = check_eligibility(c, facts, on=D(2015, 9, 1))
    assert [x.rule for x in f if not x.passed] == ["declaration:positive-state-expertise"]


@pytest.mark.parametrize(
    "component, executor, ok",
    [
        ("5a", ExecutorFacts("consultant", years_experience=3, prior_projects=1), False),
        ("5a", ExecutorFacts("consultant", years_experience=3, prior_projects=2), True),
        ("3b", ExecutorFacts("expert", years_experience=4), False),
        ("3b", ExecutorFacts("expert", years_experience=5), True),
        ("3a", ExecutorFacts("host-enterprise", years_experience=4), False),
        ("3a", ExecutorFacts("specialised-organisation", years_experience=3, prior_projects=3), True),
        ("4b", ExecutorFacts("consultant", years_experience=3, prior_projects=1, licence_required=True, has_licence=False), False),
        ("4b", ExecutorFacts("expert", years_experience=10), False),
        ("7", ExecutorFacts("anyone"), True),
    ],
)
def test_programme_5_2_executor_qualification(inst, component, executor, ok):
    assert is_eligible(check_executor(inst.component(component), executor)) is ok


def test_programme_5_4_instrument_7_documents(inst):
    c = inst.component("7")
    assert missing_documents(c, {"strategy-roadmap"}) == ["contract", "act", "invoice", "payment"]
    rows = document_checklist(c, {"strategy-roadmap", "contract"})
    assert [r["provided"] for r in rows] == [True, True, False, False, False]
    for code in c.documents_required:
        assert set(inst.documents[code]) >= {"kk", "ru", "en"}


# --- processing deadlines on the working calendar (real 2024 dates) ---------------------------

CAL = WorkingCalendar()


def test_programme_5_4_direct_deadlines_over_nauryz_and_may_holidays(inst):
    """Registered Wed 20 Mar 2024. Nauryz: 21, 22, 25 March off (23–24 weekend).

    completeness 3 wd → 26, 27, 28 March → due 28 Mar; passed 28 Mar → decision 7 wd →
    29 Mar, 1–5 Apr, 8 Apr → due 8 Apr; decided 8 Apr → notice 2 wd → 10 Apr;
    agreement signed Mon 29 Apr → payment 5 wd: 30 Apr, (1 May holiday) 2, 3 May,
    Sat 4 May (working Saturday), 6 May → due 6 May.
    """
    p = inst.procedure("direct-2-5")
    ev = {"registered": D(2024, 3, 20), "completeness-passed": D(2024, 3, 28), "decided": D(2024, 4, 8), "agreement-signed": D(2024, 4, 29)}
    due = {d.step: d.due for d in schedule(p, ev, CAL, today=D(2024, 5, 7))}
    assert due == {"completeness-check": D(2024, 3, 28), "decision": D(2024, 4, 8), "decision-notice": D(2024, 4, 10), "payment": D(2024, 5, 6)}


def test_programme_5_4_statuses_and_projection(inst):
    p = inst.procedure("direct-2-5")
    rows = {d.step: d for d in schedule(p, {"registered": D(2024, 3, 20)}, CAL, today=D(2024, 3, 29))}
    assert rows["completeness-check"].status == "overdue"
    assert rows["decision"].status == "pending" and rows["decision"].provisional
    # projected from the completeness due date 28 Mar: 7 wd → 8 Apr
    assert rows["decision"].due == D(2024, 4, 8)
    assert rows["payment"].due is None
    done = {d.step: d for d in schedule(p, {"registered": D(2024, 3, 20), "completeness-passed": D(2024, 3, 29)}, CAL, today=D(2024, 3, 29))}
    assert done["completeness-check"].status == "done" and done["completeness-check"].late


def test_programme_5_4_instrument_7_deadlines(inst):
    """Registered 13 Dec 2024 (Fri); 16 Dec Independence Day → completeness due 18 Dec.
    Found incomplete 18 Dec → mismatch notice 1 wd → 19 Dec."""
    p = inst.procedure("instrument-7")
    rows = {d.step: d for d in schedule(p, {"registered": D(2024, 12, 13), "completeness-failed": D(2024, 12, 18)}, CAL, today=D(2024, 12, 18))}
    assert rows["completeness-check"].due == D(2024, 12, 18)
    assert rows["mismatch-notice"].due == D(2024, 12, 19)
    assert rows["expertise"].due is None
