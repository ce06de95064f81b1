"""Accessible static event-study plot as SVG (no JavaScript, no fonts or files to fetch).

:func:`event_study_svg` draws the event-time estimates of an
:class:`~luotsi.stats.results.EffectTable` as points with pointwise confidence intervals,
simultaneous bands as light boxes when the estimator provides them, a dashed zero line and a
hollow marker at the reference period (normalised to zero). Every visible word is passed in by
the caller so that it can be translated; the SVG has ``role="img"``, a ``<title>`` and a
``<desc>`` referenced by ``aria-labelledby``. :func:`event_study_rows` returns the same numbers
as plain rows for the data table that should accompany the figure (WCAG 1.1.1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from luotsi.stats.results import EffectTable, Estimate

INK = "#1a1a1a"
POINT = "#0b4f8a"  # 8.1:1 contrast on white
BAND = "#c6dbef"
GRID = "#d9d9d9"


def event_study_rows(
    effects: EffectTable | Iterable[Estimate], *, reference_period: int | None = None
) -> list[dict[str, Any]]:
    """Rows ``event_time, estimate, ci_low, ci_high, band_low, band_high, reference``.

    Only event-time estimates are kept (sorted); the reference period, when given or stored in
    the table's ``meta["reference_period"]``, is added as a row with estimate 0 and
    ``reference=True``.
    """
    if reference_period is None and isinstance(effects, EffectTable):
        reference_period = effects.meta.get("reference_period")
    rows = [
        {
            "event_time": int(e.key["event_time"]),
            "estimate": e.estimate,
            "ci_low": e.ci_low,
            "ci_high": e.ci_high,
            "band_low": e.band_low,
            "band_high": e.band_high,
            "reference": False,
        }
        for e in effects
        if "event_time" in e.key
    ]
    if reference_period is not None and all(r["event_time"] != reference_period for r in rows):
        rows.append(
            {
                "event_time": int(reference_period),
                "estimate": 0.0,
                "ci_low": None,
                "ci_high": None,
                "band_low": None,
                "band_high": None,
                "reference": True,
            }
        )
    return sorted(rows, key=lambda r: r["event_time"])


def event_study_svg(
    effects: EffectTable | Iterable[Estimate],
    *,
    title: str,
    desc: str,
    x_label: str,
    y_label: str,
    reference_label: str = "",
    reference_period: int | None = None,
    width: int = 640,
    height: int = 360,
    id_prefix: str = "es",
) -> str:
    """The SVG document (a string) for the event-time rows of ``effects``.

    ``reference_label`` (e.g. "reference period") is drawn next to the reference marker when
    given; ``id_prefix`` keeps the ids of several plots on one page unique.
    """
    rows = event_study_rows(effects, reference_period=reference_period)
    if not rows:
        raise ValueError("effects: no event-time estimate to plot")
    if width < 200 or height < 150:
        raise ValueError(f"width/height: too small ({width}x{height})")
    left, right, top, bottom = 72, 16, 16, 56
    xs = [r["event_time"] for r in rows]
    values = [0.0]
    for r in rows:
        values += [
            v
            for k in ("estimate", "ci_low", "ci_high", "band_low", "band_high")
            if (v := r[k]) is not None and math.isfinite(v)
        ]
    y_lo, y_hi = min(values), max(values)
    pad = 0.06 * (y_hi - y_lo or 1.0)
    y_lo, y_hi = y_lo - pad, y_hi + pad
    x_lo, x_hi = min(xs) - 0.5, max(xs) + 0.5
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + (x - x_lo) / (x_hi - x_lo) * plot_w

    def py(y: float) -> float:
        return top + (y_hi - y) / (y_hi - y_lo) * plot_h

    slot = plot_w / (x_hi - x_lo)
    cap = min(6.0, slot * 0.25)
    pid = escape(id_prefix, quote=True)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{pid}-title {pid}-desc" font-family="sans-serif" font-size="13">',
        f'<title id="{pid}-title">{escape(title)}</title>',
        f'<desc id="{pid}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for tick in _ticks(y_lo, y_hi):
        y = py(tick)
        out.append(_line(left, y, left + plot_w, y, GRID, 1))
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{_fmt(tick)}</text>'
        )
    step = max(1, math.ceil(len(range(min(xs), max(xs) + 1)) / 16))
    for e in range(min(xs), max(xs) + 1, step):
        out.append(
            f'<text x="{px(e):.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
            f'fill="{INK}">{e}</text>'
        )
    out.append(_line(left, top + plot_h, left + plot_w, top + plot_h, INK, 1))
    out.append(_line(left, top, left, top + plot_h, INK, 1))
    zero = py(0.0)
    out.append(
        f'<line x1="{left}" y1="{zero:.1f}" x2="{left + plot_w}" y2="{zero:.1f}" stroke="{INK}" '
        'stroke-width="1" stroke-dasharray="5 4"/>'
    )
    for r in rows:
        x = px(r["event_time"])
        if r["reference"]:
            out.append(
                f'<circle cx="{x:.1f}" cy="{zero:.1f}" r="5" fill="#ffffff" stroke="{INK}" '
                'stroke-width="2"/>'
            )
            if reference_label:
                out.append(
                    f'<text x="{x:.1f}" y="{zero - 10:.1f}" text-anchor="middle" '
                    f'fill="{INK}" font-size="12">{escape(reference_label)}</text>'
                )
            continue
        if r["band_low"] is not None and r["band_high"] is not None:
            y1, y2 = py(r["band_high"]), py(r["band_low"])
            out.append(
                f'<rect x="{x - 2 * cap:.1f}" y="{y1:.1f}" width="{4 * cap:.1f}" '
                f'height="{max(y2 - y1, 0.5):.1f}" fill="{BAND}"/>'
            )
        if _finite(r["ci_low"]) and _finite(r["ci_high"]):
            y1, y2 = py(r["ci_high"]), py(r["ci_low"])
            out.append(_line(x, y1, x, y2, POINT, 2))
            out.append(_line(x - cap, y1, x + cap, y1, POINT, 2))
            out.append(_line(x - cap, y2, x + cap, y2, POINT, 2))
        if _finite(r["estimate"]):
            out.append(f'<circle cx="{x:.1f}" cy="{py(r["estimate"]):.1f}" r="4" fill="{POINT}"/>')
    out.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 12}" text-anchor="middle" '
        f'fill="{INK}">{escape(x_label)}</text>'
    )
    out.append(
        f'<text x="16" y="{top + plot_h / 2:.1f}" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 16 {top + plot_h / 2:.1f})">{escape(y_label)}</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def _line(x1: float, y1: float, x2: float, y2: float, color: str, width: float) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" '
        f'stroke-width="{width}"/>'
    )


def _finite(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def _ticks(lo: float, hi: float, n: int = 5) -> Sequence[float]:
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step) * step
    count = math.floor((hi - start) / step + 1e-9) + 1
    return [start + i * step for i in range(count)]


def _fmt(v: float) -> str:
    text = f"{v:.4g}"
    return "0" if text in ("-0", "0") else text.replace("-", "\u2212")
