"""Panels: region × sector × year values of one or more measures, with a unit and a cell status.

A :class:`Panel` holds, for every measure (employment, establishments, gva, …), a grid of values
indexed by year × region × sector (``float64``, NaN where there is no value) and a grid of cell
statuses (``absent`` — no such row in the input —, ``ok``, ``suppressed``, ``missing``,
``imputed``), plus

- ``regions``, ``sectors`` (text codes, sorted), ``years`` (integers, sorted);
- optionally national totals per measure (sector × year) for when the regions do not cover the
  nation (methods.md §1; U.S. Cluster Mapping: the national employment includes DC and areas
  outside the 50 states);
- ``sector_groups``: each sector's LQ base group (e.g. ``traded``/``local``; ``None`` when the
  input does not say);
- names, the territorial frame and its breaks, the source and data notes.

The grid is the natural shape of the data (every computation of the observatory is a sum or a
percentile along regions or sectors of one year) and the compact one: 30 million cells of one
measure take 240 MB of values and 30 MB of statuses. The long table of the old API is still
available as :attr:`Panel.data` (built on first use).

Input layouts (CSV, Parquet, XLSX — :func:`load_panel`)
------------------------------------------------------
**long**: one row per region × sector × year × measure, columns
``region, sector, year, measure, value, unit`` [``status``, ``group``, ``region_name``,
``sector_name``]. **wide**: one row per region × sector × year, one column per measure, columns
``region, sector, year`` [``group`` or ``traded``, ``region_name``, ``sector_name``] and the
measure columns, each with its unit in the header (``employment [persons]``,
``gva [mln KZT]``) or known by name (``employment``/``emp`` → persons,
``establishments``/``est`` → establishments); ``region_code``/``cluster_code``/``sector_code``
are read as ``region``/``sector`` and a true/false ``traded`` column as the group
``traded``/``local`` — the layout of the U.S. Cluster Mapping input file. Columns of a wide file
without a unit are left out with a note. See ``docs/observatory.md`` for the full layout.

Rules (errors are :class:`PanelError` naming the file, the row — the header is row 1 — the
column and the rule; nothing is guessed):

- codes are text, not empty; a sector has one group;
- years are integers between 1900 and 2100 (``2020.5`` is refused, not truncated);
- values are numbers by :mod:`klaster.observatory.numbers` (a comma in ``1,234`` is ambiguous
  and refused unless the file is read with ``decimal=","``), not negative, finite; blank cells
  and suppression markers (``(D)``, ``x``, ``…``) are suppressed/missing cells, kept as missing
  and never read as zero;
- units are known (:data:`UNITS`), one per measure; a cell appears once.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from klaster.observatory.numbers import parse_numbers, parse_years

#: Units a panel may carry (case-sensitive). Money units say their currency and scale.
UNITS = frozenset(
    {
        "persons",
        "thousand persons",
        "establishments",
        "mln KZT",
        "thousand KZT",
        "KZT",
        "USD",
        "thousand USD",
        "mln USD",
        "%",
        "index",
    }
)
#: Spellings accepted on input and their canonical unit.
UNIT_ALIASES = {
    "million KZT": "mln KZT",
    "million kzt": "mln KZT",
    "mln tenge": "mln KZT",
    "thousand tenge": "thousand KZT",
    "jobs": "persons",
    "employees": "persons",
}
STATUSES = ("ok", "suppressed", "missing", "imputed")
#: status codes of the grids (0 = no such cell in the input)
STATUS_CODES = {"absent": 0, "ok": 1, "suppressed": 2, "missing": 3, "imputed": 4}
_STATUS_NAMES = np.array(["absent", "ok", "suppressed", "missing", "imputed"], dtype=object)
#: Cell markers read as "suppressed" (statistical confidentiality) rather than as numbers.
SUPPRESSION_MARKERS = frozenset({"(D)", "D", "S", "(S)", "x", "X", "c", "C", "…", "...", "conf"})
_BLANKS = ("", "nan", "NaN", "NA", "None")
REQUIRED = ("region", "sector", "year", "measure", "value", "unit")
NATIONAL_REQUIRED = ("sector", "year", "measure", "value", "unit")
YEAR_MIN, YEAR_MAX = 1900, 2100
#: Measures a wide file may name without a unit, and their canonical names and units.
KNOWN_MEASURES = {
    "employment": ("employment", "persons"),
    "emp": ("employment", "persons"),
    "employees": ("employment", "persons"),
    "establishments": ("establishments", "establishments"),
    "est": ("establishments", "establishments"),
}
#: Column names read as the key columns of a panel.
KEY_ALIASES = {
    "region": "region", "region_code": "region", "region code": "region",
    "sector": "sector", "sector_code": "sector", "cluster_code": "sector", "industry": "sector", "industry_code": "sector",
    "year": "year",
    "group": "group", "traded": "traded",
    "region_name": "region_name", "sector_name": "sector_name", "cluster_name": "sector_name",
    "measure": "measure", "value": "value", "unit": "unit", "status": "status",
}
#: Largest grid (years × regions × sectors) the loader builds; a sparser panel of more cells is refused.
MAX_GRID_CELLS = 400_000_000
_BATCH = 1 << 20


class PanelError(ValueError):
    """Bad panel input. The message names the file, the row and the column (and the rule).

    Attributes
    ----------
    file, row, column : str or None, int or None, str or None
        Where the problem is (row numbered as in the file, header = row 1).
    """

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None, column: str | None = None):
        self.file, self.row, self.column = file, row, column
        where = []
        if file:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__((", ".join(where) + ": " if where else "") + message)


class Measure:
    """One measure of a panel: values and statuses on the year × region × sector grid.

    Attributes
    ----------
    values : ndarray, float64, shape (years, regions, sectors)
        In ``unit``; NaN where the cell has no value (absent, suppressed or missing).
    unit : str
    status : ndarray, uint8, same shape
        :data:`STATUS_CODES` (0 absent, 1 ok, 2 suppressed, 3 missing, 4 imputed).

    A measure read from a file written in grid order may be *lazy*: its years are read from the
    file when they are used (:meth:`year`, :meth:`year_status`), so a computation that goes
    year by year holds one year in memory; ``values`` and ``status`` read every year on first
    use.
    """

    def __init__(self, values, unit: str, status=None, *, loader=None, shape=None, keep: int = 2):
        self._values = values
        self.unit = unit
        self._status = status
        self._loader = loader
        self._shape = tuple(shape) if shape is not None else (values.shape if values is not None else None)
        self._cache: dict[int, np.ndarray] = {}
        self._keep = keep

    @property
    def lazy(self) -> bool:
        return self._values is None

    @property
    def values(self) -> np.ndarray:
        if self._values is None:
            self._values = np.stack([self.year(i) for i in range(self._shape[0])])
            self._cache.clear()
        return self._values

    @property
    def status(self) -> np.ndarray:
        if self._status is None:
            self._status = np.stack([self.year_status(i) for i in range(self._shape[0])])
        return self._status

    def year(self, yi: int) -> np.ndarray:
        """The (regions × sectors) values of year index ``yi``."""
        if self._values is not None:
            return self._values[yi]
        if yi not in self._cache:
            if len(self._cache) >= self._keep:
                self._cache.pop(next(iter(self._cache)))
            self._cache[yi] = self._loader(yi)
        return self._cache[yi]

    def year_status(self, yi: int) -> np.ndarray:
        """The (regions × sectors) statuses of year index ``yi``."""
        if self._status is not None:
            return self._status[yi]
        v = self.year(yi)
        return np.where(np.isnan(v), np.uint8(STATUS_CODES["missing"]), np.uint8(STATUS_CODES["ok"]))

    @property
    def present(self) -> np.ndarray:
        """Cells that appear in the input (whatever their status)."""
        return self.status > 0


class Panel:
    """A validated panel on the year × region × sector grid (see the module docstring).

    Parameters
    ----------
    regions, sectors : sequence of str
        Codes, in the order of the grid axes.
    years : sequence of int
    measures : mapping name → :class:`Measure`
    national : mapping name → ndarray (years × sectors), optional
        National totals of a measure (NaN where not given), for when the regions do not cover
        the nation; when absent the nation is the sum of the regions.
    frame : str, optional
        Name of the territorial frame the regions are expressed in (e.g. ``KZ-2022``).
    breaks : DataFrame, optional
        ``region, year, note``: the region's territory changed at the start of ``year``.
    sector_groups : mapping, optional
        sector → LQ base group (e.g. ``traded``/``local``, or ``all`` for every sector when the
        source declares that the all-activities base is meant); ``None`` when the input does not
        say (a methodology whose base is the group then refuses to run).
    sector_names, region_names : mapping, optional
    source : str
        Where the data came from (file name or dataset id), carried into reports.
    notes : list of str
    """

    def __init__(self, regions: Sequence[str], sectors: Sequence[str], years: Sequence[int], measures: Mapping[str, Measure], *,
                 national: Mapping[str, np.ndarray] | None = None, frame: str | None = None, breaks: pd.DataFrame | None = None,
                 sector_groups: Mapping[str, str] | None = None, sector_names: Mapping[str, str] | None = None,
                 region_names: Mapping[str, str] | None = None, source: str = "", notes: Iterable[str] = ()):
        self.region_codes = np.asarray([str(r) for r in regions], dtype=object)
        self.sector_codes = np.asarray([str(s) for s in sectors], dtype=object)
        self.year_values = np.asarray([int(y) for y in years], dtype=np.int64)
        self.grids: dict[str, Measure] = dict(measures)
        shape = (len(self.year_values), len(self.region_codes), len(self.sector_codes))
        for m, g in self.grids.items():
            if g._shape != shape:
                raise ValueError(f"measure {m!r}: grid of shape {g._shape}, expected {shape}")
        self.national_grids: dict[str, np.ndarray] = dict(national or {})
        self.frame = frame
        self.breaks = breaks
        self.sector_groups = dict(sector_groups) if sector_groups is not None else None
        self.sector_names = sector_names
        self.region_names = region_names
        self.source = source
        self.notes = list(notes)
        self._long: pd.DataFrame | None = None

    # -- views ------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int, int]:
        """(years, regions, sectors)."""
        return (len(self.year_values), len(self.region_codes), len(self.sector_codes))

    @property
    def measures(self) -> list[str]:
        return sorted(self.grids)

    @property
    def years(self) -> list[int]:
        """Years that have at least one cell."""
        key = tuple((m, id(g._status), id(g._values)) for m, g in self.grids.items())
        if getattr(self, "_years_key", None) != key:
            present = np.zeros(len(self.year_values), dtype=bool)
            for g in self.grids.values():
                if g.lazy and g._status is None:  # a file in grid order: every year has every cell
                    present[:] = True
                    continue
                present |= np.asarray(g.status).any(axis=(1, 2))
            self._years_cache = [int(y) for y in self.year_values[present]]
            self._years_key = key
        return list(self._years_cache)

    @property
    def regions(self) -> list[str]:
        return list(self.region_codes)

    @property
    def sectors(self) -> list[str]:
        return list(self.sector_codes)

    @property
    def cells(self) -> int:
        """Number of region × sector × year cells present in at least one measure."""
        return int(self.present_any().sum())

    def present_any(self, measures: Iterable[str] | None = None, year_index: int | None = None) -> np.ndarray:
        """Cells present in at least one of ``measures`` (default all): (years × regions × sectors),
        or (regions × sectors) of one year when ``year_index`` is given."""
        ms = list(measures) if measures is not None else list(self.grids)
        if year_index is None:
            out = np.zeros(self.shape, dtype=bool)
            for m in ms:
                out |= self.grids[m].present
            return out
        out = self.grids[ms[0]].year_status(year_index) > 0 if ms else np.zeros(self.shape[1:], dtype=bool)
        for m in ms[1:]:
            out |= self.grids[m].year_status(year_index) > 0
        return out

    def unit(self, measure: str) -> str:
        """The unit of ``measure`` (raises KeyError naming the measures present)."""
        if measure not in self.grids:
            raise KeyError(f"measure {measure!r} is not in the panel (measures: {', '.join(self.measures)})")
        return self.grids[measure].unit

    def group_of(self) -> np.ndarray:
        """Each sector's LQ base group (``all`` where the panel does not say)."""
        g = self.sector_groups or {}
        return np.asarray([g.get(s, "all") for s in self.sector_codes], dtype=object)

    def year_index(self, year: int) -> int:
        hit = np.flatnonzero(self.year_values == int(year))
        if not hit.size:
            raise KeyError(f"year {year} is not in the panel (years: {', '.join(map(str, self.years))})")
        return int(hit[0])

    @property
    def data(self) -> pd.DataFrame:
        """The long table ``region, sector, year, measure, value, unit, status`` (present cells)."""
        if self._long is None:
            parts = []
            for m in self.measures:
                g = self.grids[m]
                yi, ri, si = np.nonzero(g.present)
                parts.append(pd.DataFrame({
                    "region": self.region_codes[ri], "sector": self.sector_codes[si], "year": self.year_values[yi],
                    "measure": m, "value": g.values[yi, ri, si], "unit": g.unit, "status": _STATUS_NAMES[g.status[yi, ri, si]],
                }))
            cols = list(REQUIRED) + ["status"]
            self._long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
            self._long["region"] = self._long["region"].astype(object)
            self._long["sector"] = self._long["sector"].astype(object)
        return self._long

    @property
    def national(self) -> pd.DataFrame | None:
        """National totals as a long table ``sector, year, measure, value, unit`` (None when none)."""
        if not self.national_grids:
            return None
        parts = []
        for m, arr in self.national_grids.items():
            yi, si = np.nonzero(~np.isnan(arr))
            parts.append(pd.DataFrame({"sector": self.sector_codes[si], "year": self.year_values[yi], "measure": m,
                                       "value": arr[yi, si], "unit": self.grids[m].unit if m in self.grids else ""}))
        return pd.concat(parts, ignore_index=True)

    def wide(self, measures: Iterable[str] | None = None, years: Iterable[int] | None = None) -> pd.DataFrame:
        """One row per present (region, sector, year), one float column per measure (NaN = missing).

        A boolean column ``<measure>_suppressed`` is added for each measure with suppressed or
        missing cells, and the column ``group`` gives the LQ base group of the sector.
        """
        ms = list(measures) if measures is not None else self.measures
        for m in ms:
            if m not in self.grids:
                raise KeyError(f"measure {m!r} is not in the panel (measures: {', '.join(self.measures)})")
        yidx = np.arange(len(self.year_values))
        if years is not None:
            yidx = np.flatnonzero(np.isin(self.year_values, [int(y) for y in years]))
        pres = self.present_any(ms)[yidx]
        yi, ri, si = np.nonzero(pres)
        out = pd.DataFrame({"region": self.region_codes[ri], "sector": self.sector_codes[si],
                            "year": self.year_values[yidx][yi]})
        for m in ms:
            g = self.grids[m]
            out[m] = g.values[yidx][yi, ri, si]
        for m in ms:
            st = self.grids[m].status[yidx][yi, ri, si]
            sup = (st == STATUS_CODES["suppressed"]) | (st == STATUS_CODES["missing"])
            if sup.any():
                out[f"{m}_suppressed"] = sup
        out["group"] = self.group_of()[si]
        return out

    def national_wide(self, measures: Iterable[str]) -> pd.DataFrame | None:
        """National totals as ``sector, year, <measure>...`` or None when the panel has none."""
        ms = [m for m in measures if m in self.national_grids]
        if not ms:
            return None
        Y, _, S = self.shape
        yi, si = np.meshgrid(np.arange(Y), np.arange(S), indexing="ij")
        out = pd.DataFrame({"sector": self.sector_codes[si.ravel()], "year": self.year_values[yi.ravel()]})
        keep = np.zeros(Y * S, dtype=bool)
        for m in ms:
            v = self.national_grids[m].ravel()
            out[m] = v
            keep |= ~np.isnan(v)
        return out[keep].reset_index(drop=True)

    # -- transformations -------------------------------------------------------------------------
    def _replace(self, **kw) -> "Panel":
        args = dict(regions=self.region_codes, sectors=self.sector_codes, years=self.year_values, measures=self.grids,
                    national=self.national_grids, frame=self.frame, breaks=self.breaks, sector_groups=self.sector_groups,
                    sector_names=self.sector_names, region_names=self.region_names, source=self.source, notes=self.notes)
        args.update(kw)
        return Panel(args.pop("regions"), args.pop("sectors"), args.pop("years"), args.pop("measures"), **args)

    def select(self, *, years: Iterable[int] | None = None, sectors: Iterable[str] | None = None,
               regions: Iterable[str] | None = None, measures: Iterable[str] | None = None) -> "Panel":
        """A panel restricted to some years / sectors / regions / measures (national totals follow)."""
        yk = np.arange(len(self.year_values)) if years is None else np.flatnonzero(np.isin(self.year_values, [int(y) for y in years]))
        rk = np.arange(len(self.region_codes)) if regions is None else np.flatnonzero(np.isin(self.region_codes, list(map(str, regions))))
        sk = np.arange(len(self.sector_codes)) if sectors is None else np.flatnonzero(np.isin(self.sector_codes, list(map(str, sectors))))
        ms = self.measures if measures is None else [m for m in measures if m in self.grids]
        grids = {m: Measure(self.grids[m].values[np.ix_(yk, rk, sk)], self.grids[m].unit, self.grids[m].status[np.ix_(yk, rk, sk)])
                 for m in ms}
        nat = {m: a[np.ix_(yk, sk)] for m, a in self.national_grids.items() if m in ms}
        return self._replace(regions=self.region_codes[rk], sectors=self.sector_codes[sk], years=self.year_values[yk],
                             measures=grids, national=nat)

    def _aggregate(self, axis: int, target_of: np.ndarray, targets: np.ndarray) -> dict[str, Measure]:
        """Sum along regions (axis 1) or sectors (axis 2) into ``targets``; a target cell is missing
        (status suppressed) when any contributing present cell is suppressed/missing."""
        k = len(targets)
        grids = {}
        for m, g in self.grids.items():
            v = np.moveaxis(g.values, axis, -1)
            st = np.moveaxis(g.status, axis, -1)
            shp = v.shape[:-1] + (k,)
            val = np.zeros(shp)
            miss = np.zeros(shp, dtype=bool)
            imp = np.zeros(shp, dtype=bool)
            pres = np.zeros(shp, dtype=bool)
            for j in range(v.shape[-1]):
                t = target_of[j]
                if t < 0:
                    continue
                sj = st[..., j]
                pj = sj > 0
                pres[..., t] |= pj
                bad = (sj == STATUS_CODES["suppressed"]) | (sj == STATUS_CODES["missing"])
                miss[..., t] |= bad
                imp[..., t] |= sj == STATUS_CODES["imputed"]
                val[..., t] += np.where(pj & ~bad, np.nan_to_num(v[..., j]), 0.0)
            status = np.where(pres, np.where(miss, STATUS_CODES["suppressed"], np.where(imp, STATUS_CODES["imputed"], STATUS_CODES["ok"])), 0)
            val = np.where(pres & ~miss, val, np.nan)
            grids[m] = Measure(np.ascontiguousarray(np.moveaxis(val, -1, axis)), g.unit,
                               np.ascontiguousarray(np.moveaxis(status.astype(np.uint8), -1, axis)))
        return grids

    def rollup_prefix(self, digits: int) -> "Panel":
        """Roll sectors up to their first ``digits`` characters (OKED, NAICS hierarchies).

        A rolled-up cell is missing (and flagged ``suppressed``) when any of its parts is.
        """
        return self.map_sectors({s: s[:digits] for s in self.sectors}, name=f"prefix{digits}")

    def rollup_regions(self, digits: int) -> "Panel":
        """Roll regions up to the first ``digits`` characters of their codes (e.g. KATO levels).

        A rolled-up cell is missing (``suppressed``) when any of its parts is.
        """
        targets = np.asarray(sorted({r[:digits] for r in self.region_codes}), dtype=object)
        pos = {t: i for i, t in enumerate(targets)}
        target_of = np.asarray([pos[r[:digits]] for r in self.region_codes])
        grids = self._aggregate(1, target_of, targets)
        return self._replace(regions=targets, measures=grids, breaks=None, region_names=None,
                             notes=list(self.notes) + [f"regions rolled up to {digits}-character codes"])

    def map_sectors(self, crosswalk: Mapping[str, str] | pd.DataFrame, *, name: str = "crosswalk",
                    groups: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None) -> "Panel":
        """Aggregate sectors through a crosswalk ``source code -> target code``.

        Parameters
        ----------
        crosswalk : mapping or DataFrame with columns ``source, target``
            Codes absent from the crosswalk are dropped and reported in :attr:`notes`.
        groups, names : mapping, optional
            LQ base group and name of each target code.

        Notes
        -----
        A target cell is missing when any contributing cell is missing (``status`` =
        ``suppressed``): the sum of known parts would understate it. Additive measures only.
        """
        if isinstance(crosswalk, pd.DataFrame):
            cw = dict(zip(crosswalk["source"].astype(str), crosswalk["target"].astype(str)))
        else:
            cw = {str(k): str(v) for k, v in crosswalk.items()}
        notes = list(self.notes)
        unmapped = [s for s in self.sector_codes if s not in cw]
        if unmapped:
            notes.append(f"{name}: {len(unmapped)} sector codes have no target and were left out "
                         f"({', '.join(unmapped[:30])}{'…' if len(unmapped) > 30 else ''})")
        targets = np.asarray(sorted({cw[s] for s in self.sector_codes if s in cw}), dtype=object)
        pos = {t: i for i, t in enumerate(targets)}
        target_of = np.asarray([pos[cw[s]] if s in cw else -1 for s in self.sector_codes])
        grids = self._aggregate(2, target_of, targets)
        nat = {}
        for m, arr in self.national_grids.items():
            out = np.full((arr.shape[0], len(targets)), np.nan)
            for j, t in enumerate(target_of):
                if t >= 0:
                    out[:, t] = np.where(np.isnan(out[:, t]), 0, out[:, t]) + np.nan_to_num(arr[:, j])
            nat[m] = out
        return self._replace(sectors=targets, measures=grids, national=nat, sector_groups=groups, sector_names=names, notes=notes)


# ------------------------------------------------------------------------------------------
# Loading and validation
# ------------------------------------------------------------------------------------------


def _canonical(name: str) -> str:
    return re.sub(r"\s+", " ", str(name).strip().lower())


_MEASURE_HEADER = re.compile(r"^(?P<name>.+?)\s*\[(?P<unit>[^\]]+)\]\s*$")


@dataclass
class _Source:
    """A table to read: a factory of Arrow record batches and where row 1 of the data is."""

    name: str
    columns: list[str]
    batches_of: "callable"  # (columns or None) -> iterator of pyarrow.RecordBatch
    first_row: int = 2
    column: "callable | None" = None  # name -> pyarrow.ChunkedArray (the whole column), where cheap
    parquet: object = None  # the pyarrow ParquetFile, for reads by row group

    def batches(self, columns=None):
        return self.batches_of(columns)


def _source_from_frame(df: pd.DataFrame, name: str, first_row: int = 2) -> _Source:
    import pyarrow as pa

    d = df.copy()
    d.columns = [str(c) for c in d.columns]
    for c in d.columns:
        if d[c].dtype == object:
            d[c] = d[c].map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)).astype(object)
    table = pa.Table.from_pandas(d, preserve_index=False)
    return _Source(name, list(d.columns), lambda cols=None: iter((table.select(cols) if cols else table).to_batches(_BATCH)), first_row)


def _open(path: Path, sheet: str | int | None = None) -> _Source:
    """Open CSV / Parquet / XLSX as a :class:`_Source` (text cells as strings; Parquet typed)."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise PanelError("file not found", file=str(path))
    name = path.name
    try:
        if suffix in (".csv", ".txt"):
            import pyarrow.csv as pacsv

            with path.open("rb") as fh:
                head = fh.read(4)
            if not head:
                raise PanelError("the file is empty", file=name)
            table = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(encoding="utf8"),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                     auto_dict_encode=False, column_types=_all_strings(path)),
            )
            names = [str(c).lstrip("\ufeff") for c in table.schema.names]
            table = table.rename_columns(names)
            return _Source(name, names, lambda cols=None: iter((table.select(cols) if cols else table).to_batches(_BATCH)), 2)
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            pf = pq.ParquetFile(path)
            names = list(pf.schema_arrow.names)
            return _Source(name, names, lambda cols=None: pf.iter_batches(batch_size=_BATCH, columns=cols), 2,
                           lambda c: pf.read(columns=[c]).column(c), pf)
        if suffix in (".xlsx", ".xlsm"):
            return _source_from_frame(_read_xlsx(path, sheet), name)
    except PanelError:
        raise
    except UnicodeDecodeError:
        raise PanelError("the text is not UTF-8 (save the file as UTF-8 CSV)", file=name) from None
    except Exception as exc:  # noqa: BLE001 - pyarrow / openpyxl parse errors of the user's file
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise PanelError(f"cannot be read as {suffix[1:].upper()}: {msg}", file=name) from None
    raise PanelError(f"unsupported file type {suffix!r} (use .csv, .parquet or .xlsx)", file=name)


def _all_strings(path: Path) -> dict:
    """Column types for the CSV reader: every column read as text (parsed here, strictly)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 20, encoding="utf8"),
                        parse_options=pacsv.ParseOptions(newlines_in_values=True)) as r:
        names = r.schema.names
    return {n: pa.string() for n in names}


def _read_xlsx(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """The first (or named) sheet as text cells, streamed (the declared sheet range is ignored)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet or 0]
        ws.reset_dimensions()
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise PanelError("the sheet is empty", file=path.name)
        while header and header[-1] is None:
            header = header[:-1]
        names = ["" if h is None else str(h).strip() for h in header]
        data = []
        for row in rows:
            row = list(row[: len(names)]) + [None] * max(0, len(names) - len(row))
            if all(v is None for v in row):
                continue
            data.append(["" if v is None else _cell_text(v) for v in row])
        return pd.DataFrame(data, columns=names, dtype=object)
    finally:
        wb.close()


def _cell_text(v) -> str:
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _layout(columns: Sequence[str], file: str, *, national: bool = False) -> dict:
    """Map the file's columns to roles; decide long or wide."""
    roles: dict[str, str] = {}
    measure_cols: list[tuple[str, str, str | None]] = []  # (column, measure, unit)
    skipped: list[str] = []
    seen = {}
    for c in columns:
        key = _canonical(c)
        role = KEY_ALIASES.get(key)
        if role:
            if role in seen:
                raise PanelError(f"columns {seen[role]!r} and {c!r} both give the {role}", file=file, row=1, column=c)
            seen[role] = c
            roles[role] = c
    long = "measure" in roles or "value" in roles
    if long:
        required = NATIONAL_REQUIRED if national else REQUIRED
        missing = [c for c in required if c not in roles]
        if missing:
            raise PanelError(
                f"missing column(s) {', '.join(missing)}; a long panel needs {', '.join(required)} "
                f"(found: {', '.join(map(str, columns))})", file=file, row=1, column=missing[0])
        return {"long": True, "roles": roles, "measures": [], "skipped": []}
    required = ("sector", "year") if national else ("region", "sector", "year")
    missing = [c for c in required if c not in roles]
    if missing:
        raise PanelError(
            f"missing column(s) {', '.join(missing)}; a panel is long ({', '.join(REQUIRED)}) or wide "
            f"({', '.join(required)} and one column per measure, e.g. 'employment [persons]') "
            f"(found: {', '.join(map(str, columns))})", file=file, row=1, column=missing[0])
    used = set(roles.values())
    for c in columns:
        if c in used:
            continue
        m = _MEASURE_HEADER.match(str(c))
        if m:
            unit = UNIT_ALIASES.get(m.group("unit").strip(), m.group("unit").strip())
            if unit not in UNITS:
                raise PanelError(f"unknown unit {m.group('unit')!r} of measure {m.group('name')!r} "
                                 f"(allowed: {', '.join(sorted(UNITS))})", file=file, row=1, column=c)
            name = m.group("name").strip()
            known = KNOWN_MEASURES.get(_canonical(name))
            measure_cols.append((c, known[0] if known else name, unit))
        elif _canonical(c) in KNOWN_MEASURES:
            measure_cols.append((c, *KNOWN_MEASURES[_canonical(c)]))
        else:
            skipped.append(c)
    names = [m for _, m, _ in measure_cols]
    dup = {m for m in names if names.count(m) > 1}
    if dup:
        c = next(col for col, m, _ in measure_cols if m in dup)
        raise PanelError(f"measure {sorted(dup)[0]!r} is given by two columns", file=file, row=1, column=c)
    if not measure_cols:
        raise PanelError(
            "no measure column: a wide panel needs one column per measure with its unit, e.g. 'employment [persons]' "
            f"or 'gva [mln KZT]' (found: {', '.join(map(str, columns))})", file=file, row=1,
            column=skipped[0] if skipped else None)
    return {"long": False, "roles": roles, "measures": measure_cols, "skipped": skipped}


def _text(arr) -> np.ndarray:
    """An Arrow array (or chunk) as a numpy object array of str/None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        if pa.types.is_floating(arr.type):
            f = arr.to_numpy(zero_copy_only=False)
            out = np.array([None if v != v else (str(int(v)) if float(v).is_integer() else repr(float(v))) for v in f], dtype=object)
            return out
        arr = pc.cast(arr, pa.string())
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)


def _dict_codes(col) -> tuple[np.ndarray, list]:
    """A text column as (codes, labels): ``labels[codes[i]]`` is row i's text, stripped; code -1 is
    a null. Vectorised (Arrow dictionary encoding); Python touches only the distinct values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if not pa.types.is_dictionary(col.type):
        col = pc.dictionary_encode(col)
    idx = col.indices.to_numpy(zero_copy_only=False)
    if col.indices.null_count:
        idx = np.where(pc.is_null(col.indices).to_numpy(zero_copy_only=False), -1, idx)
    labels = [None if v is None else str(v).strip() for v in _text(col.dictionary)]
    return np.asarray(idx, dtype=np.int64), labels


def _mapped(col, fn) -> np.ndarray:
    """``fn(text)`` of every row of a text column, computed once per distinct value (object array)."""
    codes, labels = _dict_codes(col)
    lut = np.empty(len(labels) + 1, dtype=object)
    for k, lab in enumerate(labels):
        lut[k] = fn(lab)
    lut[-1] = fn(None)
    return lut[codes]


class _FirstRow:
    """The position of a pair's first occurrence in the batch, found only when it is asked for
    (for an error message): ``int(first_row)``."""

    def __init__(self, key, k):
        self._key, self._k = key, k

    def __int__(self):
        return int(np.argmax(self._key == self._k))

    __index__ = __int__


def _distinct_pairs(a, b, fa, fb) -> list[tuple]:
    """Distinct (fa(text of a), fb(text of b)) pairs of two columns, with the row of their first
    occurrence: ``[(va, vb, row), …]`` (integer codes counted; Python sees only distinct pairs;
    a row is located only when used)."""
    ca, la = _dict_codes(a)
    cb, lb = _dict_codes(b)
    la = [fa(x) for x in la] + [fa(None)]
    lb = [fb(x) for x in lb] + [fb(None)]
    key = np.where(ca < 0, len(la) - 1, ca) * len(lb) + np.where(cb < 0, len(lb) - 1, cb)
    if len(la) * len(lb) <= 50_000_000:
        present = np.flatnonzero(np.bincount(key, minlength=len(la) * len(lb)))
    else:
        present = pd.unique(key)
    out = []
    for k in present:
        i, j = divmod(int(k), len(lb))
        out.append((la[i], lb[j], _FirstRow(key, int(k))))
    return out


def _codes(col, file: str, column: str, rows0: int, first_row: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct codes of a key column chunk: (unique raw values, their stripped text)."""
    import pyarrow.compute as pc

    u = pc.unique(col)
    raw = u.to_numpy(zero_copy_only=False) if not hasattr(u, "dictionary") else _text(u)
    txt = _text(u)
    bad = np.array([t is None or str(t).strip() in _BLANKS for t in txt], dtype=bool)
    if bad.any():
        # the first row holding an empty code
        vals = _text(col)
        isbad = np.array([v is None or str(v).strip() in _BLANKS for v in vals], dtype=bool)
        i = int(np.flatnonzero(isbad)[0])
        raise PanelError(f"empty code: {vals[i]!r}", file=file, row=rows0 + i + first_row, column=column)
    return raw, np.array([str(t).strip() for t in txt], dtype=object)


def _index_of(col, mapping: dict) -> np.ndarray:
    """Positions of a chunk's values in ``mapping`` (raw value → int)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = list(mapping.keys())
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    try:
        vs = pa.array(keys, type=col.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        vs = pa.array([str(k) for k in keys])
        col = pc.cast(col, pa.string())
    idx = pc.index_in(col, value_set=vs).to_numpy(zero_copy_only=False)
    lut = np.asarray([mapping[k] for k in keys], dtype=np.int64)
    return lut[np.asarray(idx, dtype=np.int64)]


def _years_of(col, file, column, rows0, first_row, cache: dict) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_integer(col.type):
        y = col.to_numpy(zero_copy_only=False)
        if col.null_count:
            i = int(np.flatnonzero(pc.is_null(col).to_numpy(zero_copy_only=False))[0])
            raise PanelError("year must be an integer between 1900 and 2100: None", file=file, row=rows0 + i + first_row, column=column)
        y = np.asarray(y, dtype=np.int64)
    else:
        codes, labels = _dict_codes(col)
        lut = np.empty(len(labels) + 1, dtype=np.int64)
        for k, t in enumerate(labels + [None]):
            if t not in cache:
                yy, bad = parse_years([t if t is not None else ""])
                cache[t] = None if bad[0] else int(yy[0])
            lut[k] = -1 if cache[t] is None else cache[t]
        y = lut[codes]
        badm = y == -1
        if badm.any():
            i = int(np.flatnonzero(badm)[0])
            t = (labels + [None])[codes[i]]
            raise PanelError(f"year must be an integer between 1900 and 2100 (not truncated, not a date): {t!r}",
                             file=file, row=rows0 + i + first_row, column=column)
    out = (y < YEAR_MIN) | (y > YEAR_MAX)
    if out.any():
        i = int(np.flatnonzero(out)[0])
        raise PanelError(f"year must be an integer between 1900 and 2100: {int(y[i])!r}", file=file, row=rows0 + i + first_row, column=column)
    return y


def _values_of(col, file, column, rows0, first_row, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """Values (NaN where blank/marker) and the status they imply (1 ok, 2 suppressed, 3 missing)."""
    import pyarrow as pa

    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type) or pa.types.is_decimal(col.type):
        v = np.asarray(col.to_numpy(zero_copy_only=False), dtype=float)
        if isinstance(v, np.ma.MaskedArray):
            v = v.filled(np.nan)
        st = np.where(np.isnan(v), STATUS_CODES["missing"], STATUS_CODES["ok"]).astype(np.uint8)
        inf = np.isinf(v)
        if inf.any():
            i = int(np.flatnonzero(inf)[0])
            raise PanelError(f"value is infinite: {v[i]!r}", file=file, row=rows0 + i + first_row, column=column)
    else:
        import pyarrow.compute as pc

        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        if not pa.types.is_string(col.type):
            col = pc.cast(col, pa.string())
        txt = pd.Series(pd.arrays.ArrowStringArray(col))
        stripped = txt.str.strip()
        marker = stripped.isin(list(SUPPRESSION_MARKERS)).fillna(False).to_numpy(dtype=bool)
        p = parse_numbers(stripped.mask(pd.Series(marker), ""), decimal=decimal, missing=_BLANKS)
        k = p.first_bad()
        if k is not None:
            raise PanelError(f"value is not a number ({p.reasons[k]}; write it blank, or as a suppression marker such as (D), "
                             f"for a suppressed cell): {txt.iloc[k]!r}", file=file, row=rows0 + k + first_row, column=column)
        v = p.values
        st = np.where(marker, STATUS_CODES["suppressed"], np.where(p.blank, STATUS_CODES["missing"], STATUS_CODES["ok"])).astype(np.uint8)
    neg = v < 0
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise PanelError(f"value is negative: {v[i]!r}", file=file, row=rows0 + i + first_row, column=column)
    return v, st


def _bools_of(col, file, column, rows0, first_row) -> np.ndarray:
    def f(t):
        t = "" if t is None else t.lower()
        return "traded" if t in ("true", "1", "yes", "t") else "local" if t in ("false", "0", "no", "f") else None

    out = _mapped(col, f)
    bad = np.array([v is None for v in out], dtype=bool) if len(out) < 64 else pd.isna(out)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise PanelError(f"'traded' must be true or false: {_text(col.slice(i, 1))[0]!r}", file=file, row=rows0 + i + first_row, column=column)
    return out


def load_panel(path: str | Path, *, national: str | Path | None = None, sheet: str | int | None = None,
               suppress_zero: Iterable[str] = (), sector_groups: Mapping[str, str] | None = None,
               frame: str | None = None, decimal: str = ".", units: Mapping[str, str] | None = None,
               progress=None) -> Panel:
    """Load a panel from CSV, Parquet or XLSX, long or wide layout (see the module docstring).

    Parameters
    ----------
    path : path
        The panel.
    national : path, optional
        National totals (``sector, year, measure, value, unit`` long, or ``sector, year`` and
        measure columns wide), for when the regions do not cover the nation.
    sheet : str or int, optional
        XLSX sheet (default the first).
    suppress_zero : iterable of str
        Measures whose zeros mean "suppressed" in this source.
    sector_groups : mapping, optional
        sector → LQ base group; overrides a ``group``/``traded`` column of the file.
    decimal : {".", ","}
        Decimal separator of text numbers (:mod:`klaster.observatory.numbers`).
    units : mapping, optional
        Units of measure columns of a wide file that do not say it in their header
        (``{"private_wage": "USD"}``).
    progress : callable, optional
        ``progress(rows_read)`` after each batch of rows.

    Returns
    -------
    Panel

    Raises
    ------
    PanelError
        Unreadable or unsupported file; a missing column; an empty code; a year that is not an
        integer in 1900–2100; a value that is not a number (or ambiguous), negative or infinite;
        an unknown unit or two units for one measure; a bad status; a sector with two groups; a
        duplicate cell. The message names the file, the row and the column.
    """
    p = Path(path)
    src = _open(p, sheet)
    panel = _build(src, suppress_zero=suppress_zero, decimal=decimal, units=units, progress=progress)
    if sector_groups is not None:
        panel.sector_groups = dict(sector_groups)
    if national is not None:
        q = Path(national)
        _attach_national(panel, _open(q, None), decimal=decimal, units=units)
    panel.source = p.name
    panel.frame = frame
    return panel


def _build(src: _Source, *, suppress_zero=(), decimal=".", units=None, progress=None, national: bool = False) -> Panel:
    """Two passes over the batches: codes and years, then values scattered into the grids."""

    lay = _layout(src.columns, src.name, national=national)
    roles = lay["roles"]
    file = src.name
    units = dict(units or {})
    measure_cols = list(lay["measures"])
    skipped = []
    for c in lay["skipped"]:
        if c in units:
            u = UNIT_ALIASES.get(units[c], units[c])
            if u not in UNITS:
                raise PanelError(f"unknown unit {units[c]!r} given for column {c!r} (allowed: {', '.join(sorted(UNITS))})", file=file)
            measure_cols.append((c, c, u))
        elif _canonical(c) not in ("status",):
            skipped.append(c)
    key_cols = ["sector", "year"] if national else ["region", "sector", "year"]
    # ---- pass 1: codes, years, measures, units, groups, names
    regs, secs, yrs = {}, {}, set()
    measures: dict[str, str | None] = {m: u for _, m, u in measure_cols}
    groups: dict[str, tuple[str, int]] = {}
    rnames: dict[str, str] = {}
    snames: dict[str, str] = {}
    year_cache: dict = {}
    rows0 = 0
    first = src.first_row
    pass1 = [c for r, c in roles.items() if r not in ("value",)]
    for b in src.batches(pass1):
        n = b.num_rows
        cols = dict(zip(b.schema.names, b.columns))
        if not national:
            raw, lab = _codes(cols[roles["region"]], file, roles["region"], rows0, first)
            for r, lb in zip(raw, lab):
                regs.setdefault(r, lb)
        raw, lab = _codes(cols[roles["sector"]], file, roles["sector"], rows0, first)
        for r, lb in zip(raw, lab):
            secs.setdefault(r, lb)
        yv = _years_of(cols[roles["year"]], file, roles["year"], rows0, first, year_cache)
        yrs.update(pd.unique(yv).tolist())
        if lay["long"]:
            for m, u, pos in _distinct_pairs(cols[roles["measure"]], cols[roles["unit"]], lambda t: t or "",
                                             lambda t: UNIT_ALIASES.get(t, t) if t else ""):
                i = 0 if m and u in UNITS and not (m in measures and measures[m] is not None and measures[m] != u) else int(pos)
                if m == "":
                    raise PanelError("empty code: ''", file=file, row=rows0 + i + first, column=roles["measure"])
                if u not in UNITS:
                    raise PanelError(f"unknown unit (allowed: {', '.join(sorted(UNITS))}): {u!r}", file=file,
                                     row=rows0 + i + first, column=roles["unit"])
                if m in measures and measures[m] is not None and measures[m] != u:
                    raise PanelError(f"measure {m!r} has more than one unit (first seen: {measures[m]!r}): {u!r}", file=file,
                                     row=rows0 + i + first, column=roles["unit"])
                measures[m] = u
            if "status" in roles:
                stt = _mapped(cols[roles["status"]], lambda t: t or "ok")
                bads = ~np.isin(stt, list(STATUSES))
                if bads.any():
                    i = int(np.flatnonzero(bads)[0])
                    raise PanelError(f"status must be one of {', '.join(STATUSES)}: {stt[i]!r}", file=file,
                                     row=rows0 + i + first, column=roles["status"])
        gcol = roles.get("group") or roles.get("traded")
        if gcol is not None:
            def traded(t):
                t = "" if t is None else t.lower()
                return "traded" if t in ("true", "1", "yes", "t") else "local" if t in ("false", "0", "no", "f") else None

            gf = (lambda t: t or "") if "group" in roles else traded
            for sct, g, pos in _distinct_pairs(cols[roles["sector"]], cols[gcol], lambda t: t or "", gf):
                i = int(pos) if (g == "" or g is None or (sct in groups and groups[sct][0] != g)) else 0
                if "group" in roles and g == "":
                    raise PanelError("empty LQ base group (write e.g. traded, local or all)", file=file, row=rows0 + i + first, column=gcol)
                if g is None:
                    raise PanelError(f"'traded' must be true or false: {_text(cols[gcol].slice(i, 1))[0]!r}", file=file,
                                     row=rows0 + i + first, column=gcol)
                if sct in groups and groups[sct][0] != g:
                    raise PanelError(f"sector {sct!r} is in two LQ base groups ({groups[sct][0]!r} and {g!r})", file=file,
                                     row=rows0 + i + first, column=gcol)
                groups.setdefault(sct, (g, rows0 + first))
        for role, store, keyrole in (("region_name", rnames, "region"), ("sector_name", snames, "sector")):
            if role in roles and keyrole in roles:
                for k, nm, _i in _distinct_pairs(cols[roles[keyrole]], cols[roles[role]], lambda t: t or "", lambda t: t):
                    if nm is not None and str(nm).strip():
                        store.setdefault(k, str(nm).strip())
        rows0 += n
    if rows0 == 0:
        raise PanelError("the panel has no rows", file=file, row=2)
    # ---- dimensions
    def order(d: dict) -> tuple[np.ndarray, dict]:
        # codes typed as integers in the file are ordered as numbers, text codes as text
        numeric = bool(d) and all(isinstance(r, (int, np.integer)) and not isinstance(r, bool) for r in d)
        labels = sorted(set(d.values()), key=(lambda lb: (int(lb), lb)) if numeric else None)
        pos = {lb: i for i, lb in enumerate(labels)}
        return np.asarray(labels, dtype=object), {raw: pos[lb] for raw, lb in d.items()}

    region_labels, rmap = order(regs) if not national else (np.asarray(["(nation)"], dtype=object), {})
    sector_labels, smap = order(secs)
    years = np.asarray(sorted(yrs), dtype=np.int64)
    Y, R, S = len(years), max(len(region_labels), 1), len(sector_labels)
    if Y * R * S > MAX_GRID_CELLS:
        raise PanelError(f"{Y:,} years × {R:,} regions × {S:,} sectors = {Y * R * S:,} grid cells exceed "
                         f"{MAX_GRID_CELLS:,}; aggregate sectors or regions, or run it with --engine duckdb or spark",
                         file=file)
    mnames = list(measures)
    zero_supp = set(suppress_zero)
    key_cols = [roles[r] for r in ("region", "sector", "year") if r in roles]
    fast = None
    if not lay["long"] and not national and src.column is not None:
        fast = _grid_order(src, key_cols, roles, rmap, smap, years, R, S, file, first, year_cache)
    if fast:
        grids = {}
        for c, m, u in measure_cols:
            grids[m] = (None if m in zero_supp else _lazy_column(src, c, (Y, R, S), u)) \
                or _whole_column(src, c, (Y, R, S), u, file, first, decimal, m in zero_supp)
            if grids[m] is None:
                break
        else:
            notes = []
            if skipped:
                notes.append(f"{file}: column(s) {', '.join(skipped)} left out (a measure column needs a unit in its header, "
                             "e.g. 'private_wage [USD]', or --unit COLUMN=UNIT)")
            if progress is not None:
                progress(rows0)
            sector_groups = {sector_labels[smap[k]] if k in smap else k: g for k, (g, _) in groups.items()} if groups else None
            if sector_groups is not None:
                sector_groups = {s_: sector_groups[s_] for s_ in sector_labels if s_ in sector_groups}
            return Panel(region_labels, sector_labels, years, grids, sector_groups=sector_groups,
                         sector_names=snames or None, region_names=rnames or None, source=file, notes=notes)
    grids = {m: Measure(np.full((Y, R, S), np.nan), measures[m] or "", np.zeros((Y, R, S), dtype=np.uint8)) for m in mnames}
    mindex = {m: i for i, m in enumerate(mnames)}
    # ---- pass 2: scatter
    rows0 = 0
    pass2 = [roles[r] for r in ("region", "sector", "year", "measure", "value", "status") if r in roles] + [c for c, _, _ in measure_cols]
    for b in src.batches(pass2):
        n = b.num_rows
        cols = dict(zip(b.schema.names, b.columns))
        ri = np.zeros(n, dtype=np.int64) if national else _index_of(cols[roles["region"]], rmap)
        si = _index_of(cols[roles["sector"]], smap)
        yv = _years_of(cols[roles["year"]], file, roles["year"], rows0, first, year_cache)
        yi = np.searchsorted(years, yv)
        lin = (yi * R + ri) * S + si
        if lay["long"]:
            mt = _mapped(cols[roles["measure"]], lambda t: t or "")
            v, st = _values_of(cols[roles["value"]], file, roles["value"], rows0, first, decimal)
            if "status" in roles:
                given = _mapped(cols[roles["status"]], lambda t: STATUS_CODES[t or "ok"]).astype(np.uint8)
                # a marker or blank makes the cell suppressed/missing; a present value keeps the given status
                st = np.where(st == STATUS_CODES["ok"], given, np.where((st == STATUS_CODES["missing"]) & (given == STATUS_CODES["suppressed"]), given, st)).astype(np.uint8)
                present_value = (given == STATUS_CODES["ok"]) | (given == STATUS_CODES["imputed"])
                lack = present_value & np.isnan(v)
                if lack.any():
                    i = int(np.flatnonzero(lack)[0])
                    raise PanelError("value missing although status says it is present: ''", file=file, row=rows0 + i + first, column=roles["value"])
                drop = (given == STATUS_CODES["suppressed"]) | (given == STATUS_CODES["missing"])
                v = np.where(drop, np.nan, v)
            mi = pd.Series(mt).map(mindex).to_numpy(dtype=np.int64)
            for m, k in mindex.items():
                sel = mi == k
                if not sel.any():
                    continue
                vv, ss = v[sel], st[sel]
                if m in zero_supp:
                    z = vv == 0
                    ss = np.where(z, STATUS_CODES["suppressed"], ss).astype(np.uint8)
                    vv = np.where(z, np.nan, vv)
                _scatter(grids[m], lin[sel], vv, ss, np.flatnonzero(sel) + rows0 + first, file, roles["region"] if not national else roles["sector"],
                         m, region_labels, sector_labels, years, R, S)
        else:
            run = _run_of(lin)
            for c, m, _u in measure_cols:
                v, st = _values_of(cols[c], file, c, rows0, first, decimal)
                if m in zero_supp:
                    z = v == 0
                    st = np.where(z, STATUS_CODES["suppressed"], st).astype(np.uint8)
                    v = np.where(z, np.nan, v)
                _scatter(grids[m], lin, v, st, rows0 + first, file, roles["region"] if not national else roles["sector"],
                         m, region_labels, sector_labels, years, R, S, run)
        rows0 += n
        if progress is not None:
            progress(rows0)
    notes = []
    if skipped:
        notes.append(f"{file}: column(s) {', '.join(skipped)} left out (a measure column needs a unit in its header, "
                     "e.g. 'private_wage [USD]', or --unit COLUMN=UNIT)")
    sector_groups = {sector_labels[smap[k]] if k in smap else k: g for k, (g, _) in groups.items()} if groups else None
    if sector_groups is not None:
        sector_groups = {s: sector_groups[s] for s in sector_labels if s in sector_groups}
    return Panel(region_labels, sector_labels, years, grids, sector_groups=sector_groups,
                 sector_names=snames or None, region_names=rnames or None, source=file, notes=notes)


def _run_of(lin: np.ndarray) -> int | None:
    """The first grid position when ``lin`` is one ascending run of consecutive positions (a file
    written in grid order: year, region, sector), else None."""
    if len(lin) == 0:
        return None
    a = int(lin[0])
    if int(lin[-1]) - a != len(lin) - 1:
        return None
    return a if np.array_equal(lin, np.arange(a, a + len(lin), dtype=lin.dtype)) else None


def _grid_order(src, key_cols, roles, rmap, smap, years, R, S, file, first, year_cache) -> bool:
    """Whether the file's rows are the whole grid in its order (year, region, sector): then each
    measure column is the grid itself, read whole (no scatter)."""
    expected = 0
    for b in src.batches(key_cols):
        cols = dict(zip(b.schema.names, b.columns))
        ri = _index_of(cols[roles["region"]], rmap)
        si = _index_of(cols[roles["sector"]], smap)
        yv = _years_of(cols[roles["year"]], file, roles["year"], expected, first, year_cache)
        lin = (np.searchsorted(years, yv) * R + ri) * S + si
        if _run_of(lin) != expected:
            return False
        expected += len(lin)
    return expected == len(years) * R * S


def _lazy_column(src, column, shape, unit) -> "Measure | None":
    """A measure column of a Parquet file in grid order read year by year when used, if the file's
    statistics prove every value present, finite and not negative (else None: read it whole)."""
    if src.parquet is None:
        return None
    pf = src.parquet
    md = pf.metadata
    ci = pf.schema_arrow.get_field_index(column)
    import pyarrow as pa

    if ci < 0 or not (pa.types.is_floating(pf.schema_arrow.field(ci).type) or pa.types.is_integer(pf.schema_arrow.field(ci).type)):
        return None
    starts = []
    pos = 0
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        st = rg.column(ci).statistics
        if st is None or not st.has_min_max or st.null_count is None or st.null_count > 0:
            return None
        lo, hi = float(st.min), float(st.max)
        if not (lo >= 0 or lo == 0.0) or not np.isfinite(hi) or np.isnan(lo):
            return None
        starts.append(pos)
        pos += rg.num_rows
    starts = np.asarray(starts + [pos])
    Y, R, S = shape
    cells = R * S

    def load(yi: int) -> np.ndarray:
        a, b = yi * cells, (yi + 1) * cells
        gs = [g for g in range(md.num_row_groups) if starts[g] < b and starts[g + 1] > a]
        col = pf.read_row_groups(gs, columns=[column]).column(column)
        col = col.slice(a - int(starts[gs[0]]), cells)
        arr = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
        v = arr.to_numpy(zero_copy_only=False)
        return (v if v.dtype == np.float64 else v.astype(np.float64)).reshape(R, S)

    return Measure(None, unit, None, loader=load, shape=shape)


def _whole_column(src, column, shape, unit, file, first, decimal, zero_suppressed) -> "Measure | None":
    """A measure column read whole as the grid (typed numbers without nulls), else None."""
    import pyarrow as pa

    col = src.column(column)
    if not (pa.types.is_floating(col.type) or pa.types.is_integer(col.type)) or col.null_count:
        return None
    arr = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
    v = arr.to_numpy(zero_copy_only=False)
    v = (v if v.dtype == np.float64 else v.astype(np.float64)).reshape(shape)
    if zero_suppressed and not v.flags.writeable:
        v = v.copy()
    lo, hi = v.min(), v.max()  # NaN if any value is NaN (then checked cell by cell)
    if np.isnan(lo) or lo < 0 or np.isinf(hi):
        flat = v.reshape(-1)
        bad = np.isinf(flat)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise PanelError(f"value is infinite: {flat[i]!r}", file=file, row=i + first, column=column)
        neg = flat < 0
        if neg.any():
            i = int(np.flatnonzero(neg)[0])
            raise PanelError(f"value is negative: {flat[i]!r}", file=file, row=i + first, column=column)
    miss = np.isnan(v) if np.isnan(lo) else None
    if miss is None and not zero_suppressed:
        # every cell present and ok: a read-only status of ones without memory
        return Measure(v, unit, np.broadcast_to(np.uint8(STATUS_CODES["ok"]), shape))
    status = np.full(shape, STATUS_CODES["ok"], dtype=np.uint8)
    if miss is not None:
        status[miss] = STATUS_CODES["missing"]
    if zero_suppressed:
        z = v == 0
        status[z] = STATUS_CODES["suppressed"]
        v[z] = np.nan
    return Measure(v, unit, status)


def _scatter(g: Measure, lin: np.ndarray, v: np.ndarray, st: np.ndarray, rows, file: str, column: str,
             measure: str, regions, sectors, years, R: int, S: int, run: int | None = None) -> None:
    """Write a batch into a measure's grid; a cell given twice (in this batch or before) is an error.

    ``rows``: row numbers of the batch (an array, or the number of its first row when the batch's
    rows are consecutive); ``run``: the batch's first grid position when its cells are one
    consecutive run (:func:`_run_of`) — then the batch is copied as a block.
    """
    def row(i):
        return int(rows[i]) if isinstance(rows, np.ndarray) else int(rows) + int(i)

    flat_st = g.status.reshape(-1)
    flat_v = g.values.reshape(-1)
    if run is not None:
        seg = flat_st[run:run + len(lin)]
        if seg.any():
            i = int(np.flatnonzero(seg)[0])
            raise PanelError(f"duplicate cell {_cell_name(lin[i], regions, sectors, years, R, S, measure)}: it was given in an earlier row",
                             file=file, row=row(i), column=column)
        flat_v[run:run + len(lin)] = v
        seg[:] = st
        return
    before = flat_st[lin] != 0
    if before.any():
        i = int(np.flatnonzero(before)[0])
        raise PanelError(f"duplicate cell {_cell_name(lin[i], regions, sectors, years, R, S, measure)}: it was given in an earlier row",
                         file=file, row=row(i), column=column)
    # duplicates within the batch: write positions, read them back (no sort, no extra memory)
    pos = np.arange(len(lin), dtype=float)
    flat_v[lin] = pos
    back = flat_v[lin]
    dup = back != pos
    if dup.any():
        i = int(np.flatnonzero(dup)[0])  # an earlier row, overwritten by row j of the same cell
        j = int(back[i])
        raise PanelError(f"duplicate cell {_cell_name(lin[i], regions, sectors, years, R, S, measure)}: first given in row {row(i)}",
                         file=file, row=row(j), column=column)
    flat_v[lin] = v
    flat_st[lin] = st


def _cell_name(k: int, regions, sectors, years, R: int, S: int, measure: str) -> str:
    yi, rest = divmod(int(k), R * S)
    ri, si = divmod(rest, S)
    parts = []
    if len(regions) and regions[0] != "(nation)":
        parts.append(f"region={regions[ri]!r}")
    parts += [f"sector={sectors[si]!r}", f"year={int(years[yi])}", f"measure={measure!r}"]
    return ", ".join(parts)


def _attach_national(panel: Panel, src: _Source, *, decimal=".", units=None) -> None:
    nat = _build(src, decimal=decimal, units=units, national=True)
    file = src.name
    for m, g in nat.grids.items():
        if m in panel.grids and panel.grids[m].unit != g.unit:
            raise PanelError(f"unit {g.unit!r} of measure {m!r} differs from the panel's {panel.grids[m].unit!r}", file=file,
                             row=2, column="unit")
        out = np.full((len(panel.year_values), len(panel.sector_codes)), np.nan)
        yk = np.searchsorted(panel.year_values, nat.year_values)
        ok_y = (yk < len(panel.year_values)) & (panel.year_values[np.minimum(yk, len(panel.year_values) - 1)] == nat.year_values)
        sk = np.searchsorted(panel.sector_codes.astype(str), nat.sector_codes.astype(str))
        ok_s = (sk < len(panel.sector_codes)) & (panel.sector_codes[np.minimum(sk, len(panel.sector_codes) - 1)] == nat.sector_codes)
        vals = g.values[:, 0, :]
        for a, y in enumerate(yk):
            if ok_y[a]:
                out[y, sk[ok_s]] = vals[a, ok_s]
        panel.national_grids[m] = out


def validate_frame(df: pd.DataFrame, *, file: str = "<data>", first_row: int = 2, national: bool = False,
                   suppress_zero: Iterable[str] = (), decimal: str = ".") -> pd.DataFrame:
    """Validate and normalise a long table; return it with typed columns and a ``status``.

    The rules of :func:`load_panel` (long layout); the result has the columns ``region, sector,
    year, measure, value, unit, status`` (without ``region`` for national totals).

    Raises
    ------
    PanelError
        As :func:`load_panel`, naming ``file``, the row and the column.
    """
    src = _source_from_frame(df, file, first_row)
    p = _build(src, suppress_zero=suppress_zero, decimal=decimal, national=national)
    out = p.data
    if national:
        out = out.drop(columns="region")
    return out


def panel_from_frame(df: pd.DataFrame, *, national: pd.DataFrame | None = None, name: str = "<data>", decimal: str = ".", **kw) -> Panel:
    """Build a validated :class:`Panel` from an in-memory DataFrame, long or wide (same rules as files)."""
    p = _build(_source_from_frame(df, name), decimal=decimal)
    if national is not None:
        _attach_national(p, _source_from_frame(national, f"{name} (national)"), decimal=decimal)
    groups = kw.pop("sector_groups", None)
    if groups is not None:
        p.sector_groups = dict(groups)
    for k, v in kw.items():
        setattr(p, k, v)
    p.source = name
    return p


def cagr(v_start, v_end, years):
    """Compound annual growth rate ``(v_end / v_start) ** (1 / years) - 1`` (methods.md §2).

    NaN when either value is missing or not positive, or ``years`` <= 0.
    """
    v0 = np.asarray(v_start, dtype=float)
    v1 = np.asarray(v_end, dtype=float)
    yrs = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.power(v1 / v0, 1.0 / yrs) - 1.0
    ok = (v0 > 0) & (v1 > 0) & (yrs > 0)
    return np.where(ok, r, math.nan)
