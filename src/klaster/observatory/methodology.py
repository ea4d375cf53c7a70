"""Cluster-mapping methodologies as versioned threshold data, run side by side on one panel.

Each methodology is a YAML file under ``methodologies/`` (id, version, source, thresholds);
the classes below take their settings on construction and the data on :meth:`Methodology.run`,
scikit-learn style, and leave their results in attributes ending in ``_``:

- :class:`ClusterMapping` — U.S. Cluster Mapping Project (``cmp``; methods.md §3.1);
- :class:`ECOStars` — European Cluster Observatory stars (``eco``; §3.2);
- :class:`BusinessNavigator` — Kazakhstan Business Navigator rule (``kz-bn``; §3.3).

Every output row says which methodology and version produced it. With few regions (Kazakhstan
has 20) a stability measure is reported for each flag: the share of bootstrap replicates
(regions resampled with replacement; national totals held fixed) and of perturbation replicates
(each value multiplied by U(1−p, 1+p)) in which the flag keeps its value.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from klaster.observatory import engines as _engines
from klaster.observatory import grid, reference
from klaster.observatory.panel import Panel

METHODOLOGY_DIR = Path(__file__).with_name("methodologies")


class _IbisEngine:
    """:mod:`klaster.observatory.engine` imported on first use (Ibis takes a second to import;
    the local engine does not need it)."""

    def __getattr__(self, name):
        from klaster.observatory import engine

        return getattr(engine, name)


ibis_engine = _IbisEngine()
#: engine names (see :mod:`klaster.observatory.engines`); ``ibis`` is accepted as ``duckdb``
ENGINES = _engines.ENGINES


class MethodologyError(ValueError):
    """Unknown methodology, version or parameter, or a panel the methodology cannot use.

    The message names, where it applies, the file, the row and the column of the panel and the
    rule of the methodology.
    """


@lru_cache(maxsize=None)
def _all_specs() -> dict[tuple[str, str], dict]:
    out = {}
    for p in sorted(METHODOLOGY_DIR.glob("*.yaml")):
        spec = yaml.safe_load(p.read_text(encoding="utf-8"))
        spec["file"] = p.name
        out[(spec["id"], str(spec["version"]))] = spec
    return out


def available() -> list[tuple[str, str]]:
    """All (id, version) pairs of the methodology data."""
    return sorted(_all_specs())


def load_spec(method_id: str, version: str | None = None) -> dict:
    """The threshold data of a methodology (latest version unless ``version`` is given)."""
    specs = _all_specs()
    versions = sorted(v for (i, v) in specs if i == method_id)
    if not versions:
        raise MethodologyError(f"unknown methodology {method_id!r} (available: {', '.join(sorted({i for i, _ in specs}))})")
    if version is None:
        version = versions[-1]
    if (method_id, str(version)) not in specs:
        raise MethodologyError(f"methodology {method_id!r} has no version {version!r} (versions: {', '.join(versions)})")
    return dict(specs[(method_id, str(version))])


# ------------------------------------------------------------------------------------------
# Running the computations on either engine
# ------------------------------------------------------------------------------------------


class Engine(_engines.Engine):
    """An engine (:mod:`klaster.observatory.engines`) that runs the functions of :mod:`.engine`
    (Ibis) or :mod:`.reference` (pandas) on pandas inputs; the ``local`` engine computes on the
    panel's grid directly (:mod:`.grid`) and is driven by the methodologies themselves."""

    def __post_init__(self):
        try:
            super().__post_init__()
        except _engines.EngineError as e:
            raise MethodologyError(str(e)) from None

    def lq(self, cells: pd.DataFrame, national: pd.DataFrame | None):
        if self.kind != "ibis":
            return reference.location_quotients(cells, national)
        return ibis_engine.location_quotients(self.table(cells), self.table(national) if national is not None else None)

    def call(self, fname: str, table, *args, **kwargs) -> pd.DataFrame:
        if self.kind != "ibis":
            return getattr(reference, fname)(table, *args, **kwargs)
        return self.con.execute(getattr(ibis_engine, fname)(table, *args, **kwargs))

    def frame(self, table) -> pd.DataFrame:
        return table if self.kind != "ibis" else self.con.execute(table)

    @property
    def _con(self):  # the name used before engines.py
        return self.con


def prepare_cells(panel: Panel, measure: str, *, years=None, count_measure: str | None = None,
                  second_measure: str | None = None, base: str = "group") -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The engine's ``cells`` and ``national`` tables from a panel.

    Parameters
    ----------
    base : {"group", "all"}
        ``group``: each sector's LQ base is its group (traded/local, from the panel's
        ``sector_groups``); ``all``: one base of all activities.
    """
    if measure not in panel.measures:
        raise MethodologyError(f"measure {measure!r} is not in the panel (measures: {', '.join(panel.measures)})")
    ms = [measure] + [m for m in (count_measure, second_measure) if m]
    w = panel.wide(ms, years=years)
    cells = pd.DataFrame({
        "region": w["region"].astype(str), "sector": w["sector"].astype(str), "year": w["year"].astype("int64"),
        "grp": w["group"].astype(str) if base == "group" else "all",
        "x": w[measure].astype(float),
    })
    if count_measure:
        cells["n"] = w[count_measure].astype(float)
    if second_measure:
        cells["y"] = w[second_measure].astype(float)
    nat = None
    nw = panel.national_wide([measure])
    if nw is not None and measure in nw:
        nat = nw[["sector", "year", measure]].rename(columns={measure: "x_nat"})
        nat = nat[nat["sector"].isin(cells["sector"].unique())]
        if years is not None:
            nat = nat[nat["year"].isin(list(years))]
        nat = nat.astype({"sector": str, "year": "int64", "x_nat": float}).reset_index(drop=True)
    return cells, nat


class Methodology:
    """Base class: settings on construction, data on :meth:`run`, results in ``flags_``.

    Parameters
    ----------
    version : str, optional
        Version of the threshold data (latest when omitted).
    engine : str, Engine or Ibis backend
        ``local`` (default: numpy on the panel's grid), ``duckdb`` (``ibis``), ``spark``,
        ``pandas`` (the reference), or any connected Ibis backend
        (:mod:`klaster.observatory.engines`).
    lq_base : {"group", "all"}, optional
        The location quotient's base; default the methodology's (``group`` for CMP: traded
        clusters on the traded base). ``all`` on a group methodology is a stated deviation,
        reported in :attr:`notes_`.
    stability : int
        Number of bootstrap and of perturbation replicates for the stability columns (0: none).
    perturbation : float
        Half-width p of the multiplicative perturbation U(1−p, 1+p) (default 0.1 = ±10 %).
    random_state : int
        Seed of the replicates.
    **thresholds
        Overrides of the threshold data (names as in the YAML ``thresholds``).
    """

    method_id: str = ""

    def __init__(self, version: str | None = None, *, engine="local", stability: int = 0,
                 perturbation: float = 0.1, random_state: int = 0, lq_base: str | None = None, **thresholds):
        self.version = version
        self.engine = engine
        self.lq_base = lq_base
        self.stability = stability
        self.perturbation = perturbation
        self.random_state = random_state
        self.thresholds = thresholds

    # -- parameter handling --------------------------------------------------------------------
    def _setup(self):
        self.spec_ = load_spec(self.method_id, self.version)
        th = dict(self.spec_.get("thresholds") or {})
        for k, v in self.thresholds.items():
            if k not in th:
                raise MethodologyError(f"{self.method_id}: unknown threshold {k!r} (known: {', '.join(th)})")
            th[k] = v
        self.thresholds_ = th
        if not isinstance(self.stability, int) or self.stability < 0:
            raise MethodologyError(f"stability must be a non-negative integer, not {self.stability!r}")
        if not 0 <= self.perturbation < 1:
            raise MethodologyError(f"perturbation must be in [0, 1), not {self.perturbation!r}")
        spec_base = self.spec_.get("lq_base", "all")
        if self.lq_base not in (None, "group", "all"):
            raise MethodologyError(f"lq_base must be 'group' or 'all', not {self.lq_base!r}")
        self.lq_base_ = self.lq_base or spec_base
        self.notes_ = []
        if self.lq_base_ != spec_base:
            self.notes_.append(f"{self.label}: location quotients on the {self.lq_base_!r} base instead of the methodology's "
                               f"{spec_base!r} base (as asked)")
        self._engine = self.engine if isinstance(self.engine, Engine) else Engine(self.engine)

    @property
    def label(self) -> str:
        spec = getattr(self, "spec_", None) or load_spec(self.method_id, self.version)
        return f"{spec['id']}@{spec['version']}"

    # -- to be provided by subclasses ----------------------------------------------------------
    flag_names: tuple[str, ...] = ()

    def _compute(self, eng: Engine, cells: pd.DataFrame, national: pd.DataFrame | None, year: int,
                 start_year: int | None) -> pd.DataFrame:
        raise NotImplementedError

    def _cells(self, panel: Panel, measure: str, years) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        return prepare_cells(panel, measure, years=years, base=self.lq_base_)

    def _compute_local(self, panel: Panel, measure: str, year: int, start: int | None) -> pd.DataFrame:
        raise NotImplementedError

    def _check_panel(self, panel: Panel, measure: str) -> None:
        """Refuse a panel the methodology cannot read as it means (before any computation)."""
        if measure not in panel.measures:
            raise MethodologyError(f"measure {measure!r} is not in the panel (measures: {', '.join(panel.measures)})")
        if self.lq_base_ == "group":
            where = f"{panel.source or 'the panel'}, row 1, column 'group'"
            if panel.sector_groups is None:
                raise MethodologyError(
                    f"{where}: {self.label} computes each location quotient on the sector's base group (traded clusters on "
                    "the traded base, local clusters on the local base; Delgado, Porter & Stern 2016) and flags traded "
                    "clusters only, but the panel gives no group — add a column 'group' (traded/local) or 'traded' "
                    "(true/false), or choose the all-activities base explicitly (lq_base='all', --lq-base all)")
            fg = self.spec_.get("flag_groups")
            if fg and not set(panel.sector_groups.values()) & set(fg):
                raise MethodologyError(
                    f"{where}: {self.label} flags the sectors of the groups {', '.join(fg)}; the panel's groups are "
                    f"{', '.join(sorted(set(panel.sector_groups.values())))}")

    def _years(self, panel: Panel, year: int, start_year: int | None) -> tuple[int | None, list[int]]:
        if year not in panel.years:
            raise MethodologyError(f"year {year} is not in the panel (years: {panel.years[0]}–{panel.years[-1]})")
        return None, [year]

    # -- public API --------------------------------------------------------------------------
    def prepare(self, panel: Panel, *, measure: str, year: int, start_year: int | None = None) -> tuple[int | None, list[int]]:
        """Settings, panel and years checked for ``year``; returns (start year or None, years used).

        Raises
        ------
        MethodologyError
            As :meth:`run`.
        """
        self._setup()
        self.measure_ = measure
        self._check_panel(panel, measure)
        start, years = self._years(panel, year, start_year)
        self.start_year_ = start
        return start, years

    def out_columns(self) -> list[str]:
        """Columns of this methodology's rows in the flags table (after :meth:`prepare`)."""
        cols = list(self.flag_names_present())
        if self.stability:
            cols += [f + "_stability" for f in self.flag_names_present() if f != "stars"]
        return cols

    def flag_names_present(self) -> list[str]:
        return list(self.flag_names)

    def local_block(self, panel: Panel, measure: str, year: int, start: int | None):
        """The flags of ``year`` on the local engine as ``(rows, columns, extras)``.

        ``rows``: (regions × sectors) mask of the cells in the flags table; ``columns``: the
        flags-table columns as (R × S), (R,), (S,) arrays or scalars (flags as int8: 1, 0,
        -1 for NA); ``extras``: methodology-specific results (CMP: percentiles and strength).
        Called after :meth:`prepare`.
        """
        raise NotImplementedError

    def run(self, panel: Panel, *, measure: str, year: int, start_year: int | None = None) -> pd.DataFrame:
        """Flag every region × sector of ``year``.

        Parameters
        ----------
        panel : Panel
        measure : str
            The measure the LQ is computed on (e.g. ``employment``, ``gva``).
        year : int
            The year flagged.
        start_year : int, optional
            Start of the growth window for methodologies that need one (default
            ``year − growth_years`` of the threshold data).

        Returns
        -------
        DataFrame
            ``methodology, version, region, sector, year, group, value, unit, lq`` and one
            boolean column per flag (NA where the cell is missing), ``<flag>_stability`` when
            ``stability > 0``, ``crosses_break`` for methodologies over two years. Also kept as
            ``self.flags_``; the full intermediate table is ``self.details_``.

        Raises
        ------
        MethodologyError
            Unknown version/threshold, measure or year not in the panel.
        """
        start, years = self.prepare(panel, measure=measure, year=year, start_year=start_year)
        cells = national = None
        if self._engine.kind == "local":
            det = self._compute_local(panel, measure, year, start)
        else:
            cells, national = self._cells(panel, measure, years)
            det = self._compute(self._engine, cells, national, year, start)
        det = det.sort_values(["region", "sector"]).reset_index(drop=True)
        self.details_ = det
        out = pd.DataFrame({
            "methodology": self.spec_["id"], "version": str(self.spec_["version"]),
            "region": det["region"], "sector": det["sector"], "year": year,
            "group": det["grp"], "value": det["x" if "x" in det else "x1"], "unit": panel.unit(measure),
            "lq": det["lq"],
        })
        fg = self.spec_.get("flag_groups")
        for f in self.flag_names:
            if f in det:
                out[f] = det[f].astype("boolean")
                if fg:
                    out.loc[~out["group"].isin(fg), f] = pd.NA
        if start is not None:
            out.insert(4, "start_year", start)
            out["crosses_break"] = crosses_break(panel, out["region"], start, year)
        omitted = getattr(self, "omitted_", "")
        if omitted:
            out["conditions_omitted"] = omitted
        if self.stability:
            if cells is None:
                cells, national = self._cells(panel, measure, years)
            stab = self._stability(cells, national, year, start, det)
            for f, s in stab.items():
                out[f + "_stability"] = s
        self.flags_ = out
        return out

    # -- stability ---------------------------------------------------------------------------
    bootstrap_matters: bool = True

    def _stability(self, cells, national, year, start, det) -> dict[str, np.ndarray]:
        """Agreement share of each flag over bootstrap and perturbation replicates (pandas engine).

        Bootstrap: regions drawn with replacement (each copy kept as its own region), national
        totals held at their original values, percentile thresholds recomputed; a cell's
        agreement is averaged over its copies and over the replicates in which it was drawn.
        Perturbation: every value (and national total) multiplied by U(1−p, 1+p).
        Single-year methodologies run all replicates in one batched computation (replicate id in
        the ``year`` column); growth methodologies loop over replicates.
        """
        rng = np.random.default_rng(self.random_state)
        eng = Engine("pandas")
        flags = [f for f in self.flag_names if f in det]
        key = (det["region"] + "\x1f" + det["sector"]).to_numpy()
        point = {f: det[f].astype("float").to_numpy() for f in flags}
        nat_fixed = reference.national_totals(cells, national)[["sector", "year", "x_nat"]]
        regions = np.array(sorted(cells["region"].unique()))
        by_region = {r: np.flatnonzero(cells["region"].to_numpy() == r) for r in regions}
        reps = []  # (kind, cells, national)
        if self.bootstrap_matters:
            for _ in range(self.stability):
                draw = rng.choice(regions, size=len(regions), replace=True)
                idx = np.concatenate([by_region[r] for r in draw])
                part = cells.iloc[idx].copy()
                part["region"] = part["region"].to_numpy() + "\x1e" + np.repeat(np.arange(len(draw)), [len(by_region[r]) for r in draw]).astype(str)
                reps.append(("boot", part, nat_fixed))
        if self.perturbation > 0:
            lo, hi = 1 - self.perturbation, 1 + self.perturbation
            for _ in range(self.stability):
                pc = cells.copy()
                pc["x"] = pc["x"] * rng.uniform(lo, hi, size=len(pc))
                if "n" in pc:
                    pc["n"] = pc["n"] * rng.uniform(lo, hi, size=len(pc))
                if "y" in pc:
                    pc["y"] = pc["y"] * rng.uniform(lo, hi, size=len(pc))
                nat = None
                if national is not None:
                    nat = national.copy()
                    nat["x_nat"] = nat["x_nat"] * rng.uniform(lo, hi, size=len(nat))
                reps.append(("pert", pc, nat))
        results = []
        if start is None:  # batch: replicate id as the year
            allc, alln = [], []
            for b, (_, c, n) in enumerate(reps):
                allc.append(c.assign(year=b))
                alln.append((n if n is not None else reference.national_totals(c, None)[["sector", "year", "x_nat"]]).assign(year=b))
            if allc:
                res = self._compute(eng, pd.concat(allc, ignore_index=True), pd.concat(alln, ignore_index=True), None, None)
                results = [res[res["year"] == b] for b in range(len(reps))]
        else:
            results = [self._compute(eng, c, n, year, start) for (_, c, n) in reps]
        agree = {f: np.zeros(len(det)) for f in flags}
        count = {f: np.zeros(len(det)) for f in flags}
        for res in results:
            orig = (res["region"].str.split("\x1e").str[0] + "\x1f" + res["sector"]).to_numpy()
            for f in flags:
                v = pd.Series(res[f].astype("float").to_numpy()).groupby(orig).mean()
                vv = pd.Series(key).map(v).to_numpy(dtype=float)
                ok = ~np.isnan(vv) & ~np.isnan(point[f])
                agree[f][ok] += 1 - np.abs(vv[ok] - point[f][ok])
                count[f][ok] += 1
        with np.errstate(invalid="ignore", divide="ignore"):
            return {f: np.where(count[f] > 0, agree[f] / np.maximum(count[f], 1), np.nan) for f in flags}


def crosses_break(panel: Panel, regions: pd.Series, start: int, end: int) -> np.ndarray:
    """True for regions whose territory changed in (start, end] in the panel's frame."""
    if panel.breaks is None or panel.breaks.empty:
        return np.zeros(len(regions), dtype=bool)
    b = panel.breaks
    hit = set(b.loc[(b["year"] > start) & (b["year"] <= end), "region"])
    return regions.isin(hit).to_numpy()


# ------------------------------------------------------------------------------------------
# The local engine: one year of the panel's grid (klaster.observatory.grid)
# ------------------------------------------------------------------------------------------


def group_index(panel: Panel, base: str) -> tuple[np.ndarray, np.ndarray]:
    """Each sector's base group as an index, and the group names (``all`` for the all-activities base)."""
    if base == "all":
        return np.zeros(len(panel.sector_codes), dtype=np.int64), np.asarray(["all"], dtype=object)
    names = panel.group_of()
    uniq, idx = np.unique(names.astype(str), return_inverse=True)
    return idx.astype(np.int64), uniq.astype(object)


def local_lq(panel: Panel, measure: str, year: int, base: str, extra: tuple[str, ...] = ()) -> tuple[grid.LQ, np.ndarray, np.ndarray]:
    """Location quotients of ``year`` on the grid; returns (LQ, present cells, group name of each sector)."""
    yi = panel.year_index(year)
    present = panel.present_any([measure, *[m for m in extra if m]], yi)
    gi, gnames = group_index(panel, base)
    nat = panel.national_grids.get(measure)
    t = grid.location_quotients(panel.grids[measure].year(yi), gi, national=None if nat is None else nat[yi], present=present)
    return t, present, gnames[gi]


def _boolean(f: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(f == 1, f == grid.NA)


def _det(panel: Panel, rows: np.ndarray, year: int, cols: dict) -> pd.DataFrame:
    """A long table of the cells ``rows`` (R × S mask) from (R × S), (R,) or (S,) arrays."""
    ri, si = np.nonzero(rows)
    out = {"region": panel.region_codes[ri], "sector": panel.sector_codes[si], "year": np.full(len(ri), int(year), dtype=np.int64)}
    R, S = rows.shape
    for k, v in cols.items():
        v = np.asarray(v)
        if v.ndim == 2:
            v = v[ri, si]
        elif v.shape == (R,) and R != S:
            v = v[ri]
        elif v.shape == (S,):
            v = v[si]
        elif v.ndim == 0:
            v = np.full(len(ri), v)
        out[k] = _boolean(v) if (v.dtype == np.int8 and k not in ("stars",)) else v
    return pd.DataFrame(out)


def _lq_cols(t: grid.LQ, grp: np.ndarray) -> dict:
    return {"grp": grp, "x": t.x, "x_region_base": t.x_region_base, "x_region": np.broadcast_to(t.x_region[:, None], t.x.shape),
            "x_nat": np.broadcast_to(t.x_nat[None, :], t.x.shape), "x_nat_base": np.broadcast_to(t.x_nat_base[None, :], t.x.shape),
            "lq": t.lq, "share_region": t.share_region, "share_nation": t.share_nation}


class ClusterMapping(Methodology):
    """U.S. Cluster Mapping Project flags and region cluster strength (methods.md §3.1).

    Parameters are those of :class:`Methodology`; thresholds ``lq_min, strong_pct, strong10_pct,
    significant_pct, qualifying_pct, size_pct`` (see ``methodologies/cmp-2016.yaml``). The panel
    must say each sector's group (``traded``/``local``): the rule's LQ base is the group
    (otherwise :class:`MethodologyError`, unless ``lq_base="all"`` is asked for).

    Attributes
    ----------
    flags_ : DataFrame
        One row per region × sector with ``strong, strong10, significant, qualifying``.
    strength_ : DataFrame
        ``region, year, x_strong, x_base, n_strong, strength`` (share of the region's traded
        measure in strong traded clusters).
    thresholds_table_ : DataFrame
        The percentiles used per sector (``p_strong``, ``p_size_x``, ...).

    References
    ----------
    Delgado, Porter & Stern (2016), J. Econ. Geography 16(1): 1–38.
    """

    method_id = "cmp"
    flag_names = ("strong", "strong10", "significant", "qualifying")

    def run(self, panel: Panel, *, measure: str, year: int, start_year: int | None = None,
            count_measure: str | None = "auto") -> pd.DataFrame:
        self._count = count_measure
        out = super().run(panel, measure=measure, year=year, start_year=start_year)
        det = self.details_
        self.thresholds_table_ = det[["sector", "year"] + [c for c in det.columns if c.startswith("p_")]].drop_duplicates("sector")
        groups = self.spec_.get("strength_groups", ["traded", "all"])
        fl = det[["region", "sector", "year", "grp", "x", "strong"]]
        if self._engine.kind == "ibis":
            self.strength_ = self._engine.con.execute(ibis_engine.cluster_strength(self._engine.table(fl), groups))
        else:
            self.strength_ = reference.cluster_strength(fl, groups)
        self.strength_ = self.strength_.sort_values("region").reset_index(drop=True)
        self.strength_.insert(0, "methodology", self.label)
        return out

    def _check_panel(self, panel, measure):
        super()._check_panel(panel, measure)
        cm = getattr(self, "_count", "auto")
        if cm == "auto":
            cm = self.spec_.get("count_measure")
            cm = cm if cm in panel.measures else None
        elif cm is not None and cm not in panel.measures:
            raise MethodologyError(f"count measure {cm!r} is not in the panel (measures: {', '.join(panel.measures)})")
        if cm == measure:
            cm = None  # the measure itself is the count: its own size condition covers it
        self.count_measure_ = cm
        self.omitted_ = "" if cm else "count (establishments) conditions: no count measure in the panel"

    def _cells(self, panel, measure, years):
        return prepare_cells(panel, measure, years=years, count_measure=self.count_measure_, base=self.lq_base_)

    def _compute(self, eng, cells, national, year, start):
        th = self.thresholds_
        use_count = "n" in cells.columns
        lq = eng.lq(cells, national)
        return eng.call("cmp_flags", lq, use_count=use_count, **th)

    def local_block(self, panel, measure, year, start):
        cm = self.count_measure_
        t, present, grp = local_lq(panel, measure, year, self.lq_base_, (cm,))
        n = panel.grids[cm].year(panel.year_index(year)) if cm else None
        th = self.thresholds_
        pct = {k: th[k] for k in ("strong_pct", "strong10_pct", "significant_pct", "qualifying_pct", "size_pct")}
        p = grid.cmp_thresholds(t.lq, t.x, n, **pct)
        flags = grid.cmp_flags(t.lq, t.x, n, p, lq_min=th["lq_min"])
        has = ~np.isnan(p["p_size_x"])
        rows = present & has[None, :]
        fg = self.spec_.get("flag_groups")
        ing = np.isin(grp.astype(str), fg) if fg else np.ones(len(grp), dtype=bool)
        for k in flags:
            flags[k] = np.where(ing[None, :], flags[k], grid.NA).astype(np.int8)
        cols = {"group": grp, "value": t.x, "lq": t.lq, **flags}
        if self.omitted_:
            cols["conditions_omitted"] = self.omitted_
        sg = np.isin(grp.astype(str), self.spec_.get("strength_groups", ["traded", "all"]))
        st = grid.cluster_strength(t.x, flags["strong"], sg)  # outside the rows x is 0 or missing: no contribution
        strength = pd.DataFrame({"methodology": self.label, "region": panel.region_codes, "year": int(year), **st})
        strength = strength[(present & sg[None, :]).any(axis=1)].reset_index(drop=True)
        thr = pd.DataFrame({"sector": panel.sector_codes, "year": int(year), **p})[has].reset_index(drop=True)
        return rows, cols, {"strength": strength, "thresholds": thr}

    def _compute_local(self, panel, measure, year, start):
        cm = self.count_measure_
        t, present, grp = local_lq(panel, measure, year, self.lq_base_, (cm,))
        n = panel.grids[cm].year(panel.year_index(year)) if cm else None
        th = self.thresholds_
        pct = {k: th[k] for k in ("strong_pct", "strong10_pct", "significant_pct", "qualifying_pct", "size_pct")}
        p = grid.cmp_thresholds(t.lq, t.x, n, **pct)
        flags = grid.cmp_flags(t.lq, t.x, n, p, lq_min=th["lq_min"])
        rows = present & ~np.isnan(p["p_size_x"])[None, :]  # sectors without a region with x > 0 have no percentiles
        cols = _lq_cols(t, grp)
        if n is not None:
            cols["n"] = n
        cols.update(p)
        cols.update(flags)
        return _det(panel, rows, year, cols)


class ECOStars(Methodology):
    """European Cluster Observatory stars: size, specialisation, focus (methods.md §3.2).

    Variants: ``productivity_pct`` (needs ``productivity_measure`` given to :meth:`run`, the
    numerator of productivity, e.g. GVA over employment) and ``growth_pct`` (CAGR of the measure
    over ``growth_years``), both as extra star columns.

    References
    ----------
    Ketels, C. & Protsiv, S. (2013), European Cluster Panorama methodology; European Cluster
    Observatory (2008–2012).
    """

    method_id = "eco"
    flag_names = ("size", "specialisation", "focus", "productivity_star", "growth_star")

    def run(self, panel: Panel, *, measure: str, year: int, start_year: int | None = None,
            productivity_measure: str | None = None) -> pd.DataFrame:
        self._prod = productivity_measure
        out = super().run(panel, measure=measure, year=year, start_year=start_year)
        out.insert(out.columns.get_loc("focus") + 1, "stars", self.details_["stars"].astype("Int64").to_numpy())
        return out

    def _years(self, panel, year, start_year):
        if self.thresholds_.get("growth_pct") is None:
            return super()._years(panel, year, start_year)
        return _growth_years(self, panel, year, start_year)

    def _check_panel(self, panel, measure):
        super()._check_panel(panel, measure)
        if self.thresholds_.get("productivity_pct") is not None:
            if not getattr(self, "_prod", None):
                raise MethodologyError("eco: productivity_pct is set but no productivity_measure was given to run()")
            if self._prod not in panel.measures:
                raise MethodologyError(f"productivity measure {self._prod!r} is not in the panel (measures: {', '.join(panel.measures)})")

    def _cells(self, panel, measure, years):
        return prepare_cells(panel, measure, years=years, second_measure=self._prod if self.thresholds_.get("productivity_pct") is not None else None,
                             base="all")

    def _compute(self, eng, cells, national, year, start):
        th = self.thresholds_
        lq = eng.lq(cells, national)
        growth = None
        if th.get("growth_pct") is not None:
            ch = eng.call("changes", lq, start, year)
            growth = eng.table(ch)
        kw = dict(size_pct=th["size_pct"], lq_min=th["lq_min"], focus_pct=th["focus_pct"],
                  productivity_pct=th.get("productivity_pct"), growth=growth, growth_pct=th.get("growth_pct"))
        if year is None:  # batched replicates: every "year" is one replicate
            sel = lq
        else:
            sel = lq[lq["year"] == year] if eng.kind != "ibis" else lq.filter(lq.year == year)
        if eng.kind != "ibis":
            return reference.eco_stars(sel, **kw)
        return eng.con.execute(ibis_engine.eco_stars(sel, **kw))

    def flag_names_present(self):
        names = ["size", "specialisation", "focus", "stars"]
        if self.thresholds_.get("productivity_pct") is not None:
            names.append("productivity_star")
        if self.thresholds_.get("growth_pct") is not None:
            names.append("growth_star")
        return names

    def local_block(self, panel, measure, year, start):
        det = self._eco_local(panel, measure, year, start)
        t, present, grp, st = det
        cols = {"group": grp, "value": t.x, "lq": t.lq, **{k: st[k] for k in self.flag_names_present()}}
        return present, cols, {}

    def _eco_local(self, panel, measure, year, start):
        th = self.thresholds_
        prod_m = self._prod if th.get("productivity_pct") is not None else None
        t, present, grp = local_lq(panel, measure, year, "all", (prod_m,))
        yi = panel.year_index(year)
        prod = grid._div(panel.grids[prod_m].year(yi), t.x) if prod_m else None
        growth = None
        if th.get("growth_pct") is not None:
            a, pres0, _ = local_lq(panel, measure, start, "all", (prod_m,))
            growth = np.where(pres0, grid.changes(a, t, year - start)["cagr"], np.nan)
        st = grid.eco_stars(t, size_pct=th["size_pct"], lq_min=th["lq_min"], focus_pct=th["focus_pct"], productivity=prod,
                            productivity_pct=th.get("productivity_pct"), growth=growth, growth_pct=th.get("growth_pct"))
        return t, present, grp, st

    def _compute_local(self, panel, measure, year, start):
        th = self.thresholds_
        prod_m = self._prod if th.get("productivity_pct") is not None else None
        t, present, grp = local_lq(panel, measure, year, "all", (prod_m,))
        yi = panel.year_index(year)
        prod = None
        if prod_m:
            prod = grid._div(panel.grids[prod_m].year(yi), t.x)
        growth = None
        if th.get("growth_pct") is not None:
            a, pres0, _ = local_lq(panel, measure, start, "all", (prod_m,))
            growth = np.where(pres0, grid.changes(a, t, year - start)["cagr"], np.nan)
        st = grid.eco_stars(t, size_pct=th["size_pct"], lq_min=th["lq_min"], focus_pct=th["focus_pct"], productivity=prod,
                            productivity_pct=th.get("productivity_pct"), growth=growth, growth_pct=th.get("growth_pct"))
        cols = _lq_cols(t, grp)
        if prod_m:
            cols["y"] = panel.grids[prod_m].year(yi)
        cols.update(st)
        det = _det(panel, present, year, cols)
        det["stars"] = pd.array(np.where(det["stars"].to_numpy() == grid.NA, None, det["stars"].to_numpy()), dtype="Int64")
        return det


def _growth_years(m: Methodology, panel: Panel, year: int, start_year: int | None):
    if year not in panel.years:
        raise MethodologyError(f"year {year} is not in the panel (years: {panel.years[0]}–{panel.years[-1]})")
    start = start_year if start_year is not None else year - int(m.spec_.get("growth_years", 5))
    if start not in panel.years:
        raise MethodologyError(f"{m.method_id}: start year {start} of the growth window is not in the panel "
                               f"(years: {', '.join(map(str, panel.years))}); give start_year")
    if start >= year:
        raise MethodologyError(f"{m.method_id}: start year {start} must be before year {year}")
    return start, [start, year]


class BusinessNavigator(Methodology):
    """Kazakhstan Business Navigator rule (methods.md §3.3; reconstructed, see the YAML's ``reading``).

    Flags ``specialised`` (LQ > 1), ``growing_cluster`` (cluster factor > 0),
    ``regional_advantage`` (regional factor > 0) and ``flagged`` (all three), over the growth
    window ``start_year``–``year``.
    """

    method_id = "kz-bn"
    #: with national totals held fixed, a region's flags do not depend on the other regions,
    #: so only the perturbation replicates are informative
    bootstrap_matters = False
    flag_names = ("specialised", "growing_cluster", "regional_advantage", "flagged")

    def _years(self, panel, year, start_year):
        return _growth_years(self, panel, year, start_year)

    def _compute(self, eng, cells, national, year, start):
        th = self.thresholds_
        lq = eng.lq(cells, national)
        res = eng.call("business_navigator", lq, start, year, **th)
        return res.rename(columns={"x1": "x"}).assign(x=lambda d: d["x"])

    def local_block(self, panel, measure, year, start):
        th = self.thresholds_
        a, p0, grp = local_lq(panel, measure, start, "all")
        b, p1, _ = local_lq(panel, measure, year, "all")
        bn = grid.business_navigator(a, b, **th)
        cols = {"start_year": np.int64(start), "group": grp, "value": b.x, "lq": b.lq,
                **{k: bn[k] for k in self.flag_names}, "crosses_break": crosses_break(panel, pd.Series(panel.region_codes), start, year)}
        return p0 & p1, cols, {}

    def _compute_local(self, panel, measure, year, start):
        th = self.thresholds_
        a, p0, grp = local_lq(panel, measure, start, "all")
        b, p1, _ = local_lq(panel, measure, year, "all")
        bn = grid.business_navigator(a, b, **th)
        gp = grid.growth_pair(a, b)
        cols = {"grp": grp, "x0": a.x, "lq0": a.lq, "x_nat0": np.broadcast_to(a.x_nat[None, :], a.x.shape), "xn0": gp["xn0"],
                "x": b.x, "lq1": b.lq, "x_nat1": np.broadcast_to(b.x_nat[None, :], b.x.shape), "xn1": gp["xn1"],
                "start_year": np.int64(start), "lq": b.lq}
        cols.update(bn)
        return _det(panel, p0 & p1, year, cols)


METHODOLOGIES: dict[str, type[Methodology]] = {"cmp": ClusterMapping, "eco": ECOStars, "kz-bn": BusinessNavigator}


def make(spec: str, **kwargs) -> Methodology:
    """A methodology from ``"id"`` or ``"id@version"`` (e.g. ``"cmp@2016.1"``)."""
    mid, _, ver = spec.partition("@")
    if mid not in METHODOLOGIES:
        raise MethodologyError(f"unknown methodology {mid!r} (available: {', '.join(METHODOLOGIES)})")
    m = METHODOLOGIES[mid](ver or None, **kwargs)
    load_spec(mid, ver or None)  # validates the version now
    return m
