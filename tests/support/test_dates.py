"""Issue 9, support: the days of the operator's acts.

Each act (completeness, decision, agreement, payment, breach, refund) is read through
RecordedDayForm (not in the future; the reason when back-dated, kept in the audit note; a weekend
or holiday is a warning) and checked by the domain against the event it follows, with its clause.
Reproductions: completeness recorded for 2030; a refund recorded before the breach; a decision on
a Sunday accepted silently; a repeated act.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from klaster.common.dates import DayRefused
from klaster.common.models import AuditEntry
from klaster.support import domain
from klaster.support.models import Status
from tests.conftest import make_user
from tests.register.world import build_world
from tests.support.helpers import fix_today

D = dt.date
TODAY = D(2024, 6, 14)  # a Friday
R = {"reason": "entered from the paper file"}


@pytest.fixture
def world(db, settings, monkeypatch):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    w = build_world(make_user)  # app_a: 5b, registered on 2024-03-20
    fix_today(monkeypatch, TODAY)
    comp = domain.component_of(w.app_a)
    w.app_a.documents = list(comp.documents_required)
    w.app_a.save()
    return w


def _organizer(world, lang="en"):
    c = Client()
    c.force_login(world.users["organizer"])
    c.cookies["django_language"] = lang
    return c


def _post(world, action, lang="en", **fields):
    app = world.app_a
    app.refresh_from_db()
    return _organizer(world, lang).post(f"/support/{app.pk}/action/", {"action": action, "version": app.version, **fields}, follow=True)


def _state(app):
    app.refresh_from_db()
    return app.status, dict(app.events)


def test_completeness_in_the_future_is_refused(world):
    before = _state(world.app_a)
    r = _post(world, "completeness", on="2030-03-01")
    assert r.status_code == 200 and "1 Mar 2030 is in the future" in r.content.decode()
    assert _state(world.app_a) == before
    with pytest.raises(DayRefused, match="in the future"):
        domain.check_completeness(actor=world.users["organizer"], application=world.app_a, on=D(2030, 3, 1), **R)
    assert _state(world.app_a) == before


def test_back_dated_act_needs_a_reason_kept_in_the_audit_note(world):
    r = _post(world, "completeness", on="2024-03-22")
    assert "give the reason why it is recorded only now" in r.content.decode()
    assert world.app_a.status == "registered"
    r = _post(world, "completeness", on="2024-03-22", reason="the check was done on paper")
    assert "Recorded." in r.content.decode()
    assert _state(world.app_a)[1]["completeness-passed"] == "2024-03-22"
    entry = AuditEntry.objects.filter(action="support.completeness.pass").get()
    assert "recorded on 2024-06-14 for 2024-03-22: the check was done on paper" in entry.note


def test_act_before_the_event_it_follows_is_refused_with_its_clause(world):
    r = _post(world, "completeness", on="2024-03-19", reason="late")
    html = r.content.decode()
    assert "is before the registration on 20 Mar 2024" in html and "§5.4, instruments 2–5, item 3" in html
    assert world.app_a.status == "registered"


def test_decision_on_a_sunday_is_recorded_with_a_warning(world):
    domain.check_completeness(actor=world.users["organizer"], application=world.app_a, on=D(2024, 3, 22), **R)
    r = _post(world, "approve", on="2024-03-24", reason="signed at the weekend")  # Sunday
    html = r.content.decode()
    assert "Recorded." in html and "is not a working day (weekend)" in html
    assert _state(world.app_a)[0] == Status.APPROVED
    r = _post(world, "refuse", lang="ru", on="2024-03-25", note="x")
    assert world.app_a.status == Status.APPROVED  # a second decision is refused by state


def test_the_chain_of_acts_each_after_the_one_it_follows(world):
    org, app = world.users["organizer"], world.app_a
    domain.check_completeness(actor=org, application=app, on=D(2024, 3, 22), **R)
    with pytest.raises(DayRefused, match="before the completeness check on 22 Mar 2024"):
        domain.decide(actor=org, application=app, approve=True, on=D(2024, 3, 21), **R)
    domain.decide(actor=org, application=app, approve=True, on=D(2024, 3, 27), **R)
    with pytest.raises(DayRefused, match="before the decision on 27 Mar 2024"):
        domain.sign_agreement(actor=org, application=app, on=D(2024, 3, 26), **R)
    domain.sign_agreement(actor=org, application=app, on=D(2024, 4, 2), **R)
    with pytest.raises(DayRefused, match="before the signing of the agreement on 2 Apr 2024"):
        domain.pay(actor=org, application=app, on=D(2024, 4, 1), **R)
    domain.pay(actor=org, application=app, on=D(2024, 4, 8), **R)
    with pytest.raises(DayRefused, match="before the payment on 8 Apr 2024"):
        domain.record_breach(actor=org, application=app, on=D(2024, 4, 5), note="not reported", **R)
    domain.record_breach(actor=org, application=app, on=D(2024, 5, 6), note="target indicator not reported", **R)
    with pytest.raises(DayRefused, match=r"before the breach on 6 May 2024 \(Programme §5.4, mechanism of instruments 2–5, item 9.3\)"):
        domain.record_refund(actor=org, application=app, on=D(2024, 5, 2), **R)
    assert app.status == Status.BREACHED and app.agreement.refunded_on is None
    domain.record_refund(actor=org, application=app, on=D(2024, 5, 20), **R)
    assert app.status == Status.REFUNDED
    assert app.events["breached"] == "2024-05-06" and app.events["refunded"] == "2024-05-20"
    with pytest.raises(domain.SupportError, match="this step needs"):
        domain.record_refund(actor=org, application=app, on=D(2024, 5, 21), **R)


def test_refund_before_the_breach_through_the_page(world):
    org, app = world.users["organizer"], world.app_a
    domain.check_completeness(actor=org, application=app, on=D(2024, 3, 22), **R)
    domain.decide(actor=org, application=app, approve=True, on=D(2024, 3, 27), **R)
    domain.sign_agreement(actor=org, application=app, on=D(2024, 4, 2), **R)
    domain.pay(actor=org, application=app, on=D(2024, 4, 8), **R)
    domain.record_breach(actor=org, application=app, on=D(2024, 5, 6), note="target indicator not reported", **R)
    r = _post(world, "refund", lang="ru", on="02.05.2024", reason="по выписке банка")
    html = r.content.decode()
    assert "02.05.2024 раньше, чем нарушение (06.05.2024) (Программа, п. 5.4, механизм инструментов 2–5, пункт 9.3)" in html
    app.refresh_from_db()
    assert app.status == Status.BREACHED and app.agreement.refunded_on is None


def test_registration_after_a_failed_completeness_check_is_not_earlier(world):
    org, applicant = world.users["organizer"], world.users["applicant"]
    app = domain.create_application(actor=applicant, participant=world.member_a, component="5b", cluster=world.a)
    domain.add_cost(actor=applicant, application=app, description="plan", amount=Decimal("1000"), incurred_on=D(2024, 2, 1))
    domain.register(actor=applicant, application=app, on=D(2024, 4, 1), **R)
    domain.check_completeness(actor=org, application=app, on=D(2024, 4, 3), **R)
    assert app.status == Status.INCOMPLETE
    with pytest.raises(DayRefused, match="before the completeness check on 3 Apr 2024"):
        domain.register(actor=applicant, application=app, on=D(2024, 4, 2), **R)
    domain.register(actor=applicant, application=app)  # today
    assert app.events["registered"] == TODAY.isoformat()


def test_non_financial_procedure_decides_after_the_registration(world):
    """Through the non-financial operator (§5.4, instruments 2–5, item 2) there is no completeness
    check: the decision follows the registration."""
    org, applicant = world.users["organizer"], world.users["applicant"]
    app = domain.create_application(actor=applicant, participant=world.member_a, component="5b", cluster=world.a, procedure="nonfinancial-operator-2-5")
    domain.add_cost(actor=applicant, application=app, description="plan", amount=Decimal("1000"), incurred_on=D(2024, 2, 1))
    domain.register(actor=applicant, application=app, on=D(2024, 4, 1), **R)
    with pytest.raises(DayRefused, match=r"before the registration on 1 Apr 2024 \(§5.4, instruments 2–5, item 2\)"):
        domain.decide(actor=org, application=app, approve=False, note="x", on=D(2024, 3, 29), **R)
    domain.decide(actor=org, application=app, approve=False, note="no plan", on=D(2024, 4, 2), **R)
    assert app.status == Status.REFUSED


def test_a_second_completeness_check_is_refused_by_state(world):
    assert "Recorded." in _post(world, "completeness").content.decode()
    before = _state(world.app_a)
    html = _post(world, "completeness").content.decode()
    assert "this step needs" in html
    assert _state(world.app_a) == before
