"""``klaster data`` — fill the data directory from the data manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from klaster import datasets
from klaster.cli._util import console, fail

data_app = typer.Typer(help="Datasets of the manifest: list, fetch (copy from a mirror or download) and verify.", no_args_is_help=True)


@data_app.command("list")
def list_() -> None:
    """List the datasets of the manifest with source, licence and local status."""
    t = Table("dataset", "version", "licence", "files", "local")
    for ds in datasets.manifest():
        present = sum((datasets.datasets_dir() / f.path).is_file() for f in ds.files)
        t.add_row(ds.id, ds.version, ds.licence, str(len(ds.files)), f"{present}/{len(ds.files)}")
    console.print(t)
    console.print(f"data directory: {datasets.datasets_dir()}")


@data_app.command()
def fetch(
    mirror: Optional[Path] = typer.Option(None, help="Local mirror laid out like the manifest (e.g. ../shared/data). Default $KLASTER_DATA_MIRROR."),
    dataset: Optional[list[str]] = typer.Option(None, "--dataset", "-d", help="Only these dataset ids (repeatable)."),
    no_download: bool = typer.Option(False, help="Do not try the official URLs."),
) -> None:
    """Copy or download every dataset file and verify its SHA-256 checksum."""
    if mirror is not None and not mirror.is_dir():
        fail(f"mirror {mirror} is not a directory")
    known = {d.id for d in datasets.manifest()}
    for d in dataset or []:
        if d not in known:
            fail(f"unknown dataset {d!r}; known: {', '.join(sorted(known))}")
    counts: dict[str, int] = {}

    def show(r: datasets.FetchResult) -> None:
        counts[r.status] = counts.get(r.status, 0) + 1
        if r.status == "failed":
            console.print(f"[red]✗[/red] {r.file.path}: {r.message}")
        elif r.status != "present":
            console.print(f"[green]✓[/green] {r.file.path} ({r.status})")

    with console.status("fetching datasets…"):
        results = datasets.fetch(mirror=mirror, only=dataset, download=not no_download, progress=show)
    console.print(", ".join(f"{v} {k}" for k, v in sorted(counts.items())) + f" — {datasets.datasets_dir()}")
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


@data_app.command()
def verify() -> None:
    """Verify the checksum of every dataset file in the data directory."""
    bad = 0
    for ds in datasets.manifest():
        for f in ds.files:
            try:
                datasets.path(f.path, verify=True)
            except datasets.DatasetError as e:
                bad += 1
                console.print(f"[red]✗[/red] {e}")
    if bad:
        raise typer.Exit(1)
    console.print("all dataset files present and verified")


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
