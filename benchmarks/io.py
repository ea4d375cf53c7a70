"""Benchmark of the input-output path a user runs: ``IOTable`` vs pymrio ``calc_all`` vs one LU.

Task per size n (random, well-conditioned table with compensation of employees, household
consumption and household income, labelled like a real table):

    Type I and Type II multipliers (output; income effects and multipliers) for every sector
    + 10 final-demand impact scenarios (Type I).

Contenders, each in its own subprocess per run (same table from the same seed; libraries
imported and inputs built before the clock; peak RSS from ``ru_maxrss``):

- ``klaster`` — the API behind ``klaster io multipliers`` / ``klaster io impact``:
  ``IOTable.from_flows(Z, x, …)``, ``.multipliers("I")``, ``.multipliers("II")``,
  ``.impact(ΔY)`` (one LU of ``I − A``; Type II through the same LU, Miyazawa's bordered
  system; no dense inverse);
- ``pymrio`` — the strongest straightforward peer: ``IOSystem(Z, Y, x, extension CoE)`` +
  ``calc_all()`` (dense ``L`` and ``M = S L``), the Type II system endogenised as a second
  ``IOSystem`` with the household row and column (pymrio has no Type II) + ``calc_all()``, impacts
  ``L @ ΔY``;
- ``lu`` — ``scipy.linalg.lu_factor(I − A)`` alone (``I − A`` formed before the clock): the
  floor, one LU factorisation.

Results are checked equal (klaster vs pymrio: multipliers, income effects, impacts, rtol 1e-8)
before any time is compared. Each size is measured ``--runs`` times (the three contenders in
turn, a paired run); the table reports min / median / max.

The EXIOBASE-size case (``--exiobase``): n = 9,800 random sparse-like table (49 regions × 200
sectors, flows within a region dense, between regions 2 % of pairs), task = all Type I
multipliers (output, income, employment, GVA) for all sectors + 100 impact scenarios, vs one LU.

    .venv/bin/python benchmarks/io.py                          # n = 2000, 4000, 8000, 3 runs
    .venv/bin/python benchmarks/io.py --sizes 500 1000 --runs 2
    .venv/bin/python benchmarks/io.py --exiobase --runs 3

Targets (this 2-core machine): klaster ≥ 4× faster than pymrio at n = 2,000, 4,000 and 8,000;
within 1.3× of one LU at n = 8,000; EXIOBASE size within 1.5× of one LU.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

SCENARIOS = 10
EXIO_N, EXIO_SCENARIOS = 9800, 100


def table(n: int, *, sparse_like: bool = False):
    """Flows Z (n × n), output x, CoE, employment, GVA, household consumption and income, ΔY."""
    import numpy as np

    rng = np.random.default_rng(n)
    if sparse_like:
        regions = 49
        size = n // regions
        Z = np.zeros((n, n))
        for r in range(regions):  # dense within a region
            s = slice(r * size, (r + 1) * size)
            Z[s, s] = rng.random((size, size))
        mask = rng.random((n, n)) < 0.02  # sparse trade between regions
        Z[mask] += rng.random(int(mask.sum())) * 0.2
        Z *= 0.5 / Z.sum(axis=0, keepdims=True)  # intermediate inputs = half of output
    else:
        Z = rng.random((n, n))
        Z *= 0.6 / n  # column sums ≈ 0.3 of output → well conditioned
    x = np.ones(n)
    coe = rng.uniform(0.15, 0.35, n)
    emp = rng.uniform(1, 20, n)
    gva = coe + rng.uniform(0.05, 0.15, n)
    cons = rng.dirichlet(np.ones(n)) * coe.sum() * 0.7
    income = float(coe.sum())
    dY = rng.normal(size=(n, EXIO_SCENARIOS if sparse_like else SCENARIOS))
    return Z, x, coe, emp, gva, cons, income, dY


def _labels(n):
    return [f"s{i:05d}" for i in range(n)]


def run_klaster(n: int, exio: bool) -> dict:
    import numpy as np
    import pandas as pd

    from klaster.observatory.io import IOTable

    Z, x, coe, emp, gva, cons, income, dY = table(n, sparse_like=exio)
    lab = _labels(n)
    Zdf = pd.DataFrame(Z, index=lab, columns=lab, copy=False)
    dYdf = pd.DataFrame(dY, index=lab, columns=[f"scenario {k + 1}" for k in range(dY.shape[1])], copy=False)
    del Z
    t0 = time.perf_counter()
    t = IOTable.from_flows(Zdf, x, compensation=coe, employment=emp if exio else None, gva=gva if exio else None,
                           household_consumption=cons, household_income=income)
    m1 = t.multipliers("I")
    m2 = None if exio else t.multipliers("II")
    dx = t.impact(dYdf)
    wall = time.perf_counter() - t0
    out = {"seconds": wall, "m1": m1["Output multiplier"].to_numpy(), "e1": m1["Income effect"].to_numpy(),
           "dx": dx.to_numpy()}
    if m2 is not None:
        out.update(m2=m2["Output multiplier"].to_numpy(), e2=m2["Income effect"].to_numpy())
    return out


def run_pymrio(n: int, exio: bool) -> dict:
    import numpy as np
    import pandas as pd
    import pymrio

    Z, x, coe, emp, gva, cons, income, dY = table(n, sparse_like=exio)
    idx = pd.MultiIndex.from_product([["reg"], _labels(n)], names=["region", "sector"])
    fd = pd.MultiIndex.from_tuples([("reg", "households")], names=["region", "category"])
    Zdf = pd.DataFrame(Z, index=idx, columns=idx)
    Ydf = pd.DataFrame(cons, index=idx, columns=fd)
    xdf = pd.DataFrame(x, index=idx, columns=["indout"])
    F = pd.DataFrame([coe], index=["compensation"], columns=idx)
    # the closed (Type II) system: households as the (n+1)-th sector
    idx2 = idx.append(pd.MultiIndex.from_tuples([("reg", "HH")], names=["region", "sector"]))
    Z2 = np.zeros((n + 1, n + 1))
    Z2[:n, :n] = Z
    Z2[:n, n] = cons
    Z2[n, :n] = coe
    Z2df = pd.DataFrame(Z2, index=idx2, columns=idx2)
    x2df = pd.DataFrame(np.append(x, income), index=idx2, columns=["indout"])
    Y2df = pd.DataFrame(np.zeros(n + 1), index=idx2, columns=fd)
    del Z, Z2
    t0 = time.perf_counter()
    io = pymrio.IOSystem(Z=Zdf, Y=Ydf, x=xdf, income={"name": "income", "F": F})
    io.calc_all()
    m1 = io.L.sum(axis=0).to_numpy()
    e1 = io.income.M.to_numpy()[0]
    dx = io.L.to_numpy() @ dY
    out = {"m1": m1, "e1": e1, "dx": dx}
    if not exio:
        io2 = pymrio.IOSystem(Z=Z2df, Y=Y2df, x=x2df)
        io2.calc_all()
        L2 = io2.L.to_numpy()
        out.update(m2=L2[:n, :n].sum(axis=0), e2=L2[n, :n])
    out["seconds"] = time.perf_counter() - t0
    return out


def run_lu(n: int, exio: bool) -> dict:
    import numpy as np
    import scipy.linalg as sla

    Z, x, *_ = table(n, sparse_like=exio)
    M = np.eye(n) - Z / x[None, :]
    del Z
    t0 = time.perf_counter()
    sla.lu_factor(M)
    return {"seconds": time.perf_counter() - t0}


CONTENDERS = {"klaster": run_klaster, "pymrio": run_pymrio, "lu": run_lu}


def _child(which: str, n: int, exio: bool, result_path: str) -> None:
    import numpy as np

    import klaster.observatory.io  # noqa: F401  (imports before the clock)
    import pandas  # noqa: F401
    import scipy.linalg  # noqa: F401
    if which == "pymrio":
        import pymrio  # noqa: F401
    res = CONTENDERS[which](n, exio)
    arrays = {k: v for k, v in res.items() if isinstance(v, np.ndarray)}
    if arrays:
        np.savez(result_path, **arrays)
    print(json.dumps({"seconds": res["seconds"], "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _measure(which: str, n: int, exio: bool, result_path: str) -> dict:
    cmd = [sys.executable, __file__, "--child", which, str(n), "1" if exio else "0", result_path]
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if out.returncode != 0:
        raise SystemExit(f"{which} n={n} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _check_equal(n: int, a: str, b: str) -> str:
    import numpy as np

    A, B = np.load(a), np.load(b)
    worst = 0.0
    for k in A.files:
        if k not in B.files:
            continue
        d = np.abs(A[k] - B[k]).max() / max(1.0, np.abs(B[k]).max())
        worst = max(worst, float(d))
        if d > 1e-8:
            raise SystemExit(f"n={n}: klaster and pymrio differ in {k}: relative difference {d:.3g}")
    return f"{worst:.1e}"


def _mmm(v):
    return min(v), statistics.median(v), max(v)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 4000, 8000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--exiobase", action="store_true", help="n = 9,800 sparse-like, Type I multipliers + 100 scenarios vs one LU")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        _child(a.child[0], int(a.child[1]), a.child[2] == "1", a.child[3])
        return 0
    import tempfile

    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    cases = [(EXIO_N, True)] if a.exiobase else [(n, False) for n in a.sizes]
    names = ["klaster", "lu"] if a.exiobase else ["klaster", "pymrio", "lu"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="klaster-io-bench-") as tmp:
        for n, exio in cases:
            times = {k: [] for k in names}
            mem = {k: [] for k in names}
            checked = "-"
            for r in range(a.runs):
                for k in names:
                    res = _measure(k, n, exio, os.path.join(tmp, f"{k}.npz"))
                    times[k].append(res["seconds"])
                    mem[k].append(res["peak_mb"])
                if "pymrio" in names and r == 0:
                    checked = _check_equal(n, os.path.join(tmp, "klaster.npz"), os.path.join(tmp, "pymrio.npz"))
                print(f"  n={n} run {r + 1}: " + ", ".join(f"{k} {times[k][-1]:.2f} s" for k in names), flush=True)
            rows.append((n, exio, times, mem, checked))
    print()
    head = f"{'n':>6} | " + " | ".join(f"{k} s (min/med/max)" for k in names)
    if "pymrio" in names:
        head += " | pymrio/klaster (med) | klaster/LU (med) | peak MB klaster/pymrio | max rel diff"
    else:
        head += " | klaster/LU (min/med/max) | peak MB klaster/LU"
    print(head)
    for n, exio, times, mem, checked in rows:
        line = f"{n:>6} | " + " | ".join("{:.2f}/{:.2f}/{:.2f}".format(*_mmm(times[k])) for k in names)
        kl = statistics.median(times["klaster"])
        lu = statistics.median(times["lu"])
        if "pymrio" in names:
            line += (f" | {statistics.median(times['pymrio']) / kl:.1f}× | {kl / lu:.2f}× | "
                     f"{statistics.median(mem['klaster']):.0f}/{statistics.median(mem['pymrio']):.0f} | {checked}")
        else:
            ratios = [k / l for k, l in zip(times["klaster"], times["lu"])]
            line += " | {:.2f}/{:.2f}/{:.2f}×".format(*_mmm(ratios)) + f" | {statistics.median(mem['klaster']):.0f}/{statistics.median(mem['lu']):.0f}"
        print(line)
    print("targets: pymrio/klaster ≥ 4× at every n; klaster/LU ≤ 1.3× at n = 8,000; EXIOBASE size klaster/LU ≤ 1.5×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
