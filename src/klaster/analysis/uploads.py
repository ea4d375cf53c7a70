"""Checks of uploaded data files (panels, input-output tables): size, extension and content.

Accepted: ``.csv`` (UTF-8 text: no NUL bytes, decodes as UTF-8) and ``.xlsx`` (a ZIP container
``PK 03 04`` holding ``[Content_Types].xml`` and an ``xl/`` part). The size limit is the setting
``KLASTER_ANALYSIS_UPLOAD_MAX_MB`` (default 20 MB; a technical limit). A file is first validated
by the library in a temporary directory under its (sanitised) original name, so the library's
messages name the user's file; only a valid file is stored, below
``settings.MEDIA_ROOT/analysis/<random>/`` (outside the web root).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

DEFAULT_MAX_MB = 20
EXTENSIONS = ("csv", "xlsx")


class UploadRejected(ValueError):
    """The file is too big, empty or not of an accepted type; the message says which and why."""


def max_bytes() -> int:
    return int(getattr(settings, "KLASTER_ANALYSIS_UPLOAD_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024


def safe_name(name: str) -> str:
    """The file's base name made safe for the file system (``get_valid_filename``)."""
    base = Path(name or "upload").name
    try:
        return get_valid_filename(base)
    except Exception:  # SuspiciousFileOperation for names like ".."
        return "upload." + (base.rsplit(".", 1)[-1].lower() if "." in base else "csv")


def check_upload(uploaded) -> str:
    """Check a Django ``UploadedFile``; return its extension (``csv`` or ``xlsx``).

    Raises
    ------
    UploadRejected
        Extension not accepted, empty, larger than :func:`max_bytes`, or content not matching
        the extension.
    """
    name = uploaded.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EXTENSIONS:
        raise UploadRejected(_("%(name)s: files of type .%(ext)s are not accepted; accepted: .csv, .xlsx") % {"name": name, "ext": ext or "?"})
    if uploaded.size == 0:
        raise UploadRejected(_("%(name)s: the file is empty") % {"name": name})
    limit = max_bytes()
    if uploaded.size > limit:
        raise UploadRejected(_("%(name)s: %(size).1f MB exceeds the limit of %(limit)d MB") % {"name": name, "size": uploaded.size / 1048576, "limit": limit // 1048576})
    uploaded.seek(0)
    head = uploaded.read(65536)
    uploaded.seek(0)
    if ext == "xlsx":
        ok = head.startswith(b"PK\x03\x04")
        if ok:
            try:
                with zipfile.ZipFile(uploaded) as z:
                    names = z.namelist()
                ok = "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)
            except zipfile.BadZipFile:
                ok = False
            finally:
                uploaded.seek(0)
    else:
        ok = b"\x00" not in head
        if ok:
            try:
                head.decode("utf-8")
            except UnicodeDecodeError as e:  # a multi-byte character cut at the end of the sample is fine
                ok = e.start >= len(head) - 3
    if not ok:
        raise UploadRejected(_("%(name)s: the content is not a .%(ext)s file") % {"name": name, "ext": ext})
    return ext


@contextmanager
def staged(uploaded):
    """Write the upload to a temporary directory under its safe original name; yield the path.

    The temporary directory is removed afterwards; :func:`keep` copies a validated file into
    MEDIA_ROOT.
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
    """A fresh random directory below MEDIA_ROOT (returned relative to it)."""
    rel = f"analysis/{uuid.uuid4().hex}"
    (Path(settings.MEDIA_ROOT) / rel).mkdir(parents=True, exist_ok=False)
    return rel


def keep(staged_path: Path, rel_dir: str) -> str:
    """Copy a validated staged file into the run directory; return its path relative to MEDIA_ROOT."""
    dest = Path(settings.MEDIA_ROOT) / rel_dir / staged_path.name
    shutil.copyfile(staged_path, dest)
    return f"{rel_dir}/{staged_path.name}"


def absolute(rel: str) -> Path:
    """Absolute path of a path relative to MEDIA_ROOT, refusing anything that escapes it."""
    root = Path(settings.MEDIA_ROOT).resolve()
    p = (root / rel).resolve()
    if root not in p.parents and p != root:
        raise UploadRejected("path outside the upload directory")
    return p
