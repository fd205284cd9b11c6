"""A picture of a route drawn on the server: numbered stops joined in order,
the start point as a square. No map tiles, no script, no style attribute
(the page's Content-Security-Policy forbids them): presentation attributes only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 640
HEIGHT = 400
MARGIN = 28
STACK_STEP = 24  # horizontal distance between stops drawn at one place

COLOURS = {
    "planned": "#1f5fa8",
    "done": "#2e7d32",
    "not_done": "#9e9e9e",
    "late": "#c62828",
}


@dataclass(frozen=True)
class SvgStop:
    lat: float
    lon: float
    label: str  # the number shown in the circle
    title: str = ""  # tooltip (time, patient)
    state: str = "planned"  # planned | done | not_done | late


def _projector(points: Sequence[tuple[float, float]], width: int, height: int):
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    mid_lat = math.radians((min(lats) + max(lats)) / 2)
    kx = math.cos(mid_lat)
    xs = [lon * kx for lon in lons]
    min_x, max_x = min(xs), max(xs)
    min_y, max_y = min(lats), max(lats)
    span = max(max_x - min_x, max_y - min_y, 1e-4)
    scale = min((width - 2 * MARGIN) / max(max_x - min_x, span * 0.05),
                (height - 2 * MARGIN) / max(max_y - min_y, span * 0.05))
    off_x = (width - (max_x - min_x) * scale) / 2
    off_y = (height - (max_y - min_y) * scale) / 2

    def project(lat: float, lon: float) -> tuple[float, float]:
        return (round(off_x + (lon * kx - min_x) * scale, 1),
                round(height - (off_y + (lat - min_y) * scale), 1))

    return project


def route_svg(
    start: tuple[float, float], stops: Sequence[SvgStop], *, end: tuple[float, float] | None = None,
    title: str = "Tournée", width: int = WIDTH, height: int = HEIGHT,
) -> str:
    """The SVG markup (a string, safe to insert in HTML)."""
    end = end or start
    points = [start, end, *[(s.lat, s.lon) for s in stops]]
    project = _projector(points, width, height)
    sx, sy = project(*start)
    path = [f"M{sx},{sy}"]
    for s in stops:
        x, y = project(s.lat, s.lon)
        path.append(f"L{x},{y}")
    if stops:
        ex, ey = project(*end)
        path.append(f"L{ex},{ey}")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="route-svg" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="route-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f7f9fb" stroke="#d0d7de"/>',
    ]
    if stops:
        # One segment per leg so that each carries an arrow in its middle.
        coords = [(sx, sy)] + [project(s.lat, s.lon) for s in stops] + [project(*end)]
        for (x1, y1), (x2, y2) in zip(coords, coords[1:], strict=False):
            mx, my = round((x1 + x2) / 2, 1), round((y1 + y2) / 2, 1)
            parts.append(
                f'<path d="M{x1},{y1} L{mx},{my} L{x2},{y2}" fill="none" stroke="#555" '
                f'stroke-width="2" stroke-linejoin="round" marker-mid="url(#route-arrow)"/>'
            )
    parts.append(
        f'<rect x="{sx - 9}" y="{sy - 9}" width="18" height="18" fill="#333" stroke="#fff" '
        f'stroke-width="2"><title>Départ et retour</title></rect>'
    )
    parts.append(
        f'<text x="{sx}" y="{sy + 4}" text-anchor="middle" font-size="11" font-family="sans-serif" '
        f'fill="#fff">C</text>'
    )
    # Stops at one place (a patient seen morning and evening) would hide one
    # another: they are drawn side by side, centred on the place.
    places: dict[tuple[float, float], list[int]] = {}
    for index, s in enumerate(stops):
        places.setdefault(project(s.lat, s.lon), []).append(index)
    positions: dict[int, tuple[float, float]] = {}
    for (x, y), indexes in places.items():
        for rank, index in enumerate(indexes):
            positions[index] = (round(x + (rank - (len(indexes) - 1) / 2) * STACK_STEP, 1), y)
    for index, s in enumerate(stops):
        x, y = positions[index]
        colour = COLOURS.get(s.state, COLOURS["planned"])
        tip = f"<title>{escape(s.title)}</title>" if s.title else ""
        parts.append(
            f'<g class="route-stop route-stop-{escape(s.state)}">'
            f'<circle cx="{x}" cy="{y}" r="11" fill="{colour}" stroke="#fff" stroke-width="2"/>'
            f'<text x="{x}" y="{y + 4}" text-anchor="middle" font-size="11" '
            f'font-family="sans-serif" fill="#fff">{escape(s.label)}</text>{tip}</g>'
        )
    parts.append("</svg>")
    return "".join(parts)
