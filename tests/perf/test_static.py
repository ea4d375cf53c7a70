"""Static files: plotly.js is a static file loaded once (not inlined, not served by a view);
collected files get content-hashed names, gzip and brotli copies and a ten-year immutable
lifetime; without a current manifest (tests, development, a file edited since collectstatic)
pages use plain names served from the apps."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

from klaster.accounts.roles import Role
from klaster.web.staticfiles import PLOTLY_JS, PlotlyFinder
from tests.conftest import make_user
from tests.perf.helpers import clusters

pytestmark = pytest.mark.django_db
WITHOUT_PLOTLY = ["django.contrib.staticfiles.finders.FileSystemFinder", "django.contrib.staticfiles.finders.AppDirectoriesFinder"]


@pytest.fixture
def client(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return Client()


def _programme_page(client, *, with_chart: bool) -> str:
    from klaster.programmes import domain as pd

    (c,) = clusters(1, members=0)
    p = pd.create_programme(actor=None, cluster=c, title_ru="ЦКП", start_year=2021, end_year=2025)
    if with_chart:
        ob = pd.add_obligation(actor=None, programme=p, indicator_ru="Производство", unit="mln tenge", base_year=2020, base_value=Decimal("1"),
                               targets={(2022, 1): Decimal("2")})
        pd.submit_report(actor=None, programme=p, year=2022, quarter=1, actuals={ob: Decimal("1")}, on=dt.date(2022, 4, 5), reason="history")
    client.force_login(make_user("perf_analyst", Role.ANALYST))
    r = client.get(f"/programmes/{c.code}/")
    assert r.status_code == 200
    return r.content.decode()


def test_plotly_is_a_static_file_loaded_by_the_programme_page(client):
    html = _programme_page(client, with_chart=True)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert static(PLOTLY_JS) in scripts and "/programmes/plotly.js" not in html
    assert "data-plotly" in html and len(html) < 200_000  # the figure, never the 4.6 MB library inline
    r = client.get(static(PLOTLY_JS))  # WhiteNoise serves it (from the package, no collectstatic in tests)
    body = b"".join(r.streaming_content)
    assert r.status_code == 200 and "javascript" in r["Content-Type"] and len(body) > 3_000_000 and b"plotly" in body[:2000]


def test_a_programme_page_without_charts_does_not_load_plotly(client):
    assert "plotly" not in _programme_page(client, with_chart=False)


def test_the_former_plotly_address_redirects_to_the_static_file(client):
    r = client.get("/programmes/plotly.js")
    assert r.status_code == 302 and r["Location"] == static(PLOTLY_JS)


def test_the_finder_gives_the_installed_plotly():
    import plotly

    path = finders.find(PLOTLY_JS)
    assert path and os.path.samefile(path, os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js"))
    listed = [(p, getattr(s, "prefix", "")) for p, s in PlotlyFinder().list(None)]
    assert listed == [("plotly.min.js", "klaster/vendor")]
    assert PlotlyFinder().check() == []


def test_without_a_manifest_pages_use_plain_names(client):
    assert static("klaster/klaster.js") == "/static/klaster/klaster.js"
    assert '/static/klaster/klaster.js"' in client.get("/").content.decode()


@pytest.fixture
def collected(settings, tmp_path):
    """collectstatic into an empty STATIC_ROOT (without plotly, whose brotli takes seconds)."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATICFILES_FINDERS = WITHOUT_PLOTLY
    call_command("collectstatic", interactive=False, verbosity=0)
    return tmp_path / "static"


def test_collected_files_are_hashed_compressed_and_cached_for_good(client, collected):
    url = static("klaster/klaster.js")
    assert re.fullmatch(r"/static/klaster/klaster\.[0-9a-f]{12}\.js", url), url
    name = url.removeprefix("/static/")
    assert (collected / name).exists() and (collected / f"{name}.gz").exists() and (collected / f"{name}.br").exists()
    assert not (collected / "klaster" / "klaster.js").exists()  # only hashed copies are kept
    html = Client().get("/").content.decode()
    assert f'src="{url}"' in html
    r = Client().get(url, headers={"accept-encoding": "gzip, br"})
    assert r.status_code == 200 and r["Content-Encoding"] == "br"
    assert r["Cache-Control"] == "max-age=315360000, public, immutable"
    plain = Client().get("/static/klaster/klaster.js")  # the plain name (from the app) only briefly
    assert plain.status_code == 200 and plain["Cache-Control"] == "max-age=60, public"


def test_collectstatic_again_compresses_nothing_new(collected, settings):
    """Every `klaster serve` collects; files already compressed are not compressed again."""
    br = next(collected.glob("klaster/klaster.*.js.br"))
    stamp = br.stat().st_mtime_ns
    call_command("collectstatic", interactive=False, verbosity=0)
    assert br.stat().st_mtime_ns == stamp


def test_a_manifest_older_than_a_source_file_is_not_used(collected, settings):
    from django.contrib.staticfiles.storage import staticfiles_storage

    assert re.search(r"\.[0-9a-f]{12}\.js$", static("klaster/klaster.js"))
    source = finders.find("klaster/klaster.js")
    manifest = collected / "staticfiles.json"
    older = os.stat(source).st_mtime - 10
    os.utime(manifest, (older, older))  # as if klaster.js had been edited after collectstatic
    staticfiles_storage._wrapped = type(staticfiles_storage._wrapped)()  # a new process
    assert os.stat(source).st_mtime > manifest.stat().st_mtime
    assert static("klaster/klaster.js") == "/static/klaster/klaster.js"
