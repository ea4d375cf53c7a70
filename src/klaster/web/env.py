"""Reading the deployment settings from environment variables, refusing malformed values.

:mod:`klaster.settings` reads every ``KLASTER_*`` variable through these functions. Each takes the
variable's name and the environment (default :data:`os.environ`) and raises
:class:`django.core.exceptions.ImproperlyConfigured` naming the variable, the value found and what
was expected, so a typo stops the start instead of silently weakening the deployment. An unset or
empty variable gives the default. The variables are listed in the README ("Configuration") and in
``docs/deployment.md``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})

# A request header as Django's request.META names it (HTTP_X_FORWARDED_PROTO) or as it is written
# on the wire (X-Forwarded-Proto).
_HEADER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_HOST = re.compile(r"(\*\.)?[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]")


def _raw(name: str, environ: Mapping[str, str] | None) -> str:
    return (os.environ if environ is None else environ).get(name, "").strip()


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    """A switch: ``1/true/yes/on`` or ``0/false/no/off`` (any case); unset or empty → ``default``.

    Raises
    ------
    ImproperlyConfigured
        Any other value (e.g. ``KLASTER_SSL_REDIRECT=2``).
    """
    raw = _raw(name, environ).lower()
    if not raw:
        return default
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected 1 or 0 (also true/false, yes/no, on/off)")


def env_int(name: str, default: int, minimum: int = 0, environ: Mapping[str, str] | None = None) -> int:
    """A whole number ≥ ``minimum`` (decimal digits); unset or empty → ``default``.

    Raises
    ------
    ImproperlyConfigured
        Not a whole number, or smaller than ``minimum``.
    """
    raw = _raw(name, environ)
    if not raw:
        return default
    if not re.fullmatch(r"[+-]?\d+", raw):
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number")
    value = int(raw)
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number of at least {minimum}")
    return value


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """Comma-separated values, blanks dropped; unset or empty → ``default`` (a copy)."""
    raw = _raw(name, environ)
    if not raw:
        return list(default)
    return [v.strip() for v in raw.split(",") if v.strip()]


def env_proxy_ssl_header(name: str, environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """The header a TLS-terminating proxy sets on HTTPS requests, as Django's
    ``SECURE_PROXY_SSL_HEADER``: ``"HTTP_X_FORWARDED_PROTO=https"`` or ``"X-Forwarded-Proto=https"``
    → ``("HTTP_X_FORWARDED_PROTO", "https")``; unset or empty → ``None`` (no proxy trusted).

    Raises
    ------
    ImproperlyConfigured
        No ``=``, an empty or malformed header name, or an empty value or one with spaces.
    """
    raw = _raw(name, environ)
    if not raw:
        return None
    header, sep, value = raw.partition("=")
    header, value = header.strip(), value.strip()
    if not sep or not _HEADER.fullmatch(header) or not value or " " in value:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: expected HEADER=VALUE, e.g. HTTP_X_FORWARDED_PROTO=https"
        )
    key = header.upper().replace("-", "_")
    if not key.startswith("HTTP_"):
        key = "HTTP_" + key
    return key, value


def env_origins(name: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """Comma-separated origins for Django's ``CSRF_TRUSTED_ORIGINS``: ``scheme://host[:port]``
    with scheme ``http`` or ``https`` and nothing after the host (``https://*.example.kz`` trusts
    every subdomain); unset or empty → ``[]``. A trailing ``/`` is dropped.

    Raises
    ------
    ImproperlyConfigured
        An origin without a scheme (``klaster.example.kz``), with another scheme, with a path,
        query, fragment or user name, or with a malformed host or port.
    """
    out = []
    for origin in env_list(name, [], environ):
        origin = origin.rstrip("/")
        parts = urlsplit(origin)
        try:
            port = parts.port
            port_ok = port is None or 0 < port < 65536
        except ValueError:
            port, port_ok = None, False
        host = parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc
        if (
            parts.scheme not in ("http", "https")
            or not port_ok
            or not _HOST.fullmatch(host or "")
            or parts.path
            or parts.query
            or parts.fragment
            or "@" in parts.netloc
        ):
            raise ImproperlyConfigured(
                f"{name}: {origin!r} is not an origin; expected scheme://host[:port], "
                "e.g. https://klaster.example.kz"
            )
        out.append(origin)
    return out
