"""Kazakhstan's territorial frames and the BNS region codes.

Kazakhstan's first-level units changed twice in the period of the BNS regional series:

- 2018: South Kazakhstan oblast (BNS ``YKO``, KATO 51) became Shymkent city (``SHM``, 79) and
  Turkistan oblast (``TRK``, 61). BNS publishes TRK and SHM back to 2011 **and** YKO up to 2017,
  so 2011–2017 hold both: YKO = TRK + SHM, never add them up.
- 2022: Abai (``ABY``, 10), Jetisu (``ZHT``, 33) and Ulytau (``ULT``, 62) were split off East
  Kazakhstan (``VKO``, 63), Almaty region (``ALM``, 19) and Karaganda (``KRG``, 35). BNS series for
  the new oblasts start in 2021, when their parents shrink.

A *frame* expresses every year in one set of units with a documented mapping:

=========  ======  ======================================================================
frame      units   mapping
=========  ======  ======================================================================
``2022``   20      today's units; YKO dropped (TRK/SHM used). VKO, ALM, KRG change territory
                   in 2021 (a comparison across 2021 is flagged); ABY/ZHT/ULT have no data
                   before 2021.
``2018``   17      ABY → VKO, ZHT → ALM, ULT → KRG (summed); YKO dropped. No break from 2011.
``2017``   16      as 2018, and TRK + SHM → YKO (from 2018; for 2011–2017 BNS's own YKO row).
=========  ======  ======================================================================

Region ids in a framed panel are KATO codes (9 digits); YKO's is ``510000000``. The small facts
below (codes and names) are written here rather than read from a file.
"""

from __future__ import annotations

import pandas as pd

#: BNS 3-letter code -> (KATO, English name)
BNS_REGIONS: dict[str, tuple[str, str]] = {
    "ABY": ("100000000", "Abai"),
    "AKM": ("110000000", "Akmola"),
    "AKT": ("150000000", "Aktobe"),
    "ALM": ("190000000", "Almaty region"),
    "ATY": ("230000000", "Atyrau"),
    "ZKO": ("270000000", "West Kazakhstan"),
    "ZHM": ("310000000", "Zhambyl"),
    "ZHT": ("330000000", "Jetisu"),
    "KRG": ("350000000", "Karaganda"),
    "KST": ("390000000", "Kostanay"),
    "KZL": ("430000000", "Kyzylorda"),
    "MNG": ("470000000", "Mangystau"),
    "YKO": ("510000000", "South Kazakhstan"),
    "PVL": ("550000000", "Pavlodar"),
    "SKO": ("590000000", "North Kazakhstan"),
    "TRK": ("610000000", "Turkistan"),
    "ULT": ("620000000", "Ulytau"),
    "VKO": ("630000000", "East Kazakhstan"),
    "AST": ("710000000", "Astana"),
    "ALA": ("750000000", "Almaty city"),
    "SHM": ("790000000", "Shymkent"),
}

#: frame -> {BNS code -> BNS code of the unit it belongs to in that frame}
FRAMES: dict[str, dict[str, str]] = {
    "2022": {c: c for c in BNS_REGIONS if c != "YKO"},
    "2018": {**{c: c for c in BNS_REGIONS if c not in ("YKO", "ABY", "ZHT", "ULT")},
             "ABY": "VKO", "ZHT": "ALM", "ULT": "KRG"},
    "2017": {**{c: c for c in BNS_REGIONS if c not in ("ABY", "ZHT", "ULT", "TRK", "SHM")},
             "ABY": "VKO", "ZHT": "ALM", "ULT": "KRG", "TRK": "YKO", "SHM": "YKO"},
}
#: frame -> [(BNS unit, first year of its new territory, note)]
BREAKS: dict[str, list[tuple[str, int, str]]] = {
    "2022": [("VKO", 2021, "Abai oblast split off (BNS series from 2021)"),
             ("ALM", 2021, "Jetisu oblast split off (BNS series from 2021)"),
             ("KRG", 2021, "Ulytau oblast split off (BNS series from 2021)")],
    "2018": [],
    "2017": [],
}


class FrameError(ValueError):
    """Unknown frame or a region code that belongs to no frame."""


def frame_names() -> list[str]:
    return sorted(FRAMES)


def normalise_frame(frame: str) -> str:
    f = str(frame).upper().removeprefix("KZ-")
    if f not in FRAMES:
        raise FrameError(f"unknown territorial frame {frame!r} (frames: {', '.join(frame_names())})")
    return f


def kato(code: str) -> str:
    """KATO code of a BNS 3-letter region code."""
    try:
        return BNS_REGIONS[code][0]
    except KeyError:
        raise FrameError(f"unknown BNS region code {code!r} (known: {', '.join(sorted(BNS_REGIONS))})") from None


def frame_units(frame: str) -> dict[str, str]:
    """KATO -> English name of the units of ``frame``."""
    f = normalise_frame(frame)
    return {BNS_REGIONS[c][0]: BNS_REGIONS[c][1] for c in sorted(set(FRAMES[f].values()))}


def geometry_unit(frame: str) -> dict[str, str]:
    """KATO of each of today's 20 units -> KATO of the unit that contains it in ``frame``."""
    f = normalise_frame(frame)
    m = FRAMES[f]
    return {BNS_REGIONS[c][0]: BNS_REGIONS[m[c]][0] for c in FRAMES["2022"]}


def apply_frame(long: pd.DataFrame, frame: str, *, region_col: str = "region") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Express a BNS long table (BNS region codes) in ``frame``.

    Parameters
    ----------
    long : DataFrame
        Rows with ``region`` (BNS code), ``year``, and any other key and ``value`` columns.
        Rows of ``national`` are left out.

    Returns
    -------
    (DataFrame, DataFrame)
        The table with ``region`` replaced by the frame unit's KATO code and values summed within
        each unit (a unit's value is missing if any part is), and the breaks table
        ``region, year, note``.

    Notes
    -----
    Double counting of South Kazakhstan 2011–2017 is avoided: in frames 2022/2018 the YKO rows are
    dropped; in frame 2017, the TRK and SHM rows are dropped for the years in which YKO has rows.
    """
    f = normalise_frame(frame)
    d = long[long[region_col] != "national"].copy()
    unknown = sorted(set(d[region_col]) - set(BNS_REGIONS))
    if unknown:
        raise FrameError(f"unknown BNS region code(s) {', '.join(unknown)}")
    if f == "2017":
        yko_years = set(d.loc[d[region_col] == "YKO", "year"])
        d = d[~(d[region_col].isin(["TRK", "SHM"]) & d["year"].isin(yko_years))]
    else:
        d = d[d[region_col] != "YKO"]
    d[region_col] = d[region_col].map(FRAMES[f]).map(lambda c: BNS_REGIONS[c][0])
    keys = [c for c in d.columns if c not in ("value", "status")]
    d["_miss"] = d["value"].isna()
    g = d.groupby(keys, as_index=False, dropna=False).agg(value=("value", "sum"), _miss=("_miss", "any"))
    g.loc[g["_miss"], "value"] = float("nan")
    g = g.drop(columns="_miss")
    br = pd.DataFrame([(BNS_REGIONS[c][0], y, n) for c, y, n in BREAKS[f]], columns=["region", "year", "note"])
    return g, br
