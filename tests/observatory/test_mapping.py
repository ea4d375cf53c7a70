"""The mapping run end to end: the three engines give the same tables; outputs in Parquet, CSV
and XLSX (refused beyond Excel's limits); progress lines; the report on big panels; economic
complexity validated against ``ecomplexity``; the DuckDB engine reading the file itself."""

import io
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from klaster.observatory import complexity as cx
from klaster.observatory import outputs, sources
from klaster.observatory.mapping import run_map, write_outputs
from klaster.observatory.panel import panel_from_frame
from klaster.observatory.progress import LineProgress

KEYS = {"flags": ["methodology", "year", "region", "sector"], "lq": ["year", "region", "sector"],
        "specialisation": ["year", "region"], "concentration": ["year", "sector"], "changes": ["region", "sector"],
        "shift_share": ["region", "sector"], "strength": ["methodology", "year", "region"],
        "thresholds": ["methodology", "sector"], "comparison": ["region", "sector"]}


def random_panel(seed=5, regions=25, sectors=12, years=(2015, 2018, 2020)):
    rng = np.random.default_rng(seed)
    rows = []
    for y in years:
        for r in range(regions):
            for s in range(sectors):
                if rng.random() < 0.03:
                    continue  # a cell absent from the file
                x = float(rng.lognormal(6, 1.5))
                if rng.random() < 0.1:
                    x = 0.0
                v = "" if rng.random() < 0.02 else repr(x)  # a missing value
                g = "traded" if s < 8 else "local"
                rows.append((f"r{r:02d}", f"s{s:02d}", y, "employment", v, "persons", g))
                rows.append((f"r{r:02d}", f"s{s:02d}", y, "establishments", str(int(rng.integers(0, 200))), "establishments", g))
    df = pd.DataFrame(rows, columns=["region", "sector", "year", "measure", "value", "unit", "group"])
    return panel_from_frame(df)


def _same(a, b, keys, name):
    a = a.sort_values(keys).reset_index(drop=True)
    b = b.sort_values(keys).reset_index(drop=True)
    assert len(a) == len(b), name
    for c in a.columns:
        assert c in b.columns, (name, c)
        va, vb = a[c], b[c]
        if va.dtype == object or pd.api.types.is_string_dtype(va.dtype) or isinstance(va.dtype, pd.CategoricalDtype):
            assert va.astype(str).tolist() == vb.astype(str).tolist(), (name, c)
            continue
        fa = pd.to_numeric(va.astype("Float64"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        fb = pd.to_numeric(vb.astype("Float64"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        np.testing.assert_allclose(fa, fb, rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=f"{name}.{c}")


def test_three_engines_give_the_same_tables():
    """The local grid engine, the pandas reference and Ibis on DuckDB: every table, every column."""
    p = random_panel()
    kw = dict(methodologies=["cmp", "eco", "kz-bn"], measure="employment", year=2020, years=[2015, 2018, 2020], start_year=2015)
    res = {e: run_map(p, engine=e, complexity=False, **kw) for e in ("local", "pandas", "duckdb")}
    for other in ("pandas", "duckdb"):
        for name, keys in KEYS.items():
            a = res["local"].flags if name == "flags" else res["local"].tables[name]
            b = res[other].flags if name == "flags" else res[other].tables[name]
            _same(a, b, keys, f"{other}:{name}")
    assert res["local"].flags["strong"].notna().any() and res["local"].flags["strong"].isna().any()


def test_outputs_parquet_csv_xlsx_hold_the_same_rows(tmp_path):
    p = random_panel(regions=8, sectors=6)
    res = run_map(p, methodologies=["cmp", "eco"], measure="employment", year=2020, years=[2018, 2020])
    write_outputs(res, tmp_path, formats=["parquet", "csv", "xlsx"], html=False)
    for name in ("flags", "lq", "specialisation", "complexity", "relatedness"):
        pq = pd.read_parquet(tmp_path / f"{name}.parquet")
        csv = pd.read_csv(tmp_path / f"{name}.csv")
        xl = pd.read_excel(tmp_path / "indicators.xlsx", sheet_name=name)
        assert len(pq) == len(csv) == len(xl) > 0, name
        assert list(pq.columns) == list(csv.columns) == list(xl.columns), name


def test_xlsx_beyond_excels_rows_is_refused_before_writing(tmp_path, monkeypatch):
    """indicators.xlsx was written unconditionally (140 of 170 s on 600 k cells) and cut at a
    million rows; now it is on request, and a table too big for a sheet is refused up front."""
    from klaster.observatory.outputs import OutputError

    p = random_panel(regions=8, sectors=6)
    res = run_map(p, methodologies=["cmp"], measure="employment", year=2020, years=[2018, 2020])
    monkeypatch.setattr(outputs, "EXCEL_MAX_ROWS", 50)
    with pytest.raises(OutputError, match=r"indicators.xlsx: table 'flags' has \d+ rows; an Excel sheet holds at most 49 data rows"):
        write_outputs(res, tmp_path / "o", formats=["parquet", "xlsx"], html=False)
    assert not (tmp_path / "o").exists()


def test_cli_unknown_format_and_tables_are_refused(tmp_path):
    from klaster.cli import app

    r = CliRunner().invoke(app, ["observatory", "map", "--source", "kz-bns-gva", "--format", "json", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "unknown output format 'json'" in r.output and not (tmp_path / "o").exists()
    r = CliRunner().invoke(app, ["observatory", "map", "--source", "kz-bns-gva", "--tables", "flags,lqs", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "unknown table 'lqs'" in r.output
    r = CliRunner().invoke(app, ["observatory", "map", "--source", "kz-bns-gva", "--years", "2014:20x4", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "--years" in r.output


def test_cli_errors_print_the_file_s_own_words(tmp_path):
    """A header in square brackets is text, not console markup; a quoted value keeps both quotes;
    a KeyError's text loses only the quotes its repr adds."""
    from klaster.cli import app

    f = tmp_path / "p.csv"
    f.write_text("region,sector,year,group,employment [persons]\nA,1,2020,traded,\"1,234\"\nA,2,2020,local,5\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["observatory", "map", "--panel", str(f), "--no-html", "--out", str(tmp_path / "o")])
    text = " ".join(r.output.split())
    assert r.exit_code == 2 and "column 'employment [persons]'" in text and text.endswith("'1,234'"), text
    f.write_text("region,sector,year,group,employment [persons]\nA,1,2020,traded,7\nA,2,2020,local,5\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["observatory", "map", "--panel", str(f), "--year", "2031", "--no-html", "--out", str(tmp_path / "o")])
    text = " ".join(r.output.split())
    assert r.exit_code == 2 and "error: year(s) 2031 not in the panel (years: 2020)" in text, text


def test_progress_lines_when_the_output_is_not_a_terminal():
    """A long run redirected to a file printed nothing until it ended."""
    buf = io.StringIO()
    prog = LineProgress(buf, every=0)
    p = random_panel(regions=8, sectors=6)
    res = run_map(p, methodologies=["cmp"], measure="employment", year=2020, years=[2015, 2018, 2020], progress=prog)
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        write_outputs(res, d, formats=["parquet"], html=False, progress=prog)
    text = buf.getvalue()
    assert "methodologies: cmp@2016.1" in text and "writing flags.parquet" in text
    assert re.search(r"of \d+ cells \(\d+ %\)", text) and "left" in text and "— done" in text


def test_report_on_a_big_panel_shows_the_largest_regions_and_sectors(tmp_path):
    p = random_panel(regions=70, sectors=5, years=(2020,))
    res = run_map(p, methodologies=["cmp"], measure="employment", year=2020)
    from klaster.observatory.report import render_html

    html = render_html(res)
    assert "The heatmaps show the 60 largest of 70 regions" in html


# ------------------------------------------------------------------------------------------
# Economic complexity: a second implementation on real data
# ------------------------------------------------------------------------------------------

def _ecomplexity(p, measure, year):
    from ecomplexity import ecomplexity

    yi = p.year_index(year)
    pres = p.grids[measure].year_status(yi) > 0
    X = np.where(pres, p.grids[measure].year(yi), 0.0)
    keep = pres.any(axis=1)
    df = pd.DataFrame({"time": year, "loc": np.repeat(p.region_codes, len(p.sector_codes)),
                       "prod": np.tile(p.sector_codes, len(p.region_codes)), "val": X.ravel()})
    df = df[np.repeat(keep, len(p.sector_codes))]
    import contextlib

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return ecomplexity(df, {"time": "time", "loc": "loc", "prod": "prod", "val": "val"}, check_logsupermodularity=False,
                           verbose=False)


@pytest.mark.parametrize("source,measure,year", [("us", "employment", 2016), ("kz", "gva", 2024), ("kz", "gva", 2019)])
def test_complexity_equals_ecomplexity_on_real_data(source, measure, year):
    p = sources.us_cmp2016() if source == "us" else sources.kz_bns_gva("2022")
    yi = p.year_index(year)
    pres = p.grids[measure].year_status(yi) > 0
    c = cx.complexity(np.where(pres, p.grids[measure].year(yi), np.nan))
    e = _ecomplexity(p, measure, year)
    ri = {r: i for i, r in enumerate(p.region_codes)}
    si = {s: i for i, s in enumerate(p.sector_codes)}
    r_idx, s_idx = e["loc"].map(ri).to_numpy(), e["prod"].map(si).to_numpy()
    for mine, theirs in ((c.rca[r_idx, s_idx], e["rca"]), (c.mcp[r_idx, s_idx], e["mcp"]), (c.diversity[r_idx], e["diversity"]),
                         (c.ubiquity[s_idx], e["ubiquity"]), (c.eci[r_idx], e["eci"]), (c.pci[s_idx], e["pci"]),
                         (c.density[r_idx, s_idx], e["density"]), (c.coi[r_idx], e["coi"]), (c.cog[r_idx, s_idx], e["cog"])):
        np.testing.assert_allclose(np.asarray(mine, float), np.asarray(theirs, float), rtol=0, atol=1e-10)
    # EconGeo's relatedness density is the same density in per cent
    np.testing.assert_allclose(c.relatedness_density, 100 * c.density, equal_nan=True)


def test_complexity_of_kazakhstans_regions_in_a_mapping_run():
    p = sources.kz_bns_gva("2022")
    res = run_map(p, methodologies=["eco"], measure="gva", year=2024)
    t = res.tables["complexity"]
    assert len(t) == 20 and t["eci"].notna().all()
    assert abs(t["eci"].mean()) < 1e-9 and t["eci"].std(ddof=0) == pytest.approx(1)
    rel = res.tables["relatedness"]
    assert len(rel) == 20 * 19 and rel["relatedness_density"].between(0, 100).all()


# ------------------------------------------------------------------------------------------
# The DuckDB engine reading the file itself (klaster.observatory.scan)
# ------------------------------------------------------------------------------------------

def _wide_file(tmp_path, seed=9):
    rng = np.random.default_rng(seed)
    rows = [(f"r{r:02d}", f"s{s:02d}", y, "traded" if s < 6 else "local", float(rng.integers(0, 900)), float(rng.integers(1, 40)))
            for y in (2019, 2020) for r in range(20) for s in range(8)]
    df = pd.DataFrame(rows, columns=["region", "sector", "year", "group", "employment", "establishments"])
    f = tmp_path / "panel.csv"
    df.to_csv(f, index=False)
    return f, df


def test_duckdb_engine_reads_the_file_and_writes_the_same_flags(tmp_path):
    from klaster.cli import app

    f, _ = _wide_file(tmp_path)
    r = CliRunner().invoke(app, ["observatory", "map", "--panel", str(f), "-m", "cmp", "-m", "eco", "--years", "all",
                                 "--engine", "duckdb", "--out", str(tmp_path / "d"), "--no-html"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["observatory", "map", "--panel", str(f), "-m", "cmp", "-m", "eco", "--years", "all",
                                 "--out", str(tmp_path / "l"), "--no-html"])
    assert r.exit_code == 0, r.output
    loc = pd.read_parquet(tmp_path / "l" / "flags.parquet")
    for m, cols in (("cmp", ["strong", "strong10", "significant", "qualifying"]), ("eco", ["size", "specialisation", "focus", "stars"])):
        d = pd.read_parquet(tmp_path / "d" / f"flags_{m}.parquet")
        l = loc[(loc["methodology"] == m) & (loc["year"].isin(d["year"].unique()))]
        _same(l[["region", "sector", "year", "lq", *cols]].astype({"region": str, "sector": str}),
              d[["region", "sector", "year", "lq", *cols]].astype({"region": str, "sector": str}), ["year", "region", "sector"], m)
    for name in ("specialisation", "concentration", "strength"):
        _same(pd.read_parquet(tmp_path / "l" / f"{name}.parquet"), pd.read_parquet(tmp_path / "d" / f"{name}.parquet"),
              KEYS[name], name)


@pytest.mark.parametrize("edit,words", [
    (lambda df: df.assign(year=df["year"].astype(str).where(df.index != 7, "2020.5")), "year must be a whole number"),
    (lambda df: df.assign(employment=df["employment"].astype(str).where(df.index != 7, "1,234")), "ambiguous comma"),
    (lambda df: df.assign(employment=df["employment"].where(df.index != 7, -3)), "value is negative"),
    (lambda df: pd.concat([df, df.iloc[[3]]]), "duplicate cell"),
])
def test_duckdb_engine_checks_the_file(tmp_path, edit, words):
    from klaster.cli import app

    f, df = _wide_file(tmp_path)
    edit(df).to_csv(f, index=False)
    r = CliRunner().invoke(app, ["observatory", "map", "--panel", str(f), "-m", "cmp", "--engine", "duckdb", "--out", str(tmp_path / "d")])
    text = " ".join(r.output.split())
    assert r.exit_code == 2 and "Traceback" not in r.output and "panel.csv" in text and words in text, text
