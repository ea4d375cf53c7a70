"""``klaster io …``: input-output multipliers, impacts, regionalisation, cluster templates, validation.

Tables are read from CSV/XLSX (:func:`klaster.observatory.io.tables.read_table`); results are
written as Parquet, CSV or XLSX (``--out``, the format from the suffix, checked before anything
is computed) and an offline HTML summary (``--html``). User errors (missing files, malformed or
unbalanced tables, ambiguous numbers, unknown output formats) are one message and exit code 2,
never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from klaster.cli._util import console, fail

if TYPE_CHECKING:  # pandas and the I-O modules are imported when a command runs (fast CLI start)
    import pandas as pd


def _errors():
    from klaster.observatory.outputs import OutputError

    from .core import IOTableError

    return (IOTableError, OutputError)


def _check_outputs(out: Optional[Path], html: Optional[Path]) -> None:
    """Refuse an output path of an unknown format before any work is done."""
    from klaster.observatory.outputs import OutputError, format_of

    try:
        if out is not None:
            format_of(out)
    except OutputError as e:
        fail(f"--out {e}")
    if html is not None and html.suffix.lower() not in (".html", ".htm"):
        fail(f"--html {html}: the summary is an HTML file; name it .html")

app = typer.Typer(help="Input-output analysis: multipliers, impacts, regionalisation, cluster templates.", no_args_is_help=True)

_TYPE_HELP = "Multiplier type: I (open model), II (households closed) or both."


def _spec(output_row, compensation_row, gva_row, employment_row, household_column):
    from .tables import TableSpec

    return TableSpec(output_row=output_row, compensation_row=compensation_row, gva_row=gva_row,
                     employment_row=employment_row, household_column=household_column)


def _load(table: Path, sheet, spec, household_income, employment, employment_column, check, tolerance, decimal_comma=False):
    from .tables import read_table, read_vector

    dec = "," if decimal_comma else "."
    emp = read_vector(employment, column=employment_column, decimal=dec) if employment else None
    return read_table(table, sheet=sheet, spec=spec, household_income=household_income, employment=emp, check=check,
                      rtol=tolerance, decimal=dec)


def _emit(frames: dict, out: Optional[Path], html: Optional[Path], title: str, notes: dict | None = None) -> None:
    from .tables import html_report, write_frames

    if out is not None:
        for p in write_frames(out, frames):
            console.print(f"wrote {p}")
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(html_report(title, list(frames.items()), notes=notes), encoding="utf-8")
        console.print(f"wrote {html}")


def _show(df: "pd.DataFrame", limit: int = 20) -> None:
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.6g}".format):
        typer.echo(df.head(limit).to_string())
        if len(df) > limit:
            typer.echo(f"… {len(df) - limit} more rows")


# Shared options -------------------------------------------------------------------------------
TableArg = typer.Argument(..., help="Industry-by-industry table (.csv or .xlsx): Z block first, then named rows/columns.")
SheetOpt = typer.Option(None, help="XLSX sheet name.")
OutOpt = typer.Option(None, "--out", help="Write results to .parquet, .csv or .xlsx (format from the suffix).")
HtmlOpt = typer.Option(None, "--html", help="Write an offline HTML summary.")
OutputRowOpt = typer.Option(None, help="Name of the total-output row (default: recognised, e.g. TOut, P1, output).")
CoeRowOpt = typer.Option(None, help="Name of the compensation-of-employees row (e.g. CoE, D1).")
GvaRowOpt = typer.Option(None, help="Name of the GVA row.")
EmpRowOpt = typer.Option(None, help="Name of an employment row (persons).")
HhColOpt = typer.Option(None, help="Name of the household final consumption column (Type II).")
HhIncOpt = typer.Option(None, help="Total household income, the Type II divisor (money; e.g. 156241 for Scotland 2019, £m).")
EmpFileOpt = typer.Option(None, help="Employment by sector: a (sector, persons) CSV/XLSX.")
EmpColOpt = typer.Option(None, help="Column of --employment to use.")
CheckOpt = typer.Option(True, "--check/--no-check", help="Check that rows balance (intermediate + final use = output).")
TolOpt = typer.Option(1e-6, help="Relative balance tolerance (plus 0.01 money units).")
DecOpt = typer.Option(False, "--decimal-comma", help="The files write numbers with a decimal comma (17 000,5); "
                      "by default a comma in a number is refused as ambiguous.")


@app.command()
def multipliers(
    table: Path = TableArg,
    type: str = typer.Option("both", "--type", help=_TYPE_HELP),
    household_income: Optional[float] = HhIncOpt,
    employment: Optional[Path] = EmpFileOpt,
    employment_column: Optional[str] = EmpColOpt,
    sheet: Optional[str] = SheetOpt,
    output_row: Optional[str] = OutputRowOpt,
    compensation_row: Optional[str] = CoeRowOpt,
    gva_row: Optional[str] = GvaRowOpt,
    employment_row: Optional[str] = EmpRowOpt,
    household_column: Optional[str] = HhColOpt,
    leontief: bool = typer.Option(False, "--leontief", help="Also write the Leontief inverse(s) (dense n × n)."),
    linkages: bool = typer.Option(False, "--linkages", help="Also write Rasmussen–Hirschman linkages and key sectors."),
    compare: Optional[Path] = typer.Option(None, help="Published multipliers (.csv, sectors × same column names) to compare with."),
    check: bool = CheckOpt,
    tolerance: float = TolOpt,
    decimal_comma: bool = DecOpt,
    out: Optional[Path] = OutOpt,
    html: Optional[Path] = HtmlOpt,
) -> None:
    """Type I/II output, income, employment and GVA effects and multipliers."""
    import pandas as pd

    if type not in ("I", "II", "both"):
        fail(f"--type must be I, II or both; got {type!r}")
    _check_outputs(out, html)
    try:
        t = _load(table, sheet, _spec(output_row, compensation_row, gva_row, employment_row, household_column),
                  household_income, employment, employment_column, check, tolerance, decimal_comma)
        frames = {}
        if type in ("I", "both"):
            frames["Type I"] = t.multipliers("I")
        if type in ("II", "both"):
            if t.household_income is None:
                if type == "II":
                    fail("Type II needs --household-income (total household income, money)")
            else:
                frames["Type II"] = t.multipliers("II")
        if leontief:
            frames["Leontief I"] = t.L
            if "Type II" in frames:
                frames["Leontief II"] = t.L_type_ii()
        if linkages:
            frames["Linkages"] = t.linkages()
        if compare is not None:
            from .tables import _numeric, read_frame

            pub = read_frame(compare)
            pub = _numeric(pub[[c for c in pub.columns if not c.startswith("Rank")]], str(compare),
                           decimal="," if decimal_comma else ".")
            key = "Type II" if (type == "II" or "TypeII" in compare.name or "Type II" in compare.name) and "Type II" in frames else "Type I"
            mine = frames[key]
            cols = [c for c in pub.columns if c in mine.columns]
            if not cols:
                fail(f"{compare}: no column matches the multiplier columns ({', '.join(mine.columns)})")
            common = pub.index.intersection(mine.index)
            diff = (mine.loc[common, cols] - pub.loc[common, cols]).abs()
            frames["Comparison"] = pd.DataFrame({"max abs diff": diff.max(), "sectors": diff.count()})
        for name, df in frames.items():
            if name in ("Type I", "Type II", "Comparison"):
                console.print(f"[bold]{name}[/bold]")
                _show(df)
        _emit(frames, out, html, f"Input-output multipliers: {table.name}",
              {"sectors": t.n, "unit": t.unit, "household income (Type II divisor)": t.household_income})
    except _errors() as e:
        fail(e)


@app.command()
def impact(
    table: Path = TableArg,
    scenarios: Path = typer.Option(..., help="Final-demand changes: sectors in rows, one column per scenario (money)."),
    type: str = typer.Option("I", "--type", help="I or II."),
    household_income: Optional[float] = HhIncOpt,
    employment: Optional[Path] = EmpFileOpt,
    employment_column: Optional[str] = EmpColOpt,
    sheet: Optional[str] = SheetOpt,
    output_row: Optional[str] = OutputRowOpt,
    compensation_row: Optional[str] = CoeRowOpt,
    gva_row: Optional[str] = GvaRowOpt,
    household_column: Optional[str] = HhColOpt,
    check: bool = CheckOpt,
    tolerance: float = TolOpt,
    decimal_comma: bool = DecOpt,
    out: Optional[Path] = OutOpt,
    html: Optional[Path] = HtmlOpt,
) -> None:
    """Impact of final-demand changes (Δx = L Δy), all scenarios with one LU factorisation."""
    from .tables import _numeric, read_frame

    if type not in ("I", "II"):
        fail(f"--type must be I or II; got {type!r}")
    _check_outputs(out, html)
    try:
        t = _load(table, sheet, _spec(output_row, compensation_row, gva_row, None, household_column),
                  household_income, employment, employment_column, check, tolerance, decimal_comma)
        dy = _numeric(read_frame(scenarios), str(scenarios), decimal="," if decimal_comma else ".")
        dx = t.impact(dy, type=type, household_income=household_income)
        summary = t.impact_summary(dx)
        console.print("[bold]Totals by scenario[/bold]")
        _show(summary)
        _emit({"Summary": summary, "Output change": dx}, out, html, f"Impact of final-demand change: {table.name}",
              {"type": type, "sectors": t.n, "scenarios": dx.shape[1], "unit": t.unit})
    except _errors() as e:
        fail(e)


@app.command()
def regionalise(
    table: Path = TableArg,
    region_output: Path = typer.Option(..., help="Regional output (or employment) by sector of the national table: (sector, value)."),
    national_output: Optional[Path] = typer.Option(None, help="National output/employment by sector (default: the table's output)."),
    method: str = typer.Option("flq", help="slq, cilq, flq or aflq."),
    delta: float = typer.Option(0.3, help="FLQ/AFLQ δ (0 ≤ δ < 1)."),
    sheet: Optional[str] = SheetOpt,
    output_row: Optional[str] = OutputRowOpt,
    check: bool = CheckOpt,
    tolerance: float = TolOpt,
    decimal_comma: bool = DecOpt,
    out: Optional[Path] = OutOpt,
    html: Optional[Path] = HtmlOpt,
) -> None:
    """Regionalise a national table by location quotients; writes regional A and multipliers."""
    import pandas as pd

    from .regional import regionalise as _reg
    from .system import IOTable
    from .tables import read_vector

    _check_outputs(out, html)
    dec = "," if decimal_comma else "."
    try:
        t = _load(table, sheet, _spec(output_row, None, None, None, None), None, None, None, check, tolerance, decimal_comma)
        xr = read_vector(region_output, decimal=dec)
        unknown = [s for s in xr.index if s not in set(t.labels)]
        if unknown:
            fail(f"{region_output}: unknown sector {unknown[0]!r}")
        xr = xr.reindex(t.labels).fillna(0.0)
        xn = read_vector(national_output, decimal=dec).reindex(t.labels).fillna(0.0) if national_output else t.x
        r = _reg(t.A, xr.to_numpy(), xn.to_numpy(), method=method, delta=delta)
        rt = IOTable.from_coefficients(r.A, xr.to_numpy(), check=False)
        mult = pd.DataFrame({"regional": rt.multipliers()["Output multiplier"], "national": t.multipliers()["Output multiplier"]})
        notes = {"method": r.method.upper(), "delta": r.delta, "lambda*": r.lam}
        console.print(f"[bold]{r.method.upper()}[/bold] δ={r.delta} λ*={r.lam}")
        _show(mult)
        _emit({"Regional A": r.A, "Output multipliers": mult, "Quotients": r.quotients}, out, html,
              f"Regionalised table ({r.method.upper()}): {table.name}", notes)
    except _errors() as e:
        fail(e)


@app.command()
def templates(
    table: Path = TableArg,
    method: str = typer.Option("feser-bergman", help="feser-bergman, czamanski or hill-brennan."),
    components: Optional[int] = typer.Option(None, help="Feser–Bergman: components to keep (default: the rule of --rule)."),
    rule: str = typer.Option("kaiser", help="Feser–Bergman: number of components when --components is not given: "
                             "kaiser (eigenvalue > 1 of the repaired linkage matrix) or variance:P (smallest k explaining ≥ P %)."),
    secondary: float = typer.Option(0.35, help="Feser–Bergman: loading for secondary membership."),
    threshold: float = typer.Option(0.5, help="Czamanski: minimum maximum-correlation within a group."),
    employment: Optional[Path] = typer.Option(None, help="Hill–Brennan: CSV/XLSX with columns region_base, region_end, nation_base, nation_end."),
    groups: int = typer.Option(7, help="Hill–Brennan: Ward groups."),
    sheet: Optional[str] = SheetOpt,
    output_row: Optional[str] = OutputRowOpt,
    check: bool = CheckOpt,
    tolerance: float = TolOpt,
    decimal_comma: bool = DecOpt,
    out: Optional[Path] = OutOpt,
    html: Optional[Path] = HtmlOpt,
) -> None:
    """Cluster templates from inter-industry linkages (seed 002, Tables 2 and 3)."""
    import warnings

    import pandas as pd

    from . import templates as tp
    from .tables import _numeric, read_frame

    _check_outputs(out, html)
    try:
        t = _load(table, sheet, _spec(output_row, None, None, None, None), None, None, None, check, tolerance, decimal_comma)
        if method == "feser-bergman":
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", tp.LinkageRepairWarning)
                fb = tp.feser_bergman(t.Z, n_components=components, rule=rule, secondary_threshold=secondary)
            for w in caught:
                if issubclass(w.category, tp.LinkageRepairWarning):
                    console.print(f"[yellow]warning:[/yellow] {w.message}")
            members = pd.DataFrame([{"component": c, "primary": "; ".join(fb.primary[c]), "secondary": "; ".join(fb.secondary[c])}
                                    for c in fb.loadings.columns]).set_index("component")
            frames = {"Rotated component matrix": fb.table2().set_index("No."), "Explained variance": fb.variance,
                      "Communalities": fb.communalities.to_frame(), "Members": members}
            notes = fb.notes
        elif method == "czamanski":
            frames = {"Czamanski groups": tp.czamanski(t.Z, threshold=threshold)}
            notes = {"threshold": threshold}
        elif method == "hill-brennan":
            if employment is None:
                fail("hill-brennan needs --employment with columns region_base, region_end, nation_base, nation_end")
            e = _numeric(read_frame(employment), str(employment), decimal="," if decimal_comma else ".")
            need = ["region_base", "region_end", "nation_base", "nation_end"]
            miss = [c for c in need if c not in e.columns]
            if miss:
                fail(f"{employment}: missing column {miss[0]!r}")
            e = e.reindex(t.labels).fillna(0.0)
            hb = tp.hill_brennan(t.Z, *(e[c].to_numpy() for c in need), labels=t.labels, n_groups=groups)
            frames = {"Industries": hb.industries, "Discriminant": hb.discriminant}
            notes = hb.notes
        else:
            fail(f"--method must be feser-bergman, czamanski or hill-brennan; got {method!r}")
        if t.compensation is not None and t.gva is not None:
            frames["Multipliers (Table 3)"] = tp.multiplier_table(t)
        console.print(f"[bold]{method}[/bold] {notes}")
        _show(next(iter(frames.values())))
        _emit(frames, out, html, f"Cluster templates ({method}): {table.name}", notes)
    except _errors() as e:
        fail(e)


@app.command()
def validate(
    target: str = typer.Argument("all", help="scotland-2019, scotland-2016, uk-2019, textbook, regionalisation or all."),
    out: Optional[Path] = OutOpt,
    html: Optional[Path] = HtmlOpt,
) -> None:
    """Reproduce the official tables (data via `klaster data fetch`); exit 1 if any comparison fails."""
    from klaster.datasets import DatasetError

    from . import validation as v

    runs = {
        "scotland-2019": lambda: v.scotland(2019),
        "scotland-2016": lambda: v.scotland(2016),
        "uk-2019": v.uk_2019,
        "textbook": v.textbook,
        "regionalisation": v.regionalisation,
    }
    if target != "all" and target not in runs:
        fail(f"unknown target {target!r}; choose from {', '.join(runs)} or all")
    _check_outputs(out, html)
    frames = {}
    try:
        for name, f in runs.items():
            if target in ("all", name):
                frames[name] = f()
    except DatasetError as e:
        fail(e)
    ok = True
    for name, df in frames.items():
        console.print(f"[bold]{name}[/bold]")
        _show(df, limit=40)
        if "pass" in df.columns:
            ok &= bool(df["pass"].all())
    try:
        _emit(frames, out, html, "klaster io: validation against official tables")
    except _errors() as e:
        fail(e)
    if not ok:
        raise typer.Exit(1)
