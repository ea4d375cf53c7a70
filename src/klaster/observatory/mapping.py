"""Cluster mapping run end to end: several methodologies and the indicators on one panel.

:func:`run_map` computes everything ``klaster observatory map`` writes; :func:`write_outputs`
writes the tables (Parquet, CSV, XLSX on request) and the HTML report.

On the local engine the cell-level tables (flags, location quotients, changes, shift-share,
the side-by-side comparison, relatedness) are produced year by year when they are written or
read, never all at once: ``write_outputs`` streams them into the files, so a panel of tens of
millions of cells is written with the memory of one year. ``MapResult.flags`` and
``MapResult.tables[name]`` build the whole pandas table on first use (the API for moderate
panels, e.g. the web app's).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from klaster.observatory import grid
from klaster.observatory import methodology as M
from klaster.observatory.outputs import OutputError, check_formats, check_xlsx_fits
from klaster.observatory.panel import Panel
from klaster.observatory.progress import Progress, as_progress

#: Tables ``run_map`` can produce (``tables=`` selects among them; ``flags`` is always there when
#: a methodology runs).
TABLES = ("flags", "lq", "specialisation", "concentration", "changes", "shift_share", "strength", "thresholds",
          "comparison", "complexity", "product_complexity", "relatedness")
_TEXT = {"methodology", "version", "region", "sector", "group", "unit", "conditions_omitted"}
_INT = {"year", "start_year", "stars", "regions", "sectors", "n_strong", "diversity", "ubiquity", "mcp"}
_BOOL = {"strong", "strong10", "significant", "qualifying", "size", "specialisation", "focus", "productivity_star",
         "growth_star", "specialised", "growing_cluster", "regional_advantage", "flagged", "crosses_break"}


# ------------------------------------------------------------------------------------------
# Lazy tables
# ------------------------------------------------------------------------------------------


@dataclass
class Block:
    """Rows of one year of a cell-level table on the panel's grid.

    ``rows`` is the (regions × sectors) mask of the cells; ``cols`` maps column names to
    (R × S), (R,), (S,) arrays or scalars (int8 flags: 1, 0, −1 = NA).
    """

    panel: Panel
    rows: np.ndarray
    year: int
    cols: dict

    def __len__(self) -> int:
        return int(self.rows.sum())

    def _index(self):
        """Flat positions of the rows (None when every cell is a row: columns are then views)."""
        if getattr(self, "_idx", False) is False:
            self._idx = None if self.rows.all() else np.flatnonzero(self.rows)
        return self._idx

    def _column(self, name, v, ri, si):
        R, S = self.rows.shape
        v = np.asarray(v) if not isinstance(v, str) else v
        n = len(ri) if ri is not None else R * S
        if isinstance(v, str):
            return np.full(n, v, dtype=object)
        if v.ndim == 0:
            return np.full(n, v.item())
        if v.ndim == 2:
            idx = self._index()
            flat = np.ascontiguousarray(v).reshape(-1)
            return flat if idx is None else flat[idx]
        if v.shape == (S,) and (v.shape != (R,) or name not in ("crosses_break",)):
            return v[si]
        return v[ri]

    def _ri_si(self):
        idx = self._index()
        R, S = self.rows.shape
        if idx is None:
            idx = np.arange(R * S)
        return idx // S, idx % S

    def arrays(self) -> dict[str, np.ndarray]:
        """The columns gathered for the rows (region, sector, year first)."""
        ri, si = self._ri_si()
        out = {"region": self.panel.region_codes[ri], "sector": self.panel.sector_codes[si],
               "year": np.full(len(ri), int(self.year), dtype=np.int64)}
        for k, v in self.cols.items():
            out[k] = self._column(k, v, ri, si)
        return out

    def to_pandas(self) -> pd.DataFrame:
        d = {}
        for k, v in self.arrays().items():
            if isinstance(v, np.ndarray) and v.dtype == np.int8:
                d[k] = pd.arrays.BooleanArray(v == 1, v == grid.NA)
            elif k == "stars":
                d[k] = pd.array(np.where(v == grid.NA, None, v), dtype="Int64")
            else:
                d[k] = v
        return pd.DataFrame(d)

    def to_arrow(self):
        """The rows as an Arrow table: codes and text columns dictionary-encoded (no per-row strings).

        For a block covering the whole grid the region and sector index arrays and the constant
        columns are shared between the years (:func:`_dense_indices`, :func:`_zeros`): a year's
        table then holds little more than its own numbers.
        """
        import pyarrow as pa

        R, S = self.rows.shape
        if self._index() is None:
            ri_a, si_a = _dense_indices(R, S)
            n = R * S
            ri = si = None
        else:
            ri, si = self._ri_si()
            n = len(ri)
            ri_a, si_a = pa.array(ri.astype(np.int32)), pa.array(si.astype(np.int32))
        out = {}
        out["region"] = pa.DictionaryArray.from_arrays(ri_a, pa.array(self.panel.region_codes.astype(str)))
        out["sector"] = pa.DictionaryArray.from_arrays(si_a, pa.array(self.panel.sector_codes.astype(str)))
        out["year"] = _constant_int(n, int(self.year))
        for k, v in self.cols.items():
            if isinstance(v, str):
                out[k] = pa.DictionaryArray.from_arrays(_zeros(n), pa.array([v]))
                continue
            v = np.asarray(v)
            if v.dtype == object:  # text per region or per sector: a dictionary of its distinct values
                uniq, inv = np.unique(v.astype(str), return_inverse=True)
                if len(uniq) == 1:
                    out[k] = pa.DictionaryArray.from_arrays(_zeros(n), pa.array(uniq))
                    continue
                idx = inv.reshape(v.shape)
                if ri is None:
                    ri, si = self._ri_si()
                a = self._column(k, idx, ri, si)
                out[k] = pa.DictionaryArray.from_arrays(pa.array(np.asarray(a, dtype=np.int32)), pa.array(uniq))
                continue
            if v.ndim == 0:
                out[k] = _constant_int(n, int(v)) if np.issubdtype(v.dtype, np.integer) else pa.array(np.full(n, v.item()))
                continue
            if v.ndim == 1 and ri is None:
                ri, si = self._ri_si()
            a = self._column(k, v, ri, si)
            if a.dtype == np.int8:
                out[k] = pa.array(a == 1, mask=a == grid.NA)
            elif k == "stars":
                out[k] = pa.array(a.astype(np.int64), mask=a == grid.NA)
            else:
                out[k] = pa.array(a)
        return pa.table(out)


def arrow_chunks(part, rows: int = 1 << 20):
    """A part (Block or DataFrame) as Arrow tables of at most ``rows`` rows (a Block's numbers are
    sliced before conversion, so a chunk holds only its own rows)."""
    import pyarrow as pa

    if isinstance(part, Block):
        t = part.to_arrow()
        for off in range(0, max(t.num_rows, 1), rows):
            yield t.slice(off, rows)
        return
    yield pa.Table.from_pandas(part, preserve_index=False)


@lru_cache(maxsize=2)
def _dense_indices(R: int, S: int):
    """Region and sector indices of a whole R × S grid in row order (shared by every year)."""
    import pyarrow as pa

    return pa.array(np.repeat(np.arange(R, dtype=np.int32), S)), pa.array(np.tile(np.arange(S, dtype=np.int32), R))


@lru_cache(maxsize=2)
def _zeros(n: int):
    import pyarrow as pa

    return pa.array(np.zeros(n, dtype=np.int32))


def _constant_int(n: int, value: int):
    import pyarrow as pa

    return pa.array(np.full(n, value, dtype=np.int32))


class Table:
    """A table made of parts: DataFrames, or functions that compute one part (a DataFrame or a
    :class:`Block`) when the table is written or read."""

    def __init__(self, name: str, parts: Sequence | None = None, columns: Sequence[str] | None = None,
                 sort: Sequence[str] | None = None, years: Sequence[int | None] | None = None):
        self.name = name
        self.parts: list = list(parts or [])
        self.years: list = list(years) if years is not None else [None] * len(self.parts)
        self.columns = list(columns) if columns is not None else None
        self.sort = list(sort) if sort else None
        self._frame: pd.DataFrame | None = None

    def add(self, part, year: int | None = None) -> None:
        """Add a part (a DataFrame, or a function computing one part); ``year`` when the part is
        one year's rows (lets one year be read without computing the others)."""
        self.parts.append(part)
        self.years.append(year)
        self._frame = None

    def iter_parts(self, year: int | None = None) -> Iterator:
        """The parts (computed as needed); with ``year``, only the parts that can hold that year."""
        for p, y in zip(self.parts, self.years):
            if year is not None and y is not None and y != year:
                continue
            yield p() if callable(p) else p

    def year_frame(self, year: int) -> pd.DataFrame:
        """The rows of one year (computing only that year's parts)."""
        if self._frame is not None:
            f = self._frame
            return f[f["year"] == year].reset_index(drop=True) if "year" in f else f
        frames = []
        for part in self.iter_parts(year):
            df = part.to_pandas() if isinstance(part, Block) else part
            frames.append(df[df["year"] == year] if "year" in df else df)
        frames = [f for f in frames if len(f)] or frames[:1]
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=self.columns or [])
        if self.sort and len(df):
            df = df.sort_values(self.sort, kind="stable").reset_index(drop=True)
        return df

    def frame(self) -> pd.DataFrame:
        """The whole table as one pandas DataFrame (computed once, then kept)."""
        if self._frame is None:
            frames = [p.to_pandas() if isinstance(p, Block) else p for p in self.iter_parts()]
            frames = [f for f in frames if len(f)] or frames[:1]
            df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=self.columns or [])
            if self.columns is not None:
                df = df.reindex(columns=list(self.columns) + [c for c in df.columns if c not in self.columns])
            if self.sort and len(df):
                df = df.sort_values(self.sort, kind="stable").reset_index(drop=True)
            self._frame = df
        return self._frame

    def count(self) -> int:
        """Rows (computing the parts, without keeping them)."""
        if self._frame is not None:
            return len(self._frame)
        return sum(len(p) for p in self.iter_parts())

    @property
    def lazy(self) -> bool:
        return self._frame is None and any(callable(p) for p in self.parts)


class Tables(Mapping):
    """``name → DataFrame`` view of a run's tables (each built on first access)."""

    def __init__(self, tables: dict[str, Table]):
        self._t = tables

    def __getitem__(self, name):
        return self._t[name].frame()

    def __iter__(self):
        return iter(self._t)

    def __len__(self):
        return len(self._t)

    def __setitem__(self, name, df):
        self._t[name] = Table(name, [df])

    def table(self, name) -> Table:
        return self._t[name]


@dataclass
class MapResult:
    """Everything one mapping run produced (all tables are long tables with named columns).

    Attributes
    ----------
    flags : DataFrame (property)
        One row per methodology × region × sector × year.
    tables : mapping name → DataFrame
        ``lq``, ``specialisation``, ``concentration``, ``changes``, ``shift_share``, ``strength``,
        ``comparison``, ``thresholds``, ``complexity``, ``product_complexity``, ``relatedness``
        (those computed).
    """

    panel: Panel
    measure: str
    unit: str
    year: int
    years: list[int]
    methodologies: list[str]
    engine: str = "local"
    notes: list[str] = field(default_factory=list)
    _tables: dict[str, Table] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    _jobs: list = field(default_factory=list)

    @property
    def tables(self) -> Tables:
        return Tables({k: v for k, v in self._tables.items() if k != "flags"})

    @property
    def flags(self) -> pd.DataFrame:
        t = self._tables.get("flags")
        return t.frame() if t is not None else pd.DataFrame()

    def table(self, name: str) -> Table:
        return self._tables[name]

    def main_year(self, name: str) -> pd.DataFrame:
        """The rows of the main year of table ``name`` (``flags`` or a table; computes only that year)."""
        if name not in self._tables:
            raise KeyError(name)
        return self._tables[name].year_frame(self.year)

    def flag_counts(self, year: int | None = None) -> dict[str, dict[str, int]]:
        """Cells and flagged cells per methodology and flag column in ``year`` (default the main year)."""
        c = self.counts()
        y = self.year if year is None else year
        out: dict[str, dict[str, int]] = {}
        for r in c[c["year"] == y].itertuples(index=False):
            out.setdefault(r.methodology, {"cells": int(r.cells)})[r.flag] = int(r.count)
        return out

    def counts(self) -> pd.DataFrame:
        """``methodology, year, flag, cells, count``: flagged cells per methodology, year and flag
        (``stars``: cells with at least one star); from the computed years (a lazy year is computed)."""
        rows = []
        t = self._tables.get("flags")
        if t is None:
            return pd.DataFrame(columns=["methodology", "year", "flag", "cells", "count"])
        for part, y in zip(t.parts, t.years):
            if isinstance(part, _Job):
                for flag, (cells, n) in part.extra("counts").items():
                    rows.append((part.methodology, y, flag, cells, n))
                continue
            df = part() if callable(part) else part
            for (m, yy), g in df.groupby(["methodology", "year"], sort=False):
                for col in g.columns:
                    if col in _BOOL and col != "crosses_break" and g[col].notna().any():
                        rows.append((m, int(yy), col, len(g), int(g[col].fillna(False).astype(bool).sum())))
                    elif col == "stars":
                        rows.append((m, int(yy), col, len(g), int((g[col].fillna(0) > 0).sum())))
        return pd.DataFrame(rows, columns=["methodology", "year", "flag", "cells", "count"])


def _main_flag(mid: str) -> str:
    return {"cmp": "strong", "eco": "stars", "kz-bn": "flagged"}.get(mid, "")


# ------------------------------------------------------------------------------------------
# The run
# ------------------------------------------------------------------------------------------


def run_map(panel: Panel, *, methodologies: Sequence[str], measure: str, year: int,
            years: Sequence[int] | None = None, start_year: int | None = None, engine="local",
            stability: int = 0, perturbation: float = 0.1, count_measure: str | None = "auto",
            tables: Sequence[str] | None = None, lq_base: str | None = None, complexity: bool = True,
            progress: Callable[[str], None] | Progress | None = None) -> MapResult:
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
    engine : str, Engine or Ibis backend
        ``local`` (default), ``duckdb``, ``spark``, ``pandas`` or an Ibis backend
        (:mod:`klaster.observatory.engines`).
    tables : sequence of str, optional
        The tables to compute (default all of :data:`TABLES`); ``flags`` is computed whenever
        methodologies are given.
    lq_base : {"group", "all"}, optional
        Override the methodologies' LQ base (a stated deviation, in the notes).
    complexity : bool
        Compute the economic-complexity tables (:mod:`klaster.observatory.complexity`).
    progress : Progress or callable, optional
        Receives the stages and counts (:mod:`klaster.observatory.progress`).

    Returns
    -------
    MapResult
        ``flags`` (one row per methodology × region × sector × year) and ``tables``:
        ``lq``, ``specialisation``, ``concentration``, ``changes``, ``shift_share``,
        ``strength``, ``comparison`` (methodologies side by side in ``year``), ``thresholds``,
        ``complexity``, ``product_complexity``, ``relatedness``.

    Raises
    ------
    MethodologyError
        Unknown methodology, measure or year; a panel the methodology cannot use (e.g. CMP
        without the traded/local groups).
    """
    prog = as_progress(progress)
    years = sorted(set(int(y) for y in (years or [year])) | {int(year)})
    missing = [y for y in years if y not in panel.years]
    if missing:
        raise M.MethodologyError(f"year(s) {', '.join(map(str, missing))} not in the panel (years: {', '.join(map(str, panel.years))})")
    if measure not in panel.measures:
        raise M.MethodologyError(f"measure {measure!r} is not in the panel (measures: {', '.join(panel.measures)})")
    want = set(TABLES if tables is None else tables) | {"flags"}
    unknown = want - set(TABLES)
    if unknown:
        raise M.MethodologyError(f"unknown table(s) {', '.join(sorted(unknown))} (tables: {', '.join(TABLES)})")
    eng = engine if isinstance(engine, M.Engine) else M.Engine(engine)
    unit = panel.unit(measure)
    res = MapResult(panel=panel, measure=measure, unit=unit, year=int(year), years=years, methodologies=[],
                    engine=eng.backend, notes=list(panel.notes))
    # methodologies first: a panel they cannot use is refused before any work
    ms = []
    for spec in methodologies:
        m = M.make(spec, engine=eng, stability=stability, perturbation=perturbation, lq_base=lq_base)
        kw = {"count_measure": count_measure} if isinstance(m, M.ClusterMapping) else {}
        if isinstance(m, M.ClusterMapping):
            m._count = count_measure
        m.prepare(panel, measure=measure, year=year, start_year=start_year)
        for n in m.notes_:
            if n not in res.notes:
                res.notes.append(n)
        ms.append((spec, m, kw))
        res.methodologies.append(m.label)
    t0 = time.monotonic()
    if eng.kind == "local":
        _local_indicators(res, panel, measure, years, want, prog)
    else:
        _engine_indicators(res, panel, measure, years, want, eng, prog)
    res.timings["indicators"] = time.monotonic() - t0
    t0 = time.monotonic()
    _methodologies(res, panel, ms, measure, year, years, start_year, stability, eng, prog)
    res.timings["methodologies"] = time.monotonic() - t0
    if complexity and want & {"complexity", "product_complexity", "relatedness"}:
        from klaster.observatory import complexity as cx

        t0 = time.monotonic()
        prog.stage("economic complexity", len(years), "years")
        parts = cx.tables_for_panel(panel, measure, years, progress=prog)
        for name, tab in parts.items():
            if name in want:
                res._tables[name] = tab
        res.timings["complexity"] = time.monotonic() - t0
    if "comparison" in want and res._tables.get("flags") is not None and res.methodologies:
        res._tables["comparison"] = Table("comparison", [lambda: _comparison(res)], sort=["region", "sector"], years=[int(year)])
    return res


def _cells_in(panel: Panel, measure: str, years) -> float:
    g = panel.grids[measure]
    if g.lazy and g._status is None:  # a file in grid order: every cell of every year
        return float(len(years) * panel.shape[1] * panel.shape[2])
    return float(sum(np.count_nonzero(g.status[panel.year_index(y)]) for y in years))


def _local_indicators(res: MapResult, panel: Panel, measure: str, years, want, prog: Progress) -> None:
    unit = res.unit
    grp_given = panel.sector_groups is not None and set(panel.sector_groups.values()) != {"all"}
    spec_rows, conc_rows = [], []
    if want & {"specialisation", "concentration"}:
        prog.stage("indicators (specialisation, concentration)", _cells_in(panel, measure, years), "cells")
    for y in (years if want & {"specialisation", "concentration"} else []):
        t, present, grp = M.local_lq(panel, measure, y, "all")
        if "specialisation" in want:
            sp = grid.specialisation(t, present)
            keep = present.any(axis=1)
            spec_rows.append(pd.DataFrame({"region": panel.region_codes, "year": y, **sp})[keep])
        if "concentration" in want:
            co = grid.concentration(t, present)
            keep = (present & ~np.isnan(t.x)).any(axis=0)
            conc_rows.append(pd.DataFrame({"sector": panel.sector_codes, "year": y, **co})[keep])
        prog.advance(float(present.sum()), detail=str(y))
    if "lq" in want:
        res._tables["lq"] = Table("lq", [(lambda y=y: _lq_block(panel, measure, y, unit, grp_given)) for y in years],
                                  sort=["year", "region", "sector"], years=years)
    if "specialisation" in want:
        res._tables["specialisation"] = Table("specialisation", [pd.concat(spec_rows, ignore_index=True)], sort=["year", "region"])
    if "concentration" in want:
        res._tables["concentration"] = Table("concentration", [pd.concat(conc_rows, ignore_index=True)], sort=["year", "sector"])
    if len(years) > 1:
        y0, y1 = years[0], years[-1]
        if "changes" in want:
            res._tables["changes"] = Table("changes", [lambda: _pair_block(panel, measure, y0, y1, "changes")], sort=["region", "sector"],
                                           years=[y1])
        if "shift_share" in want:
            res._tables["shift_share"] = Table("shift_share", [lambda: _pair_block(panel, measure, y0, y1, "shift_share")],
                                               sort=["region", "sector"], years=[y1])
        _break_note(res, panel, measure, y0, y1)


def _lq_block(panel: Panel, measure: str, y: int, unit: str, grp_given: bool) -> Block:
    t, present, grp = M.local_lq(panel, measure, y, "all")
    cols = {"group": grp, "value": t.x, "x_region_base": t.x_region_base, "x_region": t.x_region[:, None] * np.ones((1, t.x.shape[1])),
            "x_nat": t.x_nat, "x_nat_base": t.x_nat_base, "lq": t.lq, "share_region": t.share_region,
            "share_nation": t.share_nation, "unit": unit}
    if grp_given:
        tg, _, _ = M.local_lq(panel, measure, y, "group")
        cols["lq_group_base"] = tg.lq
    return Block(panel, present, y, cols)


def _pair_block(panel: Panel, measure: str, y0: int, y1: int, kind: str) -> Block:
    a, p0, grp = M.local_lq(panel, measure, y0, "all")
    b, p1, _ = M.local_lq(panel, measure, y1, "all")
    gp = grid.growth_pair(a, b)
    cols = {"grp": grp, "x0": a.x, "lq0": a.lq, "x_nat0": a.x_nat, "xn0": gp["xn0"], "x1": b.x, "lq1": b.lq,
            "x_nat1": b.x_nat, "xn1": gp["xn1"], "start_year": np.int64(y0)}
    if kind == "changes":
        cols.update(grid.changes(a, b, y1 - y0))
    else:
        cols.update(grid.shift_share(a, b))
    cols["crosses_break"] = M.crosses_break(panel, pd.Series(panel.region_codes), y0, y1)
    return Block(panel, p0 & p1, y1, cols)


def _break_note(res: MapResult, panel: Panel, measure: str, y0: int, y1: int) -> None:
    cb = M.crosses_break(panel, pd.Series(panel.region_codes), y0, y1)
    if cb.any():
        p0 = panel.grids[measure].year_status(panel.year_index(y0)) > 0
        p1 = panel.grids[measure].year_status(panel.year_index(y1)) > 0
        nb = int(((p0 & p1) & cb[:, None]).sum())
        if nb:
            res.notes.append(f"{nb} region × sector changes {y0}–{y1} cross a territorial break (column crosses_break)")


def _engine_indicators(res: MapResult, panel: Panel, measure: str, years, want, eng: M.Engine, prog: Progress) -> None:
    """The indicators through the pandas reference or an Ibis backend (the cells as a pandas table)."""
    unit = res.unit
    prog.stage(f"indicators on {eng.backend}", None)
    cells, nat = M.prepare_cells(panel, measure, years=years, base="all")
    lq = eng.lq(cells, nat)
    lqdf = eng.frame(lq)
    if panel.sector_groups and set(panel.sector_groups.values()) != {"all"}:
        grp_cells, grp_nat = M.prepare_cells(panel, measure, years=years, base="group")
        lqg = eng.frame(eng.lq(grp_cells, grp_nat))[["region", "sector", "year", "lq"]].rename(columns={"lq": "lq_group_base"})
        lqdf = lqdf.merge(lqg, on=["region", "sector", "year"], how="left")
    if "lq" in want:
        res._tables["lq"] = Table("lq", [lqdf.rename(columns={"x": "value", "grp": "group"}).assign(unit=unit)], sort=["year", "region", "sector"])
    if "specialisation" in want:
        res._tables["specialisation"] = Table("specialisation", [eng.call("specialisation", lq)], sort=["year", "region"])
    if "concentration" in want:
        res._tables["concentration"] = Table("concentration", [eng.call("concentration", lq)], sort=["year", "sector"])
    if len(years) > 1:
        y0, y1 = years[0], years[-1]
        for name in ("changes", "shift_share"):
            if name in want:
                df = eng.call(name, lq, y0, y1)
                df["crosses_break"] = M.crosses_break(panel, df["region"], y0, y1)
                res._tables[name] = Table(name, [df], sort=["region", "sector"])
        _break_note(res, panel, measure, y0, y1)


def _methodologies(res: MapResult, panel: Panel, ms, measure: str, year: int, years, start_year, stability: int,
                   eng: M.Engine, prog: Progress) -> None:
    flags = Table("flags", sort=["methodology", "year", "region", "sector"])
    strength = Table("strength", sort=["methodology", "year", "region"])
    thresholds = Table("thresholds")
    skipped: dict[str, list[int]] = {}
    columns = ["methodology", "version", "region", "sector", "year", "group", "value", "unit", "lq"]
    total = _cells_in(panel, measure, years) * max(1, len(ms))
    prog.stage("methodologies: " + ", ".join(res.methodologies), total, "cells")
    for spec, proto, kw in ms:
        for y in years:
            m = M.make(spec, engine=eng, stability=stability if y == year else 0, perturbation=proto.perturbation,
                       lq_base=proto.lq_base)
            if isinstance(m, M.ClusterMapping):
                m._count = kw.get("count_measure", "auto")
            try:
                start, _ = m.prepare(panel, measure=measure, year=y, start_year=start_year if y == year else None)
            except M.MethodologyError:
                if y == year:
                    raise
                skipped.setdefault(spec, []).append(y)
                continue
            if start is not None and "start_year" not in columns:
                columns.insert(columns.index("year") + 1, "start_year")
            for c in m.out_columns():
                if c not in columns:
                    columns.append(c)
            if start is not None and "crosses_break" not in columns:
                columns.append("crosses_break")
            if eng.kind == "local" and not m.stability:
                job = _Job(lambda m=m, y=y, start=start: _flag_block(panel, m, measure, y, start), m.spec_["id"])
                flags.add(job, y)
                res._jobs.append((m.spec_["id"], y, job))
                if isinstance(m, M.ClusterMapping):
                    strength.add(lambda job=job: job.extra("strength"), y)
                    if y == year:
                        thresholds.add(lambda job=job, label=m.label: job.extra("thresholds").assign(methodology=label), y)
            else:
                f = m.run(panel, measure=measure, year=y, start_year=start_year if y == year else None, **kw)
                flags.add(f, y)
                if isinstance(m, M.ClusterMapping):
                    strength.add(m.strength_, y)
                    if y == year:
                        thresholds.add(m.thresholds_table_.assign(methodology=m.label), y)
            prog.advance(_cells_in(panel, measure, [y]), detail=f"{m.label} {y}")
    for c in ("crosses_break", "conditions_omitted"):
        if c in columns:
            columns.remove(c)
            columns.append(c)
    for spec, ys in skipped.items():
        res.notes.append(f"{spec} not run for {', '.join(map(str, ys))}: the growth window starts before the panel")
    if ms:
        flags.columns = columns
        res._tables["flags"] = flags
        if strength.parts:
            res._tables["strength"] = strength
        if thresholds.parts:
            res._tables["thresholds"] = thresholds


class _Job:
    """Computes one methodology-year on the local engine when its flags are written or read, and
    keeps the small by-products (CMP strength and percentiles) for the tables that need them."""

    def __init__(self, fn, methodology: str = ""):
        self.fn = fn
        self.methodology = methodology
        self.extras = None

    def __call__(self) -> Block:
        block, self.extras = self.fn()
        return block

    def extra(self, key: str):
        if self.extras is None:
            self()
        return self.extras[key]


def _flag_block(panel: Panel, m: M.Methodology, measure: str, y: int, start) -> tuple[Block, dict]:
    rows, cols, extras = m.local_block(panel, measure, y, start)
    base = {"methodology": m.spec_["id"], "version": str(m.spec_["version"])}
    ordered = {**base}
    if "start_year" in cols:
        ordered["start_year"] = cols["start_year"]
    ordered.update({"group": cols["group"], "value": cols["value"], "unit": panel.unit(measure), "lq": cols["lq"]})
    for k, v in cols.items():
        if k not in ordered:
            ordered[k] = v
    counts = {}
    for k, v in cols.items():
        if k in _BOOL and k != "crosses_break":
            a = np.asarray(v)
            a = a[rows] if a.ndim == 2 else a
            if (a != grid.NA).any():
                counts[k] = (int(rows.sum()), int((a == 1).sum()))
        elif k == "stars":
            a = np.asarray(v)[rows]
            counts[k] = (int(rows.sum()), int((a > 0).sum()))
    extras = {**extras, "counts": counts}
    return Block(panel, rows, y, ordered), extras


def _comparison(res: MapResult) -> pd.DataFrame:
    """The methodologies' main flags side by side in the main year (with stability where computed)."""
    y = res.year
    cur = res._tables["flags"].year_frame(y)
    lq = None
    if "lq" in res._tables:
        lq = res._tables["lq"].year_frame(y)[["region", "sector", "value", "lq"]]
    if lq is None:
        t, present, _ = M.local_lq(res.panel, res.measure, y, "all")
        lq = Block(res.panel, present, y, {"value": t.x, "lq": t.lq}).to_pandas()[["region", "sector", "value", "lq"]]
    side = lq
    for mid, g in cur.groupby("methodology", sort=False):
        col = _main_flag(mid)
        if col in g:
            side = side.merge(g[["region", "sector", col]].rename(columns={col: f"{mid}:{col}"}), on=["region", "sector"], how="left")
            st = col + "_stability"
            if st in g and g[st].notna().any():
                side = side.merge(g[["region", "sector", st]].rename(columns={st: f"{mid}:{st}"}), on=["region", "sector"], how="left")
    return side


# ------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------


def _arrow_type(name: str, sample=None):
    """The Parquet type of a column: by name for the known ones, else as in the first part."""
    import pyarrow as pa

    if name in _TEXT or name == "grp":
        return pa.dictionary(pa.int32(), pa.string())
    if name in ("year", "start_year"):
        return pa.int32()
    if name in _INT:
        return pa.int64()
    if name in _BOOL:
        return pa.bool_()
    if sample is not None:
        if pa.types.is_string(sample) or pa.types.is_large_string(sample) or pa.types.is_dictionary(sample):
            return pa.dictionary(pa.int32(), pa.string())
        if pa.types.is_boolean(sample):
            return pa.bool_()
        if pa.types.is_integer(sample):
            return pa.int64()
        if pa.types.is_null(sample):
            return pa.float64()
    return pa.float64()


def _schema(table: Table, first):
    import pyarrow as pa

    cols = table.columns or list(first.column_names)
    seen = list(cols) + [c for c in first.column_names if c not in cols]
    types = {f.name: f.type for f in first.schema}
    return pa.schema([pa.field(c, _arrow_type(c, types.get(c))) for c in seen])


def _to_arrow(part, schema):
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(part, Block):
        t = part.to_arrow()
    else:
        df = part.copy()
        for c in df.columns:
            if str(df[c].dtype) == "category":
                df[c] = df[c].astype(object)
        t = pa.Table.from_pandas(df, preserve_index=False)
    n = t.num_rows
    arrays = []
    for f in schema:
        if f.name in t.column_names:
            a = t.column(f.name)
            if a.type != f.type:
                if pa.types.is_dictionary(f.type):
                    a = pc.cast(a, pa.string()) if not pa.types.is_string(a.type) and not pa.types.is_dictionary(a.type) else a
                    if pa.types.is_dictionary(a.type):
                        a = a.cast(pa.dictionary(pa.int32(), pa.string()))
                    else:
                        a = pc.dictionary_encode(a).cast(f.type)
                else:
                    a = a.cast(f.type)
            arrays.append(a)
        else:
            arrays.append(pa.nulls(n, f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _write_parquet(table: Table, path: Path, prog: Progress) -> int:
    """Write the table's parts into one Parquet file; the next part is computed while the
    previous one is written (a writer thread: numpy and Arrow release the GIL)."""
    import queue
    import threading

    import pyarrow as pa
    import pyarrow.parquet as pq

    state = {"writer": None, "error": None, "rows": 0}
    q: queue.Queue = queue.Queue(maxsize=1)

    def work():
        try:
            while True:
                item = q.get()
                if item is None:
                    return
                state["writer"].write_table(item)
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller
            state["error"] = e
            while q.get() is not None:
                pass

    thread = None
    try:
        for part in table.iter_parts():
            if state["error"] is not None:
                break
            if state["writer"] is None:
                sample = part.to_arrow() if isinstance(part, Block) else pa.Table.from_pandas(part.head(0), preserve_index=False)
                schema = _schema(table, sample)
                # dictionary pages for the text columns only (trying them on millions of distinct
                # floats costs more than the whole rest of the write)
                text = [f.name for f in schema if pa.types.is_dictionary(f.type)]
                # statistics only where a reader filters (year): on text columns they cost as much as the data
                stats = [c for c in ("year", "start_year") if c in schema.names]
                state["writer"] = pq.ParquetWriter(path, schema, compression="snappy", use_dictionary=text, write_statistics=stats)
                thread = threading.Thread(target=work, name="klaster-parquet-writer", daemon=True)
                thread.start()
            t = _to_arrow(part, state["writer"].schema)
            if t.num_rows:
                q.put(t)
            state["rows"] += t.num_rows
            prog.advance(t.num_rows)
    finally:
        if thread is not None:
            q.put(None)
            thread.join()
        if state["writer"] is not None:
            state["writer"].close()
    if state["error"] is not None:
        raise state["error"]
    if state["writer"] is None:  # no parts: an empty file with the declared columns
        pq.write_table(pa.table({c: pa.array([], _arrow_type(c)) for c in (table.columns or [])}), path)
    return state["rows"]


def _write_csv(table: Table, path: Path, prog: Progress) -> int:
    rows = 0
    header = True
    cols = None
    with path.open("w", encoding="utf-8", newline="") as fh:
        for part in table.iter_parts():
            df = part.to_pandas() if isinstance(part, Block) else part
            if cols is None:
                cols = (table.columns or []) + [c for c in df.columns if c not in (table.columns or [])]
                cols = [c for c in cols if c in df.columns or c in (table.columns or [])]
            df = df.reindex(columns=cols)
            df.to_csv(fh, index=False, header=header)
            header = False
            rows += len(df)
            prog.advance(len(df))
        if cols is None and table.columns:
            fh.write(",".join(table.columns) + "\n")
    return rows


def write_outputs(res: MapResult, out: Path, *, html: bool = True, xlsx: bool | None = None,
                  formats: Sequence[str] = ("csv", "xlsx"), progress: Progress | None = None) -> list[Path]:
    """Write the run's tables and report into ``out``.

    Parameters
    ----------
    formats : sequence of {"parquet", "csv", "xlsx"}
        ``parquet`` / ``csv``: one file per table (``flags.parquet``, ``lq.csv``, …), written
        part by part (the cell-level tables of the local engine year by year); ``xlsx``: one
        workbook ``indicators.xlsx`` with a sheet per table, refused before anything is written
        when a table exceeds Excel's 1,048,576 rows. The default (CSV and XLSX) is the
        library's historical output; ``klaster observatory map`` writes Parquet unless told
        otherwise.
    xlsx : bool, optional
        ``False`` drops ``xlsx`` from ``formats`` (the old switch).
    html : bool
        Write ``report.html``.

    Returns
    -------
    list of Path

    Raises
    ------
    OutputError
        Unknown format; a table too big for XLSX (nothing written).
    """
    prog = as_progress(progress)
    fm = check_formats(formats)
    if xlsx is False and "xlsx" in fm:
        fm.remove("xlsx")
    if xlsx is True and "xlsx" not in fm:
        fm.append("xlsx")
    out = Path(out)
    all_tables = {"flags": res._tables["flags"]} if "flags" in res._tables else {}
    all_tables.update({k: v for k, v in res._tables.items() if k != "flags"})
    if "xlsx" in fm:
        # every table must fit on a sheet: counted before anything is written
        prog.stage("checking the tables against Excel's limits", len(all_tables), "tables")
        sizes = {}
        for name, t in all_tables.items():
            sizes[name] = t.count()
            prog.advance(1)
        from klaster.observatory import outputs

        too = {k: n for k, n in sizes.items() if n + 1 > outputs.EXCEL_MAX_ROWS}
        if too:
            name, n = next(iter(too.items()))
            raise OutputError(f"indicators.xlsx: table {name!r} has {n:,} rows; an Excel sheet holds at most "
                              f"{outputs.EXCEL_MAX_ROWS - 1:,} data rows "
                              "(Excel's limit) — write it as Parquet or CSV (--format parquet, --format csv), or map fewer "
                              "years, regions or sectors")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in [f for f in fm if f != "xlsx"]:
        for name, t in all_tables.items():
            q = out / f"{name}.{fmt}"
            prog.stage(f"writing {q.name}", None if t.lazy else len(t.frame()), "rows")
            if fmt == "parquet":
                _write_parquet(t, q, prog)
            else:
                _write_csv(t, q, prog)
            written.append(q)
    if "xlsx" in fm:
        from klaster.observatory.outputs import write_xlsx

        q = out / "indicators.xlsx"
        prog.stage(f"writing {q.name}", len(all_tables), "sheets")
        frames = {}
        for name, t in all_tables.items():
            frames[name] = t.frame()
        check_xlsx_fits(frames, where=str(q))
        write_xlsx(q, frames)
        written.append(q)
    if html:
        from klaster.observatory.report import render_html

        q = out / "report.html"
        prog.stage("writing report.html")
        q.write_text(render_html(res), encoding="utf-8")
        written.append(q)
    prog.done()
    return written
