"""``klaster register …`` — the register and the pilot clusters of seed 003."""

import typer
from rich.table import Table

from klaster.cli._util import console

app = typer.Typer(help="Register of territorial clusters; the pilot clusters of seed 003.", no_args_is_help=True)


@app.command("pilots")
def pilots_cmd() -> None:
    """Reproduce the seed-003 totals and list every printed figure against its recomputation."""
    from klaster.programmes import pilots

    t = Table(title="Seed 003: printed vs recomputed")
    for col in ("check", "cluster", "printed", "recomputed", "unit", "ok", "line"):
        t.add_column(col)
    for c in pilots.reconcile():
        t.add_row(c.what, c.cluster or "", str(c.printed), str(c.computed), c.unit, "yes" if c.matches else "DIFFERS", str(c.line))
    console.print(t)
    for k, v in pilots.totals().items():
        console.print(f"{k}: {v.format('en')}")
