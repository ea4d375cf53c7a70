"""The structures of the concept (App. 2), the strategy (App. 5) and the roadmap (App. 6) as data,
and what the Rules require of their content.

A regulation document of ``kind: competition-forms`` (``competition-decree-535-forms``) lists, for
each structured document of a package, its sections and items in the appendix's order with their
clauses, the tables (the company profiles of App. 2 §7, the quarterly cash flow of App. 5 §9.4, the
events of App. 6 with their columns and the elements "for every event"), the page limit of App. 2,
and the records of §4 (publication), §9/§11 (paper original and copy, volumes and sheets) and §12
(the participant's statement). This module parses it (:func:`parse_forms`, raising
:class:`~klaster.engine.competition.rules.RulesFormatError` naming the file and field), cleans what a
user types or a spreadsheet holds (:func:`clean_profile`, :func:`clean_cash_flow`,
:func:`clean_event`, :func:`clean_items`) and checks a filled document (:func:`check_document`),
a concept's pages (:func:`check_pages`), the paper receipt (:func:`check_paper`) and the
announcement's publications (:func:`check_publications`); every finding is a
:class:`~klaster.engine.competition.package.Problem` with its clause.

The data of one structured document (stored as JSON by the web app)::

    {"items": {"1.1": "text", ...},
     "tables": {"company_profiles": [{"name": ..., "bin": ..., ..., "indicators": {"2014": {"turnover": "1200.5", ...}}}],
                "cash_flow": {"first_year": 2026, "cells": {"in_own": {"y1q1": "100", ...}}},
                "events": {"first_year": 2026, "rows": [{"group": "1", "title": ..., "financing": {"y1": "10"}, "sources": ["own"],
                                                          "start": "2026-02-01", "end": "2026-12-31", "concept": ...}]}}}

Numbers are stored as decimal strings, dates as ISO strings. No Django here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable, Mapping

from klaster.engine.competition.messages import Msg
from klaster.engine.competition.registry import enforces
from klaster.engine.competition.rules import Text, _V

FIELD_TYPES = ("text", "bin", "date", "email", "url", "phone", "oked", "choice", "amount", "signed", "percent", "percent_signed",
               "integer", "years", "sources")
TABLE_TYPES = ("profiles", "quarterly", "events")
#: Bounds of numbers (technical, not legal): thousand tenge below 10¹³, two decimals.
MAX_AMOUNT = Decimal("9999999999999.99")
DATE_MIN, DATE_MAX = dt.date(1850, 1, 1), dt.date(2100, 12, 31)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
_URL = re.compile(r"^(https?://)?[\w.-]+\.[a-z]{2,}(/\S*)?$", re.I)
_PHONE = re.compile(r"^\+?[\d\s()\-]{5,25}$")
_OKED = re.compile(r"^\d{2}(\d{1,3})?$")


# --------------------------------------------------------------------------------------------- the structures


@dataclass(frozen=True)
class Option:
    id: str
    title: Text


@dataclass(frozen=True)
class FieldSpec:
    """A field of a table row: ``type`` one of :data:`FIELD_TYPES`."""

    id: str
    type: str
    title: Text
    required: bool = True
    max: int | None = None
    options: tuple[Option, ...] = ()
    clause: str = ""


@dataclass(frozen=True)
class ProfilesTable:
    """The company profiles (App. 2 §7): one row per participant, with indicators by year."""

    id: str
    clause: str
    title: Text
    fields: tuple[FieldSpec, ...]
    years_count: int
    years_before: int
    indicators: tuple[FieldSpec, ...]
    type: str = "profiles"

    def years(self, announced: dt.date | int | None) -> list[int]:
        """The years of the indicators: the ``years_count`` calendar years ending ``years_before``
        before the year of the announcement (default: this year)."""
        y = announced.year if isinstance(announced, dt.date) else (announced or dt.date.today().year)
        last = y - self.years_before
        return list(range(last - self.years_count + 1, last + 1))


@dataclass(frozen=True)
class Line:
    id: str
    direction: str
    clause: str
    title: Text


@dataclass(frozen=True)
class QuarterlyTable:
    """A quarterly table (App. 5 §9.4): its lines over ``years`` × 4 quarters from a first year."""

    id: str
    clause: str
    title: Text
    years: int
    lines: tuple[Line, ...]
    type: str = "quarterly"

    def keys(self) -> list[str]:
        """Cell keys ``y1q1`` … ``y5q4``."""
        return [f"y{y}q{q}" for y in range(1, self.years + 1) for q in range(1, 5)]


@dataclass(frozen=True)
class Group:
    id: str
    title: Text
    required: bool


@dataclass(frozen=True)
class EventsTable:
    """The events of a roadmap (App. 6): groups, the table's columns, the elements of every event."""

    id: str
    clause: str
    title: Text
    years: int
    groups: tuple[Group, ...]
    sources: tuple[Option, ...]
    columns: tuple[FieldSpec, ...]
    details: tuple[FieldSpec, ...]
    type: str = "events"

    def group(self, gid: str) -> Group | None:
        return next((g for g in self.groups if g.id == str(gid)), None)


@dataclass(frozen=True)
class Item:
    """An item of a section: a text to write, or a table (``table``: its id)."""

    id: str
    clause: str
    title: Text
    table: str | None = None


@dataclass(frozen=True)
class Section:
    id: str
    clause: str
    title: Text
    items: tuple[Item, ...]
    hint: Text | None = None


@dataclass(frozen=True)
class PageSpec:
    min: int
    max: int
    clause: str
    paper: str | None = None


@dataclass(frozen=True)
class FormSpec:
    """A structured document of a package (``document``: its id in the package definition)."""

    id: str
    document: str
    stage: int
    appendix: int
    clause: str
    title: Text
    sections: tuple[Section, ...]
    pages: PageSpec | None = None

    @property
    def text_items(self) -> tuple[Item, ...]:
        return tuple(i for s in self.sections for i in s.items if not i.table)

    @property
    def table_items(self) -> tuple[Item, ...]:
        return tuple(i for s in self.sections for i in s.items if i.table)


@dataclass(frozen=True)
class PaperSpec:
    clause: str
    originals: int
    copies: int
    electronic: bool
    first_document: str
    max_volumes: int
    max_sheets: int


@dataclass(frozen=True)
class Records:
    publication_clause: str
    media: tuple[Option, ...]
    paper: PaperSpec
    statement_clause: str
    statement: Text


@dataclass(frozen=True)
class FormsSet:
    """A whole ``competition-forms`` document."""

    doc: object
    forms: tuple[FormSpec, ...]
    tables: dict
    records: Records

    def form(self, fid: str) -> FormSpec:
        for f in self.forms:
            if f.id == fid:
                return f
        raise KeyError(fid)

    def for_document(self, doc_id: str, stage: int) -> FormSpec | None:
        return next((f for f in self.forms if f.document == doc_id and f.stage == stage), None)

    def for_stage(self, stage: int) -> tuple[FormSpec, ...]:
        return tuple(f for f in self.forms if f.stage == stage)

    def rules_index(self) -> list[tuple[str, str, str]]:
        """The rules these structures carry, as ``(rule id, clause, text)``, for the trace table."""
        rows = []
        for f in self.forms:
            if f.text_items:
                rows.append((f"form.{f.id}.structure", f.clause, f"the {f.title.en.lower()} has every section and item of {f.clause}"))
            if f.pages:
                rows.append((f"form.{f.id}.pages", f.pages.clause, f"{f.pages.min}–{f.pages.max} pages without annexes"))
            for it in f.table_items:
                rows.append((f"form.{f.id}.{it.table}", it.clause, f"{self.tables[it.table].title.en} complete"))
        r = self.records
        rows += [("records.publication", r.publication_clause, "announcement published in official print media and on the organizer's website"),
                 ("records.paper", r.paper.clause, "paper original and copy received, bound in numbered volumes with the list of documents first"),
                 ("records.statement", r.statement_clause, "the participant's statement of responsibility for completeness and accuracy")]
        return rows


# --------------------------------------------------------------------------------------------- parsing


def _field(v: _V, raw, where: str) -> FieldSpec:
    v.map(raw, where)
    t = v.choice(raw, "type", where, FIELD_TYPES)
    opts = ()
    if t == "choice":
        opts = tuple(Option(v.str(o, "id", f"{where}.options[{i}]"), v.text(o, "title", f"{where}.options[{i}]"))
                     for i, o in enumerate(v.list(raw.get("options"), f"{where}.options")))
    mx = v.int(raw, "max", where, required=False, minimum=1)
    req = raw.get("required", True)
    if not isinstance(req, bool):
        v.fail(f"{where}.required", "must be true or false")
    return FieldSpec(v.str(raw, "id", where), t, v.text(raw, "title", where), req, mx, opts, str(raw.get("clause") or ""))


def _table(v: _V, tid: str, raw, where: str):
    v.map(raw, where)
    t = v.choice(raw, "type", where, TABLE_TYPES)
    clause, title = v.str(raw, "clause", where), v.text(raw, "title", where)
    if t == "profiles":
        fields = tuple(_field(v, f, f"{where}.fields[{i}]") for i, f in enumerate(v.list(v.req(raw, "fields", where), f"{where}.fields")))
        v.unique(fields, f"{where}.fields")
        if not any(f.id == "bin" and f.type == "bin" for f in fields):
            v.fail(f"{where}.fields", "a profiles table needs a field 'bin' of type bin (profiles are matched to participants by BIN)")
        yrs = v.map(v.req(raw, "years", where), f"{where}.years")
        inds = tuple(_field(v, f, f"{where}.indicators[{i}]") for i, f in enumerate(v.list(v.req(raw, "indicators", where), f"{where}.indicators")))
        v.unique(inds, f"{where}.indicators")
        for i, f in enumerate(inds):
            if f.type not in ("amount", "signed", "percent", "percent_signed", "integer"):
                v.fail(f"{where}.indicators[{i}].type", f"{f.type!r}: an indicator is a number")
        return ProfilesTable(tid, clause, title, fields, v.int(yrs, "count", f"{where}.years", minimum=1),
                             v.int(yrs, "before_announcement", f"{where}.years", minimum=0), inds)
    if t == "quarterly":
        lines = []
        for i, ln in enumerate(v.list(v.req(raw, "lines", where), f"{where}.lines")):
            lw = f"{where}.lines[{i}]"
            v.map(ln, lw)
            lines.append(Line(v.str(ln, "id", lw), v.choice(ln, "direction", lw, ("in", "out")), v.str(ln, "clause", lw), v.text(ln, "title", lw)))
        v.unique(lines, f"{where}.lines")
        return QuarterlyTable(tid, clause, title, v.int(raw, "years", where, minimum=1), tuple(lines))
    groups = []
    for i, g in enumerate(v.list(v.req(raw, "groups", where), f"{where}.groups")):
        gw = f"{where}.groups[{i}]"
        v.map(g, gw)
        groups.append(Group(v.str(g, "id", gw), v.text(g, "title", gw), bool(g.get("required", True))))
    v.unique(groups, f"{where}.groups")
    sources = tuple(Option(v.str(o, "id", f"{where}.sources[{i}]"), v.text(o, "title", f"{where}.sources[{i}]"))
                    for i, o in enumerate(v.list(v.req(raw, "sources", where), f"{where}.sources")))
    v.unique(sources, f"{where}.sources")
    cols = tuple(_field(v, f, f"{where}.columns[{i}]") for i, f in enumerate(v.list(v.req(raw, "columns", where), f"{where}.columns")))
    dets = tuple(_field(v, f, f"{where}.details[{i}]") for i, f in enumerate(v.list(v.req(raw, "details", where), f"{where}.details")))
    v.unique(cols + dets, f"{where}.columns+details")
    if "group" in {f.id for f in cols + dets}:
        v.fail(f"{where}.columns", "'group' is the event's group, not a column")
    return EventsTable(tid, clause, title, v.int(raw, "years", where, minimum=1), tuple(groups), sources, cols, dets)


def parse_forms(doc) -> FormsSet:
    """Validate and parse a ``competition-forms`` document.

    Raises
    ------
    RulesFormatError
        Any malformed field (the message names the file and the field path), a table an item
        names that is not defined, a duplicate id.
    """
    v = _V(doc)
    if doc.kind != "competition-forms":
        v.fail("kind", f"expected 'competition-forms', got {doc.kind!r}")
    c = v.map(doc.content, "content")
    tables_raw = v.map(v.req(c, "tables", "content"), "content.tables")
    tables = {str(k): _table(v, str(k), t, f"content.tables.{k}") for k, t in tables_raw.items()}
    forms = []
    for i, f in enumerate(v.list(v.req(c, "forms", "content"), "content.forms")):
        w = f"content.forms[{i}]"
        v.map(f, w)
        sections = []
        for j, s in enumerate(v.list(v.req(f, "sections", w), f"{w}.sections")):
            sw = f"{w}.sections[{j}]"
            v.map(s, sw)
            items = []
            for k, it in enumerate(v.list(v.req(s, "items", sw), f"{sw}.items")):
                iw = f"{sw}.items[{k}]"
                v.map(it, iw)
                tab = it.get("table")
                if tab is not None and str(tab) not in tables:
                    v.fail(f"{iw}.table", f"unknown table {tab!r}; known: {', '.join(sorted(tables))}")
                items.append(Item(v.str(it, "id", iw), v.str(it, "clause", iw), v.text(it, "title", iw), str(tab) if tab else None))
            v.unique(items, f"{sw}.items")
            sections.append(Section(v.str(s, "id", sw), v.str(s, "clause", sw), v.text(s, "title", sw), tuple(items),
                                    v.text(s, "hint", sw) if s.get("hint") is not None else None))
        v.unique(sections, f"{w}.sections")
        ids = [it.id for s in sections for it in s.items]
        if len(ids) != len(set(ids)):
            v.fail(f"{w}.sections", "an item id repeats across sections")
        pages = None
        if f.get("pages") is not None:
            pw = f"{w}.pages"
            p = v.map(f["pages"], pw)
            pages = PageSpec(v.int(p, "min", pw, minimum=1), v.int(p, "max", pw, minimum=1), v.str(p, "clause", pw), p.get("paper"))
            if pages.max < pages.min:
                v.fail(f"{pw}.max", "must not be below min")
        forms.append(FormSpec(v.str(f, "id", w), v.str(f, "document", w), v.int(f, "stage", w, minimum=1), v.int(f, "appendix", w, minimum=1),
                              v.str(f, "clause", w), v.text(f, "title", w), tuple(sections), pages))
    v.unique(forms, "content.forms")
    rw = "content.records"
    r = v.map(v.req(c, "records", "content"), rw)
    pub = v.map(v.req(r, "publication", rw), f"{rw}.publication")
    media = tuple(Option(v.str(m, "id", f"{rw}.publication.media[{i}]"), v.text(m, "title", f"{rw}.publication.media[{i}]"))
                  for i, m in enumerate(v.list(v.req(pub, "media", f"{rw}.publication"), f"{rw}.publication.media")))
    pp = v.map(v.req(r, "paper", rw), f"{rw}.paper")
    paper = PaperSpec(v.str(pp, "clause", f"{rw}.paper"), v.int(pp, "originals", f"{rw}.paper"), v.int(pp, "copies", f"{rw}.paper"),
                      bool(pp.get("electronic", True)), v.str(pp, "first_document", f"{rw}.paper"),
                      v.int(pp, "max_volumes", f"{rw}.paper", minimum=1), v.int(pp, "max_sheets", f"{rw}.paper", minimum=1))
    st = v.map(v.req(r, "statement", rw), f"{rw}.statement")
    records = Records(v.str(pub, "clause", f"{rw}.publication"), media, paper, v.str(st, "clause", f"{rw}.statement"),
                      v.text(st, "text", f"{rw}.statement"))
    return FormsSet(doc, tuple(forms), tables, records)


# --------------------------------------------------------------------------------------------- cleaning input


@dataclass(frozen=True)
class FieldError:
    """A value that cannot be stored: ``key`` names the field (``turnover_2014`` for an indicator of a year)."""

    key: str
    message: Msg


def _text_of(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def _number(raw, lang: str) -> Decimal:
    from klaster.common.money import MoneyError, parse_decimal

    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueError
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValueError
        return raw
    try:
        return parse_decimal(str(raw), lang)
    except MoneyError:
        raise ValueError from None


def _date(raw) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    s = _text_of(raw)
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ValueError


NUMBER_BOUNDS = {
    "amount": (Decimal(0), MAX_AMOUNT, 2),
    "signed": (-MAX_AMOUNT, MAX_AMOUNT, 2),
    "percent": (Decimal(0), Decimal(100), 2),
    "percent_signed": (Decimal(-10000), Decimal(10000), 2),
    "integer": (Decimal(0), Decimal(10_000_000), 0),
}


def clean_value(f: FieldSpec, raw, *, lang: str = "ru", label: str | None = None, key: str | None = None,
                check_oked: Callable[[str], str | None] | None = None, sources: tuple[Option, ...] = ()):
    """One value of a field, cleaned: ``(value or None when empty, FieldError or None)``.

    Text is stripped and bounded; a BIN is validated; dates are ISO or dd.mm.yyyy within
    1850–2100; numbers as people type them in ``lang`` (decimal comma in kk/ru), bounded by the
    field's type (:data:`NUMBER_BOUNDS`); a choice by its id or its title in any language.
    """
    key = key or f.id
    label = label or f.title.get(lang)
    if f.type == "sources":
        items = raw if isinstance(raw, (list, tuple)) else [x for x in re.split(r"[;,]", _text_of(raw)) if x.strip()]
        out = []
        for x in items:
            x = _text_of(x)
            o = _option(sources, x)
            if o is None:
                return None, FieldError(key, Msg("field.bad_choice", field=label, value=x[:60],
                                                  options=", ".join(s.title.get(lang) for s in sources)))
            if o.id not in out:
                out.append(o.id)
        return (out or None), None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if f.type in NUMBER_BOUNDS:
        lo, hi, places = NUMBER_BOUNDS[f.type]
        try:
            d = _number(raw, lang)
        except (ValueError, ArithmeticError):
            return None, FieldError(key, Msg("field.bad_number", field=label, value=_text_of(raw)[:40]))
        if not (lo <= d <= hi):
            return None, FieldError(key, Msg("field.number_range", field=label, value=_text_of(raw)[:40], min=lo, max=hi))
        exp = d.as_tuple().exponent
        if places == 0:
            if d != d.to_integral_value():
                return None, FieldError(key, Msg("field.decimals", field=label, value=_text_of(raw)[:40], places=0))
            return str(int(d)), None
        if isinstance(exp, int) and -exp > places:
            if d != d.quantize(Decimal(1).scaleb(-places)):
                return None, FieldError(key, Msg("field.decimals", field=label, value=_text_of(raw)[:40], places=places))
            d = d.quantize(Decimal(1).scaleb(-places))
        return format(d, "f"), None
    if f.type == "date":
        try:
            d = _date(raw)
        except ValueError:
            return None, FieldError(key, Msg("field.bad_date", field=label, value=_text_of(raw)[:40]))
        if not (DATE_MIN <= d <= DATE_MAX):
            return None, FieldError(key, Msg("field.date_range", field=label, value=d.isoformat(), min=DATE_MIN.year, max=DATE_MAX.year))
        return d.isoformat(), None
    s = _text_of(raw)
    limit = f.max or 5000
    if len(s) > limit:
        return None, FieldError(key, Msg("field.too_long", field=label, max=limit))
    if f.type == "bin":
        from klaster.common.bin import InvalidBIN, validate_bin

        try:
            return validate_bin(s.zfill(12) if s.isdigit() and len(s) < 12 else s).bin, None
        except InvalidBIN as e:
            return None, FieldError(key, Msg("field.bad_bin", field=label, value=s[:20], rule=getattr(e, "rule", "")))
    if f.type == "email" and not _EMAIL.match(s):
        return None, FieldError(key, Msg("field.bad_email", field=label, value=s[:60]))
    if f.type == "url" and not _URL.match(s):
        return None, FieldError(key, Msg("field.bad_url", field=label, value=s[:60]))
    if f.type == "phone" and not (_PHONE.match(s) and 5 <= sum(ch.isdigit() for ch in s) <= 15):
        return None, FieldError(key, Msg("field.bad_phone", field=label, value=s[:40]))
    if f.type == "oked":
        code = s.replace(".", "").replace(" ", "")
        if not _OKED.match(code):
            return None, FieldError(key, Msg("field.bad_oked", field=label, value=s[:20]))
        if check_oked is not None and (why := check_oked(code)):
            return None, FieldError(key, Msg("field.unknown_oked", field=label, value=s[:20], why=why))
        return code, None
    if f.type == "choice":
        o = _option(f.options, s)
        if o is None:
            return None, FieldError(key, Msg("field.bad_choice", field=label, value=s[:60], options=", ".join(x.title.get(lang) for x in f.options)))
        return o.id, None
    return s, None


def _option(options: Iterable[Option], value: str) -> Option | None:
    low = value.strip().lower()
    for o in options:
        if low == o.id.lower() or low in {o.title.kk.lower(), o.title.ru.lower(), o.title.en.lower()}:
            return o
    return None


def clean_items(form: FormSpec, raw: Mapping[str, object], *, max_length: int = 20000) -> tuple[dict, list[FieldError]]:
    """The text items of ``form`` from ``raw`` (``{item id: text}``); unknown ids are ignored.

    A text longer than ``max_length`` characters is an error naming the item."""
    out, errs = {}, []
    for it in form.text_items:
        if it.id not in raw:
            continue
        s = _text_of(raw[it.id])
        if len(s) > max_length:
            errs.append(FieldError(it.id, Msg("field.too_long", field=f"{it.id} {it.title.en}", max=max_length)))
            continue
        out[it.id] = s
    return out, errs


def clean_profile(table: ProfilesTable, raw: Mapping[str, object], years: Iterable[int], *, lang: str = "ru",
                  check_oked: Callable[[str], str | None] | None = None) -> tuple[dict, list[FieldError]]:
    """A company profile (App. 2 §7) from ``raw``: field ids, and indicators as ``<indicator>_<year>``.

    Returns the row (``{field: value, "indicators": {year: {indicator: value}}}``, empty values
    left out) and the errors; the BIN is required (profiles are matched to participants by it).
    """
    row, errs = {}, []
    for f in table.fields:
        val, err = clean_value(f, raw.get(f.id), lang=lang, check_oked=check_oked)
        if err:
            errs.append(err)
        elif val is not None:
            row[f.id] = val
    if "bin" not in row and not any(e.key == "bin" for e in errs):
        bf = next(f for f in table.fields if f.id == "bin")
        errs.append(FieldError("bin", Msg("field.required", field=bf.title.get(lang))))
    inds: dict[str, dict] = {}
    for y in years:
        for f in table.indicators:
            key = f"{f.id}_{y}"
            val, err = clean_value(f, raw.get(key), lang=lang, key=key, label=f"{f.title.get(lang)} ({y})")
            if err:
                errs.append(err)
            elif val is not None:
                inds.setdefault(str(y), {})[f.id] = val
    row["indicators"] = inds
    return row, errs


def clean_cash_flow(table: QuarterlyTable, first_year, cells: Mapping[str, Mapping[str, object]], *, lang: str = "ru",
                    min_year: int = 1992, max_year: int = 2100) -> tuple[dict, list[FieldError]]:
    """The quarterly cash flow (App. 5 §9.4): the first year and ``cells[line][yNqM]`` amounts (≥ 0)."""
    errs = []
    fy, err = clean_year(first_year, lang=lang, min_year=min_year, max_year=max_year)
    if err:
        errs.append(err)
    amount = FieldSpec("cell", "amount", Text("", "", ""))
    out: dict[str, dict] = {}
    for ln in table.lines:
        for k in table.keys():
            raw = (cells.get(ln.id) or {}).get(k)
            val, err = clean_value(amount, raw, lang=lang, key=f"{ln.id}.{k}", label=f"{ln.title.get(lang)}, {k}")
            if err:
                errs.append(err)
            elif val is not None:
                out.setdefault(ln.id, {})[k] = val
    return {"first_year": fy, "cells": out}, errs


def clean_event(table: EventsTable, raw: Mapping[str, object], *, lang: str = "ru") -> tuple[dict, list[FieldError]]:
    """A roadmap event (App. 6): its group, the table's columns (financing as ``financing_y1`` …) and
    the elements of every event; the end may not be before the start."""
    row, errs = {}, []
    g = table.group(_text_of(raw.get("group")))
    if g is None:
        errs.append(FieldError("group", Msg("field.bad_choice", field="group", value=_text_of(raw.get("group"))[:20],
                                            options=", ".join(x.id for x in table.groups))))
    else:
        row["group"] = g.id
    for f in table.columns + table.details:
        if f.type == "years":
            fin = {}
            amount = FieldSpec(f.id, "amount", f.title)
            for y in range(1, table.years + 1):
                key = f"{f.id}_y{y}"
                val, err = clean_value(amount, raw.get(key), lang=lang, key=key, label=f"{f.title.get(lang)} ({y})")
                if err:
                    errs.append(err)
                elif val is not None:
                    fin[f"y{y}"] = val
            row[f.id] = fin
            continue
        val, err = clean_value(f, raw.get(f.id), lang=lang, sources=table.sources)
        if err:
            errs.append(err)
        elif val is not None:
            row[f.id] = val
    if row.get("start") and row.get("end") and row["end"] < row["start"]:
        errs.append(FieldError("end", Msg("field.end_before_start", start=row["start"], end=row["end"])))
    return row, errs


def clean_year(raw, *, lang: str = "ru", key: str = "first_year", label: str = "first_year", min_year: int = 1992,
               max_year: int = 2100) -> tuple[int | None, FieldError | None]:
    """A calendar year (the first year of a cash flow or a roadmap): ``(year or None when empty, error)``."""
    if raw in (None, "") or (isinstance(raw, str) and not raw.strip()):
        return None, None
    try:
        d = _number(raw, lang)
        if d != d.to_integral_value() or not (min_year <= d <= max_year):
            raise ValueError
    except (ValueError, ArithmeticError):
        return None, FieldError(key, Msg("field.number_range", field=label, value=_text_of(raw)[:20], min=min_year, max=max_year))
    return int(d), None


# --------------------------------------------------------------------------------------------- checking content


def _problem(rule: str, clause: str, msg: Msg, severity: str = "error"):
    from klaster.engine.competition.package import Problem

    return Problem(rule, clause, msg, severity)


def _missing_fields(fields: Iterable[FieldSpec], row: Mapping[str, object]) -> list[FieldSpec]:
    return [f for f in fields if f.required and (row.get(f.id) in (None, "", [], {}))]


@enforces("form.concept.structure", "form.strategy.structure", "form.concept.company_profiles",
          "form.strategy.company_profiles", "form.strategy.cash_flow", "form.roadmap.events")
def check_document(forms: FormsSet, form: FormSpec, data: Mapping | None, *, participants: Iterable[tuple[str, str]] = (),
                   announced: dt.date | None = None) -> list:
    """What the Rules require of the content of a structured document, each finding with its clause.

    * every text item of every section non-empty (the appendix's mandatory structure);
    * App. 2 §7 / App. 5 §7: a profile for every participant (``participants``: ``(BIN, name)``),
      every required field, and the indicators of every year (years before the founding year may be empty);
    * App. 5 §9.4: the first year and all 20 quarters of every line;
    * App. 6: at least one event in every required group; every column and element of every event.

    Returns a list of :class:`~klaster.engine.competition.package.Problem` (empty: complete).
    """
    name = form.title
    if not data:
        rule = f"form.{form.id}.structure" if form.text_items else f"form.{form.id}.{form.table_items[0].table}"
        return [_problem(rule, form.clause, Msg("form.not_filled", document=name, clause=form.clause))]
    out = []
    items = data.get("items") or {}
    for it in form.text_items:
        if not str(items.get(it.id) or "").strip():
            out.append(_problem(f"form.{form.id}.structure", it.clause, Msg("form.item_missing", document=name, item=it.id, title=it.title)))
    tables = data.get("tables") or {}
    for it in form.table_items:
        t = forms.tables[it.table]
        rule = f"form.{form.id}.{it.table}"
        value = tables.get(it.table)
        if t.type == "profiles":
            out += _check_profiles(t, rule, it.clause, value or [], list(participants), t.years(announced))
        elif t.type == "quarterly":
            out += _check_quarterly(t, rule, it.clause, value or {})
        else:
            out += _check_events(t, rule, it.clause, value or {})
    return out


def _check_profiles(t: ProfilesTable, rule, clause, rows, participants, years):
    out = []
    by_bin = {str(r.get("bin")): r for r in rows if r.get("bin")}
    known = {b for b, _n in participants}
    for b, n in participants:
        r = by_bin.get(b)
        if r is None:
            out.append(_problem(rule, clause, Msg("form.profile_missing", name=n, bin=b)))
            continue
        missing = [f.title for f in _missing_fields(t.fields, r)]
        founded = str(r.get("founded") or "")[:4]
        inds = r.get("indicators") or {}
        gaps = []
        for y in years:
            if founded.isdigit() and y < int(founded):
                continue
            vals = inds.get(str(y)) or {}
            gaps += [f"{f.title.en} {y}" for f in t.indicators if vals.get(f.id) in (None, "")]
        if missing or gaps:
            fields = tuple(missing) + ((Text(kk=f"{len(gaps)} көрсеткіш", ru=f"{len(gaps)} показател(ей)", en=f"{len(gaps)} indicator value(s)"),) if gaps else ())
            out.append(_problem(rule, clause, Msg("form.profile_incomplete", name=r.get("name") or n, bin=b, fields=fields)))
    for b, r in by_bin.items():
        if b not in known:
            out.append(_problem(rule, clause, Msg("form.profile_extra", name=r.get("name") or "", bin=b), "warning"))
    return out


def _check_quarterly(t: QuarterlyTable, rule, clause, value):
    out = []
    if not value.get("first_year"):
        out.append(_problem(rule, clause, Msg("form.cash_flow_no_year")))
    cells = value.get("cells") or {}
    empty = [f"{ln.id} {k}" for ln in t.lines for k in t.keys() if (cells.get(ln.id) or {}).get(k) in (None, "")]
    if empty:
        out.append(_problem(rule, clause, Msg("form.cash_flow_incomplete", count=len(empty), total=len(t.lines) * len(t.keys()), first=empty[0])))
    return out


def _check_events(t: EventsTable, rule, clause, value):
    out = []
    rows = value.get("rows") or []
    if not value.get("first_year"):
        out.append(_problem(rule, clause, Msg("form.events_no_year")))
    present = {str(r.get("group")) for r in rows}
    for g in t.groups:
        if g.required and g.id not in present:
            out.append(_problem(rule, clause, Msg("form.events_group_empty", group=g.id, title=g.title)))
    for i, r in enumerate(rows, start=1):
        missing = [f.title for f in _missing_fields(t.columns + t.details, r)]
        fin = r.get("financing") or {}
        if not any(v not in (None, "") for v in fin.values()):
            fspec = next((f for f in t.columns if f.type == "years"), None)
            if fspec is not None and fspec.title not in missing:
                missing.append(fspec.title)
        if missing:
            out.append(_problem(rule, clause, Msg("form.event_incomplete", row=i, title=str(r.get("title") or "—")[:80], fields=tuple(missing))))
    return out


@enforces("form.concept.pages")
def check_pages(form: FormSpec, *, pages: int | None, annex_from: int | None = None, non_a4: Iterable[int] = ()) -> list:
    """The page limit of a structured document (App. 2: 20–25 A4 pages, annexes not counted).

    ``pages`` is the number of pages of the uploaded file; ``annex_from`` the page where the
    annexes begin (None: no annexes), so the pages counted are ``annex_from − 1``; ``non_a4`` the
    pages that are not A4 (a warning).
    """
    spec = form.pages
    if spec is None:
        return []
    name = form.title
    if not pages:
        return [_problem(f"form.{form.id}.pages", spec.clause, Msg("form.pages_unknown", document=name))]
    out = []
    if annex_from is not None and annex_from > pages:
        out.append(_problem(f"form.{form.id}.pages", spec.clause, Msg("form.annex_after_end", document=name, annex_from=annex_from, pages=pages)))
        return out
    body = (annex_from - 1) if annex_from else pages
    if not (spec.min <= body <= spec.max):
        out.append(_problem(f"form.{form.id}.pages", spec.clause, Msg("form.pages_outside", document=name, pages=body, min=spec.min, max=spec.max)))
    bad = sorted(set(non_a4))
    if bad and spec.paper:
        out.append(_problem(f"form.{form.id}.pages", spec.clause, Msg("form.not_a4", document=name, count=len(bad), page=bad[0], paper=spec.paper),
                            "warning"))
    return out


# --------------------------------------------------------------------------------------------- records (§4, §9, §11, §12)


@dataclass(frozen=True)
class PaperDocument:
    volume: int
    first: int
    last: int


@dataclass(frozen=True)
class Paper:
    """A paper receipt: originals and copies received, whether the electronic copy came with them,
    the sheets of each volume (volume 1 first) and the volume and sheets of each document."""

    originals: int
    copies: int
    electronic: bool
    volumes: tuple[int, ...]
    documents: Mapping[str, PaperDocument] = field(default_factory=dict)


@enforces("records.paper")
def check_paper(records: Records, paper: Paper | None, *, documents: Iterable[tuple[str, Text]]) -> list:
    """The package's form (§9, §11): one paper original and one copy plus the electronic copy;
    bound in numbered volumes with the sheets of each; the list of documents first (volume 1,
    sheet 1); every document of the package placed in a volume.

    ``documents``: ``(document id, name)`` of the package's documents present electronically.
    """
    p = records.paper
    if paper is None:
        return [_problem("records.paper", p.clause, Msg("paper.missing"))]
    out = []
    if paper.originals < p.originals:
        out.append(_problem("records.paper", "§9", Msg("paper.originals", count=paper.originals, required=p.originals)))
    if paper.copies < p.copies:
        out.append(_problem("records.paper", "§9", Msg("paper.copies", count=paper.copies, required=p.copies)))
    if p.electronic and not paper.electronic:
        out.append(_problem("records.paper", "§9", Msg("paper.no_electronic")))
    if not paper.volumes:
        out.append(_problem("records.paper", "§11", Msg("paper.no_volumes")))
        return out
    names = dict(documents)
    first = paper.documents.get(p.first_document)
    if first is None or first.volume != 1 or first.first != 1:
        out.append(_problem("records.paper", "§11", Msg("paper.list_not_first")))
    for doc_id, name in names.items():
        d = paper.documents.get(doc_id)
        if d is None:
            out.append(_problem("records.paper", "§11", Msg("paper.document_unplaced", document=name)))
        elif not (1 <= d.volume <= len(paper.volumes)):
            out.append(_problem("records.paper", "§11", Msg("paper.unknown_volume", document=name, volume=d.volume)))
        elif not (1 <= d.first <= d.last <= paper.volumes[d.volume - 1]):
            out.append(_problem("records.paper", "§11", Msg("paper.document_outside", document=name, first=d.first, last=d.last,
                                                            volume=d.volume, sheets=paper.volumes[d.volume - 1])))
    return out


@enforces("records.publication")
def check_publications(records: Records, publications: Iterable[tuple[str, dt.date]], *, intake_closes: dt.date | None,
                       days_before: int | None, clause: str = "") -> list:
    """The announcement's publications (§4: official print media and the organizer's website), each at
    least ``days_before`` calendar days before intake closes (§5). ``publications``: ``(medium, day)``.

    ``days_before`` and ``clause`` come from the rules' announcement step (its ``before`` deadline);
    ``None``: the rules set no period, so no publication is found late. Returns the findings
    (:class:`Problem`), empty when every medium of ``records.media`` has a timely publication."""
    pubs = list(publications)
    out = []
    for m in records.media:
        days = sorted(d for med, d in pubs if med == m.id)
        if not days:
            out.append(_problem("records.publication", records.publication_clause, Msg("publication.missing", medium=m.title)))
            continue
        if intake_closes is not None and days_before is not None:
            latest = intake_closes - dt.timedelta(days=days_before)
            if days[0] > latest:
                out.append(_problem("records.publication", clause or records.publication_clause, Msg("publication.late", medium=m.title, day=days[0], days=days_before,
                                                                         closes=intake_closes, latest=latest)))
    return out


# --------------------------------------------------------------------------------------------- a complete sample


def sample_content(forms: FormsSet, form: FormSpec, *, participants: Iterable[tuple[str, str, str]] = (), years: Iterable[int] = (),
                   first_year: int = 2026, text: str = "Sample text (образец).") -> dict:
    """A complete sample of a structured document (demo data and tests, as
    :func:`klaster.common.files.sample_pdf` is for files): every item written, a profile for every
    participant (``(BIN, name, OKED)``) with every indicator of ``years``, a full cash flow from
    ``first_year``, and one event in every group. It passes :func:`check_document`."""
    data = {"items": {it.id: f"{it.id}. {text}" for it in form.text_items}, "tables": {}}
    for it in form.table_items:
        t = forms.tables[it.table]
        if t.type == "profiles":
            rows = []
            for n, (b, name, oked) in enumerate(participants, start=1):
                row = {"name": name, "bin": b, "street": f"ул. Образцовая, {n}", "city": "Караганда", "postcode": "100000",
                       "capital_country": "Казахстан", "founded": "2010-03-01", "main_clients": text, "ownership": "domestic",
                       "contact_surname": "Образцов", "contact_name": "Арман", "contact_position": "директор", "phone": "+7 7212 000000",
                       "email": f"info{n}@example.kz", "oked_main": oked}
                row = {k: v for k, v in row.items() if any(f.id == k for f in t.fields)}
                row["indicators"] = {str(y): {f.id: ("12" if f.type in ("percent", "percent_signed") else str(1000 * n + y % 100))
                                              for f in t.indicators} for y in years}
                rows.append(row)
            data["tables"][t.id] = rows
        elif t.type == "quarterly":
            data["tables"][t.id] = {"first_year": first_year,
                                    "cells": {ln.id: {k: str(100 + i) for i, k in enumerate(t.keys())} for ln in t.lines}}
        else:
            rows = []
            for g in t.groups:
                ev = {"group": g.id}
                for f in t.columns + t.details:
                    if f.type == "years":
                        ev[f.id] = {f"y{y}": str(1000 * y) for y in range(1, t.years + 1)}
                    elif f.type == "sources":
                        ev[f.id] = [t.sources[0].id]
                    elif f.type == "date":
                        ev[f.id] = f"{first_year}-01-15" if f.id == "start" else f"{first_year + 1}-12-15"
                    else:
                        ev[f.id] = f"{f.title.en}: {text}"
                rows.append(ev)
            data["tables"][t.id] = {"first_year": first_year, "rows": rows}
    return data
