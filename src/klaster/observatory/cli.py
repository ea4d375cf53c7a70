"""CLI commands (Typer sub-application): ``klaster observatory …``.

- ``map`` — run one or several cluster-mapping methodologies and the specialisation indicators
  on a panel (a file, or a built-in source of the data directory) and write ``flags.csv``, the
  indicator tables (CSV + XLSX) and an HTML report;
- ``cbp-compare`` — run (b): County Business Patterns 2016 aggregated to clusters vs the
  published U.S. Cluster Mapping establishment counts;
- ``methodologies`` — list the methodologies and versions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(help="Regional specialisation and cluster mapping (location quotients, CMP, ECO, Business Navigator).",
                  no_args_is_help=True)


def _years(spec: Optional[str]) -> Optional[list[int]]:
    if not spec:
        return None
    out: list[int] = []
    for part in spec.split(","):
        a, _, b = part.partition(":")
        try:
            out.extend(range(int(a), int(b) + 1) if b else [int(a)])
        except ValueError:
            raise ValueError(f"--years: {part!r} is not a year or a range like 2014:2024") from None
    return sorted(set(out))


@app.command("map")
def map_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="Output directory."),
    panel: Optional[Path] = typer.Option(None, "--panel", help="Tidy long panel (CSV, Parquet, XLSX): region, sector, year, measure, value, unit [, status, group]."),
    source: Optional[str] = typer.Option(None, "--source", help="Built-in panel instead of --panel: us-cmp2016, us-cbp2016, kz-bns-gva."),
    national: Optional[Path] = typer.Option(None, "--national", help="National totals (sector, year, measure, value, unit) when the regions do not cover the nation."),
    crosswalk: Optional[str] = typer.Option(None, "--crosswalk", help="Sector crosswalk CSV with columns source, target [, group]; or 'cmp' for the built-in NAICS→CMP crosswalk with the 2012→2017 concordance."),
    sector_prefix: Optional[int] = typer.Option(None, "--sector-prefix", help="Roll sectors up to their first N characters (OKED, NAICS)."),
    region_prefix: Optional[int] = typer.Option(None, "--region-prefix", "--region-level", help="Region level: roll regions up to their first N code characters (e.g. KATO)."),
    frame: str = typer.Option("2022", "--frame", help="Territorial frame of Kazakhstan (2022, 2018, 2017) for kz-bns-gva."),
    methodology: List[str] = typer.Option(["cmp"], "--methodology", "-m", help="Methodology id[@version]: cmp, eco, kz-bn (repeat for several)."),
    measure: Optional[str] = typer.Option(None, "--measure", help="Measure of the LQ (default: employment, or gva for kz-bns-gva)."),
    year: Optional[int] = typer.Option(None, "--year", help="Main year (default: the latest year of the panel)."),
    years: Optional[str] = typer.Option(None, "--years", help="Years for the over-time tables, e.g. 2014:2024."),
    start_year: Optional[int] = typer.Option(None, "--start-year", help="Start of the growth window for --year (growth methodologies)."),
    stability: int = typer.Option(0, "--stability", help="Bootstrap and perturbation replicates for the stability of each flag."),
    engine: str = typer.Option("ibis", "--engine", help="ibis (DuckDB) or pandas (reference)."),
    html: bool = typer.Option(True, "--html/--no-html", help="Write report.html."),
) -> None:
    """Map specialisation and clusters on a panel and write flags, indicators and a report."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from klaster.cli._util import console, fail
    from klaster.observatory import frames as kzframes
    from klaster.observatory import sources
    from klaster.observatory.mapping import run_map, write_outputs
    from klaster.observatory.methodology import MethodologyError
    from klaster.observatory.panel import PanelError, load_panel

    if (panel is None) == (source is None):
        fail("give exactly one of --panel PATH or --source NAME")
    try:
        yrs = _years(years)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True) as prog:
            task = prog.add_task("loading the panel", total=None)
            if source is not None:
                if source == "us-cmp2016":
                    p = sources.us_cmp2016()
                elif source == "us-cbp2016":
                    p = sources.us_cbp2016()
                elif source == "kz-bns-gva":
                    p = sources.kz_bns_gva(frame)
                else:
                    fail(f"--source: unknown source {source!r} (sources: {', '.join(sources.SOURCES)})")
            else:
                p = load_panel(panel, national=national)
            if crosswalk == "cmp":
                cw = sources.cmp_crosswalk()
                groups = dict(zip(cw["target"], cw["traded"].map({True: "traded", False: "local"})))
                p = p.map_sectors(cw, name="NAICS→CMP", groups=groups, names=dict(zip(cw["target"], cw["name"])))
            elif crosswalk is not None:
                import pandas as pd

                cwp = Path(crosswalk)
                if not cwp.exists():
                    raise PanelError("file not found", file=str(cwp))
                cw = pd.read_csv(cwp, dtype=str)
                for col in ("source", "target"):
                    if col not in cw.columns:
                        raise PanelError(f"missing column {col!r} (a crosswalk needs source, target [, group])", file=cwp.name, row=1, column=col)
                groups = dict(zip(cw["target"], cw["group"])) if "group" in cw.columns else None
                p = p.map_sectors(cw, name=cwp.name, groups=groups)
            if sector_prefix:
                p = p.rollup_prefix(sector_prefix)
            if region_prefix:
                p = p.rollup_regions(region_prefix)
            meas = measure or ("gva" if source == "kz-bns-gva" else "employment")
            if meas not in p.measures:
                fail(f"--measure: {meas!r} is not in the panel (measures: {', '.join(p.measures)})")
            y = year or p.years[-1]
            if yrs is not None:  # a range means the panel's years within it
                yrs = [v for v in yrs if v in p.years] or yrs

            def say(msg: str) -> None:
                prog.update(task, description=f"computing: {msg}")

            res = run_map(p, methodologies=methodology, measure=meas, year=y, years=yrs, start_year=start_year,
                          engine=engine, stability=stability, progress=say)
            prog.update(task, description="writing outputs")
            files = write_outputs(res, out, html=html)
    except (PanelError, MethodologyError, kzframes.FrameError, ValueError, KeyError) as exc:
        fail(str(exc).strip("'\""))
    console.print(f"[green]wrote[/green] {len(files)} files to {out}")
    for f in files:
        console.print(f"  {f}")
    if len(res.flags):
        cur = res.flags[res.flags["year"] == res.year]
        for m, g in cur.groupby("methodology", sort=False):
            fl = [c for c in g.columns if str(g[c].dtype) == "boolean" and g[c].notna().any()]
            console.print(f"  {m}: " + ", ".join(f"{c} {int(g[c].sum())}" for c in fl) + f" of {len(g)} cells")


@app.command("cbp-compare")
def cbp_compare(
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write comparison.csv and summary.json here."),
    concordance: bool = typer.Option(True, "--concordance/--naive", help="Apply the NAICS 2012→2017 concordance (default) or not."),
) -> None:
    """Run (b): CBP 2016 establishments aggregated to CMP clusters vs the published counts."""
    from klaster.cli._util import console
    from klaster.observatory.sources import compare_cbp_with_cmp

    table, summary = compare_cbp_with_cmp(concordance=concordance)
    console.print(f"states compared: {summary['states']} (missing from CBP: {', '.join(summary['missing_states']) or 'none'})")
    console.print(f"traded state × cluster cells: {summary['cells_traded']}: exact {summary['exact_traded']:.1%}, "
                  f"within ±1 {summary['within1_traded']:.1%}")
    console.print(f"all clusters: {summary['cells_all']} cells: exact {summary['exact_all']:.1%}, within ±1 {summary['within1_all']:.1%}")
    console.print(f"CBP NAICS codes without a cluster: {', '.join(summary['unmapped_codes']) or 'none'}")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        table.to_csv(out / "comparison.csv", index=False)
        (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
        console.print(f"[green]wrote[/green] {out / 'comparison.csv'}, {out / 'summary.json'}")


@app.command("methodologies")
def list_methodologies() -> None:
    """List the methodologies (id, version, title, source file)."""
    from klaster.cli._util import console
    from klaster.observatory.methodology import available, load_spec

    for mid, ver in available():
        s = load_spec(mid, ver)
        console.print(f"{mid}@{ver}  {s['title']}  ({s['file']})")
