"""The one export path: CSV and XLSX files whose cells cannot run as formulas.

A text cell that begins with ``=``, ``+``, ``-``, ``−``, ``@``, ``|``, ``%``, a tab or a
carriage return is what a spreadsheet reads as a formula (CSV injection, OWASP): a participant
named ``=HYPERLINK("http://…")`` would become a live link in the public register. Such text is
written as text:

* CSV through ``defusedcsv`` (a drop-in ``csv`` writer that prefixes ``'``), UTF-8 with BOM so
  that Excel opens Cyrillic correctly;
* XLSX through :func:`write_row` — the cell is typed as a string with Excel's "quote prefix"
  style, so it shows the text as it is and stays text when edited; numbers, dates and Decimals
  stay numbers.

Machine formats are never localized: numbers are written with a point, dates as ISO dates.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

from django.http import HttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
_TRIGGERS = ("=", "+", "-", "\u2212", "@", "|", "%", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"^[-\u2212]?[0-9][0-9 ,.\u00a0]*(?:[eE][-+]?[0-9]+)?$")


def is_formula_like(value) -> bool:
    """Whether ``value`` is text a spreadsheet would read as a formula (numbers written as text,
    e.g. ``-5``, ``−500 000`` or ``-1e-05`` as a library writes a float, are not)."""
    return isinstance(value, str) and value[:1] in _TRIGGERS and not _NUMBER.match(value)


def neutralise(value):
    """``value`` safe for a CSV cell: formula-like text gets a leading ``'``; other values as they are."""
    if is_formula_like(value):
        return "'" + value
    return value


def _plain(value):
    if isinstance(value, Decimal):
        return value if value.is_finite() else str(value)
    if isinstance(value, (dt.datetime, dt.date, int, float, bool)) or value is None:
        return value
    return str(value)


def write_row(ws, values: Iterable) -> None:
    """Append a row to an openpyxl worksheet; formula-like text is stored as quoted text."""
    values = [_plain(v) for v in values]
    ws.append(["" if is_formula_like(v) else v for v in values])
    row = ws.max_row
    for i, v in enumerate(values, start=1):
        if is_formula_like(v):
            c = ws.cell(row=row, column=i)
            c.value = v
            c.data_type = "s"
            c.quotePrefix = True


def xlsx_bytes(sheets: Mapping[str, Sequence[Sequence]]) -> bytes:
    """An XLSX workbook with one sheet per item ``{title: rows}`` (the first row is the header)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(_sheet_title(title))
        for r in rows:
            write_row(ws, r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "Sheet"


def csv_bytes(rows: Iterable[Sequence]) -> bytes:
    """CSV (UTF-8 with BOM, comma-separated) of ``rows``; formula-like text neutralised."""
    from defusedcsv import csv

    buf = io.StringIO()
    w = csv.writer(buf)
    for r in rows:
        w.writerow([_csv_value(v) for v in r])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_value(v):
    v = _plain(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if v is None:
        return ""
    return v


def frame_rows(df, *, index: bool = False) -> list[list]:
    """A pandas DataFrame as rows (header first) for :func:`xlsx_bytes` / :func:`csv_bytes`."""
    import pandas as pd

    head = ([df.index.name or ""] if index else []) + [str(c) for c in df.columns]
    out = [head]
    for idx, rec in zip(df.index, df.itertuples(index=False, name=None)):
        vals = [None if (isinstance(x, float) and pd.isna(x)) or x is pd.NA else (x.item() if hasattr(x, "item") else x) for x in rec]
        out.append(([idx] if index else []) + vals)
    return out


def response(data: bytes, filename: str, fmt: str) -> HttpResponse:
    """An attachment response of CSV or XLSX bytes."""
    r = HttpResponse(data, content_type=CSV_TYPE if fmt == "csv" else XLSX_TYPE)
    r["Content-Disposition"] = f'attachment; filename="{filename}"'
    r["X-Content-Type-Options"] = "nosniff"
    return r
