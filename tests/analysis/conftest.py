import pytest
from django.conf import settings as dj_settings

from tests.conftest import make_user

ROLES = ("organizer", "analyst", "expert", "akimat", "authorized_body", "regional_body", "commission_secretary",
         "applicant", "administrator")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.ALLOWED_HOSTS = [*dj_settings.ALLOWED_HOSTS, "testserver"]
    return settings.MEDIA_ROOT


class _Users(dict):
    """Users created on first use (one per role; ``analyst2`` is a second analyst)."""

    def __missing__(self, key):
        role = "analyst" if key == "analyst2" else key
        self[key] = make_user(f"u-{key}", role)
        return self[key]


@pytest.fixture
def users(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test users
    return _Users()


def panel_csv(rows):
    head = "region,sector,year,measure,value,unit\n"
    return (head + "".join(",".join(map(str, r)) + "\n" for r in rows)).encode()


def small_panel():
    """4 regions × 3 sectors, employment (persons), one year."""
    vals = {("R1", "a"): 500, ("R1", "b"): 100, ("R1", "c"): 100, ("R2", "a"): 100, ("R2", "b"): 400, ("R2", "c"): 100,
            ("R3", "a"): 100, ("R3", "b"): 100, ("R3", "c"): 300, ("R4", "a"): 200, ("R4", "b"): 200, ("R4", "c"): 200}
    return panel_csv([(r, s, 2020, "employment", v, "persons") for (r, s), v in vals.items()])
