"""Writing result tables: Parquet (default), CSV, and XLSX on request, within Excel's limits.

Every table the observatory writes (``klaster observatory map``, ``klaster io …``) goes through
this module:

- **Parquet** (Apache Arrow): typed columns, compressed, read back exactly; no size limit.
- **CSV**: UTF-8, comma-separated, numbers with a point (machine formats are never localized).
- **XLSX** (only when asked for): one sheet per table; refused *before* anything is written
  when a table exceeds Excel's sheet limits of 1,048,576 rows (the header included) and 16,384
  columns (Microsoft, "Excel specifications and limits").

In XLSX a text cell that a spreadsheet would read as a formula (``=HYPERLINK(…)``, ``+…``,
``@…``: formula injection) is stored as a quoted text cell, by the rule of
:mod:`klaster.common.exports`: it shows and stays the text it is. Parquet and CSV are machine
formats and keep every value exactly as it is (the web app reads the library's CSV back and
neutralises such text when a user downloads it, through :mod:`klaster.common.exports`); a CSV
meant to be opened in a spreadsheet should be downloaded from the web app or written as XLSX.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

FORMATS = ("parquet", "csv", "xlsx")
SUFFIXES = {".parquet": "parquet", ".csv": "csv", ".xlsx": "xlsx"}
#: Excel's sheet limits (rows including the header row; columns)
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384


class OutputError(ValueError):
    """An output format or file that cannot be written (unknown format, too big for Excel)."""


def format_of(path: str | Path) -> str:
    """The output format of ``path`` from its suffix (``.parquet``, ``.csv``, ``.xlsx``).

    Raises
    ------
    OutputError
        For any other suffix, naming the formats that can be written.
    """
    suf = Path(path).suffix.lower()
    if suf not in SUFFIXES:
        raise OutputError(f"{path}: unknown output format {suf or '(no suffix)'!r}; write .parquet, .csv or .xlsx")
    return SUFFIXES[suf]


def check_formats(formats) -> list[str]:
    """Validate a list of format names (``parquet``, ``csv``, ``xlsx``); return them without duplicates."""
    out = []
    for f in formats:
        f = str(f).strip().lower().lstrip(".")
        if f not in FORMATS:
            raise OutputError(f"unknown output format {f!r}; choose from {', '.join(FORMATS)}")
        if f not in out:
            out.append(f)
    if not out:
        raise OutputError(f"no output format; choose from {', '.join(FORMATS)}")
    return out


def check_xlsx_fits(frames: Mapping[str, pd.DataFrame], *, index: bool = False, where: str = "XLSX") -> None:
    """Refuse tables that do not fit on an Excel sheet (checked before anything is written).

    Raises
    ------
    OutputError
        Naming the table, its rows and columns and the limit; suggests Parquet or CSV.
    """
    for name, df in frames.items():
        rows = len(df) + 1
        cols = df.shape[1] + (df.index.nlevels if index else 0)
        if rows > EXCEL_MAX_ROWS or cols > EXCEL_MAX_COLUMNS:
            raise OutputError(
                f"{where}: table {name!r} has {len(df):,} rows and {cols:,} columns; an Excel sheet holds at most "
                f"{EXCEL_MAX_ROWS - 1:,} data rows and {EXCEL_MAX_COLUMNS:,} columns — write Parquet or CSV instead"
            )


def _formula_like(values: np.ndarray) -> np.ndarray:
    from klaster.common.exports import is_formula_like

    return np.fromiter((is_formula_like(v) for v in values), dtype=bool, count=len(values))


def text_safe(df: pd.DataFrame, *, index: bool = False) -> pd.DataFrame:
    """``df`` with formula-like text cells prefixed by ``'`` (CSV); other cells unchanged.

    Only text columns are looked at, each distinct value once.
    """
    out = None
    cols = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype)]
    for c in cols:
        s = df[c]
        u = pd.unique(s.dropna().astype(str))
        hit = u[_formula_like(u)] if len(u) else u
        if len(hit):
            out = df.copy() if out is None else out
            out[c] = s.where(~s.isin(hit), "'" + s.astype(str))
    if index and (df.index.dtype == object or pd.api.types.is_string_dtype(df.index.dtype)):
        u = pd.unique(df.index.astype(str))
        hit = set(u[_formula_like(u)])
        if hit:
            out = df.copy() if out is None else out
            out.index = [("'" + str(v)) if str(v) in hit else v for v in df.index]
    return df if out is None else out


def _named_index(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` whose unnamed index is called ``label`` (so CSV and Parquet name the first column alike)."""
    if df.index.nlevels == 1 and df.index.name is None:
        df = df.rename_axis("label")
    return df


def _arrow_ready(df: pd.DataFrame, index: bool) -> pd.DataFrame:
    d = _named_index(df).reset_index() if index else df
    d = d.rename(columns={c: str(c) for c in d.columns})
    return d


def write_table(df: pd.DataFrame, path: str | Path, fmt: str | None = None, *, index: bool = False) -> Path:
    """Write one table as Parquet or CSV (``fmt`` from the suffix when omitted); returns the path."""
    p = Path(path)
    fmt = fmt or format_of(p)
    p.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        _arrow_ready(df, index).to_parquet(p, index=False)
    elif fmt == "csv":
        (_named_index(df) if index else df).to_csv(p, index=index)
    elif fmt == "xlsx":
        write_xlsx(p, {p.stem: df}, index=index)
    else:
        raise OutputError(f"unknown output format {fmt!r}; choose from {', '.join(FORMATS)}")
    return p


def write_xlsx(path: str | Path, frames: Mapping[str, pd.DataFrame], *, index: bool = False) -> Path:
    """One sheet per table (openpyxl, write-only); formula-like text stored as quoted text.

    Raises
    ------
    OutputError
        If a table does not fit on a sheet (:func:`check_xlsx_fits`), before the file is created.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from klaster.common.exports import is_formula_like

    check_xlsx_fits(frames, index=index, where=str(path))
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    used = set()
    for name, df in frames.items():
        title = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(name))[:31] or "Sheet"
        while title in used:
            title = title[:28] + f"~{len(used)}"
        used.add(title)
        ws = wb.create_sheet(title)
        d = _named_index(df).reset_index() if index else df
        ws.append([str(c) for c in d.columns])
        cols = [d[c] for c in d.columns]
        conv = []
        for s in cols:
            if str(s.dtype) in ("boolean", "bool"):
                conv.append(s.astype(object).where(s.notna(), None).to_numpy())
            elif pd.api.types.is_float_dtype(s.dtype):
                a = s.to_numpy(dtype=float, na_value=np.nan)
                conv.append(np.where(np.isfinite(a), a, None).astype(object))
            elif pd.api.types.is_integer_dtype(s.dtype):
                conv.append(s.astype(object).where(s.notna(), None).to_numpy())
            else:
                conv.append(s.astype(object).where(s.notna(), None).to_numpy())
        for row in zip(*conv):
            out = []
            for v in row:
                if hasattr(v, "item"):
                    v = v.item()
                if isinstance(v, str) and is_formula_like(v):
                    c = WriteOnlyCell(ws, value=v)
                    c.data_type = "s"
                    c.quotePrefix = True
                    out.append(c)
                else:
                    out.append(v)
            ws.append(out)
    wb.save(p)
    return p


def write_frames(path: str | Path, frames: Mapping[str, pd.DataFrame], *, index: bool = True) -> list[Path]:
    """Write several tables to one destination named by ``path``.

    XLSX: one sheet per table. Parquet and CSV: the first table to ``path``, each further one to
    ``<stem>-<table name>.<suffix>`` beside it.

    Raises
    ------
    OutputError
        Unknown suffix; a table too big for XLSX.
    """
    p = Path(path)
    fmt = format_of(p)
    if fmt == "xlsx":
        return [write_xlsx(p, frames, index=index)]
    written = []
    for k, (name, df) in enumerate(frames.items()):
        q = p if k == 0 else p.with_name(f"{p.stem}-{str(name).lower().replace(' ', '_')}{p.suffix}")
        written.append(write_table(df, q, fmt, index=index))
    return written
