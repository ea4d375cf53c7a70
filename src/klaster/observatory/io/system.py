"""A labelled input-output table that orchestrates the pure functions of :mod:`.core`.

:class:`IOTable` keeps the sector labels and the satellite accounts (compensation of employees,
GVA, employment, household consumption) and caches one LU factorisation of ``I − A``; Type II
(households closed) is solved through that same factorisation by block elimination
(:class:`~klaster.observatory.io.core.ClosedLU`, Miyazawa 1976). The mathematics lives in
:mod:`klaster.observatory.io.core`; this class does no per-sector Python work (labels are
matched with one index lookup, numbers stay in numpy arrays).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from . import core
from .core import IOTableError

ACCOUNTS = ("income", "employment", "gva")
_ACCOUNT_TITLES = {"income": "Income", "employment": "Employment", "gva": "GVA"}


def _series(v, labels: Sequence[str], name: str) -> pd.Series | None:
    if v is None:
        return None
    if isinstance(v, pd.Series):
        s = v.set_axis([str(i) for i in v.index])
        if set(labels) <= set(s.index):
            s = s.reindex(list(labels))
        arr = s.to_numpy(dtype=float)
    else:
        arr = np.asarray(v, dtype=float).reshape(-1)
    if arr.shape[0] != len(labels):
        raise IOTableError(f"{name} has {arr.shape[0]} entries; the table has {len(labels)} sectors")
    return pd.Series(arr, index=list(labels), name=name)


@dataclass
class IOTable:
    """An industry-by-industry input-output table with sector labels.

    Build it with :meth:`from_flows` or :meth:`from_coefficients`. All money values share one
    unit (e.g. £m, mln tenge); employment is in persons (or FTE).

    Attributes
    ----------
    A : DataFrame, shape (n, n)
        Technical coefficients, rows and columns labelled by sector.
    x : Series, shape (n,)
        Total output (money).
    Z : DataFrame, shape (n, n) or None
        Inter-industry flows (money).
    final_demand : DataFrame, shape (n, k) or None
        Final-demand categories (money).
    compensation, gva, employment : Series, shape (n,) or None
        Compensation of employees (money), gross value added (money), employment (persons).
    household_consumption : Series, shape (n,) or None
        Household final consumption by sector (money), the Type II household column.
    household_income : float or None
        Total household income (money), the divisor of the household column (Type II).
    unit : str
        Money unit, used in reports.
    """

    A: pd.DataFrame
    x: pd.Series
    Z: pd.DataFrame | None = None
    final_demand: pd.DataFrame | None = None
    compensation: pd.Series | None = None
    gva: pd.Series | None = None
    employment: pd.Series | None = None
    household_consumption: pd.Series | None = None
    household_income: float | None = None
    unit: str = "money"
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_flows(
        cls,
        Z,
        x=None,
        *,
        final_demand=None,
        compensation=None,
        gva=None,
        employment=None,
        household_consumption=None,
        household_income: float | None = None,
        labels: Sequence[str] | None = None,
        primary_inputs=None,
        check: bool = True,
        rtol: float = 1e-6,
        atol: float = 1e-6,
        unit: str = "money",
    ) -> "IOTable":
        """Build from flows: ``A = Z x̂^-1`` (Miller & Blair 2009, eq. 2.4).

        Parameters
        ----------
        Z : DataFrame or array_like, shape (n, n)
            Flows (money); a DataFrame's index gives the labels.
        x : array_like, shape (n,), optional
            Total output; if omitted, ``x = Z i + Y i`` from ``final_demand`` (eq. 2.2).
        final_demand : DataFrame or array_like, shape (n, k), optional
        compensation, gva, employment, household_consumption : array_like, shape (n,), optional
        household_income : float, optional
            Divisor of the Type II household column (money).
        labels : sequence of str, optional
        primary_inputs : array_like, shape (r, n), optional
            All primary-input rows (imports, taxes, value added); if given, column balances
            are checked too.
        check : bool
            Check balance and non-negativity (:func:`core.check_balance`).

        Raises
        ------
        IOTableError
            For malformed or unbalanced tables, naming the row/column and the imbalance.
        """
        if labels is None:
            labels = list(map(str, Z.index)) if isinstance(Z, pd.DataFrame) else None
        Zm = np.asarray(Z, dtype=float)
        n = Zm.shape[0] if Zm.ndim == 2 else 0
        labels = [str(v) for v in labels] if labels is not None else [str(i + 1) for i in range(n)]
        if isinstance(Z, pd.DataFrame) and [str(c) for c in Z.columns] != labels:
            raise IOTableError("Z: column labels differ from row labels (an industry-by-industry table is required)")
        if len(set(labels)) != len(labels):
            dup = pd.Index(labels)[pd.Index(labels).duplicated()][0]
            raise IOTableError(f"duplicate sector label {dup!r}")
        fd = None
        if final_demand is not None:
            fd = final_demand if isinstance(final_demand, pd.DataFrame) else pd.DataFrame(np.asarray(final_demand, dtype=float).reshape(n, -1))
            fd = pd.DataFrame(fd.to_numpy(dtype=float), index=labels, columns=[str(c) for c in fd.columns])
        if x is None:
            if fd is None:
                raise IOTableError("total output is needed: give x or final demand")
            xv = core.calc_x(Zm, fd.to_numpy())
        else:
            xv = np.asarray(x, dtype=float).reshape(-1)
        if check:
            core.check_balance(
                Zm, xv, final_demand=None if (fd is None or x is None) else fd.to_numpy(),
                inputs=primary_inputs, labels=labels, rtol=rtol, atol=atol,
            )
        A = core.calc_A(Zm, xv)
        idx = pd.Index(labels)
        return cls(
            A=pd.DataFrame(A, index=idx, columns=idx, copy=False),
            x=pd.Series(xv, index=idx, name="output", copy=False),
            Z=pd.DataFrame(Zm, index=idx, columns=idx, copy=False),
            final_demand=fd,
            compensation=_series(compensation, labels, "compensation"),
            gva=_series(gva, labels, "gva"),
            employment=_series(employment, labels, "employment"),
            household_consumption=_series(household_consumption, labels, "household_consumption"),
            household_income=household_income,
            unit=unit,
        )

    @classmethod
    def from_coefficients(
        cls,
        A,
        x=None,
        *,
        labels: Sequence[str] | None = None,
        final_demand=None,
        compensation=None,
        gva=None,
        employment=None,
        household_consumption=None,
        household_income: float | None = None,
        check: bool = True,
        unit: str = "money",
    ) -> "IOTable":
        """Build from technical coefficients (output ``x`` optional; without it the satellite
        accounts must be given per unit of output and flows are not available).

        Raises
        ------
        IOTableError
            If ``A`` is not a productive coefficient matrix (:func:`core.check_coefficients`).
        """
        if labels is None:
            labels = list(map(str, A.index)) if isinstance(A, pd.DataFrame) else None
        Am = np.asarray(A, dtype=float)
        n = Am.shape[0]
        labels = [str(v) for v in labels] if labels is not None else [str(i + 1) for i in range(n)]
        if check:
            core.check_coefficients(Am, labels=labels)
        xv = np.ones(n) if x is None else np.asarray(x, dtype=float).reshape(-1)
        t = cls(
            A=pd.DataFrame(Am, index=labels, columns=labels),
            x=pd.Series(xv, index=labels, name="output"),
            Z=None if x is None else pd.DataFrame(core.calc_Z(Am, xv), index=labels, columns=labels),
            final_demand=None if final_demand is None else pd.DataFrame(np.asarray(final_demand, dtype=float).reshape(n, -1), index=labels,
                                                                        columns=[str(c) for c in getattr(final_demand, "columns", range(np.asarray(final_demand).reshape(n, -1).shape[1]))]),
            compensation=_series(compensation, labels, "compensation"),
            gva=_series(gva, labels, "gva"),
            employment=_series(employment, labels, "employment"),
            household_consumption=_series(household_consumption, labels, "household_consumption"),
            household_income=household_income,
            unit=unit,
        )
        return t

    # ---------------------------------------------------------------- basics
    @property
    def labels(self) -> list[str]:
        """Sector labels."""
        return list(self.A.index)

    @property
    def n(self) -> int:
        """Number of sectors."""
        return self.A.shape[0]

    @property
    def lu(self) -> core.LeontiefLU:
        """Cached LU factorisation of ``I − A``."""
        if "lu" not in self._cache:
            self._cache["lu"] = core.factorise(self.A.to_numpy())
        return self._cache["lu"]

    @property
    def L(self) -> pd.DataFrame:
        """Type I Leontief inverse ``(I − A)^-1`` (dense, cached)."""
        if "L" not in self._cache:
            self._cache["L"] = pd.DataFrame(core.calc_L(lu=self.lu), index=self.A.index, columns=self.A.columns, copy=False)
        return self._cache["L"]

    def coefficients(self) -> pd.DataFrame:
        """Direct coefficients per unit of output (rows: income, employment, gva; columns: sectors)."""
        rows = {}
        for acc, s in (("income", self.compensation), ("employment", self.employment), ("gva", self.gva)):
            if s is not None:
                rows[acc] = core.direct_coefficients(s.to_numpy(), self.x.to_numpy())
        return pd.DataFrame(rows, index=self.labels).T

    # ---------------------------------------------------------------- Type II
    def _household_income(self, household_income: float | None) -> float:
        hi = household_income if household_income is not None else self.household_income
        if hi is None:
            raise IOTableError("Type II needs the household income (divisor of the household consumption column)")
        if self.compensation is None or self.household_consumption is None:
            raise IOTableError("Type II needs compensation of employees and household consumption")
        return float(hi)

    def A_type_ii(self, household_income: float | None = None) -> pd.DataFrame:
        """Coefficients closed for households, ``Ā`` ((n+1) × (n+1)), last row/column ``HH`` (dense, for display)."""
        hi = self._household_income(household_income)
        Ab = core.close_households(
            self.A.to_numpy(),
            core.direct_coefficients(self.compensation.to_numpy(), self.x.to_numpy()),
            self.household_consumption.to_numpy(),
            hi,
        )
        lab = self.labels + ["HH"]
        return pd.DataFrame(Ab, index=lab, columns=lab, copy=False)

    def lu_type_ii(self, household_income: float | None = None) -> core.ClosedLU:
        """Type II system ``Ī − Ā`` solved through the Type I LU (cached; :func:`core.closed_lu`).

        Costs two O(n²) solves on top of :attr:`lu` — no second factorisation.
        """
        hi = self._household_income(household_income)
        key = ("closed", hi)
        if key not in self._cache:
            hr = core.direct_coefficients(self.compensation.to_numpy(), self.x.to_numpy())
            eff = self._cache.get("effects_I")
            w = eff[1][list(eff[0]).index("income") + 1] if eff is not None and "income" in eff[0] else None
            self._cache[key] = core.closed_lu(self.lu, hr, self.household_consumption.to_numpy(), hi, labour_effects=w)
        return self._cache[key]

    def L_type_ii(self, household_income: float | None = None) -> pd.DataFrame:
        """Type II Leontief inverse ``(Ī − Ā)^-1`` ((n+1) × (n+1), dense: only when the matrix is wanted)."""
        lu = self.lu_type_ii(household_income)
        lab = self.labels + ["HH"]
        return pd.DataFrame(core.calc_L(lu=lu), index=lab, columns=lab, copy=False)

    # ---------------------------------------------------------------- multipliers
    def multipliers(self, type: str = "I", *, household_income: float | None = None) -> pd.DataFrame:
        """Output multipliers and the income, employment and GVA effects and multipliers.

        Type I uses ``L``; Type II uses the household-closed ``L̄`` (Miller & Blair 2009,
        §6.2): output multiplier ``Σ_{i≤n} l̄_ij`` (eq. 6.1, 6.4); effect ``Σ_i h_i l_ij``
        (eq. 6.7); multiplier ``effect_j / h_j`` (eq. 6.13–6.16, 0 where ``h_j = 0``).

        Every column sum is a solve with ``(I − A)ᵀ`` (one multi-right-hand-side solve for the
        output multipliers and all accounts), never a dense inverse; Type II uses the same LU
        through :class:`~klaster.observatory.io.core.ClosedLU`.

        Parameters
        ----------
        type : {"I", "II"}
        household_income : float, optional
            Overrides :attr:`household_income` for Type II.

        Returns
        -------
        DataFrame, index sectors, columns
            ``Output multiplier`` (money per money of final demand), and for each account
            present: ``Income effect`` (money per money), ``Income multiplier`` (ratio),
            ``Employment effect`` (persons per money unit), ``Employment multiplier``,
            ``GVA effect``, ``GVA multiplier``.
        """
        if type not in ("I", "II"):
            raise ValueError(f"type must be 'I' or 'II'; got {type!r}")
        H = self.coefficients()
        n = self.n
        rhs = np.vstack([np.ones(n)] + [H.loc[a].to_numpy() for a in H.index])
        # Type I effects (one transposed multi-RHS solve), kept: Type II reuses them
        eff = self._cache.get("effects_I")
        if eff is None or list(eff[0]) != list(H.index):
            eff = (tuple(H.index), core.effects(self.lu, rhs))
            self._cache["effects_I"] = eff
        if type == "I":
            res = eff[1]
        else:
            lu = self.lu_type_ii(household_income)
            full = np.hstack([rhs, np.zeros((rhs.shape[0], 1))])
            res = lu.solve(full.T, transpose=True, top_solution=eff[1].T).T[:, :n]
        out = {"Output multiplier": res[0]}
        for k, acc in enumerate(H.index, start=1):
            t = _ACCOUNT_TITLES[acc]
            out[f"{t} effect"] = res[k]
            out[f"{t} multiplier"] = core.ratio_multipliers(res[k], H.loc[acc].to_numpy())
        return pd.DataFrame(out, index=self.A.index)

    # ---------------------------------------------------------------- impacts
    def impact(self, delta_y, *, type: str = "I", household_income: float | None = None) -> pd.DataFrame:
        """Output change for one or many final-demand scenarios, ``Δx = L Δy`` (eq. 2.11).

        One LU factorisation serves every scenario.

        Parameters
        ----------
        delta_y : Series, DataFrame or array_like, shape (n,) or (n, s)
            Change of final demand (money), sectors in rows, one column per scenario.
        type : {"I", "II"}
            Type II adds induced household effects (households closed).

        Returns
        -------
        DataFrame, shape (n, s)
            Change of output (money) by sector and scenario.
        """
        if isinstance(delta_y, pd.Series):
            delta_y = delta_y.to_frame()
        if isinstance(delta_y, pd.DataFrame):
            rows = pd.Index([str(i) for i in delta_y.index])
            pos = self.A.index.get_indexer(rows)
            if (pos < 0).any():
                raise IOTableError(f"final-demand change names unknown sector {rows[int(np.flatnonzero(pos < 0)[0])]!r}")
            if rows.has_duplicates:
                raise IOTableError(f"final-demand change lists sector {rows[rows.duplicated()][0]!r} twice")
            cols = [str(c) for c in delta_y.columns]
            dyv = np.zeros((self.n, len(cols)))
            dyv[pos] = np.nan_to_num(delta_y.to_numpy(dtype=float), nan=0.0)
        else:
            dyv = np.asarray(delta_y, dtype=float).reshape(self.n, -1)
            cols = [f"scenario {k + 1}" for k in range(dyv.shape[1])]
        if type == "I":
            dx = core.impact(self.lu, dyv)
        elif type == "II":
            dx = core.impact(self.lu_type_ii(household_income), np.vstack([dyv, np.zeros((1, dyv.shape[1]))]))[: self.n]
        else:
            raise ValueError(f"type must be 'I' or 'II'; got {type!r}")
        return pd.DataFrame(dx, index=self.A.index, columns=cols, copy=False)

    def impact_summary(self, delta_x: pd.DataFrame) -> pd.DataFrame:
        """Totals of an impact: output, and income, employment and GVA via the direct coefficients.

        Returns
        -------
        DataFrame, index scenarios, columns ``output`` (money), and ``income``, ``gva`` (money),
        ``employment`` (persons) where the accounts exist.
        """
        H = self.coefficients()
        out = {"output": delta_x.sum(axis=0)}
        for acc in H.index:
            out[acc] = H.loc[acc].to_numpy() @ delta_x.to_numpy()
        return pd.DataFrame(out, index=delta_x.columns)

    # ---------------------------------------------------------------- supply side and linkages
    def ghosh(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Ghosh ``B = x̂^-1 Z`` and ``G = (I − B)^-1`` (Miller & Blair 2009, eq. 12.7, 12.9)."""
        Z = self._flows()
        B = core.calc_B(Z, self.x.to_numpy())
        lab = self.labels
        return pd.DataFrame(B, index=lab, columns=lab), pd.DataFrame(core.calc_G(B), index=lab, columns=lab)

    def linkages(self) -> pd.DataFrame:
        """Rasmussen–Hirschman backward (from ``L``) and forward (from Ghosh ``G``) linkages.

        Returns
        -------
        DataFrame with columns ``backward``, ``forward`` (indices, mean 1) and ``key`` (bool).
        """
        G = self.ghosh()[1].to_numpy() if self.Z is not None else None
        bl, fl, key = core.rasmussen_hirschman(self.L.to_numpy(), G)
        return pd.DataFrame({"backward": bl, "forward": fl, "key": key}, index=self.labels)

    def extraction(self, sectors: Sequence[str] | str | None = None) -> pd.DataFrame:
        """Hypothetical extraction (Miller & Blair 2009, §12.2.5) of each sector in turn.

        Uses total final demand (``final_demand`` summed, or ``(I − A) x``).

        Returns
        -------
        DataFrame, index extracted sector, columns ``output_loss`` (money) and
        ``loss_share`` (of total output) and ``backward_loss`` (loss outside the sector).
        """
        y = self.final_demand.sum(axis=1).to_numpy() if self.final_demand is not None else (
            self.x.to_numpy() - self.A.to_numpy() @ self.x.to_numpy()
        )
        if sectors is None:
            sectors = self.labels
        elif isinstance(sectors, str):
            sectors = [sectors]
        rows = []
        idx = {s: i for i, s in enumerate(self.labels)}
        total = float(core.solve(self.lu, y).sum())
        for s in sectors:
            if s not in idx:
                raise IOTableError(f"unknown sector {s!r}")
            tot, by = core.hypothetical_extraction(self.A.to_numpy(), y, idx[s])
            rows.append({"sector": s, "output_loss": float(tot), "loss_share": float(tot) / total,
                         "loss_in_other_sectors": float(tot - by[idx[s]])})
        return pd.DataFrame(rows).set_index("sector")

    # ---------------------------------------------------------------- aggregation
    def _flows(self) -> np.ndarray:
        if self.Z is not None:
            return self.Z.to_numpy()
        return core.calc_Z(self.A.to_numpy(), self.x.to_numpy())

    def aggregate(self, mapping: Mapping[str, str], *, order: Sequence[str] | None = None) -> "IOTable":
        """Aggregate sectors into groups (flows and accounts are summed; coefficients recomputed).

        Parameters
        ----------
        mapping : dict sector → group
            Every sector must be mapped.
        order : sequence of str, optional
            Order of the groups (default: first appearance).
        """
        missing = [s for s in self.labels if s not in mapping]
        if missing:
            raise IOTableError(f"aggregation: sector {missing[0]!r} has no group ({len(missing)} unmapped)")
        groups = list(order) if order is not None else list(dict.fromkeys(mapping[s] for s in self.labels))
        gi = {g: k for k, g in enumerate(groups)}
        S = np.zeros((len(groups), self.n))
        for j, s in enumerate(self.labels):
            S[gi[mapping[s]], j] = 1.0
        Z = S @ self._flows() @ S.T

        def agg(s):
            return None if s is None else S @ s.to_numpy()

        return IOTable.from_flows(
            pd.DataFrame(Z, index=groups, columns=groups), S @ self.x.to_numpy(),
            final_demand=None if self.final_demand is None else pd.DataFrame(S @ self.final_demand.to_numpy(), index=groups,
                                                                             columns=self.final_demand.columns),
            compensation=agg(self.compensation), gva=agg(self.gva), employment=agg(self.employment),
            household_consumption=agg(self.household_consumption), household_income=self.household_income,
            check=False, unit=self.unit,
        )

    # ---------------------------------------------------------------- pymrio
    def to_pymrio(self, region: str = "region"):
        """Export to a :class:`pymrio.IOSystem` (see :func:`klaster.observatory.io.interop.to_pymrio`)."""
        from .interop import to_pymrio

        return to_pymrio(self, region=region)

    @classmethod
    def from_pymrio(cls, io, **kwargs) -> "IOTable":
        """Import from a :class:`pymrio.IOSystem` (see :func:`klaster.observatory.io.interop.from_pymrio`)."""
        from .interop import from_pymrio

        return from_pymrio(io, **kwargs)
