"""Every view states who may use it; every role is checked against every parameter-free view.

The walk covers the views of all apps (competition, register, … included as they arrive):
a view without a permission marker fails this test.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from klaster.accounts.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _marker(callback):
    view_class = getattr(callback, "view_class", None)
    for obj in (callback, view_class, getattr(callback, "__wrapped__", None)):
        if obj is None:
            continue
        if getattr(obj, "klaster_public", False):
            return "public"
        if getattr(obj, "klaster_roles", None):
            return tuple(obj.klaster_roles)
    if view_class is not None and getattr(view_class, "roles", None):
        return tuple(getattr(r, "value", r) for r in view_class.roles)
    return None


ALL = list(_walk(get_resolver().url_patterns))
DJANGO_BUILTIN = {"i18n/setlang/"}


def test_every_view_has_a_permission_marker():
    unmarked = [route for route, p in ALL if route not in DJANGO_BUILTIN and _marker(p.callback) is None]
    assert not unmarked, f"views without role_required/public marker: {unmarked}"


def _static_routes():
    for route, p in ALL:
        if "<" in route or route in DJANGO_BUILTIN:
            continue
        m = _marker(p.callback)
        if m is None:
            continue
        yield "/" + route.lstrip("^").rstrip("$"), m


@pytest.fixture
def client():
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return Client()


def test_anonymous_users_reach_only_public_views(client):
    for url, marker in _static_routes():
        r = client.get(url)
        if marker == "public":
            assert r.status_code in (200, 302, 405), (url, r.status_code)
        else:
            assert r.status_code in (302, 403, 405), (url, r.status_code)
            if r.status_code == 302:
                assert "/accounts/login/" in r["Location"], url


def test_each_role_against_each_view(client):
    users = {role: make_user(f"u_{role.value}", role) for role in Role}
    for url, marker in _static_routes():
        if marker == "public" or "logout" in url:
            continue
        for role, user in users.items():
            client.force_login(user)
            r = client.get(url)
            allowed = "*" in marker or role.value in marker
            if allowed:
                assert r.status_code != 403, (url, role.value)
            else:
                assert r.status_code == 403, (url, role.value, r.status_code)


def test_django_admin_is_for_administrators_only(client):
    organizer = make_user("org", Role.ORGANIZER)
    organizer.is_staff = True  # even a staff flag does not open the admin without the role
    organizer.save()
    client.force_login(organizer)
    assert client.get("/admin/").status_code == 302
    admin = make_user("adm", Role.ADMINISTRATOR)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/common/auditentry/").status_code == 200


def test_login_is_throttled_after_repeated_failures(client):
    make_user("victim", Role.APPLICANT)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "victim", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    r = client.post("/accounts/login/", {"username": "victim", "password": "pw-victim-123456"}, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 429
    assert not r.wsgi_request.user.is_authenticated
