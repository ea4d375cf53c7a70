"""The outbox (a mail server that is down loses nothing), the worker's schedules, the reminders
before deadlines (days ahead per actor) and the quarterly-report reminders, the administrator's
templates, and the inbox's bounded forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from klaster.accounts.roles import Role
from klaster.notices import delivery, schedules, service
from klaster.notices.models import Notice, NoticeTemplate
from tests.notices.backends import Flaky
from tests.notices.conftest import notice_user
from tests.notices.test_escalation import world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
D = dt.date


def _notice(user, key="k1"):
    return service.notify(user, "results_published", key=key, clause="§40",
                          context={"competition": "Test", "day": "01.12.2026", "object": "Test"}, link="/competition/")


def test_a_down_mail_server_loses_nothing_the_worker_retries_until_it_is_back(settings):
    settings.KLASTER_SITE_URL = "http://klaster.test"
    settings.EMAIL_BACKEND = "tests.notices.backends.Flaky"
    Flaky.down = True
    u = notice_user("mail_me", Role.APPLICANT)
    n = _notice(u)
    assert n.email_state == "pending" and n.language == "ru" and n.subject.startswith("Итоги конкурса опубликованы")
    t0 = timezone.now()
    r = delivery.send_due(now=t0)
    n.refresh_from_db()
    assert (r.sent, r.failed) == (0, 1) and mail.outbox == []
    assert n.email_state == "pending" and n.attempts == 1 and "timed out" in n.last_error and n.next_try_at == t0 + dt.timedelta(minutes=1)
    # not due yet: nothing is tried
    assert delivery.send_due(now=t0 + dt.timedelta(seconds=30)).failed == 0
    r = delivery.send_due(now=t0 + dt.timedelta(minutes=1))
    n.refresh_from_db()
    assert r.failed == 1 and n.attempts == 2 and n.next_try_at == t0 + dt.timedelta(minutes=1) + dt.timedelta(minutes=2)
    Flaky.down = False
    r = delivery.send_due(now=t0 + dt.timedelta(minutes=5))
    n.refresh_from_db()
    assert r.sent == 1 and n.email_state == "sent" and n.attempts == 3 and n.emailed_at is not None
    (m,) = mail.outbox
    assert m.to == ["mail_me@example.kz"] and m.subject == n.subject and "(§40)" in m.body and "http://klaster.test/competition/" in m.body
    assert delivery.send_due(now=t0 + dt.timedelta(hours=1)).sent == 0  # sent once


def test_after_the_last_attempt_the_notice_is_marked_failed_but_stays_in_the_inbox(settings):
    settings.EMAIL_BACKEND = "tests.notices.backends.DownBackend"
    settings.KLASTER_EMAIL_MAX_ATTEMPTS = 2
    n = _notice(notice_user("never", Role.APPLICANT))
    later = timezone.now()
    for _i in range(2):
        later += dt.timedelta(days=2)
        delivery.send_due(now=later)
    n.refresh_from_db()
    assert n.email_state == "failed" and n.attempts == 2 and "Connection refused" in n.last_error and n.read_at is None


def test_a_notice_is_written_once_per_key_and_a_user_without_address_gets_no_mail():
    u = notice_user("no_mail", Role.APPLICANT, email=False)
    assert _notice(u).email_state == "none"
    assert _notice(u) is None and Notice.objects.count() == 1


def test_the_administrators_text_is_used_in_the_recipients_language():
    schedules.ensure_templates()
    t = NoticeTemplate.objects.get(kind="results_published")
    t.subject_kk = "Нәтижелер: {{ competition }}"
    t.save()
    n = _notice(notice_user("reads_kk", Role.APPLICANT, language="kk"))
    assert n.subject == "Нәтижелер: Test" and n.language == "kk"
    assert schedules.ensure_templates() == 0  # the edit is kept
    assert NoticeTemplate.objects.get(kind="results_published").subject_kk == "Нәтижелер: {{ competition }}"


def test_schedules_are_registered_after_migrate_and_by_the_worker():
    from django_q.models import Schedule

    names = set(Schedule.objects.values_list("name", flat=True))
    assert set(schedules.SCHEDULES) <= names  # created by post_migrate of the test database
    Schedule.objects.all().delete()
    out = CliRunner().invoke(__import__("klaster.cli", fromlist=["app"]).app, ["worker", "--once"])
    assert out.exit_code == 0, out.output
    got = {s.name: s for s in Schedule.objects.all()}
    assert set(got) == set(schedules.SCHEDULES)
    assert got["klaster: escalate deadlines"].func == "klaster.notices.schedules.escalate" and got["klaster: escalate deadlines"].schedule_type == "D"
    assert got["klaster: send e-mail outbox"].schedule_type == "I" and got["klaster: send e-mail outbox"].minutes == 1
    schedules.ensure_schedules()
    assert Schedule.objects.count() == len(schedules.SCHEDULES)  # idempotent


def test_reminder_days_per_actor():
    assert schedules.reminder_days("akimat", "7,1") == [7, 1]
    spec = "expert_council=3,1;participant=7;*=1"
    assert schedules.reminder_days("expert_council", spec) == [3, 1]
    assert schedules.reminder_days("akimat", spec) == [1]
    assert schedules.reminder_days("akimat", "expert_council=x;participant=2") == []


def test_reminder_before_a_deadline_goes_to_the_responsible_actor_on_the_configured_days(world, settings):  # noqa: F811
    # the akimat's conclusion is due on 26 March 2025 (5 working days over Nauryz)
    settings.KLASTER_REMINDER_DAYS = "participant=1"
    schedules.deadline_reminders(D(2025, 3, 25))
    assert not Notice.objects.filter(kind="deadline_reminder").exists()
    settings.KLASTER_REMINDER_DAYS = "akimat=1;*=30"
    schedules.deadline_reminders(D(2025, 3, 25))
    got = Notice.objects.filter(kind="deadline_reminder")
    assert set(got.values_list("recipient__username", flat=True)) == {"akimat_karaganda", "org_esc"}
    kk = got.get(recipient__username="akimat_karaganda")
    assert kk.language == "kk" and "26.03.2025" in kk.body and kk.clause
    schedules.deadline_reminders(D(2025, 3, 25))
    assert got.count() == 2  # once


def test_quarterly_report_due_and_overdue(settings):
    from klaster.common.bin import make_number
    from klaster.programmes import domain as pdomain
    from klaster.register.domain import services as reg
    from klaster.register.models import Cluster

    b = next(x for x in (make_number(f"150440{n:05d}") for n in range(70000, 71000)) if x)
    a = reg.save_participant(actor=None, bin=b, name="Assoc", kind="association", oked_main="9411", kato="350000000")
    c = Cluster.objects.create(code="furniture", name_kk="Жиһаз кластері", name_ru="Мебельный кластер", name_en="Furniture", oked="31",
                               status="included", association=a)
    p = pdomain.create_programme(actor=None, cluster=c, title_ru="ЦКП", start_year=2021, end_year=2025)
    assoc = notice_user("assoc_user", Role.APPLICANT, organisation_bin=b)
    notice_user("other_applicant", Role.APPLICANT)
    org = notice_user("org_q", Role.ORGANIZER)
    from klaster.common.calendar import default_calendar
    from klaster.engine.programmes import monitoring

    due = monitoring.report_due(2024, 1, default_calendar(), pdomain._rules(p))
    settings.KLASTER_REMINDER_DAYS = "participant=3"
    schedules.quarterly_reminders(due - dt.timedelta(days=3))
    (n,) = Notice.objects.filter(kind="report_due", key__contains="2024Q1")
    assert n.recipient == assoc and due.strftime("%d.%m.%Y") in n.body and "Мебельный кластер" in n.body and "seed 000" in n.clause
    schedules.quarterly_reminders(due + dt.timedelta(days=1))
    over = Notice.objects.filter(kind="report_overdue", key__contains="2024Q1")
    assert set(over.values_list("recipient__username", flat=True)) == {"assoc_user", "org_q"}
    schedules.quarterly_reminders(due + dt.timedelta(days=2))
    assert over.count() == 2


def test_inbox_forms_refuse_malformed_values_without_writing(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    u = notice_user("inbox_user", Role.APPLICANT)
    n = _notice(u)
    c = Client()
    c.force_login(u)
    for bad in ("abc", "9" * 30, "-5", "", "1e30"):
        r = c.post("/notices/read/", {"notice": bad})
        assert r.status_code == 302
    for bad in ("de", "", "Ωмега"):
        assert c.post("/notices/language/", {"language": bad}).status_code == 302
    assert c.get("/notices/?page=abc").status_code == 302 and c.get("/notices/?page=" + "9" * 30).status_code == 302
    n.refresh_from_db()
    assert n.read_at is None and service.language_of(u) == "ru"
    assert c.post("/notices/language/", {"language": "kk"}).status_code == 302 and service.language_of(u) == "kk"
    assert "data-unread=\"1\"" in c.get("/notices/?unread=1").content.decode()
    assert Client().get("/notices/").status_code == 302  # log in first


def test_an_edited_text_that_does_not_compile_is_refused_in_the_admin_and_never_breaks_an_act():
    from klaster.notices.admin import NoticeTemplateForm

    schedules.ensure_templates()
    t = NoticeTemplate.objects.get(kind="results_published")
    data = {f: getattr(t, f) for f in NoticeTemplateForm.Meta.fields}
    form = NoticeTemplateForm({**data, "body_ru": "Итоги {% if %}"}, instance=t)
    assert not form.is_valid() and "body_ru" in form.errors
    NoticeTemplate.objects.filter(pk=t.pk).update(body_ru="Итоги {% if %}")  # written around the form
    n = _notice(notice_user("still_told", Role.APPLICANT))
    assert n.body.startswith("Итоги конкурса «Test» опубликованы")
