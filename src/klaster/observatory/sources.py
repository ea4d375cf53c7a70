"""Panels from the real datasets of the data directory (read through :func:`klaster.datasets.path`).

- :func:`us_cmp2016` — U.S. Cluster Mapping Project 2016, 50 states × 67 clusters (employment,
  establishments) with the national cluster employment as the LQ denominator;
- :func:`us_cbp2016` — County Business Patterns 2016, state × NAICS-6 (establishments,
  employment; suppressed cells, which the file writes as 0, are read as suppressed);
- :func:`cmp_crosswalk` — NAICS-2012 → CMP clusters, with the NAICS 2012→2017 concordance for the
  28 CBP codes the crosswalk only knows under their 2017 codes (``data/naics2012_to_2017_cmp.csv``);
- :func:`compare_cbp_with_cmp` — run (b): CBP establishments aggregated to clusters vs the
  published CMP counts;
- :func:`kz_bns_gva` — BNS gross value added by region × OKED section (mln KZT), in a territorial
  frame (:mod:`klaster.observatory.frames`).

Data defects handled here are listed in each function's Notes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from klaster import datasets
from klaster.observatory import frames as kzframes
from klaster.observatory.panel import Panel, _attach_national, _build, _source_from_frame

CONCORDANCE = Path(__file__).with_name("data") / "naics2012_to_2017_cmp.csv"
SOURCES = ("us-cmp2016", "us-cbp2016", "kz-bns-gva")
#: OKED sections carried in the BNS GVA panel (T appears only in the latest year and is tiny)
OKED_SECTIONS = tuple("ABCDEFGHIJKLMNOPQRS")
#: English names of the OKED (NACE Rev.2) sections
OKED_SECTION_NAMES = {
    "A": "Agriculture, forestry and fishing", "B": "Mining and quarrying", "C": "Manufacturing",
    "D": "Electricity, gas, steam and air conditioning", "E": "Water supply; waste management",
    "F": "Construction", "G": "Wholesale and retail trade", "H": "Transportation and storage",
    "I": "Accommodation and food service", "J": "Information and communication",
    "K": "Financial and insurance activities", "L": "Real estate activities",
    "M": "Professional, scientific and technical", "N": "Administrative and support services",
    "O": "Public administration and defence", "P": "Education", "Q": "Human health and social work",
    "R": "Arts, entertainment and recreation", "S": "Other service activities", "T": "Households as employers",
}


def _read(rel: str, **kw) -> pd.DataFrame:
    return pd.read_csv(datasets.path(rel), **kw)


def us_cmp2016() -> Panel:
    """U.S. Cluster Mapping 2016: 50 states × 67 clusters, employment and establishments.

    Region ids are state FIPS codes; sectors are CMP cluster codes (1–51 traded, 101–116
    local) with groups ``traded``/``local`` (the file's ``traded`` column). National totals:
    employment from ``us/cmp2016_national_cluster_emp.csv`` (includes DC and areas outside the 50
    states, hence not the sum of the states). The file is the wide layout ``klaster observatory
    map --panel`` reads (``emp`` → employment, ``est`` → establishments); its ``private_wage``
    (average wage, not an additive measure) is not used.
    """
    file = "cmp2016_state_cluster_input.csv"
    raw = _read("us/cmp2016_state_cluster_input.csv", dtype=str, keep_default_na=False)
    raw = raw.drop(columns=["private_wage"])
    p = _build(_source_from_frame(raw, file))
    nat = _read("us/cmp2016_national_cluster_emp.csv", dtype=str, keep_default_na=False)
    year = p.years[0]
    _attach_national(p, _source_from_frame(pd.DataFrame({"sector": nat["cluster_code"], "year": str(year), "measure": "employment",
                                                          "value": nat["emp_national"], "unit": "persons"}),
                                            "cmp2016_national_cluster_emp.csv"))
    p.source = "us/cmp2016_state_cluster_input.csv + us/cmp2016_national_cluster_emp.csv"
    p.frame = "US states"
    return p


def cmp_crosswalk(*, concordance: bool = True) -> pd.DataFrame:
    """NAICS → CMP cluster crosswalk: ``source`` (NAICS code), ``target`` (cluster), ``traded``, ``name``.

    Parameters
    ----------
    concordance : bool
        Add the NAICS-2012 codes of CBP 2016 that the crosswalk lists only under their NAICS-2017
        codes (``data/naics2012_to_2017_cmp.csv``: 24 codes with a cluster, 4 consumer-goods
        rental codes left unassigned because no cluster was confirmed).
    """
    cw = _read("us/naics2012_to_cmp_cluster.csv", dtype={"naics": str, "cluster_code": str})
    out = pd.DataFrame({"source": cw["naics"], "target": cw["cluster_code"], "traded": cw["traded"].astype(str) == "True",
                        "name": cw["cluster_name"]})
    if concordance:
        cc = pd.read_csv(CONCORDANCE, dtype=str).dropna(subset=["cluster_code"])
        info = out.drop_duplicates("target").set_index("target")
        add = pd.DataFrame({"source": cc["naics2012"], "target": cc["cluster_code"],
                            "traded": cc["cluster_code"].map(info["traded"]), "name": cc["cluster_code"].map(info["name"])})
        out = pd.concat([out, add[~add["source"].isin(out["source"])]], ignore_index=True)
    return out


def us_cbp2016() -> Panel:
    """County Business Patterns 2016, state × NAICS-6: establishments and employment.

    Notes
    -----
    - Suppressed employment (and payroll) cells appear as 0 in the file: they are read as
      suppressed (missing), never as zero.
    - The file has DC (FIPS 11) but no Wyoming (56): the source ends at Wisconsin.
    """
    raw = _read("us/cbp2016_state_naics6.csv", dtype={"Fips": str, "Naics": str})
    long = pd.concat([
        pd.DataFrame({"region": raw["Fips"], "sector": raw["Naics"], "year": "2016", "measure": "establishments",
                      "value": raw["Establishments"].astype(str), "unit": "establishments"}),
        pd.DataFrame({"region": raw["Fips"], "sector": raw["Naics"], "year": "2016", "measure": "employment",
                      "value": raw["Employees"].astype(str), "unit": "persons"}),
    ], ignore_index=True)
    p = _build(_source_from_frame(long, "cbp2016_state_naics6.csv"), suppress_zero=["employment"])
    p.source, p.frame = "us/cbp2016_state_naics6.csv", "US states + DC (no Wyoming)"
    p.notes.append("CBP employment written as 0 is read as suppressed; Wyoming is absent from the file.")
    return p


def compare_cbp_with_cmp(*, concordance: bool = True) -> tuple[pd.DataFrame, dict]:
    """Run (b): CBP 2016 establishments aggregated through the crosswalk vs published CMP counts.

    Returns
    -------
    table : DataFrame
        ``region, sector, name, traded, est_published, est_cbp, diff`` (CBP − published), for the
        states present in both files (49: Wyoming is not in CBP).
    summary : dict
        ``states``, ``cells_traded``, ``exact_traded``, ``within1_traded`` (shares), the same for
        all 67 clusters, and ``unmapped_codes``.
    """
    cbp = us_cbp2016()
    cw = cmp_crosswalk(concordance=concordance)
    mapped = cbp.select().map_sectors(dict(zip(cw["source"], cw["target"])), name="NAICS→CMP")
    est = mapped.data[mapped.data["measure"] == "establishments"][["region", "sector", "value"]]
    cmp = us_cmp2016()
    pub = cmp.data[cmp.data["measure"] == "establishments"][["region", "sector", "value"]]
    states = sorted(set(pub["region"]) & set(est["region"]))
    t = pub[pub["region"].isin(states)].merge(est, on=["region", "sector"], how="left", suffixes=("_pub", "_cbp"))
    t = t.rename(columns={"value_pub": "est_published", "value_cbp": "est_cbp"})
    t["est_cbp"] = t["est_cbp"].fillna(0.0)
    t["diff"] = t["est_cbp"] - t["est_published"]
    t["name"] = t["sector"].map(cmp.sector_names)
    t["traded"] = t["sector"].map(cmp.sector_groups) == "traded"
    t = t[["region", "sector", "name", "traded", "est_published", "est_cbp", "diff"]].sort_values(["region", "sector"])
    tr = t[t["traded"]]
    unmapped = sorted(set(cbp.sectors) - set(cw["source"]))
    summary = {
        "concordance": concordance,
        "states": len(states),
        "cells_traded": int(len(tr)),
        "exact_traded": float((tr["diff"] == 0).mean()),
        "within1_traded": float((tr["diff"].abs() <= 1).mean()),
        "cells_all": int(len(t)),
        "exact_all": float((t["diff"] == 0).mean()),
        "within1_all": float((t["diff"].abs() <= 1).mean()),
        "unmapped_codes": unmapped,
        "missing_states": sorted(set(pub["region"]) - set(est["region"])),
    }
    return t.reset_index(drop=True), summary


def kz_bns_gva(frame: str = "2022", *, min_year: int = 2014, sections=OKED_SECTIONS) -> Panel:
    """BNS gross value added by region × OKED section (mln KZT, current prices), in a frame.

    Parameters
    ----------
    frame : {"2022", "2018", "2017"}
        Territorial frame (see :mod:`klaster.observatory.frames`).
    min_year : int
        First year kept. Before 2014 BNS publishes only a coarse breakdown (I, K, M–S are lumped
        into ``OTHER_SERVICES``), so the section panel starts in 2014 by default.
    sections : sequence of str
        OKED sections kept (A–S by default; aggregates GDP, IND, NET_TAXES, FISIM are excluded).

    Notes
    -----
    - 2011–2017 hold both South Kazakhstan (YKO) and Turkistan + Shymkent: handled by the frame.
    - Abai, Jetisu, Ulytau exist from 2021: merged into their parents in frames 2018/2017;
      in frame 2022 their parents' series break in 2021 (flagged).
    - National totals come from the ``national`` rows; the current regions sum to them exactly.
    - The latest year (2025) may be preliminary (data vintage 2026-09-17).
    """
    f = kzframes.normalise_frame(frame)
    raw = _read("kz/stats/bns/GVA_NOMINAL_BY_REGION_SECTION.csv", dtype=str)
    raw["year"] = raw["date"].str[:4].astype(int)
    raw = raw[(raw["year"] >= min_year) & raw["item_code"].isin(list(sections))]
    units = set(raw["unit"])
    if units != {"million KZT"}:
        raise ValueError(f"GVA_NOMINAL_BY_REGION_SECTION.csv: unexpected unit(s) {units}")
    raw["value"] = pd.to_numeric(raw["value"], errors="raise")
    long = raw[["region", "item_code", "year", "value"]].rename(columns={"item_code": "sector"})
    framed, breaks = kzframes.apply_frame(long, f)
    file = "GVA_NOMINAL_BY_REGION_SECTION.csv"
    p = _build(_source_from_frame(framed.assign(measure="gva", unit="mln KZT"), file))
    nat = long[long["region"] == "national"].drop(columns="region")
    _attach_national(p, _source_from_frame(nat.assign(measure="gva", unit="mln KZT"), f"{file} (national)"))
    p.frame, p.breaks, p.sector_names = f"KZ-{f}", breaks, OKED_SECTION_NAMES
    p.region_names = kzframes.frame_units(f)
    p.source = "kz/stats/bns/GVA_NOMINAL_BY_REGION_SECTION.csv"
    # OKED sections have no traded/local classification: the all-activities base is stated, not assumed
    p.sector_groups = {s: "all" for s in p.sectors}
    p.notes.append("OKED sections have no traded/local classification: location quotients (CMP's too) use all activities as the base")
    data, national = p.data, p.national
    # coverage check: the frame's units must add up to the national rows
    tot = data.groupby("year")["value"].sum()
    ntot = national.groupby("year")["value"].sum()
    ratio = (tot / ntot).dropna()
    bad = ratio[(ratio - 1).abs() > 1e-6]
    if len(bad):
        p.notes.append("regions do not sum to the national total in " + ", ".join(f"{y} ({r:.4f})" for y, r in bad.items()))
    years_missing = data[data["value"].isna()].groupby("year")["region"].unique()
    for y, regs in years_missing.items():
        p.notes.append(f"{y}: no data for {', '.join(p.region_names.get(r, r) for r in regs)} in frame {f}")
    return p
