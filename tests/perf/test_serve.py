"""`klaster serve` under gunicorn: worker processes from the cores, and the reverse-proxy and
body-size behaviour of the former waitress setup kept (tests/web/test_deploy.py checks waitress):
a POST over HTTPS through the trusted proxy is accepted, the same headers from anyone else are
removed (403), a body above KLASTER_MAX_UPLOAD_MB gets 413."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from klaster.cli.web import available_cores, default_workers, gunicorn_options

HOST = "klaster.example.kz"


def test_workers_follow_the_cores(tmp_path, monkeypatch):
    assert default_workers(1) == 3 and default_workers(2) == 5 and default_workers(8) == 17
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    quota = tmp_path / "cpu.max"
    quota.write_text("max 100000\n")
    assert available_cores(quota) == 4
    quota.write_text("150000 100000\n")  # a container allowed 1.5 CPUs
    assert available_cores(quota) == 2
    assert available_cores(tmp_path / "missing") == 4


def test_gunicorn_options():
    o = gunicorn_options("127.0.0.1", 8000)
    assert o["bind"] == ["127.0.0.1:8000"] and o["workers"] == default_workers() and (o["worker_class"], o["threads"]) == ("gthread", 4)
    # gunicorn itself believes no forwarded header: the proxy middleware decides (as waitress did)
    assert o["forwarded_allow_ips"] == "" and o["secure_scheme_headers"] == {}
    assert o["preload_app"] and o["timeout"] == 120
    t = gunicorn_options("::1", 8001, workers=3, threads=1)
    assert t["bind"] == ["[::1]:8001"] and (t["workers"], t["worker_class"], t["threads"]) == (3, "sync", 1)
    for kw, message in (({"workers": -1}, "below 0"), ({"threads": 0}, "below 1"), ({"timeout": 0}, "below 1")):
        with pytest.raises(ValueError, match=message):
            gunicorn_options("127.0.0.1", 8000, **kw)


def test_serve_refuses_a_bad_server_name(tmp_path):
    env = {**os.environ, "KLASTER_DATA_DIR": str(tmp_path), "KLASTER_SERVER": "uwsgi"}
    p = subprocess.run([sys.executable, "-c", "from klaster.cli import main; main()", "serve"], env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "KLASTER_SERVER" in p.stdout + p.stderr and "Traceback" not in p.stderr


SERVER = """
import sys
from klaster.cli._util import setup_django
setup_django()
from klaster.cli.web import gunicorn_options, proxied_application, proxy_options, run_gunicorn
opts = proxy_options(sys.argv[2] or None)
run_gunicorn(proxied_application(opts), gunicorn_options("127.0.0.1", int(sys.argv[1]), workers=2))
"""


class Gunicorn:
    """What `klaster serve` runs (without collecting static files), in a subprocess on a free port."""

    def __init__(self, tmp_path: Path, trusted_proxy: str = "", **env):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        clean = {k: v for k, v in os.environ.items() if not k.startswith("KLASTER_") and k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
        clean.update(KLASTER_DATA_DIR=str(tmp_path), KLASTER_ALLOWED_HOSTS=HOST, **env)
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, str(self.port), trusted_proxy], env=clean,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)

    def __enter__(self):
        deadline = time.time() + 60
        while time.time() < deadline:
            assert self.proc.poll() is None, self.proc.stdout.read().decode()
            try:
                self.request("GET", "/accounts/login/")
                return self
            except OSError:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not start")

    def __exit__(self, *exc):
        os.killpg(self.proc.pid, 15)
        self.proc.wait(30)

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r, data


def _set_language_over_proxy(srv):
    """The language switch (a CSRF-protected POST) from https://HOST through a proxy on 127.0.0.1."""
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    r, body = srv.request("GET", "/accounts/login/", headers=proxy)
    cookie = re.search(r"csrftoken=([^;]+)", r.getheader("Set-Cookie")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    return srv.request("POST", "/i18n/setlang/", body=urlencode({"csrfmiddlewaretoken": token, "language": "kk", "next": "/"}),
                       headers={**proxy, "Cookie": f"csrftoken={cookie}", "Content-Type": "application/x-www-form-urlencoded",
                                "Origin": f"https://{HOST}", "Referer": f"https://{HOST}/"})


@pytest.mark.slow
def test_gunicorn_behind_a_trusted_proxy_accepts_posts_over_https(tmp_path):
    with Gunicorn(tmp_path, trusted_proxy="127.0.0.1") as srv:  # the scheme from the trusted proxy
        r, _ = _set_language_over_proxy(srv)
        assert r.status == 302 and "django_language=kk" in r.getheader("Set-Cookie")
    ssl_header = {"KLASTER_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO=https"}
    with Gunicorn(tmp_path, trusted_proxy="127.0.0.1", **ssl_header) as srv:  # Django's setting reads the header it is passed
        r, _ = _set_language_over_proxy(srv)
        assert r.status == 302
    # The proxy is elsewhere: the same headers from this peer are removed before Django sees them
    # (else anyone reaching the port could claim https), and the POST is refused.
    with Gunicorn(tmp_path, trusted_proxy="10.9.9.9", **ssl_header) as srv:
        r, body = _set_language_over_proxy(srv)
        assert r.status == 403 and b'class="error-page"' in body


@pytest.mark.slow
def test_gunicorn_refuses_bodies_above_the_upload_limit(tmp_path):
    with Gunicorn(tmp_path, KLASTER_MAX_UPLOAD_MB="1") as srv:
        r, _ = srv.request("POST", "/i18n/setlang/", body=b"x" * (1024 * 1024 + 1), headers={"Content-Type": "application/octet-stream"})
        assert r.status == 413
        r, _ = srv.request("POST", "/i18n/setlang/", body=b"x" * 1024, headers={"Content-Type": "application/octet-stream"})
        assert r.status == 403  # within the limit the app answers (no CSRF token here)
