"""Co-financing (70/30, 50/50), annual caps, counter-obligation variance, effects, ranking."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from klaster.common.calendar import WorkingCalendar
from klaster.common.money import Money
from klaster.engine.programmes.cofinancing import CofinancingError, check_annual_caps, split_cost
from klaster.engine.programmes.effects import check_printed, effect_pct
from klaster.engine.programmes.monitoring import quarter_end, report_due, variance
from klaster.engine.programmes.ranking import Indicator, Methodology, RankingError, perturbed_weights, sensitivity

MLN = lambda s: Money(s, "mln tenge")  # noqa: E731


def test_seed_000_priority_direction_70_30():
    s = split_cost(MLN("372.4"), "priority-direction")
    assert (s.state, s.participants) == (MLN("260.7"), MLN("111.7"))
    assert "seed 000" in s.clause


def test_seed_000_business_initiative_50_50():
    s = split_cost(MLN("65"), "business-initiative")
    assert s.state == s.participants == MLN("32.5")


def test_unknown_direction_is_refused():
    with pytest.raises(CofinancingError, match="priority-direction"):
        split_cost(MLN("1"), "grant")


def test_seed_003_annual_line_112_mln_alert():
    alerts = check_annual_caps({2022: MLN("112"), 2023: MLN("150.5"), 2024: Money("0.2", "bn tenge")})
    assert [(a.year, a.excess) for a in alerts] == [(2023, MLN("38.5")), (2024, MLN("88"))]


def test_variance_and_alert():
    v = variance("50", "45")
    assert v.difference == Decimal("-5") and v.percent == Decimal("-10.0") and v.missed
    assert not variance("50", "50").missed
    # a cost indicator (lower is better)
    assert variance("100", "110", higher_is_better=False).missed
    assert variance(0, 1).percent is None


def test_quarterly_report_due_in_working_days():
    """Q1 2024 ends Sun 31 Mar; 10 working days → 1–5 and 8–12 April → 12 Apr 2024."""
    assert quarter_end(2024, 1) == dt.date(2024, 3, 31)
    assert quarter_end(2024, 4) == dt.date(2024, 12, 31)
    assert report_due(2024, 1, WorkingCalendar()) == dt.date(2024, 4, 12)
    with pytest.raises(ValueError):
        quarter_end(2024, 5)


def test_effect_and_printed_check():
    assert effect_pct("100", "134") == Decimal("34")
    chk = check_printed("15568", "29170", "88")
    assert chk.computed == Decimal("87.4") and not chk.matches
    with pytest.raises(ValueError):
        effect_pct(0, 1)


# --- ranking ---------------------------------------------------------------------------------

def _two(w1):
    return Methodology("two", (Indicator("a", w1), Indicator("b", round(1 - w1, 10))))


@pytest.mark.parametrize("method", ["TOPSIS", "VIKOR", "PROMETHEE_II"])
def test_dominating_cluster_ranks_first(method):
    data = pd.DataFrame({"a": [10, 5, 1], "b": [9, 4, 2], "c": [1, 3, 5]}, index=["X", "Y", "Z"])
    m = Methodology("dom", (Indicator("a", 0.4), Indicator("b", 0.4), Indicator("c", 0.2, benefit=False)), method=method)
    r = m.rank(data)
    assert list(r.index) == ["X", "Y", "Z"] and list(r["rank"]) == [1, 2, 3]


def test_topsis_two_clusters_closeness_is_the_weight():
    """Min-max normalised A=(1,0), B=(0,1): closeness of A = w1 / (w1 + w2) = w1."""
    data = pd.DataFrame({"a": [10, 0], "b": [0, 9]}, index=["A", "B"])
    r = _two(0.52).rank(data)
    assert r.loc["A", "score"] == pytest.approx(0.52) and r.loc["B", "score"] == pytest.approx(0.48)


def test_sensitivity_reports_the_swaps():
    """w = (0.52, 0.48): +10% on b (0.528 > 0.52) and −10% on a (0.468 < 0.48) swap A and B."""
    data = pd.DataFrame({"a": [10, 0], "b": [0, 9]}, index=["A", "B"])
    s = sensitivity(_two(0.52), data).set_index(["indicator", "change"])
    assert s.loc[("b", "+10%"), "swaps"] == [("A", "B")]
    assert s.loc[("a", "-10%"), "swaps"] == [("A", "B")]
    assert s.loc[("a", "+10%"), "swaps"] == [] and s.loc[("b", "-10%"), "positions_moved"] == 0
    assert s.loc[("b", "+10%"), "positions_moved"] == 2


def test_perturbed_weights_sum_to_one():
    w = perturbed_weights(np.array([0.5, 0.3, 0.2]), 1, 0.1)
    assert w.sum() == pytest.approx(1) and w[1] == pytest.approx(0.33 / 1.03)


def test_methodology_validation_names_the_parameter():
    with pytest.raises(RankingError, match="sum to 1"):
        Methodology("x", (Indicator("a", 0.5), Indicator("b", 0.6))).validate()
    with pytest.raises(RankingError, match="method"):
        Methodology("x", (Indicator("a", 0.5), Indicator("b", 0.5)), method="AHP").validate()
    with pytest.raises(RankingError, match="missing"):
        _two(0.5).rank(pd.DataFrame({"a": [1, 2]}, index=["A", "B"]))
    m = _two(0.5)
    assert Methodology.from_dict(m.to_dict()) == m
