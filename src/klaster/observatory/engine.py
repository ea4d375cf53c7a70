"""The observatory's panel computations, written once with Ibis (DuckDB by default).

Every function takes Ibis tables and returns an Ibis expression, so the same code runs on the
embedded DuckDB backend (the default, :func:`connect`) or on any other Ibis backend (e.g.
Spark) without change. :mod:`klaster.observatory.reference` holds a plain-pandas
implementation of the same formulas; the tests compare the two on the same data.

Input tables
------------
``cells``
    ``region`` (str), ``sector`` (str), ``year`` (int), ``grp`` (str: LQ base group of the
    sector, e.g. ``traded``/``local``/``all``), ``x`` (float: the measure, e.g. employment in
    persons or GVA in mln KZT; NULL = suppressed/missing) and, optionally, ``n`` (float: a count
    such as establishments) and ``y`` (float: a second measure for productivity, e.g. GVA).
``national``
    ``sector``, ``year``, ``x_nat`` (float): national totals of ``x`` when the regions do not
    cover the nation; ``None`` means the nation is the sum of the regions.

Formulas are those of ``methods.md`` §2–3; each function's docstring cites its source.
"""

from __future__ import annotations

from typing import Sequence

import ibis
import ibis.expr.types as ir

PCTS = (0.25, 0.5, 0.75, 0.9)


def connect(**kwargs) -> "ibis.BaseBackend":
    """An embedded DuckDB connection (in memory); keyword arguments go to ``ibis.duckdb.connect``.

    Any other Ibis backend works with the functions of this module as well
    (:mod:`klaster.observatory.engines`)."""
    return ibis.duckdb.connect(**kwargs)


def cmp_flags_by_year(con, cells: ir.Table, out: str, *, national: ir.Table | None = None,
                      columns: Sequence[str] = ("region", "sector", "year", "lq", "strong", "strong10", "significant",
                                                "qualifying"), name: str = "cmp_flags.parquet", progress=None,
                      **thresholds) -> list[str]:
    """LQ + CMP flags of a large panel, percentiles one year at a time, written by the backend.

    Same result as ``cmp_flags(location_quotients(cells, national))`` restricted to ``columns``,
    computed so that memory stays bounded on one machine and the work stays on the cluster on
    Spark, **without temporary tables** (PySpark has none):

    1. the region and national totals (:func:`totals`; regions × years × groups and sectors ×
       years rows) are computed once and fetched;
    2. the CMP percentiles (:func:`cmp_thresholds`) are computed year by year over the cells
       joined with those totals (passed back as in-memory tables) and fetched: one row per
       sector and year;
    3. one query joins every cell with its totals and percentiles (again in-memory tables) and
       the backend writes the flags (``con.to_parquet``: one file on DuckDB, a directory of
       part files on Spark).

    The LQs of steps 2 and 3 are the same expression over the same fetched totals, so a cell's
    LQ is compared with percentiles of exactly the values it was computed as.

    Parameters
    ----------
    con
        Ibis backend holding ``cells``.
    cells, national
        As for :func:`location_quotients`.
    out
        Directory to write into (created if missing; on a cluster, a path the executors can
        write, e.g. ``hdfs://…`` or ``s3a://…``).
    columns
        Columns of the written table.
    progress : callable, optional
        ``progress(year)`` after the percentiles of each year.
    **thresholds
        Keyword arguments of :func:`cmp_flags` (``lq_min``, ``strong_pct``, …).

    Returns
    -------
    list of str
        The Parquet path written.
    """
    import os

    import pandas as pd

    if "://" not in str(out):
        os.makedirs(out, exist_ok=True)
    has_n = "n" in cells.columns
    thresholds.setdefault("use_count", has_n)
    pct_args = {k: v for k, v in thresholds.items() if k != "lq_min"}
    reg = ibis.memtable(con.execute(_region_total(_region_sums(cells))))
    nat_df = con.execute(_national_base(_national_sums(cells, national)))
    nat = ibis.memtable(nat_df)
    years = sorted(int(y) for y in nat_df["year"].unique())
    parts = []
    for y in years:
        c = cells.filter(cells.year == y)
        parts.append(con.execute(cmp_thresholds(_lq_from_totals(c, reg, nat), **pct_args)))
        if progress is not None:
            progress(y)
    th = pd.concat(parts, ignore_index=True)
    # one table per sector and year with both the national totals and the percentiles, so the
    # final pass joins each cell twice (region totals; sector totals + percentiles); the inner
    # join keeps the sector-years that have percentiles, as cmp_flags does
    nat_th = ibis.memtable(th.merge(nat_df, on=["sector", "year"], how="left"))
    lq = _lq_from_totals(cells, reg, nat_th, how="inner")
    expr = _flag_columns(lq, lq_min=thresholds.get("lq_min", 1.0), use_count=thresholds["use_count"]).select(*columns)
    p = os.path.join(str(out), name)
    con.to_parquet(expr, p)
    return [p]


def _div(a, b):
    return a / b.nullif(0)


def national_totals(cells: ir.Table, national: ir.Table | None) -> ir.Table:
    """``sector, year, grp, x_nat``: national value of each sector (table given, else sum of regions)."""
    if national is None:
        return cells.group_by(["sector", "year", "grp"]).aggregate(x_nat=cells.x.sum())
    groups = cells.select("sector", "grp").distinct()
    nat = national.select("sector", "year", x_nat=national.x_nat.cast("float64"))
    return nat.join(groups, "sector")


def totals(cells: ir.Table, national: ir.Table | None = None) -> tuple[ir.Table, ir.Table]:
    """The denominators of the location quotient, as two small tables.

    Returns
    -------
    reg : Table
        ``region, year, grp, x_region_base`` (E_r,g), ``x_region`` (E_r, all sectors): one row
        per region, year and base group.
    nat : Table
        ``sector, year, x_nat`` (E_nc), ``x_nat_base`` (E_n,g): one row per sector and year.
    """
    return _region_total(_region_sums(cells)), _national_base(_national_sums(cells, national))


def _region_sums(cells: ir.Table) -> ir.Table:
    return cells.group_by(["region", "year", "grp"]).aggregate(x_region_base=cells.x.sum())


def _region_total(reg: ir.Table) -> ir.Table:
    return reg.mutate(x_region=reg.x_region_base.sum().over(group_by=["region", "year"]))


def _national_sums(cells: ir.Table, national: ir.Table | None) -> ir.Table:
    return national_totals(cells, national).select("sector", "year", "grp", "x_nat")


def _national_base(nat: ir.Table) -> ir.Table:
    nat = nat.mutate(x_nat_base=nat.x_nat.sum().over(group_by=["year", "grp"]))
    return nat.select("sector", "year", "x_nat", "x_nat_base")


def _lq_from_totals(cells: ir.Table, reg: ir.Table, nat: ir.Table, how: str = "left") -> ir.Table:
    t = cells.join(reg, ["region", "year", "grp"]).join(nat, ["sector", "year"], how=how)
    if how == "left":
        t = t.drop("sector_right", "year_right")
    return t.mutate(
        lq=_div(_div(t.x, t.x_region_base), _div(t.x_nat, t.x_nat_base)),
        share_region=_div(t.x, t.x_region),
        share_nation=_div(t.x, t.x_nat),
    )


def location_quotients(cells: ir.Table, national: ir.Table | None = None) -> ir.Table:
    """Location quotients and shares for every cell.

    ``LQ_rc = (E_rc / E_r,g) / (E_nc / E_n,g)`` where g is the base group of sector c
    (Florence 1939; U.S. Cluster Mapping: traded clusters on the traded base, local clusters on
    the local base — Delgado, Porter & Stern 2016; methods.md §2, §3.1).

    Returns
    -------
    Table
        ``region, sector, year, grp, x, [n, y,] x_region_base`` (E_r,g), ``x_region`` (E_r, all
        sectors), ``x_nat`` (E_nc), ``x_nat_base`` (E_n,g), ``lq``, ``share_region``
        (E_rc/E_r), ``share_nation`` (E_rc/E_nc).

    Notes
    -----
    Two passes over the cells (by region and by sector, :func:`totals`); the all-sector and
    base totals are derived from those small aggregates with window sums.
    """
    return _lq_from_totals(cells, *totals(cells, national))


def cmp_thresholds(lq: ir.Table, *, use_count: bool = True, strong_pct: float = 0.75, strong10_pct: float = 0.9,
                   significant_pct: float = 0.5, qualifying_pct: float = 0.25, size_pct: float = 0.25) -> ir.Table:
    """The percentiles of the CMP rule, one row per sector and year (see :func:`cmp_flags`).

    Returns ``sector, year, p_size_x, [p_size_n,] p_strong, p_strong10, p_significant,
    p_qualifying``: percentiles over the regions with ``x > 0`` (linear interpolation). The four
    LQ percentiles are one multi-quantile aggregate (one sort per group).
    """
    pos = lq.filter(lq.x > 0)
    qs = [strong_pct, strong10_pct, significant_pct, qualifying_pct]
    aggs = {"p_lq": pos.lq.quantile(qs), "p_size_x": pos.x.quantile(size_pct)}
    if use_count:
        aggs["p_size_n"] = pos.n.quantile(size_pct)
    th = pos.group_by(["sector", "year"]).aggregate(**aggs)
    return th.mutate(p_strong=th.p_lq[0], p_strong10=th.p_lq[1], p_significant=th.p_lq[2], p_qualifying=th.p_lq[3]).drop("p_lq")


def _flag_columns(t: ir.Table, *, lq_min: float, use_count: bool) -> ir.Table:
    """The four CMP flags of a table that has ``lq, x, [n,]`` and the columns of :func:`cmp_thresholds`."""
    size = t.x > t.p_size_x
    if use_count:
        size = size & (t.n > t.p_size_n)
    miss = t.x.isnull()

    def flag(cond):
        return ibis.ifelse(miss, ibis.null("boolean"), (cond & size).fill_null(False))

    return t.mutate(
        strong=flag((t.lq >= t.p_strong) & (t.lq >= lq_min)),
        strong10=flag((t.lq >= t.p_strong10) & (t.lq >= lq_min)),
        significant=flag(t.lq > t.p_significant),
        qualifying=flag(t.lq > t.p_qualifying),
    )


def cmp_flags(lq: ir.Table, *, lq_min: float = 1.0, use_count: bool = True,
              strong_pct: float = 0.75, strong10_pct: float = 0.9, significant_pct: float = 0.5,
              qualifying_pct: float = 0.25, size_pct: float = 0.25) -> ir.Table:
    """U.S. Cluster Mapping flags (Delgado, Porter & Stern 2016; rule of methods.md §3.1).

    Percentiles of LQ, ``x`` (employment) and ``n`` (establishments) are taken per sector and
    year over the regions with ``x > 0``, with linear interpolation (DuckDB ``quantile_cont``
    = numpy's default; :func:`cmp_thresholds`). Then

    - ``strong``      = LQ >= P75(LQ) and LQ >= 1 and x > P25(x) and n > P25(n)
    - ``strong10``    = LQ >= P90(LQ) and LQ >= 1 and x > P25(x) and n > P25(n)
    - ``significant`` = LQ >  P50(LQ) and x > P25(x) and n > P25(n)
    - ``qualifying``  = LQ >  P25(LQ) and x > P25(x) and n > P25(n)

    With ``use_count=False`` (no establishment counts) the conditions on ``n`` are omitted.
    Flags are NULL where ``x`` is missing.
    """
    # Percentiles as window aggregates over the same relation the flags compare: every LQ is
    # computed once and compared with percentiles of exactly that value. (Joining a separately
    # aggregated threshold table evaluates the LQ expression twice, and DuckDB's parallel float
    # sums may then differ in the last bit, flipping a flag that sits exactly on a percentile.)
    t = lq.select(*lq.columns)
    w = ibis.window(group_by=[t.sector, t.year])
    pos = t.x > 0
    none = ibis.null("float64")

    def pct(col, p):
        return ibis.ifelse(pos, col.cast("float64"), none).quantile(p).over(w)

    th = {"p_size_x": pct(t.x, size_pct), "p_strong": pct(t.lq, strong_pct), "p_strong10": pct(t.lq, strong10_pct),
          "p_significant": pct(t.lq, significant_pct), "p_qualifying": pct(t.lq, qualifying_pct)}
    if use_count:
        th["p_size_n"] = pct(t.n, size_pct)
    return _flag_columns(t.mutate(**th), lq_min=lq_min, use_count=use_count)


def cluster_strength(flags: ir.Table, groups: Sequence[str] = ("traded", "all")) -> ir.Table:
    """Region cluster strength = x in strong clusters of ``groups`` / x of ``groups`` (§3.1)."""
    f = flags.filter(flags.grp.isin(list(groups)))
    agg = f.group_by(["region", "year"]).aggregate(
        x_strong=ibis.ifelse(f.strong.fill_null(False), f.x, 0.0).sum(),
        x_base=f.x.sum(),
        n_strong=f.strong.fill_null(False).cast("int64").sum(),
    )
    return agg.mutate(strength=_div(agg.x_strong, agg.x_base))


def eco_stars(lq: ir.Table, *, size_pct: float = 0.9, lq_min: float = 2.0, focus_pct: float = 0.9,
              productivity_pct: float | None = None, growth: ir.Table | None = None,
              growth_pct: float | None = None) -> ir.Table:
    """European Cluster Observatory stars (CSC 2008–2012; methods.md §3.2).

    - ``size``: x >= P90 of x over the regions of the sector (top 10 %);
    - ``specialisation``: LQ >= ``lq_min`` (2 in the ECO literature);
    - ``focus``: share of the region's total >= P90 of that share over the regions of the sector;
    - optional ``productivity``: y / x >= P``productivity_pct`` (e.g. GVA per employee);
    - optional ``growth``: ``growth`` table (``region, sector, year, cagr``) >= P``growth_pct``.

    ``stars`` counts the three classic stars (size + specialisation + focus).
    """
    t = lq
    aggs = {"p_size": t.x.quantile(size_pct), "p_focus": t.share_region.quantile(focus_pct)}
    if productivity_pct is not None:
        t = t.mutate(productivity=_div(t.y, t.x))
        aggs["p_productivity"] = t.productivity.quantile(productivity_pct)
    if growth is not None:
        t = t.left_join(growth.select("region", "sector", "year", "cagr"), ["region", "sector", "year"]).drop(
            "region_right", "sector_right", "year_right")
        aggs["p_growth"] = t.cagr.quantile(growth_pct if growth_pct is not None else 0.9)
    th = t.group_by(["sector", "year"]).aggregate(**aggs)
    t = t.join(th, ["sector", "year"])
    miss = t.x.isnull()

    def flag(cond):
        return ibis.ifelse(miss, ibis.null("boolean"), cond.fill_null(False))

    out = {
        "size": flag(t.x >= t.p_size),
        "specialisation": flag(t.lq >= lq_min),
        "focus": flag(t.share_region >= t.p_focus),
    }
    if productivity_pct is not None:
        out["productivity_star"] = flag(t.productivity >= t.p_productivity)
    if growth is not None:
        out["growth_star"] = flag(t.cagr >= t.p_growth)
    t = t.mutate(**out)
    return t.mutate(stars=t.size.cast("int64") + t.specialisation.cast("int64") + t.focus.cast("int64"))


def growth_pair(lq: ir.Table, start_year: int, end_year: int) -> ir.Table:
    """Join each cell of ``end_year`` with the same cell of ``start_year``.

    Returns ``region, sector, grp, x0, x1, lq0, lq1, x_nat0, x_nat1, xn0, xn1`` where ``xn`` is
    the national all-sector total of each year (Σ_c E_nc).
    """
    nat_all = lq.select("sector", "year", "x_nat").distinct()
    nat_all = nat_all.group_by("year").aggregate(xn=nat_all.x_nat.sum())
    t = lq.join(nat_all, "year")
    a = t.filter(t.year == start_year).select("region", "sector", "grp", x0=t.x, lq0=t.lq, x_nat0=t.x_nat, xn0=t.xn)
    b = t.filter(t.year == end_year).select("region", "sector", x1=t.x, lq1=t.lq, x_nat1=t.x_nat, xn1=t.xn)
    return a.join(b, ["region", "sector"])


def changes(lq: ir.Table, start_year: int, end_year: int) -> ir.Table:
    """CAGR ``(x1/x0)^(1/years) − 1`` and change in LQ ``LQ1 − LQ0`` of every cell (methods.md §2)."""
    p = growth_pair(lq, start_year, end_year)
    yrs = float(end_year - start_year)
    ok = (p.x0 > 0) & (p.x1 > 0)
    return p.mutate(
        year=ibis.literal(end_year),
        start_year=ibis.literal(start_year),
        cagr=ibis.ifelse(ok, (p.x1 / p.x0.nullif(0)).pow(1.0 / yrs) - 1.0, ibis.null("float64")),
        lq_change=p.lq1 - p.lq0,
    )


def shift_share(lq: ir.Table, start_year: int, end_year: int) -> ir.Table:
    """Shift-share of each cell's change between two years: Dunn (1960) and Esteban-Marquillas (1972).

    With G = E_n1/E_n0 − 1 (all sectors), g_c = E_nc1/E_nc0 − 1, g_rc = x1/x0 − 1:
    national share NS = x0·G, industry mix IM = x0·(g_c − G), regional (competitive) shift
    RS = x0·(g_rc − g_c) (0 where x0 = 0); NS + IM + RS = x1 − x0 (REAT ``shift``, method
    "Dunn").

    Esteban-Marquillas (1972) split RS with the homothetic value ``x0* = E_r0 · E_nc0 / E_n0``
    (the region's size times the nation's sector share): ``em_competitive = x0*·(g_rc − g_c)``
    (the competitive effect free of the industry structure) and ``em_allocation =
    (x0 − x0*)·(g_rc − g_c)`` (specialisation in sectors where the region is competitive); they
    add up to RS (REAT ``shift``, method "Esteban"). Where x0 = 0 both are 0.
    """
    p = growth_pair(lq, start_year, end_year)
    r0 = lq.filter(lq.year == start_year).select("region", "x_region").distinct()
    p = p.join(r0, "region")
    G = p.xn1 / p.xn0.nullif(0) - 1.0
    gc = p.x_nat1 / p.x_nat0.nullif(0) - 1.0
    grc = p.x1 / p.x0.nullif(0) - 1.0
    zero = p.x0 == 0
    home = p.x_region * (p.x_nat0 / p.xn0.nullif(0))
    d = grc - gc
    return p.mutate(
        start_year=ibis.literal(start_year), year=ibis.literal(end_year),
        change=p.x1 - p.x0,
        national_share=p.x0 * G,
        industry_mix=p.x0 * (gc - G),
        regional_shift=ibis.ifelse(zero, ibis.literal(0.0), p.x0 * d),
        homothetic=home,
        em_competitive=ibis.ifelse(zero, ibis.literal(0.0), home * d),
        em_allocation=ibis.ifelse(zero, ibis.literal(0.0), (p.x0 - home) * d),
    ).drop("x_region")


def business_navigator(lq: ir.Table, start_year: int, end_year: int, *, lq_min: float = 1.0,
                       cluster_factor_min: float = 0.0, regional_factor_min: float = 0.0) -> ir.Table:
    """Kazakhstan Business Navigator rule (reconstructed; methods.md §3.3, *check*).

    A region–cluster is flagged when LQ > ``lq_min`` in the end year, the cluster factor
    ``(E_nc1/E_nc0) − (E_n1/E_n0)`` > 0 (the cluster grows faster than the national economy),
    and the regional factor ``(x1/x0) − (E_nc1/E_nc0)`` > 0 (the region's cluster grows faster
    than the cluster nationally, i.e. above the national average of the cluster).
    """
    p = growth_pair(lq, start_year, end_year)
    cf = p.x_nat1 / p.x_nat0.nullif(0) - p.xn1 / p.xn0.nullif(0)
    rf = p.x1 / p.x0.nullif(0) - p.x_nat1 / p.x_nat0.nullif(0)
    t = p.mutate(year=ibis.literal(end_year), start_year=ibis.literal(start_year), lq=p.lq1,
                 cluster_factor=cf, regional_factor=rf)
    miss = t.x1.isnull() | t.x0.isnull()

    def flag(cond):
        return ibis.ifelse(miss, ibis.null("boolean"), cond.fill_null(False))

    t = t.mutate(
        specialised=flag(t.lq > lq_min),
        growing_cluster=flag(t.cluster_factor > cluster_factor_min),
        regional_advantage=flag(t.regional_factor > regional_factor_min),
    )
    return t.mutate(flagged=t.specialised & t.growing_cluster & t.regional_advantage)


def _gini_parts(t: ir.Table, value, by: list[str], order_tie) -> ir.Table:
    """Columns for REAT's unweighted Gini of ``value`` over the rows of each ``by`` group."""
    wp = ibis.window(group_by=by)
    wo = ibis.window(group_by=by, order_by=[value, order_tie])
    return t.mutate(_g_mu=value.mean().over(wp), _g_n=value.count().over(wp), _g_lam=ibis.row_number().over(wo) + 1)


def _gini_of(t: ir.Table, value):
    """REAT's Gini ``2 Σ λ (v_(λ) − μ) / (n² μ)`` as an aggregate over rows prepared by :func:`_gini_parts`."""
    num = (t._g_lam.cast("float64") * (value - t._g_mu)).sum()
    n = t._g_n.max().cast("float64")
    mu = t._g_mu.max()
    return (2.0 * num) / (n * n * mu).nullif(0)


def specialisation(lq: ir.Table) -> ir.Table:
    """Region-level indices per region and year (all sectors as the base).

    - Krugman specialisation ``K_r = Σ_c |E_rc/E_r − E_nc/E_n|`` (Krugman 1991; REAT
      ``krugman.spec``);
    - Herfindahl–Hirschman ``HHI_r = Σ_c (E_rc/E_r)²``;
    - Shannon entropy ``H_r = −Σ_c s ln s`` with s = E_rc/E_r > 0 (diversity);
    - ``gini_spec``: REAT ``gini.spec`` — the Gini coefficient ``2 Σ_λ λ (LQ_(λ) − μ) / (n² μ)``
      of the region's all-activities location quotients over its n sectors, sorted, each sector
      counted once (unweighted; Farhauer & Kröll 2013);
    - ``gini_spec_weighted``: the Lorenz-curve Gini of the region's sector shares against the
      national sector shares, sectors ordered by LQ (each sector weighted by its national
      share).
    """
    nat = lq.select("sector", "year", "x_nat").distinct()
    nat = nat.mutate(xn=nat.x_nat.sum().over(group_by="year"))
    nat = nat.mutate(s_nat=_div(nat.x_nat, nat.xn)).select("sector", "year", "s_nat")
    t = lq.join(nat, ["sector", "year"])
    s = t.share_region
    base = t.group_by(["region", "year"]).aggregate(
        krugman=(s - t.s_nat).abs().sum(),
        hhi=(s * s).sum(),
        entropy=ibis.ifelse(s > 0, -s * s.ln(), 0.0).sum(),
        sectors=t.x.count(),
    )
    v = t.filter(t.x.notnull()).mutate(lqa=_div(t.share_region, t.s_nat))
    v = v.filter(v.lqa.notnull())
    v = v.mutate(w=v.s_nat / v.s_nat.sum().over(group_by=["region", "year"]))
    v = _gini_parts(v, v.lqa, ["region", "year"], v.sector)
    wc = ibis.cumulative_window(group_by=["region", "year"], order_by=[v.lqa, v.sector])
    v = v.mutate(cum_s=v.share_region.sum().over(wc))
    v = v.mutate(trap=v.w * (2 * v.cum_s - v.share_region))
    g = v.group_by(["region", "year"]).aggregate(gini_spec=_gini_of(v, v.lqa), gini_spec_weighted=1.0 - v.trap.sum())
    return base.left_join(g, ["region", "year"]).drop("region_right", "year_right")


def concentration(lq: ir.Table) -> ir.Table:
    """Sector-level localisation per sector and year, over the regions of the panel.

    - Hoover coefficient ``H_c = ½ Σ_r |E_rc/Σ_r E_rc − E_r/Σ_r E_r|`` (Hoover 1936; REAT
      ``hoover``);
    - ``gini_weighted``: locational Gini (Krugman 1991): regions ordered by their LQ ``a/b``,
      Lorenz curve of the sector's cumulative share (Y) against the cumulative share of total
      activity (X), ``G_c = 1 − Σ_k (X_k − X_{k−1})(Y_k + Y_{k−1})`` — each region weighted by
      its size;
    - ``gini_conc``: REAT ``gini.conc`` — the Gini coefficient ``2 Σ_λ λ (C_(λ) − μ) / (n² μ)``
      of the regions' location quotients ``C = a/b``, sorted, each region counted once
      (unweighted; Farhauer & Kröll 2013).
    Shares here use the regions' own sums so that each set of shares adds to 1.
    """
    t = lq.filter(lq.x.notnull())
    t = t.mutate(
        a=_div(t.x, t.x.sum().over(group_by=["sector", "year"])),
        b=_div(t.x_region, t.x_region.sum().over(group_by=["sector", "year"])),
    )
    t = t.mutate(r=_div(t.a, t.b))
    w = ibis.cumulative_window(group_by=["sector", "year"], order_by=[t.r, t.region])
    # (column names must not collide case-insensitively with ``y``: DuckDB folds identifier case)
    t = t.mutate(cum_a=t.a.sum().over(w))
    t = t.mutate(trap=t.b * (2 * t.cum_a - t.a))
    base = t.group_by(["sector", "year"]).aggregate(
        hoover=0.5 * (t.a - t.b).abs().sum(),
        gini_weighted=1.0 - t.trap.sum(),
        regions=t.x.count(),
    )
    v = t.filter(t.r.notnull())
    v = _gini_parts(v, v.r, ["sector", "year"], v.region)
    g = v.group_by(["sector", "year"]).aggregate(gini_conc=_gini_of(v, v.r))
    return base.left_join(g, ["sector", "year"]).drop("sector_right", "year_right")
