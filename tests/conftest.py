"""Shared test fixtures.

Datasets come from the data directory filled by ``klaster data fetch`` (``make test`` does it
first, from ``../shared/data`` when that mirror exists). A test that needs a dataset calls
``klaster.datasets.path(...)``; a missing file fails the test with a message that says how to
obtain it, rather than skipping silently.

The reference data (regions, territorial changes, KATO, OKED) is loaded once into the test
database, right after migrations, so every ``django_db`` test can validate OKED and KATO codes.
pytest-django runs transactional tests (which flush the database) after all others; such tests
load what they need themselves.
"""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from klaster.reference.loaders import load_all

        load_all()


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_directory(request, settings, tmp_path_factory):
    """Every test stores uploads below its own temporary MEDIA_ROOT: a test's rolled-back rows never
    leave files in the data directory. A TestCase whose class-level data has files sets
    ``media_per_class = True`` and its own MEDIA_ROOT."""
    if getattr(request.cls, "media_per_class", False):
        return
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


def make_user(username, *roles, **profile):
    """Create a user holding ``roles`` (Role members or codes) with an optional profile."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from klaster.accounts.models import Profile

    user = get_user_model().objects.create_user(username=username, password="pw-" + username + "-123456")
    for r in roles:
        code = getattr(r, "value", r)
        user.groups.add(Group.objects.get_or_create(name=code)[0])
    Profile.objects.create(user=user, **profile)
    return user


@pytest.fixture
def user_factory(db):
    """``user_factory("name", Role.ORGANIZER, organisation_bin=...)`` → a saved user with the roles."""
    return make_user
