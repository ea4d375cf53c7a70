"""Panels that stay in the backend: ``klaster observatory map --engine duckdb|spark --panel FILE``.

When the data outgrow one machine the panel file is read by the backend itself (DuckDB, or the
Spark executors from ``hdfs://``, ``s3a://`` or a local path), checked there with aggregate
queries, and every cell-level table is written by the backend (``con.to_parquet``: one file on
DuckDB, a directory of part files on Spark). Only small results travel to Python: region and
national totals, per-year percentiles, the region- and sector-level indicators.

Checks (the rules of :mod:`klaster.observatory.panel`; an error is a :class:`PanelError` naming
the file, the column, the rule and the offending cell's key — a distributed file has no row
numbers): codes not empty; years whole numbers in 1900–2100 (``2020.5`` and dates refused);
values numbers written with a point (a comma is ambiguous and refused; blank cells and the
suppression markers are missing cells), not negative, finite; a sector in one group; a cell
once. Units as in a file read locally: ``measure [unit]`` headers, known measure names,
``--unit``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from klaster.observatory.panel import SUPPRESSION_MARKERS, UNIT_ALIASES, UNITS, YEAR_MAX, YEAR_MIN, PanelError, _layout

_BLANKS = ("", "nan", "NaN", "NA", "None")


@dataclass
class ScanPanel:
    """A checked panel held by an Ibis backend.

    Attributes
    ----------
    con : Ibis backend
    table : Ibis table
        ``region, sector, year, grp`` and one float column per measure (NULL = missing).
    file : str
    units : dict measure → unit
    has_groups : bool
        The file gives each sector's group (``group`` or ``traded``).
    years : list of int
    regions, sectors, cells : int
    notes : list of str
    """

    con: object
    table: object
    file: str
    units: dict
    has_groups: bool
    years: list
    regions: int
    sectors: int
    cells: int
    notes: list = field(default_factory=list)

    @property
    def measures(self) -> list[str]:
        return sorted(self.units)

    def unit(self, measure: str) -> str:
        return self.units[measure]


def _read(con, path: str):
    p = str(path)
    suffix = Path(p.rstrip("/")).suffix.lower()
    name = getattr(con, "name", "")
    try:
        if suffix == ".parquet" or (suffix == "" and name == "pyspark"):
            return con.read_parquet(p)
        if suffix in (".csv", ".txt"):
            if name == "duckdb":
                return con.read_csv(p, all_varchar=True, header=True)
            if name == "pyspark":
                return con.read_csv(p, inferSchema=False, header=True)
            return con.read_csv(p)
    except Exception as e:  # noqa: BLE001 - the backend's reader errors
        msg = str(e).strip().splitlines()[0] if str(e).strip() else e.__class__.__name__
        raise PanelError(f"cannot be read by the {name} engine: {msg}", file=Path(p).name) from None
    raise PanelError(f"unsupported file type {suffix!r} for the {name} engine (use .parquet or .csv)", file=Path(p).name)


def _first(t, cond, cols):
    """The key columns of the first row where ``cond`` holds, or None."""
    df = t.filter(cond).select(*cols).limit(1).execute()
    return None if df.empty else df.iloc[0].to_dict()


def _where(row: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in row.items())


def scan_panel(eng, path: str, *, units: dict | None = None) -> ScanPanel:
    """Read and check a panel file in the backend of ``eng`` (see the module docstring).

    Raises
    ------
    PanelError
        Unreadable file, missing columns, or a value that breaks a rule (naming the cell).
    """
    import ibis

    con = eng.con
    file = Path(str(path).rstrip("/")).name
    raw = _read(con, path)
    lay = _layout(list(raw.columns), file)
    roles = lay["roles"]
    units = dict(units or {})
    keys = {r: raw[roles[r]] for r in ("region", "sector", "year")}

    def text(c):
        return c.cast("string").strip() if not c.type().is_string() else c.strip()

    region, sector = text(keys["region"]), text(keys["sector"])
    ycol = keys["year"]
    if ycol.type().is_string():
        yt = ycol.strip()
        year_ok = yt.re_search(r"^[0-9]{4}(\.0+)?$")
        year = ibis.ifelse(year_ok, yt.re_extract(r"^([0-9]{4})", 1).cast("int64"), ibis.null("int64"))
    elif ycol.type().is_floating():
        year_ok = ycol.notnull() & (ycol == ycol.floor())
        year = ibis.ifelse(year_ok, ycol.cast("int64"), ibis.null("int64"))
    else:
        year_ok = ycol.notnull()
        year = ycol.cast("int64")
    cols = {"region": region, "sector": sector, "year": year}
    if "group" in roles:
        cols["grp"] = text(raw[roles["group"]])
    elif "traded" in roles:
        tr = text(raw[roles["traded"]]).lower()
        cols["grp"] = ibis.cases((tr.isin(["true", "1", "yes", "t"]), "traded"), (tr.isin(["false", "0", "no", "f"]), "local"),
                                 else_=ibis.null("string"))
    else:
        cols["grp"] = ibis.literal("all")
    checks = []  # (rule name, column, condition, message)
    checks.append(("region", roles["region"], region.isnull() | region.isin(list(_BLANKS)), "empty code"))
    checks.append(("sector", roles["sector"], sector.isnull() | sector.isin(list(_BLANKS)), "empty code"))
    checks.append(("year", roles["year"], ~year_ok.fill_null(False) | (year < YEAR_MIN) | (year > YEAR_MAX),
                   "year must be a whole number between 1900 and 2100 (not truncated, not a date)"))
    if "traded" in roles:
        checks.append(("traded", roles["traded"], cols["grp"].isnull(), "'traded' must be true or false"))
    if "group" in roles:
        checks.append(("group", roles["group"], cols["grp"].isnull() | (cols["grp"] == ""), "empty LQ base group"))

    def number(c, colname):
        if c.type().is_numeric():
            v = c.cast("float64")
            return v, [(colname, colname, v.notnull() & (v < 0), "value is negative"),
                       (colname, colname, v.notnull() & v.isinf(), "value is infinite")]
        t = c.strip()
        missing = t.isnull() | t.isin(list(_BLANKS) + sorted(SUPPRESSION_MARKERS))
        v = ibis.ifelse(missing, ibis.null("float64"), t.try_cast("float64"))
        return v, [(colname, colname, ~missing & t.contains(","),
                    "ambiguous comma: a thousands separator or a decimal comma? write 1234 or 1.234"),
                   (colname, colname, ~missing & v.isnull(), "value is not a number (blank or a suppression marker for a suppressed cell)"),
                   (colname, colname, v.notnull() & (v < 0), "value is negative"),
                   (colname, colname, v.notnull() & v.isinf(), "value is infinite")]

    out_units: dict[str, str] = {}
    if lay["long"]:
        m = text(raw[roles["measure"]])
        u = text(raw[roles["unit"]])
        v, vchecks = number(raw[roles["value"]], roles["value"])
        checks += vchecks
        pairs = raw.select(m=m, u=u).distinct().execute()
        for mm, uu in zip(pairs["m"], pairs["u"]):
            uu = UNIT_ALIASES.get(uu, uu)
            if uu not in UNITS:
                raise PanelError(f"unknown unit (allowed: {', '.join(sorted(UNITS))}): {uu!r} (measure {mm!r})", file=file, column=roles["unit"])
            if mm in out_units and out_units[mm] != uu:
                raise PanelError(f"measure {mm!r} has more than one unit ({out_units[mm]!r} and {uu!r})", file=file, column=roles["unit"])
            out_units[mm] = uu
        base = raw.mutate(**cols, _m=m, _v=v)
        agg = {mm: ibis.ifelse(base._m == mm, base._v, ibis.null("float64")).max() for mm in out_units}
        agg["_n"] = base.count()
        agg["grp"] = base.grp.max()
        table = base.group_by(["region", "sector", "year"]).aggregate(**{k: val for k, val in agg.items() if k != "grp"},
                                                                        grp=base.grp.max())
        dup = base.group_by(["region", "sector", "year", "_m"]).aggregate(n=base.count())
        dup_row = _first(dup, dup.n > 1, ["region", "sector", "year", "_m"])
    else:
        measure_cols = list(lay["measures"])
        for c in lay["skipped"]:
            if c in units:
                uu = UNIT_ALIASES.get(units[c], units[c])
                if uu not in UNITS:
                    raise PanelError(f"unknown unit {units[c]!r} given for column {c!r}", file=file)
                measure_cols.append((c, c, uu))
        vals = {}
        for c, mm, uu in measure_cols:
            v, vchecks = number(raw[c], c)
            checks += vchecks
            vals[mm] = v
            out_units[mm] = uu
        table = raw.select(**cols, **vals)
        dup = table.group_by(["region", "sector", "year"]).aggregate(n=table.count())
        dup_row = _first(dup, dup.n > 1, ["region", "sector", "year"])
    # the rules, all counted in one pass; an example row only for the first rule broken
    probe = raw
    counts = probe.aggregate(**{f"c{i}": cond.cast("int64").sum() for i, (_, _, cond, _) in enumerate(checks)}).execute()
    for i, (_, column, cond, msg) in enumerate(checks):
        if int(counts[f"c{i}"].iloc[0] or 0):
            ex = _first(probe, cond, [roles["region"], roles["sector"], roles["year"], column] if column not in
                        (roles["region"], roles["sector"], roles["year"]) else [roles["region"], roles["sector"], roles["year"]])
            raise PanelError(f"{msg}: the row with {_where(ex)} ({int(counts[f'c{i}'].iloc[0]):,} rows like it)", file=file, column=column)
    if dup_row is not None:
        raise PanelError(f"duplicate cell {_where(dup_row)}", file=file, column=roles["region"])
    if "group" in roles or "traded" in roles:
        g = table.group_by("sector").aggregate(k=table.grp.nunique())
        bad = _first(g, g.k > 1, ["sector"])
        if bad is not None:
            raise PanelError(f"sector {bad['sector']!r} is in two LQ base groups", file=file, column=roles.get("group") or roles.get("traded"))
    stats = table.aggregate(cells=table.count(), regions=table.region.nunique(), sectors=table.sector.nunique()).execute()
    years = sorted(int(y) for y in table.select("year").distinct().execute()["year"])
    notes = []
    if lay["skipped"]:
        left = [c for c in lay["skipped"] if c not in units]
        if left:
            notes.append(f"{file}: column(s) {', '.join(left)} left out (a measure column needs a unit in its header, or --unit)")
    return ScanPanel(con, table, file, out_units, "group" in roles or "traded" in roles, years, int(stats["regions"].iloc[0]),
                     int(stats["sectors"].iloc[0]), int(stats["cells"].iloc[0]), notes)


def run_map_scan(sp: ScanPanel, *, methodologies, measure: str, year: int, years=None, start_year=None,
                 out: str, tables=None, lq_base: str | None = None, progress=None) -> tuple[list[str], dict]:
    """Run the methodologies and indicators on a backend-held panel; the backend writes the cell tables.

    Returns
    -------
    written : list of str
        Paths written (Parquet files on DuckDB, directories of part files on Spark).
    summary : dict
        ``flag_counts`` (methodology → flag → count in ``year``), ``notes``.

    Raises
    ------
    MethodologyError
        As :func:`klaster.observatory.mapping.run_map`.
    """
    import ibis

    from klaster.observatory import engine as E
    from klaster.observatory import methodology as M
    from klaster.observatory.mapping import TABLES
    from klaster.observatory.outputs import write_table
    from klaster.observatory.progress import as_progress

    prog = as_progress(progress)
    con = sp.con
    want = set(TABLES if tables is None else tables) | {"flags"}
    if measure not in sp.units:
        raise M.MethodologyError(f"measure {measure!r} is not in the panel (measures: {', '.join(sp.measures)})")
    years = sorted(set(int(y) for y in (years or [year])) | {int(year)})
    missing = [y for y in years if y not in sp.years]
    if missing:
        raise M.MethodologyError(f"year(s) {', '.join(map(str, missing))} not in the panel (years: {', '.join(map(str, sp.years))})")
    remote = "://" in str(out)
    outp = str(out).rstrip("/")
    if not remote:
        Path(outp).mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    notes = list(sp.notes)
    counts: dict = {}
    t = sp.table.filter(sp.table.year.isin(years))

    def path(name):
        return f"{outp}/{name}.parquet"

    def write_expr(expr, name):
        prog.stage(f"writing {name}.parquet on {sp.con.name}")
        con.to_parquet(expr, path(name))
        written.append(path(name))

    def write_small(df, name):
        if remote:
            write_expr(ibis.memtable(df), name)
        else:
            written.append(str(write_table(df, Path(outp) / f"{name}.parquet")))

    strength_parts, threshold_parts = [], []
    for spec in methodologies:
        m = M.make(spec, engine="pandas", lq_base=lq_base)
        m._setup()
        label = m.label
        base = m.lq_base_
        if base == "group" and not sp.has_groups:
            raise M.MethodologyError(
                f"{sp.file}, column 'group': {label} computes each location quotient on the sector's base group (traded "
                "clusters on the traded base, local on the local base) but the panel gives no group — add a column 'group' "
                "or 'traded', or choose the all-activities base explicitly (--lq-base all)")
        cm = m.spec_.get("count_measure")
        cm = cm if (isinstance(m, M.ClusterMapping) and cm in sp.units and cm != measure) else None
        cells = t.select("region", "sector", "year", grp=(t.grp if base == "group" else ibis.literal("all")),
                         x=t[measure], **({"n": t[cm]} if cm else {}))
        if isinstance(m, M.ClusterMapping):
            th = dict(m.thresholds_)
            fg = m.spec_.get("flag_groups")
            prog.stage(f"{label}: percentiles year by year", len(years), "years")
            reg = ibis.memtable(con.execute(E._region_total(E._region_sums(cells))))
            nat_df = con.execute(E._national_base(E._national_sums(cells, None)))
            nat = ibis.memtable(nat_df)
            parts = []
            for y in years:
                parts.append(con.execute(E.cmp_thresholds(E._lq_from_totals(cells.filter(cells.year == y), reg, nat),
                                                          use_count=cm is not None,
                                                          **{k: v for k, v in th.items() if k != "lq_min"})))
                prog.advance(1)
            thr = pd.concat(parts, ignore_index=True)
            nat_th = ibis.memtable(thr.merge(nat_df, on=["sector", "year"], how="left"))
            lq = E._lq_from_totals(cells, reg, nat_th, how="inner")
            fl = E._flag_columns(lq, lq_min=th["lq_min"], use_count=cm is not None)
            flags = {}
            for f in m.flag_names:
                col = fl[f]
                flags[f] = ibis.ifelse(fl.grp.isin(fg), col, ibis.null("boolean")) if fg else col
            expr = fl.select(methodology=ibis.literal(m.spec_["id"]), version=ibis.literal(str(m.spec_["version"])),
                             region=fl.region, sector=fl.sector, year=fl.year, group=fl.grp, value=fl.x,
                             unit=ibis.literal(sp.units[measure]), lq=fl.lq, **flags,
                             **({} if cm else {"conditions_omitted": ibis.literal("count (establishments) conditions: no count measure in the panel")}))
            write_expr(expr, f"flags_{m.spec_['id']}")
            sg = m.spec_.get("strength_groups", ["traded", "all"])
            st = con.execute(E.cluster_strength(fl.select("region", "year", "grp", "x", "strong"), sg))
            strength_parts.append(st.assign(methodology=label))
            threshold_parts.append(thr[thr["year"] == year].assign(methodology=label))
            cur = expr.filter(expr.year == year)
            cnt = con.execute(cur.aggregate(cells=cur.count(), **{f: cur[f].fill_null(False).cast("int64").sum() for f in m.flag_names}))
            counts[m.spec_["id"]] = {k: int(cnt[k].iloc[0]) for k in cnt.columns}
        else:
            lq = E.location_quotients(cells, None)
            if isinstance(m, M.ECOStars):
                th = m.thresholds_
                sel = lq.filter(lq.year == year)
                res = E.eco_stars(sel, size_pct=th["size_pct"], lq_min=th["lq_min"], focus_pct=th["focus_pct"])
                cols = ["size", "specialisation", "focus", "stars"]
            else:
                start = start_year if start_year is not None else year - int(m.spec_.get("growth_years", 5))
                if start not in sp.years:
                    raise M.MethodologyError(f"{m.method_id}: start year {start} of the growth window is not in the panel; give --start-year")
                lq = E.location_quotients(sp.table.filter(sp.table.year.isin([start, year])).select(
                    "region", "sector", "year", grp=ibis.literal("all"), x=sp.table[measure]), None)
                res = E.business_navigator(lq, start, year, **m.thresholds_)
                res = res.mutate(x=res.x1, grp=res.grp)
                cols = list(m.flag_names)
            expr = res.select(methodology=ibis.literal(m.spec_["id"]), version=ibis.literal(str(m.spec_["version"])),
                              region=res.region, sector=res.sector, year=ibis.literal(int(year)), group=res.grp, value=res.x,
                              unit=ibis.literal(sp.units[measure]), lq=res.lq, **{c: res[c] for c in cols})
            write_expr(expr, f"flags_{m.spec_['id']}")
            cnt = con.execute(expr.aggregate(cells=expr.count(), **{c: (expr[c].cast("int64") > 0).fill_null(False).cast("int64").sum()
                                                                    for c in cols}))
            counts[m.spec_["id"]] = {k: int(cnt[k].iloc[0]) for k in cnt.columns}
    if strength_parts and "strength" in want:
        write_small(pd.concat(strength_parts, ignore_index=True), "strength")
    if threshold_parts and "thresholds" in want:
        write_small(pd.concat(threshold_parts, ignore_index=True), "thresholds")
    all_cells = t.select("region", "sector", "year", grp=ibis.literal("all"), x=t[measure])
    lq_all = E.location_quotients(all_cells, None)
    if "lq" in want:
        write_expr(lq_all.mutate(unit=ibis.literal(sp.units[measure])).rename(value="x", group="grp"), "lq")
    for name in ("specialisation", "concentration"):
        if name in want:
            prog.stage(f"{name} on {sp.con.name}")
            write_small(con.execute(getattr(E, name)(lq_all)), name)
    if len(years) > 1:
        for name in ("changes", "shift_share"):
            if name in want:
                write_expr(getattr(E, name)(lq_all, years[0], years[-1]), name)
    skipped = sorted(want & {"comparison", "complexity", "product_complexity", "relatedness"})
    if skipped and tables is not None:
        notes.append(f"not computed on the {sp.con.name} engine: {', '.join(skipped)} (run --engine local for them)")
    prog.done()
    return written, {"flag_counts": counts, "notes": notes}
