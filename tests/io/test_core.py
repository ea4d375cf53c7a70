"""The Leontief core: hand-worked examples (Miller & Blair 2009, ch. 2), properties, malformed input."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.observatory.io import IOTable, IOTableError, core

MB_Z = [[150.0, 500.0], [200.0, 100.0]]
MB_X = [1000.0, 2000.0]


def test_miller_blair_two_sector_example():
    A = core.calc_A(MB_Z, MB_X)
    np.testing.assert_allclose(A, [[0.15, 0.25], [0.20, 0.05]], atol=1e-15)
    L = core.calc_L(A)
    np.testing.assert_allclose(L, [[1.2541, 0.3300], [0.2640, 1.1221]], atol=5e-5)
    # closed form of the 2 × 2 inverse: det(I − A) = 0.85·0.95 − 0.25·0.20 = 0.7575
    np.testing.assert_allclose(L, np.array([[0.95, 0.25], [0.20, 0.85]]) / 0.7575, rtol=1e-14)
    # M&B §2.3: final demand f = x − Z i = (350, 1700) reproduces output (1000, 2000)
    np.testing.assert_allclose(core.impact(core.factorise(A), [350.0, 1700.0]), MB_X, rtol=1e-12)
    # output multipliers are the column sums of L
    np.testing.assert_allclose(core.output_multipliers(core.factorise(A)), (np.array([1.15, 1.10])) / 0.7575, rtol=1e-14)


def test_type_ii_closure_by_hand():
    # households: labour income 0.3 and 0.25 per unit output; consumption 100, 300; income 1000
    A = core.calc_A(MB_Z, MB_X)
    Ab = core.close_households(A, [0.3, 0.25], [100.0, 300.0], 1000.0)
    expected = np.array([[0.15, 0.25, 0.1], [0.20, 0.05, 0.3], [0.3, 0.25, 0.0]])
    np.testing.assert_allclose(Ab, expected, atol=1e-15)
    Lb = np.linalg.inv(np.eye(3) - expected)
    t = IOTable.from_flows(MB_Z, MB_X, compensation=[300.0, 500.0], household_consumption=[100.0, 300.0],
                           household_income=1000.0, check=False)
    np.testing.assert_allclose(t.L_type_ii().to_numpy(), Lb, rtol=1e-12)
    m2 = t.multipliers("II")
    np.testing.assert_allclose(m2["Output multiplier"], Lb[:2, :2].sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(m2["Income effect"], Lb[2, :2], rtol=1e-12)
    np.testing.assert_allclose(m2["Income multiplier"], Lb[2, :2] / np.array([0.3, 0.25]), rtol=1e-12)


def test_household_income_must_be_positive():
    with pytest.raises(IOTableError, match="household income"):
        core.close_households(np.zeros((2, 2)), [0.1, 0.1], [1, 1], 0.0)
    t = IOTable.from_flows(MB_Z, MB_X, compensation=[300.0, 500.0], household_consumption=[100.0, 300.0], check=False)
    with pytest.raises(IOTableError, match="household income"):
        t.multipliers("II")


def test_ghosh_and_linkages_by_hand():
    B = core.calc_B(MB_Z, MB_X)
    np.testing.assert_allclose(B, [[0.15, 0.5], [0.1, 0.05]], atol=1e-15)
    G = core.calc_G(B)
    # x' = v' G with v = x − column sums of Z (M&B eq. 12.10)
    v = np.array(MB_X) - np.array(MB_Z).sum(axis=0)
    np.testing.assert_allclose(v @ G, MB_X, rtol=1e-12)
    L = core.calc_L(core.calc_A(MB_Z, MB_X))
    bl, fl, key = core.rasmussen_hirschman(L, G)
    assert bl.mean() == pytest.approx(1.0) and fl.mean() == pytest.approx(1.0)
    np.testing.assert_allclose(bl, 2 * L.sum(axis=0) / L.sum())
    assert list(key) == [bool(b > 1 and f > 1) for b, f in zip(bl, fl)]


def test_hypothetical_extraction_by_hand():
    A = core.calc_A(MB_Z, MB_X)
    y = np.array([350.0, 1700.0])
    total, by = core.hypothetical_extraction(A, y, 0)
    # without sector 1, sector 2 alone: x2 = 1700 / (1 − 0.05)
    x2 = 1700 / 0.95
    np.testing.assert_allclose(by, [1000.0, 2000.0 - x2], rtol=1e-12)
    assert float(total) == pytest.approx(3000.0 - x2)


def test_zero_output_sector_gets_zero_column_and_zero_ratio_multiplier():
    Z = [[10.0, 0.0], [5.0, 0.0]]
    t = IOTable.from_flows(Z, [100.0, 0.0], compensation=[20.0, 0.0], check=False)
    assert (t.A.iloc[:, 1] == 0).all()
    m = t.multipliers()
    assert m["Output multiplier"].iloc[1] == pytest.approx(1.0)
    assert m["Income multiplier"].iloc[1] == 0.0


@st.composite
def tables(draw):
    n = draw(st.integers(2, 8))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    A = rng.uniform(0, 1, (n, n)) * rng.uniform(0.05, 0.5, n) / n  # column sums < 0.5
    x = rng.uniform(10, 1000, n)
    coe = x * rng.uniform(0.05, 0.4, n)  # with A, industry columns of Ā sum to < 0.9
    cons = rng.dirichlet(np.ones(n)) * coe.sum() * 0.8  # households spend 80% of income locally
    return A, x, coe, cons, float(coe.sum())


@settings(max_examples=60, deadline=None)
@given(tables())
def test_properties_type_ii_exceeds_type_i_and_multipliers_at_least_one(data):
    A, x, coe, cons, income = data
    t = IOTable.from_coefficients(A, x, compensation=coe, gva=coe * 1.5, employment=x / 10,
                                  household_consumption=cons, household_income=income)
    m1, m2 = t.multipliers("I"), t.multipliers("II")
    assert (m1["Output multiplier"] >= 1 - 1e-12).all()
    assert (m1["Income multiplier"] >= 1 - 1e-12).all()
    assert (m1["Employment multiplier"] >= 1 - 1e-12).all()
    for c in m1.columns:
        assert (m2[c] >= m1[c] - 1e-12).all(), c
    # LU solves equal the dense inverse
    L = np.linalg.inv(np.eye(len(x)) - A)
    np.testing.assert_allclose(m1["Output multiplier"], L.sum(axis=0), rtol=1e-10)
    dy = np.random.default_rng(0).normal(size=(len(x), 3))
    np.testing.assert_allclose(t.impact(dy).to_numpy(), L @ dy, rtol=1e-9, atol=1e-12)
    # Type II impact equals L̄ restricted to industries
    Lb = t.L_type_ii().to_numpy()
    np.testing.assert_allclose(t.impact(dy, type="II").to_numpy(), Lb[:-1, :-1] @ dy, rtol=1e-9, atol=1e-12)


def test_impact_summary_uses_direct_coefficients():
    t = IOTable.from_flows(MB_Z, MB_X, compensation=[300.0, 500.0], employment=[10.0, 40.0], check=False)
    dx = t.impact(pd.DataFrame({"s": [100.0, 0.0]}, index=t.labels))
    s = t.impact_summary(dx)
    np.testing.assert_allclose(s.loc["s", "income"], 0.3 * dx.iloc[0, 0] + 0.25 * dx.iloc[1, 0])
    np.testing.assert_allclose(s.loc["s", "employment"], 0.01 * dx.iloc[0, 0] + 0.02 * dx.iloc[1, 0])
    with pytest.raises(IOTableError, match="unknown sector 'x'"):
        t.impact(pd.DataFrame({"s": [1.0]}, index=["x"]))


@pytest.mark.parametrize(
    "Z, x, fd, message",
    [
        ([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [10, 10], None, "square"),
        ([[1.0, -2.0], [3.0, 4.0]], [10, 10], None, "negative flow -2 at row '1', column '2'"),
        ([[1.0, np.nan], [3.0, 4.0]], [10, 10], None, "row '1', column '2'"),
        ([[1.0, 2.0], [3.0, 4.0]], [10, 10], [[7.0], [1.0]], r"row '2' does not balance: .* = -2"),
    ],
)
def test_malformed_tables_name_row_column_and_imbalance(Z, x, fd, message):
    with pytest.raises(IOTableError, match=message):
        IOTable.from_flows(Z, x, final_demand=fd)


def test_column_balance_and_unproductive_coefficients():
    with pytest.raises(IOTableError, match=r"column '1' does not balance: .* = \+5"):
        core.check_balance([[1.0, 2.0], [3.0, 4.0]], [10.0, 10.0], inputs=[[11.0, 4.0]])
    with pytest.raises(IOTableError, match="column 'b'.*must be < 1"):
        IOTable.from_coefficients([[0.5, 0.6], [0.1, 0.5]], labels=["a", "b"])
    with pytest.raises(IOTableError, match="singular"):
        core.factorise(np.array([[1.0, 0.0], [0.0, 0.5]]))


def test_factorisation_of_c_and_fortran_ordered_tables_gives_the_same_solutions():
    # The C-ordered I − A is factorised through its transposed (Fortran) view without a copy;
    # both layouts must solve (I − A) x = y and (I − A)ᵀ x = y alike (Miller & Blair ch. 2 table).
    import numpy as np

    from klaster.observatory.io import core

    A = np.array([[0.15, 0.25], [0.20, 0.05]])
    y = np.array([350.0, 1700.0])  # final demand: x − Z·1 = (1000 − 650, 2000 − 300)
    c = core.factorise(np.ascontiguousarray(A))
    f = core.factorise(np.asfortranarray(A))
    assert c.transposed and not f.transposed
    x = np.linalg.solve(np.eye(2) - A, y)
    xt = np.linalg.solve((np.eye(2) - A).T, y)
    for lu in (c, f):
        assert np.allclose(core.solve(lu, y), x, atol=1e-12)
        assert np.allclose(core.solve(lu, y, transpose=True), xt, atol=1e-12)
    # x = (1000, 2000) is the textbook's gross output for this final demand
    assert np.allclose(x, [1000.0, 2000.0])


@settings(max_examples=60, deadline=None)
@given(tables())
def test_closed_system_through_the_type_i_lu_equals_the_explicit_closed_factorisation(data):
    """Type II via block elimination on the LU of I − A (Miyazawa's partitioned inverse) solves
    the same systems as an explicit factorisation of the (n+1) × (n+1) matrix Ī − Ā."""
    A, x, coe, cons, income = data
    n = len(x)
    h = coe / x
    closed = core.closed_lu(core.factorise(A), h, cons, income)
    explicit = core.type_ii_system(A, h, cons, income)
    rhs = np.random.default_rng(n).normal(size=(n + 1, 4))
    for tr in (False, True):
        np.testing.assert_allclose(core.solve(closed, rhs, transpose=tr), core.solve(explicit, rhs, transpose=tr),
                                   rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(core.solve(closed, rhs[:, 0], transpose=tr), core.solve(explicit, rhs[:, 0], transpose=tr),
                                   rtol=1e-9, atol=1e-12)
    # Miyazawa: the household-household entry of L̄ is k = 1 / (1 − h_r L h_c)
    Lb = np.linalg.inv(np.eye(n + 1) - core.close_households(A, h, cons, income))
    assert Lb[n, n] == pytest.approx(1 / closed.schur, rel=1e-9)


def test_closed_system_that_is_not_productive_is_refused():
    A = core.calc_A(MB_Z, MB_X)
    # households spend 10× what they earn: 1 − h_r L h_c < 0
    with pytest.raises(IOTableError, match="not productive"):
        core.closed_lu(core.factorise(A), [0.3, 0.25], [1000.0, 3000.0], 100.0)


def test_impact_matches_sectors_by_label_in_any_order_and_refuses_duplicates():
    t = IOTable.from_flows(MB_Z, MB_X, check=False, labels=["a", "b"])
    fwd = t.impact(pd.DataFrame({"s": [100.0, 5.0]}, index=["a", "b"]))
    rev = t.impact(pd.DataFrame({"s": [5.0, 100.0]}, index=["b", "a"]))
    np.testing.assert_allclose(fwd.to_numpy(), rev.to_numpy())
    part = t.impact(pd.Series({"b": 5.0}, name="s"))  # sectors not named change by 0
    np.testing.assert_allclose(part.to_numpy()[:, 0], core.impact(core.factorise(t.A.to_numpy()), [0.0, 5.0]))
    with pytest.raises(IOTableError, match="sector 'a' twice"):
        t.impact(pd.DataFrame({"s": [1.0, 2.0]}, index=["a", "a"]))
