"""CLI commands (Typer sub-application): ``klaster observatory …``.

- ``map`` — run one or several cluster-mapping methodologies and the specialisation,
  concentration and complexity indicators on a panel (a file, or a built-in source of the data
  directory) and write the tables (Parquet by default; CSV; XLSX on request) and an HTML report;
- ``cbp-compare`` — run (b): County Business Patterns 2016 aggregated to clusters vs the
  published U.S. Cluster Mapping establishment counts;
- ``methodologies`` — list the methodologies and versions.

Errors a user can cause (a bad file, value, option or output) are one message naming the file,
row, column and rule, and exit code 2 — never a traceback. Progress goes to stderr: a bar with
counts and the time left on a terminal, plain lines otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(help="Regional specialisation and cluster mapping (location quotients, CMP, ECO, Business Navigator, complexity).",
                  no_args_is_help=True)


def _years(spec: Optional[str]) -> Optional[list[int]]:
    if not spec:
        return None
    if spec.strip().lower() == "all":
        return []
    out: list[int] = []
    for part in spec.split(","):
        a, _, b = part.strip().partition(":")
        if not a.strip().isdigit() or (b and not b.strip().isdigit()):
            raise ValueError(f"--years: {part!r} is not a year or a range like 2014:2024 (whole years)")
        lo, hi = int(a), int(b) if b else int(a)
        if lo > hi:
            raise ValueError(f"--years: {part!r} runs backwards")
        if lo < 1900 or hi > 2100:
            raise ValueError(f"--years: {part!r} is outside 1900–2100")
        out.extend(range(lo, hi + 1))
    return sorted(set(out))


def _pairs(values: List[str], option: str) -> dict[str, str]:
    out = {}
    for v in values:
        k, sep, val = v.partition("=")
        if not sep or not k.strip() or not val.strip():
            raise ValueError(f"{option}: write KEY=VALUE, not {v!r}")
        out[k.strip()] = val.strip()
    return out


#: Freed heap memory glibc's malloc keeps for reuse instead of handing it back (bytes): a mapping
#: run allocates and frees arrays of one year's grid again and again (3,000 × 1,000 cells are
#: 24 MB each); handed back, every new array is faulted in page by page again (on the 30 M-cell
#: benchmark that was 2 million page faults, 4 s of system time in a 7 s run). Kept, the
#: peak memory grows by at most this much (552 → 671 MB on that benchmark; docs/observatory/README.md).
HEAP_KEEP_BYTES = 512 * 1024 * 1024


def _reuse_freed_memory(keep: int = HEAP_KEEP_BYTES) -> bool:
    """Let a long run reuse the memory it frees (glibc ``mallopt(M_TOP_PAD, keep)``; see
    :data:`HEAP_KEEP_BYTES`). Arrow keeps its own default pool (mimalloc), which reuses freed
    blocks itself. Best effort: returns False (nothing changed) where glibc is not the C library."""
    import ctypes

    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(-2, int(keep)))  # M_TOP_PAD
    except (OSError, AttributeError):
        return False


@app.command("map")
def map_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="Output directory."),
    panel: Optional[Path] = typer.Option(None, "--panel", help="Panel file (CSV, Parquet, XLSX), long (region, sector, year, measure, value, unit [, status, group]) or wide (region, sector, year [, group|traded] and one column per measure, e.g. 'employment [persons]'); see docs/observatory.md."),
    source: Optional[str] = typer.Option(None, "--source", help="Built-in panel instead of --panel: us-cmp2016, us-cbp2016, kz-bns-gva."),
    national: Optional[Path] = typer.Option(None, "--national", help="National totals (sector, year, measure, value, unit) when the regions do not cover the nation."),
    crosswalk: Optional[str] = typer.Option(None, "--crosswalk", help="Sector crosswalk CSV with columns source, target [, group]; or 'cmp' for the built-in NAICS→CMP crosswalk with the 2012→2017 concordance."),
    sector_prefix: Optional[int] = typer.Option(None, "--sector-prefix", min=1, max=20, help="Roll sectors up to their first N characters (OKED, NAICS)."),
    region_prefix: Optional[int] = typer.Option(None, "--region-prefix", "--region-level", min=1, max=20, help="Region level: roll regions up to their first N code characters (e.g. KATO)."),
    frame: str = typer.Option("2022", "--frame", help="Territorial frame of Kazakhstan (2022, 2018, 2017) for kz-bns-gva."),
    methodology: List[str] = typer.Option(["cmp"], "--methodology", "-m", help="Methodology id[@version]: cmp, eco, kz-bn (repeat for several)."),
    measure: Optional[str] = typer.Option(None, "--measure", help="Measure of the LQ (default: employment, or gva for kz-bns-gva)."),
    year: Optional[int] = typer.Option(None, "--year", min=1900, max=2100, help="Main year (default: the latest year of the panel)."),
    years: Optional[str] = typer.Option(None, "--years", help="Years for the over-time tables, e.g. 2014:2024, or 'all'."),
    start_year: Optional[int] = typer.Option(None, "--start-year", min=1900, max=2100, help="Start of the growth window for --year (growth methodologies)."),
    stability: int = typer.Option(0, "--stability", min=0, max=10_000, help="Bootstrap and perturbation replicates for the stability of each flag."),
    lq_base: Optional[str] = typer.Option(None, "--lq-base", help="Override the methodologies' LQ base: group or all (a stated deviation, e.g. CMP on a panel without traded/local groups)."),
    engine: str = typer.Option("local", "--engine", help="local (numpy on the region × sector grid, default), duckdb, spark, or pandas (the reference); 'ibis' = duckdb."),
    engine_url: Optional[str] = typer.Option(None, "--engine-url", help="duckdb: a database file; spark: the master (local[4], spark://host:7077, yarn, k8s://…); with --engine ibis: any Ibis backend URL."),
    engine_option: List[str] = typer.Option([], "--engine-option", help="Backend option KEY=VALUE (Spark configuration, DuckDB setting); repeat."),
    fmt: List[str] = typer.Option(["parquet"], "--format", "-f", help="Output format of the tables: parquet (default), csv, xlsx (one workbook; refused if a table exceeds Excel's 1,048,576 rows); repeat for several."),
    tables: Optional[str] = typer.Option(None, "--tables", help="Tables to compute and write, comma-separated (default all): flags, lq, specialisation, concentration, changes, shift_share, strength, thresholds, comparison, complexity, product_complexity, relatedness."),
    unit: List[str] = typer.Option([], "--unit", help="Unit of a measure column of a wide panel that does not name it: COLUMN=UNIT (e.g. private_wage=USD)."),
    decimal_comma: bool = typer.Option(False, "--decimal-comma", help="The panel writes numbers with a decimal comma (17 000,5); by default a comma in a number is refused as ambiguous."),
    html: bool = typer.Option(True, "--html/--no-html", help="Write report.html."),
) -> None:
    """Map specialisation and clusters on a panel and write flags, indicators and a report."""
    from klaster.cli._util import console, err_console, fail
    from klaster.observatory import frames as kzframes
    from klaster.observatory import progress as P
    from klaster.observatory import sources
    from klaster.observatory.engines import EngineError
    from klaster.observatory.mapping import TABLES, run_map, write_outputs
    from klaster.observatory.methodology import Engine, MethodologyError
    from klaster.observatory.outputs import OutputError, check_formats
    from klaster.observatory.panel import PanelError, load_panel

    if (panel is None) == (source is None):
        fail("give exactly one of --panel PATH or --source NAME")
    _reuse_freed_memory()
    try:
        formats = check_formats(fmt)
        want = None
        if tables:
            want = [t.strip() for t in tables.split(",") if t.strip()]
            bad = [t for t in want if t not in TABLES]
            if bad:
                raise ValueError(f"--tables: unknown table {bad[0]!r} (tables: {', '.join(TABLES)})")
        if lq_base not in (None, "group", "all"):
            raise ValueError(f"--lq-base must be group or all, not {lq_base!r}")
        yrs = _years(years)
        units = _pairs(unit, "--unit")
        options = _pairs(engine_option, "--engine-option")
    except (OutputError, ValueError) as exc:
        fail(exc)
    prog = P.for_console(err_console)
    try:
        prog.stage("starting the engine" if engine not in ("local", "pandas") else "loading the panel")
        eng = Engine(engine, url=engine_url, options=options)
        if eng.kind == "ibis" and panel is not None and not (crosswalk or sector_prefix or region_prefix or national or decimal_comma
                                                             or stability):
            # the backend reads, checks and writes: the panel never comes to this machine
            _map_in_backend(eng, panel, out, methodology, measure, year, years, yrs, start_year, want, lq_base, units, formats,
                            html, prog)
            return
        if source is not None:
            prog.stage(f"loading {source}")
            if source == "us-cmp2016":
                p = sources.us_cmp2016()
            elif source == "us-cbp2016":
                p = sources.us_cbp2016()
            elif source == "kz-bns-gva":
                p = sources.kz_bns_gva(frame)
            else:
                fail(f"--source: unknown source {source!r} (sources: {', '.join(sources.SOURCES)})")
        else:
            size = panel.stat().st_size if panel.exists() else 0
            prog.stage(f"loading {panel.name}", None)
            p = load_panel(panel, national=national, decimal="," if decimal_comma else ".", units=units,
                           progress=lambda n: prog.advance(0, detail=f"{n:,} rows"))
            del size
        if crosswalk == "cmp":
            cw = sources.cmp_crosswalk()
            groups = dict(zip(cw["target"], cw["traded"].map({True: "traded", False: "local"})))
            p = p.map_sectors(cw, name="NAICS→CMP", groups=groups, names=dict(zip(cw["target"], cw["name"])))
        elif crosswalk is not None:
            import pandas as pd

            cwp = Path(crosswalk)
            if not cwp.exists():
                raise PanelError("file not found", file=str(cwp))
            cw = pd.read_csv(cwp, dtype=str, keep_default_na=False)
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
        if yrs == []:  # --years all
            yrs = p.years
        elif yrs is not None:  # a range means the panel's years within it
            yrs = [v for v in yrs if v in p.years] or yrs
        res = run_map(p, methodologies=methodology, measure=meas, year=y, years=yrs, start_year=start_year, engine=eng,
                      stability=stability, tables=want, lq_base=lq_base, progress=prog)
        files = write_outputs(res, out, html=html, formats=formats, progress=prog)
    except (PanelError, MethodologyError, kzframes.FrameError, OutputError, EngineError, ValueError, KeyError) as exc:
        prog.done()
        fail(exc)
    console.print(f"[green]wrote[/green] {len(files)} files to {out}")
    for f in files:
        console.print(f"  {f}")
    for n in res.notes:
        console.print(f"  [yellow]note:[/yellow] {n}")
    for m, counts in res.flag_counts().items():
        cells = counts.pop("cells", 0)
        console.print(f"  {m} {res.year}: " + ", ".join(f"{c} {n:,}" for c, n in counts.items()) + f" of {cells:,} cells")


def _map_in_backend(eng, panel, out, methodology, measure, year, years_opt, yrs, start_year, want, lq_base, units, formats, html, prog):
    """``map`` with ``--engine duckdb|spark|ibis`` on a panel file: :mod:`klaster.observatory.scan`."""
    from klaster.cli._util import console, fail
    from klaster.observatory.scan import run_map_scan, scan_panel

    if formats != ["parquet"]:
        fail(f"--engine {eng.backend} writes the tables as Parquet (by the backend itself); drop --format "
             f"{', '.join(f for f in formats if f != 'parquet')} or use --engine local")
    prog.stage(f"reading and checking {panel.name} on {eng.backend}")
    sp = scan_panel(eng, str(panel), units=units)
    meas = measure or "employment"
    y = year or sp.years[-1]
    if yrs == []:
        yrs = sp.years
    elif yrs is not None:
        yrs = [v for v in yrs if v in sp.years] or yrs
    files, summary = run_map_scan(sp, methodologies=methodology, measure=meas, year=y, years=yrs, start_year=start_year,
                                  out=str(out), tables=want, lq_base=lq_base, progress=prog)
    console.print(f"[green]wrote[/green] {len(files)} tables to {out} (by {eng.backend}: {sp.cells:,} cells, "
                  f"{sp.regions:,} regions × {sp.sectors:,} sectors × {len(sp.years)} years)")
    for f in files:
        console.print(f"  {f}")
    notes = summary["notes"] + (["report.html is written by --engine local (the report needs the panel in memory)"] if html else [])
    for n in notes:
        console.print(f"  [yellow]note:[/yellow] {n}")
    for m, c in summary["flag_counts"].items():
        cells = c.pop("cells", 0)
        console.print(f"  {m} {y}: " + ", ".join(f"{k} {v:,}" for k, v in c.items()) + f" of {cells:,} cells")


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
        from klaster.observatory.outputs import write_table

        out.mkdir(parents=True, exist_ok=True)
        write_table(table, out / "comparison.csv")
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
