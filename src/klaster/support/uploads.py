"""Checks of uploaded documents of support applications: size, extension and content.

A file is accepted when its extension is one of :data:`TYPES` *and* its first bytes are the
signature of that type (PDF ``%PDF-``; JPEG ``FF D8 FF``; PNG ``89 50 4E 47 0D 0A 1A 0A``;
DOCX and XLSX are ZIP containers ``PK 03 04`` holding ``[Content_Types].xml`` and ``word/`` or
``xl/`` respectively), and its size is at most :func:`max_bytes` (setting
``KLASTER_SUPPORT_UPLOAD_MAX_MB``, default 10 MB — a technical limit, not a legal one).
Files are stored under ``settings.MEDIA_ROOT`` (outside the web root) with random names and
served only by a permission-checked view.
"""

from __future__ import annotations

import hashlib
import uuid
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_noop as _

from klaster.common.money import format_number
from klaster.register.i18n import Refusal

DEFAULT_MAX_MB = 10

#: extension → (MIME type, leading signature)
TYPES: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF-"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}
ZIP_PART = {"docx": "word/", "xlsx": "xl/"}


class _Num:
    """A number shown in the active language (kk/ru ``1,5``; en ``1.5``)."""

    def __init__(self, value: Decimal, decimals: int):
        self.value, self.decimals = value, decimals

    def __str__(self) -> str:
        return format_number(self.value, (get_language() or "en")[:2], decimals=self.decimals)


class UploadRejected(Refusal):
    """The file is too big or is not of an accepted type; the message says which and why."""


@dataclass(frozen=True)
class CheckedUpload:
    ext: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    """Largest accepted file in bytes (``KLASTER_SUPPORT_UPLOAD_MAX_MB`` MB)."""
    return int(getattr(settings, "KLASTER_SUPPORT_UPLOAD_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024


def check_upload(uploaded) -> CheckedUpload:
    """Check an uploaded file (a Django ``UploadedFile``) and return its type, size and SHA-256.

    Raises
    ------
    UploadRejected
        Empty or too big; extension not accepted; content does not match the extension
        (signature, or a ZIP that is not a DOCX/XLSX package).
    """
    name = uploaded.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in TYPES:
        raise UploadRejected(_("%(name)s: files of type .%(ext)s are not accepted; accepted: %(accepted)s"), name=name, ext=ext or "?", accepted=sorted(TYPES))
    limit = max_bytes()
    if uploaded.size > limit:
        raise UploadRejected(_("%(name)s: %(size)s MB exceeds the limit of %(limit)s MB"), name=name, size=_Num(Decimal(uploaded.size) / 1048576, 1), limit=limit // 1048576)
    if uploaded.size == 0:
        raise UploadRejected(_("%(name)s: the file is empty"), name=name)
    content_type, magic = TYPES[ext]
    uploaded.seek(0)
    head = uploaded.read(len(magic))
    uploaded.seek(0)
    if head != magic:
        raise UploadRejected(_("%(name)s: the content is not a .%(ext)s file (its first bytes do not match)"), name=name, ext=ext)
    if ext in ZIP_PART:
        try:
            with zipfile.ZipFile(uploaded) as z:
                names = z.namelist()
        except zipfile.BadZipFile:
            raise UploadRejected(_("%(name)s: the content is not a .%(ext)s file (damaged ZIP container)"), name=name, ext=ext) from None
        finally:
            uploaded.seek(0)
        if "[Content_Types].xml" not in names or not any(n.startswith(ZIP_PART[ext]) for n in names):
            raise UploadRejected(_("%(name)s: the content is not a .%(ext)s file (no %(part)s part)"), name=name, ext=ext, part=ZIP_PART[ext])
    h = hashlib.sha256()
    for chunk in uploaded.chunks():
        h.update(chunk)
    uploaded.seek(0)
    return CheckedUpload(ext=ext, content_type=content_type, size=uploaded.size, sha256=h.hexdigest())


def storage_name(instance, filename: str) -> str:
    """Random storage path below MEDIA_ROOT: ``support/<yyyy>/<uuid4>.<ext>`` (the original
    name is kept in the database only)."""
    import datetime as dt

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"support/{dt.date.today():%Y}/{uuid.uuid4().hex}.{ext}"
