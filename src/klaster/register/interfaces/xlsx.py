"""XLSX import and export of the register.

Import reads a workbook with a sheet ``participants`` (one row per participant of one cluster)
and optionally ``indicators`` through :func:`klaster.common.files.open_xlsx` — streamed, with
limits on sheets, rows, columns and cells (:data:`LIMITS`; a small file declaring
``A1:XFD1048576`` is read in milliseconds) — every row is validated first and **nothing is
written** when any row has an error: the errors name the sheet, row, column and rule. A refusal
while writing (a membership that overlaps the history) is reported the same way and rolls the
whole import back.

Export writes the register as it stood on a date (clusters, participants with their membership,
indicators) through :func:`klaster.common.exports.xlsx_bytes`: text beginning with ``=``, ``+``,
``-``, ``@`` … is stored as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from klaster.common import audit, dates
from klaster.common.calendar import MIN_YEAR
from klaster.common.exports import xlsx_bytes
from klaster.common.files import UploadRejected, XlsxLimits, open_xlsx
from klaster.common.refusals import Refusal
from klaster.register.domain import services
from klaster.register.models import Cluster, Membership, Participant, ParticipantIndicator

#: Limits of an imported workbook (technical, not legal): a cluster has hundreds of participants.
LIMITS = XlsxLimits(max_sheets=10, max_rows=20_000, max_cols=50, max_cells=500_000, max_bytes=10 * 1024 * 1024)
#: Bounds of the indicator columns: the model's max_digits and decimal_places (ParticipantIndicator).
DECIMAL_BOUNDS = {"turnover": (18, 1), "export": (18, 1), "net_profit_pct": (7, 2), "gross_value_added": (18, 1), "rd_staff_pct": (6, 2), "rd_spending": (18, 1)}
#: Columns that are amounts (≥ 0); net profit % may be negative (a loss).
NON_NEGATIVE = ("turnover", "export", "gross_value_added", "rd_spending", "rd_staff_pct", "employees")
MAX_EMPLOYEES = 2**31 - 1

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
        if isinstance(self.message, Refusal):
            return self.message.text()
        m = str(self.message) if isinstance(self.message, Promise) else gettext(self.message)
        return m % self.params if self.params else m

    def text(self) -> str:
        """The error in the active language (an error of the whole file — row 0 — names the sheet
        when there is one)."""
        if self.row == 0:
            return self._message() if self.sheet == "-" else f"{self.sheet}: {self._message()}"
        return gettext("%(sheet)s, row %(row)s, column %(column)s: %(message)s") % {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self._message()}

    def __str__(self) -> str:
        with translation.override("en"):
            return self.text()


class ImportRejected(ValueError):
    """The workbook has errors; ``errors`` lists them all. Nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing was imported. First: {errors[0]}")


def _rows(book, sheet):
    it = book.rows(sheet)
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
        d = v.date()
    elif isinstance(v, dt.date):
        d = v
    else:
        try:
            d = dt.date.fromisoformat(str(v).strip()[:30])
        except ValueError:
            errors.append(RowError(sheet, n, col, _("%(value)s is not a date (YYYY-MM-DD)"), {"value": repr(v)[:60]}))
            return None
    try:
        services._not_future(d, col)
    except dates.DayRefused as e:
        errors.append(RowError(sheet, n, col, e))
        return None
    return d


def _dec(v, sheet, n, col, errors, bounds=(18, 2), non_negative=False):
    """A number of the cell: Decimal within the model's ``bounds`` (max_digits, decimal_places)."""
    if v is None or str(v).strip() == "":
        return None
    if isinstance(v, bool):
        errors.append(RowError(sheet, n, col, _("%(value)s is not a number"), {"value": repr(v)}))
        return None
    if isinstance(v, float):
        v = repr(v)  # spreadsheet numbers arrive as float; keep their shortest decimal text
    text = str(v).replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        d = Decimal(text[:60])
        if not d.is_finite() or "e" in text.lower():
            raise InvalidOperation
    except InvalidOperation:
        errors.append(RowError(sheet, n, col, _("%(value)s is not a number"), {"value": repr(v)[:60]}))
        return None
    digits, places = bounds
    if d.as_tuple().exponent < -places or abs(d) >= Decimal(10) ** (digits - places):
        errors.append(RowError(sheet, n, col, _("%(value)s: at most %(int)s digits before the decimal mark and %(places)s after it"),
                               {"value": str(v)[:60], "int": digits - places, "places": places}))
        return None
    if non_negative and d < 0:
        errors.append(RowError(sheet, n, col, _("%(value)s is negative; the value is an amount (≥ 0)"), {"value": str(v)[:60]}))
        return None
    return d


def _bool(v):
    if v is None or str(v).strip() == "":
        return True
    return str(v).strip().lower() in ("1", "true", "yes", "да", "иә", "y")


def import_workbook(*, actor, cluster: Cluster, data: bytes, name: str = "register.xlsx", sha256: str = "") -> dict:
    """Import participants (and indicators) of ``cluster`` from an XLSX file.

    Membership days are history: any past day (never the future); the import is the act that
    records them, and its audit note names the workbook (``name``, ``sha256``).

    Returns
    -------
    dict
        Counts ``{"participants", "memberships", "indicators"}`` written.

    Raises
    ------
    ImportRejected
        The file is not a readable workbook or exceeds :data:`LIMITS`; any row fails validation
        (BIN check digit, type, OKED, KATO, dates, numbers and their bounds, duplicate BIN); a
        membership overlaps the cluster's history. Nothing is written.
    """
    try:
        book = open_xlsx(data, name=name, limits=LIMITS)
    except UploadRejected as e:
        raise ImportRejected([RowError("-", 0, "-", e)]) from None
    with book:
        try:
            return _import(book, actor=actor, cluster=cluster, source=f"import of {name}" + (f" (sha256 {sha256[:16]}…)" if sha256 else ""))
        except UploadRejected as e:  # a limit reached while streaming a sheet
            raise ImportRejected([RowError("-", 0, "-", e)]) from None


def _import(book, *, actor, cluster: Cluster, source: str) -> dict:
    errors: list[RowError] = []
    if "participants" not in book.sheetnames:
        raise ImportRejected([RowError("participants", 0, "-", _("the workbook has no sheet “participants”"))])
    prow, perr = _rows(book, "participants")
    errors += perr
    parsed = []
    seen = {}
    for n, r in prow:
        add = [c.strip() for c in str(r.get("oked_additional") or "").replace(";", ",").split(",") if c.strip()]
        try:
            for col, limit in (("name", 300), ("address", 300), ("affiliation_group", 100)):
                if len(str(r.get(col) or "")) > limit:
                    errors.append(RowError("participants", n, col, _("longer than %(limit)s characters"), {"limit": limit}))
            clean = services.clean_participant_fields(bin=str(r.get("bin") or "").strip()[:20], name=str(r.get("name") or "")[:300], kind=str(r.get("kind") or "").strip()[:30],
                                                      oked_main=str(r.get("oked_main") or "").strip()[:20], oked_additional=add, kato=str(r.get("kato") or "").strip()[:20])
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
    if "indicators" in book.sheetnames:
        irow, ierr = _rows(book, "indicators")
        errors += ierr
        for n, r in irow:
            b = str(r.get("bin") or "").strip()
            if b not in seen and not Participant.objects.filter(bin=b).exists():
                errors.append(RowError("indicators", n, "bin", _("BIN %(bin)s is neither in the sheet “participants” nor in the register"), {"bin": b}))
            try:
                raw_year = r.get("year")
                if isinstance(raw_year, bool) or (isinstance(raw_year, float) and raw_year != int(raw_year)):
                    raise ValueError
                year = int(str(raw_year).strip()[:6]) if not isinstance(raw_year, float) else int(raw_year)
                if not MIN_YEAR <= year <= dates.today().year:
                    raise ValueError
            except (TypeError, ValueError, OverflowError):
                errors.append(RowError("indicators", n, "year", _("%(value)s is not a year %(min)s–%(max)s"), {"value": repr(r.get("year"))[:60], "min": MIN_YEAR, "max": dates.today().year}))
                year = None
            vals = {c: _dec(r.get(c), "indicators", n, c, errors, bounds=DECIMAL_BOUNDS.get(c, (10, 0)), non_negative=c in NON_NEGATIVE) for c in INDICATOR_COLUMNS[2:]}
            if vals.get("employees") is not None:
                if vals["employees"] != vals["employees"].to_integral_value() or not 0 <= vals["employees"] <= MAX_EMPLOYEES:
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
            try:
                p = services.save_participant(actor=actor, **clean, **extra)
                counts["participants"] += 1
                if not Membership.objects.filter(cluster=cluster, participant=p, joined_on=joined).exists():
                    m = services.join(actor=actor, cluster=cluster, participant=p, joined_on=joined, audit_note=source, recheck=False)
                    counts["memberships"] += 1
                    if left:
                        services.leave(actor=actor, membership=m, left_on=left, reason=source, recheck=False)
            except Refusal as e:  # the history of the cluster refuses this row: nothing of the import stays
                raise ImportRejected([RowError("participants", n, "joined_on", e)]) from None
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
        if counts["memberships"]:
            from klaster.register.domain.procedure import recheck_eligibility

            recheck_eligibility(actor=actor, cluster=cluster, cause=source, cause_params={"event": "import", "name": source})
    return counts


#: What the demo invents about a real pilot cluster (its name, region and sector are seed 003's).
INVENTED_OF_A_DEMO_CLUSTER = ("included_on", "applications", "association", "members", "participant indicators", "competition wins")


def template_workbook() -> bytes:
    """An empty workbook with the expected sheets and columns."""
    return xlsx_bytes({"participants": [PARTICIPANT_COLUMNS], "indicators": [INDICATOR_COLUMNS]})


def export_register(day: dt.date, clusters=None) -> bytes:
    """The register as it stood on ``day``: sheets ``clusters``, ``participants``, ``indicators``
    (a machine format: column names and codes in English, dates as dates, numbers as numbers;
    every text cell is written as text — :func:`klaster.common.exports.write_row`). The column
    ``demo`` is ``yes`` on every row invented for the demonstration (with ``invented``: what of a
    real pilot cluster is invented); ``source`` names where a cluster comes from."""
    clusters = list(clusters if clusters is not None else services.register_on(day))
    cl = [["code", "name_ru", "name_kk", "name_en", "oked", "regions (KATO)", "association BIN", "included_on", "members on date", "stage won", "ESCA label",
           "source", "demo", "invented"]]
    parts = [["cluster", *PARTICIPANT_COLUMNS, "demo"]]
    inds = [["cluster", *INDICATOR_COLUMNS, "demo"]]
    for c in clusters:
        cl.append([c.code, c.name_ru, c.name_kk, c.name_en, c.oked, ", ".join(r.kato for r in c.regions.all()), c.association.bin if c.association else "", c.included_on,
                   services.members_on(c, day).count(), c.competition_stage_won or None, c.esca_label, c.source, "yes" if c.is_demo else "no",
                   ", ".join(INVENTED_OF_A_DEMO_CLUSTER) if c.is_demo else ""])
        for p in services.members_on(c, day):
            m = Membership.objects.filter(cluster=c, participant=p, joined_on__lte=day).order_by("-joined_on").first()
            parts.append([c.code, p.bin, p.name, p.kind, p.oked_main, ", ".join(p.oked_additional), p.kato, p.address, p.affiliation_group, "yes" if p.specialised else "no", p.size,
                          m.joined_on if m else None, m.left_on if m else None, "yes" if p.is_demo else "no"])
            for i in p.indicators.filter(year__lte=day.year):
                inds.append([c.code, p.bin, i.year, *[getattr(i, f) for f in INDICATOR_COLUMNS[2:]], "yes" if i.is_demo else "no"])
    return xlsx_bytes({"clusters": cl, "participants": parts, "indicators": inds})
