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
