"""Issue 9, support: Decree 440 in force by date, and the two readings of the caps of instruments 3–5.

The decree is in force from the day of signing (17 June 2015, seed 004 line 40) and was repealed by
Decree No. 370 of 23 June 2016, in force ten calendar days after its first official publication
(assumed: the day of signing) — out of force from 4 July 2016. Every page of an application dated
outside that period carries the warning.

The caps of instruments 3–5 ("not more than X") limit the reimbursement (default: rate first,
then the cap) or the costs admitted (the Kazakh participle reading: the cap first, then the rate).
Worked examples per option, to the tiyn.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from klaster import regulations
from klaster.common.money import Money
from klaster.engine.support import CalculationError, CostItem, PriorUse, compute_reimbursement, load_instruments
from klaster.support import domain
from tests.conftest import make_user
from tests.register.world import build_world
from tests.support.helpers import fix_today

D = dt.date
T = lambda s: Money(s, "tenge")  # noqa: E731
READING = "caps-instruments-3-5"


@pytest.fixture(scope="module")
def inst():
    return load_instruments("decree-440-2015")


# --- in force ------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_id", ["productivity2020-instruments", "productivity2020-priority-sectors"])
def test_decree_440_effective_period_and_its_rules(doc_id):
    doc = regulations.load(doc_id)
    assert doc.effective_from == D(2015, 6, 17)
    assert doc.effective_to == D(2016, 7, 4)  # 23 June 2016 + ten calendar days, in force on the 11th
    for end in ("from", "to"):
        assert set(doc.effective[end]["rule"]) == {"kk", "ru", "en"}
    assert set(doc.effective["to"]["assumed"]) == {"kk", "ru", "en"}
    assert "ten calendar days after its first official publication" in doc.effective["to"]["rule"]["en"]
    assert doc.force_status(D(2016, 7, 3)).in_force and not doc.force_status(D(2016, 7, 4)).in_force
    assert not doc.force_status(D(2015, 6, 16)).in_force and doc.force_status(D(2015, 6, 17)).in_force


@pytest.fixture
def world(db, settings, monkeypatch):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    w = build_world(make_user)  # app_a registered on 2024-03-20: after the repeal
    fix_today(monkeypatch, D(2024, 6, 14))
    return w


def _get(user, url, lang="en"):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c.get(url).content.decode()


def test_pages_of_an_application_after_the_repeal_warn(world):
    for who in ("applicant", "organizer"):
        for url in ("/support/", f"/support/{world.app_a.pk}/"):
            html = _get(world.users[who], url)
            assert "act-notice" in html and "is out of force since 4 Jul 2016" in html and "dated 20 Mar 2024" in html, (who, url)
    html = _get(world.users["applicant"], "/support/new/", "ru")
    assert "утратил силу с 04.07.2016 (утратило силу постановлением № 370 от 23.06.2016" in html and "эта процедура от 14.06.2024" in html
    html = _get(world.users["organizer"], f"/support/{world.app_a.pk}/", "kk")
    assert "04.07.2016 бастап күшін жойған" in html


def test_an_application_of_2015_has_no_warning(world):
    applicant = world.users["applicant"]
    app = domain.create_application(actor=applicant, participant=world.member_a, component="5b", cluster=world.a)
    domain.add_cost(actor=applicant, application=app, description="plan", amount=Decimal("1000"), incurred_on=D(2015, 8, 1))
    domain.register(actor=applicant, application=app, on=D(2015, 9, 1), reason="archive")
    html = _get(world.users["organizer"], f"/support/{app.pk}/")
    assert "act-notice" not in html
    listed = _get(world.users["organizer"], "/support/")
    assert listed.count('class="notice warning act-notice"') == 1  # only app_a's row


# --- readings ------------------------------------------------------------------------------------


def test_the_reading_is_regulation_data_with_a_default_and_arguments():
    doc = regulations.load("productivity2020-instruments")
    r = doc.reading(READING)
    assert r.default.id == "reimbursement" and {o.id for o in r.options} == {"reimbursement", "costs"}
    for o in r.options:
        assert all(o.text[lang] and o.argument[lang] for lang in ("kk", "ru", "en"))
    costs = r.option("costs").argument["kk"]
    assert "аспайтын" in costs and "шығындардың" in costs
    subject = {c.id for c in load_instruments().components() if c.calculation.cap_reading == READING}
    assert subject == {"3a", "3b", "4a", "4b", "5a", "5b"}


@pytest.mark.parametrize("option, amount, binding", [
    # 12,345,678.91 × 40% = 4,938,271.564 → 4,938,271.56 (cap 5 mln on the reimbursement: not reached)
    ("reimbursement", "4938271.56", ()),
    # costs capped at 5,000,000 → × 40% = 2,000,000.00
    ("costs", "2000000.00", ("cap-fixed",)),
])
def test_instrument_5_1_worked_example_per_reading(inst, option, amount, binding):
    r = compute_reimbursement(inst.component("5a"), application_date=D(2015, 9, 1), costs=[CostItem(T("12345678.91"), D(2015, 8, 1))], readings={READING: option})
    assert r.amount == T(amount) and r.binding_caps == binding
    assert r.steps[2].code == f"reading-{option}" and r.steps[2].clause == "Programme §5.3, instruments 3–5"


@pytest.mark.parametrize("option, amount", [
    # 40,000,000.55 × 40% = 16,000,000.22 → capped at 15,000,000.00
    ("reimbursement", "15000000.00"),
    # costs capped at 15,000,000 → × 40% = 6,000,000.00
    ("costs", "6000000.00"),
])
def test_instrument_5_2_worked_example_per_reading(inst, option, amount):
    r = compute_reimbursement(inst.component("5b"), application_date=D(2015, 9, 1), costs=[CostItem(T("40000000.55"), D(2015, 8, 1))], readings={READING: option})
    assert r.amount == T(amount) and r.binding_caps == ("cap-fixed",)


@pytest.mark.parametrize("option, amount, units", [
    # A: 40% of 3,200,000.35 = 1,280,000.14; B: 40% of 1,500,000.37 = 600,000.148; sum 1,880,000.288 → 1,880,000.29
    ("reimbursement", "1880000.29", {"A": "1280000.14", "B": "600000.148"}),
    # A: costs capped at 2,000,000 → 800,000.00; B: 600,000.148; sum 1,400,000.148 → 1,400,000.15
    ("costs", "1400000.15", {"A": "800000.00", "B": "600000.148"}),
])
def test_instrument_3_1_per_employee_worked_example_per_reading(inst, option, amount, units):
    costs = [CostItem(T("3200000.35"), D(2015, 8, 1), "A"), CostItem(T("1500000.37"), D(2015, 8, 1), "B")]
    r = compute_reimbursement(inst.component("3a"), application_date=D(2015, 9, 1), costs=costs, readings={READING: option})
    assert r.amount == T(amount)
    assert {k: v.amount for k, v in r.unit_amounts.items()} == {k: Decimal(v) for k, v in units.items()}


def test_instrument_3_2_costs_reading_counts_what_the_specialist_already_received(inst):
    """X already received 2,000,000 this year = 5,000,000 of costs at 40%; the cap of 9 mln of costs
    leaves 4,000,000: X's 7,000,000.10 → 4,000,000 → × 40% = 1,600,000.00 (the reimbursement reading:
    2,800,000.04, room 9,000,000 − 2,000,000: not capped)."""
    costs = [CostItem(T("7000000.10"), D(2015, 8, 1), "X", kind="labour")]
    prior = PriorUse(unit_reimbursed={"X": T("2000000")})
    ka = compute_reimbursement(inst.component("3b"), application_date=D(2015, 9, 1), costs=costs, prior=prior, readings={READING: "costs"})
    ru = compute_reimbursement(inst.component("3b"), application_date=D(2015, 9, 1), costs=costs, prior=prior, readings={READING: "reimbursement"})
    assert ka.amount == T("1600000.00") and ru.amount == T("2800000.04")


@pytest.mark.parametrize("size, option, amount", [
    ("sme", "reimbursement", "8000000.00"),   # 50% of 20,000,000.02 = 10,000,000.01 → 8 mln
    ("sme", "costs", "4000000.00"),           # costs capped at 8 mln → 50% = 4 mln
    ("large", "costs", "8000000.00"),         # costs capped at 16 mln → 50% = 8 mln
])
def test_instrument_4_1_by_size_per_reading(inst, size, option, amount):
    r = compute_reimbursement(inst.component("4a"), application_date=D(2015, 9, 1), costs=[CostItem(T("20000000.02"), D(2015, 8, 1))], enterprise_size=size, readings={READING: option})
    assert r.amount == T(amount)


def test_default_is_the_reimbursement_reading_and_other_instruments_have_none(inst):
    c = [CostItem(T("12345678.91"), D(2015, 8, 1))]
    assert compute_reimbursement(inst.component("5a"), application_date=D(2015, 9, 1), costs=c).amount == T("4938271.56")
    r7 = compute_reimbursement(inst.component("7"), application_date=D(2016, 3, 1), costs=[CostItem(T("40000000"), D(2016, 1, 10))], readings={READING: "costs"})
    assert r7.amount == T("15000000") and not any(s.code.startswith("reading") for s in r7.steps)
    with pytest.raises(CalculationError, match="has no option 'both'"):
        compute_reimbursement(inst.component("5a"), application_date=D(2015, 9, 1), costs=c, readings={READING: "both"})


def test_application_records_its_reading_and_its_page_names_both(world):
    applicant, org = world.users["applicant"], world.users["organizer"]
    assert world.app_a.readings == {READING: "reimbursement"}  # recorded at registration (defaults)
    app = domain.create_application(actor=applicant, participant=world.member_a, component="5a", cluster=world.a)
    domain.add_cost(actor=applicant, application=app, description="plan", amount=Decimal("12345678.91"), incurred_on=D(2024, 2, 1))
    domain.register(actor=applicant, application=app, readings={READING: "costs"})
    app.refresh_from_db()
    assert app.readings == {READING: "costs"} and app.amount == Decimal("2000000.00")
    domain.check_completeness(actor=org, application=app)
    html = _get(org, f"/support/{app.pk}/")
    assert "Readings of the act used here" in html and "the cap limits the costs" in html and "Other reading" in html and "the cap limits the reimbursement" in html
    html_ru = _get(org, f"/support/{app.pk}/", "ru")
    assert "Прочтение пределов: они ограничивают затраты" in html_ru
    with pytest.raises(domain.SupportError, match="no option"):
        other = domain.create_application(actor=applicant, participant=world.member_a, component="5a", cluster=world.a)
        domain.add_cost(actor=applicant, application=other, description="plan", amount=Decimal("1"), incurred_on=D(2024, 2, 1))
        domain.register(actor=applicant, application=other, readings={READING: "both"})
