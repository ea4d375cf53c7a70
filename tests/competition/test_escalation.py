"""Escalation of missed deadlines (product.md: every deadline is computed, shown, and escalated when missed).

Real dates: the akimat's conclusion (App. 3) is due within 5 working days of the registered
request (seed 001, App. 3 §6 as recorded in the regulation data). A request registered on Friday
14 March 2025 runs over Nauryz (21–25 March 2025 are days off: 21 Fri, 22–23 the weekend, 24–25
the days in lieu), so the five working days are 17, 18, 19, 20 and 26 March: due Wednesday 26 March
2025, overdue from Thursday 27 March.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from typer.testing import CliRunner

from klaster.accounts.models import Profile
from klaster.accounts.roles import Role
from klaster.common.models import AuditEntry
from klaster.competition.domain import escalation as esc
from klaster.competition.domain import services as svc
from klaster.competition.models import Escalation, Notification
from tests.competition.conftest import bins
from tests.conftest import make_user

D = dt.date


@pytest.fixture
def world(db):
    org = make_user("org_esc", Role.ORGANIZER)
    org.email = "org@example.kz"
    org.save()
    akimat35 = make_user("akimat_karaganda", Role.AKIMAT)
    Profile.objects.update_or_create(user=akimat35, defaults={"region_kato": "350000000"})
    akimat75 = make_user("akimat_almaty", Role.AKIMAT)
    Profile.objects.update_or_create(user=akimat75, defaults={"region_kato": "750000000"})
    applicant = make_user("applicant_esc", Role.APPLICANT)
    other_applicant = make_user("applicant_other", Role.APPLICANT)
    with svc.on_day(D(2025, 2, 20)):
        c = svc.announce_competition(actor=org, title="Escalation test", stage1_intake_closes=D(2025, 4, 30))
    with svc.on_day(D(2025, 3, 14)):
        a = svc.create_application(actor=applicant, competition=c, organisation_name="Org", organisation_bin=bins(1, start=700)[0],
                                   kind="business_association", cluster_name="Cluster", region_kato="351010000")
        svc.request_conclusion(actor=applicant, application=a, body="akimat")
    return dict(org=org, akimat35=akimat35, akimat75=akimat75, applicant=applicant, other=other_applicant, c=c, a=a)


def _akimat_rows(c, on):
    return [r for r in svc.timeline(c, on) if r.step_id == "akimat_conclusion"]


def test_akimat_conclusion_due_after_nauryz_escalated_from_the_next_day_once_a_day(world):
    c, a = world["c"], world["a"]
    (row,) = _akimat_rows(c, D(2025, 3, 26))
    assert (row.due, row.state) == (D(2025, 3, 26), "due")

    r = esc.escalate(today=D(2025, 3, 26))
    assert (r.escalations, r.notifications) == (0, 0) and not Escalation.objects.exists()

    r = esc.escalate(today=D(2025, 3, 27))
    e = Escalation.objects.get(step_id="akimat_conclusion")
    assert (e.due, e.day, e.application, e.actor) == (D(2025, 3, 26), D(2025, 3, 27), a, "akimat")
    got = set(Notification.objects.filter(escalation=e).values_list("recipient__username", flat=True))
    # The akimat of the application's region (Karaganda, KATO 35…) and the organizer — not another
    # region's akimat, not the applicants.
    assert got == {"akimat_karaganda", "org_esc"}
    assert all(n.sent_at is not None for n in Notification.objects.all())
    assert AuditEntry.objects.filter(action="competition.escalate", object_id=str(e.pk)).count() == 1
    assert AuditEntry.objects.filter(action="notification.send").count() == Notification.objects.count()

    # Again the same day: nothing new.
    r2 = esc.escalate(today=D(2025, 3, 27))
    assert (r2.escalations, r2.notifications, r2.sent) == (0, 0, 0)
    assert Escalation.objects.filter(step_id="akimat_conclusion").count() == 1

    # The next day: escalated again (once for that day).
    esc.escalate(today=D(2025, 3, 28))
    assert list(Escalation.objects.filter(step_id="akimat_conclusion").order_by("day").values_list("day", flat=True)) == [
        D(2025, 3, 27), D(2025, 3, 28)]

    # Once the akimat issues its conclusion the deadline is met (late) and no longer escalated.
    with svc.on_day(D(2025, 3, 28)):
        svc.issue_conclusion(actor=world["akimat35"], conclusion=a.conclusions.get(body="akimat"), positive=True, text="ok")
    (row,) = _akimat_rows(c, D(2025, 3, 31))
    assert row.state == "late"
    esc.escalate(today=D(2025, 3, 31))
    assert not Escalation.objects.filter(step_id="akimat_conclusion", day=D(2025, 3, 31)).exists()


def test_email_is_sent_through_the_django_backend_when_enabled(world):
    esc.escalate(today=D(2025, 3, 27), email=True)
    # Only the organizer has an address; the message is in Kazakh and Russian.
    assert [m.to for m in mail.outbox] == [["org@example.kz"]]
    body = mail.outbox[0].body
    assert "26.03.2025" in body and "Жергілікті атқарушы орган (әкімдік)" in body and "Местный исполнительный орган (акимат)" in body
    assert Notification.objects.get(recipient=world["org"]).emailed_at is not None
    assert Notification.objects.get(recipient=world["akimat35"]).emailed_at is None


def test_inbox_shows_notifications_to_their_recipient_only_and_marks_them_read(world, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    esc.escalate(today=D(2025, 3, 27))
    akimat = Client()
    akimat.force_login(world["akimat35"])
    page = akimat.get("/competition/notifications/").content.decode()
    assert "26 Mar 2025" in page and 'data-unread="1"' in page and "Cluster" in page
    assert akimat.get("/competition/conclusions/").content.decode().count('data-unread="1"') == 1  # badge on the app's pages
    n = Notification.objects.get(recipient=world["akimat35"])
    # Another user cannot mark it read.
    other = Client()
    other.force_login(world["akimat75"])
    assert "26 Mar 2025" not in other.get("/competition/notifications/").content.decode()
    other.post("/competition/notifications/", {"notification": str(n.pk)})
    n.refresh_from_db()
    assert n.read_at is None
    akimat.post("/competition/notifications/", {"notification": str(n.pk)})
    n.refresh_from_db()
    assert n.read_at is not None
    assert AuditEntry.objects.filter(action="notification.read", object_id=str(n.pk), actor=world["akimat35"]).exists()
    assert 'data-unread' not in akimat.get("/competition/notifications/").content.decode()


def test_escalate_command_is_idempotent_and_rejects_a_bad_date(world):
    from klaster.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["competition", "escalate", "--today", "2025-03-27"])
    assert out.exit_code == 0, out.output
    assert "1 escalated now, 2 notification(s) written" in " ".join(out.output.split())
    n = Notification.objects.count()
    assert n == 2
    again = runner.invoke(app, ["competition", "escalate", "--today", "2025-03-27"])
    assert again.exit_code == 0 and Notification.objects.count() == n and "0 escalated now" in " ".join(again.output.split())
    bad = runner.invoke(app, ["competition", "escalate", "--today", "27.03.2025"])
    assert bad.exit_code == 2 and "27.03.2025" in bad.output


def test_overdue_deadline_of_an_expert_goes_to_the_assigned_experts_not_all(world, db):
    """Recipients follow the actor's role: experts only when assigned and not conflicted."""
    c, a = world["c"], world["a"]
    e1 = make_user("expert_assigned", Role.EXPERT)
    make_user("expert_not_assigned", Role.EXPERT)
    Profile.objects.update_or_create(user=e1, defaults={"years_experience": 7})
    from klaster.competition.models import ExpertAssignment

    ExpertAssignment.objects.create(application=a, expert=e1)
    users = {u.username for u in esc.recipients(c, a, "expert_council")}
    assert users == {"expert_assigned", "org_esc"}
    assert {u.username for u in esc.recipients(c, a, "participant")} == {"applicant_esc", "org_esc"}
    assert {u.username for u in esc.recipients(c, None, "organizer")} == {"org_esc"}
