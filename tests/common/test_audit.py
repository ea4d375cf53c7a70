"""The audit mechanism records who changed what, from what to what."""

import datetime as dt

import pytest

from klaster.common import audit
from klaster.common.models import AuditEntry, CalendarException
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_record_with_snapshots_stores_only_changed_fields():
    user = make_user("admin1", "administrator")
    exc = CalendarException.objects.create(day=dt.date(2031, 1, 4), working=True, note="Decree (sample)")
    before = audit.snapshot(exc)
    exc.working = False
    exc.save()
    e = audit.record(actor=user, action="calendar.exception.change", obj=exc, before=before, note="corrected")
    assert e.changes == {"working": [True, False]}
    assert e.actor_label == "admin1" and e.object_type == "common.calendarexception"
    assert list(audit.history(exc)) == [e]


def test_system_actor_and_json_safe_values():
    from decimal import Decimal

    e = audit.record(actor=None, action="loader.run", object_type="dataset", object_id="kz-oked-2019",
                     changes={"amount": [Decimal("1.5"), Decimal("2.5")], "on": [dt.date(2024, 5, 4), None]})
    e.refresh_from_db()
    assert e.actor_label == "system"
    assert e.changes == {"amount": ["1.5", "2.5"], "on": ["2024-05-04", None]}


def test_admin_edit_of_calendar_exception_is_audited(client):
    admin = make_user("adm2", "administrator")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    from django.conf import settings
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    r = client.post("/admin/common/calendarexception/add/", {"day": "2031-01-04", "working": "on", "note": "Decree (sample)"})
    assert r.status_code == 302
    entry = AuditEntry.objects.get(action="calendar.exception.add")
    assert entry.actor == admin and entry.changes["working"] == [None, True]
    from klaster.common.calendar import default_calendar
    assert default_calendar().is_working_day(dt.date(2031, 1, 4))
