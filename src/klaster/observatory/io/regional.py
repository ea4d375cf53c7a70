"""Regionalising a national input-output table with location quotients.

Regional input coefficients are ``a_ij^r = a_ij^n · min(1, LQ_ij)`` (Miller & Blair 2009,
§8.2, eq. 8.5 ff.), with the quotient ``LQ_ij`` one of

- SLQ  ``SLQ_i = (x_i^r / x^r) / (x_i^n / x^n)`` (M&B eq. 8.1), applied row-wise;
- CILQ ``CILQ_ij = SLQ_i / SLQ_j``, diagonal ``SLQ_i`` (M&B eq. 8.8; Flegg & Webber 1997);
- FLQ  ``FLQ_ij = CILQ_ij · λ*`` with ``λ* = [log2(1 + x^r / x^n)]^δ``, ``0 ≤ δ < 1``
  (Flegg, Webber & Elliott 1995; Flegg & Webber 1997, eq. 3–4; M&B eq. 8.12);
- AFLQ ``AFLQ_ij = FLQ_ij · log2(1 + SLQ_j)`` where ``SLQ_j > 1``, else ``FLQ_ij``
  (Flegg & Webber 2000, eq. 5; Flegg & Tohmo 2013).

``x`` may be output or employment by sector (the literature uses employment; the Scottish
validation uses output). Sectors absent from the region (``x_j^r = 0``) get zero coefficients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .core import IOTableError

METHODS = ("slq", "cilq", "flq", "aflq")


def _vectors(x_region, x_nation) -> tuple[np.ndarray, np.ndarray]:
    xr = np.asarray(x_region, dtype=float).reshape(-1)
    xn = np.asarray(x_nation, dtype=float).reshape(-1)
    if xr.shape != xn.shape:
        raise IOTableError(f"regional vector has {xr.size} sectors, national {xn.size}")
    if (xr < 0).any() or (xn < 0).any():
        raise IOTableError("regional and national output/employment must be non-negative")
    if xn.sum() <= 0 or xr.sum() <= 0:
        raise IOTableError("regional and national totals must be positive")
    bad = np.flatnonzero((xn == 0) & (xr > 0))
    if bad.size:
        raise IOTableError(f"sector {int(bad[0])}: regional value {xr[bad[0]]:g} but national value 0")
    return xr, xn


def slq(x_region, x_nation) -> np.ndarray:
    """Simple location quotients ``SLQ_i = (x_i^r / x^r) / (x_i^n / x^n)`` (M&B 2009, eq. 8.1).

    Parameters
    ----------
    x_region, x_nation : array_like, shape (n,)
        Regional and national output (money) or employment (persons) by sector.

    Returns
    -------
    ndarray, shape (n,)
        Dimensionless; 0 where the nation has no such sector.
    """
    xr, xn = _vectors(x_region, x_nation)
    share_n = xn / xn.sum()
    out = np.zeros_like(xr)
    np.divide(xr / xr.sum(), share_n, out=out, where=share_n > 0)
    return out


def cilq(x_region, x_nation) -> np.ndarray:
    """Cross-industry quotients ``CILQ_ij = SLQ_i / SLQ_j``, diagonal ``SLQ_i`` (M&B 2009, eq. 8.8).

    Returns
    -------
    ndarray, shape (n, n)
        ``inf`` never occurs: where ``SLQ_j = 0`` the column is set to 0 (the region has no
        sector ``j``, so it has no inputs to regionalise).
    """
    s = slq(x_region, x_nation)
    C = np.zeros((s.size, s.size))
    np.divide(s[:, None], s[None, :], out=C, where=(s[None, :] > 0))
    np.fill_diagonal(C, s)
    C[:, s == 0] = 0.0
    return C


def flegg_lambda(x_region, x_nation, delta: float) -> float:
    """Flegg's regional-size scalar ``λ* = [log2(1 + x^r / x^n)]^δ`` (Flegg & Webber 1997, eq. 4)."""
    if not (0 <= delta < 1):
        raise IOTableError(f"FLQ δ must satisfy 0 ≤ δ < 1; got {delta!r}")
    xr, xn = _vectors(x_region, x_nation)
    return float(np.log2(1.0 + xr.sum() / xn.sum()) ** delta)


def flq(x_region, x_nation, delta: float) -> tuple[np.ndarray, float]:
    """Flegg location quotients ``FLQ_ij = CILQ_ij · λ*`` (Flegg & Webber 1997, eq. 3).

    Returns
    -------
    FLQ : ndarray, shape (n, n)
    lam : float
        The ``λ*`` used.
    """
    lam = flegg_lambda(x_region, x_nation, delta)
    return cilq(x_region, x_nation) * lam, lam


def aflq(x_region, x_nation, delta: float) -> tuple[np.ndarray, float]:
    """Augmented FLQ ``AFLQ_ij = FLQ_ij · log2(1 + SLQ_j)`` for ``SLQ_j > 1`` (Flegg & Webber 2000, eq. 5).

    Returns
    -------
    AFLQ : ndarray, shape (n, n)
    lam : float
        The ``λ*`` used.
    """
    F, lam = flq(x_region, x_nation, delta)
    s = slq(x_region, x_nation)
    boost = np.where(s > 1, np.log2(1.0 + s), 1.0)
    return F * boost[None, :], lam


def location_quotients(x_region, x_nation, method: str, delta: float | None = None) -> tuple[np.ndarray, float | None]:
    """The n × n quotient matrix of ``method`` (SLQ is broadcast along rows) and the δ used."""
    method = method.lower()
    if method not in METHODS:
        raise IOTableError(f"regionalisation method must be one of {', '.join(METHODS)}; got {method!r}")
    if method == "slq":
        s = slq(x_region, x_nation)
        Q = np.repeat(s[:, None], s.size, axis=1)
        Q[:, s == 0] = 0.0
        return Q, None
    if method == "cilq":
        return cilq(x_region, x_nation), None
    if delta is None:
        raise IOTableError(f"{method.upper()} needs δ (typical 0.2–0.3)")
    Q, _ = (flq if method == "flq" else aflq)(x_region, x_nation, delta)
    return Q, float(delta)


@dataclass(frozen=True)
class Regionalised:
    """Result of :func:`regionalise`.

    Attributes
    ----------
    A : DataFrame, shape (n, n)
        Regional input coefficients (regional purchases per unit of regional output).
    quotients : DataFrame, shape (n, n)
        The location quotients ``LQ_ij`` before capping at 1.
    method : str
    delta : float or None
        The δ used (FLQ, AFLQ).
    lam : float or None
        Flegg's ``λ*`` (FLQ, AFLQ).
    """

    A: pd.DataFrame
    quotients: pd.DataFrame
    method: str
    delta: float | None
    lam: float | None


def regionalise(A_national, x_region, x_nation, *, method: str = "flq", delta: float | None = 0.3, labels=None) -> Regionalised:
    """Regional coefficients ``a_ij^r = a_ij^n · min(1, LQ_ij)`` (M&B 2009, eq. 8.5).

    Parameters
    ----------
    A_national : DataFrame or array_like, shape (n, n)
        National technical (domestic) coefficients.
    x_region, x_nation : array_like, shape (n,)
        Regional and national output (money) or employment (persons) by sector, same order.
    method : {"slq", "cilq", "flq", "aflq"}
    delta : float, optional
        FLQ/AFLQ δ, 0 ≤ δ < 1 (ignored by SLQ and CILQ).
    labels : sequence of str, optional

    Returns
    -------
    Regionalised

    Raises
    ------
    IOTableError
        Unknown method, δ out of range, mismatched shapes.
    """
    if labels is None and isinstance(A_national, pd.DataFrame):
        labels = list(map(str, A_national.index))
    An = np.asarray(A_national, dtype=float)
    if An.ndim != 2 or An.shape[0] != An.shape[1] or An.shape[0] != np.asarray(x_region).size:
        raise IOTableError(f"national coefficients {An.shape} do not match {np.asarray(x_region).size} sectors")
    labels = list(labels) if labels is not None else [str(i + 1) for i in range(An.shape[0])]
    Q, d = location_quotients(x_region, x_nation, method, delta)
    lam = flegg_lambda(x_region, x_nation, d) if d is not None else None
    Ar = An * np.minimum(1.0, Q)
    return Regionalised(
        A=pd.DataFrame(Ar, index=labels, columns=labels),
        quotients=pd.DataFrame(Q, index=labels, columns=labels),
        method=method.lower(), delta=d, lam=lam,
    )


def mape(estimate, benchmark) -> float:
    """Mean absolute percentage error ``100 · mean(|est − bench| / |bench|)`` (%)."""
    e = np.asarray(estimate, dtype=float)
    b = np.asarray(benchmark, dtype=float)
    return float(100.0 * np.mean(np.abs(e - b) / np.abs(b)))
