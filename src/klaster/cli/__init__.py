"""The ``klaster`` command (Typer + Rich).

Sub-commands live beside the code they drive; this module only assembles them:

- ``klaster data``            — fill the data directory from the manifest (``klaster.cli.data``)
- ``klaster load-reference``  — regions, KATO, OKED, priority sectors (``klaster.cli.reference``)
- ``klaster setup | demo | serve | manage`` — database, demo data and the web app (``klaster.cli.web``)
- ``klaster observatory …``   — specialisation and cluster mapping (``klaster.observatory.cli``)
- ``klaster io …``            — input-output analysis (``klaster.observatory.io.cli``)
- ``klaster competition …``   — regulation traceability and competition tools (``klaster.competition.cli``)
- ``klaster regulations …``   — regulation documents; add a version without a code change (``klaster.regulations.cli``)
- ``klaster register …``, ``klaster support …`` — register and support instruments
- ``klaster files orphans``   — stored uploads no row refers to (``klaster.cli.files``)
- ``klaster backup | restore`` — the database and the stored files in one archive (``klaster.cli.backup``)
- ``klaster worker``          — the task runner: schedules, e-mail outbox, mapping runs (``klaster.cli.worker``)

Errors a user can cause are printed as one clear message and exit code 2, never a traceback.
"""

from __future__ import annotations

import importlib

import typer

from klaster import __version__

app = typer.Typer(
    name="klaster",
    help="klaster: territorial cluster policy end to end.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

SUBAPPS = [
    ("observatory", "klaster.observatory.cli"),
    ("io", "klaster.observatory.io.cli"),
    ("competition", "klaster.competition.cli"),
    ("regulations", "klaster.regulations.cli"),
    ("register", "klaster.register.cli"),
    ("support", "klaster.support.cli"),
    ("files", "klaster.cli.files"),
]
COMMAND_MODULES = ["klaster.cli.data", "klaster.cli.reference", "klaster.cli.web", "klaster.cli.backup", "klaster.cli.worker"]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"klaster {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """klaster: territorial cluster policy end to end."""


for _mod in COMMAND_MODULES:
    importlib.import_module(_mod).register(app)
for _name, _mod in SUBAPPS:
    app.add_typer(importlib.import_module(_mod).app, name=_name)


def main() -> None:
    """Entry point of the ``klaster`` console script."""
    app()
