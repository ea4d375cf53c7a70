"""``klaster files orphans [--delete]`` — stored uploads that no row refers to."""

from __future__ import annotations

import typer

from klaster.cli._util import console, setup_django

app = typer.Typer(help="Stored uploads (below the data directory, outside the web root).", no_args_is_help=True)


@app.command()
def orphans(delete: bool = typer.Option(False, "--delete", help="Remove the files listed (audited).")) -> None:
    """List the stored files no row refers to (left by versions before klaster removed replaced and
    rolled-back uploads itself); with ``--delete`` remove them, recording each in the audit trail."""
    setup_django()
    from django.core.files.storage import default_storage

    from klaster.common import audit
    from klaster.common.files import is_referenced, orphans as find

    names = find()
    for name in names:
        console.print(name)
        if delete and not is_referenced(name):
            default_storage.delete(name)
            audit.record(actor=None, action="files.orphan_removed", object_type="file", object_id=name[:64], object_repr=name, changes={})
    console.print(f"{len(names)} orphan file(s){' removed' if delete and names else ''}")
