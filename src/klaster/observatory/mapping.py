"""Cluster mapping run end to end: several methodologies and the indicators on one panel.

:func:`run_map` computes everything ``klaster observatory map`` writes; :func:`write_outputs`
writes ``flags.csv``, the indicator tables (CSV and one XLSX workbook) and the HTML report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from klaster.observatory import methodology as M
from klaster.observatory.panel import Panel


@dataclass
class MapResult:
    """Everything one mapping run produced (all tables are long DataFrames with named columns)."""

    panel: Panel
    measure: str
    unit: str
    year: int
    years: list[int]
    methodologies: list[str]
    flags: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _main_flag(mid: str) -> str:
    return {"cmp": "strong", "eco": "stars", "kz-bn": "flagged"}.get(mid, "")


def run_map(panel: Panel, *, methodologies: Sequence[str], measure: str, year: int,
            years: Sequence[int] | None = None, start_year: int | None = None, engine: str = "ibis",
            stability: int = 0, perturbation: float = 0.1, count_measure: str | None = "auto",
            progress: Callable[[str], None] | None = None) -> MapResult:
    """Run the methodologies and the indicators on ``panel``.

    Parameters
    ----------
    methodologies : sequence of str
        ``id`` or ``id@version`` (see :func:`klaster.observatory.methodology.available`).
    measure : str
        Measure of the LQ (e.g. ``employment`` in persons, ``gva`` in mln KZT).
    year : int
        Main year of the flags and of the report.
    years : sequence of int, optional
        Years for the over-time tables (LQ, specialisation, flags of each year where the
        methodology can run); changes and shift-share go from the first to the last.
    start_year : int, optional
        Start of the growth window of growth methodologies for ``year``.

    Returns
    -------
    MapResult
        ``flags`` (one row per methodology × region × sector × year) and ``tables``:
        ``lq``, ``specialisation``, ``concentration``, ``changes``, ``shift_share``, ``strength``,
        ``comparison`` (methodologies side by side in ``year``), ``thresholds``.
    """
    say = progress or (lambda s: None)
    years = sorted(set(years or [year]) | {year})
    missing = [y for y in years if y not in panel.years]
    if missing:
        raise M.MethodologyError(f"year(s) {', '.join(map(str, missing))} not in the panel (years: {', '.join(map(str, panel.years))})")
    eng = M.Engine(engine)
    unit = panel.unit(measure)
    res = MapResult(panel=panel, measure=measure, unit=unit, year=year, years=years,
                    methodologies=[], flags=pd.DataFrame(), notes=list(panel.notes))
    # indicators on all activities
    say("indicators")
    cells, nat = M.prepare_cells(panel, measure, years=years, base="all")
    lq = eng.lq(cells, nat)
    lqdf = eng.frame(lq)
    grp_cells, grp_nat = M.prepare_cells(panel, measure, years=years, base="group")
    if panel.sector_groups:
        lqg = eng.frame(eng.lq(grp_cells, grp_nat))[["region", "sector", "year", "lq"]].rename(columns={"lq": "lq_group_base"})
        lqdf = lqdf.merge(lqg, on=["region", "sector", "year"], how="left")
    res.tables["lq"] = lqdf.rename(columns={"x": "value", "grp": "group"}).assign(unit=unit).sort_values(["year", "region", "sector"]).reset_index(drop=True)
    res.tables["specialisation"] = eng.call("specialisation", lq).sort_values(["year", "region"]).reset_index(drop=True)
    res.tables["concentration"] = eng.call("concentration", lq).sort_values(["year", "sector"]).reset_index(drop=True)
    if len(years) > 1:
        y0, y1 = years[0], years[-1]
        ch = eng.call("changes", lq, y0, y1)
        ch["crosses_break"] = M.crosses_break(panel, ch["region"], y0, y1)
        res.tables["changes"] = ch.sort_values(["region", "sector"]).reset_index(drop=True)
        ss = eng.call("shift_share", lq, y0, y1)
        ss["crosses_break"] = M.crosses_break(panel, ss["region"], y0, y1)
        res.tables["shift_share"] = ss.sort_values(["region", "sector"]).reset_index(drop=True)
        nb = int(ch["crosses_break"].sum())
        if nb:
            res.notes.append(f"{nb} region × sector changes {y0}–{y1} cross a territorial break (column crosses_break)")
    # methodologies
    flags, strength, thresholds = [], [], []
    skipped: dict[str, list[int]] = {}
    for spec in methodologies:
        for y in years:
            m = M.make(spec, engine=engine, stability=stability if y == year else 0, perturbation=perturbation)
            say(f"{spec} {y}")
            kw = {"count_measure": count_measure} if isinstance(m, M.ClusterMapping) else {}
            try:
                f = m.run(panel, measure=measure, year=y, start_year=start_year if y == year else None, **kw)
            except M.MethodologyError as exc:
                if y == year:
                    raise
                skipped.setdefault(spec, []).append(y)
                continue
            flags.append(f)
            if isinstance(m, M.ClusterMapping):
                strength.append(m.strength_)
                if y == year:
                    thresholds.append(m.thresholds_table_.assign(methodology=m.label))
        res.methodologies.append(M.make(spec).label)
    for spec, ys in skipped.items():
        res.notes.append(f"{spec} not run for {', '.join(map(str, ys))}: the growth window starts before the panel")
    res.flags = pd.concat(flags, ignore_index=True) if flags else pd.DataFrame()
    if strength:
        res.tables["strength"] = pd.concat(strength, ignore_index=True)
    if thresholds:
        res.tables["thresholds"] = pd.concat(thresholds, ignore_index=True)
    # side by side in the main year
    cur = res.flags[res.flags["year"] == year] if len(res.flags) else res.flags
    if len(cur):
        side = res.tables["lq"][res.tables["lq"]["year"] == year][["region", "sector", "value", "lq"]]
        for mid, g in cur.groupby("methodology", sort=False):
            col = _main_flag(mid)
            if col in g:
                side = side.merge(g[["region", "sector", col]].rename(columns={col: f"{mid}:{col}"}), on=["region", "sector"], how="left")
                st = col + "_stability"
                if st in g:
                    side = side.merge(g[["region", "sector", st]].rename(columns={st: f"{mid}:{st}"}), on=["region", "sector"], how="left")
        res.tables["comparison"] = side.sort_values(["region", "sector"]).reset_index(drop=True)
    return res


def write_outputs(res: MapResult, out: Path, *, html: bool = True, xlsx: bool = True) -> list[Path]:
    """Write ``flags.csv``, ``<table>.csv``, ``indicators.xlsx`` and ``report.html`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    p = out / "flags.csv"
    res.flags.to_csv(p, index=False)
    written.append(p)
    for name, t in res.tables.items():
        q = out / f"{name}.csv"
        t.to_csv(q, index=False)
        written.append(q)
    if xlsx:
        q = out / "indicators.xlsx"
        with pd.ExcelWriter(q, engine="openpyxl") as xw:
            for name, t in [("flags", res.flags), *res.tables.items()]:
                t2 = t.copy()
                for c in t2.columns:
                    if str(t2[c].dtype) == "boolean":
                        t2[c] = t2[c].astype(object)
                t2.head(1_000_000).to_excel(xw, sheet_name=name[:31], index=False)
        written.append(q)
    if html:
        from klaster.observatory.report import render_html

        q = out / "report.html"
        q.write_text(render_html(res), encoding="utf-8")
        written.append(q)
    return written
