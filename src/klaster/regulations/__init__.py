"""The one place that reads regulations.

Law is data: every deadline, threshold, rate, cap, document list and criterion lives in a
versioned regulation document under ``data/<document id>/<version>.yaml``, each rule carrying
the clause it comes from. A competition (or a support application) pins the document id,
version and SHA-256 it was started under (:attr:`RegulationDocument.pin`), so later edits of
the data never change a running procedure.

A document has a common header, validated here, and a ``content`` mapping whose shape depends
on ``kind``; the module that uses a kind parses and validates its content (e.g.
``klaster.engine.competition`` for ``kind: competition-rules``).

Header fields
-------------
id : str            — document id, equal to its folder name.
version : str       — version label, equal to the file name without ``.yaml``.
kind : str          — what the content is (``priority-sectors``, ``competition-rules``, …).
title : {kk, ru, en}
act : mapping       — ``name``, ``number``, ``date`` (ISO), optional ``status`` (e.g. repealed by).
source : str        — where the text is (seed file and section).
effective_from : date, optional; effective_to : date, optional — the act is in force from
    ``effective_from`` and no longer from ``effective_to`` (the first day it is out of force).
effective : mapping, optional — how those dates follow from the texts: ``from`` and ``to``, each
    ``{rule: {kk, ru, en}, clause, assumed: {kk, ru, en}}`` (the rule of the act, e.g. "ten calendar
    days after its first official publication", and what klaster assumed where the seeds do not
    give the publication date).
readings : list, optional — places where the text admits two readings (:class:`Reading`): each
    ``{id, clause, text: {kk, ru, en}, options: [{id, default: bool, text: {…}, argument: {…},
    effect: {…}}]}``; exactly one option is the default; ``effect`` says what the option changes
    in the content, interpreted by the module that uses the kind. A procedure records the option it used for each reading
    (:func:`default_readings`, :func:`check_readings`).
notes : list of str, optional — gaps where the act is silent and the value chosen.
amends : {id, version}, optional — the version this one amends or replaces (its difference is
    shown when an administrator adds it, :func:`add`).
applies_to : list of {id, version}, optional — the documents this one completes (e.g. the
    structures of the appendices, ``kind: competition-forms``, complete a ``competition-rules``
    version); :func:`companion` finds it.

Where documents live
--------------------
Shipped documents are under ``data/`` beside this module; documents an administrator adds
(``klaster regulations add``, or the administrators' page of the web app) are written to
``<data dir>/regulations/<id>/<version>.yaml`` (:func:`added_root`) and are read exactly like
the shipped ones. A version is never overwritten: a pinned procedure finds the same bytes (its
SHA-256) for as long as it runs; a change is a new version.

Errors
------
RegulationError
    Unknown document or version, or a malformed header; the message names the file and field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).with_name("data")
REQUIRED = ("id", "version", "kind", "title", "act", "source", "content")
#: Where added documents are written; None: ``<data dir>/regulations`` (tests point it elsewhere).
ADDED_DIR: Path | None = None
#: Ids and version labels: lower-case letters, digits and hyphens (they are folder and file names).
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
#: ``kind`` → ``"module:function"`` that validates the content of a document of that kind (it raises
#: :class:`RegulationError` naming the file and field). A kind without one cannot be added.
VALIDATORS = {
    "competition-rules": "klaster.engine.competition.rules:parse_rules",
    "competition-criteria": "klaster.engine.competition.rules:parse_criteria",
    "competition-forms": "klaster.engine.competition.forms:parse_forms",
    "competition-clauses": "klaster.engine.competition.trace:parse_clauses",
    "sector-bodies": "klaster.engine.competition.routing:parse_sector_bodies",
    "support-instruments": "klaster.engine.support.rules:parse",
}


class RegulationError(Exception):
    """A regulation document is unknown or malformed."""


@dataclass(frozen=True)
class ReadingOption:
    """One way of reading an ambiguous text, with the argument for it."""

    id: str
    text: dict
    argument: dict
    default: bool = False
    effect: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Reading:
    """A place where the text admits two (or more) readings; :attr:`default` is klaster's."""

    id: str
    clause: str
    text: dict
    options: tuple[ReadingOption, ...]

    @property
    def default(self) -> ReadingOption:
        return next(o for o in self.options if o.default)

    def option(self, option_id: str) -> ReadingOption:
        for o in self.options:
            if o.id == option_id:
                return o
        raise RegulationError(f"reading {self.id!r} has no option {option_id!r}; options: {', '.join(o.id for o in self.options)}")


@dataclass(frozen=True)
class ForceStatus:
    """Whether an act is in force on a day: ``state`` is ``in_force``, ``not_yet`` (before
    ``effective_from``) or ``repealed`` (on or after ``effective_to``)."""

    state: str
    day: dt.date
    effective_from: dt.date | None
    effective_to: dt.date | None

    @property
    def in_force(self) -> bool:
        return self.state == "in_force"


@dataclass(frozen=True)
class RegulationDocument:
    """A loaded regulation document (see the module docstring for the fields)."""

    id: str
    version: str
    kind: str
    title: dict
    act: dict
    source: str
    content: Any
    sha256: str
    path: Path
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    readings: tuple[Reading, ...] = field(default_factory=tuple)
    effective: dict = field(default_factory=dict)
    amends: dict | None = None
    applies_to: tuple[dict, ...] = field(default_factory=tuple)
    added: bool = False

    def reading(self, reading_id: str) -> Reading:
        """The reading ``reading_id``.

        Raises
        ------
        RegulationError
            The document names no such reading.
        """
        for r in self.readings:
            if r.id == reading_id:
                return r
        raise RegulationError(f"{self.id} {self.version}: no reading {reading_id!r}")

    def force_status(self, day: dt.date) -> ForceStatus:
        """Whether the act is in force on ``day`` (``effective_from`` ≤ day < ``effective_to``)."""
        if self.effective_from and day < self.effective_from:
            state = "not_yet"
        elif self.effective_to and day >= self.effective_to:
            state = "repealed"
        else:
            state = "in_force"
        return ForceStatus(state, day, self.effective_from, self.effective_to)

    @property
    def pin(self) -> dict:
        """What a procedure records to pin this exact text: ``{"id", "version", "sha256"}``."""
        return {"id": self.id, "version": self.version, "sha256": self.sha256}


def _as_date(v, where):
    if v is None or isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError as e:
        raise RegulationError(f"{where}: not an ISO date: {v!r}") from e


def parse_file(p: Path) -> RegulationDocument:
    """Read and validate the header of one regulation file.

    Raises
    ------
    RegulationError
        The file is not valid YAML, lacks a required field, or its id/version disagree with
        its location.
    """
    return parse_bytes(p.read_bytes(), p, expect_id=p.parent.name, expect_version=p.stem)


def _pair(v, where) -> dict:
    if not isinstance(v, dict) or not v.get("id") or not v.get("version"):
        raise RegulationError(f"{where}: needs 'id' and 'version'")
    return {"id": str(v["id"]), "version": str(v["version"])}


def parse_bytes(raw_bytes: bytes, p: Path, *, expect_id: str | None = None, expect_version: str | None = None,
                added: bool = False) -> RegulationDocument:
    """Validate the header of a regulation document given as bytes (``p`` names it in messages).

    Raises
    ------
    RegulationError
        Not valid YAML, a required field missing, an id or version that is not a plain name or
        disagrees with ``expect_id`` / ``expect_version``, a malformed reading, date or reference.
    """
    try:
        raw = yaml.safe_load(raw_bytes)
    except yaml.YAMLError as e:
        raise RegulationError(f"{p}: not valid YAML: {e}") from e
    if not isinstance(raw, dict):
        raise RegulationError(f"{p}: a regulation document must be a mapping")
    for k in REQUIRED:
        if k not in raw:
            raise RegulationError(f"{p}: required field '{k}' is missing")
    for k in ("id", "version"):
        if not NAME.match(str(raw[k])):
            raise RegulationError(f"{p}: field '{k}' is {raw[k]!r}: use lower-case letters, digits and hyphens")
    if expect_id is not None and str(raw["id"]) != expect_id:
        raise RegulationError(f"{p}: field 'id' is {raw['id']!r} but the folder is {expect_id!r}")
    if expect_version is not None and str(raw["version"]) != expect_version:
        raise RegulationError(f"{p}: field 'version' is {raw['version']!r} but the file is {expect_version!r}")
    for lang in ("kk", "ru", "en"):
        if not isinstance(raw["title"], dict) or lang not in raw["title"]:
            raise RegulationError(f"{p}: field 'title' lacks the '{lang}' text")
    if not isinstance(raw["act"], dict):
        raise RegulationError(f"{p}: field 'act' must be a mapping (name, number, date)")
    readings = tuple(_parse_reading(r, f"{p}: readings[{i}]") for i, r in enumerate(raw.get("readings") or ()))
    ids = [r.id for r in readings]
    if len(ids) != len(set(ids)):
        raise RegulationError(f"{p}: readings: an id repeats")
    eff_from = _as_date(raw.get("effective_from"), f"{p}: effective_from")
    eff_to = _as_date(raw.get("effective_to"), f"{p}: effective_to")
    if eff_from and eff_to and eff_to <= eff_from:
        raise RegulationError(f"{p}: effective_to ({eff_to}) must be after effective_from ({eff_from})")
    amends = _pair(raw["amends"], f"{p}: amends") if raw.get("amends") is not None else None
    applies = raw.get("applies_to") or []
    if not isinstance(applies, list):
        raise RegulationError(f"{p}: applies_to: must be a list of {{id, version}}")
    return RegulationDocument(
        id=str(raw["id"]),
        version=str(raw["version"]),
        kind=str(raw["kind"]),
        title=dict(raw["title"]),
        act=dict(raw["act"]),
        source=str(raw["source"]),
        content=raw["content"],
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
        path=p,
        effective_from=eff_from,
        effective_to=eff_to,
        notes=tuple(raw.get("notes") or ()),
        readings=readings,
        effective=dict(raw.get("effective") or {}),
        amends=amends,
        applies_to=tuple(_pair(a, f"{p}: applies_to[{i}]") for i, a in enumerate(applies)),
        added=added,
    )


def _texts(v, where) -> dict:
    if not isinstance(v, dict) or any(lang not in v for lang in ("kk", "ru", "en")):
        raise RegulationError(f"{where}: needs kk, ru and en texts")
    return dict(v)


def _parse_reading(raw, where) -> Reading:
    if not isinstance(raw, dict):
        raise RegulationError(f"{where}: a reading must be a mapping")
    for k in ("id", "clause", "text", "options"):
        if k not in raw:
            raise RegulationError(f"{where}: required field '{k}' is missing")
    opts = []
    for j, o in enumerate(raw["options"] or ()):
        w = f"{where}.options[{j}]"
        if not isinstance(o, dict) or "id" not in o:
            raise RegulationError(f"{w}: an option needs an id")
        opts.append(ReadingOption(str(o["id"]), _texts(o.get("text"), f"{w}.text"), _texts(o.get("argument"), f"{w}.argument"),
                                  bool(o.get("default", False)), dict(o.get("effect") or {})))
    if len(opts) < 2:
        raise RegulationError(f"{where}: a reading names at least two options")
    if sum(o.default for o in opts) != 1:
        raise RegulationError(f"{where}: exactly one option is the default")
    return Reading(str(raw["id"]), str(raw["clause"]), _texts(raw["text"], f"{where}.text"), tuple(opts))


def default_readings(doc: RegulationDocument) -> dict[str, str]:
    """``{reading id: default option id}`` of a document."""
    return {r.id: r.default.id for r in doc.readings}


def check_readings(doc: RegulationDocument, chosen: dict | None) -> dict[str, str]:
    """The complete choice of readings for a procedure under ``doc``: ``chosen`` (may be partial)
    completed with the defaults.

    Raises
    ------
    RegulationError
        An unknown reading or option.
    """
    out = default_readings(doc)
    for rid, opt in (chosen or {}).items():
        doc.reading(rid).option(opt)
        out[rid] = opt
    return out


def added_root() -> Path:
    """Where added documents are written: :data:`ADDED_DIR`, else ``<data dir>/regulations``."""
    if ADDED_DIR is not None:
        return Path(ADDED_DIR)
    from klaster.datasets import data_dir

    return data_dir() / "regulations"


def _roots() -> list[tuple[Path, bool]]:
    return [(DATA_DIR, False), (added_root(), True)]


def _file(doc_id: str, version: str) -> tuple[Path, bool] | None:
    if not NAME.match(doc_id) or not NAME.match(version):
        return None
    for root, added in _roots():
        p = root / doc_id / f"{version}.yaml"
        if p.is_file():
            return p, added
    return None


def documents() -> list[str]:
    """Ids of all regulation documents: shipped and added."""
    out = set()
    for root, _added in _roots():
        if root.is_dir():
            out |= {d.name for d in root.iterdir() if d.is_dir() and NAME.match(d.name)}
    return sorted(out)


def versions(doc_id: str) -> list[str]:
    """Version labels of a document (shipped and added), sorted by ``effective_from`` then label.

    Raises
    ------
    RegulationError
        Unknown document id.
    """
    labels = set()
    for root, _added in _roots():
        folder = root / doc_id
        if NAME.match(doc_id) and folder.is_dir():
            labels |= {p.stem for p in folder.glob("*.yaml") if NAME.match(p.stem)}
    if not labels:
        raise RegulationError(f"unknown regulation document {doc_id!r}; known: {', '.join(documents())}")
    docs = [load(doc_id, v) for v in labels]
    docs.sort(key=lambda d: (d.effective_from or dt.date.min, d.version))
    return [d.version for d in docs]


@lru_cache(maxsize=256)
def _load_cached(path: str, added: bool, mtime_ns: int, size: int) -> RegulationDocument:
    p = Path(path)
    return parse_bytes(p.read_bytes(), p, expect_id=p.parent.name, expect_version=p.stem, added=added)


def load(doc_id: str, version: str | None = None, *, sha256: str | None = None) -> RegulationDocument:
    """Load a regulation document.

    Parameters
    ----------
    doc_id : str
        Document id (folder name under ``data/`` or under :func:`added_root`).
    version : str, optional
        Version label; default the latest by ``effective_from``.
    sha256 : str, optional
        The checksum a procedure pinned; when given and the text has changed since,
        :class:`RegulationError` is raised rather than silently applying other rules.

    Raises
    ------
    RegulationError
        Unknown id or version, malformed file, or a pinned checksum that no longer matches.
    """
    if version is None:
        vs = versions(doc_id)
        if not vs:
            raise RegulationError(f"regulation document {doc_id!r} has no versions")
        version = vs[-1]
    found = _file(doc_id, version)
    if found is None:
        raise RegulationError(f"regulation {doc_id!r} has no version {version!r} (no file {version}.yaml)")
    p, added = found
    st = p.stat()
    doc = _load_cached(str(p), added, st.st_mtime_ns, st.st_size)
    if sha256 is not None and doc.sha256 != sha256:
        raise RegulationError(
            f"regulation {doc_id} {version} has changed since it was pinned "
            f"(pinned {sha256[:12]}…, now {doc.sha256[:12]}…); publish changes as a new version"
        )
    return doc


def companion(doc: RegulationDocument, kind: str) -> RegulationDocument | None:
    """The latest document of ``kind`` whose ``applies_to`` names ``doc`` (id and version), or None.

    E.g. the structures of the appendices (``competition-forms``) that complete a version of the
    competition rules."""
    found = []
    for d in documents():
        for v in versions(d):
            other = load(d, v)
            if other.kind == kind and {"id": doc.id, "version": doc.version} in other.applies_to:
                found.append(other)
    found.sort(key=lambda x: (x.effective_from or dt.date.min, x.version))
    return found[-1] if found else None


def validate_content(doc: RegulationDocument) -> None:
    """Validate the content of ``doc`` with the validator of its kind (:data:`VALIDATORS`).

    Raises
    ------
    RegulationError
        The kind has no validator, or its content is malformed (the message names the file and field).
    """
    target = VALIDATORS.get(doc.kind)
    if target is None:
        raise RegulationError(f"{doc.path}: kind {doc.kind!r} has no content validator; known kinds: {', '.join(sorted(VALIDATORS))}")
    mod, fn = target.split(":")
    getattr(importlib.import_module(mod), fn)(doc)


# ------------------------------------------------------------------------------------------------ differences


@dataclass(frozen=True)
class Change:
    """One difference between two versions: ``path`` (e.g. ``content.criteria.groups[id=1].name.ru``),
    ``kind`` (``added``, ``removed``, ``changed``) and the values."""

    path: str
    kind: str
    old: Any = None
    new: Any = None


def _flatten(v, prefix: str, out: dict) -> None:
    if isinstance(v, dict):
        if not v:
            out[prefix] = {}
        for k, x in v.items():
            _flatten(x, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(v, list):
        keyed = v and all(isinstance(x, dict) and "id" in x for x in v)
        if not v:
            out[prefix] = []
        for i, x in enumerate(v):
            _flatten(x, f"{prefix}[id={x['id']}]" if keyed else f"{prefix}[{i}]", out)
    else:
        out[prefix] = v.isoformat() if isinstance(v, dt.date) else v


def _raw(doc: RegulationDocument) -> dict:
    return yaml.safe_load(doc.path.read_bytes()) if doc.path.is_file() else {}


def diff(old: RegulationDocument, new: RegulationDocument, *, new_raw: dict | None = None) -> list[Change]:
    """The differences of ``new`` from ``old`` (the version it amends), field by field.

    Header fields are compared except ``id``/``version``. When the kinds differ (a criteria set
    amending the criteria of a rules document) only the effective dates and the top-level keys of the
    content that ``new`` has are compared."""
    a, b = _raw(old), dict(new_raw if new_raw is not None else _raw(new))
    for k in ("id", "version", "amends", "applies_to"):
        a.pop(k, None)
        b.pop(k, None)
    if old.kind != new.kind:
        keep = ("content", "effective_from", "effective_to")
        a = {k: v for k, v in a.items() if k in keep}
        b = {k: v for k, v in b.items() if k in keep}
        a["content"] = {k: v for k, v in (a.get("content") or {}).items() if k in (b.get("content") or {})}
    fa, fb = {}, {}
    _flatten(a, "", fa)
    _flatten(b, "", fb)
    out = []
    for path in sorted(set(fa) | set(fb)):
        if path not in fa:
            out.append(Change(path, "added", None, fb[path]))
        elif path not in fb:
            out.append(Change(path, "removed", fa[path], None))
        elif fa[path] != fb[path]:
            out.append(Change(path, "changed", fa[path], fb[path]))
    return out


# ------------------------------------------------------------------------------------------------ adding a version


@dataclass(frozen=True)
class Addition:
    """What :func:`check_new` found: the parsed document, the version it amends (or None), the
    differences from it, and notes (e.g. it already exists)."""

    doc: RegulationDocument
    amends: RegulationDocument | None
    changes: tuple[Change, ...]
    exists: bool
    path: Path


def check_new(data: bytes, *, name: str = "upload.yaml") -> Addition:
    """Validate a new regulation version given as the bytes of its YAML file, without writing it.

    The header is validated (:func:`parse_bytes`), then the content by the validator of its kind
    (:func:`validate_content`); the version it ``amends`` must exist; the differences from it are
    computed (:func:`diff`).

    Raises
    ------
    RegulationError
        Malformed YAML, header or content (naming the file and field); an unknown kind; an
        ``amends`` that names no known version.
    """
    if len(data) > 2 * 1024 * 1024:
        raise RegulationError(f"{name}: larger than 2 MB; a regulation document is a text of a few hundred KB at most")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise RegulationError(f"{name}: not UTF-8 text") from None
    raw_probe = None
    try:
        raw_probe = yaml.safe_load(data)
    except yaml.YAMLError as e:
        raise RegulationError(f"{name}: not valid YAML: {e}") from e
    if not isinstance(raw_probe, dict):
        raise RegulationError(f"{name}: a regulation document must be a mapping")
    doc_id, version = str(raw_probe.get("id", "")), str(raw_probe.get("version", ""))
    where = Path(doc_id or "?") / f"{version or '?'}.yaml"
    doc = parse_bytes(data, where)
    with tempfile.TemporaryDirectory(prefix="klaster-regulation-") as tmp:
        p = Path(tmp) / doc.id / f"{doc.version}.yaml"
        p.parent.mkdir(parents=True)
        p.write_bytes(data)
        probe = parse_bytes(data, p, expect_id=doc.id, expect_version=doc.version)
        validate_content(probe)
    amends = None
    if doc.amends:
        try:
            amends = load(doc.amends["id"], doc.amends["version"])
        except RegulationError as e:
            raise RegulationError(f"{where}: amends: {e}") from None
    changes = tuple(diff(amends, doc, new_raw=raw_probe)) if amends is not None else ()
    return Addition(doc, amends, changes, _file(doc.id, doc.version) is not None, added_root() / doc.id / f"{doc.version}.yaml")


def add(data: bytes, *, name: str = "upload.yaml") -> Addition:
    """Validate (:func:`check_new`) and store a new regulation version in :func:`added_root`.

    The file is written once, atomically (a temporary file renamed into place); an id and version
    that exist already (shipped or added) are refused, so a pinned text never changes.

    Raises
    ------
    RegulationError
        Everything :func:`check_new` raises; the version exists already.
    """
    a = check_new(data, name=name)
    if a.exists:
        raise RegulationError(f"{a.doc.id} {a.doc.version} exists already; a changed text is published as a new version")
    a.path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".adding-", suffix=".yaml", dir=a.path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            os.link(tmp, a.path)  # fails when the file appeared meanwhile: never overwrite
        except FileExistsError:
            raise RegulationError(f"{a.doc.id} {a.doc.version} exists already; a changed text is published as a new version") from None
        except OSError:  # a file system without hard links: rename, after checking once more
            if a.path.exists():
                raise RegulationError(f"{a.doc.id} {a.doc.version} exists already; a changed text is published as a new version") from None
            os.replace(tmp, a.path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    doc = load(a.doc.id, a.doc.version)
    return Addition(doc, a.amends, a.changes, True, a.path)
