"""An applicant sees the support applications of its association, not only its own; editing stays
with the applicant who created the application; other associations see nothing of them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from klaster.accounts.roles import Role
from klaster.support import domain as sd
from klaster.support import rules as support_rules
from tests.conftest import make_user
from tests.register.world import build_world


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    w = build_world(make_user)
    colleague = make_user("w_colleague", Role.APPLICANT, organisation_bin=w.a.association.bin, full_name="A. Colleague")
    draft = sd.create_application(actor=w.users["applicant"], participant=w.member_a, component="5b", cluster=w.a)
    return w, colleague, draft


def test_colleague_of_the_association_sees_but_does_not_edit(world):
    w, colleague, draft = world
    c = Client()
    c.force_login(colleague)
    listed = c.get("/support/")
    assert listed.status_code == 200
    pks = [r["a"].pk for r in listed.context["rows"]]
    assert sorted(pks) == sorted([w.app_a.pk, draft.pk])  # created by the other user of the association
    assert c.get(f"/support/{w.app_a.pk}/").status_code == 200
    assert support_rules.can_view_application(colleague, draft) and not support_rules.can_edit_application(colleague, draft)
    r = c.post(f"/support/{draft.pk}/documents/", {"code": "charter", "file": SimpleUploadedFile("c.pdf", b"%PDF-1.4\n%%EOF\n")})
    assert r.status_code == 403 and not draft.files.exists()
    assert c.post(f"/support/{draft.pk}/resubmit/").status_code == 403


def test_another_association_sees_none_of_them(world):
    w, colleague, draft = world
    c = Client()
    c.force_login(w.users["applicant_b"])
    assert c.get("/support/").context["rows"] == []
    assert c.get(f"/support/{w.app_a.pk}/").status_code == 403
    assert c.get(f"/support/{draft.pk}/").status_code == 403
    assert list(support_rules.applications_for(w.users["applicant_b"])) == []


def test_an_applicant_without_an_organisation_sees_only_its_own(world):
    w, colleague, draft = world
    lone = make_user("w_lone", Role.APPLICANT)
    assert list(support_rules.applications_for(lone)) == []
    assert not support_rules.can_view_application(lone, w.app_a)
