"""Indicators: hand-worked examples, published properties, and Ibis engine = pandas reference."""

import math

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.observatory import engine, reference
from klaster.observatory.panel import cagr


def cells_from(matrix, regions=("R1", "R2"), sectors=("S1", "S2"), year=2020, grp=None):
    rows = []
    for i, r in enumerate(regions):
        for j, s in enumerate(sectors):
            rows.append({"region": r, "sector": s, "year": year, "grp": (grp or {}).get(s, "all"), "x": float(matrix[i][j])})
    return pd.DataFrame(rows)


def run_ibis(fn, cells, *args, national=None, **kw):
    con = engine.connect()
    lq = engine.location_quotients(ibis.memtable(cells), ibis.memtable(national) if national is not None else None)
    if fn == "lq":
        return con.execute(lq)
    return con.execute(getattr(engine, fn)(lq, *args, **kw))


# Hand-worked: R1 = (10, 30), R2 = (40, 20); nation = (50, 50), total 100.
# LQ(R1,S1) = (10/40)/(50/100) = 0.5; LQ(R1,S2) = (30/40)/(50/100) = 1.5
# LQ(R2,S1) = (40/60)/0.5 = 4/3;      LQ(R2,S2) = (20/60)/0.5 = 2/3
HAND = [[10, 30], [40, 20]]
HAND_LQ = {("R1", "S1"): 0.5, ("R1", "S2"): 1.5, ("R2", "S1"): 4 / 3, ("R2", "S2"): 2 / 3}


@pytest.mark.parametrize("impl", ["ibis", "pandas"])
def test_location_quotient_hand_example(impl):
    cells = cells_from(HAND)
    t = run_ibis("lq", cells) if impl == "ibis" else reference.location_quotients(cells)
    got = {(r, s): v for r, s, v in zip(t["region"], t["sector"], t["lq"])}
    for k, v in HAND_LQ.items():
        assert got[k] == pytest.approx(v)
    sh = {(r, s): v for r, s, v in zip(t["region"], t["sector"], t["share_nation"])}
    assert sh[("R2", "S1")] == pytest.approx(40 / 50)


def test_location_quotient_with_national_totals_and_groups():
    # Regions do not cover the nation: national S1 = 100, S2 = 300 (traded), L = 600 (local).
    cells = cells_from([[10, 30, 50], [40, 20, 70]], sectors=("S1", "S2", "L"), grp={"S1": "traded", "S2": "traded", "L": "local"})
    nat = pd.DataFrame({"sector": ["S1", "S2", "L"], "year": 2020, "x_nat": [100.0, 300.0, 600.0]})
    for t in (run_ibis("lq", cells, national=nat), reference.location_quotients(cells, nat)):
        got = {(r, s): v for r, s, v in zip(t["region"], t["sector"], t["lq"])}
        # traded base: R1 traded = 40, national traded = 400 -> LQ(R1,S1) = (10/40)/(100/400) = 1
        assert got[("R1", "S1")] == pytest.approx(1.0)
        assert got[("R2", "S2")] == pytest.approx((20 / 60) / (300 / 400))
        # local on the local base: (50/50)/(600/600) = 1
        assert got[("R1", "L")] == pytest.approx(1.0)


def test_specialisation_indices_hand_example():
    cells = cells_from(HAND)
    for t in (run_ibis("specialisation", cells), reference.specialisation(reference.location_quotients(cells))):
        r1 = t.set_index("region").loc["R1"]
        # shares R1 = (0.25, 0.75); nation = (0.5, 0.5): K = 0.25 + 0.25 = 0.5
        assert r1["krugman"] == pytest.approx(0.5)
        assert r1["hhi"] == pytest.approx(0.25**2 + 0.75**2)
        assert r1["entropy"] == pytest.approx(-(0.25 * math.log(0.25) + 0.75 * math.log(0.75)))
        # REAT gini.spec: LQs of R1 (0.5, 1.5), mean 1: 2·(1·(0.5 − 1) + 2·(1.5 − 1)) / (2²·1) = 0.25
        assert r1["gini_spec"] == pytest.approx(0.25)
        # weighted: sectors by LQ, X national shares (0.5, 0.5), Y region shares (0.25, 0.75):
        # 1 − [0.5·(0 + 0.25) + 0.5·(0.25 + 1)] = 0.25
        assert r1["gini_spec_weighted"] == pytest.approx(0.25)


def test_concentration_hand_example():
    cells = cells_from(HAND)
    for t in (run_ibis("concentration", cells), reference.concentration(reference.location_quotients(cells))):
        s1 = t.set_index("sector").loc["S1"]
        # S1 shares over regions a = (0.2, 0.8); totals b = (0.4, 0.6): Hoover = ½(0.2 + 0.2) = 0.2
        assert s1["hoover"] == pytest.approx(0.2)
        # Lorenz by LQ: R1 (LQ .5) then R2: points (0.4, 0.2), (1, 1): area term = 0.4·0.2 + 0.6·1.2 = 0.8
        assert s1["gini_weighted"] == pytest.approx(1 - 0.8)
        # REAT gini.conc is unweighted: LQs C = (0.5, 4/3), mean 11/12:
        # 2·(1·(0.5 − 11/12) + 2·(4/3 − 11/12)) / (2²·11/12) = 5/22
        assert s1["gini_conc"] == pytest.approx(5 / 22)


def test_shift_share_hand_example():
    # R1: S1 10 -> 20, S2 30 -> 30; R2: S1 40 -> 40, S2 20 -> 30. Nation 100 -> 120 (G = 0.2).
    c0 = cells_from(HAND, year=2010)
    c1 = cells_from([[20, 30], [40, 30]], year=2015)
    cells = pd.concat([c0, c1], ignore_index=True)
    for t in (run_ibis("shift_share", cells, 2010, 2015), reference.shift_share(reference.location_quotients(cells), 2010, 2015)):
        r = t.set_index(["region", "sector"]).loc[("R1", "S1")]
        # g_S1 = 60/50 − 1 = 0.2; NS = 10·0.2 = 2; IM = 10·(0.2 − 0.2) = 0; RS = 10·(1 − 0.2) = 8
        assert r["national_share"] == pytest.approx(2)
        assert r["industry_mix"] == pytest.approx(0)
        assert r["regional_shift"] == pytest.approx(8)
        assert r["change"] == pytest.approx(10)
        # Esteban-Marquillas: homothetic R1·S1 = 40 · 50/100 = 20; competitive 20·0.8, allocation (10 − 20)·0.8
        assert r["homothetic"] == pytest.approx(20)
        assert r["em_competitive"] == pytest.approx(16)
        assert r["em_allocation"] == pytest.approx(-8)


def test_cagr_hand_example():
    assert cagr(100.0, 121.0, 2) == pytest.approx(0.1)
    assert np.isnan(cagr(0.0, 10.0, 2))
    assert np.isnan(cagr(10.0, 20.0, 0))


panels = st.lists(st.lists(st.integers(min_value=1, max_value=10_000), min_size=4, max_size=4), min_size=3, max_size=6)


@settings(max_examples=25, deadline=None)
@given(panels)
def test_nation_lq_is_one_and_weighted_mean_lq_is_one(m):
    regions = [f"R{i}" for i in range(len(m))]
    sectors = ["A", "B", "C", "D"]
    cells = cells_from(m, regions=regions, sectors=sectors)
    t = reference.location_quotients(cells)
    # the nation as a region of its own: LQ = 1 in every sector
    nation = cells.groupby(["sector", "year", "grp"], as_index=False)["x"].sum().assign(region="NATION")
    tn = reference.location_quotients(nation)
    assert np.allclose(tn["lq"], 1.0)
    # Σ_r (E_r/E_n) LQ_rc = 1 for every sector
    w = t["x_region"] / cells["x"].sum()
    agg = (w * t["lq"]).groupby(t["sector"]).sum()
    assert np.allclose(agg.to_numpy(), 1.0)


@settings(max_examples=25, deadline=None)
@given(panels, panels)
def test_shift_share_components_add_up_to_the_change(m0, m1):
    n = min(len(m0), len(m1))
    regions = [f"R{i}" for i in range(n)]
    sectors = ["A", "B", "C", "D"]
    cells = pd.concat([cells_from(m0[:n], regions, sectors, 2010), cells_from(m1[:n], regions, sectors, 2020)], ignore_index=True)
    t = reference.shift_share(reference.location_quotients(cells), 2010, 2020)
    total = t["national_share"] + t["industry_mix"] + t["regional_shift"]
    assert np.allclose(total, t["change"])
    # Esteban-Marquillas splits the regional shift
    assert np.allclose(t["em_competitive"] + t["em_allocation"], t["regional_shift"])


def random_cells(seed, regions=30, sectors=12, years=(2015, 2020), zeros=0.1, missing=0.02):
    rng = np.random.default_rng(seed)
    rows = []
    for y in years:
        for r in range(regions):
            for s in range(sectors):
                x = float(rng.lognormal(6, 1.5))
                if rng.random() < zeros:
                    x = 0.0
                if rng.random() < missing:
                    x = np.nan
                rows.append({"region": f"r{r:03d}", "sector": f"s{s:02d}", "year": y, "grp": "traded" if s < 8 else "local",
                             "x": x, "n": float(rng.integers(0, 200)), "y": float(rng.lognormal(7, 1))})
    return pd.DataFrame(rows)


def _compare(a, b, keys, cols):
    a = a.sort_values(keys).reset_index(drop=True)
    b = b.sort_values(keys).reset_index(drop=True)
    assert len(a) == len(b)
    for c in cols:
        va = pd.to_numeric(a[c].astype("Float64"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        vb = pd.to_numeric(b[c].astype("Float64"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        np.testing.assert_allclose(va, vb, rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=c)


@pytest.mark.parametrize("seed", [1, 2])
def test_engine_matches_pandas_reference(seed):
    cells = random_cells(seed)
    con = engine.connect()
    lq_i = engine.location_quotients(ibis.memtable(cells))
    lq_p = reference.location_quotients(cells)
    keys = ["region", "sector", "year"]
    _compare(con.execute(lq_i), lq_p, keys, ["lq", "share_region", "share_nation", "x_region_base"])
    _compare(con.execute(engine.cmp_flags(lq_i)), reference.cmp_flags(lq_p), keys,
             ["p_strong", "p_size_n", "strong", "strong10", "significant", "qualifying"])
    _compare(con.execute(engine.eco_stars(lq_i, productivity_pct=0.9)), reference.eco_stars(lq_p, productivity_pct=0.9), keys,
             ["size", "specialisation", "focus", "productivity_star", "stars"])
    _compare(con.execute(engine.business_navigator(lq_i, 2015, 2020)), reference.business_navigator(lq_p, 2015, 2020),
             ["region", "sector"], ["cluster_factor", "regional_factor", "flagged"])
    _compare(con.execute(engine.changes(lq_i, 2015, 2020)), reference.changes(lq_p, 2015, 2020), ["region", "sector"], ["cagr", "lq_change"])
    _compare(con.execute(engine.shift_share(lq_i, 2015, 2020)), reference.shift_share(lq_p, 2015, 2020), ["region", "sector"],
             ["national_share", "industry_mix", "regional_shift", "homothetic", "em_competitive", "em_allocation"])
    _compare(con.execute(engine.specialisation(lq_i)), reference.specialisation(lq_p), ["region", "year"],
             ["krugman", "hhi", "entropy", "gini_spec", "gini_spec_weighted"])
    _compare(con.execute(engine.concentration(lq_i)), reference.concentration(lq_p), ["sector", "year"],
             ["hoover", "gini_weighted", "gini_conc"])
    f_i = con.execute(engine.cmp_flags(lq_i))
    f_p = reference.cmp_flags(lq_p)
    _compare(con.execute(engine.cluster_strength(ibis.memtable(f_i[["region", "year", "grp", "x", "strong"]]))),
             reference.cluster_strength(f_p), ["region", "year"], ["strength"])


def test_missing_cells_stay_missing_in_flags():
    cells = random_cells(3, regions=10, sectors=3, years=(2020,), zeros=0, missing=0)
    cells.loc[0, "x"] = np.nan
    f = reference.cmp_flags(reference.location_quotients(cells))
    row = f[(f["region"] == cells.loc[0, "region"]) & (f["sector"] == cells.loc[0, "sector"])]
    assert row["strong"].isna().all()
    con = engine.connect()
    fi = con.execute(engine.cmp_flags(engine.location_quotients(ibis.memtable(cells))))
    rowi = fi[(fi["region"] == cells.loc[0, "region"]) & (fi["sector"] == cells.loc[0, "sector"])]
    assert rowi["strong"].isna().all()


@pytest.mark.parametrize("with_national, with_count", [(False, True), (True, True), (False, False)])
def test_cmp_flags_by_year_matches_pandas_reference(tmp_path, with_national, with_count):
    # the large-panel path (stored totals, percentiles year by year, one streaming pass) gives
    # the reference's LQs and flags, also with national totals (one sector missing from them:
    # its LQs are NULL and its flags False) and without establishment counts
    cells = random_cells(4, regions=25, sectors=10, years=(2018, 2019, 2020))
    if not with_count:
        cells = cells.drop(columns=["n"])
    nat = None
    if with_national:
        nat = cells.groupby(["sector", "year"], as_index=False)["x"].sum().rename(columns={"x": "x_nat"})
        nat["x_nat"] *= 1.7
        nat = nat[nat["sector"] != "s03"]
    con = engine.connect()
    paths = engine.cmp_flags_by_year(con, ibis.memtable(cells), str(tmp_path),
                                     national=ibis.memtable(nat) if nat is not None else None, strong_pct=0.7)
    got = pd.read_parquet(paths)
    exp = reference.cmp_flags(reference.location_quotients(cells, nat), use_count=with_count, strong_pct=0.7)
    assert exp["strong"].notna().any() and exp["strong"].any() and exp["strong"].isna().any()
    if with_national:
        assert exp.loc[exp["sector"] == "s03", "lq"].isna().all()
    _compare(got, exp, ["region", "sector", "year"], ["lq", "strong", "strong10", "significant", "qualifying"])
    # no table is created in the backend (PySpark has no temporary tables)
    assert con.raw_sql("SELECT table_name FROM duckdb_tables()").fetchall() == []
