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
effective_from : date, optional; effective_to : date, optional.
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
    )


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
