"""Accessible inline SVG charts made in Python (no JavaScript, no external resources).

Every chart has ``role="img"``, a ``<title>`` and a ``<desc>`` (referenced by
``aria-labelledby``), text labels in the document's language and a visible focus order that does
not matter (the SVG is not interactive). Pages always put the same numbers in a table next to
the chart. Colours meet WCAG 2.1 AA contrast against white (#1f4e79 and #8a3b00: > 7:1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 56
INK, ACCENT, GRID = "#1f4e79", "#8a3b00", "#767676"


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step + 1e-9) + 1)]


def format_number(v: float, max_decimals: int = 1) -> str:
    """A chart label in the active locale (decimal comma and grouping in fi/sv, point in en):
    a value with one decimal as in the tables, an axis tick with as many as it needs (up to 2)."""
    v = float(v)
    decimals = next(
        d for d in range(max_decimals + 1) if round(v * 10**d, 6).is_integer() or d == max_decimals
    )
    return number_format(v, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _frame(chart_id: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" id="{chart_id}" '
        f'width="100%" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _y_axis(parts: list[str], y0: float, y1: float, sy) -> None:
    for t in _ticks(y0, y1):
        y = sy(t)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="0.5"/><text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="#000">{escape(format_number(t, 2))}</text>'
        )


def line_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    chart_id: str,
    title: str,
    desc: str,
    unit: str = "",
) -> SafeString:
    """A line over labelled periods; ``None`` values leave a gap; ``unit`` labels the y axis."""
    known = [v for _, v in points if v is not None]
    if not known:
        return mark_safe("")
    y0, y1 = min(0.0, *known), max(known)
    y1 = y1 + (y1 - y0) * 0.05 or 1.0
    n = len(points)

    def sx(i: int) -> float:
        return LEFT + (i + 0.5) * (WIDTH - LEFT - RIGHT) / n

    def sy(v: float) -> float:
        return TOP + (y1 - v) / (y1 - y0) * (HEIGHT - TOP - BOTTOM)

    parts = _frame(chart_id, title, desc)
    if unit:
        parts.append(
            f'<text x="{LEFT + 4}" y="{TOP - 4}" font-size="12" fill="#000">{escape(unit)}</text>'
        )
    _y_axis(parts, y0, y1, sy)
    step = max(1, math.ceil(n / 12))
    for i, (label, _) in enumerate(points):
        if i % step == 0:
            parts.append(
                f'<text x="{sx(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                f'font-size="12" fill="#000">{escape(label)}</text>'
            )
    segment: list[str] = []
    for i, (_, v) in enumerate(points):
        if v is None:
            if segment:
                parts.append(_polyline(segment))
            segment = []
            continue
        segment.append(f"{sx(i):.1f},{sy(v):.1f}")
        parts.append(f'<circle cx="{sx(i):.1f}" cy="{sy(v):.1f}" r="3" fill="{INK}"/>')
    if segment:
        parts.append(_polyline(segment))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _polyline(points: list[str]) -> str:
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{INK}" stroke-width="2"/>'


def bar_chart(
    bars: Sequence[tuple[str, float | None, bool]], *, chart_id: str, title: str, desc: str
) -> SafeString:
    """Horizontal bars (label, value, highlighted); a missing value is drawn as no bar."""
    known = [v for _, v, _ in bars if v is not None]
    if not known:
        return mark_safe("")
    row_h = 18
    height = TOP + row_h * len(bars) + 24
    lo, hi = min(0.0, *known), max(0.0, *known) or 1.0
    label_w = 200

    def sx(v: float) -> float:
        return label_w + (v - lo) / (hi - lo) * (WIDTH - label_w - RIGHT - 48)

    parts = _frame(chart_id, title, desc)
    parts[0] = parts[0].replace(f"0 0 {WIDTH} {HEIGHT}", f"0 0 {WIDTH} {height}")
    for i, (label, v, mark) in enumerate(bars):
        y = TOP + i * row_h
        weight = ' font-weight="bold"' if mark else ""
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12" '
            f'fill="#000"{weight}>{escape(label[:32])}</text>'
        )
        if v is None:
            continue
        x0, x1 = sorted((sx(0.0), sx(v)))
        parts.append(
            f'<rect x="{x0:.1f}" y="{y + 2}" width="{max(x1 - x0, 1):.1f}" height="{row_h - 4}" '
            f'fill="{ACCENT if mark else INK}"/>'
            f'<text x="{x1 + 4:.1f}" y="{y + 13}" font-size="12" fill="#000"{weight}>'
            f"{escape(format_number(v))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
