"""``klaster setup | demo | serve | manage`` — database, demo data and the web app."""

from __future__ import annotations

import importlib
import importlib.util
from typing import List

import typer

from klaster.cli._util import console, setup_django

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


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port."),
    threads: int = typer.Option(8, help="Worker threads."),
) -> None:
    """Serve the web app (waitress WSGI server; static files by WhiteNoise)."""
    setup_django()
    from django.core.management import call_command
    from waitress import serve as waitress_serve

    from klaster.wsgi import application

    _compile_messages()
    call_command("collectstatic", interactive=False, verbosity=0)
    console.print(f"klaster is serving on http://{host}:{port}/  (Ctrl+C to stop)")
    waitress_serve(application, host=host, port=port, threads=threads)


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
