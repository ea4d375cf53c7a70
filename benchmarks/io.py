"""Benchmark: klaster's LU-based Leontief solves against pymrio on random well-conditioned tables.

Task per size n: Type I output multipliers plus a 10-scenario final-demand impact run.
Each contender runs in its own subprocess (same table, generated from the same seed) and reports
its wall time for the task and its peak resident memory (``ru_maxrss``), printed as ratios
pymrio / klaster.

    .venv/bin/python benchmarks/io.py                 # n = 2000, 4000, 8000
    .venv/bin/python benchmarks/io.py --sizes 500 1000

Target at n = 8,000: klaster ≥ 3× faster and ≤ ½ the peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

SCENARIOS = 10


def _table(n: int):
    import numpy as np

    rng = np.random.default_rng(n)
    Z = rng.random((n, n))  # flows
    Z *= 0.6 / n  # column sums ≈ 0.3 of output before scaling → well conditioned
    x = np.full(n, 1.0)
    Y = (x - Z.sum(axis=1)).reshape(-1, 1)
    dY = rng.normal(size=(n, SCENARIOS))
    return Z, x, Y, dY


def run_klaster(n: int) -> dict:
    from klaster.observatory.io import core

    Z, x, Y, dY = _table(n)
    t0 = time.perf_counter()
    A = core.calc_A(Z, x, out=Z)  # in place: the flows are not needed afterwards
    lu = core.factorise(A, overwrite=True)
    mult = core.output_multipliers(lu)
    dx = core.impact(lu, dY)
    t = time.perf_counter() - t0
    return {"seconds": t, "check": float(mult.sum() + dx.sum())}


def run_pymrio(n: int) -> dict:
    import pandas as pd
    import pymrio

    Z, x, Y, dY = _table(n)
    idx = pd.MultiIndex.from_product([["reg"], [f"s{i}" for i in range(n)]], names=["region", "sector"])
    t0 = time.perf_counter()
    io = pymrio.IOSystem(Z=pd.DataFrame(Z, index=idx, columns=idx),
                         Y=pd.DataFrame(Y, index=idx, columns=pd.MultiIndex.from_tuples([("reg", "fd")])))
    del Z
    io.calc_all()
    mult = io.L.sum(axis=0).to_numpy()
    dx = io.L.to_numpy() @ dY
    t = time.perf_counter() - t0
    return {"seconds": t, "check": float(mult.sum() + dx.sum())}


def _child(which: str, n: int) -> None:
    res = {"klaster": run_klaster, "pymrio": run_pymrio}[which](n)
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(res))


def _measure(which: str, n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", which, str(n)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 4000, 8000])
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        _child(a.child[0], int(a.child[1]))
        return 0
    print(f"{'n':>6} {'klaster s':>10} {'pymrio s':>10} {'speed-up':>9} {'klaster MB':>11} {'pymrio MB':>10} {'mem ratio':>10}")
    for n in a.sizes:
        k = _measure("klaster", n)
        p = _measure("pymrio", n)
        if abs(k["check"] - p["check"]) > 1e-6 * max(1.0, abs(p["check"])):
            print(f"results differ at n={n}: {k['check']} vs {p['check']}", file=sys.stderr)
            return 1
        print(f"{n:>6} {k['seconds']:>10.2f} {p['seconds']:>10.2f} {p['seconds'] / k['seconds']:>8.2f}x "
              f"{k['peak_rss_mb']:>11.0f} {p['peak_rss_mb']:>10.0f} {k['peak_rss_mb'] / p['peak_rss_mb']:>10.2f}")
    print("speed-up = pymrio time / klaster time (target ≥ 3 at n=8000); "
          "mem ratio = klaster peak RSS / pymrio peak RSS (target ≤ 0.5 at n=8000)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
