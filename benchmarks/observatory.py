"""Benchmark of ``klaster observatory map`` as a user runs it, against a vectorised pandas script.

Two cases:

``--case mapping`` (default): location quotients on the traded/local base and the four CMP
flags of every year of a synthetic panel of 3,000 regions × 1,000 sectors × 10 years = 30
million cells, read from one Parquet file in the wide layout (``region, sector, year, group,
employment, establishments``) and written to Parquet. Contenders, each a subprocess on the same
file in the same run (wall time, peak RSS of the process from ``getrusage``):

- ``klaster`` — the CLI itself: ``klaster observatory map --panel P -m cmp --years all
  --tables flags --no-html --format parquet --out DIR`` (process start, imports, reading and
  checking the file, the computation and the Parquet output all counted);
- ``pandas`` — :data:`PANDAS_SCRIPT`, the vectorised script a good pandas user would write:
  ``read_parquet``, three ``groupby(...).transform("sum")``, one ``groupby(...).quantile``
  with a list of quantiles, a join of the percentiles, vectorised comparisons, ``to_parquet``;
  run the same way (``python script.py``).

Before any time is compared the results are checked equal: the same cells, LQs equal to 1e-12
(relative) and identical flags. ``--runs`` paired runs (both contenders in turn, the order
alternating); the table gives min / median / max.

``--case end-to-end``: ``klaster observatory map`` with its defaults (all tables, the HTML
report, Parquet) on 600,000 cells (200 regions × 300 sectors × 10 years, three methodologies,
``--years all``), wall time per run.

    .venv/bin/python benchmarks/observatory.py                       # 30 M cells, 3 paired runs
    .venv/bin/python benchmarks/observatory.py --regions 300 --runs 1  # quick
    .venv/bin/python benchmarks/observatory.py --case end-to-end

Bytecode: ``pip install`` compiles every module to bytecode; this machine sets
``PYTHONDONTWRITEBYTECODE=1``, so a Python started here compiled every module it imported from
source on every run (about 550 modules and 3.4 s of CPU for the klaster CLI, fewer for the
pandas script). The benchmark therefore first compiles the bytecode of the virtual
environment's packages and of klaster's source as an installation would (``compileall``; once,
untimed, then the same files serve both contenders); ``--bytecode none`` measures without it.

Targets (2-core machine): mapping ≥ 5× faster than the pandas script with ≤ 1/10 of its peak
memory; end to end on 600 k cells ≤ 15 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PANDAS_SCRIPT = r'''
import sys
import pandas as pd

src, dst = sys.argv[1], sys.argv[2]
df = pd.read_parquet(src)
e = df["employment"]
df["x_rb"] = e.groupby([df["region"], df["year"], df["group"]], observed=True).transform("sum")
df["x_nc"] = e.groupby([df["sector"], df["year"]]).transform("sum")
df["x_nb"] = e.groupby([df["year"], df["group"]], observed=True).transform("sum")
df["lq"] = (e / df["x_rb"]) / (df["x_nc"] / df["x_nb"])
pos = df[e > 0]
g = pos.groupby(["sector", "year"])
th = g["lq"].quantile([0.75, 0.9, 0.5, 0.25]).unstack()
th.columns = ["p75", "p90", "p50", "p25"]
th["pe"] = g["employment"].quantile(0.25)
th["pn"] = g["establishments"].quantile(0.25)
df = df.join(th, on=["sector", "year"])
size = (df["employment"] > df["pe"]) & (df["establishments"] > df["pn"])
lq = df["lq"]
traded = df["group"] == "traded"
out = pd.DataFrame({
    "region": df["region"], "sector": df["sector"], "year": df["year"], "lq": lq,
    "strong": ((lq >= df["p75"]) & (lq >= 1) & size).where(traded),
    "strong10": ((lq >= df["p90"]) & (lq >= 1) & size).where(traded),
    "significant": ((lq > df["p50"]) & size).where(traded),
    "qualifying": ((lq > df["p25"]) & size).where(traded),
})
out.to_parquet(dst)
'''


def generate(path: Path, regions: int, sectors: int, years: int, seed: int = 0, text_codes: bool = False) -> int:
    """Write the synthetic panel (wide layout), year by year in grid order; return the rows."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    scale = rng.lognormal(3, 1, size=sectors)          # sector size
    region_size = rng.lognormal(0, 1, size=regions)    # region size
    reg = np.repeat(np.arange(regions, dtype=np.int32), sectors)
    sec = np.tile(np.arange(sectors, dtype=np.int32), regions)
    group = pa.array(np.where(sec < int(sectors * 0.7), "traded", "local")).dictionary_encode()
    if text_codes:
        rcol = pa.array([f"R{r:04d}" for r in reg]).dictionary_encode()
        scol = pa.array([f"S{s:04d}" for s in sec]).dictionary_encode()
    else:
        rcol, scol = reg, sec
    writer = None
    rows = 0
    for k in range(years):
        x = np.round(scale[sec] * region_size[reg] * rng.lognormal(0, 1, size=reg.size))
        x[rng.random(reg.size) < 0.1] = 0.0
        n = np.ceil(x / rng.uniform(5, 50, size=reg.size))
        t = pa.table({"region": rcol, "sector": scol, "year": np.full(reg.size, 2015 + k, dtype=np.int32),
                      "group": group, "employment": x, "establishments": n})
        if writer is None:
            writer = pq.ParquetWriter(path, t.schema)
        writer.write_table(t)
        rows += t.num_rows
    writer.close()
    return rows


def _run(cmd: list[str]) -> dict:
    """Run ``cmd``; wall time and the child's peak RSS (a fresh measuring process per run)."""
    probe = [sys.executable, "-c",
             "import resource, subprocess, sys, time, json; t = time.perf_counter(); "
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); w = time.perf_counter() - t; "
             "print(json.dumps({'rc': p.returncode, 'wall': w, 'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "
             "'err': p.stderr[-3000:]}))", *cmd]
    out = subprocess.run(probe, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    r = json.loads(out.stdout.strip().splitlines()[-1])
    if r["rc"] != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}… failed (exit {r['rc']}):\n{r['err']}")
    return r


def _klaster() -> str:
    return str(Path(sys.executable).with_name("klaster"))


def check_equal(k_path: Path, p_path: Path) -> str:
    """Same cells, LQ to 1e-12 relative, identical flags (klaster's flags.parquet vs pandas)."""
    import numpy as np
    import pandas as pd

    cols = ["region", "sector", "year", "lq", "strong", "strong10", "significant", "qualifying"]
    a = pd.read_parquet(k_path, columns=cols)
    b = pd.read_parquet(p_path, columns=cols)
    for d in (a, b):
        d["region"] = d["region"].astype(str)
        d["sector"] = d["sector"].astype(str)
        d["year"] = d["year"].astype("int64")
    a = a.sort_values(["year", "region", "sector"]).reset_index(drop=True)
    b = b.sort_values(["year", "region", "sector"]).reset_index(drop=True)
    if len(a) != len(b) or not (a[["region", "sector", "year"]] == b[["region", "sector", "year"]]).all().all():
        raise SystemExit(f"results differ: {len(a):,} vs {len(b):,} cells")
    la, lb = a["lq"].to_numpy(float), b["lq"].to_numpy(float)
    rel = np.nanmax(np.abs(la - lb) / np.maximum(np.abs(lb), 1e-300)) if len(la) else 0.0
    if not np.array_equal(np.isnan(la), np.isnan(lb)) or rel > 1e-12:
        raise SystemExit(f"results differ: LQ relative difference {rel:.3g}")
    for f in ("strong", "strong10", "significant", "qualifying"):
        fa = a[f].astype("boolean").fillna(False).to_numpy(bool)
        fb = b[f].astype("boolean").fillna(False).to_numpy(bool)
        na = a[f].isna().to_numpy()
        nb = b[f].isna().to_numpy()
        if not (np.array_equal(fa, fb) and np.array_equal(na, nb)):
            raise SystemExit(f"results differ: flag {f} differs in {int((fa != fb).sum())} cells")
    return f"{len(a):,} cells equal (LQ max rel diff {rel:.1e}; flags identical; strong {int(a['strong'].fillna(False).sum()):,})"


def _mmm(v):
    return min(v), statistics.median(v), max(v)


def case_mapping(a, tmp: Path) -> None:
    data = tmp / "panel.parquet"
    t0 = time.perf_counter()
    rows = generate(data, a.regions, a.sectors, a.years, text_codes=a.text_codes)
    print(f"synthetic panel: {a.regions:,} regions × {a.sectors:,} sectors × {a.years} years = {rows:,} cells "
          f"({data.stat().st_size / 1e6:.0f} MB Parquet, generated in {time.perf_counter() - t0:.1f} s)", flush=True)
    script = tmp / "pandas_cmp.py"
    script.write_text(PANDAS_SCRIPT, encoding="utf-8")
    cmds = {
        "klaster": [_klaster(), "observatory", "map", "--panel", str(data), "-m", "cmp", "--years", "all", "--tables", "flags",
                    "--no-html", "--format", "parquet", "--out", str(tmp / "klaster")],
        "pandas": [sys.executable, str(script), str(data), str(tmp / "pandas.parquet")],
    }
    res = {k: [] for k in cmds}
    checked = None
    for r in range(a.runs):
        order = list(cmds) if r % 2 == 0 else list(reversed(cmds))
        for k in order:
            if k == "klaster":
                shutil.rmtree(tmp / "klaster", ignore_errors=True)
            res[k].append(_run(cmds[k]))
        if checked is None:
            checked = check_equal(tmp / "klaster" / "flags.parquet", tmp / "pandas.parquet")
            print(f"  check: {checked}", flush=True)
        print(f"  run {r + 1}: " + ", ".join(f"{k} {res[k][-1]['wall']:.1f} s / {res[k][-1]['peak_mb']:.0f} MB" for k in cmds), flush=True)
    kw = [x["wall"] for x in res["klaster"]]
    pw = [x["wall"] for x in res["pandas"]]
    km = [x["peak_mb"] for x in res["klaster"]]
    pm = [x["peak_mb"] for x in res["pandas"]]
    ratios = [p / k for p, k in zip(pw, kw)]
    mem = [p / k for p, k in zip(pm, km)]
    print()
    print("| contender | wall s min / median / max | peak RSS MB min / median / max |")
    print("|---|---|---|")
    print("| klaster observatory map (CLI) | {:.1f} / {:.1f} / {:.1f} | {:.0f} / {:.0f} / {:.0f} |".format(*_mmm(kw), *_mmm(km)))
    print("| vectorised pandas script | {:.1f} / {:.1f} / {:.1f} | {:.0f} / {:.0f} / {:.0f} |".format(*_mmm(pw), *_mmm(pm)))
    print("| pandas / klaster (paired) | {:.1f}× / {:.1f}× / {:.1f}× | {:.1f}× / {:.1f}× / {:.1f}× less |".format(*_mmm(ratios), *_mmm(mem)))
    print(f"targets: ≥ 5× faster: {'met' if statistics.median(ratios) >= 5 else 'NOT met'} (median {statistics.median(ratios):.1f}×); "
          f"≤ 1/10 of the peak memory: {'met' if statistics.median(mem) >= 10 else 'NOT met'} (median {statistics.median(mem):.1f}×)")


def case_end_to_end(a, tmp: Path) -> None:
    data = tmp / "panel600k.parquet"
    rows = generate(data, 200, 300, 10, seed=1, text_codes=True)
    print(f"synthetic panel: 200 regions × 300 sectors × 10 years = {rows:,} cells", flush=True)
    cmd = [_klaster(), "observatory", "map", "--panel", str(data), "-m", "cmp", "-m", "eco", "-m", "kz-bn", "--years", "all",
           "--out", str(tmp / "out")]
    walls, peaks = [], []
    for r in range(a.runs):
        shutil.rmtree(tmp / "out", ignore_errors=True)
        x = _run(cmd)
        walls.append(x["wall"])
        peaks.append(x["peak_mb"])
        print(f"  run {r + 1}: {x['wall']:.1f} s, {x['peak_mb']:.0f} MB, {len(list((tmp / 'out').iterdir()))} files", flush=True)
    print("| klaster observatory map, defaults (all tables, report, Parquet), 600 k cells | {:.1f} / {:.1f} / {:.1f} s | {:.0f} MB |"
          .format(*_mmm(walls), statistics.median(peaks)))
    print(f"target ≤ 15 s: {'met' if max(walls) <= 15 else 'NOT met'}")


def compile_bytecode() -> None:
    """Write the bytecode of site-packages and of klaster's source, as ``pip install`` does (untimed)."""
    import compileall
    import sysconfig

    t = time.perf_counter()
    roots = [Path(sysconfig.get_paths()["purelib"]), Path(__file__).resolve().parents[1] / "src"]
    ok = all(compileall.compile_dir(str(r), quiet=1, workers=0) for r in roots)
    print(f"bytecode compiled as an installation does ({', '.join(str(r) for r in roots)}) in {time.perf_counter() - t:.0f} s"
          + ("" if ok else " (some files did not compile; they are compiled at import)"), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=["mapping", "end-to-end"], default="mapping")
    ap.add_argument("--regions", type=int, default=3000)
    ap.add_argument("--sectors", type=int, default=1000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--text-codes", action="store_true", help="region and sector codes as text (R0001) instead of integers")
    ap.add_argument("--bytecode", choices=["installed", "none"], default="installed",
                    help="installed: compile the bytecode first, as pip does at install (default); none: as found")
    a = ap.parse_args()
    if a.bytecode == "installed":
        compile_bytecode()
    load = os.getloadavg()[0]
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, load average {load:.1f}; "
          f"Python {platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M')}", flush=True)
    with tempfile.TemporaryDirectory(prefix="klaster-bench-") as tmp:
        (case_mapping if a.case == "mapping" else case_end_to_end)(a, Path(tmp))
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other jobs on the machine slow every contender)")


if __name__ == "__main__":
    main()
