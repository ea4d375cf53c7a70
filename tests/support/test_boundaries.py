"""Every support URL, as the applicant and as the organizer, with malformed values in every field
the views read (and in the path): no server error, no row changed.

(The project-wide walk is tests/security/test_boundaries.py; this one covers the support app's
fields by name, so that a new field without a form fails here.)
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from klaster.common.models import AuditEntry
from klaster.support import domain
from klaster.support.models import Agreement, Application, ApplicationDocument, CostLine
from tests.conftest import make_user
from tests.register.world import build_world
from tests.support.helpers import fix_today, pdf_bytes

VALUES = ["abc", "9" * 30, "1e30", "NaN", "\u2212500\u00a0000", "", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 <script>", "31.02.2024", "9999-12-31"]
FIELDS = ["component", "rows", "participant", "procedure", "oked_codes", "activity_since", "size", "declarations", "base_ciw", "executor_kind",
          "executor_years", "executor_projects", "documents", "costs-TOTAL_FORMS", "costs-INITIAL_FORMS", "costs-0-description", "costs-0-amount",
          "costs-0-incurred_on", "costs-0-unit_id", "costs-0-kind", "costs-0-budget_funded", "action", "on", "reason", "note", "version", "code"]


@pytest.fixture
def world(db, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    w = build_world(make_user)
    fix_today(monkeypatch, dt.date(2024, 6, 14))
    draft = domain.create_application(actor=w.users["applicant"], participant=w.member_a, component="5b", cluster=w.a)
    doc = domain.attach_document(actor=w.users["applicant"], application=draft, code="charter", uploaded=SimpleUploadedFile("c.pdf", pdf_bytes()))
    return w, draft, doc


def _snapshot():
    return (
        list(Application.objects.order_by("pk").values_list("pk", "status", "version", "documents", "events", "amount")),
        CostLine.objects.count(), ApplicationDocument.objects.count(), Agreement.objects.count(), AuditEntry.objects.count(),
    )


def test_malformed_values_everywhere(world):
    w, draft, doc = world
    a, d = w.app_a.pk, draft.pk
    urls = ["/support/", "/support/new/", f"/support/{a}/", f"/support/{a}/action/", f"/support/{d}/resubmit/", f"/support/{d}/documents/",
            f"/support/documents/{doc.pk}/", f"/support/documents/{doc.pk}/remove/"]
    bad_paths = [u.replace(str(x), v) for u in urls for x in (a, d, doc.pk) if f"/{x}/" in u for v in ("9" * 30, "0", "00")]
    clients = {}
    for who in ("applicant", "organizer"):
        c = Client(raise_request_exception=False)
        c.force_login(w.users[who])
        clients[who] = c
    before = _snapshot()
    problems = []
    for who, c in clients.items():
        for url in bad_paths:
            for method in (c.get, c.post):
                r = method(url, {"version": "0", "action": "completeness"})
                if r.status_code >= 500 or r.status_code not in (403, 404, 405):
                    problems.append(f"{url} as {who}: {r.status_code} (should be 403/404/405)")
        for url in urls:
            for value in VALUES:
                data = {f: value for f in FIELDS}
                get = c.get(url, data)
                post = c.post(url, {**data, "file": SimpleUploadedFile(value or "x", b"%PDF-1.4\nMZ")})
                for method, r in (("GET", get), ("POST", post)):
                    if r.status_code >= 500:
                        problems.append(f"{method} {url} as {who} with {value!r}: {r.status_code}")
            # each field alone, the rest absent
            for f in FIELDS:
                r = c.post(url, {f: "9" * 30})
                if r.status_code >= 500:
                    problems.append(f"POST {url} as {who} with {f}=30 digits: {r.status_code}")
        AuditEntry.objects.filter(action="support.document.download").delete()  # a download is audited, and legitimate
    assert not problems, "\n".join(problems[:30])
    assert _snapshot() == before
