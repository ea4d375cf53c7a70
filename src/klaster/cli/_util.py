"""Helpers shared by CLI modules: Django set-up and user-facing errors."""

from __future__ import annotations

import os

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def fail(message: str | BaseException, code: int = 2) -> None:
    """Print a user-facing error (no traceback) and exit with ``code``.

    ``message`` is a text or an exception (its text by :func:`klaster.observatory.message_of`);
    it is printed as it is — square brackets in it (``employment [persons]``,
    ``procedure[failure]``) are text, not Rich markup."""
    from rich.markup import escape

    from klaster.observatory import message_of

    text = message_of(message) if isinstance(message, BaseException) else str(message)
    err_console.print(f"[bold red]error:[/bold red] {escape(text)}")
    raise typer.Exit(code)


def setup_django() -> None:
    """Configure Django for CLI use (idempotent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klaster.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
