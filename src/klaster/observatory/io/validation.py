"""Validation against official published tables (``klaster io validate``; ``docs/io.md``).

Each function recomputes published results from the published flows with klaster's own code
and returns one row per compared quantity: the largest absolute and relative difference, the
tolerance and whether it holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import official
from .regional import mape, regionalise
from .system import IOTable

#: Methods compared in the UK → Scotland regionalisation test.
REGIONALISATION_RUNS = (("slq", None), ("cilq", None), ("flq", 0.1), ("flq", 0.2), ("flq", 0.3), ("aflq", 0.1),
                        ("aflq", 0.2), ("aflq", 0.3))


def _row(item: str, mine, published, tol: float, relative: bool = False) -> dict:
    a = np.asarray(mine, dtype=float)
    b = np.asarray(published, dtype=float)
    ok = np.isfinite(b)
    diff = np.abs(a - b)[ok]
    rel = diff / np.maximum(np.abs(b[ok]), 1e-300)
    worst = float(diff.max()) if diff.size else 0.0
    wrel = float(rel.max()) if rel.size else 0.0
    return {"item": item, "compared": int(ok.sum()), "max abs diff": worst, "max rel diff": wrel,
            "tolerance": f"{tol:g} ({'relative' if relative else 'absolute'})", "pass": (wrel if relative else worst) <= tol}


def scotland(year: int = 2019, tol: float = 1e-6) -> pd.DataFrame:
    """Scottish Government Type I/II Leontief inverses and multipliers (2019 or 2016).

    Employment multipliers are compared relative to their size: the employment vector is the
    FTE implied by the published effects (the workbook has no job counts) and carries a
    reconstruction error of up to 6.3e-7 (relative) in gas distribution (35.2-3), which the
    ratio multiplier inherits (see docs/io.md).
    """
    t = official.scotland(year)
    p = official.scotland_published(year)
    rows = [_row("Type I Leontief inverse", t.L.to_numpy(), p["L1"].to_numpy(), tol),
            _row("Type II Leontief inverse", t.L_type_ii().to_numpy(), p["L2"].to_numpy(), tol)]
    for ty, key in (("I", "M1"), ("II", "M2")):
        m = t.multipliers(ty)
        for c in p[key].columns:
            rel = c == "Employment multiplier"
            rows.append(_row(f"Type {ty} {c}", m[c].to_numpy(), p[key][c].to_numpy(), tol, relative=rel))
    return pd.DataFrame(rows).set_index("item")


def uk_2019(tol: float = 1e-9) -> pd.DataFrame:
    """ONS UK 2019: A, Leontief inverse, Type I effects and multipliers."""
    t = official.uk_2019()
    p = official.uk_2019_published()
    rows = [_row("A", t.A.to_numpy(), p["A"].to_numpy(), tol), _row("Leontief inverse", t.L.to_numpy(), p["L"].to_numpy(), tol)]
    m = t.multipliers("I")
    # effects and multipliers of every primary-input row of the table
    inputs = official.uk_2019_input_rows()
    names = {"Use of imported products, cif": "Use of imported products, cif",
             "Taxes less subsidies on products": "Taxes less subsidies on products",
             "D1": "Compensation of employees", "GOS & MI": "Gross operating surplus and mixed income",
             "D29-D39": "Taxes less subsidies on production", "GVA": "Gross value added"}
    from . import core

    for r, name in names.items():
        h = core.direct_coefficients(inputs.loc[r].to_numpy(), t.x.to_numpy())
        eff = core.effects(t.lu, h)
        rows.append(_row(f"Type I effect: {name}", eff, p["effects"][name].to_numpy(), tol))
        if name in p["multipliers"].columns:
            rows.append(_row(f"Type I multiplier: {name}", core.ratio_multipliers(eff, h), p["multipliers"][name].to_numpy(), tol))
    rows.append(_row("Type I effect: Output", m["Output multiplier"], p["effects"]["Output"], tol))
    rows.append(_row("Type I multiplier: Output", m["Output multiplier"], p["multipliers"]["Output"], tol))
    return pd.DataFrame(rows).set_index("item")


def textbook() -> pd.DataFrame:
    """Germany 1995, Netherlands 2000, ABS 1989-90 (Type I) and Miller & Blair's two sectors.

    Published figures are rounded (4 decimals, Netherlands 3 significant digits; ABS employment
    to whole persons), so each comparison uses half a unit of the last printed digit, and ABS
    derived columns (from rounded inputs) 1e-4.
    """
    rows = []
    g = official.germany_1995().multipliers()
    rows.append(_row("Germany 1995 output multipliers", g["Output multiplier"].round(4),
                     [1.7048, 1.8413, 1.8136, 1.6035, 1.5951, 1.3782], 5e-5))
    nl = official.netherlands_2000().multipliers()
    rows.append(_row("Netherlands 2000 compensation multipliers", nl["Income multiplier"],
                     [2.466, 2.333, 1.84, 2.372, 1.953, 1.417], 5e-4))
    a = official.abs_1989()
    pub = official.abs_1989_published()
    m = a.multipliers()
    rows.append(_row("ABS 1989-90 (I − A)^-1", a.L.to_numpy(), pub.iloc[:, :7].to_numpy(), 1e-4))
    rows.append(_row("ABS 1989-90 simple output multipliers", m["Output multiplier"], pub["simple_output_mult"], 1e-4))
    fr = a.A.sum(axis=0).to_numpy()
    rows.append(_row("ABS 1989-90 first-round effects", fr, pub["first_round"], 1e-4))
    rows.append(_row("ABS 1989-90 industrial-support effects", m["Output multiplier"] - 1 - fr, pub["industrial_support"], 1e-4))
    rows.append(_row("ABS 1989-90 initial income", a.coefficients().loc["income"], pub["income_initial"], 1e-4))
    rows.append(_row("ABS 1989-90 simple income effects", m["Income effect"], pub["income_simple"], 1e-4))
    rows.append(_row("ABS 1989-90 simple employment (persons per $m)", m["Employment effect"], pub["emp_simple"], 0.5))
    mb = IOTable.from_flows([[150, 500], [200, 100]], [1000, 2000], check=False)
    rows.append(_row("Miller & Blair ch. 2 A", mb.A.to_numpy(), [[0.15, 0.25], [0.20, 0.05]], 1e-12))
    rows.append(_row("Miller & Blair ch. 2 L", mb.L.to_numpy(), [[1.2541, 0.3300], [0.2640, 1.1221]], 5e-5))
    return pd.DataFrame(rows).set_index("item")


def regionalisation_tables() -> tuple[IOTable, IOTable]:
    """The UK 2019 and Scotland 2019 tables aggregated to the 29 common groups of ``Mappings_UK_Scotland.xlsx``."""
    sm, um, order = official.uk_scotland_mapping()
    return official.uk_2019().aggregate(um, order=order), official.scotland(2019).aggregate(sm, order=order)


def regionalisation() -> pd.DataFrame:
    """UK 2019 → Scotland by SLQ, CILQ, FLQ (δ = 0.1, 0.2, 0.3), AFLQ (δ = 0.1, 0.2, 0.3).

    Regional output shares use Scottish and UK output by group; each method's Type I output
    multipliers are compared with those of Scotland's own table aggregated to the same groups.

    Returns
    -------
    DataFrame, index method label, columns ``method``, ``delta``, ``lambda*``, ``MAPE %``,
    ``mean multiplier`` (and Scotland's own mean as ``benchmark mean``).
    """
    uk, sc = regionalisation_tables()
    bench = sc.multipliers()["Output multiplier"]
    rows = []
    for method, delta in REGIONALISATION_RUNS:
        r = regionalise(uk.A, sc.x.to_numpy(), uk.x.to_numpy(), method=method, delta=delta)
        est = IOTable.from_coefficients(r.A).multipliers()["Output multiplier"]
        label = method.upper() + ("" if delta is None else f" δ={delta}")
        rows.append({"label": label, "method": method, "delta": r.delta, "lambda*": r.lam, "MAPE %": mape(est, bench),
                     "mean multiplier": float(est.mean()), "benchmark mean": float(bench.mean())})
    national = uk.multipliers()["Output multiplier"]
    rows.append({"label": "UK national (no regionalisation)", "method": "none", "delta": None, "lambda*": None,
                 "MAPE %": mape(national, bench), "mean multiplier": float(national.mean()), "benchmark mean": float(bench.mean())})
    return pd.DataFrame(rows).set_index("label")
