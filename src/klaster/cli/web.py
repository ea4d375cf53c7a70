"""``klaster setup | demo | serve | manage`` — database, demo data and the web app."""

from __future__ import annotations

import importlib
import importlib.util
import math
import os
import sys
from pathlib import Path
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
# Under gunicorn the same code (waitress.proxy_headers) wraps the application, so both servers
# believe and remove exactly the same headers.
WAITRESS_PROXY_HEADERS = ("x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-by", "forwarded")
DEFAULT_TRUSTED_PROXY_HEADERS = "x-forwarded-for x-forwarded-proto"
SERVERS = ("gunicorn", "waitress")
#: Seconds a gunicorn worker may spend on one request before it is restarted (a mapping run takes
#: up to ~20 s; docs/deployment.md gives the proxy 120 s).
REQUEST_TIMEOUT = 120
#: Threads per gunicorn worker by default: gthread workers keep idle keep-alive connections
#: without holding a process; measured 2–4× the requests per second of sync workers at 50
#: connections on 2 cores (docs/performance.md).
GUNICORN_THREADS = 4


def proxy_options(
    trusted_proxy: str | None = None,
    trusted_proxy_headers: str | None = None,
    trusted_proxy_count: int = 1,
    clear_untrusted_proxy_headers: bool = True,
) -> dict:
    """The reverse-proxy options of ``klaster serve``, checked (see :func:`waitress_options`).

    Returns
    -------
    dict
        ``clear_untrusted_proxy_headers`` and, with a proxy, ``trusted_proxy``,
        ``trusted_proxy_headers`` (a set of lower-case names) and ``trusted_proxy_count``.

    Raises
    ------
    ValueError
        As :func:`waitress_options`.
    """
    from django.conf import settings

    proxy = (trusted_proxy or "").strip() or None
    opts: dict = {"clear_untrusted_proxy_headers": clear_untrusted_proxy_headers}
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

    return {"max_request_body_size": settings.MAX_UPLOAD_BYTES,
            **proxy_options(trusted_proxy, trusted_proxy_headers, trusted_proxy_count, clear_untrusted_proxy_headers)}


def available_cores(cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """CPU cores this process may use: its CPU affinity, bounded by a cgroup v2 CPU quota
    (``cpu_max``, e.g. a container limited to 2 CPUs on a larger host); ≥ 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        quota, period = cpu_max.read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def default_workers(cores: int | None = None) -> int:
    """gunicorn's rule for worker processes: 2 × cores + 1 (5 on a 2-core machine): while one
    worker waits for the database another uses the core."""
    return 2 * (cores or available_cores()) + 1


def gunicorn_options(host: str, port: int, workers: int = 0, threads: int = GUNICORN_THREADS, timeout: int = REQUEST_TIMEOUT) -> dict:
    """gunicorn's settings for ``klaster serve``.

    Parameters
    ----------
    workers
        Worker processes; 0: :func:`default_workers`.
    threads
        Threads per worker: more than 1 → ``gthread`` (the default, :data:`GUNICORN_THREADS`:
        keep-alive connections, a slow client holds a thread, not a process); 1 → the ``sync``
        worker (one request at a time per process, every connection closed after its answer).
    timeout
        Seconds before a worker stuck on one request is restarted.

    Returns
    -------
    dict
        Setting name → value. Forwarded headers are *not* trusted by gunicorn itself
        (``forwarded_allow_ips`` empty, no ``secure_scheme_headers``): the application is
        wrapped by waitress's proxy-header middleware with the options of :func:`proxy_options`,
        so ``--trusted-proxy`` means the same under both servers (scheme, client address, host;
        untrusted forwarded headers removed). Request-line and header limits are gunicorn's
        (``limit_request_line`` raised to 8190 bytes, its maximum, for long query strings); the
        body limit is ``MAX_UPLOAD_BYTES``, answered with 413 by
        ``klaster.common.files.MaxBodyMiddleware`` before anything reads the body.

    Raises
    ------
    ValueError
        ``workers`` < 0, ``threads`` < 1 or ``timeout`` < 1.
    """
    if workers < 0:
        raise ValueError(f"--workers / KLASTER_WORKERS: {workers} is below 0")
    if threads < 1:
        raise ValueError(f"--threads / KLASTER_THREADS: {threads} is below 1")
    if timeout < 1:
        raise ValueError(f"--timeout / KLASTER_TIMEOUT: {timeout} is below 1")
    return {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": workers or default_workers(),
        "worker_class": "gthread" if threads > 1 else "sync",
        "threads": threads,
        "timeout": timeout,
        "graceful_timeout": 30,
        "keepalive": 5,
        # A worker is replaced after this many requests (memory a long-lived process accumulates).
        "max_requests": 5000,
        "max_requests_jitter": 500,
        # Django is imported once in the master and shared by the workers (copy-on-write); an
        # import error stops `serve` instead of looping worker restarts.
        "preload_app": True,
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "limit_request_line": 8190,
        "control_socket_disable": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "klaster",
    }


def proxied_application(opts: dict):
    """The WSGI application of klaster wrapped by waitress's proxy-header middleware with the
    options of :func:`proxy_options` (exactly what ``waitress.serve`` does with them)."""
    from waitress.proxy_headers import proxy_headers_middleware

    from klaster.wsgi import application

    if not (opts.get("trusted_proxy") or opts.get("clear_untrusted_proxy_headers")):
        return application
    return proxy_headers_middleware(application, trusted_proxy=opts.get("trusted_proxy"), trusted_proxy_count=opts.get("trusted_proxy_count", 1),
                                    trusted_proxy_headers=opts.get("trusted_proxy_headers"),
                                    clear_untrusted=opts.get("clear_untrusted_proxy_headers", True))


def run_gunicorn(app, options: dict) -> None:
    """Run gunicorn's arbiter with ``options`` (:func:`gunicorn_options`) serving ``app``."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    _warm()
    # No database connection may cross the fork: the workers open their own.
    connections.close_all()
    _Server().run()


def _warm() -> None:
    """Import every view (and what it imports: pandas, the engines) and load the translation
    catalogues once in gunicorn's master, before the workers are forked: they share that memory
    and their first requests do not each spend seconds importing."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 — imports every urls module and view
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Home")
    # The regulation texts every competition page reads (YAML parsed once per process and cached:
    # ~1 s per text, which each worker's first competition page used to pay): the shipped rules with
    # their companions and the versions the competitions pinned. A failure here is not fatal: the
    # page that needs the text reports it.
    try:
        from klaster.competition.models import Competition
        from klaster.engine.competition.rules import load_rules

        load_rules()
        for c in Competition.objects.all():
            c.rules  # noqa: B018
    except Exception as e:  # noqa: BLE001
        console.print(f"note: regulation texts not preloaded ({e})")


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port."),
    server: str = typer.Option(
        "gunicorn", envvar="KLASTER_SERVER",
        help="gunicorn: several worker processes (Linux, macOS); waitress: one process with threads (any OS, the former setup).",
    ),
    workers: int = typer.Option(0, envvar="KLASTER_WORKERS", help="gunicorn worker processes (0: 2 × cores + 1)."),
    threads: int = typer.Option(
        0, envvar="KLASTER_THREADS",
        help=f"Threads per process (0: {GUNICORN_THREADS} under gunicorn, 8 under waitress; 1: gunicorn's sync workers).",
    ),
    timeout: int = typer.Option(REQUEST_TIMEOUT, envvar="KLASTER_TIMEOUT", help="gunicorn: seconds before a stuck worker is restarted."),
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
    with_worker: bool = typer.Option(
        False, "--with-worker", help="Also run the task runner (klaster worker) as a child process that ends with the server (make run).",
    ),
) -> None:
    """Serve the web app: gunicorn with 2 × cores + 1 worker processes (or waitress, one process);
    static files by WhiteNoise, compressed and cached (collected at start).

    Behind a reverse proxy: --trusted-proxy ADDRESS (docs/deployment.md). Bodies above KLASTER_MAX_UPLOAD_MB get 413.
    """
    setup_django()
    from django.core.management import call_command

    server = server.strip().lower()
    if server not in SERVERS:
        fail(f"--server / KLASTER_SERVER: {server!r} is not one of {', '.join(SERVERS)}")
    if server == "gunicorn" and sys.platform == "win32":
        console.print("gunicorn does not run on Windows: serving with waitress (one process)")
        server = "waitress"
    try:
        if server == "waitress":
            opts = waitress_options(trusted_proxy, trusted_proxy_headers, trusted_proxy_count, clear_untrusted_proxy_headers)
            if threads < 0:
                raise ValueError(f"--threads / KLASTER_THREADS: {threads} is below 1")
        else:
            opts = proxy_options(trusted_proxy, trusted_proxy_headers, trusted_proxy_count, clear_untrusted_proxy_headers)
            g_opts = gunicorn_options(host, port, workers, threads or GUNICORN_THREADS, timeout)
    except ValueError as e:
        fail(e)
    _compile_messages()
    call_command("collectstatic", interactive=False, verbosity=0)
    if with_worker:
        from klaster.cli.worker import start_child, stop_child

        child = start_child()
        try:
            _serve(server, host, port, threads, opts, g_opts if server != "waitress" else None)
        finally:
            stop_child(child)
        return
    _serve(server, host, port, threads, opts, g_opts if server != "waitress" else None)


def _serve(server: str, host: str, port: int, threads: int, opts: dict, g_opts: dict | None) -> None:
    if server == "waitress":
        from waitress import serve as waitress_serve

        from klaster.wsgi import application

        console.print(f"klaster is serving on http://{host}:{port}/ with waitress (one process, {threads or 8} threads; Ctrl+C to stop)")
        _trust_note(opts)
        waitress_serve(application, host=host, port=port, threads=threads or 8, **opts)
        return
    kind = f"{g_opts['threads']} threads each" if g_opts["worker_class"] == "gthread" else "sync, one request at a time each"
    console.print(f"klaster is serving on http://{host}:{port}/ with gunicorn ({g_opts['workers']} worker processes, {kind}; Ctrl+C to stop)")
    _trust_note(opts)
    run_gunicorn(proxied_application(opts), g_opts)


def _trust_note(opts: dict) -> None:
    if opts.get("trusted_proxy"):
        console.print(f"trusting {', '.join(sorted(opts['trusted_proxy_headers']))} from {opts['trusted_proxy']}")


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
