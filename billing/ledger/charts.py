"""LED-2: the ledger's charts, drawn on the server as SVG like the tournée map.

No script and no style attribute (the Content-Security-Policy forbids them):
presentation attributes only. The picture scales to its container through
its viewBox, so it stays readable on a phone; each bar carries a <title>
with its exact figure, and the figure is also in the table beside the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

# Drawn for a phone first: at 360 px the text keeps its size.
WIDTH = 360
HEIGHT = 220
LEFT = 52
RIGHT = 8
TOP = 28
BOTTOM = 28
SERIES_COLOURS = ("#1f5fa8", "#2e7d32", "#b26a00")


@dataclass(frozen=True)
class Group:
    """One position on the x axis (a day, a key, a month) and its values,
    one per series."""

    label: str
    values: tuple[Decimal, ...]
    title: str = ""


def _euros(value: Decimal) -> str:
    text = f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text} €"


def _nice_ceiling(value: Decimal) -> Decimal:
    """A round upper bound for the axis (1, 2 or 5 × a power of ten)."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return Decimal(step) * magnitude
    return 10 * magnitude  # pragma: no cover


def bar_chart(groups: Sequence[Group], *, series: Sequence[str], title: str,
              label_every: int = 1) -> str:
    """Grouped bars: one group per x position, one bar per series.

    `label_every` prints one x label in that many (31 days do not fit a phone).
    """
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    top_value = _nice_ceiling(max((v for g in groups for v in g.values), default=Decimal(0)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    # Legend.
    x = LEFT
    for index, name in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="18" font-size="12" fill="#222">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    # Axis and grid: four steps.
    for step in range(5):
        value = top_value * step / 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#ddd" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="11" fill="#444" '
                     f'text-anchor="end">{escape(_euros(value).replace(",00", ""))}</text>')
    if groups:
        slot = plot_w / len(groups)
        bar_w = max(slot * 0.8 / max(len(series), 1), 1)
        for index, group in enumerate(groups):
            x0 = LEFT + index * slot + slot * 0.1
            for s, value in enumerate(group.values):
                height = float(value / top_value) * plot_h if top_value else 0
                colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
                tip = f"{group.title or group.label} — {series[s]} : {_euros(value)}"
                parts.append(
                    f'<rect x="{x0 + s * bar_w:.1f}" y="{TOP + plot_h - height:.1f}" '
                    f'width="{bar_w:.1f}" height="{height:.1f}" fill="{colour}">'
                    f"<title>{escape(tip)}</title></rect>")
            if index % max(label_every, 1) == 0:
                parts.append(
                    f'<text x="{LEFT + (index + 0.5) * slot:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                    f'font-size="11" fill="#444" text-anchor="middle">{escape(group.label)}</text>')
    else:
        parts.append(f'<text x="{WIDTH / 2}" y="{TOP + plot_h / 2}" font-size="14" fill="#666" '
                     f'text-anchor="middle">Aucune donnée sur la période</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" '
                 f'y2="{TOP + plot_h}" stroke="#444" stroke-width="1"/>')
    parts.append("</svg>")
    return "".join(parts)
