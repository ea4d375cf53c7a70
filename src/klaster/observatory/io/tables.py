"""Reading input-output tables from CSV/XLSX and writing results (CSV, XLSX, offline HTML).

A table file is a matrix with row labels in the first column and column labels in the header.
The leading block whose row labels equal its column labels (same order) is the
industry-by-industry flow matrix ``Z``; other rows (output, compensation, GVA, employment) and
columns (final demand) are found by name — common names of the Scottish Government, ONS,
Eurostat and ABS tables are recognised, and any can be named explicitly.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .core import IOTableError
from .system import IOTable

OUTPUT_ROWS = ("TOut", "P1", "output", "output_bp", "Output", "Total output", "Australian production", "x")
COMPENSATION_ROWS = ("CoE", "D1", "compensation_employees", "Compensation of employees", "Wages, salaries, supplements")
GVA_ROWS = ("GVA", "gva", "value_added_bp", "Gross value added")
EMPLOYMENT_ROWS = ("employment", "Employment", "employment_domestic_total", "FTE", "jobs")
HOUSEHOLD_COLUMNS = ("Final consumption expenditure | Households", "P3 S14", "final_consumption_households",
                     "Households", "Final consumption expenditure")
_TOTAL_COLUMNS = {"_T", "TU", "P3 S1"}


def read_frame(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX matrix with labels in the first column; labels become strings.

    Raises
    ------
    IOTableError
        If the file is missing, of an unknown type, or has no data.
    """
    p = Path(path)
    if not p.exists():
        raise IOTableError(f"{p}: file not found")
    suf = p.suffix.lower()
    try:
        if suf in (".csv", ".txt"):
            df = pd.read_csv(p, index_col=0, dtype=str, keep_default_na=False)
        elif suf in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(p, sheet_name=sheet or 0, index_col=0, dtype=str, keep_default_na=False)
        else:
            raise IOTableError(f"{p}: unknown file type {suf!r} (use .csv or .xlsx)")
    except (ValueError, KeyError) as e:  # pandas parse errors, missing sheet
        raise IOTableError(f"{p}: cannot read the table ({e})") from e
    if df.empty:
        raise IOTableError(f"{p}: the table is empty")
    df.index = [str(i).strip() for i in df.index]
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _numeric(df: pd.DataFrame, where: str, *, decimal: str = ".") -> pd.DataFrame:
    """Convert cells to float by the rules of :mod:`klaster.observatory.numbers`.

    Blank cells and ``-`` are 0 (as published tables print an empty flow); anything else that is
    not a number — including an ambiguous ``1,234`` in a file read with a decimal point — is an
    error naming the file, the cell (row and column labels) and the rule.
    """
    from klaster.observatory.numbers import parse_numbers

    if df.shape[0] == 0 or df.shape[1] == 0:
        return pd.DataFrame(np.zeros(df.shape), index=df.index, columns=df.columns)
    cells = df.to_numpy(dtype=object).ravel()  # row by row: the first bad cell is the first in reading order
    p = parse_numbers(cells, decimal=decimal, missing=("", "-"))
    k = p.first_bad()
    if k is not None:
        i, j = divmod(k, df.shape[1])
        raise IOTableError(f"{where}: cell at row {df.index[i]!r}, column {df.columns[j]!r} is not a number: {df.iat[i, j]!r} "
                           f"({p.reasons[k]})")
    vals = np.where(p.blank, 0.0, p.values).reshape(df.shape)
    return pd.DataFrame(vals, index=df.index, columns=df.columns, copy=False)


def _find(names: Iterable[str], candidates: Sequence[str], what: str, explicit: str | None, required: bool) -> str | None:
    names = list(names)
    if explicit:
        if explicit not in names:
            raise IOTableError(f"{what} {explicit!r} not found (have: {', '.join(names[:12])}{'…' if len(names) > 12 else ''})")
        return explicit
    for c in candidates:
        if c in names:
            return c
    if required:
        raise IOTableError(f"no {what} found; name it explicitly (looked for: {', '.join(candidates)})")
    return None


@dataclass
class TableSpec:
    """Names of the rows and columns of a table file (``None``: recognise automatically)."""

    output_row: str | None = None
    compensation_row: str | None = None
    gva_row: str | None = None
    employment_row: str | None = None
    household_column: str | None = None
    final_demand_columns: Sequence[str] | None = None


def industry_block(df: pd.DataFrame, where: str) -> int:
    """Number of leading rows whose labels equal the leading column labels (the Z block)."""
    n = 0
    for r, c in zip(df.index, df.columns):
        if r != c or r in _TOTAL_COLUMNS or r.lower().startswith("total"):
            break
        n += 1
    if n == 0:
        raise IOTableError(
            f"{where}: malformed table — the first row label {df.index[0]!r} differs from the first column label "
            f"{df.columns[0]!r}; an industry-by-industry block with the same labels on rows and columns must come first"
        )
    extra = [r for r in df.index[n:] if r in set(df.columns[:n])]
    if extra:
        raise IOTableError(f"{where}: malformed table — industry {extra[0]!r} appears as a row after the industry block "
                           f"(rows and columns must list the industries in the same order)")
    return n


def read_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    spec: TableSpec | None = None,
    household_income: float | None = None,
    employment: Mapping[str, float] | pd.Series | None = None,
    check: bool = True,
    rtol: float = 1e-6,
    atol: float = 1e-2,
    unit: str = "money",
    decimal: str = ".",
) -> IOTable:
    """Read an industry-by-industry table (CSV/XLSX) into an :class:`IOTable`.

    Parameters
    ----------
    path : path
    sheet : str, optional
        XLSX sheet.
    spec : TableSpec, optional
        Explicit row/column names.
    household_income : float, optional
        Type II divisor (money).
    employment : mapping sector → persons, optional
        Overrides an employment row.
    check : bool
        Check row balances (``Σ_j z_ij + Σ_k y_ik = x_i``) when final demand is present.
    rtol, atol : float
        Balance tolerance: ``|imbalance| ≤ atol + rtol·x_i`` (money).
    decimal : {".", ","}
        Decimal separator of the file's numbers (:mod:`klaster.observatory.numbers`: a comma in a
        file read with a point is an ambiguous number and an error).

    Raises
    ------
    IOTableError
        Malformed layout, non-numeric cells, unbalanced rows (naming row, column, imbalance).
    """
    spec = spec or TableSpec()
    where = str(path)
    df = read_frame(path, sheet=sheet)
    n = industry_block(df, where)
    labels = list(df.index[:n])
    rows, cols = list(df.index[n:]), list(df.columns[n:])
    out_row = _find(rows, OUTPUT_ROWS, "output row", spec.output_row, required=False)
    if spec.final_demand_columns is not None:
        missing = [c for c in spec.final_demand_columns if c not in cols]
        if missing:
            raise IOTableError(f"{where}: final-demand column {missing[0]!r} not found")
        fd_cols = list(spec.final_demand_columns)
    else:
        fd_cols = [c for c in cols if c not in _TOTAL_COLUMNS and not c.lower().startswith("total")]
    Z = _numeric(df.iloc[:n, :n], where, decimal=decimal)
    fd = _numeric(df.loc[labels, fd_cols], where, decimal=decimal) if fd_cols else None
    if out_row is not None:
        x = _numeric(df.loc[[out_row]].iloc[:, :n], where, decimal=decimal).iloc[0].to_numpy()
    elif fd is not None:
        x = None
    else:
        raise IOTableError(f"{where}: no output row and no final-demand columns; name the output row")

    def row(name):
        return None if name is None else _numeric(df.loc[[name]].iloc[:, :n], where, decimal=decimal).iloc[0].to_numpy()

    coe = row(_find(rows, COMPENSATION_ROWS, "compensation row", spec.compensation_row, required=False))
    gva = row(_find(rows, GVA_ROWS, "GVA row", spec.gva_row, required=False))
    emp = row(_find(rows, EMPLOYMENT_ROWS, "employment row", spec.employment_row, required=False))
    if employment is not None:
        s = pd.Series(employment, dtype=float)
        s.index = [str(i) for i in s.index]
        unknown = [k for k in s.index if k not in labels]
        if unknown:
            raise IOTableError(f"employment: unknown sector {unknown[0]!r}")
        emp = s.reindex(labels).fillna(0.0).to_numpy()
    hh_col = _find(fd_cols, HOUSEHOLD_COLUMNS, "household consumption column", spec.household_column, required=False)
    if hh_col is None and fd is not None:
        hh_col = next((c for c in fd_cols if "household" in c.lower()), None)
    return IOTable.from_flows(
        Z.set_axis(labels, axis=1), x, final_demand=fd, compensation=coe, gva=gva, employment=emp,
        household_consumption=None if hh_col is None else fd[hh_col].to_numpy(),
        household_income=household_income, check=check, rtol=rtol, atol=atol, unit=unit,
    )


def read_vector(path: str | Path, *, column: str | None = None, sheet: str | None = None, decimal: str = ".") -> pd.Series:
    """Read a two-column (sector, value) file, or one named ``column`` of a wider file (numbers as
    :func:`read_table` reads them)."""
    df = read_frame(path, sheet=sheet)
    if column is None:
        if df.shape[1] < 1:
            raise IOTableError(f"{path}: need a sector column and a value column")
        column = df.columns[0]
    if column not in df.columns:
        raise IOTableError(f"{path}: column {column!r} not found (have: {', '.join(df.columns)})")
    return _numeric(df[[column]], str(path), decimal=decimal)[column]


def write_frames(path: str | Path, frames: Mapping[str, pd.DataFrame]) -> list[Path]:
    """Write frames with their sector labels: XLSX → one sheet each; Parquet or CSV → the first to
    ``path``, others to ``<stem>-<name>.<suffix>`` (:func:`klaster.observatory.outputs.write_frames`).

    Raises
    ------
    IOTableError
        Unknown output format (only .parquet, .csv, .xlsx), or a table too big for an Excel sheet.
    """
    from klaster.observatory.outputs import OutputError
    from klaster.observatory.outputs import write_frames as _write

    try:
        return _write(path, frames, index=True)
    except OutputError as e:
        raise IOTableError(str(e)) from None


_CSS = """body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem;color:#222}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}caption{text-align:left;font-weight:600}
.note{color:#555;font-size:.85rem}"""


def html_report(title: str, sections: Sequence[tuple[str, pd.DataFrame | str]], *, notes: Mapping[str, object] | None = None,
                decimals: int = 4) -> str:
    """A self-contained HTML summary (inline CSS, no scripts, no network)."""
    parts = [f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{_CSS}</style><body><h1>{html.escape(title)}</h1>"]
    if notes:
        parts.append("<dl class='note'>" + "".join(
            f"<dt>{html.escape(str(k))}</dt><dd>{html.escape(str(v))}</dd>" for k, v in notes.items()) + "</dl>")
    for heading, body in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        if isinstance(body, pd.DataFrame):
            parts.append(body.to_html(float_format=lambda v: f"{v:.{decimals}f}", border=0, escape=True))
        else:
            parts.append(f"<p>{html.escape(str(body))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
