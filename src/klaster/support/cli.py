"""``klaster support …`` — support instruments of "Productivity 2020"."""

import typer
from rich.table import Table

from klaster.cli._util import console

app = typer.Typer(help="Support instruments of \"Productivity 2020\" (rates, caps, windows, deadlines).", no_args_is_help=True)


@app.command("instruments")
def instruments_cmd() -> None:
    """List the instrument components with their rate, window and caps (regulation data)."""
    from klaster.engine.support import load_instruments

    inst = load_instruments()
    t = Table(title=f"{inst.doc.id} {inst.doc.version}")
    for col in ("component", "name", "rate", "window, months", "caps", "clause"):
        t.add_column(col)
    for c in inst.components():
        calc = c.calculation
        caps = [f"{cap.type}" for cap in calc.caps] + ([f"per {calc.per_unit.unit} {calc.per_unit.cap}, ≤{calc.per_unit.max_units_per_enterprise}/year"] if calc.per_unit else [])
        t.add_row(c.id, c.name["en"], str(calc.rate or "—"), str(calc.window_months or "—"), "; ".join(caps) or (calc.not_in_seed or ""), calc.clause)
    console.print(t)
