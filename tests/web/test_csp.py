"""Content-Security-Policy (django-csp): the header on every page, its nonce on every script of the
page, and no inline script, event handler or style attribute left in any template."""

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

import klaster

pytestmark = pytest.mark.django_db

# Templates of pages a browser loads; the PDF templates (templates/pdf/, rendered by WeasyPrint into
# a PDF file, never served as HTML) keep their own <style>.
TEMPLATES = sorted(p for p in Path(klaster.__file__).parent.glob("**/templates/**/*.html") if "pdf" not in p.relative_to(
    Path(klaster.__file__).parent).parts[2:3])


def _policy(response) -> dict[str, list[str]]:
    out = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def _nonce(response) -> str:
    (nonce,) = [v[len("'nonce-"):-1] for v in _policy(response)["script-src"] if v.startswith("'nonce-")]
    return nonce


@pytest.fixture
def client():
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return Client()


def test_policy(client):
    p = _policy(client.get("/"))
    assert p["default-src"] == ["'self'"]
    assert p["script-src"][0] == "'self'" and len(p["script-src"]) == 2 and p["script-src"][1].startswith("'nonce-")
    assert p["style-src"] == ["'self'", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"]  # the empty <style>
    assert p["img-src"] == ["'self'", "data:"]
    assert p["frame-ancestors"] == ["'none'"] and p["form-action"] == ["'self'"]
    assert p["object-src"] == ["'none'"] and p["base-uri"] == ["'self'"]
    assert not any("unsafe" in v for values in p.values() for v in values)


def test_empty_string_hash_in_style_src():
    """The one style hash allowed is that of the empty string (plotly.js's <style> before insertRule)."""
    import base64
    import hashlib

    assert "'sha256-" + base64.b64encode(hashlib.sha256(b"").digest()).decode() + "'" in \
        settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


@pytest.mark.parametrize("path", ["/", "/regions/", "/oked/", "/accounts/login/", "/register/", "/no-such-page/"])
def test_every_script_carries_the_nonce_of_the_header(client, path):
    r = client.get(path)
    nonce = _nonce(r)
    scripts = re.findall(r"<script\b[^>]*>", r.content.decode())
    assert scripts, "base.html loads klaster.js"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag
    assert _nonce(client.get(path)) != nonce  # a new nonce for every response


def test_programme_page_draws_its_charts_without_inline_script(client, user_factory):
    """_chart() embeds the figure as JSON for klaster.js; the page's only scripts are plotly.js and
    klaster.js, both with the nonce."""
    from decimal import Decimal

    from klaster.accounts.roles import Role
    from klaster.programmes import domain
    from klaster.register.models import Cluster

    c = Cluster.objects.create(code="csp", name_kk="Ж", name_ru="Кластер", name_en="Cluster", oked="31", status="included")
    prog = domain.create_programme(actor=None, cluster=c, title_ru="ЦКП", start_year=2021, end_year=2025)
    domain.add_obligation(actor=None, programme=prog, indicator_ru="Производство", unit="mln tenge", base_year=2020,
                          base_value=Decimal("1"), targets={(2022, 1): Decimal("2")})
    client.force_login(user_factory("csp_analyst", Role.ANALYST))
    client.cookies["django_language"] = "en"
    r = client.get("/programmes/csp/")
    html = r.content.decode()
    nonce = _nonce(r)
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 3 and all(body.strip() == "" for body in scripts)  # GOV.UK Frontend, klaster.js, plotly.js
    assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<script\b[^>]*>", html))
    (fig,) = [json.loads(unescape(m)) for m in re.findall(r'<div class="chart" data-plotly="([^"]*)"></div>', html)]
    assert [t["name"] for t in fig["data"]] == ["target", "actual"] and fig["data"][0]["y"] == [2.0]
    assert fig["data"][0]["x"] == ["2022 Q1"] and fig["layout"]["height"] == 320


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(Path(klaster.__file__).parent)))
def test_no_template_needs_unsafe_inline(template):
    """The policy allows no inline script without the nonce, no event handler attribute, no
    javascript: URL and no style attribute (classes in klaster.css instead)."""
    text = template.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag and 'nonce="{{ request.csp_nonce }}"' in tag, tag
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", text), "inline event handler"
    assert "javascript:" not in text.lower()
    assert not re.search(r"<[^>]*\sstyle\s*=", text), "style attribute"
    assert "<style" not in text
