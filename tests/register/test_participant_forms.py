"""The organizer adds, edits and records the leaving of a cluster's participants (web forms).

BIN, OKED (main + at most four additional, App. 2 §7) and KATO are validated; bad input writes
nothing; every change is audited; the register as it stood on any date stays correct.
"""

import datetime as dt

import pytest
from django.test import Client

from klaster.common import audit
from klaster.common.models import AuditEntry
from klaster.register.domain import services
from klaster.register.models import Membership, Participant
from tests.conftest import make_user
from tests.register.world import KARAGANDA, bin_, build_world

D = dt.date


@pytest.fixture
def world(db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    w = build_world(make_user)
    c = Client()
    c.force_login(w.users["organizer"])
    return w, c


def _post(bin_value, **over):
    data = {"bin": bin_value, "name": "Cement Works", "kind": "supplier", "oked_main": "23.51", "oked_additional": "2361, 2363",
            "kato": KARAGANDA, "address": "Karaganda", "affiliation_group": "G1", "specialised": "on", "size": "large",
            "founded_on": "2012-05-04", "on": "2023-03-01", "reason": "membership agreement of 1 March 2023 received late"}
    return {**data, **over}


def test_bad_input_gives_form_errors_and_writes_nothing(world):
    w, c = world
    good = bin_(700)
    bad_check_digit = good[:-1] + str((int(good[-1]) + 1) % 10)
    n_part, n_audit = Participant.objects.count(), AuditEntry.objects.count()
    r = c.post("/register/alpha/participants/new/", _post(bad_check_digit, oked_main="99.99.9", oked_additional="2361, 2362, 2363, 2364, 2369", kato="123"))
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert {"bin", "oked_main", "oked_additional", "kato"} <= set(errors)
    assert "4" in " ".join(errors["oked_additional"])  # at most four additional codes
    assert Participant.objects.count() == n_part and AuditEntry.objects.count() == n_audit


def test_add_edit_and_leave_keep_the_history(world):
    w, c = world
    b = bin_(701)
    r = c.post("/register/alpha/participants/new/", _post(b))
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    p = Participant.objects.get(bin=b)
    assert (p.oked_main, p.oked_additional, p.kind, p.affiliation_group) == ("2351", ["2361", "2363"], "supplier", "G1")
    m = Membership.objects.get(cluster=w.a, participant=p)
    assert m.joined_on == D(2023, 3, 1) and m.left_on is None
    assert audit.history(p).filter(action="register.participant.save").exists()
    assert audit.history(m).filter(action="register.membership.join", actor=w.users["organizer"]).exists()

    # the same legal entity cannot be added again while its membership is open
    r = c.post("/register/alpha/participants/new/", _post(b, on="2024-01-01"))
    assert r.status_code == 200 and Membership.objects.filter(participant=p).count() == 1

    # edit: the BIN stays whatever is posted; the type changes; audited with the change
    r = c.post(f"/register/alpha/participants/{p.pk}/", _post(bin_(702), kind="research", affiliation_group="", version=p.version))
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.bin == b and p.kind == "research" and p.affiliation_group == ""
    e = audit.history(p).filter(action="register.participant.save").first()
    assert "kind" in e.changes and e.actor == w.users["organizer"]

    # leaving before joining is refused; a valid leaving closes the membership
    r = c.post(f"/register/alpha/memberships/{m.pk}/leave/", {"on": "2023-01-01", "reason": "late notice"})
    assert r.status_code == 200 and Membership.objects.get(pk=m.pk).left_on is None
    r = c.post(f"/register/alpha/memberships/{m.pk}/leave/", {"on": "2024-07-01", "note": "moved away", "reason": "the letter arrived late"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.left_on == D(2024, 7, 1) and audit.history(m).filter(action="register.membership.leave").exists()
    assert services.members_on(w.a, D(2024, 6, 30)).filter(pk=p.pk).exists()
    assert not services.members_on(w.a, D(2024, 7, 1)).filter(pk=p.pk).exists()
    assert not services.members_on(w.a, D(2023, 2, 28)).filter(pk=p.pk).exists()
    # the public page on a past date still lists it
    assert b in Client().get("/register/alpha/?date=2024-01-15").content.decode()
    assert b not in Client().get("/register/alpha/?date=2024-08-01").content.decode()  # members table: BIN; history: names

    # it may join again later: a second period in the history
    r = c.post("/register/alpha/participants/new/", _post(b, on="2025-01-01"))
    assert r.status_code == 302
    assert list(Membership.objects.filter(participant=p).values_list("joined_on", "left_on")) == [(D(2023, 3, 1), D(2024, 7, 1)), (D(2025, 1, 1), None)]


def test_edit_of_a_participant_of_another_cluster_is_not_found(world):
    w, c = world
    assert c.get(f"/register/alpha/participants/{w.member_b.pk}/").status_code == 404
    mb = Membership.objects.get(participant=w.member_b)
    assert c.get(f"/register/alpha/memberships/{mb.pk}/leave/").status_code == 404
