"""Input-output mathematics as small pure functions over numpy arrays.

Every function takes and returns plain ``numpy`` arrays (pandas objects are accepted and
converted with :func:`numpy.asarray`); labels are kept by :class:`klaster.observatory.io.IOTable`,
which only orchestrates these functions (the pymrio house style).

Notation (Miller & Blair, *Input-Output Analysis: Foundations and Extensions*, 2nd ed., 2009):

- ``Z`` (n × n) inter-industry flows, money (e.g. £m, thousand tenge) — row ``i`` sells to column ``j``;
- ``x`` (n,) total output, same money unit;
- ``A`` (n × n) technical coefficients, money per money of output;
- ``L = (I − A)^-1`` the Leontief inverse;
- ``y`` / ``Y`` final demand, (n,) or (n × s) for ``s`` scenarios;
- direct coefficients of a satellite account (compensation of employees, GVA, jobs) are
  "per unit of output": money per money, or persons per money unit.

Dense inverses are formed only where the caller asks for ``L`` itself; everything else is a
solve with one LU factorisation of ``I − A`` (:func:`factorise`) reused across right-hand sides.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.linalg as sla

__all__ = [
    "ClosedLU",
    "IOTableError",
    "LeontiefLU",
    "calc_A",
    "calc_B",
    "calc_G",
    "calc_L",
    "calc_Z",
    "calc_x",
    "check_balance",
    "check_coefficients",
    "close_households",
    "closed_lu",
    "direct_coefficients",
    "effects",
    "factorise",
    "hypothetical_extraction",
    "impact",
    "output_multipliers",
    "ratio_multipliers",
    "rasmussen_hirschman",
    "solve",
    "type_ii_system",
]


class IOTableError(ValueError):
    """An input-output table is malformed or unbalanced.

    The message names the row and/or column and the size of the defect.
    """


def _labels(labels: Sequence[str] | None, n: int) -> list[str]:
    if labels is None:
        return [str(i + 1) for i in range(n)]
    return [str(v) for v in labels]


def _square(M, name: str = "Z") -> np.ndarray:
    M = np.asarray(M, dtype=float)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise IOTableError(f"{name} must be a square matrix; got shape {M.shape}")
    return M


def _check_finite(M: np.ndarray, name: str, labels: Sequence[str] | None = None) -> None:
    bad = ~np.isfinite(M)
    if bad.any():
        idx = np.argwhere(bad)[0] if M.ndim == 2 else (int(np.flatnonzero(bad)[0]),)
        lab = _labels(labels, M.shape[0])
        if M.ndim == 2:
            raise IOTableError(f"{name}: non-numeric or infinite value at row {lab[idx[0]]!r}, column {lab[idx[1]]!r}")
        raise IOTableError(f"{name}: non-numeric or infinite value for sector {lab[idx[0]]!r}")


def _safe_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b`` with 0 where ``b == 0`` (a sector without output has no coefficients)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    out = np.zeros(np.broadcast_shapes(a.shape, b.shape), dtype=float)
    np.divide(a, b, out=out, where=(b != 0))
    return out


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def check_balance(
    Z,
    x,
    *,
    final_demand=None,
    inputs=None,
    labels: Sequence[str] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-6,
) -> None:
    """Check that a flow table is well formed and balanced.

    Rows: ``Σ_j z_ij + Σ_k y_ik = x_i`` (when ``final_demand`` is given). Columns:
    ``Σ_i z_ij + Σ_r w_rj = x_j`` (when ``inputs`` — all primary-input rows, i.e. imports, taxes,
    value added — are given). Miller & Blair (2009), eq. (2.1)–(2.2) and Table 2.3.

    Parameters
    ----------
    Z : array_like, shape (n, n)
        Inter-industry flows (money).
    x : array_like, shape (n,)
        Total output (money).
    final_demand : array_like, shape (n, k), optional
        Final-demand columns.
    inputs : array_like, shape (r, n), optional
        Primary-input rows that, with ``Z``, make up each column's total input.
    labels : sequence of str, optional
        Sector labels used in messages.
    rtol, atol : float
        Tolerance of the balance: ``|imbalance| ≤ atol + rtol·|x|``.

    Raises
    ------
    IOTableError
        Naming the first offending row/column and the imbalance (money units).
    """
    Z = _square(Z)
    n = Z.shape[0]
    lab = _labels(labels, n)
    x = np.asarray(x, dtype=float).reshape(-1)
    if x.shape[0] != n:
        raise IOTableError(f"output vector has {x.shape[0]} entries but Z has {n} rows")
    # one pass each for the smallest and largest flow (NaN propagates); the cell-by-cell search
    # only when one of them shows a problem
    lo, hi = (Z.min(), Z.max()) if Z.size else (0.0, 0.0)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        _check_finite(Z, "Z", lab)
    _check_finite(x, "output", lab)
    if lo < 0:
        i, j = np.argwhere(Z < 0)[0]
        raise IOTableError(f"Z: negative flow {Z[i, j]:g} at row {lab[i]!r}, column {lab[j]!r}")
    if (x < 0).any():
        i = int(np.flatnonzero(x < 0)[0])
        raise IOTableError(f"output: negative total output {x[i]:g} for sector {lab[i]!r}")
    if final_demand is not None:
        F = np.asarray(final_demand, dtype=float)
        F = F.reshape(n, -1)
        _check_finite(F, "final demand", lab)
        gap = Z.sum(axis=1) + F.sum(axis=1) - x
        bad = np.flatnonzero(np.abs(gap) > atol + rtol * np.abs(x))
        if bad.size:
            i = int(bad[np.argmax(np.abs(gap[bad]))])
            raise IOTableError(
                f"row {lab[i]!r} does not balance: intermediate use + final demand − output = {gap[i]:+.6g} "
                f"(output {x[i]:.6g}); {bad.size} row(s) out of balance"
            )
    if inputs is not None:
        W = np.asarray(inputs, dtype=float).reshape(-1, n)
        gap = Z.sum(axis=0) + W.sum(axis=0) - x
        bad = np.flatnonzero(np.abs(gap) > atol + rtol * np.abs(x))
        if bad.size:
            j = int(bad[np.argmax(np.abs(gap[bad]))])
            raise IOTableError(
                f"column {lab[j]!r} does not balance: intermediate inputs + primary inputs − output = {gap[j]:+.6g} "
                f"(output {x[j]:.6g}); {bad.size} column(s) out of balance"
            )


def check_coefficients(A, *, labels: Sequence[str] | None = None) -> None:
    """Check that technical coefficients describe a productive economy.

    ``A ≥ 0`` and every column sum ``Σ_i a_ij < 1`` (Hawkins–Simon; Miller & Blair 2009, §2.3.4
    and Appendix 2.1), which makes ``I − A`` non-singular with ``L ≥ I``.

    Raises
    ------
    IOTableError
        Naming the offending cell or column.
    """
    A = _square(A, "A")
    lab = _labels(labels, A.shape[0])
    _check_finite(A, "A", lab)
    neg = np.argwhere(A < 0)
    if neg.size:
        i, j = neg[0]
        raise IOTableError(f"A: negative coefficient {A[i, j]:g} at row {lab[i]!r}, column {lab[j]!r}")
    cs = A.sum(axis=0)
    if (cs >= 1).any():
        j = int(np.argmax(cs))
        raise IOTableError(
            f"column {lab[j]!r}: intermediate inputs are {cs[j]:.6g} per unit of output (must be < 1); "
            "the sector's purchases exceed its output"
        )


# --------------------------------------------------------------------------------------------
# Demand-side (Leontief) model
# --------------------------------------------------------------------------------------------


def calc_x(Z, Y) -> np.ndarray:
    """Total output from flows and final demand, ``x = Z i + Y i`` (Miller & Blair 2009, eq. 2.2).

    Parameters
    ----------
    Z : array_like, shape (n, n)
    Y : array_like, shape (n,) or (n, k)

    Returns
    -------
    ndarray, shape (n,)
    """
    Z = np.asarray(Z, dtype=float)
    Y = np.asarray(Y, dtype=float).reshape(Z.shape[0], -1)
    return Z.sum(axis=1) + Y.sum(axis=1)


def calc_A(Z, x, *, out: np.ndarray | None = None) -> np.ndarray:
    """Technical coefficients ``A = Z x̂^-1``, i.e. ``a_ij = z_ij / x_j`` (Miller & Blair 2009, eq. 2.4).

    A sector with zero output gets a zero column (it buys nothing per unit of output), the
    convention of the Scottish Government tables (e.g. tobacco in 2019).

    Parameters
    ----------
    Z : array_like, shape (n, n)
        Inter-industry flows (money).
    x : array_like, shape (n,)
        Total output (money, same unit).
    out : ndarray, shape (n, n), optional
        Write ``A`` here (may be ``Z`` itself, to save memory on large tables).

    Returns
    -------
    ndarray, shape (n, n)
        Money of input per money of output.
    """
    Z = np.asarray(Z, dtype=float)
    x = np.asarray(x, dtype=float).reshape(-1)
    if out is None:
        return _safe_div(Z, x[np.newaxis, :])
    xs = np.where(x != 0, x, 1.0)[np.newaxis, :]
    np.divide(Z, xs, out=out)
    out[:, x == 0] = 0.0
    return out


def calc_Z(A, x) -> np.ndarray:
    """Flows from coefficients, ``Z = A x̂`` (Miller & Blair 2009, eq. 2.4 rearranged)."""
    return np.asarray(A, dtype=float) * np.asarray(x, dtype=float).reshape(1, -1)


@dataclass(frozen=True)
class LeontiefLU:
    """An LU factorisation of ``I − A`` (from :func:`scipy.linalg.lu_factor`).

    Attributes
    ----------
    lu : ndarray, shape (n, n)
        Packed L and U factors.
    piv : ndarray, shape (n,)
        Pivot indices.
    transposed : bool
        True when the factors are those of ``(I − A)ᵀ`` (factorising the transposed view of a
        C-ordered ``I − A`` lets LAPACK work in place, without an n × n Fortran copy);
        :func:`solve` flips the transpose flag accordingly.
    """

    lu: np.ndarray
    piv: np.ndarray
    transposed: bool = False

    @property
    def n(self) -> int:
        """Number of sectors."""
        return self.lu.shape[0]


def factorise(A, *, overwrite: bool = False) -> LeontiefLU:
    """LU-factorise the Leontief matrix ``I − A`` once, for many solves.

    ``(I − A) x = y`` (Miller & Blair 2009, eq. 2.10) is then solved for any ``y`` in O(n²)
    with :func:`solve`; the factorisation costs ⅔ n³ flops against ~2 n³ for a dense inverse.

    Parameters
    ----------
    A : array_like, shape (n, n)
        Technical coefficients.
    overwrite : bool
        If True and ``A`` is a float64 C-or-F contiguous array, it is turned into ``I − A`` and
        factorised in place (saves one n × n array; ``A`` is destroyed).

    Returns
    -------
    LeontiefLU

    Raises
    ------
    IOTableError
        If ``I − A`` is singular (a sector whose column of ``A`` sums to 1 or more, or a closed
        loop of sectors that buy only from each other).
    """
    A = _square(A, "A")
    if overwrite and A.dtype == np.float64 and A.flags.writeable:
        M = A
        np.negative(M, out=M)
    else:
        M = -A
    M.flat[:: M.shape[0] + 1] += 1.0
    # LAPACK wants Fortran order: the transpose of a C-ordered matrix is a Fortran-ordered view,
    # so factorising Mᵀ avoids copying M (and solving with the transposed factors is exact).
    transposed = bool(M.flags.c_contiguous and not M.flags.f_contiguous)
    with warnings.catch_warnings():  # a singular matrix is reported below as IOTableError
        warnings.simplefilter("ignore", sla.LinAlgWarning)
        lu, piv = sla.lu_factor(M.T if transposed else M, overwrite_a=True, check_finite=False)
    d = np.abs(np.diagonal(lu))
    if d.size and (not np.all(np.isfinite(d)) or d.min() <= np.finfo(float).eps * max(1.0, d.max()) * lu.shape[0]):
        j = int(np.argmin(d)) if np.all(np.isfinite(d)) else int(np.flatnonzero(~np.isfinite(d))[0])
        raise IOTableError(f"I − A is singular (pivot {j}): the table has no Leontief inverse")
    return LeontiefLU(lu, piv, transposed)


def solve(lu: "LeontiefLU | ClosedLU", rhs, *, transpose: bool = False) -> np.ndarray:
    """Solve ``(I − A) x = b`` (or ``(I − A)ᵀ x = b``) with a stored factorisation.

    ``x = L b`` (Miller & Blair 2009, eq. 2.11) for a column ``b``; with ``transpose=True`` the
    result is ``xᵀ = bᵀ L`` — the row-vector products behind every multiplier (eq. 6.1 ff.).
    With a :class:`ClosedLU` the system is the household-closed ``Ī − Ā`` of size n + 1
    (solved by block elimination, see :func:`closed_lu`).

    Parameters
    ----------
    lu : LeontiefLU or ClosedLU
    rhs : array_like, shape (n,) or (n, s) — (n + 1,) or (n + 1, s) for a ``ClosedLU``
    transpose : bool

    Returns
    -------
    ndarray, same shape as ``rhs``
    """
    if isinstance(lu, ClosedLU):
        return lu.solve(rhs, transpose=transpose)
    b = np.asarray(rhs, dtype=float)
    return sla.lu_solve((lu.lu, lu.piv), b, trans=1 if transpose != lu.transposed else 0, check_finite=False)


def calc_L(A=None, *, lu: LeontiefLU | None = None) -> np.ndarray:
    """The Leontief inverse ``L = (I − A)^-1`` (Miller & Blair 2009, eq. 2.10), dense.

    Only form ``L`` when the matrix itself is wanted; multipliers and impacts use
    :func:`solve`.

    Parameters
    ----------
    A : array_like, shape (n, n), optional
        Technical coefficients (ignored when ``lu`` is given).
    lu : LeontiefLU, optional
        A factorisation to reuse.

    Returns
    -------
    ndarray, shape (n, n)
        Output of sector ``i`` per unit of final demand for sector ``j``.
    """
    if lu is None:
        lu = factorise(A)
    return solve(lu, np.eye(lu.n))


def output_multipliers(lu: LeontiefLU) -> np.ndarray:
    """Simple (Type I) output multipliers ``m(o)_j = Σ_i l_ij`` (Miller & Blair 2009, eq. 6.1).

    Computed as the solution of ``(I − A)ᵀ m = 1`` without forming ``L``.

    Returns
    -------
    ndarray, shape (n,)
        Output (money) in all sectors per unit of final demand for sector ``j``.
    """
    return solve(lu, np.ones(lu.n), transpose=True)


def direct_coefficients(values, x) -> np.ndarray:
    """Direct satellite coefficients ``h_j = v_j / x_j`` (0 where ``x_j = 0``).

    E.g. compensation of employees per unit of output (money/money), employment per unit of
    output (persons per money unit). Miller & Blair (2009), §6.2.2 and §6.2.3.

    Parameters
    ----------
    values : array_like, shape (n,) or (k, n)
    x : array_like, shape (n,)
    """
    return _safe_div(np.asarray(values, dtype=float), np.asarray(x, dtype=float).reshape(-1))


def effects(lu: LeontiefLU, coefficients) -> np.ndarray:
    """Total (direct + indirect) effects ``e_j = Σ_i h_i l_ij`` (Miller & Blair 2009, eq. 6.7, 6.12).

    With ``h`` = labour income per unit of output this is the (Type I) household-income effect
    ("income multiplier" in M&B's terms, "income effect" in the Scottish tables); with
    employment per unit of output, the employment effect; with GVA per unit of output, the
    GVA effect.

    Parameters
    ----------
    lu : LeontiefLU
        Factorisation of ``I − A`` (n × n).
    coefficients : array_like, shape (n,) or (k, n)
        Direct coefficients, one row per account.

    Returns
    -------
    ndarray, shape (n,) or (k, n)
        Units of the account per unit of final demand for sector ``j``.
    """
    H = np.asarray(coefficients, dtype=float)
    single = H.ndim == 1
    H2 = H.reshape(-1, lu.n)
    out = solve(lu, H2.T, transpose=True).T
    return out[0] if single else out


def ratio_multipliers(total_effects, direct) -> np.ndarray:
    """Type I/II ratio multipliers ``effect_j / h_j`` (Miller & Blair 2009, eq. 6.13–6.16).

    E.g. the Type I income multiplier ``Σ_i h_i l_ij / h_j``. Where the direct coefficient is 0
    (no employees, no output) the multiplier is reported as 0, as the Scottish Government does.

    Parameters
    ----------
    total_effects : array_like, shape (n,) or (k, n)
    direct : array_like, same shape
    """
    return _safe_div(total_effects, direct)


# --------------------------------------------------------------------------------------------
# Type II: households endogenous
# --------------------------------------------------------------------------------------------


def close_households(A, labour_coefficients, consumption, household_income: float) -> np.ndarray:
    """Coefficient matrix closed with respect to households (Miller & Blair 2009, §2.5, eq. 2.21).

    ::

        Ā = | A    h_c |
            | h_r  0   |

    with the household row ``h_r,j = CoE_j / x_j`` (labour income per unit of output) and the
    household column ``h_c,i = C_i / household_income`` (household consumption of product ``i``
    per unit of household income). The household–household cell is 0.

    Parameters
    ----------
    A : array_like, shape (n, n)
    labour_coefficients : array_like, shape (n,)
        Compensation of employees per unit of output.
    consumption : array_like, shape (n,)
        Household final consumption by sector (money).
    household_income : float
        The divisor of the consumption column — total household income (money). An explicit
        input: the Scottish Government uses £156,241m for 2019 and £143,398m for 2016, not the
        sum of compensation of employees.

    Returns
    -------
    ndarray, shape (n + 1, n + 1)

    Raises
    ------
    IOTableError
        If ``household_income`` is not positive.
    """
    A = _square(A, "A")
    n = A.shape[0]
    if not np.isfinite(household_income) or household_income <= 0:
        raise IOTableError(f"household income (divisor of the consumption column) must be > 0; got {household_income!r}")
    hr = np.asarray(labour_coefficients, dtype=float).reshape(-1)
    c = np.asarray(consumption, dtype=float).reshape(-1)
    if hr.shape[0] != n or c.shape[0] != n:
        raise IOTableError(f"household row has {hr.shape[0]} and household column {c.shape[0]} entries; expected {n}")
    Ab = np.zeros((n + 1, n + 1))
    Ab[:n, :n] = A
    Ab[n, :n] = hr
    Ab[:n, n] = c / household_income
    return Ab


def type_ii_system(A, labour_coefficients, consumption, household_income: float) -> LeontiefLU:
    """Factorise ``Ī − Ā`` of the household-closed model (Miller & Blair 2009, eq. 2.22).

    Type II multipliers are then column sums over the first ``n`` rows of
    ``L̄ = (Ī − Ā)^-1`` (eq. 6.4) and ratio multipliers use ``L̄``'s n × n block (eq. 6.15).
    """
    return factorise(close_households(A, labour_coefficients, consumption, household_income), overwrite=True)


@dataclass(frozen=True)
class ClosedLU:
    """The household-closed Leontief matrix ``Ī − Ā`` solved through the LU of ``I − A``.

    ``Ī − Ā = [[I − A, −h_c], [−h_r, 1]]`` (Miller & Blair 2009, eq. 2.21–2.22) is a bordered
    matrix: one row and one column added to ``I − A``. Its systems are solved by block
    elimination with the factorisation of ``I − A`` and the scalar Schur complement
    ``s = 1 − h_r (I − A)⁻¹ h_c`` — Miyazawa's (1976) partitioned inverse, in which
    ``k = 1/s`` is the "interrelational income multiplier" (Miyazawa 1976, *Input-Output Analysis and the Structure
    of Income Distribution*; Miller & Blair 2009, ch. 6, "Miyazawa multipliers"):

    ``L̄ = [[L + L h_c k h_r L, L h_c k], [k h_r L, k]]``.

    So Type II multipliers and impacts cost one factorisation (that of Type I) plus two extra
    O(n²) solves (``g = L h_c`` and ``w = Lᵀ h_rᵀ``) — no second n³ factorisation and no dense
    inverse.

    Attributes
    ----------
    base : LeontiefLU
        Factorisation of ``I − A`` (n × n).
    hr : ndarray, shape (n,)
        Household row: labour income per unit of output (money/money).
    hc : ndarray, shape (n,)
        Household column: household consumption of each product per unit of household income.
    g, w : ndarray, shape (n,)
        ``(I − A)⁻¹ h_c`` and ``(I − A)⁻ᵀ h_rᵀ``.
    schur : float
        ``s = 1 − h_r (I − A)⁻¹ h_c`` (> 0 for a productive closed economy).
    """

    base: LeontiefLU
    hr: np.ndarray
    hc: np.ndarray
    g: np.ndarray
    w: np.ndarray
    schur: float

    @property
    def n(self) -> int:
        """Size of the closed system (sectors + households)."""
        return self.base.n + 1

    def solve(self, rhs, *, transpose: bool = False, top_solution: np.ndarray | None = None) -> np.ndarray:
        """Solve ``(Ī − Ā) z = b`` (or the transposed system); ``rhs`` has n + 1 rows.

        ``top_solution``: the solution of ``(I − A) x = b_top`` (transposed likewise) when it is
        already known (Type I effects), so that Type II costs no further solve.
        """
        b = np.asarray(rhs, dtype=float)
        m = self.base.n
        if b.shape[0] != m + 1:
            raise IOTableError(f"right-hand side has {b.shape[0]} rows; the closed system has {m + 1}")
        top, last = b[:m], b[m]
        # (I − A) x − h_c z = b_top, −h_r x + z = β   (transposed: h_r and h_c swap roles)
        x = solve(self.base, top, transpose=transpose) if top_solution is None else np.array(top_solution, dtype=float)
        vec, other = (self.hc, self.w) if transpose else (self.hr, self.g)
        z = (last + vec @ x) / self.schur
        x += np.multiply.outer(other, z) if x.ndim == 2 else other * z
        out = np.empty_like(b)
        out[:m] = x
        out[m] = z
        return out


def closed_lu(lu: LeontiefLU, labour_coefficients, consumption, household_income: float, *,
              labour_effects: np.ndarray | None = None) -> ClosedLU:
    """Type II (households closed) system on top of the Type I factorisation (Miyazawa 1976).

    Same matrix as :func:`close_households` — household row ``h_r,j = CoE_j / x_j``, household
    column ``h_c,i = C_i / household_income`` — solved through :class:`ClosedLU` (block
    elimination with the LU of ``I − A``; Miller & Blair 2009, ch. 6, Miyazawa multipliers).

    Parameters
    ----------
    lu : LeontiefLU
        Factorisation of ``I − A``.
    labour_coefficients : array_like, shape (n,)
        Compensation of employees per unit of output (money/money).
    consumption : array_like, shape (n,)
        Household final consumption by sector (money).
    household_income : float
        Divisor of the consumption column (money, > 0).
    labour_effects : array_like, shape (n,), optional
        ``(I − A)⁻ᵀ h_rᵀ`` (the Type I income effects) when already computed.

    Raises
    ------
    IOTableError
        Non-positive household income, wrong vector lengths, or a closed system that is
        singular or not productive (``s = 1 − h_r L h_c ≤ 0``).
    """
    n = lu.n
    if not np.isfinite(household_income) or household_income <= 0:
        raise IOTableError(f"household income (divisor of the consumption column) must be > 0; got {household_income!r}")
    hr = np.asarray(labour_coefficients, dtype=float).reshape(-1)
    c = np.asarray(consumption, dtype=float).reshape(-1)
    if hr.shape[0] != n or c.shape[0] != n:
        raise IOTableError(f"household row has {hr.shape[0]} and household column {c.shape[0]} entries; expected {n}")
    hc = c / household_income
    g = solve(lu, hc)
    w = solve(lu, hr, transpose=True) if labour_effects is None else np.asarray(labour_effects, dtype=float)
    s = 1.0 - float(hr @ g)
    if not np.isfinite(s) or s <= np.finfo(float).eps * n:
        raise IOTableError(
            f"the household-closed system is not productive: 1 − (labour coefficients)·L·(consumption/income) = {s:.3g} "
            "(households would spend more than they earn per round; check the household income)"
        )
    return ClosedLU(lu, hr, hc, g, w, s)


# --------------------------------------------------------------------------------------------
# Impacts
# --------------------------------------------------------------------------------------------


def impact(lu: LeontiefLU, delta_y) -> np.ndarray:
    """Output change for final-demand changes, ``Δx = L Δy`` (Miller & Blair 2009, eq. 2.11).

    Solved as ``(I − A) Δx = Δy`` with one factorisation for all scenarios (columns).

    Parameters
    ----------
    lu : LeontiefLU
    delta_y : array_like, shape (n,) or (n, s)
        Change of final demand (money), one column per scenario.

    Returns
    -------
    ndarray, shape like ``delta_y``
        Change of output (money).
    """
    dy = np.asarray(delta_y, dtype=float)
    if dy.shape[0] != lu.n:
        raise IOTableError(f"final-demand change has {dy.shape[0]} rows; the table has {lu.n} sectors")
    return solve(lu, dy)


# --------------------------------------------------------------------------------------------
# Supply side, linkages, extraction
# --------------------------------------------------------------------------------------------


def calc_B(Z, x) -> np.ndarray:
    """Ghosh allocation coefficients ``B = x̂^-1 Z``, ``b_ij = z_ij / x_i`` (Miller & Blair 2009, eq. 12.7).

    Returns
    -------
    ndarray, shape (n, n)
        Share of sector ``i``'s output sold to sector ``j``.
    """
    Z = np.asarray(Z, dtype=float)
    x = np.asarray(x, dtype=float).reshape(-1)
    return _safe_div(Z, x[:, np.newaxis])


def calc_G(B) -> np.ndarray:
    """The Ghosh inverse ``G = (I − B)^-1`` (Miller & Blair 2009, eq. 12.9).

    ``xᵀ = vᵀ G``: output driven by primary inputs ``v``. Dense (the matrix is the result).
    """
    return calc_L(B)


def rasmussen_hirschman(L, G=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rasmussen–Hirschman backward and forward linkage indices and key sectors.

    ``BL_j = n Σ_i l_ij / Σ_ij l_ij`` (power of dispersion) and
    ``FL_i = n Σ_j g_ij / Σ_ij g_ij`` (sensitivity of dispersion, from the Ghosh inverse; with
    ``G = None`` the row sums of ``L`` are used, Rasmussen's original). Key sectors have both
    indices above 1. Miller & Blair (2009), §12.2.1–12.2.3.

    Parameters
    ----------
    L : array_like, shape (n, n)
    G : array_like, shape (n, n), optional

    Returns
    -------
    backward, forward : ndarray, shape (n,)
        Dimensionless indices (mean 1).
    key : ndarray of bool, shape (n,)
    """
    L = np.asarray(L, dtype=float)
    n = L.shape[0]
    bl = n * L.sum(axis=0) / L.sum()
    M = L if G is None else np.asarray(G, dtype=float)
    fl = n * M.sum(axis=1) / M.sum()
    return bl, fl, (bl > 1) & (fl > 1)


def hypothetical_extraction(A, y, k) -> tuple[np.ndarray, np.ndarray]:
    """Hypothetical extraction of sector(s) ``k`` (Miller & Blair 2009, §12.2.5, eq. 12.19–12.21).

    Rows and columns ``k`` of ``A`` and entries ``k`` of ``y`` are removed and output is
    recomputed: ``x̄ = (I − Ā)^-1 ȳ``. The loss is ``T = iᵀx − iᵀx̄`` (total, including the
    extracted sector's own output) and, sector by sector, ``x_i − x̄_i``.

    Parameters
    ----------
    A : array_like, shape (n, n)
    y : array_like, shape (n,)
        Final demand (money).
    k : int or sequence of int
        Index(es) of the sector(s) to extract.

    Returns
    -------
    loss_total : ndarray, shape ()
        Total output lost (money).
    loss_by_sector : ndarray, shape (n,)
        Output lost in each sector (money); for extracted sectors, their whole output.
    """
    A = _square(A, "A")
    y = np.asarray(y, dtype=float).reshape(-1)
    n = A.shape[0]
    ks = np.atleast_1d(np.asarray(k, dtype=int))
    x = solve(factorise(A), y)
    keep = np.setdiff1d(np.arange(n), ks)
    xbar = np.zeros(n)
    xbar[keep] = solve(factorise(A[np.ix_(keep, keep)]), y[keep])
    loss = x - xbar
    return np.asarray(loss.sum()), loss

