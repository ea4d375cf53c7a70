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

Errors
------
RegulationError
    Unknown document or version, or a malformed header; the message names the file and field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).with_name("data")
REQUIRED = ("id", "version", "kind", "title", "act", "source", "content")


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
    raw_bytes = p.read_bytes()
    try:
        raw = yaml.safe_load(raw_bytes)
    except yaml.YAMLError as e:
        raise RegulationError(f"{p}: not valid YAML: {e}") from e
    if not isinstance(raw, dict):
        raise RegulationError(f"{p}: a regulation document must be a mapping")
    for k in REQUIRED:
        if k not in raw:
            raise RegulationError(f"{p}: required field '{k}' is missing")
    if str(raw["id"]) != p.parent.name:
        raise RegulationError(f"{p}: field 'id' is {raw['id']!r} but the folder is {p.parent.name!r}")
    if str(raw["version"]) != p.stem:
        raise RegulationError(f"{p}: field 'version' is {raw['version']!r} but the file is {p.stem!r}")
    for lang in ("kk", "ru", "en"):
        if lang not in (raw["title"] or {}):
            raise RegulationError(f"{p}: field 'title' lacks the '{lang}' text")
    readings = tuple(_parse_reading(r, f"{p}: readings[{i}]") for i, r in enumerate(raw.get("readings") or ()))
    ids = [r.id for r in readings]
    if len(ids) != len(set(ids)):
        raise RegulationError(f"{p}: readings: an id repeats")
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
        effective_from=_as_date(raw.get("effective_from"), f"{p}: effective_from"),
        effective_to=_as_date(raw.get("effective_to"), f"{p}: effective_to"),
        notes=tuple(raw.get("notes") or ()),
        readings=readings,
        effective=dict(raw.get("effective") or {}),
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


def documents() -> list[str]:
    """Ids of all regulation documents shipped."""
    return sorted(d.name for d in DATA_DIR.iterdir() if d.is_dir())


def versions(doc_id: str) -> list[str]:
    """Version labels of a document, sorted by ``effective_from`` then label.

    Raises
    ------
    RegulationError
        Unknown document id.
    """
    folder = DATA_DIR / doc_id
    if not folder.is_dir():
        raise RegulationError(f"unknown regulation document {doc_id!r}; known: {', '.join(documents())}")
    docs = [load(doc_id, p.stem) for p in folder.glob("*.yaml")]
    docs.sort(key=lambda d: (d.effective_from or dt.date.min, d.version))
    return [d.version for d in docs]


@lru_cache(maxsize=256)
def _load_cached(doc_id: str, version: str, mtime_ns: int) -> RegulationDocument:
    return parse_file(DATA_DIR / doc_id / f"{version}.yaml")


def load(doc_id: str, version: str | None = None, *, sha256: str | None = None) -> RegulationDocument:
    """Load a regulation document.

    Parameters
    ----------
    doc_id : str
        Document id (folder name under ``data/``).
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
    p = DATA_DIR / doc_id / f"{version}.yaml"
    if not p.is_file():
        raise RegulationError(f"regulation {doc_id!r} has no version {version!r} (no file {p.name})")
    doc = _load_cached(doc_id, version, p.stat().st_mtime_ns)
    if sha256 is not None and doc.sha256 != sha256:
        raise RegulationError(
            f"regulation {doc_id} {version} has changed since it was pinned "
            f"(pinned {sha256[:12]}…, now {doc.sha256[:12]}…); publish changes as a new version"
        )
    return doc
