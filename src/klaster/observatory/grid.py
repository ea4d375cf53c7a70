"""The local engine: the observatory's formulas on one year's region × sector grid, with numpy.

Every computation of the observatory is, for one year, a sum or a percentile along the regions
or the sectors of a region × sector matrix. On one machine that is what numpy does best: no
joins and no hashing, sums along an axis, and the percentiles of all sectors of a year by
selection (``np.quantile`` with linear interpolation — numpy's default, the CMP's rule —
applied to the columns with the same number of valid values at once). The same formulas are
written once more with Ibis (:mod:`klaster.observatory.engine`, for DuckDB, Spark and other
backends) and once more in plain pandas (:mod:`klaster.observatory.reference`, the test
oracle); the tests compare the three.

Conventions (the same in the three implementations): a missing value (NaN) is skipped by every
sum; a quotient whose denominator is 0 is NaN; a flag is NA where the cell's own value is
missing; percentiles of the CMP rule are taken over the regions with a value > 0, those of
the ECO stars over all regions with a value.

Formulas and sources are in the docstrings of :mod:`klaster.observatory.engine`.
"""

from __future__ import annotations

import numpy as np

NA = -1  # flag value of a missing cell (int8 flags: 1 true, 0 false, -1 NA)


def _div(a, b):
    """``a / b`` with NaN where ``b == 0`` (and where either is NaN)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(a, b)
    return np.where(b == 0, np.nan, out)


def column_quantiles(V: np.ndarray, qs, *, valid: np.ndarray | None = None) -> np.ndarray:
    """Linear-interpolation quantiles (numpy's default method) of each column of ``V``.

    Parameters
    ----------
    V : ndarray (rows, columns)
    qs : sequence of float in [0, 1]
    valid : bool ndarray like ``V``, optional
        Values taken into account (default: not NaN).

    Returns
    -------
    ndarray (len(qs), columns)
        NaN for a column without valid values.

    Notes
    -----
    The same numbers as ``np.quantile(column[valid], qs)`` for every column (Hyndman & Fan's
    method 7: virtual index ``q (k − 1)`` over the k valid values, ``lerp`` as numpy computes
    it), obtained by one vectorised sort of all columns at once (invalid values as NaN, which
    sort last) and a gather of the two order statistics around each virtual index — no loop
    over columns.
    """
    V = np.asarray(V, dtype=float)
    qs = np.asarray(list(qs), dtype=float)
    ok = ~np.isnan(V) if valid is None else (valid & ~np.isnan(V))
    k = ok.sum(axis=0)
    S = V.shape[1]
    out = np.full((len(qs), S), np.nan)
    if not V.size:
        return out
    A = V.T.copy()
    A[~ok.T] = np.nan
    A.sort(axis=1)
    cols = np.arange(S)
    has = k > 0
    for i, q in enumerate(qs):
        vi = (k - 1) * q                       # float virtual index per column
        prev = np.floor(vi)
        above = vi >= k - 1
        lo = np.where(above, k - 1, prev).astype(np.intp)
        hi = np.where(above, k - 1, prev + 1).astype(np.intp)
        lo = np.clip(lo, 0, None)
        hi = np.clip(hi, 0, None)
        gamma = np.where(above, 0.0, vi - prev)
        a = A[cols, lo]
        b = A[cols, hi]
        diff = b - a
        res = a + diff * gamma
        res = np.where(gamma >= 0.5, b - diff * (1 - gamma), res)
        out[i] = np.where(has, res, np.nan)
    return out


class LQ:
    """Location quotients of one year (all arrays for the grid's regions × sectors).

    Attributes
    ----------
    x : (R, S) the measure (NaN = missing)
    x_region_base : (R, S) E_r,g of each cell's group
    x_region : (R,) E_r (all sectors)
    x_nat : (S,) E_nc (national table where given, else the sum of the regions)
    x_nat_base : (S,) E_n,g of each sector's group
    lq : (R, S)
    share_region, share_nation : (R, S), computed when first used
    """

    def __init__(self, x, x_region_base_g, group_index, x_region, x_nat, x_nat_base, lq):
        self.x, self._rb, self._gi = x, x_region_base_g, group_index
        self.x_region, self.x_nat, self.x_nat_base, self.lq = x_region, x_nat, x_nat_base, lq
        self._sr = self._sn = None

    @property
    def x_region_base(self) -> np.ndarray:
        return self._rb[:, self._gi]

    @property
    def share_region(self) -> np.ndarray:
        if self._sr is None:
            self._sr = _div(self.x, self.x_region[:, None])
        return self._sr

    @property
    def share_nation(self) -> np.ndarray:
        if self._sn is None:
            self._sn = _div(self.x, self.x_nat[None, :])
        return self._sn


def location_quotients(x: np.ndarray, group_index: np.ndarray, *, national: np.ndarray | None = None,
                       present: np.ndarray | None = None) -> LQ:
    """``LQ_rc = (E_rc / E_r,g) / (E_nc / E_n,g)`` for one year (see :func:`engine.location_quotients`).

    Parameters
    ----------
    x : (R, S) values (NaN = missing)
    group_index : (S,) int, each sector's base group (0..G-1)
    national : (S,) national totals (NaN where not given), or None: the sum of the regions
        (NaN for a sector without any value)
    present : (R, S) bool, optional — cells in the panel (sums run over them; default: all)
    """
    x = np.asarray(x, dtype=float)
    # absent and missing cells are NaN: every sum skips them
    x0 = np.nan_to_num(x, nan=0.0)
    gi = np.asarray(group_index, dtype=np.int64)
    G = int(gi.max()) + 1 if gi.size else 1
    x_region = x0.sum(axis=1)
    if G == 1:
        rb = x_region[:, None]
    else:
        onehot = np.zeros((x.shape[1], G))
        onehot[np.arange(x.shape[1]), gi] = 1.0
        rb = x0 @ onehot                     # (R, G)
    if national is None:
        anyval = (~np.isnan(x)).any(axis=0)
        x_nat = np.where(anyval, x0.sum(axis=0), np.nan)
    else:
        x_nat = np.asarray(national, dtype=float)
    del x0
    nb = np.bincount(gi, weights=np.nan_to_num(x_nat, nan=0.0), minlength=G)
    x_nat_base = nb[gi]
    # (x / E_r,g) / (E_nc / E_n,g), in that order (the reference's rounding); a zero denominator gives NaN
    rbn = np.where(rb == 0, np.nan, rb)
    nat_share = _div(x_nat, x_nat_base)
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = x / (rbn if G == 1 else rbn[:, gi])
        lq /= np.where(nat_share == 0, np.nan, nat_share)[None, :]
    return LQ(x, rb, gi, x_region, x_nat, x_nat_base, lq)


def flag(cond: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """int8 flag: 1 where ``cond``, 0 where not (or undefined), -1 (NA) where the cell is missing."""
    f = np.asarray(cond, dtype=bool).astype(np.int8)
    f[missing] = NA
    return f


def cmp_thresholds(lq: np.ndarray, x: np.ndarray, n: np.ndarray | None, *, strong_pct=0.75, strong10_pct=0.9,
                   significant_pct=0.5, qualifying_pct=0.25, size_pct=0.25) -> dict[str, np.ndarray]:
    """CMP percentiles per sector over the regions with ``x > 0`` (linear interpolation)."""
    pos = np.nan_to_num(x, nan=0.0) > 0
    q = column_quantiles(lq, [strong_pct, strong10_pct, significant_pct, qualifying_pct], valid=pos)
    out = {"p_strong": q[0], "p_strong10": q[1], "p_significant": q[2], "p_qualifying": q[3],
           "p_size_x": column_quantiles(x, [size_pct], valid=pos)[0]}
    if n is not None:
        out["p_size_n"] = column_quantiles(n, [size_pct], valid=pos)[0]
    return out


def cmp_flags(lq: np.ndarray, x: np.ndarray, n: np.ndarray | None, th: dict[str, np.ndarray], *, lq_min: float = 1.0) -> dict[str, np.ndarray]:
    """The four CMP flags (Delgado, Porter & Stern 2016; :func:`engine.cmp_flags`) as int8 grids."""
    size = x > th["p_size_x"][None, :]
    if n is not None:
        size &= n > th["p_size_n"][None, :]
    miss = np.isnan(x)
    with np.errstate(invalid="ignore"):
        return {
            "strong": flag((lq >= th["p_strong"][None, :]) & (lq >= lq_min) & size, miss),
            "strong10": flag((lq >= th["p_strong10"][None, :]) & (lq >= lq_min) & size, miss),
            "significant": flag((lq > th["p_significant"][None, :]) & size, miss),
            "qualifying": flag((lq > th["p_qualifying"][None, :]) & size, miss),
        }


def eco_stars(t: LQ, *, size_pct=0.9, lq_min=2.0, focus_pct=0.9, productivity: np.ndarray | None = None,
              productivity_pct=None, growth: np.ndarray | None = None, growth_pct=None) -> dict[str, np.ndarray]:
    """European Cluster Observatory stars (:func:`engine.eco_stars`): size, specialisation, focus [, variants]."""
    miss = np.isnan(t.x)
    p_size = column_quantiles(t.x, [size_pct])[0]
    p_focus = column_quantiles(t.share_region, [focus_pct])[0]
    out = {"p_size": p_size, "p_focus": p_focus}
    with np.errstate(invalid="ignore"):
        out["size"] = flag(t.x >= p_size[None, :], miss)
        out["specialisation"] = flag(t.lq >= lq_min, miss)
        out["focus"] = flag(t.share_region >= p_focus[None, :], miss)
        if productivity_pct is not None:
            p = column_quantiles(productivity, [productivity_pct])[0]
            out["p_productivity"] = p
            out["productivity"] = productivity
            out["productivity_star"] = flag(productivity >= p[None, :], miss)
        if growth is not None:
            p = column_quantiles(growth, [growth_pct if growth_pct is not None else 0.9])[0]
            out["p_growth"] = p
            out["cagr"] = growth
            out["growth_star"] = flag(growth >= p[None, :], miss)
    stars = sum(np.where(out[k] == NA, 0, out[k]).astype(np.int16) for k in ("size", "specialisation", "focus"))
    out["stars"] = np.where(miss, NA, stars).astype(np.int16)
    return out


def cluster_strength(x: np.ndarray, strong: np.ndarray, in_groups: np.ndarray) -> dict[str, np.ndarray]:
    """Region cluster strength = x in strong clusters of the groups / x of the groups (CMP, §3.1)."""
    x0 = np.nan_to_num(x, nan=0.0)
    g = in_groups.astype(float)
    xb = x0 @ g
    st = (strong == 1) & in_groups[None, :]
    x0[~st] = 0.0
    xs = x0.sum(axis=1)
    ns = st.sum(axis=1)
    return {"x_strong": xs, "x_base": xb, "n_strong": ns, "strength": _div(xs, xb)}


def growth_pair(a: LQ, b: LQ) -> dict[str, np.ndarray]:
    """The start- and end-year quantities of every cell (:func:`engine.growth_pair`)."""
    xn0 = np.nansum(a.x_nat)
    xn1 = np.nansum(b.x_nat)
    return {"x0": a.x, "x1": b.x, "lq0": a.lq, "lq1": b.lq, "x_nat0": a.x_nat, "x_nat1": b.x_nat, "xn0": xn0, "xn1": xn1}


def changes(a: LQ, b: LQ, years: float) -> dict[str, np.ndarray]:
    """CAGR ``(x1/x0)^(1/years) − 1`` (x0, x1 > 0) and ``LQ1 − LQ0`` of every cell."""
    from klaster.observatory.panel import cagr

    return {"cagr": cagr(a.x, b.x, years), "lq_change": b.lq - a.lq}


def shift_share(a: LQ, b: LQ, *, region_total0: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Classic (Dunn 1960) and Esteban-Marquillas (1972) shift-share of every cell's change.

    ``G = E_n1/E_n0 − 1``, ``g_c = E_nc1/E_nc0 − 1``, ``g_rc = x1/x0 − 1``: national share
    ``NS = x0·G``, industry mix ``IM = x0·(g_c − G)``, regional shift ``RS = x0·(g_rc − g_c)``
    (0 where x0 = 0). Esteban-Marquillas splits RS with the homothetic value
    ``x0* = E_r0 · E_nc0/E_n0``: competitive effect ``x0*·(g_rc − g_c)`` and allocation effect
    ``(x0 − x0*)·(g_rc − g_c)`` (both 0 where x0 = 0); they add up to RS.
    """
    p = growth_pair(a, b)
    G = _div(p["xn1"], p["xn0"]) - 1.0
    gc = _div(b.x_nat, a.x_nat) - 1.0
    grc = _div(b.x, a.x) - 1.0
    x0 = a.x
    zero = x0 == 0
    rs = np.where(zero, 0.0, x0 * (grc - gc[None, :]))
    r0 = a.x_region if region_total0 is None else region_total0
    home = r0[:, None] * _div(a.x_nat, p["xn0"])[None, :]
    d = np.where(zero, 0.0, grc - gc[None, :])
    return {"change": b.x - a.x, "national_share": x0 * G, "industry_mix": x0 * (gc[None, :] - G), "regional_shift": rs,
            "homothetic": home, "em_competitive": np.where(zero, 0.0, home * d),
            "em_allocation": np.where(zero, 0.0, (x0 - home) * d)}


def business_navigator(a: LQ, b: LQ, *, lq_min=1.0, cluster_factor_min=0.0, regional_factor_min=0.0) -> dict[str, np.ndarray]:
    """Kazakhstan Business Navigator rule (:func:`engine.business_navigator`)."""
    p = growth_pair(a, b)
    cf = _div(b.x_nat, a.x_nat) - _div(p["xn1"], p["xn0"])
    rf = _div(b.x, a.x) - _div(b.x_nat, a.x_nat)[None, :]
    miss = np.isnan(b.x) | np.isnan(a.x)
    with np.errstate(invalid="ignore"):
        sp = flag(b.lq > lq_min, miss)
        gr = flag(np.broadcast_to(cf > cluster_factor_min, b.x.shape), miss)
        ra = flag(rf > regional_factor_min, miss)
    fl = np.where(miss, NA, ((sp == 1) & (gr == 1) & (ra == 1)).astype(np.int8)).astype(np.int8)
    return {"cluster_factor": np.broadcast_to(cf, b.x.shape), "regional_factor": rf, "specialised": sp,
            "growing_cluster": gr, "regional_advantage": ra, "flagged": fl}


def _gini_unweighted(V: np.ndarray, axis: int) -> np.ndarray:
    """REAT's Gini of the values along ``axis`` (NaN skipped): ``2 Σ λ (v_(λ) − μ) / (n² μ)``."""
    W = np.moveaxis(V, axis, -1)
    s = np.sort(W, axis=-1)  # NaN last
    n = (~np.isnan(W)).sum(axis=-1)
    lam = np.arange(1, W.shape[-1] + 1)
    mu = _div(np.nansum(W, axis=-1), n)
    term = np.where(np.isnan(s), 0.0, lam * (s - mu[..., None]))
    return _div(2.0 * term.sum(axis=-1), n.astype(float) ** 2 * mu)


def _gini_weighted(share: np.ndarray, weight: np.ndarray, key: np.ndarray, axis: int) -> np.ndarray:
    """Lorenz-curve Gini: items ordered by ``key``, Y = cumulative ``share``, X = cumulative ``weight``;
    ``G = 1 − Σ_k (X_k − X_{k−1})(Y_k + Y_{k−1})``. NaN keys go last and count nothing."""
    A = np.moveaxis(share, axis, -1)
    B = np.moveaxis(weight, axis, -1)
    K = np.moveaxis(key, axis, -1)
    k = np.where(np.isnan(K), np.inf, K)
    idx = np.argsort(k, axis=-1, kind="stable")
    a = np.take_along_axis(np.nan_to_num(A), idx, axis=-1)
    b = np.take_along_axis(np.nan_to_num(B), idx, axis=-1)
    cum_a = np.cumsum(a, axis=-1)
    trap = b * (2 * cum_a - a)
    return 1.0 - trap.sum(axis=-1)


def specialisation(t: LQ, present: np.ndarray) -> dict[str, np.ndarray]:
    """Region-level indices (all sectors as the base; :func:`engine.specialisation`), per region.

    ``krugman``, ``hhi``, ``entropy``, ``sectors``; ``gini_spec``: REAT's ``gini.spec`` — the
    Gini coefficient of the region's location quotients over its sectors, each sector counted
    once (unweighted); ``gini_spec_weighted``: the Lorenz-curve Gini of the region's sector
    shares against the national sector shares, sectors ordered by LQ (each sector weighted by
    its national share; the specialisation counterpart of Krugman's locational Gini).
    """
    s = np.where(present, t.share_region, np.nan)
    s_nat = _div(t.x_nat, np.nansum(t.x_nat))
    k = np.nansum(np.abs(s - s_nat[None, :]), axis=1)
    hhi = np.nansum(s * s, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = -np.nansum(np.where(s > 0, s * np.log(np.where(s > 0, s, 1.0)), 0.0), axis=1)
    lq_all = _div(_div(t.x, t.x_region[:, None]), s_nat[None, :])
    lq_all = np.where(present & ~np.isnan(t.x), lq_all, np.nan)
    w = np.where(~np.isnan(lq_all), s_nat[None, :], 0.0)
    w = _div(w, w.sum(axis=1)[:, None])
    return {"krugman": k, "hhi": hhi, "entropy": ent, "sectors": (present & ~np.isnan(t.x)).sum(axis=1),
            "gini_spec": _gini_unweighted(lq_all, axis=1),
            "gini_spec_weighted": _gini_weighted(np.where(np.isnan(lq_all), 0.0, s), w, lq_all, axis=1)}


def concentration(t: LQ, present: np.ndarray) -> dict[str, np.ndarray]:
    """Sector-level localisation over the regions of the panel (:func:`engine.concentration`), per sector.

    Shares use the regions' own sums (each set of shares adds to 1): ``a = x / Σ_r x``,
    ``b = E_r / Σ_r E_r`` over the regions with a value. ``hoover = ½ Σ_r |a − b|``;
    ``gini_weighted``: Krugman's (1991) locational Gini — regions ordered by ``a/b``, Lorenz
    curve of the sector's cumulative share against the cumulative share of total activity
    (each region weighted by its size); ``gini_conc``: REAT's ``gini.conc`` — the Gini
    coefficient of the regions' location quotients ``a/b``, each region counted once
    (unweighted); ``regions``: regions with a value.

    Ties of ``a/b`` are ordered by region code (the grid's regions are sorted), as in the other
    engines.
    """
    ok = present & ~np.isnan(t.x)
    x = np.where(ok, t.x, np.nan)
    er = np.where(ok, t.x_region[:, None], np.nan)
    a = _div(x, np.nansum(x, axis=0)[None, :])
    b = _div(er, np.nansum(er, axis=0)[None, :])
    r = _div(a, b)
    hoover = 0.5 * np.nansum(np.abs(a - b), axis=0)
    return {"hoover": hoover, "gini_weighted": _gini_weighted(np.nan_to_num(a), np.nan_to_num(b), r, axis=0),
            "gini_conc": _gini_unweighted(r, axis=0), "regions": ok.sum(axis=0)}
