"""CLI commands (Typer sub-application)."""

import typer

app = typer.Typer(help="(not yet implemented)", no_args_is_help=True)
