"""Self-contained HTML report of a mapping run (Plotly, plotly.js embedded inline: works offline).

The report holds: what was run (source, frame, measure and unit, methodologies and versions,
data notes and territorial breaks), the LQ heatmap, the flags of each methodology side by side,
for Kazakhstan a choropleth of the regions (boundaries from
``kz/boundaries/adm1_2024.geojson``, geoBoundaries/geokz, CC BY 4.0, simplified), the indicators
over time, and tables of the flagged cells with their stability.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from klaster.observatory import frames as kzframes
from klaster.observatory.geometry import simplify

# plotly.js fetches a world base map (topojson) from its CDN for every geo subplot, even with the
# base layers hidden; an empty topology registered in advance keeps the report fully offline.
_EMPTY = {"type": "GeometryCollection", "geometries": []}
OFFLINE_GEO = ("<script>window.PlotlyGeoAssets=window.PlotlyGeoAssets||{topojson:{}};"
               "window.PlotlyGeoAssets.topojson.world_110m=" + json.dumps(
                   {"type": "Topology", "arcs": [],
                    "objects": {k: _EMPTY for k in ("land", "ocean", "coastlines", "countries", "lakes", "rivers", "subunits")}},
                   separators=(",", ":")) + ";</script>")

MAIN_FLAG = {"cmp": ("strong", "CMP strong cluster"), "eco": ("stars", "ECO stars (0–3)"),
             "kz-bn": ("flagged", "Business Navigator flag")}


@lru_cache(maxsize=4)
def kz_geometry(tolerance: float = 0.02, decimals: int = 2) -> dict:
    """The 20 regions' boundaries, simplified (:func:`klaster.observatory.geometry.simplify`,
    ``tolerance`` degrees) and rounded to ``decimals`` places."""
    from klaster import datasets

    g = json.loads(datasets.path("kz/boundaries/adm1_2024.geojson").read_text(encoding="utf-8"))
    feats = []
    for f in g["features"]:
        new = (simplify(f["geometry"], tolerance, decimals) or {"coordinates": []})["coordinates"]
        feats.append({"type": "Feature", "id": f["properties"]["KATO"],
                      "properties": {"KATO": f["properties"]["KATO"], "name": f["properties"]["ADM1_EN"]},
                      "geometry": {"type": "MultiPolygon", "coordinates": new}})
    return {"type": "FeatureCollection", "features": feats}


def _r(v, digits=4):
    a = np.asarray(v, dtype=float)
    with np.errstate(all="ignore"):
        return np.where(np.isfinite(a), np.round(a, digits), np.nan)


def _names(res, codes):
    rn = res.panel.region_names or {}
    return [rn.get(c, c) for c in codes]


def _snames(res, codes):
    sn = res.panel.sector_names or {}
    return [f"{c} {sn.get(c, '')}".strip() for c in codes]


def _fig_html(fig, first: list) -> str:
    inc = first[0]
    first[0] = False
    return fig.to_html(full_html=False, include_plotlyjs=True if inc else False, config={"displaylogo": False})


def _table(df: pd.DataFrame, max_rows: int = 60) -> str:
    d = df.head(max_rows).copy()
    for c in d.columns:
        if pd.api.types.is_float_dtype(d[c]):
            d[c] = d[c].map(lambda v: "" if pd.isna(v) else f"{v:,.3f}")
    more = f"<p class=note>{len(df) - max_rows} more rows in the CSV files.</p>" if len(df) > max_rows else ""
    t = d.astype(object).where(d.notna(), "").to_html(index=False, classes="tbl", border=0, na_rep="")
    return re.sub(r">\s+<", "><", t) + more


def is_kazakhstan(res) -> bool:
    return bool(res.panel.frame and str(res.panel.frame).startswith("KZ-"))


#: Heatmaps show at most this many regions and sectors (the largest by the measure in the main year).
HEATMAP_MAX = 60
#: The over-time chart shows at most this many regions (the largest).
LINES_MAX = 20


def _largest(cur: pd.DataFrame, key: str, k: int) -> list[str]:
    tot = cur.groupby(key)["value"].sum(min_count=1).fillna(0)
    return list(tot.sort_values(ascending=False).index[:k])


def _main_lq(res) -> pd.DataFrame:
    if "lq" in res._tables:
        return res.main_year("lq")
    from klaster.observatory import methodology as M
    from klaster.observatory.mapping import Block

    t, present, _ = M.local_lq(res.panel, res.measure, res.year, "all")
    return Block(res.panel, present, res.year, {"value": t.x, "lq": t.lq}).to_pandas()


def render_html(res) -> str:
    """The report of a :class:`~klaster.observatory.mapping.MapResult` as one HTML string."""
    first = [True]
    parts: list[str] = []
    p = res.panel
    cur = _main_lq(res)
    note = ""
    n_reg, n_sec = cur["region"].nunique(), cur["sector"].nunique()
    if n_reg > HEATMAP_MAX or n_sec > HEATMAP_MAX:
        keep_r = set(_largest(cur, "region", HEATMAP_MAX))
        keep_s = set(_largest(cur, "sector", HEATMAP_MAX))
        cur = cur[cur["region"].isin(keep_r) & cur["sector"].isin(keep_s)]
        note = (f"<p class=note>The heatmaps show the {len(keep_r)} largest of {n_reg:,} regions and the {len(keep_s)} largest of "
                f"{n_sec:,} sectors by {html.escape(res.measure)} in {res.year}; every cell is in the output tables.</p>")
    regions = sorted(cur["region"].unique(), key=lambda c: _names(res, [c])[0])
    sectors = sorted(cur["sector"].unique(), key=lambda s: (len(s), s))
    # 1. LQ heatmap
    z = cur.pivot(index="region", columns="sector", values="lq").reindex(index=regions, columns=sectors)
    v = cur.pivot(index="region", columns="sector", values="value").reindex(index=regions, columns=sectors)
    fig = go.Figure(go.Heatmap(z=_r(z.to_numpy(), 3), x=sectors, y=_names(res, regions), customdata=_r(v.to_numpy(), 1),
                               colorscale="RdBu_r", zmin=0, zmax=2,
                               hovertemplate="%{y} · %{x}<br>LQ %{z}<br>" + f"{res.measure} %{{customdata}} {res.unit}<extra></extra>",
                               colorbar={"title": "LQ (≥2 dark red)"}))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title=f"Location quotients, {res.measure} ({res.unit}), {res.year} — all activities as the base",
                      height=max(420, 18 * len(regions) + 150), margin={"l": 10, "r": 10, "t": 50, "b": 10})
    parts.append("<h2>Location quotients</h2>" + note + _fig_html(fig, first))
    # 2. methodologies side by side
    fl = res.main_year("flags") if "flags" in res._tables else pd.DataFrame(columns=["methodology", "region", "sector"])
    fl = fl[fl["region"].isin(regions) & fl["sector"].isin(sectors)] if len(fl) else fl
    mids = list(dict.fromkeys(fl["methodology"])) if len(fl) else []
    if mids:
        fig = make_subplots(rows=1, cols=len(mids), shared_yaxes=True, subplot_titles=[MAIN_FLAG.get(m, (m, m))[1] for m in mids],
                            horizontal_spacing=0.02)
        for i, m in enumerate(mids, 1):
            col = MAIN_FLAG.get(m, (None,))[0]
            g = fl[fl["methodology"] == m]
            if col not in g:
                continue
            zz = g.pivot(index="region", columns="sector", values=col).reindex(index=regions, columns=sectors)
            zz = zz.apply(lambda s: s.astype("Float64")).to_numpy(dtype=float, na_value=np.nan)
            st = col + "_stability"
            cd = g.pivot(index="region", columns="sector", values=st).reindex(index=regions, columns=sectors).to_numpy(dtype=float) if st in g else np.full_like(zz, np.nan)
            zmax = 3 if col == "stars" else 1
            fig.add_trace(go.Heatmap(z=zz, x=sectors, y=_names(res, regions), customdata=_r(cd, 2), zmin=0, zmax=zmax,
                                     colorscale=[[0, "#f4f4f4"], [1, "#1b6b3a"]], showscale=False,
                                     hovertemplate="%{y} · %{x}<br>" + col + " %{z}<br>stability %{customdata}<extra></extra>"), 1, i)
        fig.update_yaxes(autorange="reversed")
        fig.update_layout(title=f"Flags in {res.year}, methodologies side by side (green = flagged; stars 0–3)",
                          height=max(420, 18 * len(regions) + 150), margin={"l": 10, "r": 10, "t": 70, "b": 10})
        parts.append("<h2>Methodologies side by side</h2>" + _fig_html(fig, first))
    # 3. choropleth (Kazakhstan)
    if is_kazakhstan(res):
        parts.append("<h2>Map of the regions</h2>" + OFFLINE_GEO + _choropleth(res, fl, sectors, first))
    # 4. over time
    spec = res.tables.get("specialisation")
    if spec is not None and spec["year"].nunique() > 1:
        fig = go.Figure()
        lines = regions if len(regions) <= LINES_MAX else sorted(_largest(cur, "region", LINES_MAX), key=lambda c: _names(res, [c])[0])
        for r in lines:
            s = spec[spec["region"] == r].sort_values("year")
            fig.add_trace(go.Scatter(x=s["year"], y=_r(s["krugman"], 4), mode="lines+markers", name=_names(res, [r])[0]))
        for _, b in (p.breaks if p.breaks is not None else pd.DataFrame(columns=["region", "year", "note"])).iterrows():
            if b["year"] in set(spec["year"]):
                fig.add_vline(x=b["year"] - 0.5, line_dash="dot", line_color="grey")
        fig.update_layout(title="Krugman specialisation index over time (dotted: territorial break)", height=480,
                          margin={"l": 10, "r": 10, "t": 50, "b": 10})
        parts.append("<h2>Over time</h2>" + _fig_html(fig, first))
        counts = res.counts()
        if len(counts):
            c = counts[counts.apply(lambda r: r["flag"] == MAIN_FLAG.get(r["methodology"], (None,))[0], axis=1)]
            c = c.rename(columns={"count": "cells flagged"})
            fig = go.Figure([go.Bar(x=g["year"], y=g["cells flagged"], name=m) for m, g in c.groupby("methodology")])
            fig.update_layout(title="Flagged region × sector cells per year", barmode="group", height=380,
                              margin={"l": 10, "r": 10, "t": 50, "b": 10})
            parts.append(_fig_html(fig, first))
    # 5. tables
    if "comparison" in res._tables:
        comp = res.tables["comparison"].copy()
        flagcols = [c for c in comp.columns if ":" in c and not c.endswith("_stability")]
        anyflag = np.zeros(len(comp), dtype=bool)
        for c in flagcols:
            anyflag |= comp[c].astype("Float64").fillna(0).to_numpy() > 0
        comp = comp[anyflag]
        comp.insert(0, "region name", _names(res, comp["region"]))
        comp["sector"] = _snames(res, comp["sector"])
        parts.append(f"<h2>Flagged cells in {res.year}</h2><p>Cells flagged by at least one methodology; "
                     "stability = share of bootstrap (regions resampled) and ±perturbation replicates in which the "
                     "flag keeps its value.</p>" + _table(comp.sort_values("lq", ascending=False), 80))
    if "strength" in res.tables:
        st = res.tables["strength"]
        st = st[st["year"] == res.year].copy()
        st.insert(1, "region name", _names(res, st["region"]))
        parts.append("<h2>Region cluster strength (CMP)</h2><p>Share of the region's measure (traded base) in strong clusters.</p>"
                     + _table(st.sort_values("strength", ascending=False), 60))
    if "specialisation" in res.tables:
        sp = res.tables["specialisation"]
        sp = sp[sp["year"] == res.year].copy()
        sp.insert(1, "region name", _names(res, sp["region"]))
        parts.append("<h2>Specialisation of the regions</h2><p class=note>krugman, hhi, entropy; gini_spec: REAT's gini.spec "
                     "(Gini of the region's location quotients, each sector counted once); gini_spec_weighted: the same "
                     "Lorenz curve with sectors weighted by their national share.</p>"
                     + _table(sp.sort_values("krugman", ascending=False), 60))
    if "complexity" in res.tables:
        cx = res.tables["complexity"]
        cx = cx[cx["year"] == res.year].copy()
        cx.insert(1, "region name", _names(res, cx["region"]))
        parts.append("<h2>Economic complexity of the regions</h2><p class=note>ECI and complexity outlook (COI) from the "
                     "regions' revealed comparative advantage in the sectors (RCA ≥ 1; Hidalgo &amp; Hausmann 2009, "
                     "standardised as the Growth Lab's ecomplexity); diversity = sectors with RCA ≥ 1. Relatedness density "
                     "and outlook gain of every cell: relatedness.*.</p>" + _table(cx.sort_values("eci", ascending=False), 60))
    head = _header(res)
    css = ("body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1200px;color:#222}"
           "table.tbl{border-collapse:collapse;font-size:12px}table.tbl td,table.tbl th{padding:2px 6px;border-bottom:1px solid #ddd}"
           ".note{color:#555;font-size:13px}h2{margin-top:1.6em;border-bottom:1px solid #ccc}")
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>klaster observatory — {html.escape(res.measure)} {res.year}</title>"
            f"<style>{css}</style></head><body>{head}{''.join(parts)}</body></html>")


def _header(res) -> str:
    p = res.panel
    rows = [("Source", p.source), ("Territorial frame", p.frame or ""), ("Measure", f"{res.measure} ({res.unit})"),
            ("Year", str(res.year)), ("Years over time", f"{res.years[0]}–{res.years[-1]}"),
            ("Methodologies", ", ".join(res.methodologies)), ("Engine", res.engine),
            ("Panel", f"{len(p.regions):,} regions × {len(p.sectors):,} sectors × {len(p.years)} years")]
    t = "".join(f"<tr><th align=left>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    notes = list(res.notes)
    if p.breaks is not None and len(p.breaks):
        for _, b in p.breaks.iterrows():
            notes.append(f"territorial break: {(p.region_names or {}).get(b['region'], b['region'])} from {b['year']} — {b['note']}")
    n = "".join(f"<li>{html.escape(x)}</li>" for x in notes)
    geo = ("<p class=note>Boundaries: geokz (A. Rodionov), CC BY 4.0, simplified (Douglas–Peucker, 0.02°).</p>" if is_kazakhstan(res) else "")
    return (f"<h1>Regional specialisation and cluster mapping</h1><table class=tbl>{t}</table>"
            + (f"<h3>Data notes</h3><ul class=note>{n}</ul>" if n else "") + geo)


def _choropleth(res, fl, sectors, first) -> str:
    frame = str(res.panel.frame).removeprefix("KZ-")
    unit_of = kzframes.geometry_unit(frame)  # today's KATO -> frame unit KATO
    geo = kz_geometry()
    locs = [f["id"] for f in geo["features"]]
    names = [f["properties"]["name"] for f in geo["features"]]
    variables: list[tuple[str, dict]] = []
    if "specialisation" in res.tables:
        sp = res.tables["specialisation"]
        sp = sp[sp["year"] == res.year].set_index("region")
        for col, label in (("krugman", "Krugman specialisation index"), ("hhi", "Herfindahl–Hirschman index"),
                           ("entropy", "Entropy (diversity)"), ("gini_spec", "Gini of the LQs (REAT gini.spec)")):
            variables.append((label, sp[col].to_dict()))
    if "complexity" in res.tables:
        cx = res.tables["complexity"]
        cx = cx[cx["year"] == res.year].set_index("region")
        variables.append(("Economic complexity index (ECI)", cx["eci"].to_dict()))
        variables.append(("Complexity outlook index (COI)", cx["coi"].to_dict()))
    for m in dict.fromkeys(fl["methodology"]) if len(fl) else []:
        col, label = MAIN_FLAG.get(m, (None, m))
        g = fl[fl["methodology"] == m]
        if col in g:
            variables.append((f"{label}: flagged sectors", g.groupby("region")[col].apply(lambda s: float((s.astype("Float64") > 0).sum())).to_dict()))
    if "strength" in res.tables:
        st = res.tables["strength"]
        variables.append(("CMP cluster strength", st[st["year"] == res.year].set_index("region")["strength"].to_dict()))
    cur = _main_lq(res)
    for s in sectors:
        variables.append((f"LQ {s} {(res.panel.sector_names or {}).get(s, '')}", cur[cur["sector"] == s].set_index("region")["lq"].to_dict()))
    zs = [[d.get(unit_of.get(k, k), np.nan) for k in locs] for _, d in variables]
    zs = [_r(z, 4).tolist() for z in zs]
    text = [f"{n} ({(res.panel.region_names or {}).get(unit_of.get(k, k), '')})" for k, n in zip(locs, names)]
    fig = go.Figure(go.Choropleth(geojson=geo, locations=locs, z=zs[0], featureidkey="id", text=text, colorscale="Viridis",
                                  hovertemplate="%{text}<br>%{z}<extra></extra>", marker_line_color="white"))
    fig.update_geos(fitbounds="locations", visible=False, scope="world", resolution=110, projection_type="mercator")
    buttons = [dict(label=lbl, method="restyle", args=[{"z": [z]}]) for (lbl, _), z in zip(variables, zs)]
    fig.update_layout(title={"text": f"Kazakhstan, {res.year} (frame {frame}; units of the frame coloured over today's boundaries)", "y": 0.98},
                      height=560, margin={"l": 0, "r": 0, "t": 90, "b": 0},
                      updatemenus=[dict(buttons=buttons, direction="down", x=1, y=1.08, xanchor="right", showactive=True)])
    return _fig_html(fig, first)
