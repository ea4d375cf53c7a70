"""The register procedure: a cluster enters the register from the competition's winners or on its
association's application, leaves it by exclusion, and its eligibility is re-checked on every
membership change with an alert to the organizer and the association; the public card."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from klaster.accounts.roles import Role
from klaster.common.models import AuditEntry
from klaster.register.domain import procedure, services
from klaster.register.domain.services import RegisterError
from klaster.register.models import Cluster, ClusterStatus, ClusterWin, EligibilityAlert, Membership
from tests.register.winners import bin_, make_winner

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def people(user_factory):
    org = user_factory("p_org", Role.ORGANIZER)
    comp_applicant = user_factory("p_comp", Role.APPLICANT)
    return org, comp_applicant


def _client(user, lang="en"):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


# --- from the competition's winners ---------------------------------------------------------------

def test_a_stage_2_winner_enters_the_register_from_the_competition_record(people):
    org, comp_applicant = people
    app = make_winner(comp_applicant)
    c = procedure.include_winner(actor=org, application=app, code="builders", name_en="Building materials cluster")
    assert c.status == ClusterStatus.INCLUDED and c.included_on is not None
    # the stage and the decision come from the competition's records
    wins = {w.stage: w for w in c.wins.all()}
    assert set(wins) == {1, 2} and wins[2].decided_on == D(2016, 6, 15) and wins[1].decided_on == D(2016, 2, 1)
    assert wins[2].competition_application == app and wins[2].winner_bin == app.organisation_bin
    assert c.competition_stage_won == 2
    # the members are the participants of the winning package; the association is the winner
    members = services.members_on(c, c.included_on)
    assert members.count() == 13 and c.association.bin == app.organisation_bin and c.association.kind == "association"
    assert c.oked == "2361" and [r.kato for r in c.regions.all()] == ["350000000"]
    assert AuditEntry.objects.filter(action="register.win.record").count() == 2
    # the winner cannot enter twice
    with pytest.raises(RegisterError, match="already recorded"):
        procedure.include_winner(actor=org, application=app, code="builders-2")


def test_a_package_below_criteria_1_1_does_not_enter_and_nothing_is_written(people):
    org, comp_applicant = people
    app = make_winner(comp_applicant, n_participants=8)
    before = Cluster.objects.count(), Membership.objects.count(), ClusterWin.objects.count()
    with pytest.raises(RegisterError, match="Criteria 1.1"):
        procedure.include_winner(actor=org, application=app, code="small")
    assert (Cluster.objects.count(), Membership.objects.count(), ClusterWin.objects.count()) == before


def test_an_application_without_a_positive_decision_won_nothing(people):
    org, comp_applicant = people
    app = make_winner(comp_applicant)
    app.decision.positive = False
    app.decision.save()
    with pytest.raises(RegisterError, match="did not win"):
        procedure.include_winner(actor=org, application=app, code="x1")


def test_a_win_is_recorded_for_the_cluster_whose_association_won_only(people):
    org, comp_applicant = people
    app = make_winner(comp_applicant)
    other = Cluster.objects.create(code="other", name_kk="О", name_ru="О", name_en="O", oked="23", status="included", included_on=D(2015, 1, 1))
    a = services.save_participant(actor=None, bin=bin_(123), name="Other association", kind="association", oked_main="9411", kato="350000000")
    other.association = a
    other.save()
    with pytest.raises(RegisterError, match="is not the association"):
        procedure.link_winner(actor=org, cluster=other, application=app)
    mine = Cluster.objects.create(code="mine", name_kk="М", name_ru="М", name_en="M", oked="23", status="included", included_on=D(2015, 1, 1))
    mine.association = services.save_participant(actor=None, bin=app.organisation_bin, name="Association", kind="association", oked_main="9411", kato="350000000")
    mine.save()
    procedure.link_winner(actor=org, cluster=mine, application=app)
    mine.refresh_from_db()
    assert mine.competition_stage_won == 2 and mine.wins.count() == 2


def test_winners_page_includes_a_winner(people):
    org, comp_applicant = people
    app = make_winner(comp_applicant)
    c = _client(org)
    page = c.get("/register/winners/").content.decode()
    assert f'data-application="{app.pk}"' in page and "Include in the register" in page
    r = c.post("/register/winners/", {"application": app.pk, "action": "include", "code": "winners-cluster", "name_kk": "", "name_en": "Winner cluster"})
    assert r.status_code == 302 and r["Location"] == "/register/winners-cluster/"
    card = c.get("/register/winners-cluster/").content.decode()
    assert "Stage 2" in card and "15.06.2016" in card
    # a malformed or unknown application id is a form error, nothing written
    n = Cluster.objects.count()
    assert c.post("/register/winners/", {"application": "9" * 30, "action": "include", "code": "x"}).status_code == 400
    assert c.post("/register/winners/", {"application": "999999", "action": "include", "code": "x"}).status_code == 400
    assert c.post("/register/winners/", {"application": app.pk, "action": "include", "code": "new"}).status_code == 400  # a page of the register
    assert Cluster.objects.count() == n


# --- on the association's application --------------------------------------------------------------

def test_the_association_applies_for_a_new_entry_and_the_organizer_decides(people, user_factory):
    org, _ = people
    assoc_bin = bin_(300)
    applicant = user_factory("p_assoc", Role.APPLICANT, organisation_bin=assoc_bin)
    c = _client(applicant)
    data = {"code": "furniture-astana", "name_ru": "Мебельный кластер Астаны", "name_kk": "", "name_en": "Astana furniture cluster", "oked": "31",
            "regions": ["710000000"], "association_name": "Ассоциация мебельщиков", "association_oked": "94.11", "association_kato": "710000000"}
    r = c.post("/register/new/", data)
    assert r.status_code == 302
    cl = Cluster.objects.get(code="furniture-astana")
    app = cl.applications.get()
    assert cl.status == ClusterStatus.APPLIED and app.new_cluster and cl.association.bin == assoc_bin
    # the organizer refuses inclusion of a cluster below Criteria 1.1 …
    with pytest.raises(RegisterError, match="Criteria 1.1"):
        services.decide_inclusion(actor=org, application=app, approve=True, on=app.submitted_on)
    # … and includes it once ten unaffiliated participants are members
    for i in range(10):
        services.add_participant(actor=org, cluster=cl, joined_on=app.submitted_on, bin=bin_(310 + i), name=f"Цех {i}", kind="enterprise", oked_main="3101", kato="710000000")
    services.decide_inclusion(actor=org, application=app, approve=True, on=app.submitted_on)
    cl.refresh_from_db()
    assert cl.status == ClusterStatus.INCLUDED
    # malformed values: form errors, nothing written
    n = Cluster.objects.count()
    for bad in ({"code": "bad code!"}, {"regions": ["999999999"]}, {"oked": "xx"}, {"association_kato": "1"}, {"code": "winners"}):
        r = c.post("/register/new/", {**data, "code": "another", **bad})
        assert r.status_code == 400, bad
    assert Cluster.objects.count() == n


def test_an_applicant_without_an_organisation_cannot_apply(user_factory):
    u = user_factory("p_nobody", Role.APPLICANT)
    r = _client(u).post("/register/new/", {"code": "x", "name_ru": "X", "oked": "31", "regions": ["710000000"], "association_name": "A", "association_oked": "94.11",
                                           "association_kato": "710000000"})
    assert r.status_code == 400 and not Cluster.objects.filter(code="x").exists()


# --- exclusion ----------------------------------------------------------------------------------------

def _included(n=10, serial=500):
    c = Cluster.objects.create(code=f"c{serial}", name_kk="К", name_ru="Кластер", name_en="C", oked="23", status="included", included_on=D(2020, 1, 1))
    a = services.save_participant(actor=None, bin=bin_(serial), name="Assoc", kind="association", oked_main="9411", kato="350000000")
    c.association = a
    c.save()
    services.join(actor=None, cluster=c, participant=a, joined_on=D(2020, 1, 1))
    ms = []
    for i in range(n):
        p = services.save_participant(actor=None, bin=bin_(serial + 1 + i), name=f"P{i}", kind="enterprise", oked_main="2361", kato="350000000")
        ms.append(services.join(actor=None, cluster=c, participant=p, joined_on=D(2020, 1, 1)))
    return c, ms


def test_exclusion_with_reasons_and_day_keeps_the_register_of_earlier_days(people):
    org, _ = people
    c, _ms = _included()
    with pytest.raises(RegisterError, match="written reasons"):
        procedure.exclude(actor=org, cluster=c, on=D(2024, 5, 2), note=" ", reason="decision of the Ministry entered later")
    procedure.exclude(actor=org, cluster=c, on=D(2024, 5, 2), note="Criteria 1.1 not met since March 2024", reason="decision of the Ministry entered later")
    c.refresh_from_db()
    assert c.status == ClusterStatus.EXCLUDED and c.excluded_on == D(2024, 5, 2)
    assert c in services.register_on(D(2024, 5, 1)) and c not in services.register_on(D(2024, 5, 2))
    assert AuditEntry.objects.filter(action="register.cluster.exclude", note__contains="decision of the Ministry").exists()
    with pytest.raises(RegisterError, match="not in the register"):
        procedure.exclude(actor=org, cluster=c, on=D(2024, 6, 1), note="again", reason="x")
    with pytest.raises(RegisterError, match="excluded"):
        services.submit_inclusion(actor=org, cluster=c, on=D(2024, 6, 3), reason="x")


def test_exclusion_page_checks_the_day(people):
    org, _ = people
    c, _ms = _included(serial=600)
    cl = _client(org)
    r = cl.post(f"/register/{c.code}/exclude/", {"on": "2019-12-31", "reason": "late entry", "note": "gone"})  # before the inclusion
    assert r.status_code == 400 and Cluster.objects.get(pk=c.pk).status == "included"
    r = cl.post(f"/register/{c.code}/exclude/", {"on": "", "note": "the association dissolved"})
    assert r.status_code == 302 and Cluster.objects.get(pk=c.pk).status == "excluded"


# --- eligibility re-checked on every membership change ---------------------------------------------

def test_two_participants_leave_and_the_organizer_and_association_are_alerted(people, user_factory):
    """The construction cluster had 10 unaffiliated entities; after two left it showed 8 of the 10
    Criteria 1.1 requires and stayed included with no alert. Now each change re-checks it."""
    org, _ = people
    c, ms = _included(n=10, serial=700)
    assoc_user = user_factory("p_assoc_user", Role.APPLICANT, organisation_bin=c.association.bin)
    assert not EligibilityAlert.objects.filter(cluster=c, resolved_on__isnull=True).exists()  # 10 of 10
    services.leave(actor=org, membership=ms[0], left_on=D(2024, 3, 1), reason="entered later")
    alert = EligibilityAlert.objects.get(cluster=c, resolved_on__isnull=True)  # 9 of the 10 required
    assert alert.findings[0]["actual"] == 9
    services.leave(actor=org, membership=ms[1], left_on=D(2024, 3, 2), reason="entered later")
    alert = EligibilityAlert.objects.get(cluster=c, resolved_on__isnull=True)  # the same alert, 8 now
    assert alert.findings[0]["clause"].startswith("Criteria 1.1") and alert.findings[0]["actual"] == 8
    assert {org.username, assoc_user.username} <= set(alert.recipients)
    assert [a.pk for a in procedure.alerts_for(assoc_user)] == [alert.pk] and procedure.alerts_for(user_factory("p_other", Role.ANALYST)) == []
    page = _client(assoc_user).get(f"/register/{c.code}/").content.decode()
    assert "eligibility-alert" in page and "8 / 10" in page
    # a new member restores eligibility: the alert is resolved
    services.add_participant(actor=org, cluster=c, joined_on=D(2024, 4, 1), reason="entered later", bin=bin_(799), name="New", kind="enterprise", oked_main="2361", kato="350000000")
    services.add_participant(actor=org, cluster=c, joined_on=D(2024, 4, 1), reason="entered later", bin=bin_(798), name="New 2", kind="enterprise", oked_main="2361", kato="350000000")
    alert.refresh_from_db()
    assert alert.resolved_on is not None and procedure.alerts_for(assoc_user) == []


def test_an_alert_is_raised_once_and_resolved_by_the_exclusion(people):
    org, _ = people
    c, ms = _included(n=10, serial=800)
    earlier = set(EligibilityAlert.objects.values_list("pk", flat=True))  # raised and resolved while the fixture added members one by one
    for m in ms[:3]:
        services.leave(actor=org, membership=m, left_on=D(2024, 3, 1), reason="entered later")
    raised = EligibilityAlert.objects.filter(cluster=c).exclude(pk__in=earlier)
    assert raised.count() == 1
    assert raised.get().findings[0]["actual"] == 7  # the open alert follows the latest check
    procedure.exclude(actor=org, cluster=c, on=D(2024, 5, 2), note="below Criteria 1.1", reason="x")
    assert raised.get().resolved_on == D(2024, 5, 2)


# --- the public card --------------------------------------------------------------------------------

def test_public_card_shows_history_programme_support_and_esca(people):
    from klaster.programmes import domain as pd
    from klaster.support import domain as sd
    from klaster.support.models import Application

    org, comp_applicant = people
    app = make_winner(comp_applicant)
    c = procedure.include_winner(actor=org, application=app, code="card")
    c.esca_label, c.esca_source = "bronze", "seed 003, line 130"
    c.save()
    p = pd.create_programme(actor=org, cluster=c, title_ru="ЦКП строителей", title_en="Builders' programme", start_year=2021, end_year=2025)
    pd.add_project(actor=org, programme=p, name_ru="Завод", name_en="Plant", cost=Decimal("112.1"), direction="priority-direction")
    paid = Application.objects.create(applicant=comp_applicant, participant=c.association, cluster=c, component="7", procedure="instrument-7", status="paid", amount=Decimal("7500000"))
    assert paid.pk
    cl = Client()
    cl.cookies["django_language"] = "en"
    page = cl.get("/register/card/").content.decode()
    for text in ("Stage 2", "15.06.2016", "Builders&#x27; programme", "112.1", "7,500,000.00", "ESCA", "bronze", "included in the register", "joined"):
        assert text in page, text
    assert sd  # the support app's domain is what pays; the card reads its applications
