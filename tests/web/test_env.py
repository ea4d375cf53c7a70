"""Deployment settings from environment variables: values read, malformed values refused with the
variable's name (klaster.web.env, klaster.settings)."""

import json
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from klaster.web.env import env_bool, env_int, env_list, env_origins, env_proxy_ssl_header


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("ON", True), ("yes", True),
                                           ("0", False), ("False", False), ("off", False), ("", False), (" ", False)])
def test_switches(raw, expected):
    assert env_bool("KLASTER_X", environ={"KLASTER_X": raw}) is expected


def test_switch_default_and_refusal():
    assert env_bool("KLASTER_X", default=True, environ={}) is True
    with pytest.raises(ImproperlyConfigured, match="KLASTER_SSL_REDIRECT='2'"):
        env_bool("KLASTER_SSL_REDIRECT", environ={"KLASTER_SSL_REDIRECT": "2"})


def test_whole_numbers():
    assert env_int("KLASTER_HSTS_SECONDS", 0, environ={"KLASTER_HSTS_SECONDS": "31536000"}) == 31536000
    assert env_int("KLASTER_HSTS_SECONDS", 7, environ={}) == 7
    for bad in ("1e6", "abc", "3.5", "-1"):
        with pytest.raises(ImproperlyConfigured, match="KLASTER_HSTS_SECONDS"):
            env_int("KLASTER_HSTS_SECONDS", 0, environ={"KLASTER_HSTS_SECONDS": bad})
    with pytest.raises(ImproperlyConfigured, match="KLASTER_MAX_UPLOAD_MB='0'.*at least 1"):
        env_int("KLASTER_MAX_UPLOAD_MB", 25, minimum=1, environ={"KLASTER_MAX_UPLOAD_MB": "0"})


def test_lists():
    assert env_list("H", ["a"], environ={"H": " x.kz, ,y.kz ,"}) == ["x.kz", "y.kz"]
    default = ["127.0.0.1"]
    got = env_list("H", default, environ={})
    assert got == default and got is not default


@pytest.mark.parametrize("raw, expected", [
    ("HTTP_X_FORWARDED_PROTO=https", ("HTTP_X_FORWARDED_PROTO", "https")),
    ("X-Forwarded-Proto=https", ("HTTP_X_FORWARDED_PROTO", "https")),
    (" x-forwarded-ssl = on ", ("HTTP_X_FORWARDED_SSL", "on")),
    ("", None),
])
def test_proxy_ssl_header(raw, expected):
    assert env_proxy_ssl_header("KLASTER_PROXY_SSL_HEADER", environ={"KLASTER_PROXY_SSL_HEADER": raw}) == expected


@pytest.mark.parametrize("raw", ["HTTP_X_FORWARDED_PROTO", "=https", "HTTP_X_FORWARDED_PROTO=", "X Forwarded=https",
                                 "HTTP_X_FORWARDED_PROTO=ht tps"])
def test_proxy_ssl_header_refused(raw):
    with pytest.raises(ImproperlyConfigured, match="KLASTER_PROXY_SSL_HEADER"):
        env_proxy_ssl_header("KLASTER_PROXY_SSL_HEADER", environ={"KLASTER_PROXY_SSL_HEADER": raw})


def test_trusted_origins():
    raw = "https://klaster.example.kz, https://*.gov.kz/,http://127.0.0.1:8000,https://[::1]:8443"
    assert env_origins("O", environ={"O": raw}) == [
        "https://klaster.example.kz", "https://*.gov.kz", "http://127.0.0.1:8000", "https://[::1]:8443"]
    assert env_origins("O", environ={}) == []


@pytest.mark.parametrize("bad", ["klaster.example.kz", "ftp://klaster.example.kz", "https://klaster.example.kz/login",
                                 "https://klaster.example.kz?x=1", "https://user@klaster.example.kz", "https://",
                                 "https://klaster.example.kz:99999", "https://bad host"])
def test_trusted_origins_refused(bad):
    with pytest.raises(ImproperlyConfigured, match=r"KLASTER_CSRF_TRUSTED_ORIGINS: .* is not an origin"):
        env_origins("KLASTER_CSRF_TRUSTED_ORIGINS", environ={"KLASTER_CSRF_TRUSTED_ORIGINS": f"https://ok.kz,{bad}"})


# ---------------------------------------------------------------- the settings module itself
def _settings(tmp_path, **env):
    """Import klaster.settings in a fresh interpreter with ``env``; (returncode, output)."""
    code = ("import json, klaster.settings as s; print(json.dumps({k: getattr(s, k) for k in ("
            "'SECURE_PROXY_SSL_HEADER', 'CSRF_TRUSTED_ORIGINS', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
            "'SECURE_HSTS_PRELOAD', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'LANGUAGE_COOKIE_SECURE', "
            "'USE_X_FORWARDED_HOST', 'MAX_UPLOAD_BYTES', 'DATA_UPLOAD_MAX_MEMORY_SIZE')}))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KLASTER_")}
    clean.update(KLASTER_DATA_DIR=str(tmp_path), KLASTER_SECRET_KEY="x" * 60, **env)
    p = subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def test_settings_read_from_the_environment(tmp_path):
    rc, out = _settings(tmp_path, KLASTER_HTTPS="1", KLASTER_PROXY_SSL_HEADER="X-Forwarded-Proto=https",
                        KLASTER_CSRF_TRUSTED_ORIGINS="https://klaster.example.kz", KLASTER_HSTS_SECONDS="31536000",
                        KLASTER_HSTS_INCLUDE_SUBDOMAINS="1", KLASTER_HSTS_PRELOAD="1", KLASTER_SSL_REDIRECT="1",
                        KLASTER_USE_X_FORWARDED_HOST="1", KLASTER_MAX_UPLOAD_MB="40")
    assert rc == 0, out
    assert json.loads(out) == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"], "CSRF_TRUSTED_ORIGINS": ["https://klaster.example.kz"],
        "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": True, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "LANGUAGE_COOKIE_SECURE": True,
        "USE_X_FORWARDED_HOST": True, "MAX_UPLOAD_BYTES": 40 * 1024 * 1024, "DATA_UPLOAD_MAX_MEMORY_SIZE": 40 * 1024 * 1024,
    }


def test_settings_defaults_trust_no_proxy(tmp_path):
    rc, out = _settings(tmp_path)
    assert rc == 0, out
    s = json.loads(out)
    assert s["SECURE_PROXY_SSL_HEADER"] is None and s["CSRF_TRUSTED_ORIGINS"] == [] and s["USE_X_FORWARDED_HOST"] is False
    assert s["SECURE_HSTS_SECONDS"] == 0 and s["SECURE_SSL_REDIRECT"] is False and s["SESSION_COOKIE_SECURE"] is False
    assert s["CSRF_COOKIE_SECURE"] is False and s["LANGUAGE_COOKIE_SECURE"] is False
    assert s["MAX_UPLOAD_BYTES"] == 25 * 1024 * 1024


@pytest.mark.parametrize("env, message", [
    ({"KLASTER_PROXY_SSL_HEADER": "https"}, "KLASTER_PROXY_SSL_HEADER='https'"),
    ({"KLASTER_CSRF_TRUSTED_ORIGINS": "klaster.example.kz"}, "KLASTER_CSRF_TRUSTED_ORIGINS: 'klaster.example.kz' is not an origin"),
    ({"KLASTER_HSTS_SECONDS": "one year"}, "KLASTER_HSTS_SECONDS='one year'"),
    ({"KLASTER_HTTPS": "y"}, "KLASTER_HTTPS='y'"),
    ({"KLASTER_MAX_UPLOAD_MB": "25MB"}, "KLASTER_MAX_UPLOAD_MB='25MB'"),
    ({"KLASTER_HSTS_PRELOAD": "1", "KLASTER_HSTS_SECONDS": "3600", "KLASTER_HSTS_INCLUDE_SUBDOMAINS": "1"},
     "KLASTER_HSTS_PRELOAD=1 needs KLASTER_HSTS_SECONDS of at least 31536000"),
    ({"KLASTER_HSTS_INCLUDE_SUBDOMAINS": "1"}, "no effect without KLASTER_HSTS_SECONDS"),
])
def test_settings_refuse_malformed_values(tmp_path, env, message):
    rc, out = _settings(tmp_path, **env)
    assert rc != 0 and "ImproperlyConfigured" in out and message in out, out
