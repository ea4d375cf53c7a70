"""Tidy long panels: region x sector x year x measure, with a unit and a cell status.

A :class:`Panel` holds one row per (region, sector, year, measure) in the columns

============  =========  ===============================================================
column        dtype      meaning
============  =========  ===============================================================
``region``    str        region code (KATO, FIPS, a BNS 3-letter code, ...)
``sector``    str        sector or cluster code (OKED, NAICS, CMP cluster, ...)
``year``      int        calendar year
``measure``   str        ``employment``, ``establishments``, ``gva``, ``output``, ...
``value``     float      the value in ``unit``; NaN when the cell is suppressed/missing
``unit``      str        one of :data:`UNITS` (one unit per measure)
``status``    str        ``ok``, ``suppressed``, ``missing`` or ``imputed``
============  =========  ===============================================================

and, optionally, a table of national totals (``sector, year, measure, value, unit``) for the
case where the regions do not cover the nation (methods.md §1; U.S. Cluster Mapping: the
national employment includes DC and areas outside the 50 states).

Suppressed or missing cells stay missing (NaN, status ``suppressed``/``missing``); they are never
read as zero. Loaders validate the schema and the units and refuse bad input with a
:class:`PanelError` naming the file, the row (as numbered in the file: the header is row 1) and
the column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

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
#: Cell markers read as "suppressed" (statistical confidentiality) rather than as numbers.
SUPPRESSION_MARKERS = frozenset({"(D)", "D", "S", "(S)", "x", "X", "c", "C", "…", "...", "conf"})
REQUIRED = ("region", "sector", "year", "measure", "value", "unit")
NATIONAL_REQUIRED = ("sector", "year", "measure", "value", "unit")


class PanelError(ValueError):
    """Bad panel input. The message names the file, the row and the column.

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


@dataclass
class Panel:
    """A validated long panel, plus optional national totals and territorial metadata.

    Parameters
    ----------
    data : DataFrame
        Columns ``region, sector, year, measure, value, unit, status`` (see module docstring).
    national : DataFrame, optional
        National totals ``sector, year, measure, value, unit``; when absent the nation is the sum
        of the regions.
    frame : str, optional
        Name of the territorial frame the regions are expressed in (e.g. ``KZ-2022``).
    breaks : DataFrame, optional
        ``region, year, note``: the region's territory changed at the start of ``year`` (a
        comparison of a year before with a year from then on crosses a break).
    sector_groups : mapping, optional
        sector -> base group for the LQ denominator (e.g. ``traded``/``local``); sectors absent
        from the mapping are in the group ``all``.
    source : str
        Where the data came from (file name or dataset id), carried into reports.
    """

    data: pd.DataFrame
    national: pd.DataFrame | None = None
    frame: str | None = None
    breaks: pd.DataFrame | None = None
    sector_groups: Mapping[str, str] | None = None
    sector_names: Mapping[str, str] | None = None
    region_names: Mapping[str, str] | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)

    # -- views ------------------------------------------------------------------------------
    @property
    def measures(self) -> list[str]:
        return sorted(self.data["measure"].unique())

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.data["year"].unique())

    @property
    def regions(self) -> list[str]:
        return sorted(self.data["region"].unique())

    @property
    def sectors(self) -> list[str]:
        return sorted(self.data["sector"].unique())

    def unit(self, measure: str) -> str:
        """The unit of ``measure`` (raises KeyError naming the measures present)."""
        u = self.data.loc[self.data["measure"] == measure, "unit"]
        if u.empty:
            raise KeyError(f"measure {measure!r} is not in the panel (measures: {', '.join(self.measures)})")
        return str(u.iloc[0])

    def wide(self, measures: Iterable[str] | None = None, years: Iterable[int] | None = None) -> pd.DataFrame:
        """One row per (region, sector, year), one float column per measure (NaN = missing).

        A boolean column ``<measure>_suppressed`` is added for each measure with suppressed or
        missing cells, and the column ``group`` gives the LQ base group of the sector.
        """
        d = self.data
        if measures is not None:
            measures = list(measures)
            for m in measures:
                if m not in set(d["measure"]):
                    raise KeyError(f"measure {m!r} is not in the panel (measures: {', '.join(self.measures)})")
            d = d[d["measure"].isin(measures)]
        if years is not None:
            d = d[d["year"].isin(list(years))]
        idx = ["region", "sector", "year", "measure"]
        w = d.set_index(idx)["value"].unstack("measure")
        w = w.reindex(columns=measures or sorted(d["measure"].unique()))
        st = d.set_index(idx)["status"].unstack("measure")
        w.columns.name = None
        st.columns.name = None
        for m in list(w.columns):
            if m in st and st[m].isin(["suppressed", "missing"]).any():
                w[f"{m}_suppressed"] = st[m].reindex(w.index).isin(["suppressed", "missing"]).to_numpy()
        w = w.reset_index()
        w["group"] = w["sector"].map(lambda s: (self.sector_groups or {}).get(s, "all"))
        return w

    def national_wide(self, measures: Iterable[str]) -> pd.DataFrame | None:
        """National totals as ``sector, year, <measure>...`` or None when the panel has none."""
        if self.national is None:
            return None
        n = self.national[self.national["measure"].isin(list(measures))]
        w = n.pivot_table(index=["sector", "year"], columns="measure", values="value", aggfunc="first").reset_index()
        w.columns.name = None
        return w

    # -- transformations -------------------------------------------------------------------------
    def select(self, *, years: Iterable[int] | None = None, sectors: Iterable[str] | None = None,
               regions: Iterable[str] | None = None) -> "Panel":
        """A panel restricted to some years / sectors / regions (national totals follow)."""
        d, n = self.data, self.national
        if years is not None:
            ys = [int(y) for y in years]
            d = d[d["year"].isin(ys)]
            n = n[n["year"].isin(ys)] if n is not None else None
        if sectors is not None:
            ss = list(sectors)
            d = d[d["sector"].isin(ss)]
            n = n[n["sector"].isin(ss)] if n is not None else None
        if regions is not None:
            d = d[d["region"].isin(list(regions))]
        return replace(self, data=d.reset_index(drop=True), national=None if n is None else n.reset_index(drop=True))

    def rollup_prefix(self, digits: int) -> "Panel":
        """Roll sectors up to their first ``digits`` characters (OKED, NAICS hierarchies).

        A rolled-up cell is missing (and flagged ``suppressed``) when any of its parts is.
        """
        return self.map_sectors({s: s[:digits] for s in self.sectors}, name=f"prefix{digits}")

    def rollup_regions(self, digits: int) -> "Panel":
        """Roll regions up to the first ``digits`` characters of their codes (e.g. KATO levels).

        A rolled-up cell is missing (``suppressed``) when any of its parts is.
        """
        d = self.data.copy()
        d["region"] = d["region"].str[:digits]
        d["_miss"] = d["status"].isin(["suppressed", "missing"])
        g = d.groupby(["region", "sector", "year", "measure", "unit"], sort=False).agg(
            value=("value", "sum"), _miss=("_miss", "any")).reset_index()
        g["status"] = np.where(g["_miss"], "suppressed", "ok")
        g.loc[g["_miss"], "value"] = np.nan
        return replace(self, data=g[list(REQUIRED) + ["status"]], breaks=None, region_names=None,
                       notes=list(self.notes) + [f"regions rolled up to {digits}-character codes"])

    def map_sectors(self, crosswalk: Mapping[str, str] | pd.DataFrame, *, name: str = "crosswalk",
                    groups: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None) -> "Panel":
        """Aggregate sectors through a crosswalk ``source code -> target code``.

        Parameters
        ----------
        crosswalk : mapping or DataFrame with columns ``source, target``
            Codes absent from the crosswalk are dropped and reported in :attr:`notes` (with the
            number of rows and the total value per measure they carried).
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
        d = self.data.copy()
        d["target"] = d["sector"].map(cw)
        unmapped = d[d["target"].isna()]
        if len(unmapped):
            codes = sorted(unmapped["sector"].unique())
            self_notes = list(self.notes) + [
                f"{name}: {len(codes)} sector codes have no target and were left out "
                f"({', '.join(codes[:30])}{'…' if len(codes) > 30 else ''})"
            ]
        else:
            self_notes = list(self.notes)
        d = d.dropna(subset=["target"])
        d["_miss"] = d["status"].isin(["suppressed", "missing"])
        g = d.groupby(["region", "target", "year", "measure", "unit"], sort=False).agg(
            value=("value", "sum"), _miss=("_miss", "any"), _imp=("status", lambda s: (s == "imputed").any())
        ).reset_index()
        g["status"] = np.where(g["_miss"], "suppressed", np.where(g["_imp"], "imputed", "ok"))
        g.loc[g["_miss"], "value"] = np.nan
        g = g.rename(columns={"target": "sector"})[list(REQUIRED) + ["status"]]
        nat = None
        if self.national is not None:
            n = self.national.copy()
            n["target"] = n["sector"].map(cw)
            n = n.dropna(subset=["target"])
            nat = n.groupby(["target", "year", "measure", "unit"]).agg(value=("value", "sum")).reset_index()
            nat = nat.rename(columns={"target": "sector"})[list(NATIONAL_REQUIRED)]
        return replace(self, data=g, national=nat, sector_groups=groups, sector_names=names, notes=self_notes)


# ------------------------------------------------------------------------------------------
# Loading and validation
# ------------------------------------------------------------------------------------------


def _read_any(path: Path, sheet: str | int | None = 0) -> tuple[pd.DataFrame, int]:
    """Read CSV/Parquet/XLSX as strings where possible; return (frame, first data row number)."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise PanelError("file not found", file=str(path))
    try:
        if suffix in (".csv", ".txt"):
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"), 2
        if suffix == ".parquet":
            return pd.read_parquet(path), 2
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, sheet_name=sheet or 0, dtype=str, keep_default_na=False), 2
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError, OSError) as exc:
        raise PanelError(f"cannot be read as {suffix[1:].upper()}: {exc}", file=str(path)) from None
    raise PanelError(f"unsupported file type {suffix!r} (use .csv, .parquet or .xlsx)", file=str(path))


def validate_frame(df: pd.DataFrame, *, file: str = "<data>", first_row: int = 2, national: bool = False,
                   suppress_zero: Iterable[str] = ()) -> pd.DataFrame:
    """Validate and normalise a long table; return it with typed columns and a ``status``.

    Parameters
    ----------
    df : DataFrame
        Raw table (values may be strings). Required columns: ``region, sector, year, measure,
        value, unit`` (``sector, year, measure, value, unit`` for national totals); an optional
        ``status`` column.
    file : str
        Name used in error messages.
    first_row : int
        Row number of the first data row in the file (2 when the header is row 1).
    suppress_zero : iterable of str
        Measures for which a value of exactly 0 means "suppressed" (e.g. CBP employment).

    Raises
    ------
    PanelError
        Missing column; empty key; year not an integer; value not a number, negative, or
        infinite; unit missing, unknown, or different across rows of one measure; status not one
        of :data:`STATUSES`; duplicate (region, sector, year, measure).
    """
    required = NATIONAL_REQUIRED if national else REQUIRED
    cols = {str(c).strip().lower(): c for c in df.columns}
    missing = [c for c in required if c not in cols]
    if missing:
        raise PanelError(
            f"missing column(s) {', '.join(missing)}; a panel needs {', '.join(required)} (found: {', '.join(map(str, df.columns))})",
            file=file, row=1, column=missing[0],
        )
    out = pd.DataFrame({c: df[cols[c]] for c in required})
    has_status = "status" in cols
    status = df[cols["status"]].astype(str).str.strip() if has_status else pd.Series("ok", index=df.index)
    n = len(out)
    rows = np.arange(n) + first_row

    def bad(mask, col, msg):
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            i = int(np.flatnonzero(mask)[0])
            val = out[col].iloc[i] if col in out else None
            more = f" ({int(mask.sum()) - 1} more rows like it)" if mask.sum() > 1 else ""
            raise PanelError(f"{msg}: {val!r}{more}", file=file, row=int(rows[i]), column=col)

    for c in [k for k in ("region", "sector", "measure") if k in out]:
        out[c] = out[c].astype(str).str.strip()
        bad(out[c].isin(["", "nan", "None"]), c, "empty code")
    # year
    yr = pd.to_numeric(out["year"].astype(str).str.strip().str[:4].where(out["year"].astype(str).str.strip().str.len() >= 4, out["year"].astype(str)), errors="coerce")
    bad(yr.isna() | (yr % 1 != 0) | (yr < 1900) | (yr > 2100), "year", "year must be an integer between 1900 and 2100")
    out["year"] = yr.astype(int)
    # unit
    unit = out["unit"].astype(str).str.strip().replace(UNIT_ALIASES)
    out["unit"] = unit
    bad(~unit.isin(list(UNITS)), "unit", f"unknown unit (allowed: {', '.join(sorted(UNITS))})")
    per = out.groupby("measure")["unit"].nunique()
    if (per > 1).any():
        m = per[per > 1].index[0]
        first_unit = out.loc[out["measure"] == m, "unit"].iloc[0]
        bad((out["measure"] == m) & (out["unit"] != first_unit), "unit",
            f"measure {m!r} has more than one unit (first seen: {first_unit!r})")
    # status
    bad(~status.isin(STATUSES), "status", f"status must be one of {', '.join(STATUSES)}")
    # value
    raw = out["value"]
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        s = raw.astype(str).str.strip()
        marker = s.isin(list(SUPPRESSION_MARKERS))
        empty = s.isin(["", "nan", "NaN", "NA", "None"])
        num = pd.to_numeric(s.str.replace(",", "", regex=False).str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False), errors="coerce")
        bad(num.isna() & ~marker & ~empty, "value", "value is not a number (write it blank, or as a suppression marker such as (D), for a suppressed cell)")
    else:
        num = pd.to_numeric(raw, errors="coerce")
        marker = pd.Series(False, index=raw.index)
        empty = num.isna()
    bad(np.isinf(num.fillna(0)), "value", "value is infinite")
    bad(num < 0, "value", "value is negative")
    status = status.mask(marker, "suppressed").mask(empty & (status == "ok"), "missing")
    for m in suppress_zero:
        z = (out["measure"] == m) & (num == 0)
        status = status.mask(z, "suppressed")
    num = num.mask(status.isin(["suppressed", "missing"]))
    bad(status.isin(["ok", "imputed"]) & num.isna(), "value", "value missing although status says it is present")
    out["value"] = num.astype(float)
    out["status"] = status.to_numpy()
    key = [c for c in ("region", "sector", "year", "measure") if c in out]
    dup = out.duplicated(key, keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise PanelError(
            "duplicate cell " + ", ".join(f"{k}={out[k].iloc[i]!r}" for k in key),
            file=file, row=int(rows[i]), column=key[0],
        )
    return out.reset_index(drop=True)


def load_panel(path: str | Path, *, national: str | Path | None = None, sheet: str | int | None = None,
               suppress_zero: Iterable[str] = (), sector_groups: Mapping[str, str] | None = None,
               frame: str | None = None) -> Panel:
    """Load a tidy long panel from CSV, Parquet or XLSX.

    Parameters
    ----------
    path : path
        The panel: columns ``region, sector, year, measure, value, unit`` [``status``].
    national : path, optional
        National totals (``sector, year, measure, value, unit``), for when the regions do not
        cover the nation.
    suppress_zero : iterable of str
        Measures whose zeros mean "suppressed" in this source.
    sector_groups : mapping, optional
        sector -> LQ base group (e.g. from a crosswalk's ``traded`` column). A column ``group``
        in the panel file is used when present.

    Returns
    -------
    Panel

    Raises
    ------
    PanelError
        See :func:`validate_frame`; also for an unreadable or unsupported file.
    """
    p = Path(path)
    raw, first = _read_any(p, sheet)
    if "group" in raw.columns and sector_groups is None:
        g = raw[["sector", "group"]].astype(str).drop_duplicates()
        sector_groups = dict(zip(g["sector"].str.strip(), g["group"].str.strip()))
    data = validate_frame(raw, file=p.name, first_row=first, suppress_zero=suppress_zero)
    nat = None
    if national is not None:
        q = Path(national)
        rawn, firstn = _read_any(q, None)
        nat = validate_frame(rawn, file=q.name, first_row=firstn, national=True).drop(columns=["status"])
        _check_units(data, nat, q.name)
    return Panel(data=data, national=nat, sector_groups=sector_groups, source=p.name, frame=frame)


def _check_units(data: pd.DataFrame, nat: pd.DataFrame, file: str) -> None:
    pu = data.groupby("measure")["unit"].first()
    for i, (m, u) in enumerate(zip(nat["measure"], nat["unit"])):
        if m in pu.index and pu[m] != u:
            raise PanelError(f"unit {u!r} of measure {m!r} differs from the panel's {pu[m]!r}", file=file, row=i + 2, column="unit")


def panel_from_frame(df: pd.DataFrame, *, national: pd.DataFrame | None = None, name: str = "<data>", **kw) -> Panel:
    """Build a validated :class:`Panel` from an in-memory long DataFrame (same rules as files)."""
    data = validate_frame(df, file=name)
    nat = validate_frame(national, file=f"{name} (national)", national=True).drop(columns=["status"]) if national is not None else None
    if nat is not None:
        _check_units(data, nat, f"{name} (national)")
    return Panel(data=data, national=nat, source=name, **kw)


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
