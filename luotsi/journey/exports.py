"""The journey log as a source for the analytics store: pseudonymised flat Arrow batches.

``JourneySource(key).fetch(after_event_id, limit)`` returns the events with id greater than
``after_event_id`` as a ``pyarrow.RecordBatch`` whose columns are exactly
``luotsi.kernel.journey.FLAT_COLUMNS`` (the store's contract, docs/analytics-store.md). The analytics
package never touches the operational database; it only calls this.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from luotsi.kernel import journey as contract

from .selectors import flat_rows_after

_ARROW = {
    "int64": pa.int64(),
    "int16": pa.int16(),
    "string": pa.string(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date32": pa.date32(),
    "timestamp[us, UTC]": pa.timestamp("us", tz="UTC"),
}


def arrow_schema() -> pa.Schema:
    return pa.schema([(name, _ARROW[t]) for name, t in contract.FLAT_COLUMNS.items()])


@dataclass(frozen=True)
class JourneySource:
    key: bytes

    def fetch(self, after_event_id: int, limit: int = 50_000) -> pa.RecordBatch:
        rows = list(flat_rows_after(after_event_id, key=self.key, limit=limit))
        schema = arrow_schema()
        columns = {name: [r[name] for r in rows] for name in schema.names}
        return pa.RecordBatch.from_pydict(columns, schema=schema)


def worker_rows(key: bytes) -> list[dict]:
    """``ref_worker`` rows: pseudonymised worker ids with team, organisation, area and FTE."""
    from luotsi.core.models import User

    return [
        {
            "worker_id": contract.pseudonym(key, f"user:{u.pk}"),
            "team_id": u.unit_id,
            "organisation_id": u.organisation_id,
            "area_code": u.organisation.employment_area_code if u.organisation else None,
            "fte": float(u.fte),
        }
        for u in User.objects.select_related("organisation")
        .filter(groups__name="responsible_worker")
        .distinct()
    ]
