"""``klaster io …``: input-output multipliers, impacts, regionalisation, cluster templates, validation.

Tables are read from CSV/XLSX (:func:`klaster.observatory.io.tables.read_table`); results are
written as CSV/XLSX (``--out``) and an offline HTML summary (``--html``). User errors
(missing files, malformed or unbalanced tables) are one message and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
import typer

from klaster.cli._util import console, fail

from .core import IOTableError

app = typer.Typer(help="Input-output analysis: multipliers, impacts, regionalisation, cluster templates.", no_args_is_help=True)

_TYPE_HELP = "Multiplier type: I (open model), II (households closed) or both."


def _spec(output_row, compensation_row, gva_row, employment_row, household_column):
    from .tables import TableSpec

    return TableSpec(output_row=output_row, compensation_row=compensation_row, gva_row=gva_row,
                     employment_row=employment_row, household_column=household_column)


def _load(table: Path, sheet, spec, household_income, employment, employment_column, check, tolerance):
    from .tables import read_table, read_vector

    emp = read_vector(employment, column=employment_column) if employment else None
    return read_table(table, sheet=sheet, spec=spec, household_income=household_income, employment=emp, check=check,
                      rtol=tolerance)


def _emit(frames: dict, out: Optional[Path], html: Optional[Path], title: str, notes: dict | None = None) -> None:
    from .tables import html_report, write_frames

    if out is not None:
        for p in write_frames(out, frames):
            console.print(f"wrote {p}")
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(html_report(title, list(frames.items()), notes=notes), encoding="utf-8")
        console.print(f"wrote {html}")


def _show(df: pd.DataFrame, limit: int = 20) -> None:
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.6g}".format):
        typer.echo(df.head(limit).to_string())
        if len(df) > limit:
            typer.echo(f"… {len(df) - limit} more rows")


# Shared options -------------------------------------------------------------------------------
TableArg = typer.Argument(..., help="Industry-by-industry table (.csv or .xlsx): Z block first, then named rows/columns.")
SheetOpt = typer.Option(None, help="XLSX sheet name.")
OutOpt = typer.Option(None, "--out", help="Write results to .csv or .xlsx.")
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
    leontief: bool = typer.Option(False, "--leontief", help="Also write the Leontief inverse(s)."),
    linkages: bool = typer.Option(False, "--linkages", help="Also write Rasmussen–Hirschman linkages and key sectors."),
    compare: Optional[Path] = typer.Option(None, help="Published multipliers (.csv, sectors × same column names) to compare with."),
    check: bool = CheckOpt,
    tolerance: float = TolOpt,
    out: Optional[Path] = OutOpt,
    html: Optional[Path] = HtmlOpt,
) -> None:
    """Type I/II output, income, employment and GVA effects and multipliers."""
    if type not in ("I", "II", "both"):
        fail(f"--type must be I, II or both; got {type!r}")
    try:
        t = _load(table, sheet, _spec(output_row, compensation_row, gva_row, employment_row, household_column),
                  household_income, employment, employment_column, check, tolerance)
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
            from .tables import read_frame, _numeric

            pub = read_frame(compare)
            pub = _numeric(pub[[c for c in pub.columns if not c.startswith("Rank")]], str(compare))
            key = "Type II" if (type == "II" or "TypeII" in compare.name or "Type II" in compare.name) and "Type II" in frames else "Type I"
            mine = frames[key]
            cols = [c for c in pub.columns if c in mine.columns]
            if not cols:
                fail(f"{compare}: no column matches the multiplier columns ({', '.join(mine.columns)})")
            diff = (mine.loc[pub.index.intersection(mine.index), cols] - pub.loc[pub.index.intersection(mine.index), cols]).abs()
            frames["Comparison"] = pd.DataFrame({"max abs diff": diff.max(), "sectors": diff.count()})
    except IOTableError as e:
        fail(str(e))
    for name, df in frames.items():
        if name in ("Type I", "Type II", "Comparison"):
            console.print(f"[bold]{name}[/bold]")
            _show(df)
    _emit(frames, out, html, f"Input-output multipliers: {table.name}",
          {"sectors": t.n, "unit": t.unit, "household income (Type II divisor)": t.household_income})


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
    out: Optional[Path] = OutOpt,
    html: Optional[Path] = HtmlOpt,
) -> None:
    """Impact of final-demand changes (Δx = L Δy), all scenarios with one LU factorisation."""
    from .tables import _numeric, read_frame

    if type not in ("I", "II"):
        fail(f"--type must be I or II; got {type!r}")
    try:
        t = _load(table, sheet, _spec(output_row, compensation_row, gva_row, None, household_column),
                  household_income, employment, employment_column, check, tolerance)
        dy = _numeric(read_frame(scenarios), str(scenarios))
        dx = t.impact(dy, type=type, household_income=household_income)
        summary = t.impact_summary(dx)
    except IOTableError as e:
        fail(str(e))
    console.print("[bold]Totals by scenario[/bold]")
    _show(summary)
    _emit({"Summary": summary, "Output change": dx}, out, html, f"Impact of final-demand change: {table.name}",
          {"type": type, "sectors": t.n, "scenarios": dx.shape[1], "unit": t.unit})


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
    out: Optional[Path] = OutOpt,
    html: Optional[Path] = HtmlOpt,
) -> None:
    """Regionalise a national table by location quotients; writes regional A and multipliers."""
    from .regional import regionalise as _reg
    from .system import IOTable
    from .tables import read_vector

    try:
        t = _load(table, sheet, _spec(output_row, None, None, None, None), None, None, None, check, tolerance)
        xr = read_vector(region_output)
        unknown = [s for s in xr.index if s not in t.labels]
        if unknown:
            fail(f"{region_output}: unknown sector {unknown[0]!r}")
        xr = xr.reindex(t.labels).fillna(0.0)
        xn = read_vector(national_output).reindex(t.labels).fillna(0.0) if national_output else t.x
        r = _reg(t.A, xr.to_numpy(), xn.to_numpy(), method=method, delta=delta)
        rt = IOTable.from_coefficients(r.A, xr.to_numpy(), check=False)
        mult = pd.DataFrame({"regional": rt.multipliers()["Output multiplier"], "national": t.multipliers()["Output multiplier"]})
    except IOTableError as e:
        fail(str(e))
    notes = {"method": r.method.upper(), "delta": r.delta, "lambda*": r.lam}
    console.print(f"[bold]{r.method.upper()}[/bold] δ={r.delta} λ*={r.lam}")
    _show(mult)
    _emit({"Regional A": r.A, "Output multipliers": mult, "Quotients": r.quotients}, out, html,
          f"Regionalised table ({r.method.upper()}): {table.name}", notes)


@app.command()
def templates(
    table: Path = TableArg,
    method: str = typer.Option("feser-bergman", help="feser-bergman, czamanski or hill-brennan."),
    components: Optional[int] = typer.Option(None, help="Feser–Bergman: components to keep (default: eigenvalue > 1)."),
    secondary: float = typer.Option(0.35, help="Feser–Bergman: loading for secondary membership."),
    threshold: float = typer.Option(0.5, help="Czamanski: minimum maximum-correlation within a group."),
    employment: Optional[Path] = typer.Option(None, help="Hill–Brennan: CSV/XLSX with columns region_base, region_end, nation_base, nation_end."),
    groups: int = typer.Option(7, help="Hill–Brennan: Ward groups."),
    sheet: Optional[str] = SheetOpt,
    output_row: Optional[str] = OutputRowOpt,
    check: bool = CheckOpt,
    tolerance: float = TolOpt,
    out: Optional[Path] = OutOpt,
    html: Optional[Path] = HtmlOpt,
) -> None:
    """Cluster templates from inter-industry linkages (seed 002, Tables 2 and 3)."""
    from . import templates as tp
    from .tables import _numeric, read_frame

    try:
        t = _load(table, sheet, _spec(output_row, None, None, None, None), None, None, None, check, tolerance)
        if method == "feser-bergman":
            fb = tp.feser_bergman(t.Z, n_components=components, secondary_threshold=secondary)
            members = pd.DataFrame([{"component": c, "primary": "; ".join(fb.primary[c]), "secondary": "; ".join(fb.secondary[c])}
                                    for c in fb.loadings.columns]).set_index("component")
            frames = {"Rotated component matrix": fb.table2().set_index("No."), "Explained variance": fb.variance, "Members": members}
            notes = fb.notes
        elif method == "czamanski":
            frames = {"Czamanski groups": tp.czamanski(t.Z, threshold=threshold)}
            notes = {"threshold": threshold}
        elif method == "hill-brennan":
            if employment is None:
                fail("hill-brennan needs --employment with columns region_base, region_end, nation_base, nation_end")
            e = _numeric(read_frame(employment), str(employment))
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
    except IOTableError as e:
        fail(str(e))
    console.print(f"[bold]{method}[/bold] {notes}")
    _show(next(iter(frames.values())))
    _emit(frames, out, html, f"Cluster templates ({method}): {table.name}", notes)


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
    frames = {}
    try:
        for name, f in runs.items():
            if target in ("all", name):
                frames[name] = f()
    except DatasetError as e:
        fail(str(e))
    ok = True
    for name, df in frames.items():
        console.print(f"[bold]{name}[/bold]")
        _show(df, limit=40)
        if "pass" in df.columns:
            ok &= bool(df["pass"].all())
    _emit(frames, out, html, "klaster io: validation against official tables")
    if not ok:
        raise typer.Exit(1)
