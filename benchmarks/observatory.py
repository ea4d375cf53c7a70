"""Benchmark: location quotients + U.S. Cluster Mapping flags on a large synthetic panel.

Contenders, each run in its own subprocess on the same Parquet file (so that peak memory is the
peak RSS of that process alone, read with ``resource.getrusage``):

- ``klaster``  — :mod:`klaster.observatory.engine` (Ibis on embedded DuckDB), result written to
  Parquet by DuckDB;
- ``pandas``   — :mod:`klaster.observatory.reference` (the plain-pandas reference);
- ``ecomplexity`` — the RCA step of the ``ecomplexity`` package (``ComplexityData``:
  rectangularise and compute RCA year by year), which is the LQ on an all-activities base and
  does not compute the CMP flags.

Default size: 3,000 regions × 1,000 sectors × 10 years = 30 million cells. Run::

    .venv/bin/python benchmarks/observatory.py                 # full size
    .venv/bin/python benchmarks/observatory.py --regions 300   # quick check

It prints wall time and peak memory per contender, the ratios, and a checksum (Σ LQ and the
number of strong flags) that must agree between klaster and pandas (and Σ RCA for ecomplexity).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def generate(path: Path, regions: int, sectors: int, years: int, seed: int = 0) -> int:
    """Write the synthetic panel (region, sector, year, grp, x, n) year by year; return rows."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    scale = rng.lognormal(3, 1, size=sectors)          # sector size
    region_size = rng.lognormal(0, 1, size=regions)    # region size
    writer = None
    n_rows = 0
    reg = np.repeat(np.arange(regions, dtype=np.int32), sectors)
    sec = np.tile(np.arange(sectors, dtype=np.int32), regions)
    grp = pa.array(np.where(sec < int(sectors * 0.7), "traded", "local")).dictionary_encode()
    for k in range(years):
        x = np.round(scale[sec] * region_size[reg] * rng.lognormal(0, 1, size=reg.size))
        x[rng.random(reg.size) < 0.1] = 0.0
        n = np.ceil(x / rng.uniform(5, 50, size=reg.size))
        t = pa.table({"region": reg, "sector": sec, "year": np.full(reg.size, 2015 + k, dtype=np.int32),
                      "grp": grp, "x": x, "n": n})
        if writer is None:
            writer = pq.ParquetWriter(path, t.schema)
        writer.write_table(t)
        n_rows += t.num_rows
    writer.close()
    return n_rows


def run_klaster(data: str, out: str) -> dict:
    from klaster.observatory import engine

    # a memory cap lets DuckDB spill to disk instead of growing; insertion order is not needed;
    # the panel is processed year by year (every computation groups by year)
    con = engine.connect(memory_limit="1500MB", preserve_insertion_order=False,
                         temp_directory=str(Path(out).parent / "duckdb_tmp"))
    cells = con.read_parquet(data)
    paths = engine.cmp_flags_by_year(con, cells, out)

    def check() -> dict:
        res = con.read_parquet(paths)
        chk = res.aggregate(lq_sum=res.lq.sum(), strong=res.strong.cast("int64").sum(), rows=res.count()).execute()
        return {"lq_sum": float(chk["lq_sum"][0]), "strong": int(chk["strong"][0]), "rows": int(chk["rows"][0])}

    return check


def run_pandas(data: str, out: str) -> dict:
    import pandas as pd

    from klaster.observatory import reference

    cells = pd.read_parquet(data)
    cells["grp"] = cells["grp"].astype(str)
    lq = reference.location_quotients(cells)
    del cells
    flags = reference.cmp_flags(lq)
    del lq
    flags[["region", "sector", "year", "lq", "strong", "strong10", "significant", "qualifying"]].to_parquet(out)
    return lambda: {"lq_sum": float(flags["lq"].sum()), "strong": int(flags["strong"].sum()), "rows": int(len(flags))}


def run_ecomplexity(data: str, out: str) -> dict:
    import numpy as np
    import pandas as pd
    from ecomplexity.ComplexityData import ComplexityData

    df = pd.read_parquet(data, columns=["year", "region", "sector", "x"])
    cd = ComplexityData(df, {"time": "year", "loc": "region", "prod": "sector", "val": "x"}, "coerce")
    del df
    total, rows = 0.0, 0
    for t in sorted(cd.data.index.unique("time")):
        cd.create_full_df(t)
        cd.calculate_rca()
        total += float(np.nansum(cd.rca_t))
        rows += cd.rca_t.size
    return lambda: {"rca_sum": total, "rows": rows}


CONTENDERS = {"klaster": run_klaster, "pandas": run_pandas, "ecomplexity": run_ecomplexity}


def child(name: str, data: str, out: str) -> None:
    # libraries are imported before the clock starts: the timing is of the computation (and of
    # writing its result); the modules the contenders load lazily on first use are imported here
    # too (ibis's DuckDB backend and its SQL dialect, ~1 s; pandas' Parquet engine, pyarrow)
    import duckdb  # noqa: F401
    import ibis  # noqa: F401
    import ibis.backends.duckdb  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    import klaster.observatory.engine  # noqa: F401
    import klaster.observatory.reference  # noqa: F401
    if name == "ecomplexity":
        import ecomplexity.ComplexityData  # noqa: F401
    t0 = time.perf_counter()
    check = CONTENDERS[name](data, out)
    wall = time.perf_counter() - t0
    chk = check()  # the checksum (re-reading klaster's Parquet output) is not timed
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"name": name, "wall_s": wall, "peak_mb": peak_kb / 1024, **chk}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=3000)
    ap.add_argument("--sectors", type=int, default=1000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--only", nargs="*", choices=list(CONTENDERS), default=list(CONTENDERS))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.data, a.out)
        return
    with tempfile.TemporaryDirectory(prefix="klaster-bench-") as tmp:
        data = Path(tmp) / "panel.parquet"
        t0 = time.perf_counter()
        rows = generate(data, a.regions, a.sectors, a.years)
        print(f"synthetic panel: {a.regions:,} regions × {a.sectors:,} sectors × {a.years} years = {rows:,} cells "
              f"({data.stat().st_size / 1e6:.0f} MB Parquet, generated in {time.perf_counter() - t0:.1f} s)")
        results = {}
        for name in a.only:
            out = Path(tmp) / f"{name}.parquet"
            p = subprocess.run([sys.executable, __file__, "--child", name, "--data", str(data), "--out", str(out)],
                               capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
            if p.returncode != 0:
                print(f"{name}: failed (exit {p.returncode})\n{p.stderr[-2000:]}")
                continue
            r = json.loads(p.stdout.strip().splitlines()[-1])
            results[name] = r
            extra = ", ".join(f"{k} {v:,.6g}" if isinstance(v, float) else f"{k} {v:,}" for k, v in r.items()
                              if k not in ("name", "wall_s", "peak_mb"))
            print(f"{name:12s} wall {r['wall_s']:8.1f} s   peak RSS {r['peak_mb']:8.0f} MB   ({extra})")
        if "klaster" in results:
            k = results["klaster"]
            for other in ("pandas", "ecomplexity"):
                if other in results:
                    o = results[other]
                    print(f"klaster vs {other}: {o['wall_s'] / k['wall_s']:.1f}× faster, "
                          f"{o['peak_mb'] / k['peak_mb']:.1f}× less peak memory")
            if "pandas" in results:
                p = results["pandas"]
                same = abs(p["lq_sum"] - k["lq_sum"]) <= 1e-6 * abs(p["lq_sum"]) and p["strong"] == k["strong"]
                print(f"klaster and pandas agree (Σ LQ, strong flags): {'yes' if same else 'NO'}")
            print(f"targets: ≥ 5× faster than pandas: {'met' if 'pandas' in results and results['pandas']['wall_s'] / k['wall_s'] >= 5 else 'not met'}; "
                  f"peak ≤ 2 GB: {'met' if k['peak_mb'] <= 2048 else 'not met'}")


if __name__ == "__main__":
    main()
