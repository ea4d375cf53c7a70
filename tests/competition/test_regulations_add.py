"""Issue 15, part 5: new acts without a code change.

The rules were replaced in 2016 and 2022 and officials add those versions themselves: an
administrator adds a regulation version — its YAML validated against the format of its kind, shown as
a difference from the version it amends, with its effective dates and source — from the
administrators' page or ``klaster regulations add``; it is stored once (never over an existing
version) and audited, and the next competition can pin it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

import klaster.regulations as regs
from klaster.accounts.roles import Role
from klaster.common.models import AuditEntry
from klaster.competition.domain import services as svc

EXAMPLE = Path(regs.__file__).parent / "examples" / "order-873-2016-criteria.yaml"
D = dt.date


@pytest.fixture(autouse=True)
def added_dir(tmp_path, monkeypatch):
    """Added versions go to a temporary data directory."""
    monkeypatch.setattr(regs, "ADDED_DIR", tmp_path / "regulations")
    return tmp_path / "regulations"


def a_2016_rules_version() -> bytes:
    """A rules version amending Decree 535: the completeness check within 7 working days instead of 5,
    in force from 2016 (a made-up amendment for the test; the 2016 procedure is not in the seeds)."""
    text = regs.load("competition-decree-535", "decree-535-2015").path.read_text()
    text = text.replace("version: decree-535-2015\n", "version: test-amendment-2016\namends: {id: competition-decree-535, version: decree-535-2015}\n", 1)
    text = text.replace("effective_from: 2015-07-26\neffective_to: 2016-02-18\n", "effective_from: 2016-03-01\n", 1)
    old = '''      from: stage1_intake_closes
      done_by: stage1_admission_protocol_signed
      deadline: {type: within, days: 5, unit: working}'''
    assert old in text
    return text.replace(old, old.replace("days: 5", "days: 7")).encode()


def test_the_2016_criteria_checked_with_their_difference_effective_dates_and_source():
    a = regs.check_new(EXAMPLE.read_bytes(), name=EXAMPLE.name)
    assert (a.doc.id, a.doc.version, a.doc.kind) == ("competition-criteria-order-873", "order-873-2016", "competition-criteria")
    assert (a.doc.effective_from, a.doc.effective_to) == (D(2016, 12, 23), D(2022, 6, 27)) and "seed 003" in a.doc.source
    assert a.amends.id == "competition-decree-535" and not a.exists
    changes = {c.path: c for c in a.changes}
    assert changes["content.criteria.groups[id=1].name.ru"].old == "Уровень развития сформированного территориального кластера"
    assert changes["content.criteria.groups[id=1].name.ru"].new == "Уровень развития цепочки добавленной стоимости"
    assert changes["effective_from"].new == "2016-12-23" and changes["content.criteria.groups[id=1].items[id=1.5].clause"].kind == "added"
    assert not any(p.startswith(("readings", "notes", "title")) for p in changes)  # another kind: only the content it has and the dates


@pytest.mark.parametrize("mutate, message", [
    (lambda t: t.replace("kind: competition-criteria", "kind: shopping-list"), "kind 'shopping-list' has no content validator"),
    (lambda t: t.replace("effective_to: 2022-06-27", "effective_to: 2015-01-01"), "effective_to (2015-01-01) must be after effective_from"),
    (lambda t: t.replace("        clause: \"Criteria 1\"\n", "", 1), "content.criteria.groups[0].clause: required field is missing"),
    (lambda t: t.replace("version: order-873-2016", "version: Order 873/2016"), "use lower-case letters, digits and hyphens"),
    (lambda t: t.replace("amends: {id: competition-decree-535, version: decree-535-2015}", "amends: {id: competition-decree-535, version: x}"),
     "amends: regulation 'competition-decree-535' has no version 'x'"),
    (lambda t: t + "\n  - [unclosed", "not valid YAML"),
])
def test_a_malformed_version_is_refused_naming_the_file_and_the_field(mutate, message, added_dir):
    with pytest.raises(regs.RegulationError) as e:
        regs.add(mutate(EXAMPLE.read_text()).encode(), name="x.yaml")
    assert message in str(e.value)
    assert not added_dir.exists() or not any(added_dir.rglob("*.yaml"))


def test_added_once_never_over_an_existing_version(added_dir):
    done = regs.add(EXAMPLE.read_bytes(), name=EXAMPLE.name)
    assert done.path == added_dir / "competition-criteria-order-873" / "order-873-2016.yaml" and done.doc.added
    assert "competition-criteria-order-873" in regs.documents() and regs.load("competition-criteria-order-873").sha256 == done.doc.sha256
    with pytest.raises(regs.RegulationError, match="exists already"):
        regs.add(EXAMPLE.read_bytes().replace(b"Level of development", b"Changed"), name=EXAMPLE.name)
    shipped = regs.load("competition-criteria-2016").path.read_bytes()
    with pytest.raises(regs.RegulationError, match="exists already"):  # a shipped version cannot be shadowed either
        regs.add(shipped)
    assert regs.load("competition-criteria-order-873").sha256 == done.doc.sha256


def test_klaster_regulations_check_and_add(added_dir, db):
    from klaster.cli import app

    run = CliRunner().invoke
    res = run(app, ["regulations", "check", str(EXAMPLE)])
    assert res.exit_code == 0 and "86 difference(s)" in res.output and "2016-12-23" in res.output and "valid" in res.output
    assert not added_dir.exists()
    bad = added_dir.parent / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("kind: competition-criteria", "kind: nothing"))
    res = run(app, ["regulations", "add", str(bad), "--yes"])
    assert res.exit_code == 2 and "has no content validator" in res.output
    res = run(app, ["regulations", "add", str(EXAMPLE), "--yes"])
    assert res.exit_code == 0, res.output
    assert AuditEntry.objects.filter(action="regulation.add", object_id="competition-criteria-order-873/order-873-2016").exists()
    res = run(app, ["regulations", "list"])
    assert res.exit_code == 0 and "added" in res.output


@pytest.mark.django_db
def test_the_administrators_page_previews_the_difference_then_adds_and_the_next_competition_pins_it(user_factory, settings, added_dir):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    admin = user_factory("adm", Role.ADMINISTRATOR)
    org = user_factory("org", Role.ORGANIZER)
    c = Client()
    c.force_login(admin)
    url = reverse("competition:regulation_add")
    data = a_2016_rules_version()
    r = c.post(url, {"text": data.decode().replace("\n", "\r\n")})  # as a browser sends a text area
    html = r.content.decode()
    assert r.status_code == 200 and 'data-valid="1"' in html
    assert "content.procedure[id=stage1_completeness_check].deadline.days" in html and "2016" in html
    assert not added_dir.exists()  # the preview writes nothing
    bad = c.post(url, {"text": data.decode().replace("unit: working", "unit: workdays", 1)})
    assert bad.status_code == 400 and "is not one of working, calendar, months" in bad.content.decode()
    import re

    previewed = re.search(r'name="data" value="([^"]+)"', html).group(1)
    r = c.post(url, {"data": previewed, "confirm": "on"})
    assert r.status_code == 302 and (added_dir / "competition-decree-535" / "test-amendment-2016.yaml").read_bytes() == data
    assert c.post(url, {"data": "not base64!", "confirm": "on"}).status_code == 400
    assert AuditEntry.objects.filter(action="regulation.add", actor=admin).exists()
    assert "test-amendment-2016" in c.get(reverse("competition:regulations")).content.decode()
    # An organizer cannot add versions.
    o = Client()
    o.force_login(org)
    assert o.get(url).status_code == 403
    # The next competition pins the added version; its §15 period is 7 working days.
    from klaster.competition.interfaces.forms import regulation_choices

    assert ("competition-decree-535:test-amendment-2016" in dict(regulation_choices()[0]))
    with svc.on_day(D(2025, 1, 10)):
        comp = svc.announce_competition(actor=org, title="Under 2016", stage1_intake_closes=D(2025, 3, 20),
                                        regulation=("competition-decree-535", "test-amendment-2016"))
    assert comp.rules_pins["rules"]["version"] == "test-amendment-2016"
    assert comp.rules.step("stage1_completeness_check").deadline.days == 7
    # The announcement page offers it.
    page = o.get(reverse("competition:organizer_dashboard")).content.decode()
    assert "competition-decree-535:test-amendment-2016" in page
