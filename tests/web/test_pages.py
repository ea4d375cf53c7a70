"""The web shell: regions page with the map, OKED browser with search, languages."""

import json
from html import unescape as html_unescape
import re

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return Client()


def test_regions_map_draws_the_20_regions_in_kazakh(client):
    client.cookies["django_language"] = "kk"
    html = client.get("/regions/").content.decode()
    assert '<html lang="kk">' in html
    fig = json.loads(html_unescape(re.search(r'id="kz-map-figure" data-map="([^"]*)"', html).group(1)))
    assert sum(1 for t in fig["data"] for k in t["locations"] if k != "-") == 20
    assert "Қарағанды облысы" in html and "Өңірлер" in html


def test_oked_search_by_code_and_name_with_visible_fallback(client):
    client.cookies["django_language"] = "kk"
    html = client.get("/oked/", {"q": "10.51"}).content.decode()
    assert "10.51.1" in html
    # No Kazakh OKED names exist: the Russian name is shown, marked as a fallback.
    assert 'class="fallback" lang="ru"' in html
    client.cookies["django_language"] = "en"
    html = client.get("/oked/", {"q": "dairy"}).content.decode()
    assert "10.51" in html and 'class="fallback"' not in html


def test_oked_browse_by_parent(client):
    html = client.get("/oked/", {"parent": "271"}).content.decode()
    assert "27.11" in html and "27.12" in html


def test_home_shows_each_role_its_entry_points(client):
    from klaster.accounts.roles import Role
    from klaster.web.views import ROLE_ENTRY_POINTS
    from tests.conftest import make_user

    assert set(ROLE_ENTRY_POINTS) == {r.value for r in Role}
    for role in Role:
        user = make_user(f"home_{role.value}", role)
        client.force_login(user)
        html = client.get("/").content.decode()
        assert "My work" in html or "Менің жұмысым" in html or "Моя работа" in html
        for _label, name in ROLE_ENTRY_POINTS[role.value]:
            from django.urls import reverse

            url = reverse(name)
            assert f'href="{url}"' in html
            # every entry point opens for this role (no 403)
            assert client.get(url).status_code in (200, 302), (role.value, url)
