"""Interoperability with pymrio (``pymrio.IOSystem``, pymrio ≥ 0.5).

pymrio reads the big multi-regional databases (EXIOBASE, WIOD, OECD ICIO, Eora); klaster adds
what pymrio lacks (Type II closure, LQ regionalisation, cluster templates). Sectors are the
``(region, sector)`` MultiIndex of pymrio; a single-region system maps 1:1 to an
:class:`IOTable`, a multi-region one is read as one big table labelled ``"region|sector"``.

The satellite accounts travel in a pymrio extension called ``factor_inputs`` with rows
``compensation``, ``gva`` and ``employment`` (as present).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .core import IOTableError
from .system import IOTable

_ACCOUNTS = ("compensation", "gva", "employment")


def to_pymrio(table: IOTable, *, region: str = "region"):
    """Export an :class:`IOTable` to a single-region :class:`pymrio.IOSystem`.

    ``Z``, ``Y`` (final demand, one column per category; a zero column ``final demand`` if the
    table has none), ``x`` and ``A`` are set; ``L`` is left to pymrio's ``calc_all``.

    Parameters
    ----------
    table : IOTable
    region : str
        Region name of the MultiIndex.

    Returns
    -------
    pymrio.IOSystem
    """
    import pymrio

    idx = pd.MultiIndex.from_product([[region], table.labels], names=["region", "sector"])
    Z = pd.DataFrame(table._flows(), index=idx, columns=idx)
    if table.final_demand is not None:
        cats = list(table.final_demand.columns)
        Yv = table.final_demand.to_numpy()
    else:
        cats = ["final demand"]
        Yv = (table.x.to_numpy() - table.A.to_numpy() @ table.x.to_numpy()).reshape(-1, 1)
    Y = pd.DataFrame(Yv, index=idx, columns=pd.MultiIndex.from_product([[region], cats], names=["region", "category"]))
    x = pd.DataFrame(table.x.to_numpy(), index=idx, columns=["indout"])
    A = pd.DataFrame(table.A.to_numpy(), index=idx, columns=idx)
    ext = {}
    rows = {k: getattr(table, k) for k in _ACCOUNTS if getattr(table, k) is not None}
    if rows:
        F = pd.DataFrame({k: v.to_numpy() for k, v in rows.items()}, index=idx).T
        F.index.name = "stressor"
        unit = pd.DataFrame({"unit": [("persons" if k == "employment" else table.unit) for k in F.index]}, index=F.index)
        ext["factor_inputs"] = {"name": "factor_inputs", "F": F, "unit": unit}
    io = pymrio.IOSystem(Z=Z, Y=Y, x=x, A=A, name="klaster", system="ixi",
                         unit=pd.DataFrame({"unit": [table.unit] * len(idx)}, index=idx), **ext)
    io.household_income = table.household_income
    return io


def from_pymrio(io, *, household_category: str | None = None, household_income: float | None = None,
                check: bool = False, unit: str | None = None) -> IOTable:
    """Build an :class:`IOTable` from a :class:`pymrio.IOSystem`.

    Uses ``Z`` if present (else ``A`` and ``x``), ``Y`` as final demand, and an extension
    ``factor_inputs`` (rows ``compensation``, ``gva``, ``employment``) if present.

    Parameters
    ----------
    io : pymrio.IOSystem
    household_category : str, optional
        Final-demand category of household consumption (for Type II), e.g.
        ``"Final consumption expenditure by households"`` in EXIOBASE.
    household_income : float, optional
        Type II divisor (money).

    Raises
    ------
    IOTableError
        If the system has neither ``Z`` nor ``A`` and ``x``.
    """
    if io.Z is None and (io.A is None or io.x is None):
        raise IOTableError("pymrio system has neither Z nor A and x; call calc_system() first or provide flows")
    ref = io.Z if io.Z is not None else io.A
    idx = ref.index
    regions = idx.get_level_values(0).unique() if isinstance(idx, pd.MultiIndex) else [None]
    if isinstance(idx, pd.MultiIndex) and len(regions) == 1:
        labels = [str(s) for s in idx.get_level_values(-1)]
    elif isinstance(idx, pd.MultiIndex):
        labels = ["|".join(map(str, t)) for t in idx]
    else:
        labels = [str(s) for s in idx]
    Y = io.Y
    fd = None
    hh = None
    if Y is not None:
        if isinstance(Y.columns, pd.MultiIndex):
            Yc = Y.T.groupby(level=-1, sort=False).sum().T
        else:
            Yc = Y
        fd = pd.DataFrame(Yc.to_numpy(dtype=float), index=labels, columns=[str(c) for c in Yc.columns])
        if household_category is not None:
            if household_category not in fd.columns:
                raise IOTableError(f"final-demand category {household_category!r} not in the pymrio system ({', '.join(fd.columns)})")
            hh = fd[household_category].to_numpy()
    accounts = {}
    ext = getattr(io, "factor_inputs", None)
    if ext is not None and getattr(ext, "F", None) is not None:
        for k in _ACCOUNTS:
            if k in ext.F.index:
                accounts[k] = ext.F.loc[k].to_numpy(dtype=float)
    hi = household_income if household_income is not None else getattr(io, "household_income", None)
    u = unit or "money"
    if io.Z is not None:
        x = io.x.to_numpy(dtype=float).reshape(-1) if io.x is not None else None
        if x is None and fd is None:
            raise IOTableError("pymrio system has Z but neither x nor Y")
        return IOTable.from_flows(np.asarray(io.Z, dtype=float), x, final_demand=fd, labels=labels, household_consumption=hh,
                                  household_income=hi, check=check, unit=u, **accounts)
    return IOTable.from_coefficients(np.asarray(io.A, dtype=float), io.x.to_numpy(dtype=float).reshape(-1), labels=labels,
                                     final_demand=fd, household_consumption=hh, household_income=hi, check=check, unit=u,
                                     **accounts)
