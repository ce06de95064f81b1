"""Helpers shared by the indicator pages: access, error pages, period labels, chart + table."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import charts, selectors, storage
from ..labels import unit_label
from ..permissions import require_dashboard

KEY_INDICATORS = ("O1", "O2", "O2X", "O1L", "O1LS", "O3", "O5", "O13", "O14R")
PUBLIC_DEFAULT = "B2"


def dashboard_view(view):
    """Signed-in dashboard roles only; a missing store or a bad filter gives a clear page."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        require_dashboard(request.user)
        try:
            return view(request, *args, **kwargs)
        except storage.StoreUnavailable as exc:
            return render(request, "indicators/unavailable.html", {"message": str(exc)}, status=503)
        except selectors.QueryError as exc:
            return render(request, "indicators/unavailable.html", {"message": str(exc)}, status=400)

    return wrapper


def period_label(period_type: str, day: dt.date) -> str:
    if period_type == "year":
        return str(day.year)
    if period_type == "quarter":
        return _("Q%(q)d/%(year)d") % {"q": (day.month - 1) // 3 + 1, "year": day.year}
    return f"{day.month}/{day.year}"


def _period_row_label(period_type: str, row: dict, today: dt.date) -> str:
    """The period's label, marked when the period has not ended yet (its figures will change)."""
    label = period_label(period_type, row["period_start"])
    if row["period_end"] >= today:
        return _("%(period)s (incomplete)") % {"period": label}
    return label


def last_complete(rows: list[dict]) -> dict | None:
    """The latest row whose period has ended (today's month is not yet complete)."""
    today = timezone.localdate()
    done = [r for r in rows if r["period_end"] < today and r["dimension"] == ""]
    return done[-1] if done else None


def totals(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["dimension"] == ""]


def base_context(request, scope) -> dict:
    lang = selectors.language()
    areas = selectors.group_names("area", lang)
    return {
        "scope": scope,
        "area_name": areas.get(scope.area_code, scope.area_code),
        "last_refresh": selectors.last_job(),
        "lang": lang,
    }


def series_figure(rows, *, definition, period_type, chart_id, title) -> dict:
    """A line chart and its table rows for one group's series."""
    rows = totals(rows)
    today = timezone.localdate()
    table = [
        {
            "label": _period_row_label(period_type, r, today),
            "period_start": r["period_start"],
            "value": r["value"],
            "numerator": r["numerator"],
            "denominator": r["denominator"],
            "status": r["status"],
        }
        for r in rows
    ]
    known = [t for t in table if t["value"] is not None]
    desc = _("%(name)s, %(n)d periods from %(first)s to %(last)s; unit: %(unit)s.") % {
        "name": definition.name(selectors.language()),
        "n": len(table),
        "first": table[0]["label"] if table else "",
        "last": table[-1]["label"] if table else "",
        "unit": unit_label(definition.unit),
    }
    if known:
        lo = min(known, key=lambda t: t["value"])
        hi = max(known, key=lambda t: t["value"])
        desc += " " + _("Lowest %(lo)s (%(lo_p)s), highest %(hi)s (%(hi_p)s).") % {
            "lo": charts.format_number(lo["value"]),
            "lo_p": lo["label"],
            "hi": charts.format_number(hi["value"]),
            "hi_p": hi["label"],
        }
    svg = charts.line_chart(
        [(t["label"], t["value"]) for t in table],
        chart_id=chart_id,
        title=title,
        desc=desc,
        unit=unit_label(definition.unit),
    )
    return {"svg": svg, "rows": table, "title": title, "id": chart_id}


def comparison_figure(rows, *, names, highlight, chart_id, title, definition) -> dict:
    """Bars of one period across groups (sorted by value) and their table rows."""
    rows = sorted(
        totals(rows),
        key=lambda r: (r["value"] is None, -(r["value"] or 0), names.get(r["group_code"], "")),
    )
    table = [
        {
            "code": r["group_code"],
            "name": names.get(r["group_code"], r["group_code"]),
            "value": r["value"],
            "value_low": r["value_low"],
            "value_high": r["value_high"],
            "numerator": r["numerator"],
            "denominator": r["denominator"],
            "status": r["status"],
            "highlight": r["group_code"] in highlight,
            "rank": i + 1 if r["value"] is not None else None,
        }
        for i, r in enumerate(rows)
    ]
    desc = _("%(name)s, %(n)d groups, largest first; unit: %(unit)s.") % {
        "name": definition.name(selectors.language()),
        "n": len(table),
        "unit": unit_label(definition.unit),
    }
    if any(t["highlight"] for t in table):
        desc += " " + _("Your area is highlighted.")
    svg = charts.bar_chart(
        [(t["name"], t["value"], t["highlight"]) for t in table],
        chart_id=chart_id,
        title=title,
        desc=desc,
    )
    return {"svg": svg, "rows": table, "title": title, "id": chart_id}
