"""Issue 9 in the register: every request value through a bounded form, recorded days checked
against the events they follow and today, optimistic locking of participants, the XLSX import
through the common file checks, formula-safe exports and the act-in-force notice of eligibility.

Each test reproduces what the issue found (a server error, a silent fallback, a lost edit, a
live formula …) and asserts the behaviour that replaces it.
"""

from __future__ import annotations

import datetime as dt
import io
import signal
import time
import zipfile
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from klaster.accounts.roles import Role
from klaster.common import dates
from klaster.common.dates import DayRefused
from klaster.common.models import AuditEntry
from klaster.register.domain import RegisterError, services
from klaster.register.interfaces import xlsx
from klaster.register.models import ClusterStatus, InclusionApplication, Membership, Participant
from tests.conftest import make_user
from tests.xlsx_cases import declared_whole_sheet
from tests.register.world import KARAGANDA, bin_, build_world, pdf_bytes

D = dt.date


@pytest.fixture
def world(db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return build_world(make_user)


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    c.cookies["django_language"] = "en"  # messages are asserted in English
    return c


def _rows() -> tuple:
    """Row counts that a refused request must leave as they were."""
    return (Participant.objects.count(), Membership.objects.count(), InclusionApplication.objects.count(), AuditEntry.objects.count(),
            tuple(Membership.objects.order_by("pk").values_list("left_on", flat=True)),
            tuple(InclusionApplication.objects.order_by("pk").values_list("status", flat=True)))


@contextmanager
def deadline(seconds: int):
    """Fail (instead of hanging) when the block runs longer than ``seconds``."""
    def _raise(*_):
        raise TimeoutError(f"took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# ------------------------------------------------------------------------------------ ?date=

@pytest.mark.parametrize("value", ["2026-13-45", "garbage", "3000-01-01", "1900-01-01", "9" * 30, "2024-02-30"])
def test_a_malformed_register_date_is_a_visible_error(world, value):
    """Before: ``_day`` fell back to today without a word (and the 1900 register was computed)."""
    c = _client()
    r = c.get("/register/", {"date": value})
    assert r.status_code == 400
    assert r.context["day_form"].errors["date"]
    assert r.context["day"] == dates.today()
    assert 'class="errors"' in r.content.decode()
    assert c.get("/register/alpha/", {"date": value}).status_code == 400
    api = c.get("/register/api/clusters.json", {"date": value})
    assert api.status_code == 400 and "error" in api.json()
    assert c.get("/register/api/clusters/alpha.json", {"date": value}).status_code == 400
    for url in ("/register/export.xlsx", "/register/extract.docx"):
        r = c.get(url, {"date": value})
        assert r.status_code == 302 and r["Location"] == "/register/"


def test_dates_as_users_type_them_are_read(world):
    c = _client()
    assert c.get("/register/", {"date": "15.01.2024"}).context["day"] == D(2024, 1, 15)
    assert c.get("/register/api/clusters.json", {"date": "2024-01-15"}).json()["date"] == "2024-01-15"


# ------------------------------------------------------------------------------- inclusion

def test_a_malformed_decision_changes_nothing(world):
    """Before: any ``decision`` other than "approve" refused the inclusion; the note was unbounded."""
    app = InclusionApplication.objects.create(cluster=world.b, submitted_on=D(2024, 1, 10))
    c = _client(world.users["organizer"])
    before = _rows()
    for post in ({"decision": "maybe", "note": "reasons"}, {"decision": "", "note": "reasons"}, {"decision": "reject", "note": "x" * 5000}):
        r = c.post(f"/register/applications/{app.pk}/decide/", post, follow=True)
        assert r.status_code == 200
        assert [m for m in r.context["messages"] if m.level_tag == "error"]
    assert _rows() == before
    app.refresh_from_db()
    assert app.status == InclusionApplication.Status.SUBMITTED


def test_the_decision_is_dated_today_and_not_before_the_submission(world):
    today = dates.today()
    c = world.b
    c.status = ClusterStatus.APPLIED
    c.save()
    with pytest.raises(DayRefused, match="in the future"):
        services.submit_inclusion(actor=None, cluster=c, on=today + dt.timedelta(days=1))
    with pytest.raises(DayRefused, match="reason"):
        services.submit_inclusion(actor=None, cluster=c, on=today - dt.timedelta(days=3))
    app = services.submit_inclusion(actor=None, cluster=c, on=today - dt.timedelta(days=3), reason="paper application received by post")
    assert "paper application received by post" in AuditEntry.objects.get(action="register.inclusion.submit").note
    org = world.users["organizer"]
    before = _rows()
    with pytest.raises(DayRefused, match="before the submission"):
        services.decide_inclusion(actor=org, application=app, approve=False, note="x", on=today - dt.timedelta(days=4), reason="late")
    with pytest.raises(DayRefused, match="in the future"):
        services.decide_inclusion(actor=org, application=app, approve=False, note="x", on=today + dt.timedelta(days=1))
    assert _rows() == before
    # on the web: dated today
    r = _client(org).post(f"/register/applications/{app.pk}/decide/", {"decision": "reject", "note": "fewer than 10 members"})
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == InclusionApplication.Status.REJECTED and app.decided_on == today


# ------------------------------------------------------------------------- joining, leaving

def _new(b, **over):
    data = {"bin": b, "name": "Cement Works", "kind": "supplier", "oked_main": "23.51", "kato": KARAGANDA, "size": "sme"}
    return {**data, **over}


def test_joining_in_the_future_or_back_dated_without_reason_is_refused(world):
    """Before: any joining date was accepted, the future included, and no reason was asked."""
    c = _client(world.users["organizer"])
    today = dates.today()
    before = _rows()
    r = c.post("/register/alpha/participants/new/", _new(bin_(800), on=(today + dt.timedelta(days=10)).isoformat()))
    assert r.status_code == 200 and "on" in r.context["form"].errors
    r = c.post("/register/alpha/participants/new/", _new(bin_(800), on="2023-03-01"))
    assert r.status_code == 200 and "reason" in r.context["form"].errors
    r = c.post("/register/alpha/participants/new/", _new(bin_(800), on="2300-01-01"))
    assert r.status_code == 200 and "on" in r.context["form"].errors
    assert _rows() == before
    # the domain refuses the same, whatever the caller
    with pytest.raises(DayRefused):
        services.add_participant(actor=None, cluster=world.a, joined_on=today + dt.timedelta(days=1), **_fields(bin_(801)))
    assert _rows() == before
    # back-dated with a reason: recorded, and the audit note keeps the reason
    r = c.post("/register/alpha/participants/new/", _new(bin_(800), on="2023-03-01", reason="agreement of 1 March received late"))
    assert r.status_code == 302
    m = Membership.objects.get(participant__bin=bin_(800))
    assert m.joined_on == D(2023, 3, 1)
    assert "agreement of 1 March received late" in AuditEntry.objects.filter(action="register.membership.join").latest("pk").note
    # empty date: today
    r = c.post("/register/alpha/participants/new/", _new(bin_(802)))
    assert r.status_code == 302 and Membership.objects.get(participant__bin=bin_(802)).joined_on == today


def _fields(b):
    return {"bin": b, "name": "X", "kind": "enterprise", "oked_main": "2361", "kato": KARAGANDA}


def test_leaving_before_joining_in_the_future_or_without_reason_is_refused(world):
    """Before: a leaving in the future was accepted and no reason was asked for a back-dated one."""
    c = _client(world.users["organizer"])
    m = Membership.objects.get(participant=world.member_a)
    url = f"/register/alpha/memberships/{m.pk}/leave/"
    today = dates.today()
    before = _rows()
    for post, field in (({"on": (today + dt.timedelta(days=30)).isoformat()}, "on"),
                        ({"on": "2024-07-01"}, "reason"),
                        ({"on": "01.07.2024x"}, "on"),
                        ({"on": "2019-12-01", "reason": "late"}, None),  # before joining (2020-01-01)
                        ({"on": "2020-01-01", "reason": "late"}, None)):  # the joining day itself: a period has a day
        r = c.post(url, post)
        assert r.status_code == 200, post
        errs = r.context["form"].errors
        assert (field in errs) if field else errs.get("__all__"), (post, errs)
    assert _rows() == before
    with pytest.raises(DayRefused):
        services.leave(actor=None, membership=m, left_on=today + dt.timedelta(days=1))
    with pytest.raises(RegisterError):
        services.leave(actor=None, membership=m, left_on=D(2019, 1, 1), reason="x")
    assert _rows() == before
    r = c.post(url, {"on": "01.07.2024", "reason": "the letter of resignation arrived late", "note": "moved away"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.left_on == D(2024, 7, 1) and m.note == "moved away"
    note = AuditEntry.objects.filter(action="register.membership.leave").latest("pk").note
    assert "the letter of resignation arrived late" in note and "2024-07-01" in note


# ----------------------------------------------------------------------------------- locking

def _version(r) -> int:
    return r.context["form"]["version"].value()


def test_two_organizers_editing_one_participant(world):
    """Before: the second save overwrote the first without a word."""
    p = world.member_a
    url = f"/register/alpha/participants/{p.pk}/"
    first = _client(world.users["organizer"])
    second = _client(make_user("w_organizer2", Role.ORGANIZER))
    v1, v2 = _version(first.get(url)), _version(second.get(url))
    assert v1 == v2
    base = {"bin": p.bin, "name": p.name, "kind": "enterprise", "oked_main": "2361", "kato": KARAGANDA, "size": "sme", "specialised": "on"}
    assert first.post(url, {**base, "name": "Plant renamed by the first", "version": v1}).status_code == 302
    r = second.post(url, {**base, "name": "Plant renamed by the second", "version": v2})
    assert r.status_code == 409
    html = r.content.decode()
    assert "changed by someone else" in html and "Plant renamed by the second" in html  # the second user's values are kept
    p.refresh_from_db()
    assert p.name == "Plant renamed by the first"
    assert AuditEntry.objects.filter(action="register.participant.save", object_id=str(p.pk), actor=world.users["organizer"]).count() == 1
    # without the version the edit is refused (form error), nothing changes
    r = second.post(url, {**base, "name": "No version"})
    assert r.status_code == 200 and "version" in r.context["form"].errors
    p.refresh_from_db()
    assert p.name == "Plant renamed by the first"


# ------------------------------------------------------------------------------------ import

def test_a_workbook_declaring_a_huge_range_is_refused_within_a_second(world):
    """Before: openpyxl padded every one of the declared 1,048,576 rows to 16,384 cells (minutes)."""
    data = declared_whole_sheet(("bin", "name"), title="participants")
    assert len(data) < 6000
    c = _client(world.users["organizer"])
    before = _rows()
    with deadline(10):
        t = time.monotonic()
        r = c.post("/register/alpha/import/", {"file": SimpleUploadedFile("huge.xlsx", data)})
        elapsed = time.monotonic() - t
    assert elapsed < 1.5
    assert r.status_code == 400
    errors = r.context["errors"]
    assert any("participants, row 1, column" in e and "required column is missing" in e for e in errors), errors
    assert _rows() == before


def test_an_import_over_the_limits_or_not_a_workbook_is_refused_with_a_clear_message(world):
    c = _client(world.users["organizer"])
    before = _rows()
    wb = Workbook()
    ws = wb.active
    ws.title = "participants"
    ws.cell(row=1, column=xlsx.LIMITS.max_cols + 5, value="x")
    buf = io.BytesIO()
    wb.save(buf)
    r = c.post("/register/alpha/import/", {"file": SimpleUploadedFile("wide.xlsx", buf.getvalue())})
    assert r.status_code == 400 and any("sheet participants, row 1" in e and "columns" in e for e in r.context["errors"]), r.context["errors"]
    # a PDF named .xlsx: the content decides, not four bytes nor the name
    r = c.post("/register/alpha/import/", {"file": SimpleUploadedFile("register.xlsx", pdf_bytes())})
    assert r.status_code == 400 and any("register.xlsx" in e and ".xlsx" in e for e in r.context["errors"])
    # a ZIP that is not a workbook starts with the same four bytes the old check looked at
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    r = c.post("/register/alpha/import/", {"file": SimpleUploadedFile("register.xlsx", z.getvalue())})
    assert r.status_code == 400 and r.context["errors"]
    r = c.post("/register/alpha/import/", {})
    assert r.status_code == 400 and r.context["errors"]
    assert _rows() == before


def _wb(rows, indicators=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "participants"
    ws.append(xlsx.PARTICIPANT_COLUMNS)
    for r in rows:
        ws.append(r)
    if indicators is not None:
        wi = wb.create_sheet("indicators")
        wi.append(xlsx.INDICATOR_COLUMNS)
        for r in indicators:
            wi.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_errors_name_sheet_row_and_column_and_nothing_is_half_written(world):
    """Before: a membership that overlapped the history raised a server error after the first rows
    were written (in the transaction), 1e30 and negative amounts were stored, future dates accepted."""
    c = _client(world.users["organizer"])
    future = (dates.today() + dt.timedelta(days=5)).isoformat()
    row = lambda n, **o: [o.get("bin", bin_(900 + n)), f"P{n}", "enterprise", "23.61", "", KARAGANDA, "", "", "yes", "sme", o.get("joined", "2021-01-01"), o.get("left")]  # noqa: E731
    data = _wb([row(1), row(2, joined=future)], indicators=[[bin_(901), 2021, "1e30", "-5", "3", "10", "7", "1", "0"], [bin_(901), 2021.5, "1", "1", "1", "1", "1", "1", "1"]])
    before = _rows()
    r = c.post("/register/alpha/import/", {"file": SimpleUploadedFile("r.xlsx", data)})
    assert r.status_code == 400
    errors = r.context["errors"]
    for where in ("participants, row 3, column joined_on", "indicators, row 2, column turnover", "indicators, row 2, column export", "indicators, row 3, column year"):
        assert any(e.startswith(where) for e in errors), (where, errors)
    assert _rows() == before
    # every row valid, but the member of row 3 is already a member of alpha over that period
    data = _wb([row(1), row(2), [world.member_a.bin, "Plant alpha", "enterprise", "23.61", "", KARAGANDA, "", "", "yes", "sme", "2021-01-01", None]])
    r = c.post("/register/alpha/import/", {"file": SimpleUploadedFile("r.xlsx", data)})
    assert r.status_code == 400
    assert any(e.startswith("participants, row 4") and "already a member" in e for e in r.context["errors"]), r.context["errors"]
    assert _rows() == before
    # valid: written, the audit note names the workbook
    r = c.post("/register/alpha/import/", {"file": SimpleUploadedFile("good.xlsx", _wb([row(1, left="2022-01-01"), row(2)]))})
    assert r.status_code == 302
    assert Membership.objects.filter(cluster=world.a, participant__bin__in=[bin_(901), bin_(902)]).count() == 2
    assert "import of good.xlsx" in AuditEntry.objects.filter(action="register.membership.leave").latest("pk").note


# ----------------------------------------------------------------------------------- exports

FORMULA = '=HYPERLINK("http://evil.example/","click")'


def _has_formula(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_a_participant_named_like_a_formula_is_text_in_the_public_register_xlsx(world):
    """Before: the name was written as a live formula into the public register."""
    services.update_participant(actor=None, participant=world.member_a, name=FORMULA, kind="enterprise", oked_main="2361", kato=KARAGANDA)
    r = _client().get("/register/export.xlsx", {"date": "2024-01-01"})
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    data = b"".join(r.streaming_content) if r.streaming else r.content
    assert not _has_formula(data)
    ws = load_workbook(io.BytesIO(data))["participants"]
    names = [row[2].value for row in ws.iter_rows(min_row=2)]
    assert FORMULA in names
    cell = next(row[2] for row in ws.iter_rows(min_row=2) if row[2].value == FORMULA)
    assert cell.data_type == "s"
    # dates stay dates, numbers stay numbers (a machine format)
    clusters = load_workbook(io.BytesIO(data))["clusters"]
    assert isinstance(clusters.cell(row=2, column=8).value, dt.datetime) and isinstance(clusters.cell(row=2, column=9).value, int)
    tpl = _client(world.users["organizer"]).get("/register/import-template.xlsx")
    assert tpl.status_code == 200 and tpl["X-Content-Type-Options"] == "nosniff"
    assert load_workbook(io.BytesIO(tpl.content)).sheetnames == ["participants", "indicators"]


# ------------------------------------------------------------------------------ act in force

def test_eligibility_under_an_act_out_of_force_carries_the_notice(world):
    """Eligibility is computed by Decree 535 (in force 2015-07-26 – 2016-02-18) on any day; pages
    showing it for a day outside that period say so."""
    c = _client()
    html = c.get("/register/", {"date": "2024-01-15"}).content.decode()
    assert "act-notice" in html and "535" in html and "18 Feb 2016" in html
    assert "act-notice" in c.get("/register/alpha/", {"date": "2024-01-15"}).content.decode()
    assert "act-notice" not in c.get("/register/", {"date": "2015-10-01"}).content.decode()
    assert services.eligibility_notice(D(2015, 10, 1)) is None and services.eligibility_notice(D(2016, 2, 18))
    api = c.get("/register/api/clusters.json", {"date": "2024-01-15"}).json()
    assert api["eligibility_act"] == {"id": "competition-decree-535", "version": "decree-535-2015", "in_force_on_date": False}
    assert "act-notice" in _client(world.users["organizer"]).get("/register/applications/").content.decode()
