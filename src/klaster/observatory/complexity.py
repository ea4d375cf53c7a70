"""Economic complexity and relatedness of regions × sectors (Hidalgo & Hausmann 2009; Balland's EconGeo).

For one year of a region × sector matrix of values ``X`` (employment, GVA, exports …):

- **RCA** (Balassa): ``RCA_rs = (X_rs / Σ_s X_rs) / (Σ_r X_rs / Σ_rs X_rs)`` — the location
  quotient with the regions' own totals as the nation; ``M_rs = 1`` where ``RCA ≥ 1``
  (``rca_threshold``);
- **diversity** ``k_r,0 = Σ_s M_rs`` and **ubiquity** ``k_s,0 = Σ_r M_rs``;
- **ECI / PCI** (Hidalgo & Hausmann 2009, eigenvector form of the method of reflections;
  Hausmann et al. 2014): the eigenvector of the second largest eigenvalue of
  ``M̃_ss' = Σ_r M_rs M_rs' / (k_r,0 k_s,0)`` gives PCI, ``ECI = (M / k_r,0) · PCI``; the sign
  makes ECI correlate positively with diversity; ECI is standardised (mean 0, standard
  deviation 1) and PCI is standardised with ECI's mean and standard deviation, as the Growth
  Lab's Stata and Python ``ecomplexity`` packages do (so that ECI is the mean PCI of a region's
  sectors up to the same transformation);
- **proximity** (Hidalgo et al. 2007): ``φ_ss' = min(P(M_s | M_s'), P(M_s' | M_s))``
  ``= Σ_r M_rs M_rs' / max(k_s,0, k_s',0)``;
- **density** ``ω_rs = Σ_s' M_rs' φ_ss' / Σ_s' φ_ss'`` (Hidalgo et al. 2007) and EconGeo's
  **relatedness density** ``100 · ω_rs`` (Balland 2017, ``relatedness.density``);
- **complexity outlook** (Hausmann et al. 2014): ``COI_r = Σ_s ω_rs (1 − M_rs) PCI_s``
  (standardised) and the outlook gain ``COG_rs = (1 − M_rs) Σ_s' φ_ss' / Σ_s'' φ_s''s'
  (1 − M_rs') PCI_s'`` — both with the eigenvector PCI before standardisation, COG divided by
  ECI's standard deviation, as in ``ecomplexity``.

Regions or sectors with a zero total are left out of the year's computation (their results are
NaN), as ``ecomplexity`` does; a missing (suppressed) cell counts as 0 for the complexity
measures (a region has no revealed advantage where no value is known); a region or sector
with diversity or ubiquity 0 gets NaN ECI or PCI, and the standardisation runs over the others.

The tests validate every number against ``ecomplexity`` (a second implementation) on real data
(U.S. states × clusters, Kazakhstan's regions × OKED sections).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Complexity:
    """One year's results (arrays over the matrix's regions and sectors; NaN where undefined)."""

    rca: np.ndarray          # (R, S)
    mcp: np.ndarray          # (R, S) int 0/1
    diversity: np.ndarray    # (R,)
    ubiquity: np.ndarray     # (S,)
    eci: np.ndarray          # (R,)
    pci: np.ndarray          # (S,)
    proximity: np.ndarray    # (S, S)
    density: np.ndarray      # (R, S), 0..1
    coi: np.ndarray          # (R,)
    cog: np.ndarray          # (R, S)

    @property
    def relatedness_density(self) -> np.ndarray:
        """EconGeo's relatedness density (0–100)."""
        return 100.0 * self.density


def _std(v):
    v = v[~np.isnan(v)]
    return float(v.std()) if v.size else np.nan


def complexity(X, *, rca_threshold: float = 1.0) -> Complexity:
    """Economic complexity of one region × sector matrix (see the module docstring).

    Parameters
    ----------
    X : array_like (R, S)
        Non-negative values (NaN = unknown, counted as 0).
    rca_threshold : float
        ``M = 1`` where ``RCA ≥ rca_threshold`` (1 by convention).

    Returns
    -------
    Complexity
    """
    X = np.nan_to_num(np.asarray(X, dtype=float), nan=0.0)
    R, S = X.shape
    rtot, stot = X.sum(axis=1), X.sum(axis=0)
    rk, sk = rtot > 0, stot > 0
    rca = np.full((R, S), np.nan)
    mcp = np.zeros((R, S), dtype=np.int64)
    div = np.full(R, np.nan)
    ubi = np.full(S, np.nan)
    eci = np.full(R, np.nan)
    pci = np.full(S, np.nan)
    prox = np.full((S, S), np.nan)
    dens = np.full((R, S), np.nan)
    coi = np.full(R, np.nan)
    cog = np.full((R, S), np.nan)
    out = Complexity(rca, mcp, div, ubi, eci, pci, prox, dens, coi, cog)
    if not rk.any() or not sk.any():
        return out
    x = X[np.ix_(rk, sk)]
    total = x.sum()
    r = (x / x.sum(axis=1, keepdims=True)) / (x.sum(axis=0, keepdims=True) / total)
    m = (r >= rca_threshold).astype(float)
    d = m.sum(axis=1)
    u = m.sum(axis=0)
    rca[np.ix_(rk, sk)] = r
    mcp[np.ix_(rk, sk)] = m.astype(np.int64)
    div[rk] = d
    ubi[sk] = u
    # proximity and density on the sectors kept (a sector nowhere present has φ = 0 with all)
    co = m.T @ m
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(u[None, :] > 0, co / u[None, :], 0.0)
    phi = np.minimum(phi, phi.T)
    den = phi.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = m @ (phi.T / np.where(den > 0, den, np.nan)[None, :])
    prox[np.ix_(sk, sk)] = phi
    dens[np.ix_(rk, sk)] = w
    # ECI / PCI on the regions and sectors with diversity and ubiquity > 0
    rv, sv = d > 0, u > 0
    kc = np.full(len(d), np.nan)
    kp = np.full(len(u), np.nan)
    if rv.sum() >= 2 and sv.sum() >= 2:
        mv = m[np.ix_(rv, sv)]
        dv, uv = d[rv], u[sv]
        # symmetric form of the smaller side: same eigenvalues as M̃, eigenvectors rescaled
        if mv.shape[1] <= mv.shape[0]:
            A = (mv / np.sqrt(uv)[None, :]).T / np.sqrt(dv)[None, :]          # U^-½ Mᵀ D^-½
            vals, vecs = np.linalg.eigh(A @ A.T)
            kpv = vecs[:, -2] / np.sqrt(uv)
            kcv = (mv / dv[:, None]) @ kpv
        else:
            A = (mv / np.sqrt(dv)[:, None]) / np.sqrt(uv)[None, :]           # D^-½ M U^-½
            vals, vecs = np.linalg.eigh(A @ A.T)
            lam = vals[-2]
            kcv = vecs[:, -2] / np.sqrt(dv)
            kpv = ((mv / uv[None, :]).T @ kcv) / lam
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.corrcoef(dv, kcv)[0, 1] if dv.std() > 0 and kcv.std() > 0 else np.nan
        sgn = np.sign(r) if np.isfinite(r) and r != 0 else 1.0
        kc[rv], kp[sv] = sgn * kcv, sgn * kpv
    kpf = np.where(np.isnan(kp), 0.0, kp)
    coi_raw = ((w * (1 - m)) * kpf[None, :]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cog_raw = (1 - m) * ((1 - m) @ (phi * (kpf / np.where(den > 0, den, np.nan))[:, None]))
    mu, sd = (np.nanmean(kc), _std(kc)) if np.isfinite(kc).any() else (np.nan, np.nan)
    sd = sd if sd and np.isfinite(sd) else np.nan
    coi_v = np.where(rv, coi_raw, np.nan)
    sc = _std(coi_v) if np.isfinite(coi_v).any() else np.nan
    sc = sc if sc and np.isfinite(sc) else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        eci[rk] = (kc - mu) / sd
        pci[sk] = (kp - mu) / sd
        cog[np.ix_(rk, sk)] = cog_raw / sd
        coi[rk] = (coi_v - (np.nanmean(coi_v) if np.isfinite(coi_v).any() else np.nan)) / sc
    return out


def tables_for_panel(panel, measure: str, years, *, rca_threshold: float = 1.0, progress=None) -> dict:
    """The complexity tables of a mapping run (:func:`klaster.observatory.mapping.run_map`).

    Returns
    -------
    dict name → :class:`klaster.observatory.mapping.Table`
        ``complexity`` (region, year, diversity, eci, coi), ``product_complexity`` (sector,
        year, ubiquity, pci), ``relatedness`` (region, sector, year, rca, mcp, density,
        relatedness_density, cog; computed year by year when written).
    """
    from klaster.observatory.mapping import Block, Table

    regs, prods = [], []
    for y in years:
        yi = panel.year_index(y)
        pres = panel.grids[measure].year_status(yi) > 0
        x = np.where(pres, panel.grids[measure].year(yi), np.nan)
        c = complexity(x, rca_threshold=rca_threshold)
        has_r = pres.any(axis=1)
        has_s = pres.any(axis=0)
        regs.append(pd.DataFrame({"region": panel.region_codes, "year": int(y), "diversity": c.diversity, "eci": c.eci, "coi": c.coi})[has_r])
        prods.append(pd.DataFrame({"sector": panel.sector_codes, "year": int(y), "ubiquity": c.ubiquity, "pci": c.pci})[has_s])
        if progress is not None:
            progress.advance(1, detail=str(y))

    def block(y):
        yi = panel.year_index(y)
        pres = panel.grids[measure].year_status(yi) > 0
        c = complexity(np.where(pres, panel.grids[measure].year(yi), np.nan), rca_threshold=rca_threshold)
        return Block(panel, pres, int(y), {"rca": c.rca, "mcp": c.mcp, "density": c.density,
                                           "relatedness_density": c.relatedness_density, "cog": c.cog})

    return {
        "complexity": Table("complexity", [pd.concat(regs, ignore_index=True)], sort=["year", "region"]),
        "product_complexity": Table("product_complexity", [pd.concat(prods, ignore_index=True)], sort=["year", "sector"]),
        "relatedness": Table("relatedness", [(lambda y=y: block(y)) for y in years], sort=["year", "region", "sector"]),
    }
