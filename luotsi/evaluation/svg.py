"""An accessible inline SVG event-study plot (estimates with confidence intervals by event time).

Used until ``luotsi.stats.plots`` lands. The SVG carries ``role="img"``, a ``<title>`` and a
``<desc>``; the report puts the same numbers in a table right after it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 48


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    estimate: float
    low: float
    high: float


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step) + 1)]


def event_study_svg(
    points: Sequence[Point], *, title: str, desc: str, x_label: str, y_label: str, cutoff: float
) -> SafeString:
    """The plot; ``cutoff`` draws the vertical line where treatment starts (event time)."""
    pts = [p for p in points if all(map(math.isfinite, (p.estimate, p.low, p.high)))]
    if not pts:
        return mark_safe("")
    xs = [p.x for p in pts]
    x0, x1 = min(xs) - 0.5, max(xs) + 0.5
    y0 = min(0.0, *(p.low for p in pts))
    y1 = max(0.0, *(p.high for p in pts))
    pad = (y1 - y0) * 0.05 or 1.0
    y0, y1 = y0 - pad, y1 + pad

    def sx(x: float) -> float:
        return LEFT + (x - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT)

    def sy(y: float) -> float:
        return TOP + (y1 - y) / (y1 - y0) * (HEIGHT - TOP - BOTTOM)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="es-title es-desc" class="event-study" width="100%">',
        f'<title id="es-title">{escape(title)}</title><desc id="es-desc">{escape(desc)}</desc>',
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
        f'height="{HEIGHT - TOP - BOTTOM}" fill="#fff" stroke="#555"/>',
    ]
    for t in _ticks(y0, y1):
        parts.append(
            f'<line x1="{LEFT - 4}" x2="{LEFT}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="#555"/>'
            f'<text x="{LEFT - 6}" y="{sy(t) + 4:.1f}" text-anchor="end" font-size="11">'
            f"{t:g}</text>"
        )
    step = max(1, math.ceil(len(xs) / 12))
    for x in sorted(set(xs))[::step]:
        parts.append(
            f'<text x="{sx(x):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11">{x:g}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{sy(0):.1f}" y2="{sy(0):.1f}" '
        f'stroke="#333" stroke-dasharray="4 3"/>'
    )
    cx = sx(cutoff - 0.5)
    parts.append(
        f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="#777" '
        f'stroke-dasharray="2 3"/>'
    )
    for p in pts:
        colour = "#0b5394" if p.x >= cutoff else "#7f6000"
        parts.append(
            f'<line x1="{sx(p.x):.1f}" x2="{sx(p.x):.1f}" y1="{sy(p.low):.1f}" '
            f'y2="{sy(p.high):.1f}" stroke="{colour}" stroke-width="2"/>'
            f'<circle cx="{sx(p.x):.1f}" cy="{sy(p.estimate):.1f}" r="3.5" fill="{colour}"/>'
        )
    parts.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 8}" text-anchor="middle" '
        f'font-size="12">{escape(x_label)}</text>'
        f'<text transform="translate(14 {(TOP + HEIGHT - BOTTOM) / 2}) rotate(-90)" '
        f'text-anchor="middle" font-size="12">{escape(y_label)}</text></svg>'
    )
    return mark_safe("".join(parts))  # every text part is escaped above
