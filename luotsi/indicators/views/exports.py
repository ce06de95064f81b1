"""Downloads of indicator values (CSV, Excel, Parquet) with metadata; scoped like the pages."""

from __future__ import annotations

import io

import pyarrow as pa
from django.http import HttpResponse

from luotsi.analytics.exports import FORMATS, export
from luotsi.analytics.indicators.engine import RESULT_COLUMNS

from .. import selectors
from .common import dashboard_view

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}

_TYPES = {
    "definition_version": pa.int64(),
    "period_start": pa.date32(),
    "period_end": pa.date32(),
    **{c: pa.float64() for c in ("numerator", "denominator", "value", "value_low", "value_high")},
}


def export_response(scope, params, lang: str) -> HttpResponse:
    """The file for the query ``params`` (indicator, level, group, period, start, end, format)."""
    fmt = params.get("format", "csv")
    if fmt not in FORMATS:
        raise selectors.QueryError(f"format={fmt} is not one of {', '.join(FORMATS)}")
    code = params.get("indicator") or ""
    level = params.get("level") or "area"
    groups = [g for g in (params.get("group") or "").split(",") if g] or None
    rows = selectors.values(
        scope,
        indicator=code,
        level=level,
        period_type=params.get("period") or "month",
        start=params.get("start") or None,
        end=params.get("end") or None,
        groups=groups,
    )
    schema = pa.schema([(c, _TYPES.get(c, pa.string())) for c in RESULT_COLUMNS])
    table = pa.Table.from_pylist([{c: r[c] for c in RESULT_COLUMNS} for r in rows], schema=schema)
    buf = io.BytesIO()
    export(table, fmt, buf, lang)
    response = HttpResponse(buf.getvalue(), content_type=CONTENT_TYPES[fmt])
    name = f"luotsi-{code}-{level}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@dashboard_view
def download(request):
    return export_response(selectors.scope(request.user), request.GET, selectors.language())
