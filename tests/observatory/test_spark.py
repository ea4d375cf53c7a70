"""The observatory on Apache Spark (PySpark local mode): the same CMP flags as DuckDB and the
local engine, the year-by-year path without temporary tables, the CLI reading the file in Spark.

Marked ``spark`` (``pytest -m spark``); one local session for the module (see conftest.py).
"""

import numpy as np
import pandas as pd
import pytest

from klaster.observatory import engine, reference, sources
from klaster.observatory import methodology as M

pytestmark = [
    pytest.mark.spark,
    # PySpark 4 and pandas 3: upstream deprecation noise on every conversion
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]


def _flags(df, cols=("strong", "strong10", "significant", "qualifying")):
    d = df.sort_values(["region", "sector"]).reset_index(drop=True)
    return {c: d[c].astype("Float64").fillna(-1).tolist() for c in cols}


def test_cmp_2016_flags_on_spark_equal_duckdb_and_local(spark_engine):
    """Run (a) on Spark: 512 strong clusters as published, the same cells flagged as on DuckDB
    and on the local engine."""
    p = sources.us_cmp2016()
    on = {name: M.ClusterMapping(engine=e).run(p, measure="employment", year=2016)
          for name, e in (("spark", spark_engine), ("duckdb", "duckdb"), ("local", "local"))}
    assert int(on["spark"]["strong"].sum()) == 512
    assert _flags(on["spark"]) == _flags(on["duckdb"]) == _flags(on["local"])
    assert np.allclose(on["spark"].sort_values(["region", "sector"])["lq"], on["local"].sort_values(["region", "sector"])["lq"],
                       rtol=1e-12, equal_nan=True)


def _cells(seed=4, regions=25, sectors=10, years=(2018, 2019, 2020)):
    rng = np.random.default_rng(seed)
    rows = []
    for y in years:
        for r in range(regions):
            for s in range(sectors):
                x = float(rng.lognormal(6, 1.5))
                if rng.random() < 0.1:
                    x = 0.0
                rows.append({"region": f"r{r:03d}", "sector": f"s{s:02d}", "year": y, "grp": "traded" if s < 7 else "local",
                             "x": x, "n": float(rng.integers(1, 200))})
    return pd.DataFrame(rows)


def test_year_by_year_flags_without_temporary_tables_on_spark(spark_engine, tmp_path):
    """``cmp_flags_by_year`` failed on PySpark (no temporary tables); it now passes its small
    intermediate results back as in-memory tables and Spark writes the flags."""
    import ibis

    cells = _cells()
    paths = engine.cmp_flags_by_year(spark_engine.con, ibis.memtable(cells), str(tmp_path / "out"), strong_pct=0.7)
    got = pd.read_parquet(paths[0]).sort_values(["year", "region", "sector"]).reset_index(drop=True)
    exp = reference.cmp_flags(reference.location_quotients(cells), strong_pct=0.7).sort_values(["year", "region", "sector"]).reset_index(drop=True)
    assert len(got) == len(exp) == len(cells)
    for c in ("strong", "strong10", "significant", "qualifying"):
        assert got[c].astype(bool).tolist() == exp[c].astype(bool).tolist(), c
    np.testing.assert_allclose(got["lq"], exp["lq"], rtol=1e-12)


def test_map_cli_reads_and_writes_the_panel_in_spark(spark_engine, tmp_path):
    """``klaster observatory map --engine spark``: Spark reads the wide file, checks it and writes the
    flags; they equal the local engine's."""
    from typer.testing import CliRunner

    from klaster.cli import app

    cells = _cells(seed=7, years=(2019, 2020))
    wide = cells.rename(columns={"x": "employment", "n": "establishments", "grp": "group"})
    f = tmp_path / "panel.parquet"
    wide.to_parquet(f)
    r = CliRunner().invoke(app, ["observatory", "map", "--panel", str(f), "-m", "cmp", "--years", "all", "--engine", "spark",
                                 "--out", str(tmp_path / "spark"), "--no-html"])
    assert r.exit_code == 0, r.output
    r2 = CliRunner().invoke(app, ["observatory", "map", "--panel", str(f), "-m", "cmp", "--years", "all",
                                  "--out", str(tmp_path / "local"), "--no-html", "--tables", "flags"])
    assert r2.exit_code == 0, r2.output
    a = pd.read_parquet(tmp_path / "spark" / "flags_cmp.parquet")
    b = pd.read_parquet(tmp_path / "local" / "flags.parquet")
    for d in (a, b):
        d["region"] = d["region"].astype(str)
        d["sector"] = d["sector"].astype(str)
        d["year"] = d["year"].astype(int)
    a = a.sort_values(["year", "region", "sector"]).reset_index(drop=True)
    b = b.sort_values(["year", "region", "sector"]).reset_index(drop=True)
    assert len(a) == len(b)
    for c in ("strong", "strong10", "significant", "qualifying"):
        assert a[c].astype("Float64").fillna(-1).tolist() == b[c].astype("Float64").fillna(-1).tolist(), c
