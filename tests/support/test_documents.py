"""Uploaded documents of support applications: size and type checks (extension and content),
storage with random names under MEDIA_ROOT, downloads only for the owner and the operator, audit."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from docx import Document
from openpyxl import Workbook

from klaster.common.models import AuditEntry
from klaster.support import domain, uploads
from klaster.support.models import Application, ApplicationDocument
from tests.conftest import make_user
from tests.register.world import build_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _docx() -> bytes:
    buf = io.BytesIO()
    Document().save(buf)
    return buf.getvalue()


def _xlsx() -> bytes:
    buf = io.BytesIO()
    Workbook().save(buf)
    return buf.getvalue()


def _plain_zip() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not an office document")
    return buf.getvalue()


@pytest.mark.parametrize("name,content,ctype", [
    ("charter.pdf", PDF, "application/pdf"),
    ("scan.PNG", PNG, "image/png"),
    ("scan.jpg", JPEG, "image/jpeg"),
    ("contract.docx", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("invoice.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_accepted_types(name, content, ctype):
    c = uploads.check_upload(SimpleUploadedFile(name, content))
    assert c.content_type == ctype and c.size == len(content)
    import hashlib

    assert c.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("name,content,why", [
    ("tool.exe", b"MZ\x90\x00", "not accepted"),
    ("noext", PDF, "not accepted"),
    ("fake.pdf", PNG, "first bytes"),
    ("fake.png", PDF, "first bytes"),
    ("renamed.docx", _xlsx(), "no word/"),
    ("renamed.xlsx", _docx(), "no xl/"),
    ("archive.docx", _plain_zip(), "no word/"),
    ("broken.docx", b"PK\x03\x04garbage", "damaged"),
    ("empty.pdf", b"", "empty"),
])
def test_refused_types(name, content, why):
    with pytest.raises(uploads.UploadRejected, match=why):
        uploads.check_upload(SimpleUploadedFile(name, content))


def test_size_limit_is_a_setting(settings):
    settings.KLASTER_SUPPORT_UPLOAD_MAX_MB = 1
    ok = PDF + b"0" * (1024 * 1024 - len(PDF))
    assert uploads.check_upload(SimpleUploadedFile("a.pdf", ok)).size == 1024 * 1024
    with pytest.raises(uploads.UploadRejected, match="exceeds the limit of 1 MB"):
        uploads.check_upload(SimpleUploadedFile("a.pdf", ok + b"0"))


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return build_world(make_user)


def _client(user):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"  # messages are asserted in English
    return c


def _draft(world):
    app = domain.create_application(actor=world.users["applicant"], participant=world.member_a, component="5b", cluster=world.a)
    return app


def test_upload_download_and_audit(world, settings, django_capture_on_commit_callbacks):
    app = _draft(world)
    owner = _client(world.users["applicant"])
    r = owner.post(f"/support/{app.pk}/documents/", {"code": "charter", "file": SimpleUploadedFile("Устав.pdf", PDF)})
    assert r.status_code == 302
    (doc,) = ApplicationDocument.objects.filter(application=app)
    app.refresh_from_db()
    assert "charter" in app.documents
    stored = Path(doc.file.path)
    # under MEDIA_ROOT, random name (not the original), the original name kept in the DB
    assert stored.is_file() and stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "Устав" not in stored.name and len(stored.stem) == 32 and doc.original_name == "Устав.pdf"
    assert not Path(settings.MEDIA_ROOT).is_relative_to(Path(settings.STATIC_ROOT))
    assert AuditEntry.objects.filter(action="support.document.upload").count() == 1
    for who in ("applicant", "organizer"):
        r = _client(world.users[who]).get(f"/support/documents/{doc.pk}/")
        assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
        assert r["Content-Type"] == "application/pdf" and "attachment" in r["Content-Disposition"]
        assert r["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="support.document.download").count() == 2
    # the other cluster's applicant, other roles, anonymous
    assert _client(world.users["applicant_b"]).get(f"/support/documents/{doc.pk}/").status_code == 403
    for who in ("analyst", "akimat", "expert", "administrator"):
        assert _client(world.users[who]).get(f"/support/documents/{doc.pk}/").status_code == 403
    assert Client().get(f"/support/documents/{doc.pk}/").status_code == 302
    # the files are not published under /media/
    assert Client().get("/media/" + doc.file.name).status_code == 404
    # the other applicant can neither upload to nor remove from this application
    assert _client(world.users["applicant_b"]).post(f"/support/{app.pk}/documents/", {"code": "contract", "file": SimpleUploadedFile("c.pdf", PDF)}).status_code == 403
    assert _client(world.users["applicant_b"]).post(f"/support/documents/{doc.pk}/remove/").status_code == 403
    assert ApplicationDocument.objects.filter(application=app).count() == 1
    # the owner removes it: the item is no longer provided, the file is gone
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.post(f"/support/documents/{doc.pk}/remove/").status_code == 302
    app.refresh_from_db()
    assert "charter" not in app.documents and not stored.exists()


@pytest.mark.parametrize("name,content,message", [
    ("big.pdf", None, "exceeds the limit"),
    ("contract.pdf", PNG, "first bytes"),
    ("contract.exe", b"MZ", "not accepted"),
])
def test_refused_upload_writes_nothing(world, settings, name, content, message):
    settings.KLASTER_SUPPORT_UPLOAD_MAX_MB = 1
    content = content if content is not None else PDF + b"0" * (1024 * 1024)
    app = _draft(world)
    r = _client(world.users["applicant"]).post(f"/support/{app.pk}/documents/", {"code": "contract", "file": SimpleUploadedFile(name, content)}, follow=True)
    assert message in r.content.decode()
    assert not ApplicationDocument.objects.exists()
    app.refresh_from_db()
    assert app.documents == []
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*")) if Path(settings.MEDIA_ROOT).exists() else True


def test_item_outside_the_checklist_refused(world):
    app = _draft(world)
    with pytest.raises(domain.SupportError, match="not in the list"):
        domain.attach_document(actor=world.users["applicant"], application=app, code="passport-of-the-director", uploaded=SimpleUploadedFile("a.pdf", PDF))


def test_no_uploads_after_registration(world):
    app = world.app_a  # registered
    r = _client(world.users["applicant"]).post(f"/support/{app.pk}/documents/", {"code": "contract", "file": SimpleUploadedFile("c.pdf", PDF)}, follow=True)
    assert not ApplicationDocument.objects.exists() and "this step needs" in r.content.decode()


def test_new_application_with_files_is_all_or_nothing(world, settings):
    c = _client(world.users["applicant"])
    base = {"component": "5b", "participant": world.member_a.pk, "costs": "plan; 50000000; 2024-02-01"}
    n = Application.objects.count()
    # one good file and one disguised file: nothing is created, the reason is shown
    r = c.post("/support/new/", {**base, "file-charter": SimpleUploadedFile("ch.pdf", PDF), "file-contract": SimpleUploadedFile("ct.pdf", PNG)})
    assert r.status_code == 200 and "first bytes" in r.content.decode()
    assert Application.objects.count() == n and not ApplicationDocument.objects.exists()
    r = c.post("/support/new/", {**base, "file-charter": SimpleUploadedFile("ch.pdf", PDF), "file-contract": SimpleUploadedFile("ct.docx", _docx())})
    assert r.status_code == 302
    app = Application.objects.exclude(pk=world.app_a.pk).get()
    assert app.status == "registered" and {"charter", "contract"} <= set(app.documents)
    assert sorted(d.code for d in app.files.all()) == ["charter", "contract"]
