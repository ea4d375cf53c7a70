"""Plain-pandas reference implementation of :mod:`klaster.observatory.engine`.

Same inputs (``cells``: ``region, sector, year, grp, x[, n, y]``; ``national``: ``sector, year,
x_nat`` or None), same output columns, same formulas (see the engine's docstrings for the
sources). It exists to be obviously right, not fast: the tests compare the Ibis engine with it,
and the benchmark measures both.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

PCTS = (0.25, 0.5, 0.75, 0.9)


def _div(a, b):
    b = pd.Series(b, copy=False) if not isinstance(b, pd.Series) else b
    return a / b.where(b != 0)


def national_totals(cells: pd.DataFrame, national: pd.DataFrame | None) -> pd.DataFrame:
    groups = cells[["sector", "grp"]].drop_duplicates()
    if national is None:
        nat = cells.groupby(["sector", "year"], as_index=False)["x"].sum(min_count=1).rename(columns={"x": "x_nat"})
    else:
        nat = national[["sector", "year", "x_nat"]].astype({"x_nat": float})
    return nat.merge(groups, on="sector")


def location_quotients(cells: pd.DataFrame, national: pd.DataFrame | None = None) -> pd.DataFrame:
    t = cells.copy()
    t["x_region_base"] = t.groupby(["region", "year", "grp"])["x"].transform("sum")
    t["x_region"] = t.groupby(["region", "year"])["x"].transform("sum")
    nat = national_totals(cells, national)
    nat["x_nat_base"] = nat.groupby(["year", "grp"])["x_nat"].transform("sum")
    t = t.merge(nat[["sector", "year", "x_nat", "x_nat_base"]], on=["sector", "year"], how="left")
    t["lq"] = _div(_div(t["x"], t["x_region_base"]), _div(t["x_nat"], t["x_nat_base"]))
    t["share_region"] = _div(t["x"], t["x_region"])
    t["share_nation"] = _div(t["x"], t["x_nat"])
    return t


def _pct(s: pd.Series, q: float) -> float:
    v = s.dropna().to_numpy()
    return float(np.percentile(v, q * 100)) if len(v) else np.nan


def _flag(cond: pd.Series, miss: pd.Series) -> pd.Series:
    out = cond.fillna(False).astype(object)
    out[miss.to_numpy()] = pd.NA
    return out.astype("boolean")


def cmp_flags(lq: pd.DataFrame, *, lq_min: float = 1.0, use_count: bool = True, strong_pct: float = 0.75,
              strong10_pct: float = 0.9, significant_pct: float = 0.5, qualifying_pct: float = 0.25,
              size_pct: float = 0.25) -> pd.DataFrame:
    t = lq.copy()
    pos = t[t["x"] > 0]
    g = pos.groupby(["sector", "year"])
    th = pd.DataFrame({
        "p_strong": g["lq"].quantile(strong_pct),
        "p_strong10": g["lq"].quantile(strong10_pct),
        "p_significant": g["lq"].quantile(significant_pct),
        "p_qualifying": g["lq"].quantile(qualifying_pct),
        "p_size_x": g["x"].quantile(size_pct),
    })
    if use_count:
        th["p_size_n"] = g["n"].quantile(size_pct)
    t = t.merge(th.reset_index(), on=["sector", "year"], how="inner")
    size = t["x"] > t["p_size_x"]
    if use_count:
        size &= t["n"] > t["p_size_n"]
    miss = t["x"].isna()
    t["strong"] = _flag((t["lq"] >= t["p_strong"]) & (t["lq"] >= lq_min) & size, miss)
    t["strong10"] = _flag((t["lq"] >= t["p_strong10"]) & (t["lq"] >= lq_min) & size, miss)
    t["significant"] = _flag((t["lq"] > t["p_significant"]) & size, miss)
    t["qualifying"] = _flag((t["lq"] > t["p_qualifying"]) & size, miss)
    return t


def cluster_strength(flags: pd.DataFrame, groups: Sequence[str] = ("traded", "all")) -> pd.DataFrame:
    f = flags[flags["grp"].isin(list(groups))].copy()
    st = f["strong"].fillna(False).astype(bool)
    f["x_strong"] = np.where(st, f["x"], 0.0)
    f["n_strong"] = st.astype(int)
    a = f.groupby(["region", "year"], as_index=False).agg(x_strong=("x_strong", "sum"), x_base=("x", "sum"),
                                                          n_strong=("n_strong", "sum"))
    a["strength"] = _div(a["x_strong"], a["x_base"])
    return a


def eco_stars(lq: pd.DataFrame, *, size_pct: float = 0.9, lq_min: float = 2.0, focus_pct: float = 0.9,
              productivity_pct: float | None = None, growth: pd.DataFrame | None = None,
              growth_pct: float | None = None) -> pd.DataFrame:
    t = lq.copy()
    g = t.groupby(["sector", "year"])
    th = pd.DataFrame({"p_size": g["x"].quantile(size_pct), "p_focus": g["share_region"].quantile(focus_pct)})
    if productivity_pct is not None:
        t["productivity"] = _div(t["y"], t["x"])
        th["p_productivity"] = t.groupby(["sector", "year"])["productivity"].quantile(productivity_pct)
    if growth is not None:
        t = t.merge(growth[["region", "sector", "year", "cagr"]], on=["region", "sector", "year"], how="left")
        th["p_growth"] = t.groupby(["sector", "year"])["cagr"].quantile(growth_pct if growth_pct is not None else 0.9)
    t = t.merge(th.reset_index(), on=["sector", "year"])
    miss = t["x"].isna()
    t["size"] = _flag(t["x"] >= t["p_size"], miss)
    t["specialisation"] = _flag(t["lq"] >= lq_min, miss)
    t["focus"] = _flag(t["share_region"] >= t["p_focus"], miss)
    if productivity_pct is not None:
        t["productivity_star"] = _flag(t["productivity"] >= t["p_productivity"], miss)
    if growth is not None:
        t["growth_star"] = _flag(t["cagr"] >= t["p_growth"], miss)
    t["stars"] = t["size"].astype("Int64") + t["specialisation"].astype("Int64") + t["focus"].astype("Int64")
    return t


def growth_pair(lq: pd.DataFrame, start_year: int, end_year: int) -> pd.DataFrame:
    nat = lq[["sector", "year", "x_nat"]].drop_duplicates()
    xn = nat.groupby("year")["x_nat"].sum().rename("xn")
    t = lq.join(xn, on="year")
    a = t[t["year"] == start_year][["region", "sector", "grp", "x", "lq", "x_nat", "xn"]]
    a.columns = ["region", "sector", "grp", "x0", "lq0", "x_nat0", "xn0"]
    b = t[t["year"] == end_year][["region", "sector", "x", "lq", "x_nat", "xn"]]
    b.columns = ["region", "sector", "x1", "lq1", "x_nat1", "xn1"]
    return a.merge(b, on=["region", "sector"])


def changes(lq: pd.DataFrame, start_year: int, end_year: int) -> pd.DataFrame:
    from klaster.observatory.panel import cagr

    p = growth_pair(lq, start_year, end_year)
    p["year"], p["start_year"] = end_year, start_year
    p["cagr"] = cagr(p["x0"], p["x1"], end_year - start_year)
    p["lq_change"] = p["lq1"] - p["lq0"]
    return p


def shift_share(lq: pd.DataFrame, start_year: int, end_year: int) -> pd.DataFrame:
    p = growth_pair(lq, start_year, end_year)
    G = _div(p["xn1"], p["xn0"]) - 1
    gc = _div(p["x_nat1"], p["x_nat0"]) - 1
    grc = _div(p["x1"], p["x0"]) - 1
    p["start_year"], p["year"] = start_year, end_year
    p["change"] = p["x1"] - p["x0"]
    p["national_share"] = p["x0"] * G
    p["industry_mix"] = p["x0"] * (gc - G)
    zero = p["x0"] == 0
    p["regional_shift"] = np.where(zero, 0.0, p["x0"] * (grc - gc))
    # Esteban-Marquillas (1972): homothetic value E_r0 · E_nc0 / E_n0
    r0 = lq[lq["year"] == start_year].groupby("region")["x_region"].first()
    p["homothetic"] = p["region"].map(r0) * _div(p["x_nat0"], p["xn0"])
    d = np.where(zero, 0.0, grc - gc)
    p["em_competitive"] = np.where(zero, 0.0, p["homothetic"] * d)
    p["em_allocation"] = np.where(zero, 0.0, (p["x0"] - p["homothetic"]) * d)
    return p


def business_navigator(lq: pd.DataFrame, start_year: int, end_year: int, *, lq_min: float = 1.0,
                       cluster_factor_min: float = 0.0, regional_factor_min: float = 0.0) -> pd.DataFrame:
    p = growth_pair(lq, start_year, end_year)
    p["year"], p["start_year"], p["lq"] = end_year, start_year, p["lq1"]
    p["cluster_factor"] = _div(p["x_nat1"], p["x_nat0"]) - _div(p["xn1"], p["xn0"])
    p["regional_factor"] = _div(p["x1"], p["x0"]) - _div(p["x_nat1"], p["x_nat0"])
    miss = p["x1"].isna() | p["x0"].isna()
    p["specialised"] = _flag(p["lq"] > lq_min, miss)
    p["growing_cluster"] = _flag(p["cluster_factor"] > cluster_factor_min, miss)
    p["regional_advantage"] = _flag(p["regional_factor"] > regional_factor_min, miss)
    p["flagged"] = p["specialised"] & p["growing_cluster"] & p["regional_advantage"]
    return p


def _gini_unweighted(v: np.ndarray) -> float:
    """REAT's Gini (gini.conc / gini.spec): ``2 Σ λ (v_(λ) − μ) / (n² μ)`` over the values, sorted."""
    v = np.sort(np.asarray(v, dtype=float)[~np.isnan(np.asarray(v, dtype=float))])
    n = len(v)
    if n == 0:
        return np.nan
    mu = v.mean()
    if mu == 0:
        return np.nan
    return float(2 * np.sum(np.arange(1, n + 1) * (v - mu)) / (n * n * mu))


def _gini_lorenz(share: np.ndarray, weight: np.ndarray, key: np.ndarray, tie: np.ndarray) -> float:
    order = np.lexsort((tie, key))
    X = np.concatenate([[0], np.cumsum(weight[order])])
    Y = np.concatenate([[0], np.cumsum(share[order])])
    return float(1 - np.sum(np.diff(X) * (Y[1:] + Y[:-1])))


def specialisation(lq: pd.DataFrame) -> pd.DataFrame:
    nat = lq[["sector", "year", "x_nat"]].drop_duplicates().copy()
    nat["s_nat"] = _div(nat["x_nat"], nat.groupby("year")["x_nat"].transform("sum"))
    t = lq.merge(nat[["sector", "year", "s_nat"]], on=["sector", "year"])
    s = t["share_region"]
    t["_k"] = (s - t["s_nat"]).abs()
    t["_h"] = s * s
    with np.errstate(divide="ignore", invalid="ignore"):
        t["_e"] = np.where(s > 0, -s * np.log(s.where(s > 0)), 0.0)
    out = t.groupby(["region", "year"], as_index=False).agg(
        krugman=("_k", "sum"), hhi=("_h", "sum"), entropy=("_e", "sum"), sectors=("x", "count"))
    rows = []
    for (reg, yr), g in t[t["x"].notna()].groupby(["region", "year"]):
        lqa = _div(g["share_region"], g["s_nat"]).to_numpy(dtype=float)
        ok = ~np.isnan(lqa)
        w = g["s_nat"].to_numpy(dtype=float)[ok]
        rows.append((reg, yr, _gini_unweighted(lqa),
                     _gini_lorenz(g["share_region"].to_numpy(dtype=float)[ok], w / w.sum() if w.sum() else w, lqa[ok],
                                  g["sector"].to_numpy()[ok])))
    gi = pd.DataFrame(rows, columns=["region", "year", "gini_spec", "gini_spec_weighted"])
    return out.merge(gi, on=["region", "year"], how="left")


def concentration(lq: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (sec, yr), g in lq[lq["x"].notna()].groupby(["sector", "year"]):
        a = g["x"].to_numpy() / g["x"].sum()
        b = g["x_region"].to_numpy() / g["x_region"].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            r = a / b
        gini = _gini_lorenz(a, b, np.where(np.isnan(r), np.inf, r), g["region"].to_numpy())
        rows.append((sec, yr, 0.5 * np.abs(a - b).sum(), gini, _gini_unweighted(r), len(g)))
    return pd.DataFrame(rows, columns=["sector", "year", "hoover", "gini_weighted", "gini_conc", "regions"])
