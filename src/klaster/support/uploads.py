"""Uploaded documents of support applications: which types, how big, where they are stored.

The checks themselves are the project's one upload check, :func:`klaster.common.files.check_upload`
(the content identified by a detector and agreeing with the extension; a PDF must open in a PDF
library — a file that starts with ``%PDF`` and is something else is refused —; DOCX and XLSX
must be real OOXML packages, no ZIP bombs). This module only says what the support app accepts:
the types of :data:`TYPES`, at most :func:`max_bytes` (setting ``KLASTER_SUPPORT_UPLOAD_MAX_MB``,
default 10 MB — a technical limit, not a legal one). Files are stored under
``settings.MEDIA_ROOT`` (outside the web root) with random names (:func:`storage_name`) and served
only by a permission-checked view.
"""

from __future__ import annotations

import uuid

from django.conf import settings

from klaster.common import files
from klaster.common.files import CheckedUpload, UploadRejected  # noqa: F401 - the one upload refusal, re-exported

DEFAULT_MAX_MB = 10

#: extension → MIME type of the files a support application accepts
TYPES: dict[str, str] = {ext: files.MIME[ext] for ext in ("pdf", "docx", "xlsx", "jpg", "jpeg", "png")}


def max_bytes() -> int:
    """Largest accepted file in bytes (``KLASTER_SUPPORT_UPLOAD_MAX_MB`` MB)."""
    return int(getattr(settings, "KLASTER_SUPPORT_UPLOAD_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024


def check_upload(uploaded) -> CheckedUpload:
    """Check an uploaded file (a Django ``UploadedFile``) against the support app's types and size.

    Returns
    -------
    CheckedUpload
        Extension, MIME type, size (bytes), SHA-256 and, for a PDF, its pages.

    Raises
    ------
    UploadRejected
        Empty or larger than :func:`max_bytes`; extension not in :data:`TYPES`; content not of the
        type the extension says (see :func:`klaster.common.files.check_upload`).
    """
    return files.check_upload(uploaded, allowed=tuple(TYPES), max_bytes=max_bytes())


def storage_name(instance, filename: str) -> str:
    """Random storage path below MEDIA_ROOT: ``support/<yyyy>/<uuid4>.<ext>`` (the original
    name is kept in the database only)."""
    import datetime as dt

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    if ext not in TYPES:
        ext = "bin"
    return f"support/{dt.date.today():%Y}/{uuid.uuid4().hex}.{ext}"
