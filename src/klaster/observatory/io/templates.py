"""Cluster templates from inter-industry linkages (methods digest §5; seed 002, Tables 2–3).

- :func:`linkage_matrix` — Feser & Bergman's maximum-correlation linkage matrix;
- :func:`feser_bergman` — principal components of that matrix (repaired to the nearest
  correlation matrix, Higham 2002, when it is indefinite), varimax with Kaiser normalisation
  (statsmodels), primary and secondary members (seed 002, Table 2);
- :func:`czamanski` — Czamanski's grouping by a threshold on the same maximum correlation;
- :func:`shift_share` and :func:`hill_brennan` — competitive-advantage industries (LQ and the
  competitive shift-share component), Ward clustering (scipy) and discriminant analysis
  (scikit-learn) for driver industries;
- :func:`multiplier_table` — seed 002's Table 3 (output, value-added, household-income multipliers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from .core import IOTableError

# ------------------------------------------------------------------------------------------
# Linkages
# ------------------------------------------------------------------------------------------


def _flows(Z, labels) -> tuple[np.ndarray, list[str]]:
    if labels is None:
        labels = list(map(str, Z.index)) if isinstance(Z, pd.DataFrame) else [str(i + 1) for i in range(np.asarray(Z).shape[0])]
    Zm = np.asarray(Z, dtype=float)
    if Zm.ndim != 2 or Zm.shape[0] != Zm.shape[1] or Zm.shape[0] != len(labels):
        raise IOTableError(f"flows must be a square matrix with one label per sector; got {Zm.shape}")
    if (Zm < 0).any():
        i, j = np.argwhere(Zm < 0)[0]
        raise IOTableError(f"negative flow at row {labels[i]!r}, column {labels[j]!r}")
    return Zm, [str(v) for v in labels]


def linkage_matrix(Z, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Feser & Bergman (2000) maximum-correlation linkage matrix.

    With purchase shares ``x_ij = z_ij / Σ_i z_ij`` (column ``j`` is industry ``j``'s purchase
    pattern) and sales shares ``y_ij = z_ij / Σ_j z_ij`` (row ``i`` is industry ``i``'s sales
    pattern), ``L_lm = max{r(x·l, x·m), r(y_l·, y_m·), r(x·l, y_m·), r(y_l·, x·m)}`` (Pearson
    ``r``; Feser & Bergman 2000, Regional Studies 34(1), eq. 1–3).

    Industries with neither intermediate purchases nor sales are dropped (their correlations
    are undefined).

    Parameters
    ----------
    Z : DataFrame or array_like, shape (n, n)
        Inter-industry flows (money).

    Returns
    -------
    DataFrame, shape (m, m), m ≤ n
        Symmetric, unit diagonal.
    """
    Zm, lab = _flows(Z, labels)
    keep = (Zm.sum(axis=0) > 0) & (Zm.sum(axis=1) > 0)
    Zm = Zm[np.ix_(keep, keep)]
    lab = [l for l, k in zip(lab, keep) if k]
    n = Zm.shape[0]
    P = Zm / Zm.sum(axis=0, keepdims=True)  # purchase patterns as columns
    S = (Zm / Zm.sum(axis=1, keepdims=True)).T  # sales patterns as columns
    with np.errstate(invalid="ignore", divide="ignore"):
        C = np.corrcoef(np.hstack([P, S]).T)
    C = np.nan_to_num(C, nan=0.0)
    PP, SS, PS = C[:n, :n], C[n:, n:], C[:n, n:]
    L = np.maximum.reduce([PP, SS, PS, PS.T])
    np.fill_diagonal(L, 1.0)
    return pd.DataFrame(L, index=lab, columns=lab)


# ------------------------------------------------------------------------------------------
# Feser–Bergman
# ------------------------------------------------------------------------------------------


class LinkageRepairWarning(UserWarning):
    """The linkage matrix was not a correlation matrix (it had negative eigenvalues) and was repaired."""


def nearest_correlation(M, *, tol: float = 1e-10, max_iter: int = 10_000) -> tuple[np.ndarray, int]:
    """The nearest correlation matrix (Higham 2002) to a symmetric matrix with unit diagonal.

    Alternating projections with Dykstra's correction onto the positive semidefinite matrices
    (eigenvalues clipped at 0) and onto the matrices with unit diagonal, until successive
    iterates differ by less than ``tol`` (relative Frobenius norm); the final positive
    semidefinite iterate is rescaled to an exact unit diagonal (``D^-½ X D^-½``, which keeps it
    positive semidefinite).

    Parameters
    ----------
    M : array_like, shape (m, m)
        Symmetric, unit diagonal (e.g. Feser & Bergman's maximum-correlation linkage matrix,
        which is not positive semidefinite in general: an element-wise maximum of correlation
        matrices is not a correlation matrix).

    Returns
    -------
    X : ndarray, shape (m, m)
        Symmetric, unit diagonal, eigenvalues ≥ 0.
    iterations : int

    References
    ----------
    Higham, N. J. (2002). Computing the nearest correlation matrix — a problem from finance.
    IMA Journal of Numerical Analysis, 22(3), 329–343 (Algorithm 3.3).
    """
    A = np.asarray(M, dtype=float)
    A = (A + A.T) / 2
    Y = A.copy()
    dS = np.zeros_like(A)
    X = A
    it = 0
    for it in range(1, max_iter + 1):
        R = Y - dS
        w, V = np.linalg.eigh(R)
        X = (V * np.clip(w, 0.0, None)) @ V.T
        X = (X + X.T) / 2
        dS = X - R
        Y_new = X.copy()
        np.fill_diagonal(Y_new, 1.0)
        done = np.linalg.norm(Y_new - Y, "fro") <= tol * max(1.0, np.linalg.norm(Y_new, "fro"))
        Y = Y_new
        if done:
            break
    d = np.sqrt(np.clip(np.diag(X), np.finfo(float).tiny, None))
    X = X / d[:, None] / d[None, :]
    return (X + X.T) / 2, it


def _varimax_kaiser(A: np.ndarray, tol: float = 1e-5, max_tries: int = 5000) -> tuple[np.ndarray, int]:
    """Varimax with Kaiser normalisation via statsmodels' GPA; returns loadings and iterations."""
    from statsmodels.multivariate.factor_rotation._gpa_rotation import GPA, orthomax_objective

    h = np.sqrt((A**2).sum(axis=1))
    h[h == 0] = 1.0
    An = A / h[:, None]
    L, _, _, table = GPA(An, vgQ=lambda L=None, A=None, T=None: orthomax_objective(L=L, A=A, T=T, gamma=1, return_gradient=True),
                         rotation_method="orthogonal", tol=tol, max_tries=max_tries)
    return L * h[:, None], len(table) - 1


@dataclass
class FeserBergman:
    """Result of :func:`feser_bergman` / :func:`factor_templates` (seed 002, Table 2).

    Attributes
    ----------
    linkage : DataFrame (m × m)
        Maximum-correlation linkage matrix as computed (before any repair).
    analysed : DataFrame (m × m)
        The correlation matrix factored: ``linkage`` itself when it is positive semidefinite,
        else its nearest correlation matrix (Higham 2002).
    loadings : DataFrame (m × k)
        Varimax-rotated component loadings, columns ``1..k`` ordered by rotated variance.
    unrotated : DataFrame (m × k)
        Principal-component loadings before rotation.
    communalities : Series (m)
        Σ of squared loadings per industry (the same before and after the orthogonal rotation);
        each ≤ 1 because the analysed matrix is a correlation matrix.
    eigenvalues : Series
        All eigenvalues of the analysed matrix, descending (≥ 0; they sum to m).
    eigenvalues_linkage : Series
        All eigenvalues of the linkage matrix as computed (negative ones show why it was repaired).
    variance : DataFrame (k × 4)
        ``eigenvalue``, ``% of variance`` and ``cumulative %`` (λ / m of the analysed matrix,
        whose trace is m), ``rotated %`` (column sums of squared rotated loadings / m).
    iterations : int
        GPA iterations of the varimax rotation.
    primary, secondary : dict component → list of industries
        Primary members: the industry's largest absolute loading is on this component;
        secondary: absolute loading ≥ ``secondary_threshold`` but primary elsewhere.
    repair : dict
        ``negative_eigenvalues`` (count), ``min_eigenvalue``, ``frobenius_distance`` and
        ``max_abs_change`` between the linkage and the analysed matrix, ``iterations`` of the
        repair (all zero when no repair was needed).
    notes : dict
        Extraction, rotation, rule for the number of components, explained variance and repair,
        as printed under Table 2.
    """

    linkage: pd.DataFrame
    loadings: pd.DataFrame
    unrotated: pd.DataFrame
    eigenvalues: pd.Series
    variance: pd.DataFrame
    iterations: int
    primary: dict
    secondary: dict
    notes: dict = field(default_factory=dict)
    analysed: pd.DataFrame | None = None
    communalities: pd.Series | None = None
    eigenvalues_linkage: pd.Series | None = None
    repair: dict = field(default_factory=dict)

    def table2(self, names: dict | None = None, decimals: int = 3) -> pd.DataFrame:
        """Rotated component matrix shaped like seed 002's Table 2 (row number, industry, 1..k)."""
        df = self.loadings.round(decimals)
        out = pd.DataFrame({"No.": range(1, len(df) + 1), "Industry": [names.get(i, i) if names else i for i in df.index]})
        out = pd.concat([out.reset_index(drop=True), df.reset_index(drop=True)], axis=1)
        out.attrs["notes"] = dict(self.notes)
        return out


RULES = ("kaiser", "variance:P")


def _n_components(w: np.ndarray, n_components: int | None, rule: str) -> tuple[int, str]:
    m = len(w)
    if n_components is not None:
        k = int(n_components)
        if not 1 <= k <= m:
            raise IOTableError(f"n_components must be between 1 and {m}; got {k}")
        return k, f"{k} components as requested"
    r = str(rule).strip().lower()
    if r == "kaiser":
        k = max(1, int((w > 1.0).sum()))
        return k, "Kaiser criterion: eigenvalues of the analysed correlation matrix > 1 (Kaiser 1960)"
    if r.startswith("variance:"):
        try:
            target = float(r.split(":", 1)[1])
        except ValueError:
            raise IOTableError(f"rule {rule!r}: write variance:P with P a percentage, e.g. variance:88") from None
        if not 0 < target <= 100:
            raise IOTableError(f"rule {rule!r}: P must be in (0, 100]")
        cum = 100 * np.cumsum(w) / m
        k = int(np.searchsorted(cum, target - 1e-9) + 1)
        return min(k, m), f"smallest number of components explaining ≥ {target:g} % of the variance"
    raise IOTableError(f"unknown rule {rule!r} for the number of components; use kaiser or variance:P (e.g. variance:88)")


def factor_templates(
    linkage,
    *,
    n_components: int | None = None,
    rule: str = "kaiser",
    secondary_threshold: float = 0.35,
) -> FeserBergman:
    """Principal-components factoring of a linkage (correlation) matrix with varimax rotation.

    The steps of Feser & Bergman (2000) after the linkage matrix:

    1. **Repair.** An element-wise maximum of correlation matrices is symmetric with a unit
       diagonal but generally *not* positive semidefinite; principal components of an
       indefinite matrix give loadings above 1, communalities above 1 and an "explained
       variance" computed against a trace that negative eigenvalues make up. The matrix is
       therefore replaced by its nearest correlation matrix (Higham 2002,
       :func:`nearest_correlation`) and a :class:`LinkageRepairWarning` says by how much
       (``repair``). A matrix that is already a correlation matrix is used as it is.
    2. **Extraction.** Principal components of the analysed matrix: loadings
       ``u_ik = v_ik √λ_k``; explained variance ``λ_k / m`` (its trace is m, all λ ≥ 0), so
       communalities ``Σ_k u_ik² ≤ 1``.
    3. **Number of components** by a stated rule: ``kaiser`` (default; eigenvalue > 1, Kaiser
       1960), ``variance:P`` (the smallest k explaining at least P %), or ``n_components``.
    4. **Rotation.** Varimax with Kaiser normalisation (statsmodels GPA; Kaiser 1958), each
       component oriented so that its largest loading is positive, ordered by rotated variance.
    5. **Members.** Primary: the component of the industry's largest absolute loading;
       secondary: absolute loading ≥ ``secondary_threshold`` (0.35 in Feser & Bergman).

    Parameters
    ----------
    linkage : DataFrame (m × m), labelled
        Symmetric, unit diagonal.

    Returns
    -------
    FeserBergman

    Raises
    ------
    IOTableError
        Not square, not symmetric, not a unit diagonal, or a bad number of components / rule.

    References
    ----------
    Feser, E. J., & Bergman, E. M. (2000). Regional Studies, 34(1), 1–19.
    Higham, N. J. (2002). IMA Journal of Numerical Analysis, 22(3), 329–343.
    Kaiser, H. F. (1958). Psychometrika, 23, 187–200; (1960). Educ. Psychol. Meas., 20, 141–151.
    """
    import warnings

    if not isinstance(linkage, pd.DataFrame):
        linkage = pd.DataFrame(np.asarray(linkage, dtype=float))
    lab = [str(v) for v in linkage.index]
    Lm = linkage.to_numpy(dtype=float)
    m = Lm.shape[0]
    if Lm.ndim != 2 or Lm.shape[1] != m or m < 2:
        raise IOTableError(f"the linkage matrix must be square with at least two industries; got {Lm.shape}")
    if not np.all(np.isfinite(Lm)) or np.abs(Lm - Lm.T).max() > 1e-9 or np.abs(np.diag(Lm) - 1).max() > 1e-9:
        raise IOTableError("the linkage matrix must be symmetric with a unit diagonal and finite entries")
    w0 = np.sort(np.linalg.eigvalsh(Lm))[::-1]
    neg = int((w0 < -1e-10 * m).sum())
    repair = {"negative_eigenvalues": neg, "min_eigenvalue": float(w0[-1]), "frobenius_distance": 0.0,
              "max_abs_change": 0.0, "iterations": 0}
    R = Lm
    if neg:
        R, it = nearest_correlation(Lm)
        repair.update(frobenius_distance=float(np.linalg.norm(R - Lm, "fro")), max_abs_change=float(np.abs(R - Lm).max()),
                      iterations=it)
        warnings.warn(
            f"the linkage matrix is not a correlation matrix: {neg} of {m} eigenvalues are negative (smallest "
            f"{w0[-1]:.3g}); principal components were taken of its nearest correlation matrix (Higham 2002), "
            f"Frobenius distance {repair['frobenius_distance']:.3g}, largest change of a linkage {repair['max_abs_change']:.3g}",
            LinkageRepairWarning, stacklevel=3)
    w, V = np.linalg.eigh(R)
    order = np.argsort(w)[::-1]
    w, V = np.clip(w[order], 0.0, None), V[:, order]
    k, rule_text = _n_components(w, n_components, rule)
    U = V[:, :k] * np.sqrt(w[:k])
    if k > 1:
        Rot, iters = _varimax_kaiser(U)
    else:
        Rot, iters = U.copy(), 0
    # orient: the largest absolute loading of each component positive; order by rotated variance
    for c in range(k):
        if Rot[np.argmax(np.abs(Rot[:, c])), c] < 0:
            Rot[:, c] *= -1
    rv = (Rot**2).sum(axis=0)
    o = np.argsort(rv)[::-1]
    Rot, rv = Rot[:, o], rv[o]
    cols = list(range(1, k + 1))
    loadings = pd.DataFrame(Rot, index=lab, columns=cols)
    var = pd.DataFrame({
        "eigenvalue": w[:k],
        "% of variance": 100 * w[:k] / m,
        "cumulative %": 100 * np.cumsum(w[:k]) / m,
        "rotated %": 100 * rv / m,
    }, index=cols)
    prim = {c: [] for c in cols}
    sec = {c: [] for c in cols}
    best = np.argmax(np.abs(Rot), axis=1)
    for i, name in enumerate(lab):
        for c in range(k):
            if best[i] == c:
                prim[cols[c]].append(name)
            elif abs(Rot[i, c]) >= secondary_threshold:
                sec[cols[c]].append(name)
    comm = pd.Series((U**2).sum(axis=1), index=lab, name="communality")
    notes = {
        "extraction": "Principal component analysis",
        "matrix": ("nearest correlation matrix of the linkage matrix (Higham 2002)" if neg else "linkage matrix (a correlation matrix)"),
        "rotation": "Varimax with Kaiser normalization",
        "iterations": iters,
        "components": k,
        "rule": rule_text,
        "explained variance %": float(var["cumulative %"].iloc[-1]),
        "negative eigenvalues repaired": neg,
    }
    return FeserBergman(pd.DataFrame(Lm, index=lab, columns=lab), loadings, pd.DataFrame(U, index=lab, columns=cols),
                        pd.Series(w, name="eigenvalue"), var, iters, prim, sec, notes,
                        analysed=pd.DataFrame(R, index=lab, columns=lab), communalities=comm,
                        eigenvalues_linkage=pd.Series(w0, name="eigenvalue"), repair=repair)


def feser_bergman(
    Z,
    labels: Sequence[str] | None = None,
    *,
    n_components: int | None = None,
    rule: str = "kaiser",
    secondary_threshold: float = 0.35,
) -> FeserBergman:
    """Cluster templates by Feser & Bergman (2000): linkage matrix, then :func:`factor_templates`.

    Parameters
    ----------
    Z : DataFrame or array_like, shape (n, n)
        Inter-industry flows of a (national) table, money.
    n_components : int, optional
        Components to retain; default: by ``rule``.
    rule : {"kaiser", "variance:P"}
        Kaiser criterion (eigenvalue > 1 of the analysed correlation matrix) or the smallest
        number of components explaining P % of the variance.
    secondary_threshold : float
        Absolute loading for secondary membership (Feser & Bergman use 0.35).

    Returns
    -------
    FeserBergman
        See :func:`factor_templates` (the linkage matrix is repaired to its nearest correlation
        matrix, Higham 2002, with a :class:`LinkageRepairWarning`, when it is indefinite).

    References
    ----------
    Feser, E. J., & Bergman, E. M. (2000). National industry cluster templates: a framework for
    applied regional cluster analysis. Regional Studies, 34(1), 1–19.
    Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
    """
    return factor_templates(linkage_matrix(Z, labels), n_components=n_components, rule=rule,
                            secondary_threshold=secondary_threshold)


# ------------------------------------------------------------------------------------------
# Czamanski
# ------------------------------------------------------------------------------------------


def czamanski(Z, labels: Sequence[str] | None = None, *, threshold: float = 0.5) -> pd.DataFrame:
    """Czamanski (1974) grouping by a threshold on the maximum correlation.

    Uses the same four correlations as :func:`linkage_matrix`. Industries are grouped by
    complete-linkage hierarchical clustering on ``1 − L`` cut at ``1 − threshold``: within a
    group every pair of industries has a maximum correlation ≥ ``threshold`` (Czamanski's
    criterion; single linkage would chain the whole economy into one group).

    Returns
    -------
    DataFrame, index industry, columns ``group`` (1.. by size; singletons get their own),
    ``size``, ``strongest partner`` and ``linkage`` (its maximum correlation).

    References
    ----------
    Czamanski, S. (1974). Study of clustering of industries. Halifax: Dalhousie University.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    if not 0 < threshold <= 1:
        raise IOTableError(f"threshold must be in (0, 1]; got {threshold!r}")
    Lm = linkage_matrix(Z, labels)
    M = Lm.to_numpy().copy()
    D = np.clip(1.0 - M, 0.0, None)
    np.fill_diagonal(D, 0.0)
    if len(M) > 1:
        comp = fcluster(linkage(squareform((D + D.T) / 2, checks=False), method="complete"), t=1.0 - threshold + 1e-12,
                        criterion="distance")
    else:
        comp = np.array([1])
    np.fill_diagonal(M, -np.inf)
    sizes = pd.Series(comp).value_counts()
    rank = {c: r + 1 for r, c in enumerate(sorted(sizes.index, key=lambda c: (-sizes[c], int(np.flatnonzero(comp == c)[0]))))}
    partner = np.argmax(M, axis=1)
    return pd.DataFrame({
        "group": [rank[c] for c in comp],
        "size": [int(sizes[c]) for c in comp],
        "strongest partner": [Lm.index[p] for p in partner],
        "linkage": M[np.arange(len(M)), partner],
    }, index=Lm.index)


# ------------------------------------------------------------------------------------------
# Hill–Brennan
# ------------------------------------------------------------------------------------------


def shift_share(region_base, region_end, nation_base, nation_end, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Classical shift-share decomposition of regional change by industry.

    ``Δe_i = NS_i + IM_i + CS_i`` with national share ``NS_i = e_i0 · G``, industry mix
    ``IM_i = e_i0 · (g_i − G)`` and competitive (regional) shift ``CS_i = e_i0 · (r_i − g_i)``,
    where ``G`` is national total growth, ``g_i`` national growth of industry ``i`` and ``r_i``
    its regional growth (Dunn 1960; Hill & Brennan 2000, step 1).

    Parameters
    ----------
    region_base, region_end, nation_base, nation_end : array_like, shape (n,)
        Employment (persons) or output (money) by industry in the base and end years.

    Returns
    -------
    DataFrame, columns ``change``, ``national share``, ``industry mix``, ``competitive``
    (same unit as the input; the three components add up to ``change``).
    """
    rb, re, nb, ne = (np.asarray(v, dtype=float).reshape(-1) for v in (region_base, region_end, nation_base, nation_end))
    if not (rb.shape == re.shape == nb.shape == ne.shape):
        raise IOTableError("shift-share vectors must have the same length")
    if (nb <= 0).any():
        i = int(np.flatnonzero(nb <= 0)[0])
        raise IOTableError(f"shift-share: national base-year value of industry {labels[i] if labels else i!r} must be > 0")
    G = ne.sum() / nb.sum() - 1
    g = ne / nb - 1
    r = np.divide(re, rb, out=np.zeros_like(re), where=rb > 0) - 1
    r = np.where(rb > 0, r, g)  # no base: the regional shift is carried by nothing (0 · ...)
    ns, im, cs = rb * G, rb * (g - G), rb * (r - g)
    cs = np.where(rb > 0, cs, re - rb - ns - im)
    idx = list(labels) if labels is not None else [str(i + 1) for i in range(rb.size)]
    return pd.DataFrame({"change": re - rb, "national share": ns, "industry mix": im, "competitive": cs}, index=idx)


@dataclass
class HillBrennan:
    """Result of :func:`hill_brennan`.

    Attributes
    ----------
    industries : DataFrame
        Per industry: ``LQ``, shift-share components, ``competitive advantage`` (LQ > 1 and
        competitive shift > 0), ``tier`` (0 none, 1 one of the two, 2 both), Ward ``group``,
        LDA ``predicted tier``, ``P(tier 2)`` and ``driver``.
    discriminant : DataFrame
        LDA scalings (features × discriminant functions).
    ward : ndarray
        The scipy linkage matrix of the Ward clustering.
    notes : dict
    """

    industries: pd.DataFrame
    discriminant: pd.DataFrame
    ward: np.ndarray
    notes: dict


def hill_brennan(
    Z,
    region_base,
    region_end,
    nation_base,
    nation_end,
    labels: Sequence[str] | None = None,
    *,
    n_groups: int = 7,
) -> HillBrennan:
    """Hill & Brennan (2000) driver industries of a region's clusters.

    1. Competitive-advantage industries: ``LQ_i > 1`` (end year) and a positive competitive
       shift-share component (:func:`shift_share`).
    2. Ward hierarchical clustering (scipy) of industries on their inter-industry linkage
       profiles (rows of :func:`linkage_matrix`), cut into ``n_groups`` groups.
    3. Linear discriminant analysis (scikit-learn) of the competitiveness tier (0, 1, 2 — how
       many of the two tests an industry passes) on log LQ, the competitive growth rate and the
       industry's mean linkage with competitive-advantage industries; drivers are
       competitive-advantage industries the discriminant function places in the top tier
       (posterior ≥ 0.5) in a Ward group with at least two industries (seed 002 applied the
       method to East Kazakhstan: 21 sectors → 7 Ward groups → 3 discriminant subgroups).

    Parameters
    ----------
    Z : DataFrame or array_like, shape (n, n)
        National inter-industry flows (money).
    region_base, region_end, nation_base, nation_end : array_like, shape (n,)
        Employment (persons) or output by industry.
    n_groups : int
        Ward groups.

    Returns
    -------
    HillBrennan

    References
    ----------
    Hill, E. W., & Brennan, J. F. (2000). A methodology for identifying the drivers of industrial
    clusters. Economic Development Quarterly, 14(1), 65–96.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    Zm, lab = _flows(Z, labels)
    ss = shift_share(region_base, region_end, nation_base, nation_end, lab)
    re = np.asarray(region_end, dtype=float).reshape(-1)
    ne = np.asarray(nation_end, dtype=float).reshape(-1)
    lq = np.divide(re / re.sum(), ne / ne.sum(), out=np.zeros_like(re), where=ne > 0)
    rb = np.asarray(region_base, dtype=float).reshape(-1)
    growth = np.divide(ss["competitive"].to_numpy(), rb, out=np.zeros_like(rb), where=rb > 0)
    tier = (lq > 1).astype(int) + (ss["competitive"].to_numpy() > 0).astype(int)
    df = pd.DataFrame({"LQ": lq}, index=lab).join(ss)
    df["competitive advantage"] = tier == 2
    df["tier"] = tier

    Lv = linkage_matrix(pd.DataFrame(Zm, index=lab, columns=lab)).reindex(index=lab, columns=lab).fillna(0.0).to_numpy().copy()
    np.fill_diagonal(Lv, 1.0)
    Lm = pd.DataFrame(Lv, index=lab, columns=lab)
    if not 2 <= n_groups <= len(lab):
        raise IOTableError(f"n_groups must be between 2 and {len(lab)}; got {n_groups}")
    W = linkage(Lm.to_numpy(), method="ward")
    df["group"] = fcluster(W, t=n_groups, criterion="maxclust")
    ca = df["competitive advantage"].to_numpy()
    M = Lm.to_numpy().copy()
    np.fill_diagonal(M, 0.0)
    link_ca = M[:, ca].mean(axis=1) if ca.any() else np.zeros(len(lab))
    X = np.column_stack([np.log(np.clip(lq, 1e-6, None)), growth, link_ca])
    notes = {"ward groups": int(n_groups), "features": ["log LQ", "competitive growth rate", "mean linkage with competitive industries"]}
    classes, counts = np.unique(tier, return_counts=True)
    if classes.size >= 2 and counts.min() >= 2 and len(lab) > classes.size:
        lda = LinearDiscriminantAnalysis().fit(X, tier)
        df["predicted tier"] = lda.predict(X)
        top = list(lda.classes_).index(classes.max())
        df["P(top tier)"] = lda.predict_proba(X)[:, top]
        disc = pd.DataFrame(lda.scalings_, index=notes["features"],
                            columns=[f"LD{i + 1}" for i in range(lda.scalings_.shape[1])])
        notes["lda accuracy"] = float(lda.score(X, tier))
    else:
        df["predicted tier"] = tier
        df["P(top tier)"] = (tier == tier.max()).astype(float)
        disc = pd.DataFrame(index=notes["features"])
        notes["lda"] = "skipped: fewer than two tiers with two industries each"
    gsize = df["group"].map(df["group"].value_counts())
    df["driver"] = df["competitive advantage"] & (df["P(top tier)"] >= 0.5) & (gsize >= 2)
    return HillBrennan(df, disc, W, notes)


# ------------------------------------------------------------------------------------------
# Seed 002, Table 3
# ------------------------------------------------------------------------------------------


def multiplier_table(table, sectors: Sequence[str] | None = None, *, type: str = "I") -> pd.DataFrame:
    """Output, value-added and household-income multipliers (seed 002, Table 3).

    Columns: ``Output multiplier`` (Σ_i l_ij), ``Value added multiplier`` (GVA per unit of final
    demand, Σ_i v_i l_ij — the seed's 0.608 for metal ores), ``Household income multiplier``
    (Type I ratio Σ_i h_i l_ij / h_j — the seed's 2.073). Miller & Blair (2009), §6.2.

    Parameters
    ----------
    table : IOTable
        With ``gva`` and ``compensation``.
    sectors : sequence of str, optional
        The cluster's sectors (default: all).
    """
    m = table.multipliers(type)
    need = ["GVA effect", "Income multiplier"]
    missing = [c for c in need if c not in m.columns]
    if missing:
        raise IOTableError(f"Table 3 needs GVA and compensation of employees; missing {', '.join(missing)}")
    out = pd.DataFrame({
        "Output multiplier": m["Output multiplier"],
        "Value added multiplier": m["GVA effect"],
        "Household income multiplier": m["Income multiplier"],
    })
    if sectors is not None:
        unknown = [s for s in sectors if s not in out.index]
        if unknown:
            raise IOTableError(f"unknown sector {unknown[0]!r}")
        out = out.loc[list(sectors)]
    return out
