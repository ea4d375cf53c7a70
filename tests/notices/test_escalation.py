"""Escalation of missed deadlines through the one notification path (klaster.notices).

The reproduction of tests/competition/test_escalation.py, on the notices: the akimat's conclusion
(App. 3) is due within 5 working days of the registered request (App. 3 §6 as recorded in the
regulation data). A request registered on Friday 14 March 2025 runs over Nauryz (21–25 March 2025
are days off), so it is due Wednesday 26 March 2025 and overdue from Thursday 27 March.
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
from klaster.notices.models import Notice
from tests.competition.conftest import bins
from tests.notices.conftest import notice_user

D = dt.date
OVERDUE = "deadline_overdue"


@pytest.fixture
def world(db):
    org = notice_user("org_esc", Role.ORGANIZER)
    akimat35 = notice_user("akimat_karaganda", Role.AKIMAT, email=False, language="kk")
    Profile.objects.filter(user=akimat35).update(region_kato="350000000")
    akimat75 = notice_user("akimat_almaty", Role.AKIMAT, email=False)
    Profile.objects.filter(user=akimat75).update(region_kato="750000000")
    applicant = notice_user("applicant_esc", Role.APPLICANT, email=False)
    with svc.on_day(D(2025, 2, 20)):
        c = svc.announce_competition(actor=org, title="Escalation test", stage1_intake_closes=D(2025, 4, 30))
    with svc.on_day(D(2025, 3, 14)):
        a = svc.create_application(actor=applicant, competition=c, organisation_name="Org", organisation_bin=bins(1, start=700)[0],
                                   kind="business_association", cluster_name="Cluster", region_kato="351010000")
        svc.request_conclusion(actor=applicant, application=a, body="akimat")
    return dict(org=org, akimat35=akimat35, akimat75=akimat75, applicant=applicant, c=c, a=a)


def test_overdue_conclusion_is_a_notice_to_the_region_akimat_and_the_organizer_once_a_day(world):
    c, a = world["c"], world["a"]
    r = esc.escalate(today=D(2025, 3, 26))
    assert (r.escalations, r.notifications) == (0, 0) and not Notice.objects.filter(kind=OVERDUE).exists()

    r = esc.escalate(today=D(2025, 3, 27))
    e = Escalation.objects.get(step_id="akimat_conclusion")
    assert (e.due, e.day, e.application, e.actor) == (D(2025, 3, 26), D(2025, 3, 27), a, "akimat")
    got = Notice.objects.filter(kind=OVERDUE)
    assert set(got.values_list("recipient__username", flat=True)) == {"akimat_karaganda", "org_esc"}
    # in each recipient's language, naming the clause of the deadline (regulation data)
    kk = got.get(recipient=world["akimat35"])
    assert kk.language == "kk" and "26.03.2025" in kk.body and "Жергілікті атқарушы орган (әкімдік)" in kk.body
    ru = got.get(recipient=world["org"])
    assert ru.language == "ru" and "Местный исполнительный орган (акимат)" in ru.body and "п. 6" in ru.body
    assert kk.clause == e.clause
    assert not Notification.objects.exists()  # the former outbox is no longer written
    assert AuditEntry.objects.filter(action="competition.escalate", object_id=str(e.pk)).count() == 1

    r2 = esc.escalate(today=D(2025, 3, 27))
    assert (r2.escalations, r2.notifications) == (0, 0) and got.count() == 2
    esc.escalate(today=D(2025, 3, 28))
    assert got.count() == 4  # escalated again the next day

    with svc.on_day(D(2025, 3, 28)):
        svc.issue_conclusion(actor=world["akimat35"], conclusion=a.conclusions.get(body="akimat"), positive=True, text="ok")
    esc.escalate(today=D(2025, 3, 31))
    assert not Escalation.objects.filter(step_id="akimat_conclusion", day=D(2025, 3, 31)).exists()


def test_escalation_email_goes_through_the_outbox(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        esc.escalate(today=D(2025, 3, 27))
    # Only the organizer has an address.
    assert [m.to for m in mail.outbox] == [["org_esc@example.kz"]]
    assert "Местный исполнительный орган (акимат)" in mail.outbox[0].body
    assert Notice.objects.get(recipient=world["org"], kind=OVERDUE).email_state == "sent"
    assert Notice.objects.get(recipient=world["akimat35"], kind=OVERDUE).email_state == "none"


def test_the_old_inbox_redirects_and_the_new_one_shows_only_the_users_notices(world, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    esc.escalate(today=D(2025, 3, 27))
    akimat = Client()
    akimat.force_login(world["akimat35"])
    r = akimat.get("/competition/notifications/")
    assert r.status_code == 302 and r["Location"] == "/notices/"
    page = akimat.get("/notices/").content.decode()
    n = Notice.objects.get(recipient=world["akimat35"], kind=OVERDUE)
    unread = Notice.objects.filter(recipient=world["akimat35"], read_at=None).count()
    assert f'data-notice="{n.pk}"' in page and "26.03.2025" in page and f'data-unread="{unread}"' in page
    # the header badge on every page, the competition pages' link too
    assert f'data-unread="{unread}"' in akimat.get("/competition/conclusions/").content.decode()
    other = Client()
    other.force_login(world["akimat75"])
    assert f'data-notice="{n.pk}"' not in other.get("/notices/").content.decode()
    other.post("/notices/read/", {"notice": str(n.pk)})
    n.refresh_from_db()
    assert n.read_at is None  # not the other user's to mark
    akimat.post("/notices/read/", {"notice": str(n.pk)})
    n.refresh_from_db()
    assert n.read_at is not None
    assert AuditEntry.objects.filter(action="notice.read", object_id=str(n.pk), actor=world["akimat35"]).exists()
    akimat.post("/notices/read/", {"all": "1"})
    assert "data-unread=" not in akimat.get("/notices/").content.decode()


def test_escalate_command_is_idempotent_and_rejects_a_bad_date(world):
    from klaster.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["competition", "escalate", "--today", "2025-03-27"])
    assert out.exit_code == 0, out.output
    assert "1 escalated now, 2 notification(s) written" in " ".join(out.output.split())
    assert Notice.objects.filter(kind=OVERDUE).count() == 2
    again = runner.invoke(app, ["competition", "escalate", "--today", "2025-03-27"])
    assert again.exit_code == 0 and Notice.objects.filter(kind=OVERDUE).count() == 2
    bad = runner.invoke(app, ["competition", "escalate", "--today", "27.03.2025"])
    assert bad.exit_code == 2 and "27.03.2025" in bad.output


def test_overdue_deadline_of_an_expert_goes_to_the_assigned_experts_not_all(world):
    """Recipients follow the actor's role: experts only when assigned and not conflicted
    (ported from the former competition escalation tests)."""
    from klaster.competition.models import ExpertAssignment

    c, a = world["c"], world["a"]
    e1 = notice_user("expert_assigned", Role.EXPERT)
    notice_user("expert_not_assigned", Role.EXPERT)
    Profile.objects.update_or_create(user=e1, defaults={"years_experience": 7})
    ExpertAssignment.objects.create(application=a, expert=e1)
    assert {u.username for u in esc.recipients(c, a, "expert_council")} == {"expert_assigned", "org_esc"}
    assert {u.username for u in esc.recipients(c, a, "participant")} == {"applicant_esc", "org_esc"}
    assert {u.username for u in esc.recipients(c, None, "organizer")} == {"org_esc"}
