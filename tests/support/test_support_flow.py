"""A reimbursement application from registration to refund, with deadlines and permissions.

The events of 2024–2025 are recorded later ("today" is later): each back-dated act carries its reason.
"""

import datetime as dt
from decimal import Decimal

import pytest

from klaster.accounts.roles import Role
from klaster.common.bin import make_number
from klaster.register.domain import services as reg
from klaster.register.models import Cluster, ClusterWin
from klaster.support import domain
from klaster.support.models import Status

from tests.support.helpers import fix_today, new_form

pytestmark = pytest.mark.django_db
D = dt.date
R = {"reason": "entered from the paper file"}
DECLARED = {"declarations": {"not-budget-funded": True}}


def _bin(serial):
    while True:
        b = make_number(f"150440{serial:05d}")
        if b:
            return b
        serial += 1000


@pytest.fixture
def setup(user_factory):
    c = Cluster.objects.create(code="k", name_kk="К", name_ru="К", name_en="K", oked="23", competition_stage_won=1)
    a = reg.save_participant(actor=None, bin=_bin(1), name="Assoc", kind="association", oked_main="9411", kato="350000000")
    p = reg.save_participant(actor=None, bin=_bin(2), name="Plant", kind="enterprise", oked_main="2361", kato="350000000", founded_on=D(2010, 1, 1))
    c.association = a
    c.save()
    ClusterWin.objects.create(cluster=c, stage=1, decided_on=D(2016, 6, 1), winner_bin=a.bin, winner_name=a.name, recorded_on=D(2016, 6, 2), source="test: a stage-1 win")
    reg.join(actor=None, cluster=c, participant=p, joined_on=D(2015, 1, 1))
    applicant = user_factory("app", Role.APPLICANT, organisation_bin=a.bin)
    org = user_factory("org", Role.ORGANIZER)
    return c, p, applicant, org


def test_instrument_5_flow_to_refund(setup):
    c, p, applicant, org = setup
    app = domain.create_application(actor=applicant, participant=p, component="5b", cluster=c, facts=DECLARED)
    domain.add_cost(actor=applicant, application=app, description="plan", amount=Decimal("50000000"), incurred_on=D(2024, 2, 1))
    domain.set_documents(actor=applicant, application=app, provided=["charter", "contract"])
    domain.register(actor=applicant, application=app, on=D(2024, 3, 20), **R)
    assert app.amount == Decimal("15000000.00")  # 40% of 50 mln = 20 mln → cap 15 mln
    missing = domain.check_completeness(actor=org, application=app, on=D(2024, 3, 26), **R)
    assert "efficiency-plan" in missing and app.status == Status.INCOMPLETE
    comp = domain.component_of(app)
    domain.set_documents(actor=applicant, application=app, provided=list(comp.documents_required))
    domain.register(actor=applicant, application=app, on=D(2024, 4, 1), **R)
    assert "previous-registration-1" in app.events
    assert domain.check_completeness(actor=org, application=app, on=D(2024, 4, 2), **R) == []
    dl = {d.step: d.due for d in domain.deadlines(app, today=D(2024, 4, 2))}
    assert dl["completeness-check"] == D(2024, 4, 4)   # 3 wd after Mon 1 Apr
    assert dl["decision"] == D(2024, 4, 11)            # 7 wd after Tue 2 Apr
    domain.decide(actor=org, application=app, approve=True, on=D(2024, 4, 10), **R)
    domain.sign_agreement(actor=org, application=app, on=D(2024, 4, 29), **R)
    assert {d.step: d.due for d in domain.deadlines(app)}["payment"] == D(2024, 5, 6)
    domain.pay(actor=org, application=app, on=D(2024, 5, 3), **R)
    ag = domain.record_breach(actor=org, application=app, on=D(2025, 1, 10), note="target indicator not reported", **R)
    assert ag.refund_amount == Decimal("15000000.00") and app.status == Status.BREACHED
    domain.record_refund(actor=org, application=app, on=D(2025, 2, 1), **R)
    assert app.status == Status.REFUNDED


def test_refusal_needs_reasons_and_ineligible_cannot_be_approved(setup):
    c, p, applicant, org = setup
    retail = reg.save_participant(actor=None, bin=_bin(3), name="Shop", kind="enterprise", oked_main="4711", kato="350000000", founded_on=D(2010, 1, 1))
    app = domain.create_application(actor=applicant, participant=retail, component="5a")
    domain.add_cost(actor=applicant, application=app, description="plan", amount=Decimal("1000000"), incurred_on=D(2024, 2, 1))
    domain.set_documents(actor=applicant, application=app, provided=list(domain.component_of(app).documents_required))
    domain.register(actor=applicant, application=app, on=D(2024, 3, 1), **R)
    domain.check_completeness(actor=org, application=app, on=D(2024, 3, 4), **R)
    with pytest.raises(domain.SupportError, match="not eligible"):
        domain.decide(actor=org, application=app, approve=True, on=D(2024, 3, 5), **R)
    with pytest.raises(domain.SupportError, match="reasons"):
        domain.decide(actor=org, application=app, approve=False, on=D(2024, 3, 5), **R)


def test_instrument_7_per_cluster_cap_across_applications(setup):
    c, p, applicant, org = setup
    amounts = []
    for n, reg_on in enumerate((D(2024, 3, 1), D(2024, 6, 3))):
        app = domain.create_application(actor=applicant, participant=c.association, component="7", cluster=c, facts=DECLARED)
        domain.add_cost(actor=applicant, application=app, description="strategy", amount=Decimal("20000000"), incurred_on=D(2024, 1, 10))
        domain.set_documents(actor=applicant, application=app, provided=list(domain.component_of(app).documents_required))
        domain.register(actor=applicant, application=app, on=reg_on, **R)
        domain.check_completeness(actor=org, application=app, on=reg_on + dt.timedelta(days=1), **R)
        domain.record_expertise(actor=org, application=app, on=reg_on + dt.timedelta(days=2), **R)
        domain.decide(actor=org, application=app, approve=True, on=reg_on + dt.timedelta(days=3), **R)
        amounts.append(app.amount)
    assert amounts == [Decimal("10000000.00"), Decimal("5000000.00")]  # 15 mln per cluster


def test_pages_respect_roles(setup, client, monkeypatch):
    c, p, applicant, org = setup
    fix_today(monkeypatch, D(2024, 3, 20))
    app = domain.create_application(actor=applicant, participant=p, component="4b", cluster=c)
    client.force_login(applicant)
    assert client.get("/support/new/?component=4b").status_code == 200
    r = client.post("/support/new/", new_form("4b", p, [{"description": "audit", "amount": "10000000", "incurred_on": "2024-02-01"}], documents=["charter"]))
    assert r.status_code == 302
    assert client.post(f"/support/{app.pk}/action/", {"action": "completeness"}).status_code == 403
    other = domain.create_application(actor=org, participant=p, component="4b")
    assert client.get(f"/support/{other.pk}/").status_code == 403
    client.force_login(org)
    assert client.get(f"/support/{app.pk}/").status_code == 200
