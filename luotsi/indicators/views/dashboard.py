"""The dashboard pages: overview, time series, municipalities, teams and other areas."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from luotsi.analytics.indicators.team import TEAM_INDICATORS

from .. import selectors
from ..forms import FilterForm, indicator_choices
from ..permissions import can_manage_alerts
from .common import (
    KEY_INDICATORS,
    PUBLIC_DEFAULT,
    base_context,
    comparison_figure,
    dashboard_view,
    last_complete,
    period_label,
    series_figure,
    totals,
)


def _area_or_none(scope):
    if not scope.area_code:
        raise PermissionDenied(_("Your organisation has no employment area."))
    return scope.area_code


@dashboard_view
def overview(request):
    scope = selectors.scope(request.user)
    area = _area_or_none(scope)
    ctx = base_context(request, scope)
    lang = ctx["lang"]
    cards = []
    for code in KEY_INDICATORS:
        d = selectors.definition(code)
        rows = totals(selectors.values(scope, indicator=code, level="area", groups=[area]))
        latest = last_complete(rows)
        prev = rows[rows.index(latest) - 1] if latest and rows.index(latest) > 0 else None
        cards.append(
            {
                "definition": d,
                "name": d.name(lang),
                "row": latest,
                "label": period_label("month", latest["period_start"]) if latest else "",
                "change": (
                    latest["value"] - prev["value"]
                    if latest and prev and None not in (latest["value"], prev["value"])
                    else None
                ),
            }
        )
    stock = selectors.definition("O1")
    stock_rows = selectors.values(scope, indicator="O1", level="area", groups=[area])
    figure = series_figure(
        stock_rows,
        definition=stock,
        period_type="month",
        chart_id="chart-stock",
        title=_("%(name)s in %(area)s by month")
        % {"name": stock.name(lang), "area": ctx["area_name"]},
    )
    public = []
    months = selectors.periods_available("month", source="statfin")
    if months:
        for code in ("B1", "B2", "B4", "B7"):
            d = selectors.definition(code)
            area_rows = selectors.values(
                scope, indicator=code, level="area", groups=[area], start=months[-1], end=months[-1]
            )
            country = selectors.values(
                scope, indicator=code, level="country", start=months[-1], end=months[-1]
            )
            public.append(
                {
                    "definition": d,
                    "name": d.name(lang),
                    "area": totals(area_rows)[0] if totals(area_rows) else None,
                    "country": totals(country)[0] if totals(country) else None,
                }
            )
    ctx.update(
        cards=cards,
        figure=figure,
        public=public,
        public_month=period_label("month", months[-1]) if months else "",
        crossings=selectors.crossings_for(scope, limit=10),
        group_names={area: ctx["area_name"], **selectors.area_municipalities(area)},
        indicator_names=dict(indicator_choices()),
        can_manage_alerts=can_manage_alerts(request.user),
    )
    return render(request, "indicators/overview.html", ctx)


@dashboard_view
def series(request):
    scope = selectors.scope(request.user)
    area = _area_or_none(scope)
    ctx = base_context(request, scope)
    municipalities = selectors.area_municipalities(area)
    form = FilterForm(
        request.GET,
        indicators=indicator_choices(),
        municipalities=sorted(municipalities.items(), key=lambda kv: kv[1]),
        default_indicator="O1",
    )
    if request.GET and not form.is_valid():
        raise selectors.QueryError("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    code = form.value("indicator", "O1")
    period = form.value("period", "month")
    muni = form.value("municipality")
    team = request.GET.get("team", "")
    d = selectors.definition(code)
    if team:
        level, group, names = "team", team, selectors.area_teams(area)
    elif muni:
        level, group, names = "municipality", muni, municipalities
    else:
        level, group, names = "area", area, {area: ctx["area_name"]}
    rows = selectors.values(
        scope,
        indicator=code,
        level=level,
        period_type=period,
        start=form.value("start"),
        end=form.value("end"),
        groups=[group],
    )
    name = names.get(group, group)
    ctx.update(
        form=form,
        definition=d,
        name=d.name(ctx["lang"]),
        group_name=name,
        level=level,
        figure=series_figure(
            rows,
            definition=d,
            period_type=period,
            chart_id="chart-series",
            title=_("%(name)s, %(group)s") % {"name": d.name(ctx["lang"]), "group": name},
        ),
        export_query=request.GET.urlencode() or f"indicator={code}",
        export_level=level,
        export_group=group,
    )
    return render(request, "indicators/series.html", ctx)


def _comparison_period(rows, requested: str):
    """The requested period, else the latest complete period with a value, else the latest."""
    periods = sorted({r["period_start"] for r in rows})
    if not periods:
        return None, []
    wanted = selectors.parse_day(requested, "at") if requested else None
    if wanted in periods:
        return wanted, periods
    with_value = [r for r in totals(rows) if r["value"] is not None]
    complete = last_complete(sorted(with_value, key=lambda r: r["period_start"]))
    if complete:
        return complete["period_start"], periods
    return (max(r["period_start"] for r in with_value) if with_value else periods[-1]), periods


def _compare(request, *, level, template, default, codes=None, source=None, extra=None):
    scope = selectors.scope(request.user)
    area = _area_or_none(scope)
    ctx = base_context(request, scope)
    munis = selectors.area_municipalities(area) if level == "team" else {}
    form = FilterForm(
        request.GET,
        indicators=indicator_choices(source, codes),
        municipalities=sorted(munis.items(), key=lambda kv: kv[1]),
        default_indicator=default,
        date_range=False,
    )
    if request.GET and not form.is_valid():
        raise selectors.QueryError("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    code = form.value("indicator", default)
    period = form.value("period", "month")
    d = selectors.definition(code)
    names, groups, highlight = extra(scope, area, ctx)
    rows = selectors.values(scope, indicator=code, level=level, period_type=period, groups=groups)
    muni = form.value("municipality") if munis else ""
    if muni:  # drill-down: the teams' customers living in one municipality
        rows = [
            {**r, "dimension": ""}
            for r in rows
            if r["dimension"] == "municipality" and r["dimension_value"] == muni
        ]
    at, periods = _comparison_period(rows, request.GET.get("at", ""))
    rows = [r for r in rows if r["period_start"] == at]
    label = period_label(period, at) if at else ""
    ctx.update(
        form=form,
        definition=d,
        name=d.name(ctx["lang"]),
        at=at,
        periods=[(p.isoformat()[:7], period_label(period, p)) for p in periods],
        figure=comparison_figure(
            rows,
            names=names,
            highlight=highlight,
            chart_id=f"chart-{level}",
            title=_("%(name)s, %(period)s") % {"name": d.name(ctx["lang"]), "period": label},
            definition=d,
        ),
        export_query=f"indicator={code}&period={period}"
        + (f"&start={at:%Y-%m}&end={at:%Y-%m}" if at else ""),
        export_level=level,
        municipality_name=munis.get(muni, ""),
    )
    return render(request, template, ctx)


@dashboard_view
def municipalities(request):
    def extra(scope, area, ctx):
        names = selectors.area_municipalities(area)
        return names, list(names), set()

    return _compare(
        request,
        level="municipality",
        template="indicators/municipalities.html",
        default="O1",
        extra=extra,
    )


@dashboard_view
def teams(request):
    def extra(scope, area, ctx):
        if not scope.sees_teams:
            raise PermissionDenied(_("Team figures are for the staff of the area only."))
        names = selectors.area_teams(area)
        return names, list(names), set()

    return _compare(
        request,
        level="team",
        template="indicators/teams.html",
        default="O1",
        codes=TEAM_INDICATORS,
        extra=extra,
    )


@dashboard_view
def areas(request):
    def extra(scope, area, ctx):
        return selectors.group_names("area", ctx["lang"]), None, {area}

    return _compare(
        request,
        level="area",
        template="indicators/areas.html",
        default=PUBLIC_DEFAULT,
        extra=extra,
    )
