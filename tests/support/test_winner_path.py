"""The winner's path to support: the stage comes from the register's record of the competition,
never from the applicant; instruments 7 and 8 for the winning association, with their
procedures (expertise, payment after the decision); instrument 1 applied for; an amount shown at
registration is the amount the decision computes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from klaster.accounts.roles import Role
from klaster.register.domain import procedure
from klaster.register.models import ClusterWin
from klaster.support import domain
from klaster.support.models import Application, Status
from tests.register.winners import make_winner
from tests.support.helpers import fix_today, new_form, pdf_bytes

D = dt.date
pytestmark = pytest.mark.django_db
R = {"reason": "entered from the paper file"}
DECLARED = {"declarations": {"not-budget-funded": True}}


@pytest.fixture
def winner(user_factory):
    org = user_factory("w_org", Role.ORGANIZER)
    comp = user_factory("w_comp", Role.APPLICANT)
    app = make_winner(comp, stage1_on=D(2016, 2, 1), stage2_on=D(2016, 6, 15))
    c = procedure.include_winner(actor=org, application=app, code="stroy-winners", on=D(2016, 7, 1), today=D(2016, 7, 1))
    assoc_user = user_factory("w_assoc", Role.APPLICANT, organisation_bin=c.association.bin)
    member = c.memberships.exclude(participant=c.association).first().participant
    return c, org, assoc_user, member


def _client(user):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


def test_a_member_enterprise_typing_stage_2_does_not_pass_instrument_7(winner, monkeypatch):
    """Reproduction: the stage was typed in the form and overrode the register — a member
    enterprise declared stage 2 and passed instrument 7's eligibility."""
    c, org, assoc_user, member = winner
    fix_today(monkeypatch, D(2016, 7, 4))
    costs = [{"description": "strategy and roadmap", "amount": "20000000", "incurred_on": "2016-05-10"}]
    docs = list(domain.load_instruments().component("7").documents_required)
    r = _client(assoc_user).post("/support/new/", new_form("7", member, costs, stage="2", documents=docs, declarations=["not-budget-funded"]))
    assert r.status_code == 302
    app = Application.objects.get(participant=member)
    stage = [f for f in app.eligibility if f["rule"] == "competition-stage-won"][0]
    assert not stage["passed"] and stage["code"] == "stage.not_winner" and c.association.bin in stage["message"]
    assert "stage" not in app.facts and "competition_stage_won" not in app.facts
    domain.check_completeness(actor=org, application=app, on=D(2016, 7, 4))
    domain.record_expertise(actor=org, application=app, on=D(2016, 7, 4))
    with pytest.raises(domain.SupportError, match="not eligible"):
        domain.decide(actor=org, application=app, approve=True, on=D(2016, 7, 4))


def test_the_winning_association_applies_for_7_and_8_and_the_organizer_processes_both_in_time(winner, monkeypatch):
    c, org, assoc_user, member = winner
    fix_today(monkeypatch, D(2016, 7, 4))
    assoc = c.association
    client = _client(assoc_user)
    for comp, cost in (("7", "24000000"), ("8a", "30000000")):
        docs = list(domain.load_instruments().component(comp).documents_required)
        r = client.post("/support/new/", new_form(comp, assoc, [{"description": f"costs {comp}", "amount": cost, "incurred_on": "2016-06-20"}],
                                                  documents=docs, declarations=["not-budget-funded"]))
        assert r.status_code == 302, r.content.decode()[:2000]
    a7, a8 = Application.objects.get(component="7"), Application.objects.get(component="8a")
    assert all(f["passed"] for f in a7.eligibility) and all(f["passed"] for f in a8.eligibility)
    assert a7.amount == Decimal("12000000.00")   # 50 % of 24 mln, under the 15 mln per cluster
    assert a8.amount == Decimal("22500000.00")   # support year 1 (stage-2 decision of 2016): 75 % of 30 mln, under 60 mln a year
    assert any("75%" in s for s in a8.explanation["en"]) and any("Decree 440 states no rate" in s for s in a8.explanation["en"])
    # instrument 7: completeness 2 wd, expertise 3 wd, decision 3 wd, payment 5 wd of the decision
    def act(fn, app, day, **kw):
        fix_today(monkeypatch, day)
        return fn(actor=org, application=app, on=day, **kw)

    act(domain.check_completeness, a7, D(2016, 7, 5))
    act(domain.check_completeness, a8, D(2016, 7, 5))       # instrument 8: completeness 2 wd
    with pytest.raises(domain.SupportError, match="separate expertise"):
        act(domain.record_expertise, a8, D(2016, 7, 5))       # instrument 8: expertise and decision are one step
    act(domain.record_expertise, a7, D(2016, 7, 7))          # instrument 7: expertise 3 wd
    act(domain.decide, a7, D(2016, 7, 8), approve=True)      # decision 3 wd after the expertise
    act(domain.decide, a8, D(2016, 7, 11), approve=True)     # instrument 8: expertise and decision 6 wd
    act(domain.pay, a7, D(2016, 7, 12))                      # payment 5 wd of the decision
    act(domain.pay, a8, D(2016, 7, 14))
    for a in (a7, a8):
        a.refresh_from_db()
        assert a.status == Status.PAID and not hasattr(a, "agreement")
        dl = domain.deadlines(a, today=D(2016, 7, 14))
        assert all(d.status in ("done", "passed-over") and not d.late for d in dl), [(d.step, d.status, d.late) for d in dl]


def test_instrument_8_after_five_years_of_support_pays_nothing(winner):
    c, org, assoc_user, member = winner
    a = domain.create_application(actor=assoc_user, participant=c.association, component="8a", cluster=c, facts=DECLARED)
    domain.add_cost(actor=assoc_user, application=a, description="events", amount=Decimal("1000000"), incurred_on=D(2021, 3, 1))
    domain.register(actor=assoc_user, application=a, on=D(2021, 3, 10), **R)   # 2021 = support year 6
    years = [f for f in a.eligibility if f["rule"] == "support-years"][0]
    assert not years["passed"] and a.amount == Decimal("0")


def test_the_amount_shown_at_registration_is_the_amount_of_the_decision(winner):
    """Reproduction: a second application for the same enterprise showed 400,000 tenge that the
    approval then refused as zero (the 15-employee limit was used by the first, not yet decided)."""
    c, org, assoc_user, member = winner
    first = domain.create_application(actor=assoc_user, participant=member, component="3a", cluster=c, facts={**DECLARED, "activity_since": "2010-01-01"})
    for i in range(15):
        domain.add_cost(actor=assoc_user, application=first, description=f"course {i}", amount=Decimal("1000000"), incurred_on=D(2016, 5, 1), unit_id=f"E{i}")
    domain.register(actor=assoc_user, application=first, on=D(2016, 7, 1), **R)
    second = domain.create_application(actor=assoc_user, participant=member, component="3a", cluster=c, facts={**DECLARED, "activity_since": "2010-01-01"})
    domain.add_cost(actor=assoc_user, application=second, description="course 16", amount=Decimal("1000000"), incurred_on=D(2016, 5, 2), unit_id="E15")
    domain.register(actor=assoc_user, application=second, on=D(2016, 7, 1), **R)
    assert first.amount == Decimal("6000000.00")
    assert second.amount == Decimal("0.00") and "unit-limit" in second.explanation["binding_caps"]  # was 400 000 before
    assert any("at most 15 per enterprise a year" in s for s in second.explanation["en"])
    # the decision of the first does not change what the second shows
    for a in (first,):
        a.documents = list(domain.component_of(a).documents_required)
        a.save()
        domain.check_completeness(actor=org, application=a, on=D(2016, 7, 1), **R)
        domain.decide(actor=org, application=a, approve=True, on=D(2016, 7, 1), **R)
    _findings, r = domain.compute(second, D(2016, 7, 1))
    assert r.amount.amount == second.amount


def test_instrument_1_is_applied_for_and_confirmed_within_5_working_days(winner, monkeypatch):
    c, org, assoc_user, member = winner
    fix_today(monkeypatch, D(2016, 3, 18))
    r = _client(assoc_user).post("/support/new/", new_form("1", member, [], asset_value="200 000 000", own_cash="30 000 000", term_years="10",
                                                           documents=["project-passport"]))
    assert r.status_code == 302, r.content.decode()[:3000]
    a = Application.objects.get(component="1")
    assert a.amount == Decimal("170000000.00") and all(f["passed"] for f in a.eligibility)
    dl = {d.step: d.due for d in domain.deadlines(a)}
    assert dl == {"decision": D(2016, 3, 30)}   # 5 wd after Fri 18 Mar 2016 (Nauryz 21–23 Mar)
    fix_today(monkeypatch, D(2016, 3, 29))
    domain.decide(actor=org, application=a, approve=True, on=D(2016, 3, 29))
    assert a.status == Status.APPROVED
    with pytest.raises(domain.SupportError, match="pays nothing"):
        domain.pay(actor=org, application=a, on=D(2016, 3, 29))
    # below the terms: 14 % own cash, a 12-year term
    r = _client(assoc_user).post("/support/new/", new_form("1", member, [], asset_value="200000000", own_cash="28000000", term_years="12", documents=["project-passport"]))
    b = Application.objects.filter(component="1").exclude(pk=a.pk).get()
    assert {f["rule"]: f["passed"] for f in b.eligibility}["leasing-own-share"] is False and {f["rule"]: f["passed"] for f in b.eligibility}["leasing-term"] is False


def test_the_reference_of_a_specialised_organisation_is_required_at_completeness(winner, monkeypatch):
    c, org, assoc_user, member = winner
    a = domain.create_application(actor=assoc_user, participant=member, component="3a", cluster=c, facts={**DECLARED, "activity_since": "2010-01-01"},
                                  executor={"kind": "specialised-organisation", "years_experience": 5, "prior_projects": 4})
    domain.add_cost(actor=assoc_user, application=a, description="course", amount=Decimal("1000000"), incurred_on=D(2016, 5, 1), unit_id="E1")
    domain.set_documents(actor=assoc_user, application=a, provided=list(domain.component_of(a).documents_required))
    domain.register(actor=assoc_user, application=a, on=D(2016, 7, 1), **R)
    assert domain.check_completeness(actor=org, application=a, on=D(2016, 7, 1), **R) == ["executor-reference"]
    page = _client(assoc_user).get(f"/support/{a.pk}/").content.decode()
    assert "required when the executor is a specialised organisation" in page


def test_wins_come_from_the_register_only(winner):
    c, org, assoc_user, member = winner
    assert ClusterWin.objects.filter(cluster=c).count() == 2
    assert procedure.stage_for(c, c.association)["stage"] == 2 and procedure.stage_for(c, member)["stage"] == 0
    assert pdf_bytes()  # (helpers import kept for the uploads of the other support tests)
