"""Cluster templates: linkage matrix, Feser–Bergman, Czamanski, shift-share, Hill–Brennan, Table 3."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.observatory.io import IOTableError, official
from klaster.observatory.io import templates as tp


def block_table(seed=0, sizes=(4, 3, 3), noise=0.02):
    """Flows concentrated within blocks of industries: the templates should recover the blocks."""
    rng = np.random.default_rng(seed)
    n = sum(sizes)
    Z = rng.uniform(0, noise, (n, n))
    start = 0
    for s in sizes:
        Z[start:start + s, start:start + s] += rng.uniform(0.5, 1.0, (s, s))
        start += s
    labels = [f"i{k}" for k in range(n)]
    blocks = {lab: b for b, s in enumerate(sizes) for lab in labels[sum(sizes[:b]):sum(sizes[:b]) + s]}
    return pd.DataFrame(Z * 100, index=labels, columns=labels), blocks


def test_linkage_matrix_definition():
    Z, _ = block_table()
    L = tp.linkage_matrix(Z)
    M = L.to_numpy()
    np.testing.assert_allclose(M, M.T)
    np.testing.assert_allclose(np.diag(M), 1.0)
    z = Z.to_numpy()
    x = z / z.sum(axis=0)
    y = z / z.sum(axis=1, keepdims=True)
    r = lambda a, b: np.corrcoef(a, b)[0, 1]  # noqa: E731
    expected = max(r(x[:, 0], x[:, 5]), r(y[0], y[5]), r(x[:, 0], y[5]), r(y[0], x[:, 5]))
    assert M[0, 5] == pytest.approx(expected)


def test_feser_bergman_recovers_blocks_and_reports_table2():
    Z, blocks = block_table()
    with pytest.warns(tp.LinkageRepairWarning, match="1 of 10 eigenvalues are negative"):
        fb = tp.feser_bergman(Z, n_components=3)
    assert fb.loadings.shape == (10, 3)
    found = {frozenset(v) for v in fb.primary.values()}
    truth = {frozenset(k for k, b in blocks.items() if b == g) for g in range(3)}
    assert found == truth
    assert fb.notes["rotation"] == "Varimax with Kaiser normalization"
    assert fb.iterations >= 1
    assert fb.variance["cumulative %"].iloc[-1] == pytest.approx(100 * fb.eigenvalues[:3].sum() / fb.eigenvalues.sum())
    # varimax is orthogonal: communalities are preserved by the rotation
    np.testing.assert_allclose((fb.loadings**2).sum(axis=1), (fb.unrotated**2).sum(axis=1), rtol=1e-6)
    t2 = fb.table2()
    assert list(t2.columns[:2]) == ["No.", "Industry"] and list(t2.columns[2:]) == [1, 2, 3]
    assert t2.attrs["notes"]["extraction"] == "Principal component analysis"


def test_feser_bergman_default_uses_kaiser_criterion():
    Z, _ = block_table()
    with pytest.warns(tp.LinkageRepairWarning):
        fb = tp.feser_bergman(Z)
    assert len(fb.loadings.columns) == int((fb.eigenvalues > 1).sum())


def test_czamanski_groups_blocks():
    Z, blocks = block_table()
    cz = tp.czamanski(Z, threshold=0.8)
    for g in range(3):
        members = [k for k, b in blocks.items() if b == g]
        assert cz.loc[members, "group"].nunique() == 1
    assert cz["group"].nunique() == 3
    with pytest.raises(IOTableError):
        tp.czamanski(Z, threshold=0)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(1, 1e4), st.floats(1, 1e4), st.floats(1, 1e5), st.floats(1, 1e5)), min_size=2, max_size=12))
def test_shift_share_identity(rows):
    rb, re, nb, ne = (np.array(c) for c in zip(*rows))
    ss = tp.shift_share(rb, re, nb, ne)
    np.testing.assert_allclose(ss[["national share", "industry mix", "competitive"]].sum(axis=1), re - rb, rtol=1e-9, atol=1e-6)
    # the national share component over all industries is the region's change at the national rate
    assert ss["national share"].sum() == pytest.approx(rb.sum() * (ne.sum() / nb.sum() - 1), rel=1e-9, abs=1e-6)


def test_hill_brennan_flags_competitive_industries():
    Z, blocks = block_table(sizes=(4, 4, 4))
    n = len(Z)
    nb = np.full(n, 1000.0)
    ne = np.full(n, 1100.0)
    rb = np.full(n, 50.0)
    re = np.full(n, 50.0)
    rb[:4] = 120.0  # block 0 specialised and growing faster than the nation
    re[:4] = 160.0
    hb = tp.hill_brennan(Z, rb, re, nb, ne, n_groups=3)
    ind = hb.industries
    assert ind["competitive advantage"].iloc[:4].all() and not ind["competitive advantage"].iloc[4:].any()
    assert ind.loc[ind.index[:4], "group"].nunique() == 1
    assert set(ind.index[ind["driver"]]) <= set(ind.index[:4])
    np.testing.assert_allclose(ind[["national share", "industry mix", "competitive"]].sum(axis=1), ind["change"])


def test_multiplier_table_shape_of_seed_table3():
    g = official.germany_1995()
    t3 = tp.multiplier_table(g, ["industry_group", "construction"])
    assert list(t3.columns) == ["Output multiplier", "Value added multiplier", "Household income multiplier"]
    assert t3.loc["industry_group", "Output multiplier"] == pytest.approx(1.8413, abs=5e-5)
    with pytest.raises(IOTableError, match="unknown sector"):
        tp.multiplier_table(g, ["nope"])


# ------------------------------------------------------------------------------------------
# Feser–Bergman on an indefinite linkage matrix (issue 12) and the seed's own case (Table 2)
# ------------------------------------------------------------------------------------------

#: Seed 002, Table 2: rotated component matrix of Kazakhstan's 20-sector table (7 components,
#: "88 % of the variance"; varimax with Kaiser normalisation).
SEED_TABLE2 = np.array([
    [-0.083, -0.105, 0.933, -0.112, -0.016, 0.159, 0.107],    # 1 agriculture
    [-0.288, -0.344, 0.136, -0.186, -0.223, -0.661, 0.203],   # 2 fishing
    [-0.012, 0.698, 0.546, -0.114, -0.119, -0.245, 0.01],     # 3 coal
    [0.893, 0.006, -0.223, 0.322, 0.052, 0.026, 0.076],       # 4 crude oil and gas
    [-0.132, 0.939, 0.001, 0.070, -0.078, -0.002, -0.133],    # 5 metal ores
    [0.474, 0.047, 0.135, -0.129, 0.753, 0.026, 0.037],      # 6 other mining
    [-0.257, -0.222, 0.844, -0.027, -0.116, -0.052, 0.098],   # 7 food processing
    [-0.248, -0.265, 0.362, -0.177, -0.244, 0.637, 0.201],    # 8 textiles
    [-0.227, 0.147, -0.467, -0.367, -0.292, 0.351, 0.311],    # 9 leather
    [-0.146, 0.097, -0.152, -0.174, -0.106, 0.019, -0.924],   # 10 wood
    [-0.055, -0.087, -0.185, -0.089, 0.919, -0.021, 0.076],   # 11 paper, printing
    [0.877, 0.063, 0.158, 0.224, 0.010, 0.080, 0.055],        # 12 coke, refining
    [0.157, 0.184, 0.014, 0.885, -0.063, 0.055, 0.085],       # 13 chemicals
    [0.201, -0.105, -0.144, 0.875, -0.139, -0.034, 0.084],    # 14 rubber, plastics
    [0.780, -0.131, -0.333, -0.080, 0.369, 0.095, -0.266],    # 15 other non-metallic minerals
    [-0.032, 0.966, -0.072, 0.089, -0.004, 0.051, -0.096],    # 16 metallurgy
    [0.184, 0.803, -0.157, -0.074, 0.049, 0.044, 0.153],      # 17 machinery
    [-0.093, 0.921, -0.259, 0.046, -0.003, 0.089, -0.046],    # 18 other manufacturing
    [0.837, -0.076, 0.023, -0.126, 0.005, -0.395, 0.145],     # 19 electricity, gas, water
    [0.864, -0.026, -0.307, 0.330, 0.097, 0.102, 0.067],      # 20 construction
])


def seed_linkage_matrix():
    """A 20 × 20 correlation matrix consistent with Table 2: its rank-7 principal part is the
    printed loadings (Λ Λᵀ), the rest lies in their orthogonal complement with the diagonal
    completed to 1 (non-negative weights by NNLS), rescaled to an exact unit diagonal."""
    from scipy.optimize import nnls

    lam = SEED_TABLE2
    h = (lam**2).sum(axis=1)
    Q, _ = np.linalg.qr(lam)
    P = np.eye(20) - Q @ Q.T
    d, _ = nnls(P * P, 1 - h)
    R = lam @ lam.T + P @ np.diag(d) @ P
    s = np.sqrt(np.diag(R))
    R = R / s[:, None] / s[None, :]
    labels = [f"s{i + 1:02d}" for i in range(20)]
    return pd.DataFrame((R + R.T) / 2, index=labels, columns=labels)


def test_seed_table2_communalities_are_the_reported_88_percent():
    # the seed's "7 factors explaining 88 %" is Σ communalities / 20 of its Table 2
    assert 100 * (SEED_TABLE2**2).sum() / 20 == pytest.approx(88.0, abs=0.05)


def test_factoring_the_seed_case_has_the_shape_of_table2():
    fb = tp.factor_templates(seed_linkage_matrix())
    assert fb.notes["components"] == 7  # Kaiser: eigenvalues > 1
    assert fb.notes["explained variance %"] == pytest.approx(88.0, abs=1.0)
    assert fb.repair["negative_eigenvalues"] == 0
    # the rotated loadings are Table 2's up to the order and signs of the components
    got = fb.loadings.to_numpy()
    C = np.abs(got.T @ SEED_TABLE2) / np.outer(np.linalg.norm(got, axis=0), np.linalg.norm(SEED_TABLE2, axis=0))
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(-C)
    matched = got[:, rows] * np.sign((got[:, rows] * SEED_TABLE2[:, cols]).sum(axis=0))
    assert np.abs(matched - SEED_TABLE2[:, cols]).max() < 0.06
    # the seed's mining-metallurgical cluster: metal ores 0.939, metallurgy 0.966, other
    # manufacturing 0.921, machinery 0.803 and coal 0.698 load highest on one component
    mm = cols.tolist().index(1)
    assert set(fb.primary[rows[mm] + 1]) == {"s03", "s05", "s16", "s17", "s18"}


def test_nearest_correlation_matrix_of_highams_example():
    # Higham (2002), §1: the nearest correlation matrix of [[1, 1, 0], [1, 1, 1], [0, 1, 1]]
    X, it = tp.nearest_correlation([[1, 1, 0], [1, 1, 1], [0, 1, 1]])
    np.testing.assert_allclose(X, [[1, 0.7607, 0.1573], [0.7607, 1, 0.7607], [0.1573, 0.7607, 1]], atol=5e-5)
    assert np.linalg.eigvalsh(X).min() >= -1e-12 and np.allclose(np.diag(X), 1)
    # a correlation matrix is its own nearest correlation matrix
    C = np.corrcoef(np.random.default_rng(1).normal(size=(5, 30)))
    np.testing.assert_allclose(tp.nearest_correlation(C)[0], C, atol=1e-9)


def test_feser_bergman_on_an_indefinite_linkage_matrix_is_sound_and_warns():
    """Scotland 2019: the maximum-correlation matrix of 95 industries has 34 negative eigenvalues.
    Principal components of it gave loadings up to 1.039, 45 communalities above 1 and "98.75 %
    explained variance" without a warning; the nearest correlation matrix is factored instead."""
    t = official.scotland(2019)
    with pytest.warns(tp.LinkageRepairWarning, match=r"34 of 95 eigenvalues are negative.*Higham 2002"):
        fb = tp.feser_bergman(t.Z)
    assert fb.repair["negative_eigenvalues"] == 34
    assert (fb.communalities <= 1 + 1e-9).all()
    assert fb.loadings.abs().to_numpy().max() <= 1 + 1e-9
    # explained variance on the analysed correlation matrix: eigenvalues ≥ 0 summing to m
    assert fb.eigenvalues.min() >= 0 and fb.eigenvalues.sum() == pytest.approx(95, rel=1e-9)
    k = fb.notes["components"]
    assert fb.notes["explained variance %"] == pytest.approx(100 * fb.communalities.sum() / 95, rel=1e-9)
    assert k == int((fb.eigenvalues > 1).sum()) and "Kaiser" in fb.notes["rule"]
    assert fb.notes["explained variance %"] < 95
    assert fb.iterations < 971 / 2
    # the rotation preserves communalities
    np.testing.assert_allclose((fb.loadings**2).sum(axis=1), fb.communalities, rtol=1e-6)


def test_number_of_components_rules():
    R = seed_linkage_matrix()
    assert tp.factor_templates(R, rule="variance:80").notes["components"] < 7
    fb = tp.factor_templates(R, rule="variance:88")
    assert fb.variance["cumulative %"].iloc[-1] >= 88 and fb.variance["cumulative %"].iloc[-2] < 88
    assert tp.factor_templates(R, n_components=3).notes["components"] == 3
    with pytest.raises(IOTableError, match="unknown rule"):
        tp.factor_templates(R, rule="scree")
    with pytest.raises(IOTableError, match="unit diagonal"):
        tp.factor_templates(R * 2)
