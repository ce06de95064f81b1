"""Reading single cells of an engine result in tests."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from luotsi.analytics.indicators import compute
from luotsi.analytics.store import Store

from .journeys import Journeys, ListSource


def store_with(j: Journeys, **reference) -> Store:
    s = Store()
    if reference:
        s.load_reference(**reference)
    s.refresh(ListSource(j.table()))
    return s


def cell(out: pa.Table, code: str, group: str, month: str, dim_value: str = "") -> dict:
    day = dt.date.fromisoformat(month + "-01") if len(month) == 7 else dt.date.fromisoformat(month)
    rows = [
        r
        for r in out.to_pylist()
        if r["indicator"] == code
        and r["group_code"] == group
        and r["period_start"] == day
        and r["dimension_value"] == dim_value
    ]
    assert len(rows) == 1, f"{code} {group} {month} {dim_value}: {len(rows)} rows"
    return rows[0]


def value(out, code, group, month, dim_value=""):
    return cell(out, code, group, month, dim_value)["value"]


def run(store, codes, start, end, level="municipality", **kw):
    return compute(store, codes, level=level, period="month", start=start, end=end, **kw)
