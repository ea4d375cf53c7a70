"""``klaster load-reference`` — regions, territorial changes, KATO, OKED and priority sectors."""

from __future__ import annotations

import typer

from klaster.cli._util import console, fail, setup_django


def load_reference() -> None:
    """Load the reference data into the database, idempotently (a re-load changes nothing)."""
    setup_django()
    from klaster.datasets import DatasetError
    from klaster.reference.loaders import LoadError, load_all

    try:
        load_all(console=console)
    except (DatasetError, LoadError) as e:
        fail(e)


def register(app: typer.Typer) -> None:
    app.command("load-reference")(load_reference)
