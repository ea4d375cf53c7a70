"""``klaster regulations …`` — the regulation documents, and adding a new version without a code change.

* ``klaster regulations list``          — every document and version (shipped or added), its kind,
  effective period and SHA-256;
* ``klaster regulations show ID [VER]`` — header, source, effective dates and notes of a version;
* ``klaster regulations check FILE``    — validate a new version (header, then the content by its
  kind) and show its difference from the version it ``amends``; writes nothing;
* ``klaster regulations add FILE``      — the same, then store it in ``<data dir>/regulations`` (never
  over an existing version) and record it in the audit trail; the next competition can pin it.

Errors a user can cause (a malformed file, an unknown kind, an existing version) are one message
naming the file and the field, exit code 2.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from klaster.cli._util import console, fail

app = typer.Typer(help="Regulation documents: list, show, check and add a version (law as data).", no_args_is_help=True)


def _period(doc) -> str:
    a = doc.effective_from.isoformat() if doc.effective_from else "…"
    b = doc.effective_to.isoformat() if doc.effective_to else "…"
    return f"{a} – {b}"


def _value(v) -> str:
    s = repr(v) if not isinstance(v, str) else v
    return s if len(s) <= 90 else s[:87] + "…"


def print_addition(a) -> None:
    """The validation result, effective dates, source and differences of an addition, on the console."""
    from rich.table import Table

    d = a.doc
    console.print(f"[bold]{d.id} {d.version}[/bold]  kind {d.kind}  sha256 {d.sha256[:12]}…")
    console.print(f"title (ru): {d.title.get('ru')}")
    console.print(f"act: {d.act.get('name', '')} No. {d.act.get('number', '')} of {d.act.get('date', '')}")
    console.print(f"in force: {_period(d)}")
    console.print(f"source: {d.source}")
    for n in d.notes:
        console.print(f"  note: {n}")
    if a.exists:
        console.print("[yellow]this id and version exist already: it cannot be added again (publish a new version)[/yellow]")
    if a.amends is None:
        console.print("amends: — (a new document)")
        return
    console.print(f"amends: {a.amends.id} {a.amends.version} (in force {_period(a.amends)}); {len(a.changes)} difference(s)")
    t = Table("field", "change", "was", "now")
    for c in a.changes:
        t.add_row(c.path, c.kind, _value(c.old) if c.old is not None else "", _value(c.new) if c.new is not None else "")
    console.print(t)


@app.command("list")
def list_() -> None:
    """Every regulation document and version, shipped and added."""
    from rich.table import Table

    from klaster.regulations import RegulationError, documents, load, versions

    t = Table("document", "version", "kind", "in force", "sha256", "added")
    try:
        for d in documents():
            for v in versions(d):
                doc = load(d, v)
                t.add_row(d, v, doc.kind, _period(doc), doc.sha256[:12] + "…", "added" if doc.added else "")
    except RegulationError as e:
        fail(e)
    console.print(t)


@app.command()
def show(doc_id: str = typer.Argument(..., help="Document id."), version: str = typer.Argument(None, help="Version (default: the latest).")) -> None:
    """Header, source, effective dates and notes of a version."""
    from klaster.regulations import RegulationError, load

    try:
        d = load(doc_id, version)
    except RegulationError as e:
        fail(e)
    console.print(f"[bold]{d.id} {d.version}[/bold]  kind {d.kind}  sha256 {d.sha256}")
    console.print(f"title: {d.title}")
    console.print(f"act: {d.act}")
    console.print(f"in force: {_period(d)}")
    console.print(f"source: {d.source}")
    if d.amends:
        console.print(f"amends: {d.amends['id']} {d.amends['version']}")
    for n in d.notes:
        console.print(f"note: {n}")
    console.print(f"file: {d.path}")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        fail(f"{path}: {e.strerror or e}")


@app.command()
def check(path: Path = typer.Argument(..., help="YAML file of the new version.")) -> None:
    """Validate a new version and show its difference from the version it amends (writes nothing)."""
    from klaster.regulations import RegulationError, check_new

    try:
        a = check_new(_read(path), name=path.name)
    except RegulationError as e:
        fail(e)
    print_addition(a)
    console.print("[green]valid[/green]")


@app.command()
def add(path: Path = typer.Argument(..., help="YAML file of the new version."),
        yes: bool = typer.Option(False, "--yes", help="Add without asking for confirmation.")) -> None:
    """Validate, show the difference, and add a new version (audited); it can then be pinned by a new competition."""
    from klaster.cli._util import setup_django
    from klaster.regulations import RegulationError, add as store, check_new

    data = _read(path)
    try:
        a = check_new(data, name=path.name)
    except RegulationError as e:
        fail(e)
    print_addition(a)
    if a.exists:
        fail(f"{a.doc.id} {a.doc.version} exists already; a changed text is published as a new version")
    if not yes and not typer.confirm(f"Add {a.doc.id} {a.doc.version}?"):
        raise typer.Exit(1)
    try:
        done = store(data, name=path.name)
    except RegulationError as e:
        fail(e)
    setup_django()
    from klaster.regulations.audit import record_addition

    record_addition(done, actor=None, note=f"klaster regulations add {path.name} (by {getpass.getuser()})")
    console.print(f"[green]added[/green] {done.path}")
