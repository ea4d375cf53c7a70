"""Methodologies as versioned data; hand-worked flags; stability; the CLI."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from klaster.observatory import methodology as M
from klaster.observatory.panel import panel_from_frame


def small_panel():
    # 5 regions, sectors A, B (traded) and L (local); employment and establishments, two years
    emp = {"R1": (100, 10, 50), "R2": (20, 40, 60), "R3": (30, 30, 40), "R4": (0, 60, 70), "R5": (10, 5, 30)}
    est = {"R1": (9, 2, 5), "R2": (4, 6, 6), "R3": (5, 5, 4), "R4": (0, 8, 7), "R5": (1, 1, 3)}
    rows = []
    for y, k in ((2015, 1.0), (2020, 1.0)):
        for r in emp:
            for j, s in enumerate("ABL"):
                g = 2.0 if (y == 2020 and r == "R1" and s == "A") else 1.0
                rows.append((r, s, y, "employment", emp[r][j] * k * g, "persons"))
                rows.append((r, s, y, "establishments", est[r][j], "establishments"))
    df = pd.DataFrame(rows, columns=["region", "sector", "year", "measure", "value", "unit"])
    return panel_from_frame(df, sector_groups={"A": "traded", "B": "traded", "L": "local"})


def test_methodologies_are_versioned_data():
    av = M.available()
    assert ("cmp", "2016.1") in av and ("eco", "2012.1") in av and ("kz-bn", "2014.1") in av
    assert M.load_spec("cmp")["thresholds"]["strong_pct"] == 0.75
    with pytest.raises(M.MethodologyError, match="no version"):
        M.make("cmp@1999")
    with pytest.raises(M.MethodologyError, match="unknown threshold"):
        M.ClusterMapping(bogus=1).run(small_panel(), measure="employment", year=2015)


@pytest.mark.parametrize("engine", ["local", "ibis", "pandas"])
def test_cmp_hand_example(engine):
    f = M.ClusterMapping(engine=engine).run(small_panel(), measure="employment", year=2015)
    a = f[f["sector"] == "A"].set_index("region")
    # traded totals: R1 110, R2 60, R3 60, R4 60, R5 15; nation A 160 of 305 traded (B = 145)
    # LQ_A: R1 (100/110)/(160/305) = 1.7330, R2 0.6354, R3 0.9531, R4 0, R5 1.2708
    assert a.loc["R1", "lq"] == pytest.approx((100 / 110) / (160 / 305))
    assert a.loc["R5", "lq"] == pytest.approx((10 / 15) / (160 / 305))
    # over the 4 regions with emp > 0 (linear interpolation): P75(LQ) = 1.2708 + .25·(1.7330 − 1.2708) = 1.3864,
    # P25(LQ) = 0.6354 + .75·(0.9531 − 0.6354) = 0.8737; emp 10, 20, 30, 100 -> P25 = 17.5; est 1, 4, 5, 9 -> P25 = 3.25
    assert a.loc["R1", "strong"]                                   # 1.733 >= 1.386, 100 > 17.5, 9 > 3.25
    assert not a.loc["R5", "strong"] and not a.loc["R3", "strong"]  # LQ below P75
    assert a.loc["R3", "qualifying"]                               # 0.953 > 0.874, 30 > 17.5, 5 > 3.25
    assert not a.loc["R5", "qualifying"]                           # emp 10 is not above P25 = 17.5
    assert not a.loc["R2", "qualifying"]                           # 0.635 < P25
    assert not a.loc["R4", "strong"]  # emp 0
    assert f.loc[f["sector"] == "L", "strong"].isna().all()


@pytest.mark.parametrize("engine", ["local", "ibis", "pandas"])
def test_business_navigator_hand_example(engine):
    # 2015 -> 2020 only R1·A doubles: national A 160 -> 260, total 595 -> 695
    f = M.BusinessNavigator(engine=engine).run(small_panel(), measure="employment", year=2020, start_year=2015)
    r1a = f[(f["region"] == "R1") & (f["sector"] == "A")].iloc[0]
    assert r1a["specialised"] and r1a["growing_cluster"] and r1a["regional_advantage"] and r1a["flagged"]
    r3a = f[(f["region"] == "R3") & (f["sector"] == "A")].iloc[0]
    assert not r3a["regional_advantage"] and not r3a["flagged"]
    assert not f["crosses_break"].any()


@pytest.mark.parametrize("engine", ["local", "ibis", "pandas"])
def test_eco_hand_example(engine):
    f = M.ECOStars(engine=engine, lq_min=1.5).run(small_panel(), measure="employment", year=2015)
    a = f[f["sector"] == "A"].set_index("region")
    # size: emp of A (100, 20, 30, 0, 10): P90 = 72 -> only R1
    assert list(a.index[a["size"].astype(bool)]) == ["R1"]
    assert a.loc["R1", "stars"] == 3


def test_stability_is_a_share_and_full_for_clear_cases():
    f = M.ClusterMapping(stability=30, random_state=1).run(small_panel(), measure="employment", year=2015)
    s = f["strong_stability"].dropna()
    assert ((s >= 0) & (s <= 1)).all()
    # R4 has no employment in A: never strong whatever the resample
    assert f.set_index(["region", "sector"]).loc[("R4", "A"), "strong_stability"] == 1.0


def test_cli_map_writes_flags_indicators_and_report(tmp_path):
    from klaster.cli import app

    rows = small_panel().data
    rows = rows.assign(group=rows["sector"].map({"A": "traded", "B": "traded", "L": "local"}))
    p = tmp_path / "panel.csv"
    rows.drop(columns="status").to_csv(p, index=False)
    out = tmp_path / "out"
    args = ["observatory", "map", "--panel", str(p), "-m", "cmp", "-m", "eco", "-m", "kz-bn", "--year", "2020", "--years", "2015:2020"]
    r = CliRunner().invoke(app, args + ["--out", str(out)])
    assert r.exit_code == 0, r.output
    # Parquet by default, no workbook unless asked for
    f = pd.read_parquet(out / "flags.parquet")
    assert set(f["methodology"]) == {"cmp", "eco", "kz-bn"}
    for name in ("lq.parquet", "specialisation.parquet", "shift_share.parquet", "complexity.parquet", "report.html"):
        assert (out / name).exists(), name
    assert not (out / "indicators.xlsx").exists() and not (out / "flags.csv").exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "cdn.plot.ly/plotly" not in html and "Location quotients" in html
    # CSV and XLSX on request: the same rows
    r = CliRunner().invoke(app, args + ["--out", str(tmp_path / "o2"), "--format", "csv", "--format", "xlsx", "--no-html"])
    assert r.exit_code == 0, r.output
    c = pd.read_csv(tmp_path / "o2" / "flags.csv", dtype={"region": str, "sector": str})
    x = pd.read_excel(tmp_path / "o2" / "indicators.xlsx", sheet_name="flags", dtype={"region": str, "sector": str})
    assert len(c) == len(f) == len(x)
    assert c["strong"].dropna().isin([True, False]).all()


def test_cli_bad_panel_exit_2_with_clear_message(tmp_path):
    from klaster.cli import app

    p = tmp_path / "bad.csv"
    p.write_text("region,sector,year,measure,value,unit\nR1,A,2020,employment,12x,persons\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["observatory", "map", "--panel", str(p), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    text = " ".join(r.output.split())
    assert "bad.csv, row 2, column 'value'" in text and "not a number" in text


def test_eco_growth_and_productivity_variants_on_both_engines():
    p = small_panel()
    res = {}
    for engine in ("local", "ibis", "pandas"):
        m = M.ECOStars(engine=engine, growth_pct=0.9, productivity_pct=0.9)
        f = m.run(p, measure="employment", year=2020, start_year=2015, productivity_measure="establishments")
        res[engine] = f.sort_values(["region", "sector"]).reset_index(drop=True)
    for col in ("size", "specialisation", "focus", "growth_star", "productivity_star", "stars"):
        assert res["ibis"][col].astype("Float64").tolist() == res["pandas"][col].astype("Float64").tolist(), col
        assert res["local"][col].astype("Float64").tolist() == res["pandas"][col].astype("Float64").tolist(), col
    g = res["pandas"].set_index(["region", "sector"])
    # only R1·A grew (×2): its CAGR tops sector A; the others are flat
    assert g.loc[("R1", "A"), "growth_star"]
    assert not g.loc[("R2", "A"), "growth_star"]


def test_real_cmp_flags_identical_on_ibis_and_pandas():
    from klaster.observatory import sources

    p = sources.us_cmp2016()
    a = M.ClusterMapping(engine="ibis").run(p, measure="employment", year=2016)
    b = M.ClusterMapping(engine="pandas").run(p, measure="employment", year=2016)
    for col in ("strong", "strong10", "significant", "qualifying"):
        assert a[col].astype("Float64").fillna(-1).tolist() == b[col].astype("Float64").fillna(-1).tolist(), col
    assert (a["lq"] - b["lq"]).abs().max() < 1e-12


def test_cmp_refuses_a_panel_without_traded_local_groups(tmp_path):
    """A CMP panel without the traded/local group quietly used the all-activities base and flagged
    local clusters (every published flag set then differs)."""
    rows = small_panel().data.drop(columns="status")
    p = tmp_path / "nogroup.csv"
    rows.to_csv(p, index=False)
    from klaster.observatory.panel import load_panel

    panel = load_panel(p)
    with pytest.raises(M.MethodologyError) as e:
        M.ClusterMapping().run(panel, measure="employment", year=2015)
    msg = str(e.value)
    assert msg.startswith("nogroup.csv, row 1, column 'group': cmp@2016.1") and "traded" in msg and "--lq-base all" in msg
    # the all-activities base asked for explicitly: flags for every sector, and the deviation noted
    m = M.ClusterMapping(lq_base="all")
    f = m.run(panel, measure="employment", year=2015)
    assert f["strong"].notna().all() and any("'all' base instead" in n for n in m.notes_)
    # the CLI: exit 2 and the rule, no traceback
    from klaster.cli import app

    r = CliRunner().invoke(app, ["observatory", "map", "--panel", str(p), "--year", "2015", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "Traceback" not in r.output and "gives no group" in " ".join(r.output.split())
    r = CliRunner().invoke(app, ["observatory", "map", "--panel", str(p), "--year", "2015", "--lq-base", "all", "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output


def test_engines_by_name_url_and_connection():
    import ibis

    p = small_panel()
    con = ibis.duckdb.connect()
    a = M.ClusterMapping(engine=con).run(p, measure="employment", year=2015)
    b = M.ClusterMapping(engine="local").run(p, measure="employment", year=2015)
    assert a["strong"].astype("Float64").fillna(-1).tolist() == b["strong"].astype("Float64").fillna(-1).tolist()
    with pytest.raises(M.MethodologyError, match="engine must be one of local, duckdb, spark, pandas"):
        M.ClusterMapping(engine="polars").run(p, measure="employment", year=2015)
    with pytest.raises(M.MethodologyError, match="takes no URL"):
        M.Engine("local", url="x")
