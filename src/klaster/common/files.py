"""Files at the boundary: the one place that accepts uploads, reads spreadsheets and keeps the
upload directory free of orphans.

Uploads (:func:`check_upload`)
    The type is identified from the content by a well-kept detector (``filetype``), not from
    four bytes, and must agree with the file's extension; a PDF must open in a PDF library
    (``pypdf``: its pages are counted — a file that starts with ``%PDF`` but is something else is
    refused); DOCX and XLSX must be real OOXML packages (``[Content_Types].xml`` and their
    ``word/`` / ``xl/`` part) whose uncompressed size stays within :data:`MAX_UNCOMPRESSED`
    (no ZIP bombs); CSV must be UTF-8 text. Sizes are checked against the caller's limit; the
    request body as a whole is refused before it is read when larger than
    ``settings.MAX_UPLOAD_BYTES`` (:class:`MaxBodyMiddleware`, 413).

Spreadsheets (:func:`open_xlsx`)
    openpyxl in read-only streaming mode, the declared dimension ignored (a 1.5 KB file may
    declare ``A1:XFD1048576``), with limits on sheets, rows, columns and cells counted while
    streaming: a file over a limit is refused within a second, naming the sheet and row.

Orphans (:class:`UploadStorage`, :class:`UploadCleanupMiddleware`, :func:`discard`, :func:`orphans`)
    A file written during a request whose row was rolled back (a refused request) is removed
    when the request ends; a replaced or deleted file is removed after the transaction commits,
    once no row refers to it any more (package versions share the files of earlier versions).
    ``klaster files orphans [--delete]`` lists (and removes) files no row refers to.

Errors
------
UploadRejected
    A :class:`~klaster.common.refusals.Refusal` naming the file (and sheet, row) and the rule.
"""

from __future__ import annotations

import contextvars
import hashlib
import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as _

from klaster.common.refusals import Refusal

log = logging.getLogger(__name__)

#: extension → MIME type of the accepted kinds of upload
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "csv": "text/csv",
}
OOXML_PART = {"docx": "word/", "xlsx": "xl/"}
#: Largest total uncompressed size of a DOCX/XLSX package (a technical limit against ZIP bombs).
MAX_UNCOMPRESSED = 200 * 1024 * 1024
#: Largest compression ratio of one member of a DOCX/XLSX package.
MAX_RATIO = 200


class UploadRejected(Refusal):
    """The file is too big, empty, or not what its name says; the message says which and why."""


@dataclass(frozen=True)
class CheckedUpload:
    """What :func:`check_upload` learnt: extension, MIME type, size (bytes), SHA-256 and, for a
    PDF, its number of pages."""

    ext: str
    content_type: str
    size: int
    sha256: str
    pages: int | None = None


def _ext(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _read_all(uploaded) -> bytes:
    uploaded.seek(0)
    data = b"".join(uploaded.chunks()) if hasattr(uploaded, "chunks") else uploaded.read()
    uploaded.seek(0)
    return data


def _check_zip(name: str, data: bytes, ext: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRejected(_("%(name)s: the content is not a .%(ext)s file (damaged ZIP container)"), name=name, ext=ext) from None
    names = [i.filename for i in infos]
    if "[Content_Types].xml" not in names or not any(n.startswith(OOXML_PART[ext]) for n in names):
        raise UploadRejected(_("%(name)s: the content is not a .%(ext)s file (no %(part)s part)"), name=name, ext=ext, part=OOXML_PART[ext])
    total = sum(i.file_size for i in infos)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > MAX_UNCOMPRESSED or worst > MAX_RATIO:
        raise UploadRejected(_("%(name)s: the package unpacks to %(size)s MB (ratio %(ratio)s); at most %(limit)s MB and ratio %(max_ratio)s are accepted"),
                             name=name, size=round(total / 1048576, 1), ratio=int(worst), limit=MAX_UNCOMPRESSED // 1048576, max_ratio=MAX_RATIO)


def _pdf_pages(name: str, data: bytes) -> int:
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected(_("%(name)s: the PDF is encrypted; upload it without a password"), name=name)
        n = len(reader.pages)
    except UploadRejected:
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many kinds of errors on a file that is not a PDF
        raise UploadRejected(_("%(name)s: the content is not a .%(ext)s file (it does not open as a PDF)"), name=name, ext="pdf") from None
    if n < 1:
        raise UploadRejected(_("%(name)s: the PDF has no pages"), name=name)
    return n


def check_upload(uploaded, *, allowed: Sequence[str], max_bytes: int) -> CheckedUpload:
    """Check an uploaded file (a Django ``UploadedFile`` or any object with ``name``, ``size``,
    ``read``/``seek``) and return what it is.

    Parameters
    ----------
    uploaded : UploadedFile
    allowed : sequence of str
        Accepted extensions (keys of :data:`MIME`).
    max_bytes : int
        Largest accepted size in bytes.

    Raises
    ------
    UploadRejected
        Extension not accepted; empty; larger than ``max_bytes``; content not of the type the
        extension says (detector, PDF library, OOXML package, UTF-8 text); a ZIP bomb.
    """
    import filetype

    name = Path(uploaded.name or "").name
    ext = _ext(name)
    if ext not in allowed:
        raise UploadRejected(_("%(name)s: files of type .%(ext)s are not accepted; accepted: %(accepted)s"),
                             name=name, ext=ext or "?", accepted=", ".join(f".{a}" for a in allowed))
    size = uploaded.size
    if size is None or size > max_bytes:
        raise UploadRejected(_("%(name)s: %(size)s MB exceeds the limit of %(limit)s MB"), name=name,
                             size=round((size or 0) / 1048576, 1), limit=max_bytes // 1048576)
    if size == 0:
        raise UploadRejected(_("%(name)s: the file is empty"), name=name)
    data = _read_all(uploaded)
    pages = None
    if ext == "csv":
        if b"\x00" in data:
            raise UploadRejected(_("%(name)s: the content is not a .%(ext)s file (binary data)"), name=name, ext=ext)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise UploadRejected(_("%(name)s: the text is not UTF-8; save the file as CSV UTF-8"), name=name) from None
    else:
        kind = filetype.guess(data[:8192])
        found = kind.extension if kind else None
        expected = {"jpeg": "jpg"}.get(ext, ext)
        ok = found == expected or (ext in OOXML_PART and found == "zip")
        if not ok:
            raise UploadRejected(_("%(name)s: the content is not a .%(ext)s file (it is %(found)s)"), name=name, ext=ext,
                                 found=f".{found}" if found else gettext_lazy("of an unknown type"))
        if ext in OOXML_PART:
            _check_zip(name, data, ext)
        elif ext == "pdf":
            pages = _pdf_pages(name, data)
    return CheckedUpload(ext=ext, content_type=MIME[ext], size=size, sha256=hashlib.sha256(data).hexdigest(), pages=pages)


# ------------------------------------------------------------------------------------------------ spreadsheets


@dataclass(frozen=True)
class XlsxLimits:
    """Limits of a spreadsheet read by :func:`open_xlsx` (technical limits, not legal ones)."""

    max_sheets: int = 20
    max_rows: int = 100_000
    max_cols: int = 200
    max_cells: int = 2_000_000
    max_bytes: int = 20 * 1024 * 1024


class XlsxBook:
    """A workbook opened for streaming: sheet names and bounded row iterators.

    Use :meth:`rows` for the values of a sheet; each call streams the sheet again.
    """

    def __init__(self, wb, name: str, limits: XlsxLimits):
        self._wb, self.name, self.limits = wb, name, limits
        self._cells = 0

    @property
    def sheetnames(self) -> list[str]:
        return list(self._wb.sheetnames)

    def rows(self, sheet: str | int = 0) -> Iterator[tuple]:
        """Values of the rows of ``sheet`` (name or index), trailing empty cells trimmed.

        Raises
        ------
        UploadRejected
            More rows, columns or cells than the limits (naming the sheet and row), or a
            damaged sheet.
        KeyError
            No such sheet.
        """
        ws = self._wb[sheet] if isinstance(sheet, str) else self._wb.worksheets[sheet]
        ws.reset_dimensions()  # the declared range may be anything; stream what is there
        lim = self.limits
        n = 0
        try:
            for row in ws.iter_rows(values_only=True):
                n += 1
                if n > lim.max_rows:
                    raise UploadRejected(_("%(name)s, sheet %(sheet)s: more than %(limit)s rows"), name=self.name, sheet=ws.title, limit=lim.max_rows)
                if len(row) > lim.max_cols:
                    last = max((i for i, v in enumerate(row) if v is not None), default=-1) + 1
                    if last > lim.max_cols:
                        raise UploadRejected(_("%(name)s, sheet %(sheet)s, row %(row)s: more than %(limit)s columns"), name=self.name,
                                             sheet=ws.title, row=n, limit=lim.max_cols)
                    row = row[:last]
                self._cells += len(row)
                if self._cells > lim.max_cells:
                    raise UploadRejected(_("%(name)s: more than %(limit)s cells"), name=self.name, limit=lim.max_cells)
                while row and row[-1] is None:
                    row = row[:-1]
                yield row
        except UploadRejected:
            raise
        except Exception:  # noqa: BLE001 - a damaged sheet part: openpyxl raises many kinds
            raise UploadRejected(_("%(name)s, sheet %(sheet)s: the sheet cannot be read (row %(row)s)"), name=self.name, sheet=ws.title, row=n + 1) from None

    def close(self) -> None:
        self._wb.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_xlsx(source, *, name: str = "", limits: XlsxLimits | None = None) -> XlsxBook:
    """Open an XLSX workbook (bytes, a path or a file object) for bounded streaming reads.

    Raises
    ------
    UploadRejected
        Too big, not an XLSX package, a ZIP bomb, too many sheets, or unreadable.
    """
    import openpyxl

    lim = limits or XlsxLimits()
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif isinstance(source, (str, Path)):
        p = Path(source)
        name = name or p.name
        if p.stat().st_size > lim.max_bytes:
            raise UploadRejected(_("%(name)s: %(size)s MB exceeds the limit of %(limit)s MB"), name=name,
                                 size=round(p.stat().st_size / 1048576, 1), limit=lim.max_bytes // 1048576)
        data = p.read_bytes()
    else:
        name = name or Path(getattr(source, "name", "") or "").name
        data = _read_all(source)
    name = name or "workbook.xlsx"
    if len(data) > lim.max_bytes:
        raise UploadRejected(_("%(name)s: %(size)s MB exceeds the limit of %(limit)s MB"), name=name,
                             size=round(len(data) / 1048576, 1), limit=lim.max_bytes // 1048576)
    if not data.startswith(b"PK\x03\x04"):
        raise UploadRejected(_("%(name)s: the content is not a .%(ext)s file (damaged ZIP container)"), name=name, ext="xlsx")
    _check_zip(name, data, "xlsx")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable workbook is the user's file's problem
        raise UploadRejected(_("%(name)s: not a readable XLSX file (%(error)s)"), name=name, error=e.__class__.__name__) from None
    if len(wb.sheetnames) > lim.max_sheets:
        wb.close()
        raise UploadRejected(_("%(name)s: %(count)s sheets; at most %(limit)s are accepted"), name=name, count=len(wb.sheetnames), limit=lim.max_sheets)
    return XlsxBook(wb, name, lim)


# ------------------------------------------------------------------------------------------------ orphans

_written: contextvars.ContextVar[list | None] = contextvars.ContextVar("klaster_files_written", default=None)


class UploadStorage(FileSystemStorage):
    """The default file storage (``MEDIA_ROOT``, outside the web root) that remembers the files
    written during the current request, so that :class:`UploadCleanupMiddleware` can remove those
    whose row was rolled back."""

    def _save(self, name, content):
        saved = super()._save(name, content)
        names = _written.get()
        if names is not None:
            names.append(saved)
        return saved


def _file_fields():
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, models.FileField):
                yield model, f.name


def is_referenced(name: str) -> bool:
    """Whether any row's file field refers to the stored file ``name``."""
    return any(model._default_manager.filter(**{field: name}).exists() for model, field in _file_fields())


def _delete_if_unreferenced(name: str) -> None:
    from django.core.files.storage import default_storage

    try:
        if name and not is_referenced(name):
            default_storage.delete(name)
    except (DatabaseError, OSError) as e:  # never turn a clean-up into a user's error
        log.warning("could not clean up %s: %s", name, e)


def discard(name: str) -> None:
    """Remove the stored file ``name`` once the current transaction commits, if no row refers
    to it then (a replaced or deleted document; another package version may share it)."""
    if name:
        transaction.on_commit(lambda: _delete_if_unreferenced(name))


class UploadCleanupMiddleware:
    """Remove, at the end of each request, the files written during it that no row refers to
    (the request was refused and its transaction rolled back)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _written.set([])
        try:
            return self.get_response(request)
        finally:
            names = _written.get() or []
            _written.reset(token)
            for name in names:
                _delete_if_unreferenced(name)


class MaxBodyMiddleware:
    """Refuse a request whose declared body is larger than ``settings.MAX_UPLOAD_BYTES`` with
    413, before anything reads the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = int(getattr(settings, "MAX_UPLOAD_BYTES", 25 * 1024 * 1024))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            from django.shortcuts import render

            request.upload_handlers = []
            return render(request, "common/too_large.html", {"limit_mb": limit // 1048576, "size_mb": round(length / 1048576, 1)}, status=413)
        return self.get_response(request)


def orphans() -> list[str]:
    """Files below ``MEDIA_ROOT`` that no row refers to (analysis run directories are kept by
    their runs and are not listed)."""
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    referenced: set[str] = set()
    for model, field in _file_fields():
        referenced.update(n for n in model._default_manager.values_list(field, flat=True) if n)
    out = []
    for p in sorted(root.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(root).as_posix()
        if rel.startswith("analysis/"):
            continue
        if rel not in referenced:
            out.append(rel)
    return out


def sample_pdf(pages: int = 1) -> bytes:
    """A valid PDF of ``pages`` blank A4 pages (demo data and tests: what a scanned sample
    document would be; it passes :func:`check_upload`)."""
    from pypdf import PdfWriter

    w = PdfWriter()
    for _page in range(max(1, pages)):
        w.add_blank_page(595, 842)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()
