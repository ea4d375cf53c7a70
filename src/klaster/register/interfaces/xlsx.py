"""XLSX import and export of the register.

Import reads a workbook with a sheet ``participants`` (one row per participant of one cluster)
and optionally ``indicators``; every row is validated first and **nothing is written** when any
row has an error: the errors name the sheet, row, column and rule. Export writes the register as
it stood on a date (clusters, participants with their membership, indicators).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _
from openpyxl import Workbook, load_workbook

from klaster.common import audit
from klaster.register.domain import services
from klaster.register.models import Cluster, Membership, Participant, ParticipantIndicator

PARTICIPANT_COLUMNS = ["bin", "name", "kind", "oked_main", "oked_additional", "kato", "address", "affiliation_group", "specialised", "size", "joined_on", "left_on"]
INDICATOR_COLUMNS = ["bin", "year", "turnover", "export", "net_profit_pct", "gross_value_added", "employees", "rd_staff_pct", "rd_spending"]
REQUIRED = {"participants": ["bin", "name", "kind", "oked_main", "kato", "joined_on"], "indicators": ["bin", "year"]}


@dataclass(frozen=True)
class RowError:
    """One error of the workbook: where (sheet, row, column) and what (``message`` with ``params``).

    ``message`` is an English msgid marked with ``gettext_noop`` (or a lazy translation from a
    validator); ``str()`` is English, :meth:`text` the active language.
    """

    sheet: str
    row: int
    column: str
    message: object
    params: dict = field(default_factory=dict)

    def _message(self) -> str:
        m = str(self.message) if isinstance(self.message, Promise) else gettext(self.message)
        return m % self.params if self.params else m

    def text(self) -> str:
        """The error in the active language."""
        return gettext("%(sheet)s, row %(row)s, column %(column)s: %(message)s") % {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self._message()}

    def __str__(self) -> str:
        with translation.override("en"):
            return self.text()


class ImportRejected(ValueError):
    """The workbook has errors; ``errors`` lists them all. Nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing was imported. First: {errors[0]}")


def _rows(ws, sheet):
    it = ws.iter_rows(values_only=True)
    header = next(it, None)
    if header is None:
        return [], [RowError(sheet, 1, "-", _("the sheet is empty"))]
    cols = [str(h).strip().lower() if h is not None else "" for h in header]
    errs = [RowError(sheet, 1, c, _("required column is missing")) for c in REQUIRED[sheet] if c not in cols]
    out = []
    for n, values in enumerate(it, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        out.append((n, {c: v for c, v in zip(cols, values) if c}))
    return out, errs


def _date(v, sheet, n, col, errors, required=False):
    if v is None or str(v).strip() == "":
        if required:
            errors.append(RowError(sheet, n, col, _("a date is required")))
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v).strip())
    except ValueError:
        errors.append(RowError(sheet, n, col, _("%(value)s is not a date (YYYY-MM-DD)"), {"value": repr(v)}))
        return None


def _dec(v, sheet, n, col, errors):
    if v is None or str(v).strip() == "":
        return None
    if isinstance(v, float):
        v = repr(v)  # spreadsheet numbers arrive as float; keep their shortest decimal text
    try:
        return Decimal(str(v).replace(" ", "").replace(",", "."))
    except InvalidOperation:
        errors.append(RowError(sheet, n, col, _("%(value)s is not a number"), {"value": repr(v)}))
        return None


def _bool(v):
    if v is None or str(v).strip() == "":
        return True
    return str(v).strip().lower() in ("1", "true", "yes", "да", "иә", "y")


def import_workbook(*, actor, cluster: Cluster, data: bytes) -> dict:
    """Import participants (and indicators) of ``cluster`` from an XLSX file.

    Returns
    -------
    dict
        Counts ``{"participants", "memberships", "indicators"}`` written.

    Raises
    ------
    ImportRejected
        Any row fails validation (BIN check digit, type, OKED, KATO, dates, numbers, duplicate
        BIN); nothing is written.
    """
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file is the user's error
        raise ImportRejected([RowError("-", 0, "-", _("not a readable XLSX workbook: %(error)s"), {"error": str(e)})]) from e
    errors: list[RowError] = []
    if "participants" not in wb.sheetnames:
        raise ImportRejected([RowError("participants", 0, "-", _("the workbook has no sheet “participants”"))])
    prow, perr = _rows(wb["participants"], "participants")
    errors += perr
    parsed = []
    seen = {}
    for n, r in prow:
        add = [c.strip() for c in str(r.get("oked_additional") or "").replace(";", ",").split(",") if c.strip()]
        try:
            clean = services.clean_participant_fields(bin=str(r.get("bin") or "").strip(), name=str(r.get("name") or ""), kind=str(r.get("kind") or "").strip(), oked_main=str(r.get("oked_main") or "").strip(), oked_additional=add, kato=str(r.get("kato") or "").strip())
        except ValidationError as e:
            for col, errs in e.error_dict.items():
                for x in errs:
                    errors.append(RowError("participants", n, col, x.message, x.params or {}))
            clean = None
        joined = _date(r.get("joined_on"), "participants", n, "joined_on", errors, required=True)
        left = _date(r.get("left_on"), "participants", n, "left_on", errors)
        if joined and left and left <= joined:
            errors.append(RowError("participants", n, "left_on", _("%(left)s is not after joined_on %(joined)s"), {"left": left.isoformat(), "joined": joined.isoformat()}))
        size = str(r.get("size") or "sme").strip()
        if size not in ("sme", "large"):
            errors.append(RowError("participants", n, "size", _("%(value)s is not “sme” or “large”"), {"value": repr(size)}))
        if clean:
            if clean["bin"] in seen:
                errors.append(RowError("participants", n, "bin", _("BIN %(bin)s repeats row %(first)s"), {"bin": clean["bin"], "first": seen[clean["bin"]]}))
            seen[clean["bin"]] = n
            parsed.append((n, clean, {"address": str(r.get("address") or ""), "affiliation_group": str(r.get("affiliation_group") or "").strip(), "specialised": _bool(r.get("specialised")), "size": size}, joined, left))
    indicators = []
    if "indicators" in wb.sheetnames:
        irow, ierr = _rows(wb["indicators"], "indicators")
        errors += ierr
        for n, r in irow:
            b = str(r.get("bin") or "").strip()
            if b not in seen and not Participant.objects.filter(bin=b).exists():
                errors.append(RowError("indicators", n, "bin", _("BIN %(bin)s is neither in the sheet “participants” nor in the register"), {"bin": b}))
            try:
                year = int(r.get("year"))
                if not 1991 <= year <= 2100:
                    raise ValueError
            except (TypeError, ValueError):
                errors.append(RowError("indicators", n, "year", _("%(value)s is not a year"), {"value": repr(r.get("year"))}))
                year = None
            vals = {c: _dec(r.get(c), "indicators", n, c, errors) for c in INDICATOR_COLUMNS[2:]}
            if vals.get("employees") is not None:
                if vals["employees"] != vals["employees"].to_integral_value() or vals["employees"] < 0:
                    errors.append(RowError("indicators", n, "employees", _("the number of employees is a whole number ≥ 0")))
                else:
                    vals["employees"] = int(vals["employees"])
            for pct in ("net_profit_pct", "rd_staff_pct"):
                if vals.get(pct) is not None and pct == "rd_staff_pct" and not 0 <= vals[pct] <= 100:
                    errors.append(RowError("indicators", n, pct, _("%(value)s is not a percentage 0–100"), {"value": vals[pct]}))
            indicators.append((b, year, vals))
    if errors:
        raise ImportRejected(errors)
    counts = {"participants": 0, "memberships": 0, "indicators": 0}
    with transaction.atomic():
        for n, clean, extra, joined, left in parsed:
            p = services.save_participant(actor=actor, **clean, **extra)
            counts["participants"] += 1
            if not Membership.objects.filter(cluster=cluster, participant=p, joined_on=joined).exists():
                m = services.join(actor=actor, cluster=cluster, participant=p, joined_on=joined)
                counts["memberships"] += 1
                if left:
                    services.leave(actor=actor, membership=m, left_on=left)
        for b, year, vals in indicators:
            p = Participant.objects.get(bin=b)
            obj = ParticipantIndicator.objects.filter(participant=p, year=year).first()
            before = audit.snapshot(obj) if obj else {}
            obj = obj or ParticipantIndicator(participant=p, year=year)
            for k, v in vals.items():
                setattr(obj, k, v)
            obj.save()
            audit.record(actor=actor, action="register.indicator.save", obj=obj, before=before)
            counts["indicators"] += 1
    return counts


def template_workbook() -> bytes:
    """An empty workbook with the expected sheets and columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = "participants"
    ws.append(PARTICIPANT_COLUMNS)
    wb.create_sheet("indicators").append(INDICATOR_COLUMNS)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_register(day: dt.date, clusters=None) -> bytes:
    """The register as it stood on ``day``: sheets ``clusters``, ``participants``, ``indicators``."""
    clusters = list(clusters if clusters is not None else services.register_on(day))
    wb = Workbook()
    ws = wb.active
    ws.title = "clusters"
    ws.append(["code", "name_ru", "name_kk", "name_en", "oked", "regions (KATO)", "association BIN", "included_on", "members on date"])
    for c in clusters:
        ws.append([c.code, c.name_ru, c.name_kk, c.name_en, c.oked, ", ".join(r.kato for r in c.regions.all()), c.association.bin if c.association else "", c.included_on, services.members_on(c, day).count()])
    wp = wb.create_sheet("participants")
    wp.append(["cluster", *PARTICIPANT_COLUMNS])
    wi = wb.create_sheet("indicators")
    wi.append(["cluster", *INDICATOR_COLUMNS])
    for c in clusters:
        for p in services.members_on(c, day):
            m = Membership.objects.filter(cluster=c, participant=p, joined_on__lte=day).order_by("-joined_on").first()
            wp.append([c.code, p.bin, p.name, p.kind, p.oked_main, ", ".join(p.oked_additional), p.kato, p.address, p.affiliation_group, "yes" if p.specialised else "no", p.size, m.joined_on if m else None, m.left_on if m else None])
            for i in p.indicators.filter(year__lte=day.year):
                wi.append([c.code, p.bin, i.year, *[getattr(i, f) for f in INDICATOR_COLUMNS[2:]]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
