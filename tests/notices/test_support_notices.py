"""Notices of a reimbursement application (Decree 440 §5.4) produced by the real domain acts, in
the applicant's language, in the inbox and in Django's test outbox (sent after the commit)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from klaster.accounts.roles import Role
from klaster.notices.models import Notice
from klaster.register.domain import services as reg
from klaster.register.models import Cluster, ClusterWin
from klaster.support import domain
from tests.notices.conftest import notice_user
from tests.support.test_support_flow import DECLARED, R, _bin

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def world(db):
    c = Cluster.objects.create(code="k", name_kk="К", name_ru="К", name_en="K", oked="23", competition_stage_won=1)
    a = reg.save_participant(actor=None, bin=_bin(1), name="Assoc", kind="association", oked_main="9411", kato="350000000")
    p = reg.save_participant(actor=None, bin=_bin(2), name="Plant", kind="enterprise", oked_main="2361", kato="350000000", founded_on=D(2010, 1, 1))
    c.association = a
    c.save()
    ClusterWin.objects.create(cluster=c, stage=1, decided_on=D(2016, 6, 1), winner_bin=a.bin, winner_name=a.name, recorded_on=D(2016, 6, 2), source="test")
    reg.join(actor=None, cluster=c, participant=p, joined_on=D(2015, 1, 1))
    applicant = notice_user("app_kk", Role.APPLICANT, language="kk", organisation_bin=a.bin)
    org = notice_user("org", Role.ORGANIZER)
    return c, p, applicant, org


def test_every_step_of_a_reimbursement_notifies_the_applicant_in_kazakh(world, django_capture_on_commit_callbacks):
    c, p, applicant, org = world
    with django_capture_on_commit_callbacks(execute=True):
        app = domain.create_application(actor=applicant, participant=p, component="5b", cluster=c, facts=DECLARED)
        domain.add_cost(actor=applicant, application=app, description="plan", amount=Decimal("50000000"), incurred_on=D(2024, 2, 1))
        domain.set_documents(actor=applicant, application=app, provided=["charter", "contract"])
        domain.register(actor=applicant, application=app, on=D(2024, 3, 20), **R)
        domain.check_completeness(actor=org, application=app, on=D(2024, 3, 26), **R)
        domain.set_documents(actor=applicant, application=app, provided=list(domain.component_of(app).documents_required))
        domain.register(actor=applicant, application=app, on=D(2024, 4, 1), **R)
        domain.check_completeness(actor=org, application=app, on=D(2024, 4, 2), **R)
        domain.decide(actor=org, application=app, approve=True, on=D(2024, 4, 10), **R)
        domain.sign_agreement(actor=org, application=app, on=D(2024, 4, 29), **R)
        domain.pay(actor=org, application=app, on=D(2024, 5, 3), **R)
        domain.record_breach(actor=org, application=app, on=D(2025, 1, 10), note="target indicator not reported", **R)
        domain.record_refund(actor=org, application=app, on=D(2025, 2, 1), **R)
    got = list(Notice.objects.filter(recipient=applicant).order_by("id"))
    assert [n.kind for n in got] == ["support_registered", "support_checked", "support_registered", "support_checked", "support_decided",
                                     "support_agreement", "support_paid", "support_refund", "support_refund"]
    assert {n.language for n in got} == {"kk"}
    decided = next(n for n in got if n.kind == "support_decided")
    # the clause of the 2-working-day notice of the decision (instrument's procedure, regulation data)
    assert decided.clause == "§5.4, instruments 2–5, item 6"
    assert decided.subject.startswith("Өтеу туралы шешім") and "10.04.2024" in decided.body
    failed_check = got[1]
    assert "efficiency-plan" in failed_check.body and failed_check.clause.startswith("§5.4")
    assert "target indicator not reported" in got[7].body
    # the organizer acted, the applicant is told: nobody else got these
    assert not Notice.objects.exclude(recipient=applicant).exists()
    # every one went out by e-mail once, to the applicant's address, in Kazakh
    assert len(mail.outbox) == len(got)
    assert {tuple(m.to) for m in mail.outbox} == {("app_kk@example.kz",)}
    assert [m.subject for m in mail.outbox] == [n.subject for n in got]
    assert all(n.email_state == "sent" and n.attempts == 1 for n in Notice.objects.all())


def test_a_refused_act_writes_no_notice(world):
    c, p, applicant, org = world
    app = domain.create_application(actor=applicant, participant=p, component="5b", cluster=c, facts=DECLARED)
    with pytest.raises(Exception):
        domain.decide(actor=org, application=app, approve=True, on=D(2024, 4, 10), **R)  # not registered
    assert not Notice.objects.exists()


def test_a_notice_that_cannot_be_written_does_not_undo_the_act(world, monkeypatch, caplog):
    from klaster.notices import receivers

    c, p, applicant, org = world
    app = domain.create_application(actor=applicant, participant=p, component="5b", cluster=c, facts=DECLARED)
    domain.add_cost(actor=applicant, application=app, description="plan", amount=Decimal("50000000"), incurred_on=D(2024, 2, 1))
    domain.set_documents(actor=applicant, application=app, provided=["charter", "contract"])

    def broken(entry):
        raise RuntimeError("a bug in a notice")

    monkeypatch.setitem(receivers.HANDLERS, "support.application.register", broken)
    domain.register(actor=applicant, application=app, on=D(2024, 3, 20), **R)
    app.refresh_from_db()
    assert app.status == "registered" and not Notice.objects.exists()
    assert "a bug in a notice" in caplog.text
