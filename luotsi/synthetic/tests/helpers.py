"""Helpers for the generator's tests: small configs and per-period tables built from events."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable

import numpy as np
import pyarrow as pa

from luotsi.kernel import journey
from luotsi.synthetic import SyntheticConfig, area_municipalities

#: Päijät-Häme (area 31): 9 municipalities, urban (Lahti) and rural, about 4,300 unemployed in 12r5.
AREA = "31"


def small_config(**changes) -> SyntheticConfig:
    base = {
        "municipalities": area_municipalities(AREA),
        "starts_on": dt.date(2024, 7, 1),
        "ends_on": dt.date(2026, 6, 30),
        "scale": 0.05,
        "seed": 11,
    }
    return SyntheticConfig(**{**base, **changes})


def table(batches: Iterable[pa.RecordBatch]) -> pa.Table:
    from luotsi.synthetic.frame import SCHEMA

    return pa.Table.from_batches(list(batches), schema=SCHEMA)


def payload_of(row: dict) -> dict:
    """Turn a flat row back into a payload of its kind (refs become UUIDs, JSON is parsed)."""
    k = journey.kind(row["kind"])
    out = {}
    for f in k.fields:
        v = row[f.name]
        if v is None:
            continue
        if f.type == "ref":
            v = uuid.UUID(int=v)
        elif f.type == "json":
            v = json.loads(v)
        out[f.name] = v
    return out


def rows_of(t: pa.Table, kind: str, *columns: str) -> dict[str, np.ndarray]:
    sub = t.filter(pa.compute.equal(t.column("kind"), kind)).select(list(columns))
    out = {}
    for c in columns:
        col = sub.column(c)
        if pa.types.is_date32(col.type):
            col = col.cast(pa.int32())
        elif pa.types.is_timestamp(col.type):
            col = col.cast(pa.int64())
        out[c] = col.to_numpy(zero_copy_only=False)
    return out


def periods(t: pa.Table) -> dict[str, np.ndarray]:
    """One row per registered period: person, enrolment, start, end (-1 if open), reason."""
    reg = rows_of(t, "customer.registered", "person_id", "enrolment_id", "registered_on",
                  "municipality_code")  # fmt: skip
    ex = rows_of(t, "customer.exited", "enrolment_id", "ended_on", "exit_reason")
    order = np.argsort(reg["enrolment_id"])
    out = {k: v[order] for k, v in reg.items()}
    end = np.full(len(order), -1, dtype=np.int64)
    reason = np.full(len(order), "", dtype=object)
    pos = np.searchsorted(out["enrolment_id"], ex["enrolment_id"])
    end[pos] = ex["ended_on"]
    reason[pos] = ex["exit_reason"]
    out["ended_on"] = end
    out["exit_reason"] = reason
    return out
