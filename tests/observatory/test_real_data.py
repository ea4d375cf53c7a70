"""Runs (a), (b), (c) on the real data of the data directory, checked independently."""

import numpy as np
import pandas as pd
import pytest

from klaster import datasets
from klaster.observatory import methodology as M
from klaster.observatory import sources


@pytest.fixture(scope="module")
def cmp_panel():
    return sources.us_cmp2016()


@pytest.fixture(scope="module")
def cmp_flags(cmp_panel):
    m = M.ClusterMapping()
    f = m.run(cmp_panel, measure="employment", year=2016)
    return m, f


def _independent_cmp():
    """The CMP rule of methods.md §3.1 recomputed with plain numpy from the raw files."""
    raw = pd.read_csv(datasets.path("us/cmp2016_state_cluster_input.csv"), dtype={"region_code": str})
    nat = pd.read_csv(datasets.path("us/cmp2016_national_cluster_emp.csv"))
    raw = raw[raw["traded"]]
    nat = nat[nat["traded"]]
    nat_share = dict(zip(nat["cluster_code"], nat["emp_national"] / nat["emp_national"].sum()))
    traded_emp = raw.groupby("region_code")["emp"].sum()
    raw = raw.assign(lq=raw["emp"] / raw["region_code"].map(traded_emp) / raw["cluster_code"].map(nat_share))
    out = {}
    for c, g in raw.groupby("cluster_code"):
        pos = g[g["emp"] > 0]
        p75, p90, p50, p25 = (np.percentile(pos["lq"], q) for q in (75, 90, 50, 25))
        e25, n25 = np.percentile(pos["emp"], 25), np.percentile(pos["est"], 25)
        for _, r in g.iterrows():
            size = r["emp"] > e25 and r["est"] > n25
            out[(r["region_code"], str(c))] = {
                "strong": bool(r["lq"] >= p75 and r["lq"] >= 1 and size),
                "strong10": bool(r["lq"] >= p90 and r["lq"] >= 1 and size),
                "significant": bool(r["lq"] > p50 and size),
                "qualifying": bool(r["lq"] > p25 and size),
                "lq": r["lq"], "emp": r["emp"],
            }
    return out, traded_emp


@pytest.mark.parametrize("state", ["26", "06", "48", "02"])  # Michigan, California, Texas, Alaska
def test_run_a_cmp_flags_by_hand(cmp_flags, state):
    _, f = cmp_flags
    ref, _ = _independent_cmp()
    got = f[(f["region"] == state) & (f["group"] == "traded")]
    assert len(got) == 51
    for _, r in got.iterrows():
        exp = ref[(state, r["sector"])]
        assert r["lq"] == pytest.approx(exp["lq"])
        for flag in ("strong", "strong10", "significant", "qualifying"):
            assert bool(r[flag]) == exp[flag], (state, r["sector"], flag)


def test_run_a_every_state_and_known_strong_clusters(cmp_flags):
    m, f = cmp_flags
    traded = f[f["group"] == "traded"]
    assert traded["region"].nunique() == 50 and traded["sector"].nunique() == 51
    assert f.loc[f["group"] == "local", "strong"].isna().all()  # flags are for traded clusters
    strong = set(zip(traded.loc[traded["strong"].fillna(False), "region"], traded.loc[traded["strong"].fillna(False), "sector"]))
    # Automotive (4) in Michigan, Oil and Gas (35) in Texas, Aerospace (1) in Washington, Video (48) in California
    assert {("26", "4"), ("48", "35"), ("53", "1"), ("06", "48")} <= strong
    assert f["methodology"].eq("cmp").all() and f["version"].eq("2016.1").all()


def test_run_a_cluster_strength_by_hand(cmp_flags):
    m, f = cmp_flags
    ref, traded_emp = _independent_cmp()
    for state in ("26", "06"):
        strong_emp = sum(v["emp"] for (r, c), v in ref.items() if r == state and v["strong"])
        got = m.strength_.set_index("region").loc[state, "strength"]
        assert got == pytest.approx(strong_emp / traded_emp[state])


def test_run_b_cbp_establishments_match_published_counts():
    table, s = sources.compare_cbp_with_cmp(concordance=True)
    _, naive = sources.compare_cbp_with_cmp(concordance=False)
    assert s["states"] == 49 and s["missing_states"] == ["56"]  # Wyoming is not in CBP
    assert s["cells_traded"] == 49 * 51
    # The data README: a naive aggregation matches ~62 % of the 50 states' traded cells
    # (63.1 % of the 49 comparable ones; Wyoming's 51 cells cannot match).
    assert naive["exact_traded"] * 2499 / 2550 == pytest.approx(0.62, abs=0.01)
    # With the NAICS 2012→2017 concordance every cluster it touches that has no other gap
    # matches in all 49 states (Production Technology 40, Trailers and Appliances 44) ...
    for c in ("40", "44"):
        sub = table[table["sector"] == c]
        assert (sub["diff"] == 0).all(), c
    # ... the share of exact matches rises by at least the cells of those clusters, and no cell
    # overshoots the published count (CBP only ever misses establishments).
    assert s["exact_traded"] >= naive["exact_traded"] + 0.04
    assert s["within1_traded"] >= naive["within1_traded"] + 0.04
    assert (table["diff"] <= 0).all()
    assert s["unmapped_codes"] == ["532220", "532291", "532292", "532299"]


def test_cbp_suppressed_employment_is_missing_not_zero():
    p = sources.us_cbp2016()
    emp = p.data[p.data["measure"] == "employment"]
    raw = pd.read_csv(datasets.path("us/cbp2016_state_naics6.csv"), dtype={"Fips": str, "Naics": str})
    n_zero = int((raw["Employees"] == 0).sum())
    assert n_zero > 0
    assert int((emp["status"] == "suppressed").sum()) == n_zero
    assert emp.loc[emp["status"] == "suppressed", "value"].isna().all()
    assert not (emp["value"] == 0).any()


@pytest.mark.parametrize("frame,units", [("2022", 20), ("2018", 17), ("2017", 16)])
def test_run_c_frames_cover_the_nation_without_double_counting(frame, units):
    p = sources.kz_bns_gva(frame)
    d = p.data
    assert d[d["year"] == 2024]["region"].nunique() == units
    tot = d.groupby("year")["value"].sum()
    nat = p.national.groupby("year")["value"].sum()
    # 2014–2017 hold South Kazakhstan and Turkistan+Shymkent: the frame counts them once
    assert np.allclose(tot.loc[2014:2024], nat.loc[2014:2024], rtol=1e-9)


def test_run_c_south_kazakhstan_in_the_2017_frame():
    p17 = sources.kz_bns_gva("2017")
    p22 = sources.kz_bns_gva("2022")
    yko = p17.data[(p17.data["region"] == "510000000") & (p17.data["year"] == 2020)].set_index("sector")["value"]
    parts = p22.data[p22.data["region"].isin(["610000000", "790000000"]) & (p22.data["year"] == 2020)].groupby("sector")["value"].sum()
    assert np.allclose(yko.sort_index(), parts.sort_index())


def test_run_c_three_methodologies_side_by_side_and_breaks():
    from klaster.observatory.mapping import run_map

    p = sources.kz_bns_gva("2022")
    res = run_map(p, methodologies=["cmp", "eco", "kz-bn"], measure="gva", year=2024, years=[2019, 2024], stability=5)
    cur = res.flags[res.flags["year"] == 2024]
    assert set(cur["methodology"]) == {"cmp", "eco", "kz-bn"}
    assert cur[cur["methodology"] == "cmp"]["region"].nunique() == 20
    # ECO "top 10 %" of 20 regions = two regions per section
    eco = cur[cur["methodology"] == "eco"]
    assert (eco.groupby("sector")["size"].sum() == 2).all()
    # comparisons 2019→2024 of East Kazakhstan, Almaty region and Karaganda cross the 2021 break
    bn = cur[cur["methodology"] == "kz-bn"]
    crossing = set(bn.loc[bn["crosses_break"], "region"])
    assert crossing == {"630000000", "190000000", "350000000"}
    assert "630000000" in set(res.tables["changes"].loc[res.tables["changes"]["crosses_break"], "region"])
    # Abai, Jetisu, Ulytau have no 2019 data: no growth flags for them
    assert not bn["region"].isin(["100000000", "330000000", "620000000"]).any()
    assert cur.filter(like="_stability").notna().any().any()
