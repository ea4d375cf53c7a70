"""Drawing Kazakhstan's regions as SVG from their boundary data (no JavaScript, no CDN).

Projection: equirectangular with the x axis scaled by cos(48°), Kazakhstan's mid latitude;
good enough for a choropleth of 20 regions. Rings are thinned so that consecutive points are at
least ``min_px`` apart, which keeps the page small (the source boundaries are ~1 MB).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

COS_LAT = math.cos(math.radians(48.0))


@dataclass(frozen=True)
class RegionShape:
    """One region drawn: its KATO, SVG path ``d`` and label position (SVG units)."""

    kato: str
    d: str
    label_x: float
    label_y: float


def _rings(geometry: dict):
    t = geometry.get("type")
    if t == "Polygon":
        yield from geometry["coordinates"]
    elif t == "MultiPolygon":
        for poly in geometry["coordinates"]:
            yield from poly
    else:
        raise ValueError(f"unsupported geometry type {t!r}")


def project(geometries: dict[str, dict], width: float = 1000.0, min_px: float = 1.5) -> tuple[list[RegionShape], float, float]:
    """Project geometries (KATO → GeoJSON geometry, WGS84 lon/lat) to SVG paths.

    Returns
    -------
    (shapes, width, height)
        ``height`` follows from the aspect ratio of the data.

    Raises
    ------
    ValueError
        A geometry is not a Polygon or MultiPolygon, or there is nothing to draw.
    """
    pts = [(lon * COS_LAT, lat) for g in geometries.values() for ring in _rings(g) for lon, lat, *_ in ring]
    if not pts:
        raise ValueError("no coordinates to draw")
    minx, maxx = min(p[0] for p in pts), max(p[0] for p in pts)
    miny, maxy = min(p[1] for p in pts), max(p[1] for p in pts)
    scale = width / (maxx - minx)
    height = (maxy - miny) * scale
    shapes = []
    for kato, g in geometries.items():
        parts = []
        best_ring, best_len = None, -1
        for ring in _rings(g):
            xy = [((lon * COS_LAT - minx) * scale, (maxy - lat) * scale) for lon, lat, *_ in ring]
            thin = [xy[0]]
            for x, y in xy[1:]:
                if math.hypot(x - thin[-1][0], y - thin[-1][1]) >= min_px:
                    thin.append((x, y))
            if len(thin) < 3:
                continue
            if len(thin) > best_len:
                best_ring, best_len = thin, len(thin)
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in thin) + "Z")
        if best_ring is None:
            continue
        cx = sum(p[0] for p in best_ring) / len(best_ring)
        cy = sum(p[1] for p in best_ring) / len(best_ring)
        shapes.append(RegionShape(kato, "".join(parts), round(cx, 1), round(cy, 1)))
    return shapes, width, round(height, 1)


def class_breaks(top: float, n: int = 5) -> list[tuple[float, float]]:
    """The value range of each of ``n`` colour classes of a choropleth whose class is
    ``min(n - 1, int((n - 1) * value / top + 0.5))`` (values rounded to the nearest of ``n``
    evenly spaced steps from 0 to ``top``, as the mapping run's map colours them):
    ``[(low, high)]``, class 0 starting at 0 and the last one ending at ``top``. Empty when
    ``top <= 0`` (nothing to class). Units are those of the values.
    """
    if not top or top <= 0 or n < 2:
        return []
    step = top / (n - 1)
    return [(max(0.0, (k - 0.5) * step), min(top, (k + 0.5) * step)) for k in range(n)]
