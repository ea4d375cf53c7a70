"""The shared boundary services (klaster.common): numbers as people type them, bounded fields,
recorded days, optimistic locking, file checks, streamed spreadsheets with limits, orphan clean-up,
formula-safe exports, acts in force and readings."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import polib
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

import klaster
from klaster.common import dates, exports, files, locking
from klaster.common import forms as kf
from klaster.common.money import MoneyError, parse_decimal
from tests.xlsx_cases import declared_whole_sheet

D = dt.date


@pytest.mark.parametrize("text,lang,value", [
    ("17000,5", "ru", "17000.5"), ("17 000,5", "kk", "17000.5"), ("17\u00a0000,5", "ru", "17000.5"), ("17000.5", "ru", "17000.5"),
    ("1,234,567.8", "en", "1234567.8"), ("17000,5", "en", "17000.5"), ("−500", "ru", "-500"), ("12,345", "ru", "12.345"),
])
def test_numbers_as_people_type_them(text, lang, value):
    assert parse_decimal(text, lang) == Decimal(value)


@pytest.mark.parametrize("text", ["1e30", "NaN", "inf", "", "abc", "1.234,5", "1,2,3", ".", "5."])
def test_what_is_not_a_number(text):
    with pytest.raises(MoneyError):
        parse_decimal(text, "ru")


def test_decimal_field_bounds_and_decimal_comma():
    from django import forms

    class Cost(forms.Form):
        amount = kf.AmountField(max_digits=16, decimal_places=2)
        n = kf.IntegerField(max_value=10000)

    with translation.override("ru"):
        f = Cost({"amount": "17 000,5", "n": "3"})
        assert f.is_valid() and f.cleaned_data["amount"] == Decimal("17000.5")
        for bad in ("-5", "1e30", "1" * 20, "NaN", "0,001"):
            assert not Cost({"amount": bad, "n": "3"}).is_valid(), bad
        for bad in ("9" * 30, "-1", "1.5", "abc"):
            assert not Cost({"amount": "1", "n": bad}).is_valid(), bad


def test_day_field_takes_iso_and_dotted_dates_within_the_calendar_years():
    from django import forms

    class F(forms.Form):
        d = kf.DayField()

    assert F({"d": "04.12.2026"}).is_valid() and F({"d": "2026-12-04"}).is_valid()
    for bad in ("2026-02-30", "9999-12-31", "0001-01-01", "x" * 100):
        assert not F({"d": bad}).is_valid(), bad


@pytest.mark.django_db
def test_recorded_day_form_refuses_the_future_and_wants_a_reason_for_the_past():
    today = D(2026, 12, 4)  # a Friday
    assert not kf.RecordedDayForm({"on": "2026-12-05"}, today=today).is_valid()
    f = kf.RecordedDayForm({"on": "2026-12-01"}, today=today)
    assert not f.is_valid() and "reason" in f.errors
    f = kf.RecordedDayForm({"on": "2026-11-28", "reason": "signed on paper"}, today=today)  # Saturday
    assert f.is_valid() and [w.text() for w in f.warnings] and "weekend" in str(f.warnings[0])
    f = kf.RecordedDayForm({}, today=today)
    assert f.is_valid() and f.cleaned_data["on"] == today


def test_check_recorded_day_against_the_events_it_follows():
    on = D(2025, 5, 1)
    follows = [dates.Follows(D(2025, 4, 10), "the breach", "§5.4")]
    assert dates.check_recorded_day(D(2025, 4, 20), follows=follows, reason="late", on=on) == D(2025, 4, 20)
    with pytest.raises(dates.DayRefused, match="before the breach"):
        dates.check_recorded_day(D(2025, 4, 1), follows=follows, reason="late", on=on)
    with pytest.raises(dates.DayRefused, match="has not been recorded"):
        dates.check_recorded_day(on, follows=[dates.Follows(None, "the breach")], on=on)
    with pytest.raises(dates.DayRefused, match="outside the years"):
        dates.check_recorded_day(D(1990, 1, 1), on=on, reason="x")
    assert dates.backdating_note(D(2025, 4, 20), "late", on=on) == "recorded on 2025-05-01 for 2025-04-20: late"


@pytest.mark.django_db
def test_optimistic_locking_refuses_the_second_writer_and_writes_nothing(user_factory):
    from klaster.competition.models import Application, Competition, PackageVersion

    u = user_factory("lock_user")
    c = Competition.objects.create(title="L", stage1_intake_closes=D(2030, 1, 1))
    a = Application.objects.create(competition=c, applicant=u, organisation_name="o", organisation_bin="1", kind="k", cluster_name="c", region_kato="1")
    v = PackageVersion.objects.create(application=a)
    first, second = PackageVersion.objects.get(pk=v.pk), PackageVersion.objects.get(pk=v.pk)
    seen = first.version
    first.change_reason = "first"
    locking.save(first, seen)
    second.change_reason = "second"
    with pytest.raises(locking.StaleEdit):
        locking.save(second, seen)
    v.refresh_from_db()
    assert v.change_reason == "first" and v.version == seen + 1
    with pytest.raises(locking.StaleEdit):
        locking.touch(PackageVersion.objects.get(pk=v.pk), seen)
    locking.touch(PackageVersion.objects.get(pk=v.pk), seen + 1)


# ------------------------------------------------------------------ files


def _upload(name, data):
    return SimpleUploadedFile(name, data)


def test_uploads_are_identified_by_their_content():
    pdf = files.sample_pdf(4)
    assert files.check_upload(_upload("a.pdf", pdf), allowed=["pdf"], max_bytes=10**6).pages == 4
    exe_as_pdf = b"%PDF-1.7\nMZ\x90\x00" + bytes(range(256)) * 8
    with pytest.raises(files.UploadRejected, match="does not open as a PDF"):
        files.check_upload(_upload("a.pdf", exe_as_pdf), allowed=["pdf"], max_bytes=10**6)
    with pytest.raises(files.UploadRejected, match="it is .pdf"):
        files.check_upload(_upload("a.docx", pdf), allowed=["docx"], max_bytes=10**6)
    with pytest.raises(files.UploadRejected, match="exceeds the limit"):
        files.check_upload(_upload("a.pdf", pdf), allowed=["pdf"], max_bytes=100)
    with pytest.raises(files.UploadRejected, match="not accepted"):
        files.check_upload(_upload("a.exe", b"MZ"), allowed=["pdf"], max_bytes=100)
    # A ZIP that is not a DOCX; a ZIP bomb.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<x/>")
        z.writestr("word/document.xml", "0" * (50 * 1024 * 1024))
    with pytest.raises(files.UploadRejected, match="ratio"):
        files.check_upload(_upload("bomb.docx", buf.getvalue()), allowed=["docx"], max_bytes=10**7)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<x/>")
        z.writestr("other/a.xml", "<x/>")
    with pytest.raises(files.UploadRejected):
        files.check_upload(_upload("a.docx", buf.getvalue()), allowed=["docx"], max_bytes=10**6)


def test_a_spreadsheet_declaring_the_whole_sheet_is_streamed_as_what_it_holds():
    data = declared_whole_sheet(("a", "b"))
    with files.open_xlsx(data, name="tiny.xlsx") as book:
        assert list(book.rows(0)) == [("a", "b")]


def test_spreadsheet_limits_name_the_sheet_and_row():
    wb = openpyxl.Workbook()
    for i in range(30):
        wb.active.append([i] * 5)
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(files.UploadRejected, match="sheet Sheet: more than 10 rows"):
        with files.open_xlsx(buf.getvalue(), name="t.xlsx", limits=files.XlsxLimits(max_rows=10)) as book:
            list(book.rows(0))
    with pytest.raises(files.UploadRejected, match="row 1: more than 3 columns"):
        with files.open_xlsx(buf.getvalue(), name="t.xlsx", limits=files.XlsxLimits(max_cols=3)) as book:
            list(book.rows(0))
    with pytest.raises(files.UploadRejected, match="damaged ZIP"):
        files.open_xlsx(b"not a zip", name="t.xlsx")


def test_a_413_before_the_body_is_read(settings):
    settings.MAX_UPLOAD_BYTES = 1024
    rf = RequestFactory()
    request = rf.generic("POST", "/x/", data=b"x", CONTENT_LENGTH=str(60 * 1024 * 1024))

    def view(req):  # pragma: no cover - must not be reached
        raise AssertionError("the body was handed to the view")

    with translation.override("ru"):
        resp = files.MaxBodyMiddleware(view)(request)
    assert resp.status_code == 413 and "Ничего не сохранено" in resp.content.decode()


@pytest.mark.django_db
def test_files_written_by_a_refused_request_are_removed(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    written = []

    def view(request):
        written.append(default_storage.save("competition/x/orphan.pdf", ContentFile(b"%PDF")))
        return HttpResponse(status=400)  # refused: no row refers to the file

    files.UploadCleanupMiddleware(view)(RequestFactory().post("/x/"))
    assert written and not (Path(tmp_path) / written[0]).exists()
    assert files.orphans() == []


# ------------------------------------------------------------------ exports


def test_exports_neutralise_formulas_and_keep_numbers():
    data = exports.xlsx_bytes({"s": [["name", "n"], ['=HYPERLINK("http://x","y")', 5], ["-5", -5], ["@cmd", Decimal("1.5")]]})
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [(c.value, c.data_type, bool(c.quotePrefix)) for row in ws.iter_rows(min_row=2) for c in row]
    assert ('=HYPERLINK("http://x","y")', "s", True) in cells and ("@cmd", "s", True) in cells
    assert (5, "n", False) in cells and (-5, "n", False) in cells and ("-5", "s", False) in cells
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    csv = exports.csv_bytes([["=1+2", "+cmd", "-5", 1.5, None, D(2026, 1, 2)]]).decode("utf-8-sig")
    assert csv.strip() == "'=1+2,'+cmd,-5,1.5,,2026-01-02"


# ------------------------------------------------------------------ acts in force and readings


def test_acts_out_of_force_are_named_with_their_dates():
    from klaster import regulations
    from klaster.common.acts import act_notice, reading_lines

    doc = regulations.load("competition-decree-535")
    assert act_notice(doc, D(2015, 9, 1), "en") is None
    ru = act_notice(doc, D(2026, 12, 4), "ru")
    assert "утратил силу с 18.02.2016" in ru and "№ 73" in ru and "04.12.2026" in ru
    assert "in force only from 26 Jul 2015" in act_notice(doc, D(2015, 7, 20), "en")
    lines = reading_lines(doc, {"commission_protocol_days": "working"}, "en")
    row = next(x for x in lines if x["id"] == "commission_protocol_days")
    assert row["option"] == "working days" and not row["default"] and row["others"] == ["calendar days"]


def test_a_reading_needs_exactly_one_default(tmp_path):
    from klaster.regulations import RegulationError, _parse_reading

    base = {"id": "r", "clause": "§1", "text": {"kk": "a", "ru": "a", "en": "a"}}
    opt = {"text": {"kk": "a", "ru": "a", "en": "a"}, "argument": {"kk": "a", "ru": "a", "en": "a"}}
    with pytest.raises(RegulationError, match="exactly one"):
        _parse_reading({**base, "options": [{"id": "a", **opt}, {"id": "b", **opt}]}, "x")
    with pytest.raises(RegulationError, match="at least two"):
        _parse_reading({**base, "options": [{"id": "a", "default": True, **opt}]}, "x")


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_common_catalogue_translates_every_message(lang):
    pkg = Path(klaster.__file__).parent / "common"
    po = polib.pofile(str(pkg / "locale" / lang / "LC_MESSAGES" / "django.po"))
    have = {e.msgid for e in po if e.msgstr.strip()}
    tpl = re.compile(r"""\{%\s*translate\s+(["'])(.*?)\1""")
    py = re.compile(r"""\b_\(\s*(["'])((?:\\.|(?!\1).)*)\1\s*[,)]""")
    wanted = set()
    for t in (pkg / "templates").rglob("*.html"):
        wanted |= {m.group(2) for m in tpl.finditer(t.read_text())}
    for f in ("dates.py", "files.py", "forms.py", "acts.py"):
        wanted |= {m.group(2) for m in py.finditer((pkg / f).read_text())}
    assert not sorted(wanted - have)


@pytest.mark.django_db
def test_the_orphans_command_lists_and_removes_unreferenced_uploads(tmp_path, settings):
    from typer.testing import CliRunner

    from klaster.cli import app
    from klaster.common.models import AuditEntry

    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "support" / "2026").mkdir(parents=True)
    (tmp_path / "support" / "2026" / "left.pdf").write_bytes(b"%PDF")
    (tmp_path / "analysis" / "run").mkdir(parents=True)
    (tmp_path / "analysis" / "run" / "panel.csv").write_text("a")  # kept by its run
    r = CliRunner().invoke(app, ["files", "orphans"])
    assert r.exit_code == 0 and "support/2026/left.pdf" in r.output and "panel.csv" not in r.output
    assert (tmp_path / "support" / "2026" / "left.pdf").exists()
    r = CliRunner().invoke(app, ["files", "orphans", "--delete"])
    assert r.exit_code == 0 and not (tmp_path / "support" / "2026" / "left.pdf").exists()
    assert AuditEntry.objects.filter(action="files.orphan_removed").count() == 1
