"""Spreadsheets that attack a reader, shared by the tests of every import."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook


def declared_whole_sheet(header=("name", "BIN", "OKED", "KATO"), *, last_cell: bool = False, title: str = "Sheet") -> bytes:
    """A workbook of a few KB whose sheet declares the dimension A1:XFD1048576 (16,384 columns ×
    1,048,576 rows) — openpyxl padded every declared row to every declared column (86 s before the
    fix). With ``last_cell`` the sheet also holds a cell at XFD1048576."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(list(header))
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
                if last_cell:
                    data = data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
            z.writestr(item, data)
    return out.getvalue()
