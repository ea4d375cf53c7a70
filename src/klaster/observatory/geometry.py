"""Boundaries made light enough to draw: Douglas–Peucker simplification of GeoJSON rings.

Plain Python (no Django import), shared by the regions' map of the web app
(:func:`klaster.web.maps.boundaries`) and the choropleth of a mapping run's HTML report
(:func:`klaster.observatory.report.kz_geometry`).

Source: D. H. Douglas and T. K. Peucker (1973), "Algorithms for the reduction of the number of
points required to represent a digitized line or its caricature", *Cartographica* 10(2),
112–122. Coordinates are WGS84 degrees and the tolerance is in degrees (0.01° ≈ 1 km).
"""

from __future__ import annotations

import math

#: Simplification tolerance of the web map's boundaries, degrees (≈ 1 km): the file stays small (≈ 100 KB).
TOLERANCE = 0.01
#: Decimal places kept in the web map's boundary coordinates (≈ 100 m at 3).
DIGITS = 3


def simplify_ring(ring: list, tolerance: float = TOLERANCE, digits: int = DIGITS) -> list[list[float]]:
    """Douglas–Peucker simplification of a closed ring ``[[lon, lat], …]`` (degrees): points
    closer than ``tolerance`` (degrees) to the kept line are dropped; the ring stays closed.

    Returns the simplified ring rounded to ``digits`` decimal places (a point equal to the one
    before it after rounding is dropped), or ``[]`` when fewer than four points (a triangle)
    would remain (a speck below the tolerance)."""
    pts = [(float(p[0]), float(p[1])) for p in ring]
    n = len(pts)
    if n < 4:
        return []
    keep = [False] * n
    keep[0] = keep[-1] = True
    # a closed ring: split it at its farthest point from the start so that neither half is degenerate
    far = max(range(n), key=lambda i: (pts[i][0] - pts[0][0]) ** 2 + (pts[i][1] - pts[0][1]) ** 2)
    keep[far] = True
    stack = [(0, far), (far, n - 1)]
    while stack:
        a, b = stack.pop()
        if b <= a + 1:
            continue
        (ax, ay), (bx, by) = pts[a], pts[b]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        best, best_d = -1, -1.0
        for i in range(a + 1, b):
            px, py = pts[i]
            d = abs(dx * (py - ay) - dy * (px - ax)) / length if length else math.hypot(px - ax, py - ay)
            if d > best_d:
                best, best_d = i, d
        if best_d > tolerance:
            keep[best] = True
            stack += [(a, best), (best, b)]
    out: list[list[float]] = []
    for (x, y), k in zip(pts, keep):
        q = [round(x, digits), round(y, digits)]
        if k and (not out or out[-1] != q):
            out.append(q)
    return out if len(out) >= 4 else []


def simplify(geometry: dict, tolerance: float = TOLERANCE, digits: int = DIGITS) -> dict | None:
    """A Polygon or MultiPolygon (GeoJSON geometry) simplified ring by ring (:func:`simplify_ring`),
    as a MultiPolygon; polygons whose outer ring vanishes are dropped. ``None`` when nothing
    remains.

    Raises
    ------
    ValueError
        For another geometry type."""
    polys = [geometry["coordinates"]] if geometry.get("type") == "Polygon" else (
        geometry["coordinates"] if geometry.get("type") == "MultiPolygon" else None)
    if polys is None:
        raise ValueError(f"unsupported geometry type {geometry.get('type')!r}")
    out = []
    for poly in polys:
        rings = [simplify_ring(r, tolerance, digits) for r in poly]
        if rings and rings[0]:
            out.append([r for r in rings if r])
    return {"type": "MultiPolygon", "coordinates": out} if out else None
