"""Uploaded documents of support applications: size and type checks (extension and content, by
klaster.common.files), storage with random names under MEDIA_ROOT, downloads only for the owner and
the operator, audit; edits carry the application's version."""

import datetime as dt
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
from tests.support.helpers import fix_today, new_form, pdf_bytes

PDF = pdf_bytes()
D = dt.date
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
    ("fake.pdf", PNG, "it is .png"),
    ("fake.png", PDF, "it is .pdf"),
    ("renamed.docx", _xlsx(), "it is .xlsx"),
    ("renamed.xlsx", _docx(), "it is .docx"),
    ("header-only.pdf", b"%PDF-1.4\n%%EOF\n", "does not open as a PDF"),
    ("dropper.pdf", b"%PDF-1.4\n" + b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode.", "does not open as a PDF"),
    ("archive.docx", _plain_zip(), "no word/"),
    ("broken.docx", b"PK\x03\x04garbage", "damaged"),
    ("empty.pdf", b"", "empty"),
])
def test_refused_types(name, content, why):
    with pytest.raises(uploads.UploadRejected, match=why):
        uploads.check_upload(SimpleUploadedFile(name, content))


def test_size_limit_is_a_setting(settings):
    settings.KLASTER_SUPPORT_UPLOAD_MAX_MB = 1
    ok = PDF + b"\n" * (1024 * 1024 - len(PDF))
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
    r = owner.post(f"/support/{app.pk}/documents/", {"code": "charter", "version": app.version, "file": SimpleUploadedFile("Устав.pdf", PDF)})
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
    app.refresh_from_db()
    assert _client(world.users["applicant_b"]).post(f"/support/{app.pk}/documents/", {"code": "contract", "version": app.version, "file": SimpleUploadedFile("c.pdf", PDF)}).status_code == 403
    assert _client(world.users["applicant_b"]).post(f"/support/documents/{doc.pk}/remove/", {"version": app.version}).status_code == 403
    assert ApplicationDocument.objects.filter(application=app).count() == 1
    # the owner removes it: the item is no longer provided, the file is gone after the commit
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.post(f"/support/documents/{doc.pk}/remove/", {"version": app.version}).status_code == 302
    app.refresh_from_db()
    assert "charter" not in app.documents and not stored.exists()


@pytest.mark.parametrize("name,content,message", [
    ("big.pdf", None, "exceeds the limit"),
    ("contract.pdf", PNG, "it is .png"),
    ("contract.exe", b"MZ", "not accepted"),
    ("contract.pdf", b"%PDF-1.7\nMZ\x90\x00" + b"\x00" * 64, "does not open as a PDF"),
])
def test_refused_upload_writes_nothing(world, settings, name, content, message):
    settings.KLASTER_SUPPORT_UPLOAD_MAX_MB = 1
    content = content if content is not None else PDF + b"\n" * (1024 * 1024)
    app = _draft(world)
    r = _client(world.users["applicant"]).post(f"/support/{app.pk}/documents/", {"code": "contract", "version": app.version, "file": SimpleUploadedFile(name, content)}, follow=True)
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
    r = _client(world.users["applicant"]).post(f"/support/{app.pk}/documents/", {"code": "contract", "version": app.version, "file": SimpleUploadedFile("c.pdf", PDF)}, follow=True)
    assert not ApplicationDocument.objects.exists() and "this step needs" in r.content.decode()


def test_new_application_with_files_is_all_or_nothing(world, settings):
    c = _client(world.users["applicant"])
    base = new_form("5b", world.member_a, [{"description": "plan", "amount": "50000000", "incurred_on": "2024-02-01"}])
    n = Application.objects.count()
    # one good file and one disguised file: nothing is created, the reason is shown
    r = c.post("/support/new/", {**base, "file-charter": SimpleUploadedFile("ch.pdf", PDF), "file-contract": SimpleUploadedFile("ct.pdf", PNG)})
    assert r.status_code == 200 and "it is .png" in r.content.decode()
    assert Application.objects.count() == n and not ApplicationDocument.objects.exists()
    r = c.post("/support/new/", {**base, "file-charter": SimpleUploadedFile("ch.pdf", PDF), "file-contract": SimpleUploadedFile("ct.docx", _docx())})
    assert r.status_code == 302
    app = Application.objects.exclude(pk=world.app_a.pk).get()
    assert app.status == "registered" and {"charter", "contract"} <= set(app.documents)
    assert sorted(d.code for d in app.files.all()) == ["charter", "contract"]


def test_a_refused_new_application_leaves_no_file(world, settings):
    """The files are checked and stored, then the registration is refused (instrument 4, 1) needs
    the enterprise size, which neither the form nor the participant gives): no row, no file."""
    c = _client(world.users["applicant"])
    world.member_a.size = ""
    world.member_a.save()
    data = new_form("4a", world.member_a, [{"description": "diagnostics", "amount": "1000000", "incurred_on": "2024-02-01"}])
    n = Application.objects.count()
    r = c.post("/support/new/", {**data, "file-charter": SimpleUploadedFile("ch.pdf", PDF)})
    assert r.status_code == 200 and "enterprise size" in r.content.decode()
    assert Application.objects.count() == n and not ApplicationDocument.objects.exists()
    root = Path(settings.MEDIA_ROOT)
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def _two_sessions(world, app):
    """The owner opens the application page in two tabs: both show the same version."""
    versions = []
    for _ in range(2):
        r = _client(world.users["applicant"]).get(f"/support/{app.pk}/")
        versions.append(r.context["a"].version)
    assert versions[0] == versions[1]
    return versions[0]


def test_second_writer_of_a_draft_gets_409_and_the_first_change_stays(world, settings):
    app = _draft(world)
    v = _two_sessions(world, app)
    owner = _client(world.users["applicant"])
    r1 = owner.post(f"/support/{app.pk}/documents/", {"code": "charter", "version": v, "file": SimpleUploadedFile("charter.pdf", PDF)})
    assert r1.status_code == 302
    r2 = owner.post(f"/support/{app.pk}/documents/", {"code": "contract", "version": v, "file": SimpleUploadedFile("contract.pdf", PDF)})
    assert r2.status_code == 409 and "changed by someone else" in r2.content.decode()
    assert [d.code for d in app.files.all()] == ["charter"]
    app.refresh_from_db()
    assert app.documents == ["charter"]
    root = Path(settings.MEDIA_ROOT)
    assert len([p for p in root.rglob("*") if p.is_file()]) == 1  # the refused upload left no file
    # removing with the stale version is refused too; with the current one it works
    doc = app.files.get()
    assert owner.post(f"/support/documents/{doc.pk}/remove/", {"version": v}).status_code == 409
    assert app.files.count() == 1
    assert owner.post(f"/support/documents/{doc.pk}/remove/", {"version": app.version}).status_code == 302
    assert app.files.count() == 0


def test_second_resubmission_gets_409_with_its_ticks_kept(world, monkeypatch):
    """A returned application: one tab uploads the plan (the application changes), the other tab,
    loaded before, re-registers with its ticks: 409, nothing registered, the ticks are on the page."""
    from klaster.common import dates

    fix_today(monkeypatch, dates.today())
    app = _draft(world)
    domain.add_cost(actor=world.users["applicant"], application=app, description="plan", amount=50_000_000, incurred_on=D(2024, 2, 1))
    domain.register(actor=world.users["applicant"], application=app)
    domain.check_completeness(actor=world.users["organizer"], application=app)
    app.refresh_from_db()
    assert app.status == "incomplete"
    v = _two_sessions(world, app)
    owner = _client(world.users["applicant"])
    assert owner.post(f"/support/{app.pk}/documents/", {"code": "efficiency-plan", "version": v, "file": SimpleUploadedFile("plan.pdf", PDF)}).status_code == 302
    r = owner.post(f"/support/{app.pk}/resubmit/", {"version": v, "documents": ["charter", "tax-paid"]})
    assert r.status_code == 409
    html = r.content.decode()
    assert 'value="tax-paid" checked' in html and 'value="contract" checked' not in html
    app.refresh_from_db()
    assert app.status == "incomplete" and "efficiency-plan" in app.documents and "tax-paid" not in app.documents
