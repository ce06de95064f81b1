"""Read-only JSON API of the indicators (OpenAPI at /api/v1/docs).

Session authentication, scoped like the pages: anonymous callers get the catalogue and the public
statistics (B codes, suppressed); partners get suppressed figures; area staff their own area,
its municipalities and teams unsuppressed and everything else suppressed.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from . import selectors, storage
from .views.exports import export_response

router = Router(tags=["indicators"])


class DefinitionOut(Schema):
    """One definition version. ``numerator``, ``denominator`` and ``follows`` are the English
    (canonical) texts; the ``_fi`` and ``_sv`` fields say the same in Finnish and Swedish."""

    code: str
    definition_version: int
    valid_from: dt.date
    valid_to: dt.date | None
    name_fi: str
    name_sv: str
    name_en: str
    description_fi: str
    description_sv: str
    description_en: str
    numerator: str
    numerator_fi: str
    numerator_sv: str
    denominator: str
    denominator_fi: str
    denominator_sv: str
    factor: float
    unit: str
    aggregation: str
    period_semantics: str
    source: str
    follows: str
    follows_fi: str
    follows_sv: str
    team_level: bool


class ValueOut(Schema):
    indicator: str
    definition_version: int
    group_type: str
    group_code: str
    period_type: str
    period_start: dt.date
    period_end: dt.date
    dimension: str
    dimension_value: str
    numerator: float | None
    denominator: float | None
    value: float | None
    value_low: float | None
    value_high: float | None
    status: str
    unit: str
    source: str


class ValuesOut(Schema):
    indicator: str
    level: str
    period: str
    count: int
    suppression_threshold: int
    values: list[ValueOut]


class ValuesQuery(Schema):
    indicator: str
    level: str = "area"
    group: str | None = None
    period: str = "month"
    start: str | None = None
    end: str | None = None


def _scope(request):
    try:
        return selectors.scope(request.user)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc


def _guard(request, call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except selectors.QueryError as exc:
        raise HttpError(400, str(exc)) from exc
    except PermissionDenied as exc:
        status = 403 if request.user.is_authenticated else 401
        raise HttpError(status, str(exc)) from exc
    except storage.StoreUnavailable as exc:
        raise HttpError(503, str(exc)) from exc


def _definition_out(d) -> dict:
    from luotsi.analytics.indicators.team import TEAM_INDICATORS

    fields = DefinitionOut.model_fields
    out = {k: getattr(d, k) for k in fields if k != "team_level"}
    out["team_level"] = d.code in TEAM_INDICATORS
    return out


@router.get("/catalogue", response=list[DefinitionOut], auth=None)
def catalogue(request):
    """Every indicator definition (every version), with formula, source and names fi/sv/en;
    numerator, denominator and the published definition it follows in fi/sv/en too."""
    return [_definition_out(v) for e in selectors.catalogue() for v in e["versions"]]


@router.get("/catalogue/{code}", response=list[DefinitionOut], auth=None)
def catalogue_entry(request, code: str):
    for e in selectors.catalogue():
        if e["code"] == code:
            return [_definition_out(v) for v in e["versions"]]
    raise HttpError(
        404, f"Unknown indicator {code}. GET /api/v1/indicators/catalogue lists the codes."
    )


@router.get("/values", response=ValuesOut, auth=None)
def values(request, q: Query[ValuesQuery]):
    """Values of one indicator: ``level`` area | municipality | team | pilot | region | country,
    ``group`` one or more comma-separated codes, ``period`` month | quarter | year, ``start`` and
    ``end`` as YYYY-MM or YYYY-MM-DD."""
    scope = _scope(request)
    groups = [g for g in (q.group or "").split(",") if g] or None
    rows = _guard(
        request,
        selectors.values,
        scope,
        indicator=q.indicator,
        level=q.level,
        period_type=q.period,
        start=q.start,
        end=q.end,
        groups=groups,
    )
    return {
        "indicator": q.indicator,
        "level": q.level,
        "period": q.period,
        "count": len(rows),
        "suppression_threshold": selectors.SUPPRESSION_THRESHOLD,
        "values": rows,
    }


@router.get("/export", auth=None)
def export(request, q: Query[ValuesQuery], format: str = "csv", language: str = "fi"):
    """The same values as a file: ``format`` csv | xlsx | parquet, with metadata."""
    scope = _scope(request)
    params = {**q.model_dump(), "format": format}
    return _guard(request, export_response, scope, params, language)
