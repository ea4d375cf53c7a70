"""Loaders for the official and textbook input-output tables of the data manifest (``io/…``).

Each loader reads through :func:`klaster.datasets.path` and returns an :class:`IOTable` built by
the same code a user's table goes through; ``published_*`` loaders return the official results
the validation compares with. Conventions (see ``docs/io.md``):

- Scottish Government IO tables (2019, 2016): 98 industries, Scottish domestic flows at basic
  prices, £m; ``A = Z / TOut``; Type II closes households with ``CoE_j / TOut_j`` and household
  final consumption divided by total household income (£156,241m in 2019, £143,398m in 2016);
  employment is the FTE implied by the published effects.
- ONS UK 2019: 105 industries, domestic use at basic prices, £m; ``A = Z / P1``.
- Eurostat (Beutel) Germany 1995, UN Netherlands 2000, ABS 5246.0 Australia 1989-90.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from klaster import datasets

from .system import IOTable

#: Total household income (£m) used by the Scottish Government as the Type II divisor.
SCOTLAND_HOUSEHOLD_INCOME = {2019: 156_241.0, 2016: 143_398.0}

_SCOT_TOTAL_COLUMNS = ("Total", "Total intermediate use", "Total final use", "Total use for industry output")


def _read_csv(rel: str, **kw) -> pd.DataFrame:
    return pd.read_csv(datasets.path(rel), **kw)


def _matrix(rel: str) -> pd.DataFrame:
    df = _read_csv(rel, index_col=0, dtype={0: str})
    df.index = [str(i) for i in df.index]
    df.columns = [str(c) for c in df.columns]
    return df.astype(float)


def scotland(year: int = 2019) -> IOTable:
    """The Scottish Government industry-by-industry table of ``year`` (2019 or 2016), £m.

    Employment (FTE) comes from ``sector_vectors_with_implied_employment.csv``; values below
    1e-9 FTE per £m (floating-point residue for imputed rent, which has no employees) are set
    to 0 — the published tables report its employment multiplier as 0.
    """
    d = _read_csv(f"io/scotland_{year}/IxI_{year}_full_with_final_demand_and_VA.csv", index_col=0)
    d.index = [str(i) for i in d.index]
    n = d.index.get_loc("TDU")
    labels = list(d.index[:n])
    Z = d.iloc[:n, :n].astype(float)
    Z.columns = labels
    fd_cols = [c for c in d.columns[n:] if not any(str(c).split(".")[0] == t for t in _SCOT_TOTAL_COLUMNS)]
    fd = d.iloc[:n][fd_cols].astype(float)
    hh = [c for c in fd_cols if "Households" in c and "Final consumption" in c][0]
    x = d.loc["TOut"].iloc[:n].astype(float).to_numpy()
    e = _read_csv(f"io/scotland_{year}/sector_vectors_with_implied_employment.csv", dtype={"code": str}).set_index("code")
    fte_per = e["implied_FTE_per_GBPm"].reindex(labels).to_numpy(dtype=float)
    fte_per = np.where(np.abs(fte_per) < 1e-9, 0.0, fte_per)
    return IOTable.from_flows(
        Z, x,
        final_demand=fd,
        compensation=d.loc["CoE"].iloc[:n].astype(float).to_numpy(),
        gva=d.loc["GVA"].iloc[:n].astype(float).to_numpy(),
        employment=fte_per * x,
        household_consumption=fd[hh].to_numpy(),
        household_income=SCOTLAND_HOUSEHOLD_INCOME[year],
        # the CSV extract rounds: rows balance to ~1.5e-3 £m
        rtol=1e-6, atol=5e-3,
        unit="£m",
    )


def scotland_published(year: int = 2019) -> dict[str, pd.DataFrame]:
    """Published Scottish results: ``L1``, ``L2`` (Leontief inverses), ``M1``, ``M2`` (multipliers)."""
    base = f"io/scotland_{year}/"
    out = {
        "L1": _matrix(base + f"published_Leontief_TypeI_{year}.csv"),
        "L2": _matrix(base + f"published_Leontief_TypeII_{year}.csv"),
    }
    for k, t in (("M1", "TypeI"), ("M2", "TypeII")):
        m = _read_csv(base + f"published_{t}_multipliers_{year}.csv", index_col=0, dtype={0: str})
        m.index = [str(i) for i in m.index]
        out[k] = m[[c for c in m.columns if not c.startswith("Rank")]].astype(float)
    return out


def uk_2019() -> IOTable:
    """ONS UK input-output analytical table 2019, domestic use, basic prices, £m (105 industries)."""
    d = _read_csv("io/uk_2019/IOT_2019_domestic_use_basic_prices_IxI_full.csv", index_col=0)
    d.index = [str(i) for i in d.index]
    n = d.index.get_loc("_T")
    labels = list(d.index[:n])
    Z = d.iloc[:n, :n].astype(float)
    Z.columns = labels
    fd_cols = [c for c in d.columns[n:] if c not in ("_T", "TU", "P3 S1")]  # P3 S1 = S13 + S14 + S15
    fd = d.iloc[:n][fd_cols].astype(float)
    x = d.loc["P1"].iloc[:n].astype(float).to_numpy()
    primary = d.loc[["Use of imported products, cif", "Taxes less subsidies on products", "GVA"]].iloc[:, :n].astype(float)
    return IOTable.from_flows(
        Z, x, final_demand=fd,
        compensation=d.loc["D1"].iloc[:n].astype(float).to_numpy(),
        gva=d.loc["GVA"].iloc[:n].astype(float).to_numpy(),
        household_consumption=fd["P3 S14"].to_numpy(),
        primary_inputs=primary.to_numpy(),
        atol=1e-3, unit="£m",
    )


def uk_2019_published() -> dict[str, pd.DataFrame]:
    """Published ONS results: ``A``, ``L``, ``effects`` and ``multipliers`` (Type I).

    ONS marks undefined multipliers with ``.``/``..``; they are read as NaN.
    """
    base = "io/uk_2019/"
    out = {"A": _matrix(base + "published_A_2019.csv"), "L": _matrix(base + "published_Leontief_2019.csv")}
    for k, f in (("effects", "published_TypeI_Effects_2019.csv"), ("multipliers", "published_TypeI_Multipliers_2019.csv")):
        m = _read_csv(base + f, index_col=0, na_values=[".", ".."])
        m.index = [str(i) for i in m.index]
        out[k] = m.apply(pd.to_numeric, errors="coerce")
    return out


def uk_2019_input_rows() -> pd.DataFrame:
    """The primary-input rows of the UK table per sector (£m), for effects of other accounts."""
    d = _read_csv("io/uk_2019/IOT_2019_domestic_use_basic_prices_IxI_full.csv", index_col=0)
    n = list(d.index).index("_T")
    return d.iloc[n + 1:, :n].astype(float)


def uk_scotland_mapping() -> tuple[dict[str, str], dict[str, str], list[str]]:
    """``Mappings_UK_Scotland.xlsx``: Scottish industry → group, UK industry → group, group order."""
    p = datasets.path("io/uk_2019/Mappings_UK_Scotland.xlsx")
    scot = pd.read_excel(p, sheet_name="Scot_Mapping", dtype=str)
    ons = pd.read_excel(p, sheet_name="ONS_Mapping", dtype=str)
    scol = [c for c in scot.columns if c.strip() == "SIC"][0]
    sm = {str(a).strip(): str(b).strip() for a, b in zip(scot[scol], scot["New Industry"]) if isinstance(a, str)}
    um = {str(a).strip(): str(b).strip() for a, b in zip(ons["SIC"], ons["New Industry"]) if isinstance(a, str)}
    order = list(dict.fromkeys(sm.values()))
    return sm, um, order


def germany_1995() -> IOTable:
    """Eurostat Manual (Beutel) Germany 1995, 6 × 6, mln EUR (output from the ``output`` row)."""
    g = _read_csv("io/textbook/germany_1995_wide.csv", index_col=0)
    s = list(g.columns[:6])
    return IOTable.from_flows(
        g.loc[s, s], g.loc["output", s].to_numpy(dtype=float),
        compensation=g.loc["compensation_employees", s].to_numpy(dtype=float),
        gva=g.loc["gva", s].to_numpy(dtype=float),
        employment=g.loc["employment_domestic_total", s].to_numpy(dtype=float),
        final_demand=g.loc[s, ["final_consumption_households", "final_consumption_government", "gross_capital_formation",
                               "inventory_change", "exports"]],
        household_consumption=g.loc[s, "final_consumption_households"].to_numpy(dtype=float),
        check=False, unit="mln EUR",
    )


def netherlands_2000() -> IOTable:
    """UN handbook Netherlands 2000, 6 × 6 (output ``output_bp``)."""
    d = _read_csv("io/textbook/netherlands_2000.csv", index_col=0)
    s = list(d.columns[:6])
    return IOTable.from_flows(
        d.loc[s, s], d.loc["output_bp", s].to_numpy(dtype=float),
        compensation=d.loc["compensation_employees", s].to_numpy(dtype=float),
        gva=d.loc["value_added_bp", s].to_numpy(dtype=float),
        check=False, unit="mln EUR",
    )


def abs_1989() -> IOTable:
    """ABS 5246.0 Australia 1989-90, 7 industries, $m; wages and FTE employment."""
    a = _read_csv("io/textbook/abs_1989/abs5246_table1_flows_1989-90.csv", index_col=0)
    s = list(a.columns[:7])
    em = _read_csv("io/textbook/abs_1989/abs5246_table3_employment_1989-90.csv", index_col=0)
    return IOTable.from_flows(
        a.loc[s, s], a.loc["Australian production", s].to_numpy(dtype=float),
        compensation=a.loc["Wages, salaries, supplements", s].to_numpy(dtype=float),
        employment=em.loc[s, "employed_persons_FTE"].to_numpy(dtype=float),
        check=False, unit="$m",
    )


def abs_1989_published() -> pd.DataFrame:
    """ABS 5246.0 Tables 4–5: (I − A)^-1 (columns ``LI_*``) and Type I/II multipliers."""
    return _read_csv("io/textbook/abs_1989/abs5246_table4_5_published.csv", index_col=0)
