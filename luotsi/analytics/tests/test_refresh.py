"""Incremental refresh: idempotent, out-of-order ids, rollback on failure, Parquet ingestion."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from luotsi.analytics.refresh import EventSource
from luotsi.analytics.store import Store, StoreError

from .journeys import Journeys, ListSource


def _journeys(n: int = 30) -> pa.Table:
    j = Journeys()
    for p in range(n):
        j.register(p, 1000 + p, "2025-01-10", "091")
        if p % 3 == 0:
            j.exit(p, 1000 + p, "2025-02-10", "education")
    return j.table()


def test_source_protocol_is_runtime_checkable():
    assert isinstance(ListSource(_journeys(1)), EventSource)


def test_refresh_is_idempotent_and_incremental():
    table = _journeys()
    s = Store()
    first = s.refresh(ListSource(table), batch_size=7)
    assert first.inserted == table.num_rows and first.batches == -(-table.num_rows // 7)
    assert s.table("spells").num_rows == 30
    again = s.refresh(ListSource(table), batch_size=7)
    assert again.inserted == 0 and s.event_count() == table.num_rows
    more = Journeys(first_id=table.num_rows + 1)
    more.exit(1, 1001, "2025-03-01", "moved")
    s.refresh(ListSource(pa.concat_tables([table, more.table()])))
    assert s.event_count() == table.num_rows + 1
    assert s.sql("SELECT exit_reason FROM spells WHERE enrolment_id = 1001").to_pylist() == [
        {"exit_reason": "moved"}
    ]
    statuses = s.sql("SELECT status, inserted FROM meta_refresh ORDER BY refresh_id").to_pylist()
    assert [r["inserted"] for r in statuses] == [table.num_rows, 0, 1]


def test_late_committed_ids_below_the_mark_are_picked_up():
    table = _journeys(10)
    ids = table["event_id"]
    late = pc.is_in(ids, pa.array([3, 5]))
    s = Store()
    s.refresh(ListSource(table.filter(pc.invert(late))))
    assert s.event_count() == table.num_rows - 2
    s.refresh(ListSource(table), safety_window=100)  # ids 3 and 5 committed late
    assert s.event_count() == table.num_rows
    assert s.con.execute("SELECT count(DISTINCT event_id) FROM events").fetchall()[0][0] == (
        table.num_rows
    )


def test_failed_refresh_leaves_the_previous_state():
    table = _journeys(20)
    s = Store()
    s.refresh(ListSource(table.slice(0, 10)))
    before = s.sql("SELECT * FROM events ORDER BY event_id")
    spells_before = s.table("spells").num_rows
    with pytest.raises(ConnectionError):
        s.refresh(ListSource(table, fail_after=1), batch_size=3)
    assert s.sql("SELECT * FROM events ORDER BY event_id").equals(before)
    assert s.table("spells").num_rows == spells_before
    last = s.sql("SELECT status, message FROM meta_refresh ORDER BY refresh_id DESC LIMIT 1")
    assert last.to_pylist()[0]["status"] == "failed"
    assert "went away" in last.to_pylist()[0]["message"]


def test_bad_batches_are_refused_with_a_clear_error():
    table = _journeys(2)

    class Extra:
        def fetch(self, after, limit):
            if after:
                return pa.RecordBatch.from_pylist([], schema=table.schema)
            return table.append_column("name", pa.array(["x"] * table.num_rows)).to_batches()[0]

    s = Store()
    with pytest.raises(StoreError, match="name"):
        s.refresh(Extra())
    assert s.event_count() == 0


def test_ingest_parquet_adds_new_events_only(tmp_path):
    table = _journeys(10)
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    s = Store()
    assert s.ingest_parquet(path) == table.num_rows
    assert s.ingest_parquet(path) == 0
    assert s.table("spells").num_rows == 10


WHEN = dt.datetime(2025, 1, 10, 9, tzinfo=dt.UTC)


def _many_registrations(first_id: int, n: int) -> pa.Table:
    ids = pa.array(range(first_id, first_id + n), pa.int64())
    return pa.table(
        {
            "event_id": ids,
            "kind": pa.array(["customer.registered"] * n),
            "occurred_at": pa.array([WHEN] * n, pa.timestamp("us", tz="UTC")),
            "person_id": ids,
            "enrolment_id": ids,
            "registered_on": pa.array([WHEN.date()] * n, pa.date32()),
            "municipality_code": pa.array(["091"] * n),
        }
    )


@pytest.mark.parametrize("where", ["memory", "file"])
def test_a_refresh_larger_than_a_row_group_inserts_every_event(tmp_path, where):
    """Regression: with the staging table created inside the refresh transaction, DuckDB 2.0
    scanned it as empty once it held more than one row group (122,880 rows), and a refresh of
    220,030 events at national scale inserted none of them while reporting success."""
    s = Store(tmp_path / "a.duckdb") if where == "file" else Store()
    s.refresh(ListSource(_many_registrations(1, 1_000)), derive=False)
    big = _many_registrations(1_001, 150_000)
    res = s.refresh(ListSource(big), batch_size=1_000_000, derive=False)
    assert (res.fetched, res.inserted, res.duplicates) == (150_000, 150_000, 0)
    assert s.event_count() == 151_000 and s.high_water_mark() == 151_000
