"""Issue 9, support: every value a user sends goes through a form with the model's bounds.

Reproductions: a cost of 1e30 (numeric overflow on PostgreSQL, max_digits=16), non-integer
``executor_years``/``executor_projects``, a malformed ``component``/``participant`` on the
new-application page, a malformed ``on`` on the action view, 30-digit ids in paths — each a form
error (or 404), never a 500, and nothing written. Negative costs refused; "17000,5" accepted in
Russian; an unknown cost kind (its Russian label typed in) is a form error, not a silent zero;
the "financed from the budget under another programme" declaration is settable per cost line.
"""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.test import Client

from klaster.common.models import AuditEntry
from klaster.support import domain
from klaster.support.models import Application, CostLine
from tests.conftest import make_user
from tests.register.world import build_world
from tests.support.helpers import fix_today, new_form

D = dt.date
TODAY = D(2024, 6, 14)


@pytest.fixture
def world(db, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    w = build_world(make_user)
    fix_today(monkeypatch, TODAY)
    return w


def _client(user, lang="en"):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


def _row(amount="1000000", **kw):
    return {"description": "plan", "amount": amount, "incurred_on": "2024-02-01", **kw}


def _counts():
    return Application.objects.count(), CostLine.objects.count(), AuditEntry.objects.count()


@pytest.mark.parametrize("field, value", [
    ("costs-0-amount", "1e30"),
    ("costs-0-amount", "1" * 30),
    ("costs-0-amount", "NaN"),
    ("costs-0-amount", "12345678901234567"),  # 17 digits: more than CostLine.amount stores
    ("costs-0-amount", "-500 000"),
    ("costs-0-amount", "−500 000"),
    ("costs-0-incurred_on", "2024-13-45"),
    ("costs-0-incurred_on", "9999-01-01"),
    ("costs-0-kind", "услуги"),
    ("executor_years", "five"),
    ("executor_years", "1e30"),
    ("executor_projects", "3.5"),
    ("participant", "abc"),
    ("participant", "9" * 30),
    ("activity_since", "31.02.2020"),
    ("base_ciw", "1e30"),
    ("oked_codes", "twenty-three"),
    ("declarations", "not-a-declaration"),
    ("documents", "passport-of-the-director"),
    ("costs-TOTAL_FORMS", "1e30"),
    ("costs-TOTAL_FORMS", "9" * 30),
])
def test_malformed_values_on_the_new_application_are_form_errors(world, field, value):
    c = _client(world.users["applicant"])
    data = new_form("5b", world.member_a, [_row()], executor_kind="consultant", executor_years="5", executor_projects="3")
    data[field] = value
    # the same cost as the former text line ("description; amount; date; employee; kind"), which the
    # page read before the cost rows (and ignores now): the malformed value is the only fault in both
    line = {"description": "plan", "amount": "1000000", "incurred_on": "2024-02-01", "unit_id": "", "kind": "services"}
    if field.startswith("costs-0-") and field[len("costs-0-"):] in line:
        line[field[len("costs-0-"):]] = value
    data["costs"] = "; ".join(line.values())
    before = _counts()
    r = c.post("/support/new/", data)
    assert r.status_code == 200
    assert r.context["errors"], f"{field}={value!r} was accepted"
    assert _counts() == before


@pytest.mark.parametrize("query", ["component=zz", "component=" + "9" * 30, "component=5b&rows=1e30", "component=5b&rows=-1", "rows=abc"])
def test_malformed_query_of_the_new_page(world, query):
    r = _client(world.users["applicant"]).get("/support/new/?" + query)
    assert r.status_code == 200 and r.context["errors"]


def test_malformed_component_posted_writes_nothing(world):
    before = _counts()
    r = _client(world.users["applicant"]).post("/support/new/", new_form("zz", world.member_a, [_row()]))
    assert r.status_code == 200 and r.context["errors"] and _counts() == before


@pytest.mark.parametrize("path", [
    "/support/{big}/", "/support/documents/{big}/",
])
def test_30_digit_ids_in_paths_are_404(world, path):
    big = "9" * 30
    for who in ("applicant", "organizer"):
        assert _client(world.users[who]).get(path.format(big=big)).status_code == 404


@pytest.mark.parametrize("path", ["/support/{big}/action/", "/support/{big}/resubmit/", "/support/{big}/documents/", "/support/documents/{big}/remove/"])
def test_30_digit_ids_in_post_paths_are_404(world, path):
    who = "organizer" if "action" in path else "applicant"
    assert _client(world.users[who]).post(path.format(big="9" * 30), {"version": "0"}).status_code == 404


@pytest.mark.parametrize("field, value", [("on", "2024-13-45"), ("on", "1e30"), ("on", "01.01.9999"), ("action", "explode"), ("version", "x"), ("version", "9" * 30)])
def test_malformed_values_on_the_action_view(world, field, value):
    app = world.app_a
    data = {"action": "completeness", "version": app.version, "on": "", field: value}
    before = (_counts(), app.status)
    r = _client(world.users["organizer"]).post(f"/support/{app.pk}/action/", data)
    assert r.status_code == 200 and r.context["problems"]
    app.refresh_from_db()
    assert (_counts(), app.status) == before


def test_russian_decimal_comma_and_spaces_are_a_number(world):
    c = _client(world.users["applicant"], "ru")
    r = c.post("/support/new/", new_form("5b", world.member_a, [_row("17 000,5"), _row("17000,5")]))
    assert r.status_code == 302, r.context and r.context["errors"]
    app = Application.objects.exclude(pk=world.app_a.pk).get()
    assert [c.amount for c in app.costs.all()] == [Decimal("17000.50"), Decimal("17000.50")]
    assert app.amount == Decimal("13600.40")  # 40% of 34,001.00
    assert app.events["registered"] == TODAY.isoformat()  # registered today


def test_negative_cost_is_refused_by_form_and_domain(world):
    r = _client(world.users["applicant"], "ru").post("/support/new/", new_form("5b", world.member_a, [_row("-500 000")]))
    assert r.status_code == 200 and "Убедитесь, что это значение больше либо равно 0" in r.content.decode()
    app = domain.create_application(actor=world.users["applicant"], participant=world.member_a, component="5b", cluster=world.a)
    with pytest.raises(domain.SupportError, match="not a sum of tenge ≥ 0"):
        domain.add_cost(actor=world.users["applicant"], application=app, description="x", amount=Decimal("-500000"), incurred_on=D(2024, 2, 1))
    with pytest.raises(domain.SupportError, match="not a sum of tenge"):
        domain.add_cost(actor=world.users["applicant"], application=app, description="x", amount=Decimal("1E+30"), incurred_on=D(2024, 2, 1))
    assert not app.costs.exists()


def test_an_unknown_cost_kind_is_a_form_error_not_a_zero(world):
    """Instrument 3, 2) reimburses labour only: "travel" is not among its kinds, nor is the
    Russian label of a kind."""
    for kind in ("услуги", "travel"):
        r = _client(world.users["applicant"]).post("/support/new/", new_form("3b", world.member_a, [_row(unit_id="X", kind=kind)]))
        assert r.status_code == 200 and "Select a valid choice" in r.content.decode()
    assert Application.objects.count() == 1
    with pytest.raises(domain.SupportError, match="cost kind travel is not reimbursed"):
        app = domain.create_application(actor=world.users["applicant"], participant=world.member_a, component="3b", cluster=world.a)
        domain.add_cost(actor=world.users["applicant"], application=app, description="x", amount=Decimal(1), incurred_on=D(2024, 2, 1), unit_id="X", kind="travel")


def test_cost_kinds_offered_are_the_instruments(world):
    r = _client(world.users["applicant"]).get("/support/new/?component=3b")
    kinds = [v for v, _label in r.context["costs"].forms[0].fields["kind"].choices]
    assert kinds == ["labour"]


def test_budget_funded_declaration_is_settable_per_line(world):
    rows = [_row("10000000", description="plan"), _row("5000000", description="co-financed by the akimat", budget_funded=True)]
    r = _client(world.users["applicant"]).post("/support/new/", new_form("5b", world.member_a, rows))
    assert r.status_code == 302
    app = Application.objects.exclude(pk=world.app_a.pk).get()
    assert [c.budget_funded for c in app.costs.order_by("id")] == [False, True]
    assert app.amount == Decimal("4000000.00")  # 40% of the 10 mln not financed from the budget
    assert any("already financed from the budget" in s for s in app.explanation["en"])


@pytest.mark.parametrize("row, message", [
    ({"incurred_on": "2030-01-01"}, "is in the future"),
    ({"incurred_on": "2009-12-31"}, "is before the applicant's activity started on 1 Jan 2010"),
])
def test_cost_dates(world, row, message):
    r = _client(world.users["applicant"]).post("/support/new/", new_form("5b", world.member_a, [_row(**row)]))
    assert r.status_code == 200 and message in html.unescape(r.content.decode())
    assert Application.objects.count() == 1


def test_per_unit_instrument_needs_the_employee(world):
    r = _client(world.users["applicant"]).post("/support/new/", new_form("3a", world.member_a, [_row()]))
    assert r.status_code == 200 and "name them" in r.content.decode()


def test_values_are_kept_on_a_refused_form(world):
    data = new_form("5b", world.member_a, [_row("17 000,5", description="Разработка плана"), _row("-1")], oked_codes="23.61")
    page = _client(world.users["applicant"], "ru").post("/support/new/", data).content.decode()
    assert 'value="Разработка плана"' in page and 'value="17 000,5"' in page and 'value="23.61"' in page
