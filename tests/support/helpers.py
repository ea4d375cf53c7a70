"""Helpers of the support tests: real files, a fixed today, form data of the new-application page."""

from __future__ import annotations

import datetime as dt
import io


def pdf_bytes(pages: int = 1) -> bytes:
    """A real PDF (uploads are opened with a PDF library; four magic bytes are not enough)."""
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def fix_today(monkeypatch, day: dt.date) -> dt.date:
    """Make ``klaster.common.dates.today()`` (forms, domain, date checks) return ``day``."""
    from klaster.common import dates

    monkeypatch.setattr(dates, "today", lambda: day)
    return day


def new_form(component: str, participant, costs: list[dict], **fields) -> dict:
    """POST data of /support/new/: the application fields and the cost rows (formset ``costs``)."""
    data = {"component": component, "participant": getattr(participant, "pk", participant),
            "costs-TOTAL_FORMS": str(len(costs)), "costs-INITIAL_FORMS": "0", "costs-MIN_NUM_FORMS": "0", "costs-MAX_NUM_FORMS": "60"}
    for i, c in enumerate(costs):
        c = {"kind": "services", **c}
        for k, v in c.items():
            if k == "budget_funded":
                if v:
                    data[f"costs-{i}-{k}"] = "on"
                continue
            data[f"costs-{i}-{k}"] = v
    data.update(fields)
    return data
