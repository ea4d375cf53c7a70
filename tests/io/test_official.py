"""Validation on official published tables (data: ``klaster data fetch``; see docs/io.md).

- Scottish Government IO 2019 and 2016: Type I/II Leontief inverses and multipliers ≤ 1e-6;
- ONS UK 2019: A, Leontief inverse, Type I effects and multipliers ≤ 1e-9;
- Eurostat Germany 1995, UN Netherlands 2000, ABS 1989-90, Miller & Blair ch. 2 (printed figures).
"""

import numpy as np
import pytest

from klaster.observatory.io import official, validation


@pytest.fixture(scope="module")
def scot2019():
    return official.scotland(2019), official.scotland_published(2019)


def test_scotland_2019_leontief_inverses(scot2019):
    t, p = scot2019
    assert t.n == 98
    # published sheets store L × 1000; the CSV extracts are L itself
    assert np.abs(t.L.to_numpy() - p["L1"].to_numpy()).max() <= 1e-6
    assert np.abs(t.L_type_ii(156_241).to_numpy() - p["L2"].to_numpy()).max() <= 1e-6
    assert list(p["L2"].index)[-1] == "HH"


def test_scotland_2019_divisor_matters(scot2019):
    """Dividing household consumption by total compensation of employees instead of £156,241m fails."""
    t, p = scot2019
    wrong = t.L_type_ii(float(t.compensation.sum())).to_numpy()
    assert np.abs(wrong - p["L2"].to_numpy()).max() > 1e-3


@pytest.mark.parametrize("year", [2019, 2016])
def test_scotland_published_multipliers(year):
    table = validation.scotland(year)
    assert len(table) == 16
    bad = table[~table["pass"]]
    assert bad.empty, bad.to_string()
    # everything except the employment ratio multipliers holds in absolute terms
    absolute = table[~table.index.str.endswith("Employment multiplier")]
    assert (absolute["max abs diff"] <= 1e-6).all()


def test_scotland_employment_multiplier_reconstruction_limit(scot2019):
    """The implied employment vector limits the employment ratio multiplier of gas distribution (docs/io.md)."""
    t, p = scot2019
    m = t.multipliers("I")["Employment multiplier"]
    diff = (m - p["M1"]["Employment multiplier"]).abs()
    assert diff.drop("35.2-3").max() <= 1e-6
    assert diff["35.2-3"] / p["M1"].loc["35.2-3", "Employment multiplier"] <= 1e-6


def test_uk_2019_a_leontief_and_type_i():
    table = validation.uk_2019()
    bad = table[~table["pass"]]
    assert bad.empty, bad.to_string()
    assert table.loc["Leontief inverse", "compared"] == 105 * 105
    assert (table["max abs diff"] <= 1e-9).all()


def test_uk_2019_unbalanced_variant_is_rejected():
    from klaster.observatory.io import IOTable, IOTableError

    u = official.uk_2019()
    fd = u.final_demand.copy()
    fd.iloc[3, 0] += 10.0
    with pytest.raises(IOTableError, match=r"row 'B05' does not balance: .* = \+10"):
        IOTable.from_flows(u.Z, u.x, final_demand=fd, atol=1e-3)


def test_textbook_tables():
    table = validation.textbook()
    bad = table[~table["pass"]]
    assert bad.empty, bad.to_string()


def test_germany_1995_output_multipliers_printed():
    m = official.germany_1995().multipliers()["Output multiplier"].round(4)
    assert list(m) == [1.7048, 1.8413, 1.8136, 1.6035, 1.5951, 1.3782]


def test_netherlands_2000_compensation_multipliers_printed():
    m = official.netherlands_2000().multipliers()["Income multiplier"]
    np.testing.assert_allclose(m, [2.466, 2.333, 1.84, 2.372, 1.953, 1.417], atol=5e-4)


def test_abs_type_i_tables():
    a = official.abs_1989()
    pub = official.abs_1989_published()
    np.testing.assert_allclose(a.L.to_numpy(), pub.iloc[:, :7].to_numpy(), atol=1e-4)
    m = a.multipliers()
    np.testing.assert_allclose(m["Output multiplier"], pub["simple_output_mult"], atol=1e-4)
    np.testing.assert_allclose(m["Income effect"], pub["income_simple"], atol=1e-4)
    assert (m["Employment effect"].round().to_numpy() == pub["emp_simple"].to_numpy()).all()
