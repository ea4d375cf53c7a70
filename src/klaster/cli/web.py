"""``klaster setup | demo | serve | manage`` — database, demo data and the web app."""

from __future__ import annotations

import importlib
import importlib.util
from typing import List

import typer

from klaster.cli._util import console, fail, setup_django

# Modules that contribute demo data, in order; each has ``load_demo(console) -> None``
# and must be idempotent (running ``klaster demo`` twice changes nothing).
DEMO_MODULES = [
    "klaster.accounts.demo",
    "klaster.competition.demo",
    "klaster.register.demo",
    "klaster.programmes.demo",
    "klaster.support.demo",
]


def _compile_messages() -> None:
    from klaster.web.i18n import compile_messages

    n = compile_messages()
    console.print(f"compiled {n} message catalogues")


def setup() -> None:
    """Create or migrate the database and compile the interface translations."""
    setup_django()
    from django.core.management import call_command

    from klaster.datasets import data_dir

    data_dir().mkdir(parents=True, exist_ok=True)
    _compile_messages()
    call_command("migrate", interactive=False, verbosity=0)
    console.print("database migrated")


def demo() -> None:
    """Set up the database, load the reference data and the demo data, and print the demo accounts."""
    setup()
    from klaster.reference.loaders import load_all

    load_all(console=console)
    for mod in DEMO_MODULES:
        if importlib.util.find_spec(mod) is None:
            continue
        importlib.import_module(mod).load_demo(console)


# Forwarded headers waitress knows: it removes them from requests that do not come from the
# trusted proxy (and, with clear_untrusted_proxy_headers, the untrusted ones from the proxy too).
WAITRESS_PROXY_HEADERS = ("x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-by", "forwarded")
DEFAULT_TRUSTED_PROXY_HEADERS = "x-forwarded-for x-forwarded-proto"


def waitress_options(
    trusted_proxy: str | None = None,
    trusted_proxy_headers: str | None = None,
    trusted_proxy_count: int = 1,
    clear_untrusted_proxy_headers: bool = True,
) -> dict:
    """The keyword arguments of ``waitress.serve`` for the proxy and the request size.

    Parameters
    ----------
    trusted_proxy
        Address of the reverse proxy whose forwarded headers are believed (``"*"``: any peer,
        only when nothing else can reach the port), or ``None``/``""``: trust no proxy.
    trusted_proxy_headers
        Space- or comma-separated, of ``x-forwarded-for x-forwarded-host x-forwarded-proto
        x-forwarded-port x-forwarded-by`` or ``forwarded`` alone; default (with a proxy)
        ``x-forwarded-for x-forwarded-proto`` plus ``x-forwarded-host`` when
        ``KLASTER_USE_X_FORWARDED_HOST=1``. ``x-forwarded-proto`` makes waitress set the request
        scheme (``https``), ``x-forwarded-for`` the client address (which the login throttling
        locks out).
    trusted_proxy_count
        How many proxies in front of the app add to ``X-Forwarded-For`` (≥ 1).
    clear_untrusted_proxy_headers
        Remove forwarded headers not trusted (waitress's default, kept).

    Returns
    -------
    dict
        ``trusted_proxy``, ``trusted_proxy_headers``, ``trusted_proxy_count``,
        ``clear_untrusted_proxy_headers`` and ``max_request_body_size`` (bytes, the setting
        ``MAX_UPLOAD_BYTES`` from ``KLASTER_MAX_UPLOAD_MB``).

    Raises
    ------
    ValueError
        Headers or a count without a proxy, an unknown header, ``forwarded`` mixed with
        ``x-forwarded-*``, a count below 1 — or a Django setting that reads a forwarded header
        (``KLASTER_PROXY_SSL_HEADER``, ``KLASTER_USE_X_FORWARDED_HOST``) which waitress would
        remove, so that every POST over HTTPS would be refused with 403.
    """
    from django.conf import settings

    proxy = (trusted_proxy or "").strip() or None
    opts: dict = {"max_request_body_size": settings.MAX_UPLOAD_BYTES, "clear_untrusted_proxy_headers": clear_untrusted_proxy_headers}
    if trusted_proxy_count < 1:
        raise ValueError(f"--trusted-proxy-count / KLASTER_TRUSTED_PROXY_COUNT: {trusted_proxy_count} is below 1")
    headers: set[str] = set()
    if proxy is None:
        if (trusted_proxy_headers or "").strip():
            raise ValueError("--trusted-proxy-headers / KLASTER_TRUSTED_PROXY_HEADERS need --trusted-proxy / KLASTER_TRUSTED_PROXY")
    else:
        raw = (trusted_proxy_headers or "").strip()
        if not raw:
            raw = DEFAULT_TRUSTED_PROXY_HEADERS + (" x-forwarded-host" if settings.USE_X_FORWARDED_HOST else "")
        headers = {h.lower() for h in raw.replace(",", " ").split()}
        unknown = headers - set(WAITRESS_PROXY_HEADERS)
        if unknown:
            raise ValueError(f"--trusted-proxy-headers / KLASTER_TRUSTED_PROXY_HEADERS: unknown {', '.join(sorted(unknown))}; "
                             f"expected some of {' '.join(WAITRESS_PROXY_HEADERS)}")
        if "forwarded" in headers and len(headers) > 1:
            raise ValueError("--trusted-proxy-headers / KLASTER_TRUSTED_PROXY_HEADERS: 'forwarded' cannot be trusted together with x-forwarded-*")
        opts.update(trusted_proxy=proxy, trusted_proxy_headers=headers, trusted_proxy_count=trusted_proxy_count)
    if clear_untrusted_proxy_headers:
        needed = []
        if settings.SECURE_PROXY_SSL_HEADER:
            needed.append(("KLASTER_PROXY_SSL_HEADER", settings.SECURE_PROXY_SSL_HEADER[0]))
        if settings.USE_X_FORWARDED_HOST:
            needed.append(("KLASTER_USE_X_FORWARDED_HOST", "HTTP_X_FORWARDED_HOST"))
        for variable, meta in needed:
            header = meta.removeprefix("HTTP_").lower().replace("_", "-")
            if header in WAITRESS_PROXY_HEADERS and header not in headers:
                raise ValueError(
                    f"{variable} reads the {header} header, which waitress removes unless it comes from a trusted proxy: "
                    f"set --trusted-proxy / KLASTER_TRUSTED_PROXY to the proxy's address"
                    + (f" and add {header} to --trusted-proxy-headers / KLASTER_TRUSTED_PROXY_HEADERS" if proxy else "")
                )
    return opts


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port."),
    threads: int = typer.Option(8, help="Worker threads."),
    trusted_proxy: str = typer.Option(
        "", envvar="KLASTER_TRUSTED_PROXY",
        help="Address of the reverse proxy whose X-Forwarded-* headers are trusted (e.g. 127.0.0.1); empty: none.",
    ),
    trusted_proxy_headers: str = typer.Option(
        "", envvar="KLASTER_TRUSTED_PROXY_HEADERS",
        help=f"Forwarded headers trusted from that proxy (default: {DEFAULT_TRUSTED_PROXY_HEADERS}).",
    ),
    trusted_proxy_count: int = typer.Option(1, envvar="KLASTER_TRUSTED_PROXY_COUNT", help="Number of proxies in front of the app."),
    clear_untrusted_proxy_headers: bool = typer.Option(
        True, "--clear-untrusted-proxy-headers/--keep-untrusted-proxy-headers", envvar="KLASTER_CLEAR_UNTRUSTED_PROXY_HEADERS",
        help="Remove forwarded headers that are not trusted.",
    ),
) -> None:
    """Serve the web app (waitress WSGI server; static files by WhiteNoise).

    Behind a reverse proxy: --trusted-proxy ADDRESS (docs/deployment.md). Bodies above KLASTER_MAX_UPLOAD_MB get 413.
    """
    setup_django()
    from django.core.management import call_command
    from waitress import serve as waitress_serve

    from klaster.wsgi import application

    try:
        opts = waitress_options(trusted_proxy, trusted_proxy_headers, trusted_proxy_count, clear_untrusted_proxy_headers)
    except ValueError as e:
        fail(str(e))
    _compile_messages()
    call_command("collectstatic", interactive=False, verbosity=0)
    console.print(f"klaster is serving on http://{host}:{port}/  (Ctrl+C to stop)")
    if opts.get("trusted_proxy"):
        console.print(f"trusting {', '.join(sorted(opts['trusted_proxy_headers']))} from {opts['trusted_proxy']}")
    waitress_serve(application, host=host, port=port, threads=threads, **opts)


def manage(args: List[str] = typer.Argument(None, help="Arguments of Django's manage.py.")) -> None:
    """Run a Django management command (e.g. ``klaster manage createsuperuser``)."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["klaster manage", *(args or [])])


def register(app: typer.Typer) -> None:
    app.command()(setup)
    app.command()(demo)
    app.command()(serve)
    app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(manage)
