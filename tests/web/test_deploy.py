"""Deployable behind HTTPS: `check --deploy` is clean with production settings; a POST arriving over
a TLS-terminating proxy is accepted when the proxy is configured and refused with 403 when it is
not (the failure mode the settings fix); `klaster serve` passes the proxy and body-size options to
waitress, and waitress applies them."""

import http.client
import os
import re
import subprocess
import sys
import threading
from urllib.parse import urlencode

import pytest
from django.core.management.utils import get_random_secret_key
from django.test import Client

from klaster.cli.web import waitress_options

HOST = "klaster.example.kz"
PRODUCTION = {
    "KLASTER_SECRET_KEY": get_random_secret_key() + get_random_secret_key(),
    "KLASTER_HTTPS": "1",
    "KLASTER_HSTS_SECONDS": "31536000",
    "KLASTER_HSTS_INCLUDE_SUBDOMAINS": "1",
    "KLASTER_HSTS_PRELOAD": "1",
    "KLASTER_SSL_REDIRECT": "1",
    "KLASTER_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO=https",
    "KLASTER_ALLOWED_HOSTS": HOST,
    "KLASTER_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
}


def _check_deploy(tmp_path, env):
    """``klaster manage check --deploy --fail-level WARNING`` in a fresh interpreter with ``env``."""
    # Nothing of the test run leaks in (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which
    # check --deploy rightly reports).
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("KLASTER_") and k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    clean.update(KLASTER_DATA_DIR=str(tmp_path), **env)
    p = subprocess.run([sys.executable, "-c", "from klaster.cli import main; main()", "manage", "check", "--deploy", "--fail-level", "WARNING"],
                       env=clean, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout + p.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    rc, out = _check_deploy(tmp_path, PRODUCTION)
    assert rc == 0, out
    assert "System check identified no issues (0 silenced)." in out
    assert "WARNING" not in out and "security.W" not in out


def test_check_deploy_names_what_a_default_start_lacks(tmp_path):
    """The same check fails without the production variables (so the test above can fail)."""
    rc, out = _check_deploy(tmp_path, {"KLASTER_SECRET_KEY": PRODUCTION["KLASTER_SECRET_KEY"]})
    assert rc != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):  # HSTS, redirect, cookies
        assert code in out, out


# ---------------------------------------------------------------- a POST over the proxy
def _login_over_proxy(settings, user):
    """GET then POST the login page as a browser at https://HOST would, through a proxy that speaks
    plain HTTP to the app and sets X-Forwarded-Proto. Returns the POST's response."""
    settings.ALLOWED_HOSTS = [HOST]
    c = Client(enforce_csrf_checks=True, HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    page = c.get("/accounts/login/")
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return c.post("/accounts/login/", {"csrfmiddlewaretoken": token, "username": user.username,
                                       "password": f"pw-{user.username}-123456", "next": "/"},
                  HTTP_ORIGIN=f"https://{HOST}", HTTP_REFERER=f"https://{HOST}/accounts/login/")


@pytest.mark.django_db
def test_login_over_a_configured_proxy_is_accepted(settings, user_factory):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    r = _login_over_proxy(settings, user_factory("proxied"))
    assert r.status_code == 302 and r["Location"] == "/"
    assert r.wsgi_request.is_secure() and r.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_login_over_an_unconfigured_proxy_is_refused_with_403(settings, user_factory):
    """Without KLASTER_PROXY_SSL_HEADER the app thinks the request is http://, so the browser's
    Origin https://HOST does not match and CSRF refuses every POST — the log-in included."""
    settings.SECURE_PROXY_SSL_HEADER = None
    r = _login_over_proxy(settings, user_factory("unproxied"))
    assert r.status_code == 403 and not r.wsgi_request.is_secure()
    assert 'class="error-page"' in r.content.decode()  # the friendly page, not Django's bare one


@pytest.mark.django_db
def test_trusted_origin_for_a_different_public_host(settings, user_factory):
    """A proxy that passes its own Host (app.internal) needs the public origin in
    KLASTER_CSRF_TRUSTED_ORIGINS."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["app.internal"]
    user = user_factory("internal")

    def post():
        c = Client(enforce_csrf_checks=True, HTTP_HOST="app.internal", HTTP_X_FORWARDED_PROTO="https")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', c.get("/accounts/login/").content.decode()).group(1)
        return c.post("/accounts/login/", {"csrfmiddlewaretoken": token, "username": user.username, "password": "pw-internal-123456"},
                      HTTP_ORIGIN=f"https://{HOST}", HTTP_REFERER=f"https://{HOST}/accounts/login/")

    settings.CSRF_TRUSTED_ORIGINS = []
    assert post().status_code == 403
    settings.CSRF_TRUSTED_ORIGINS = [f"https://{HOST}"]
    assert post().status_code == 302


# ---------------------------------------------------------------- klaster serve → waitress
def test_waitress_options_without_a_proxy(settings):
    settings.MAX_UPLOAD_BYTES = 25 * 1024 * 1024
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.USE_X_FORWARDED_HOST = False
    assert waitress_options() == {"max_request_body_size": 25 * 1024 * 1024, "clear_untrusted_proxy_headers": True}


def test_waitress_options_with_a_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.USE_X_FORWARDED_HOST = True
    o = waitress_options("127.0.0.1")
    assert o["trusted_proxy"] == "127.0.0.1" and o["trusted_proxy_count"] == 1
    assert o["trusted_proxy_headers"] == {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"}
    assert waitress_options("10.0.0.2", "X-Forwarded-Proto, x-forwarded-host", 2)["trusted_proxy_headers"] == {
        "x-forwarded-proto", "x-forwarded-host"}


@pytest.mark.parametrize("args, message", [
    ((None, "x-forwarded-proto"), "need --trusted-proxy"),
    (("127.0.0.1", "x-forwarded-proto x-real-ip"), "unknown x-real-ip"),
    (("127.0.0.1", "forwarded x-forwarded-for"), "'forwarded' cannot be trusted together"),
    (("127.0.0.1", "", 0), "below 1"),
])
def test_waitress_options_refused(settings, args, message):
    settings.SECURE_PROXY_SSL_HEADER = None
    with pytest.raises(ValueError, match=message):
        waitress_options(*args)


def test_proxy_header_that_waitress_would_strip_is_refused(settings):
    """waitress removes X-Forwarded-Proto from peers it does not trust; Django would then never see
    it and refuse every POST over HTTPS, so serve refuses to start."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.USE_X_FORWARDED_HOST = False
    with pytest.raises(ValueError, match="KLASTER_PROXY_SSL_HEADER reads the x-forwarded-proto header"):
        waitress_options()
    with pytest.raises(ValueError, match="add x-forwarded-proto to --trusted-proxy-headers"):
        waitress_options("127.0.0.1", "x-forwarded-for")
    # a header waitress does not know is passed through untouched
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_SSL", "on")
    assert "trusted_proxy" not in waitress_options()


class _Waitress:
    """The app served by waitress on a free local port with :func:`waitress_options`."""

    def __init__(self, **kw):
        from waitress import create_server

        from klaster.wsgi import application

        self.server = create_server(application, host="127.0.0.1", port=0, threads=2, **waitress_options(**kw))
        self.port = self.server.effective_port
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self.stopping.is_set():
            self.server.asyncore.loop(timeout=0.05, map=self.server._map, count=1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(5)
        self.server.close()
        self.server.task_dispatcher.shutdown()

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
    r, body = srv.request("GET", "/", headers=proxy)
    cookie = re.search(r"csrftoken=([^;]+)", r.getheader("Set-Cookie")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    return srv.request("POST", "/i18n/setlang/", body=urlencode({"csrfmiddlewaretoken": token, "language": "kk", "next": "/"}),
                       headers={**proxy, "Cookie": f"csrftoken={cookie}", "Content-Type": "application/x-www-form-urlencoded",
                                "Origin": f"https://{HOST}", "Referer": f"https://{HOST}/"})


@pytest.mark.django_db(transaction=True)
def test_serve_behind_a_trusted_proxy_accepts_posts_over_https(settings):
    settings.ALLOWED_HOSTS = [HOST]
    settings.SECURE_PROXY_SSL_HEADER = None  # waitress alone sets the scheme from the trusted proxy
    with _Waitress(trusted_proxy="127.0.0.1") as srv:
        r, _ = _set_language_over_proxy(srv)
        assert r.status == 302 and "django_language=kk" in r.getheader("Set-Cookie")
    with _Waitress() as srv:  # no trusted proxy: waitress drops X-Forwarded-Proto, the POST is refused
        r, body = _set_language_over_proxy(srv)
        assert r.status == 403 and b'class="error-page"' in body


@pytest.mark.django_db(transaction=True)
def test_serve_refuses_bodies_above_the_upload_limit(settings):
    settings.ALLOWED_HOSTS = [HOST]
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    with _Waitress() as srv:
        # the request declares a body one byte over the limit; the server refuses it from the headers,
        # before any of the body is read (sending the body too raced the server's close: broken pipe)
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
        conn.putrequest("POST", "/i18n/setlang/", skip_host=True)
        for k, v in {"Host": HOST, "Content-Type": "application/octet-stream", "Content-Length": str(1024 * 1024 + 1)}.items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        r.read()
        conn.close()
        assert r.status == 413
        r, _ = srv.request("POST", "/i18n/setlang/", body=b"x" * 1024, headers={"Content-Type": "application/octet-stream"})
        assert r.status == 403  # within the limit the app answers (no CSRF token here)
