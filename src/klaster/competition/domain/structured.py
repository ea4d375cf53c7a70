"""The concept (App. 2), strategy (App. 5) and roadmap (App. 6) of a package as data.

The structures come from the regulation data (``rules.forms``, :mod:`klaster.engine.competition.forms`);
this module stores what the applicant fills in — through the pages' forms or an XLSX template —
on the draft version of the package (:class:`~klaster.competition.models.StructuredDocument`),
under the draft's optimistic lock (``version``: the lock version the page showed; a change made
since raises :class:`~klaster.competition.domain.services.StaleEdit` and nothing is written). A
refused value is a :class:`~klaster.competition.domain.services.DomainError` naming the field and
the rule; an XLSX import is all or nothing, with an error per sheet, row and column.

It also reads the facts of an uploaded PDF that App. 2's page limit needs: where the annexes
begin (a top-level bookmark titled as an annex) and which pages are not A4.
"""

from __future__ import annotations

import io
import re

from django.db import transaction
from django.utils.translation import gettext as _

from klaster.common import audit, files
from klaster.competition.i18n import engine_text, lang
from klaster.competition.models import Application, PackageVersion, StructuredDocument
from klaster.engine.competition import forms as eng_forms

#: Limits of a filled template (technical, not legal): a cluster has tens to hundreds of participants and events.
FORMS_XLSX = files.XlsxLimits(max_sheets=10, max_rows=2000, max_cols=120, max_cells=120_000, max_bytes=10 * 1024 * 1024)
#: The longest text of one item (characters; about ten pages).
ITEM_MAX = 20000
#: The most rows of a table (profiles, events).
MAX_ROWS = 1000
ANNEX_TITLE = re.compile(r"^\s*(\d+[-‐‑–]?\s*)?(қосымша|қосымшалар|приложени|annex|appendix)", re.I)
A4 = (595.28, 841.89)


def _svc():
    from klaster.competition.domain import services

    return services


def forms_of(application: Application):
    """The structures of the application's competition (``rules.forms``) or None."""
    return application.competition.rules.forms


def form_for(application: Application, form_id: str) -> eng_forms.FormSpec:
    """The structured document ``form_id`` of the application's stage.

    Raises
    ------
    DomainError
        The regulation has no structures, or ``form_id`` is not a structured document of this stage.
    """
    fs = forms_of(application)
    f = next((x for x in fs.for_stage(application.stage) if x.id == form_id), None) if fs else None
    if f is None:
        raise _svc().DomainError(_("%(form)s is not a structured document of the stage-%(stage)s package") % {"form": repr(form_id)[:40],
                                                                                                               "stage": application.stage})
    return f


def stage_forms(application: Application) -> tuple:
    """The structured documents of the application's stage (may be empty)."""
    fs = forms_of(application)
    return fs.for_stage(application.stage) if fs else ()


def data_of(version: PackageVersion | None, form_id: str) -> dict:
    """The stored data of a structured document of a version (``{}`` when nothing is stored)."""
    if version is None:
        return {}
    row = version.structured.filter(form_id=form_id).first()
    return dict(row.data) if row else {}


def structured_map(version: PackageVersion | None) -> dict:
    """``{form id: data}`` of a version (for the completeness check)."""
    return {r.form_id: r.data for r in version.structured.all()} if version is not None else {}


def indicator_years(application: Application) -> list[int]:
    """The years of the company profiles' indicators (App. 2 §7) for this competition."""
    fs = forms_of(application)
    t = next((t for t in (fs.tables.values() if fs else ()) if t.type == "profiles"), None)
    return t.years(application.competition.announced_on) if t else []


def check_oked(code: str) -> str | None:
    """None when ``code`` is an OKED code of the reference data, else why not (in the active language)."""
    from django.core.exceptions import ValidationError

    from klaster.reference.validators import validate_oked

    try:
        validate_oked(code)
    except ValidationError as e:
        return " ".join(e.messages)
    return None


def errors_text(errs) -> str:
    """Field errors of the engine as one message in the active language."""
    return "; ".join(engine_text(e.message) for e in errs)


def _store(actor, application: Application, form, version: int | None, change, *, action: str, note: str = "") -> StructuredDocument:
    """Claim the draft (lock), apply ``change(data) -> data`` to the document's stored data, save, audit."""
    svc = _svc()
    v = svc._draft(application, version)
    row, _created = StructuredDocument.objects.get_or_create(version=v, form_id=form.id, defaults={"data": {}})
    before = {"data": row.data}
    data = change(dict(row.data or {}))
    row.data = data
    row.save()
    audit.record(actor=actor, action=f"package.{action}", obj=row, before=before, after={"data": data}, note=note or f"{form.clause}")
    return row


def _tables(data: dict) -> dict:
    data.setdefault("tables", {})
    return data["tables"]


def _table_of(application, form, kind: str):
    """The table of ``kind`` (``profiles``, ``quarterly``, ``events``) of ``form``, or None."""
    fs = forms_of(application)
    for it in form.table_items:
        t = fs.tables[it.table]
        if t.type == kind:
            return t
    return None


@transaction.atomic
def save_items(*, actor, application: Application, form_id: str, items: dict, version: int | None) -> StructuredDocument:
    """Save the text items of a structured document (``{item id: text}``; the others are kept).

    Raises
    ------
    DomainError
        Not a structured document of the stage; a text longer than :data:`ITEM_MAX`; the package is
        frozen or changed since (:class:`StaleEdit`).
    """
    form = form_for(application, form_id)
    clean, errs = eng_forms.clean_items(form, items, max_length=ITEM_MAX)
    if errs:
        raise _svc().DomainError(errors_text(errs))

    def change(data):
        data.setdefault("items", {}).update(clean)
        return data

    return _store(actor, application, form, version, change, action="structured_items")


@transaction.atomic
def save_profile(*, actor, application: Application, form_id: str, raw: dict, version: int | None) -> dict:
    """Add or replace (by BIN) a company profile (App. 2 §7 / App. 5 §7).

    Raises
    ------
    DomainError
        A field is malformed (named with its rule); the document has no profiles table; the package
        is frozen or changed since; more than :data:`MAX_ROWS` profiles.
    """
    form = form_for(application, form_id)
    t = _table_of(application, form, "profiles")
    if t is None:
        raise _svc().DomainError(_("this document has no company profiles"))
    row, errs = eng_forms.clean_profile(t, raw, indicator_years(application), lang=lang(), check_oked=check_oked)
    if errs:
        raise _svc().DomainError(errors_text(errs))

    def change(data):
        rows = [r for r in _tables(data).get(t.id, []) if r.get("bin") != row["bin"]]
        if len(rows) >= MAX_ROWS:
            raise _svc().DomainError(_("at most %(n)s rows") % {"n": MAX_ROWS})
        rows.append(row)
        _tables(data)[t.id] = rows
        return data

    _store(actor, application, form, version, change, action="structured_profile", note=f"{t.clause}: BIN {row['bin']}")
    return row


@transaction.atomic
def remove_profile(*, actor, application: Application, form_id: str, bin: str, version: int | None) -> None:
    """Remove the company profile with ``bin``.

    Raises
    ------
    DomainError
        No such profile; the package is frozen or changed since.
    """
    form = form_for(application, form_id)
    t = _table_of(application, form, "profiles")

    def change(data):
        rows = _tables(data).get(t.id, []) if t else []
        if not any(r.get("bin") == bin for r in rows):
            raise _svc().DomainError(_("no company profile with this BIN"))
        _tables(data)[t.id] = [r for r in rows if r.get("bin") != bin]
        return data

    _store(actor, application, form, version, change, action="structured_profile_remove", note=f"BIN {bin}")


@transaction.atomic
def save_cash_flow(*, actor, application: Application, form_id: str, first_year, cells: dict, version: int | None) -> dict:
    """Save the quarterly cash flow (App. 5 §9.4): the first year and ``cells[line][yNqM]``.

    Raises
    ------
    DomainError
        A malformed amount or year (named); no cash-flow table; the package is frozen or changed since.
    """
    form = form_for(application, form_id)
    t = _table_of(application, form, "quarterly")
    if t is None:
        raise _svc().DomainError(_("this document has no quarterly cash flow"))
    value, errs = eng_forms.clean_cash_flow(t, first_year, cells, lang=lang())
    if errs:
        raise _svc().DomainError(errors_text(errs))

    def change(data):
        _tables(data)[t.id] = value
        return data

    _store(actor, application, form, version, change, action="structured_cash_flow", note=t.clause)
    return value


@transaction.atomic
def save_event(*, actor, application: Application, form_id: str, raw: dict, index: int | None = None, first_year=None,
               version: int | None) -> dict:
    """Add (``index`` None) or replace (1-based ``index``) a roadmap event (App. 6); ``first_year`` sets
    the first year of the financing by year when given.

    Raises
    ------
    DomainError
        A malformed value (named); no such event; no events table; frozen or changed since.
    """
    form = form_for(application, form_id)
    t = _table_of(application, form, "events")
    if t is None:
        raise _svc().DomainError(_("this document has no events"))
    row, errs = eng_forms.clean_event(t, raw, lang=lang())
    fy, err = eng_forms.clean_year(first_year, lang=lang())
    if err:
        errs.append(err)
    if errs:
        raise _svc().DomainError(errors_text(errs))

    def change(data):
        value = dict(_tables(data).get(t.id) or {})
        rows = list(value.get("rows") or [])
        if index is None:
            if len(rows) >= MAX_ROWS:
                raise _svc().DomainError(_("at most %(n)s rows") % {"n": MAX_ROWS})
            rows.append(row)
        elif 1 <= index <= len(rows):
            rows[index - 1] = row
        else:
            raise _svc().DomainError(_("no event No. %(n)s") % {"n": index})
        value["rows"] = rows
        if fy is not None:
            value["first_year"] = fy
        _tables(data)[t.id] = value
        return data

    _store(actor, application, form, version, change, action="structured_event", note=f"{t.clause}: {row.get('title', '')[:80]}")
    return row


@transaction.atomic
def set_events_year(*, actor, application: Application, form_id: str, first_year, version: int | None) -> None:
    """Set the first year of the roadmap's financing by year.

    Raises
    ------
    DomainError
        Not a year in 1992–2100; no events table; frozen or changed since.
    """
    form = form_for(application, form_id)
    t = _table_of(application, form, "events")
    fy, err = eng_forms.clean_year(first_year, lang=lang())
    if t is None or err or fy is None:
        raise _svc().DomainError(errors_text([err]) if err else _("give the first year of the financing"))

    def change(data):
        value = dict(_tables(data).get(t.id) or {})
        value["first_year"] = fy
        _tables(data)[t.id] = value
        return data

    _store(actor, application, form, version, change, action="structured_events_year", note=t.clause)


@transaction.atomic
def remove_event(*, actor, application: Application, form_id: str, index: int, version: int | None) -> None:
    """Remove the roadmap event No. ``index`` (1-based).

    Raises
    ------
    DomainError
        No such event; frozen or changed since.
    """
    form = form_for(application, form_id)
    t = _table_of(application, form, "events")

    def change(data):
        value = dict(_tables(data).get(t.id) or {}) if t else {}
        rows = list(value.get("rows") or [])
        if not (1 <= index <= len(rows)):
            raise _svc().DomainError(_("no event No. %(n)s") % {"n": index})
        del rows[index - 1]
        value["rows"] = rows
        _tables(data)[t.id] = value
        return data

    _store(actor, application, form, version, change, action="structured_event_remove", note=f"No. {index}")


# ------------------------------------------------------------------------------------------------ XLSX template and import


def _t(text, language: str) -> str:
    return text.get(language) if hasattr(text, "get") else str(text)


def template_xlsx(application: Application, form_id: str, language: str | None = None, version: PackageVersion | None = None) -> bytes:
    """An XLSX template of a structured document, filled with what is stored: a sheet per part
    (``items``, a sheet per table, ``settings``); row 1 holds the column keys (kept as they are),
    row 2 the column titles in ``language``; the data starts on row 3. Formula-like text is stored
    as text (:mod:`klaster.common.exports`)."""
    from klaster.common import exports

    language = language or lang()
    form = form_for(application, form_id)
    fs = forms_of(application)
    v = version or application.current_version()
    data = data_of(v, form.id)
    tables = data.get("tables") or {}
    sheets: dict[str, list] = {}
    labels = {"item": {"kk": "Тармақ", "ru": "Пункт", "en": "Item"}, "title": {"kk": "Атауы", "ru": "Наименование", "en": "Title"},
              "text": {"kk": "Мәтін", "ru": "Текст", "en": "Text"}, "group": {"kk": "Топ", "ru": "Группа", "en": "Group"},
              "line": {"kk": "Жол", "ru": "Строка", "en": "Line"}, "key": {"kk": "Кілт", "ru": "Ключ", "en": "Key"},
              "value": {"kk": "Мәні", "ru": "Значение", "en": "Value"}}
    settings = [["key", "value"], [labels["key"][language], labels["value"][language]]]
    if form.text_items:
        rows = [["item", "title", "text"], [labels["item"][language], labels["title"][language], labels["text"][language]]]
        items = data.get("items") or {}
        rows += [[it.id, _t(it.title, language), items.get(it.id, "")] for it in form.text_items]
        sheets["items"] = rows
    for it in form.table_items:
        t = fs.tables[it.table]
        if t.type == "profiles":
            years = indicator_years(application)
            keys = [f.id for f in t.fields] + [f"{ind.id}_{y}" for y in years for ind in t.indicators]
            heads = [_t(f.title, language) for f in t.fields] + [f"{_t(ind.title, language)} {y}" for y in years for ind in t.indicators]
            rows = [keys, heads]
            existing = {r.get("bin"): r for r in tables.get(t.id) or []}
            if v is not None:
                for p in v.participants.all():
                    existing.setdefault(p.bin, {"name": p.name, "bin": p.bin, "oked_main": p.oked})
            for r in existing.values():
                inds = r.get("indicators") or {}
                rows.append([r.get(f.id, "") for f in t.fields] + [(inds.get(str(y)) or {}).get(ind.id, "") for y in years for ind in t.indicators])
            sheets[t.id] = rows
        elif t.type == "quarterly":
            value = tables.get(t.id) or {}
            fy = value.get("first_year")
            q = {"kk": "тоқсан", "ru": "кв.", "en": "Q"}[language]
            heads = [f"{(fy + y - 1) if fy else 'Y' + str(y)} {q}{n}" for y in range(1, t.years + 1) for n in range(1, 5)]
            rows = [["line", "title"] + t.keys(), [labels["line"][language], labels["title"][language]] + heads]
            cells = value.get("cells") or {}
            rows += [[ln.id, _t(ln.title, language)] + [(cells.get(ln.id) or {}).get(k, "") for k in t.keys()] for ln in t.lines]
            sheets[t.id] = rows
            settings.append([f"{t.id}.first_year", fy or ""])
        else:
            value = tables.get(t.id) or {}
            fy = value.get("first_year")
            keys, heads = ["group"], [labels["group"][language] + " (" + ", ".join(g.id for g in t.groups) + ")"]
            for f in t.columns + t.details:
                if f.type == "years":
                    keys += [f"{f.id}_y{y}" for y in range(1, t.years + 1)]
                    heads += [f"{_t(f.title, language)} {(fy + y - 1) if fy else 'Y' + str(y)}" for y in range(1, t.years + 1)]
                else:
                    keys.append(f.id)
                    extra = " (" + ", ".join(o.id for o in t.sources) + ")" if f.type == "sources" else (" (dd.mm.yyyy)" if f.type == "date" else "")
                    heads.append(_t(f.title, language) + extra)
            rows = [keys, heads]
            for r in value.get("rows") or []:
                out = [r.get("group", "")]
                for f in t.columns + t.details:
                    if f.type == "years":
                        out += [(r.get(f.id) or {}).get(f"y{y}", "") for y in range(1, t.years + 1)]
                    elif f.type == "sources":
                        out.append("; ".join(r.get(f.id) or []))
                    else:
                        out.append(r.get(f.id, ""))
                rows.append(out)
            sheets[t.id] = rows
            settings.append([f"{t.id}.first_year", fy or ""])
    if len(settings) > 2:
        sheets["settings"] = settings
    return exports.xlsx_bytes(sheets)


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _records(book, sheet: str) -> tuple[list[str], list[tuple[int, dict]]]:
    rows = list(book.rows(sheet))
    if not rows:
        return [], []
    keys = [str(k or "").strip() for k in rows[0]]
    out = []
    for n, r in enumerate(rows[2:], start=3):
        if not any(v not in (None, "") for v in r):
            continue
        out.append((n, {k: _cell(r[i]) if i < len(r) else "" for i, k in enumerate(keys) if k}))
    return keys, out


def import_xlsx(*, actor, application: Application, form_id: str, fileobj, version: int | None) -> tuple[dict, list[tuple[str, int, str, str]]]:
    """Import a filled template (:func:`template_xlsx`) of a structured document.

    Every sheet the workbook has replaces that part of the document (a sheet left out keeps its part);
    every value is cleaned as on the page. Returns ``({part: rows imported}, [])`` — or, when any
    value is refused, ``({}, [(sheet, row, column key, error), …])`` and nothing is written.

    Raises
    ------
    DomainError
        Not a readable XLSX, over a limit (:data:`FORMS_XLSX`), a sheet without its key row, or the
        package is frozen or changed since.
    """
    svc = _svc()
    form = form_for(application, form_id)
    fs = forms_of(application)
    language = lang()
    errors: list[tuple[str, int, str, str]] = []
    parts: dict = {}
    counts: dict = {}
    try:
        with files.open_xlsx(fileobj, limits=FORMS_XLSX) as book:
            names = set(book.sheetnames)
            settings = {}
            if "settings" in names:
                _k, recs = _records(book, "settings")
                settings = {str(r.get("key", "")).strip(): r.get("value") for _n, r in recs}
            if form.text_items and "items" in names:
                keys, recs = _records(book, "items")
                if "item" not in keys or "text" not in keys:
                    raise svc.DomainError(_("sheet %(sheet)s, row 1: the key row needs the columns %(columns)s") % {"sheet": "items", "columns": "item, text"})
                known = {it.id for it in form.text_items}
                raw = {}
                for n, r in recs:
                    iid = str(r.get("item", "")).strip()
                    if iid not in known:
                        errors.append(("items", n, "item", _("%(value)s is not an item of %(clause)s") % {"value": iid[:20], "clause": form.clause}))
                        continue
                    raw[iid] = r.get("text", "")
                clean, errs = eng_forms.clean_items(form, raw, max_length=ITEM_MAX)
                errors += [("items", next((n for n, r in recs if str(r.get("item", "")).strip() == e.key), 0), "text", engine_text(e.message))
                           for e in errs]
                parts["items"] = clean
                counts["items"] = len(clean)
            for it in form.table_items:
                t = fs.tables[it.table]
                if t.id not in names:
                    continue
                keys, recs = _records(book, t.id)
                if len(recs) > MAX_ROWS:
                    raise svc.DomainError(_("sheet %(sheet)s: at most %(n)s rows") % {"sheet": t.id, "n": MAX_ROWS})
                if t.type == "profiles":
                    if "bin" not in keys:
                        raise svc.DomainError(_("sheet %(sheet)s, row 1: the key row needs the columns %(columns)s") % {"sheet": t.id, "columns": "bin"})
                    rows, seen = [], {}
                    for n, r in recs:
                        row, errs = eng_forms.clean_profile(t, r, indicator_years(application), lang=language, check_oked=check_oked)
                        errors += [(t.id, n, e.key, engine_text(e.message)) for e in errs]
                        if not errs:
                            if row["bin"] in seen:
                                errors.append((t.id, n, "bin", _("BIN %(bin)s repeats row %(row)s") % {"bin": row["bin"], "row": seen[row["bin"]]}))
                            seen[row["bin"]] = n
                            rows.append(row)
                    parts[t.id] = rows
                elif t.type == "quarterly":
                    if "line" not in keys:
                        raise svc.DomainError(_("sheet %(sheet)s, row 1: the key row needs the columns %(columns)s") % {"sheet": t.id, "columns": "line"})
                    lines = {ln.id for ln in t.lines}
                    cells = {}
                    for n, r in recs:
                        lid = str(r.get("line", "")).strip()
                        if lid not in lines:
                            errors.append((t.id, n, "line", _("%(value)s is not a line of %(clause)s") % {"value": lid[:30], "clause": t.clause}))
                            continue
                        cells[lid] = {k: r.get(k) for k in t.keys()}
                    value, errs = eng_forms.clean_cash_flow(t, settings.get(f"{t.id}.first_year"), cells, lang=language)
                    for e in errs:
                        lid, _dot, k = e.key.partition(".")
                        n = next((n for n, r in recs if str(r.get("line", "")).strip() == lid), 0) if k else 0
                        errors.append((t.id if k else "settings", n, k or f"{t.id}.first_year", engine_text(e.message)))
                    parts[t.id] = value
                else:
                    if "group" not in keys:
                        raise svc.DomainError(_("sheet %(sheet)s, row 1: the key row needs the columns %(columns)s") % {"sheet": t.id, "columns": "group"})
                    rows = []
                    for n, r in recs:
                        row, errs = eng_forms.clean_event(t, r, lang=language)
                        errors += [(t.id, n, e.key, engine_text(e.message)) for e in errs]
                        rows.append(row)
                    fy, err = eng_forms.clean_year(settings.get(f"{t.id}.first_year"), lang=language)
                    if err:
                        errors.append(("settings", 0, f"{t.id}.first_year", engine_text(err.message)))
                    parts[t.id] = {"first_year": fy, "rows": rows}
                counts[t.id] = len(recs)
    except files.UploadRejected as e:
        raise svc.DomainError(e.text()) from None
    if errors:
        return {}, errors
    if not parts:
        raise svc.DomainError(_("the workbook has none of the sheets of this document (%(sheets)s)") % {
            "sheets": ", ".join((["items"] if form.text_items else []) + [it.table for it in form.table_items])})

    def change(data):
        if "items" in parts:
            data.setdefault("items", {}).update(parts.pop("items"))
        for k, v in parts.items():
            _tables(data)[k] = v
        return data

    with transaction.atomic():
        _store(actor, application, form, version, change, action="structured_import", note=", ".join(f"{k}: {n}" for k, n in counts.items()))
    return counts, []


# ------------------------------------------------------------------------------------------------ facts of an uploaded PDF


def pdf_facts(data: bytes) -> tuple[int | None, list[int]]:
    """``(page where the annexes begin by the PDF's bookmarks, or None; pages that are not A4)``.

    A top-level bookmark whose title starts like an annex (``Қосымша``, ``2-қосымша``,
    ``Приложение``, ``Annex``, ``Appendix``) marks the first page of the annexes; a page whose
    sides differ from 210 × 297 mm by more than 2 % (either orientation) is not A4."""
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        annex = None
        for item in reader.outline or []:
            if isinstance(item, list):
                continue
            title = str(getattr(item, "title", "") or "")
            if ANNEX_TITLE.match(title):
                page = reader.get_destination_page_number(item)
                if page is not None and page >= 0 and (annex is None or page + 1 < annex):
                    annex = page + 1
        bad = []
        for i, p in enumerate(reader.pages, start=1):
            w, h = sorted((float(p.mediabox.width), float(p.mediabox.height)))
            if abs(w - A4[0]) > A4[0] * 0.02 or abs(h - A4[1]) > A4[1] * 0.02:
                bad.append(i)
        return annex, bad
    except Exception:  # noqa: BLE001 - the file passed check_upload; a damaged outline only loses the facts
        return None, []
