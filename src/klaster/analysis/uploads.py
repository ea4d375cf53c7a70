"""Uploaded data files of the analysts' pages (panels, input-output tables) and run directories.

Checks are the common ones (:mod:`klaster.common.files`): :func:`accept` calls
:func:`~klaster.common.files.check_upload` (``.csv`` UTF-8 text or a real ``.xlsx`` package, at
most ``KLASTER_ANALYSIS_UPLOAD_MAX_MB`` MB, default 20 — a technical limit) and streams the first
sheet of an XLSX through :func:`~klaster.common.files.open_xlsx` with :data:`PANEL_LIMITS` or
:data:`TABLE_LIMITS` *before* the observatory library (pandas) opens it, so that a 1.5 KB file
declaring ``A1:XFD1048576`` is refused within a second. Then the library validates a panel in a
temporary directory under its sanitised original name (:func:`staged`), so its messages name the
user's file (an input-output table is read by the library later, in the worker:
:func:`klaster.analysis.tasks.run_io_table`). Only an accepted file is stored, in a random run directory
``settings.MEDIA_ROOT/analysis/<uuid>/`` (outside the web root); :func:`run_directory` removes
that directory again when the run is not saved (refused, rolled back), so no orphan stays.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils.text import get_valid_filename

from klaster.common.files import CheckedUpload, UploadRejected, XlsxLimits, check_upload, open_xlsx

DEFAULT_MAX_MB = 20
EXTENSIONS = ("csv", "xlsx")
#: Limits of an uploaded tidy panel in XLSX (region, sector, year, measure, value, unit …):
#: larger panels are CSV. Streaming 100,000 rows takes about half a second.
PANEL_LIMITS = dict(max_sheets=20, max_rows=100_000, max_cols=50, max_cells=1_000_000)
#: Limits of an uploaded input-output table in XLSX (n industries + a few rows/columns).
TABLE_LIMITS = dict(max_sheets=20, max_rows=5_000, max_cols=5_000, max_cells=5_000_000)

__all__ = ["UploadRejected", "accept", "staged", "keep", "run_directory", "new_run_dir", "remove_run_dir",
           "absolute", "max_bytes", "clean_message", "PANEL_LIMITS", "TABLE_LIMITS"]


def max_bytes() -> int:
    """Largest accepted upload in bytes (setting ``KLASTER_ANALYSIS_UPLOAD_MAX_MB``, default 20 MB)."""
    return int(getattr(settings, "KLASTER_ANALYSIS_UPLOAD_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024


def accept(uploaded, *, limits: dict) -> CheckedUpload:
    """Check an uploaded panel or table before any library reads it.

    Parameters
    ----------
    uploaded : UploadedFile
    limits : dict
        :class:`~klaster.common.files.XlsxLimits` fields (:data:`PANEL_LIMITS`, :data:`TABLE_LIMITS`);
        the byte limit is :func:`max_bytes`.

    Returns
    -------
    CheckedUpload
        Extension (``csv``/``xlsx``), MIME type, size in bytes, SHA-256.

    Raises
    ------
    UploadRejected
        Not .csv/.xlsx, empty, too big, content not of its type, a ZIP bomb, or an XLSX whose
        first sheet (the one the library reads) has more rows, columns or cells than ``limits``
        — each message names the file (and sheet, row).
    """
    checked = check_upload(uploaded, allowed=EXTENSIONS, max_bytes=max_bytes())
    if checked.ext == "xlsx":
        with open_xlsx(uploaded, name=Path(uploaded.name).name, limits=XlsxLimits(max_bytes=max_bytes(), **limits)) as book:
            for _row in book.rows(0):
                pass
        uploaded.seek(0)
    return checked


def safe_name(name: str) -> str:
    """The file's base name made safe for the file system (``get_valid_filename``)."""
    base = Path(name or "upload").name
    try:
        return get_valid_filename(base)
    except Exception:  # SuspiciousFileOperation for names like ".."
        return "upload." + (base.rsplit(".", 1)[-1].lower() if "." in base else "csv")


@contextmanager
def staged(uploaded):
    """Write the upload to a temporary directory under its safe original name; yield the path.

    The temporary directory is removed afterwards; :func:`keep` copies a validated file into
    the run directory.
    """
    tmp = Path(tempfile.mkdtemp(prefix="klaster-analysis-"))
    try:
        p = tmp / safe_name(uploaded.name)
        with p.open("wb") as fh:
            for chunk in uploaded.chunks():
                fh.write(chunk)
        uploaded.seek(0)
        yield p
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def clean_message(message: str, path: Path) -> str:
    """Strip the temporary directory from a library message so that it names the file only."""
    return str(message).replace(str(path.parent) + "/", "").replace(str(path.parent), "")


def new_run_dir() -> str:
    """A fresh random directory below MEDIA_ROOT (returned relative to it, ``analysis/<uuid>``)."""
    rel = f"analysis/{uuid.uuid4().hex}"
    (Path(settings.MEDIA_ROOT) / rel).mkdir(parents=True, exist_ok=False)
    return rel


def remove_run_dir(rel: str) -> None:
    """Remove a run directory created by :func:`new_run_dir` (nothing outside ``MEDIA_ROOT/analysis``)."""
    if not rel or not rel.startswith("analysis/"):
        return
    p = absolute(rel)
    if p.parent == absolute("analysis"):
        shutil.rmtree(p, ignore_errors=True)


@contextmanager
def run_directory():
    """A new run directory (relative path) that is removed again if the block raises.

    Use it around storing the input and saving the run's row, so that a refused or rolled-back
    run leaves no directory or file under ``MEDIA_ROOT/analysis``.
    """
    rel = new_run_dir()
    try:
        yield rel
    except BaseException:
        remove_run_dir(rel)
        raise


def keep(staged_path: Path, rel_dir: str) -> str:
    """Copy a validated staged file into ``input/`` of the run directory (apart from the library's
    outputs, which may have the same names); return its path relative to MEDIA_ROOT."""
    dest = Path(settings.MEDIA_ROOT) / rel_dir / "input" / staged_path.name
    dest.parent.mkdir()
    shutil.copyfile(staged_path, dest)
    return f"{rel_dir}/input/{staged_path.name}"


def absolute(rel: str) -> Path:
    """Absolute path of a path relative to MEDIA_ROOT.

    Raises
    ------
    ValueError
        The path escapes MEDIA_ROOT.
    """
    root = Path(settings.MEDIA_ROOT).resolve()
    p = (root / rel).resolve()
    if root not in p.parents and p != root:
        raise ValueError(f"{rel}: path outside the upload directory")
    return p
