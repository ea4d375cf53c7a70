"""The data manifest and the data directory.

klaster reads public datasets that may not be committed into its repository. Each is listed
in ``manifest.yaml`` beside this file (dataset id, title, publisher, licence, version, official
source, and for every file its path, SHA-256 checksum and size, plus the URL that serves the same
bytes where one exists). :func:`fetch` fills ``$KLASTER_DATA_DIR/datasets`` by copying from a
local mirror (a folder laid out like the data directory, e.g. ``../shared/data`` in a development
checkout) or by downloading; :func:`path` returns the verified local path of one file.

Errors
------
DatasetError
    Base class; its message always says which file and how to obtain it.
DatasetMissing
    The file is not in the data directory.
DatasetCorrupt
    The file's checksum differs from the manifest.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import yaml

MANIFEST_PATH = Path(__file__).with_name("manifest.yaml")


class DatasetError(Exception):
    """A dataset file is missing, corrupt or cannot be obtained."""


class DatasetMissing(DatasetError):
    """A dataset file is not in the data directory."""


class DatasetCorrupt(DatasetError):
    """A dataset file does not match the checksum of the manifest."""


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset: relative path, SHA-256, size in bytes, and a download URL if any."""

    dataset: str
    path: str
    sha256: str
    bytes: int
    url: str | None = None


@dataclass(frozen=True)
class Dataset:
    """A dataset of the manifest (see ``manifest.yaml`` for the meaning of each field)."""

    id: str
    title: str
    publisher: str
    licence: str
    version: str
    source_url: str | None
    derivation: str | None
    files: tuple[DataFile, ...]


@lru_cache(maxsize=1)
def manifest() -> tuple[Dataset, ...]:
    """Read the data manifest.

    Returns
    -------
    tuple of Dataset
        In manifest order.
    """
    raw = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    out = []
    for d in raw["datasets"]:
        files = tuple(
            DataFile(dataset=d["id"], path=f["path"], sha256=f["sha256"], bytes=f["bytes"], url=f.get("url"))
            for f in d["files"]
        )
        out.append(
            Dataset(
                id=d["id"],
                title=d["title"],
                publisher=d["publisher"],
                licence=d["licence"],
                version=str(d["version"]),
                source_url=d.get("source_url"),
                derivation=d.get("derivation"),
                files=files,
            )
        )
    return tuple(out)


def data_dir() -> Path:
    """The data directory: ``$KLASTER_DATA_DIR`` (default ``./var``), resolved."""
    return Path(os.environ.get("KLASTER_DATA_DIR", "var")).resolve()


def datasets_dir() -> Path:
    """Where dataset files live: ``<data dir>/datasets``, laid out like the manifest paths."""
    return data_dir() / "datasets"


def default_mirror() -> Path | None:
    """The local mirror named by ``$KLASTER_DATA_MIRROR``, if set and existing, else None."""
    m = os.environ.get("KLASTER_DATA_MIRROR")
    if m and Path(m).is_dir():
        return Path(m).resolve()
    return None


def _file_entry(relpath: str) -> DataFile:
    for ds in manifest():
        for f in ds.files:
            if f.path == relpath:
                return f
    raise DatasetError(f"{relpath}: not in the data manifest ({MANIFEST_PATH.name})")


def _how_to_obtain(f: DataFile) -> str:
    ds = next(d for d in manifest() if d.id == f.dataset)
    hint = "Run `klaster data fetch` (with `--mirror DIR` for a local mirror such as ../shared/data)"
    if f.url:
        hint += f"; it downloads {f.url}"
    else:
        hint += f"; this file is derived from {ds.source_url or ds.publisher} ({ds.derivation}), so it comes from a klaster data mirror"
    return hint + "."


def sha256_of(p: Path) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def path(relpath: str, *, verify: bool = False) -> Path:
    """Local path of a dataset file, e.g. ``path("kz/regions_2024.csv")``.

    Parameters
    ----------
    relpath : str
        Path of the file as in the manifest.
    verify : bool
        Also check the SHA-256 checksum (slower for big files).

    Raises
    ------
    DatasetMissing
        The file is not in the data directory; the message says how to obtain it.
    DatasetCorrupt
        ``verify`` and the checksum differs.
    """
    f = _file_entry(relpath)
    p = datasets_dir() / f.path
    if not p.is_file():
        raise DatasetMissing(f"Dataset file {f.path} ({f.dataset}) is missing from {datasets_dir()}. {_how_to_obtain(f)}")
    if verify and sha256_of(p) != f.sha256:
        raise DatasetCorrupt(f"Dataset file {p} does not match its checksum in the manifest. {_how_to_obtain(f)}")
    return p


@dataclass
class FetchResult:
    """What :func:`fetch` did for one file: ``status`` is one of present, copied, downloaded, failed."""

    file: DataFile
    status: str
    message: str = ""


def _install(tmp: Path, f: DataFile, dest: Path) -> None:
    got = sha256_of(tmp)
    if got != f.sha256:
        tmp.unlink(missing_ok=True)
        raise DatasetCorrupt(f"{f.path}: checksum {got[:12]}… differs from the manifest's {f.sha256[:12]}…. {_how_to_obtain(f)}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, dest)


def fetch(
    *,
    mirror: Path | None = None,
    only: Iterable[str] | None = None,
    download: bool = True,
    progress: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fill the data directory from a mirror or the official sources; verify every checksum.

    Parameters
    ----------
    mirror : Path, optional
        A folder laid out like the manifest paths (``../shared/data`` in a development checkout).
        Default :func:`default_mirror`.
    only : iterable of str, optional
        Dataset ids to fetch (default all).
    download : bool
        Try the file's URL when the mirror does not have it.
    progress : callable, optional
        Called with each :class:`FetchResult`.

    Returns
    -------
    list of FetchResult
        One per file. A file is written only after its checksum is verified (no half-written
        file is ever left in place).
    """
    mirror = mirror if mirror is not None else default_mirror()
    wanted = set(only) if only else None
    results = []
    for ds in manifest():
        if wanted is not None and ds.id not in wanted:
            continue
        for f in ds.files:
            dest = datasets_dir() / f.path
            res = None
            if dest.is_file() and dest.stat().st_size == f.bytes and sha256_of(dest) == f.sha256:
                res = FetchResult(f, "present")
            else:
                tmpdir = datasets_dir() / ".partial"
                tmpdir.mkdir(parents=True, exist_ok=True)
                errors = []
                if mirror is not None and (mirror / f.path).is_file():
                    fd, tmpname = tempfile.mkstemp(dir=tmpdir)
                    os.close(fd)
                    shutil.copyfile(mirror / f.path, tmpname)
                    try:
                        _install(Path(tmpname), f, dest)
                        res = FetchResult(f, "copied", str(mirror / f.path))
                    except DatasetCorrupt as e:
                        errors.append(f"mirror copy rejected: {e}")
                if res is None and download and f.url:
                    fd, tmpname = tempfile.mkstemp(dir=tmpdir)
                    os.close(fd)
                    try:
                        with urllib.request.urlopen(f.url, timeout=60) as r, open(tmpname, "wb") as out:
                            shutil.copyfileobj(r, out)
                        _install(Path(tmpname), f, dest)
                        res = FetchResult(f, "downloaded", f.url)
                    except (OSError, DatasetCorrupt) as e:
                        Path(tmpname).unlink(missing_ok=True)
                        errors.append(f"download failed: {e}")
                if res is None:
                    msg = "; ".join(errors) or "no mirror has it"
                    res = FetchResult(f, "failed", f"{msg}. {_how_to_obtain(f)}")
            results.append(res)
            if progress:
                progress(res)
    return results
