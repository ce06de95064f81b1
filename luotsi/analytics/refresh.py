"""Incremental refresh of the analytics store from the journey log.

The store keeps no separate cursor: its high-water mark is ``max(event_id)`` in ``events``. A
refresh asks the source for events after ``high_water_mark - safety_window`` (event ids commit out
of order on PostgreSQL, so an id below the mark may appear after the mark was read), drops the ids
it already holds, inserts the rest, rebuilds the derived tables and writes a ``meta_refresh`` row,
all in **one DuckDB transaction**: if anything fails (the source, a bad batch, the derivation) the
store is exactly as before and the failure is recorded in ``meta_refresh`` afterwards.
Running a refresh twice adds nothing the second time.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import pyarrow as pa

from luotsi.kernel import journey

from . import derived
from .store import ARROW_TYPE, DUCKDB_TYPE, REQUIRED_EVENT_COLUMNS, Store, StoreError

#: Ids re-read below the high-water mark on each refresh.
SAFETY_WINDOW = 10_000
#: The staged events whose ids are not stored yet (``?`` = the refresh's lower id bound).
_NOT_STORED = """FROM _staging s WHERE NOT EXISTS (SELECT 1 FROM events e
  WHERE e.event_id = s.event_id AND e.event_id > ?)"""
#: Rows asked from the source per call.
BATCH_SIZE = 50_000


@runtime_checkable
class EventSource(Protocol):
    """What the store needs from the journey log (``luotsi.journey.exports.JourneySource``).

    ``fetch`` returns the events with ``event_id > after_event_id`` in increasing id order, at most
    ``limit`` of them, as a RecordBatch (or Table) with the flat columns; an empty batch means done.
    """

    def fetch(self, after_event_id: int, limit: int) -> pa.RecordBatch: ...


@dataclass(frozen=True)
class RefreshResult:
    refresh_id: int
    after_event_id: int
    high_water_mark: int
    fetched: int
    inserted: int
    duplicates: int
    batches: int
    seconds: float


def _select_list(available: set[str]) -> str:
    """SELECT list casting each contract column, NULL for missing payload columns."""
    missing = [c for c in REQUIRED_EVENT_COLUMNS if c not in available]
    if missing:
        raise StoreError(f"event rows lack the required column(s) {missing}")
    unknown = sorted(available - set(journey.FLAT_COLUMNS))
    if unknown:
        raise StoreError(
            f"event rows have column(s) outside luotsi.kernel.journey.FLAT_COLUMNS: {unknown}"
        )
    parts = []
    for name, typ in journey.FLAT_COLUMNS.items():
        expr = name if name in available else "NULL"
        parts.append(f"CAST({expr} AS {DUCKDB_TYPE[typ]}) AS {name}")
    return ", ".join(parts)


def _next_refresh_id(store: Store) -> int:
    return store.con.execute(
        "SELECT coalesce(max(refresh_id), 0) + 1 FROM meta_refresh"
    ).fetchall()[0][0]


def _record(store: Store, **values: object) -> None:
    cols = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    store.con.execute(f"INSERT INTO meta_refresh ({cols}) VALUES ({marks})", list(values.values()))


def _as_table(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    if isinstance(batch, pa.RecordBatch):
        return pa.Table.from_batches([batch])
    if isinstance(batch, pa.Table):
        return batch
    raise StoreError(f"an event source returned {type(batch).__name__}, not an Arrow batch")


def refresh(
    store: Store,
    source: EventSource,
    *,
    batch_size: int = BATCH_SIZE,
    safety_window: int = SAFETY_WINDOW,
    derive: bool = True,
    source_name: str = "journey",
) -> RefreshResult:
    """Pull new events from ``source`` into ``store`` (see the module docstring)."""
    if batch_size <= 0 or safety_window < 0:
        raise StoreError("batch_size must be positive and safety_window zero or positive")
    con = store.con
    t0 = time.perf_counter()
    refresh_id = _next_refresh_id(store)
    hwm_before = store.high_water_mark()
    after = max(0, hwm_before - safety_window)
    fetched = batches = 0
    columns = ", ".join(journey.FLAT_COLUMNS)
    # The staging table is created before the transaction begins: DuckDB 2.0 scans a table that
    # was created and then filled with more than one row group (122,880 rows) inside the same
    # transaction as empty in unfiltered scans (found at 1M persons: a 220,030-event refresh
    # inserted nothing). The count check below guards against any such loss.
    con.execute("CREATE OR REPLACE TEMP TABLE _staging AS SELECT * FROM events WITH NO DATA")
    con.begin()
    try:
        cursor = after
        while True:
            table = _as_table(source.fetch(cursor, batch_size))
            if table.num_rows == 0:
                break
            select = _select_list(set(table.column_names))
            con.register("_batch", table)
            try:
                lo, hi, nulls = con.execute(
                    "SELECT min(event_id), max(event_id), count(*) - count(event_id) FROM _batch"
                ).fetchall()[0]
                if nulls:
                    raise StoreError("an event source returned rows without event_id")
                if lo <= cursor:
                    raise StoreError(f"an event source returned event_id {lo} not after {cursor}")
                con.execute(f"INSERT INTO _staging ({columns}) SELECT {select} FROM _batch")
            finally:
                con.unregister("_batch")
            fetched += table.num_rows
            batches += 1
            cursor = hi
        staged = con.execute("SELECT count(*) FROM _staging").fetchall()[0][0]
        if staged != fetched:
            raise StoreError(f"staging holds {staged} of the {fetched} fetched events")
        before = store.event_count()
        current_before = derived.is_current(store)
        # the persons of the events not stored yet, then those events
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _new_persons AS SELECT DISTINCT person_id {_NOT_STORED}",
            [after],
        )
        inserted = con.execute(
            f"""INSERT INTO events ({columns})
            SELECT {columns} {_NOT_STORED}
            QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY event_id) = 1""",
            [after],
        ).fetchall()[0][0]
        if store.event_count() != before + inserted:
            raise StoreError(f"events grew by {store.event_count() - before}, not {inserted}")
        if derive and (inserted or not current_before):
            # only the persons with new events, when the derived tables were current before
            partial = current_before and derived.rebuild_persons(
                store, "SELECT person_id FROM _new_persons"
            )
            if not partial:
                store.rebuild_derived()
        hwm = store.high_water_mark()
        _record(
            store,
            refresh_id=refresh_id,
            source=source_name,
            started_at=_now(),
            finished_at=_now(),
            status="ok",
            after_event_id=after,
            high_water_mark=hwm,
            fetched=fetched,
            inserted=inserted,
            duplicates=fetched - inserted,
            message="",
        )
        con.commit()
    except BaseException as exc:
        con.rollback()
        _record_failure(store, refresh_id, source_name, after, exc)
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS _staging")
        con.execute("DROP TABLE IF EXISTS _new_persons")
    return RefreshResult(
        refresh_id,
        after,
        hwm,
        fetched,
        inserted,
        fetched - inserted,
        batches,
        time.perf_counter() - t0,
    )


def ingest_relation(store: Store, relation_sql: str, *, derive: bool, source: str) -> int:
    """Insert the events of a DuckDB relation expression (e.g. ``read_parquet(...)``)."""
    con = store.con
    refresh_id = _next_refresh_id(store)
    described = con.execute(f"DESCRIBE SELECT * FROM {relation_sql}").fetchall()
    select = _select_list({r[0] for r in described})
    columns = ", ".join(journey.FLAT_COLUMNS)
    con.begin()
    try:
        empty = store.event_count() == 0
        anti = "" if empty else "WHERE p.event_id NOT IN (SELECT event_id FROM events)"
        inserted = con.execute(
            f"INSERT INTO events ({columns}) SELECT {columns} FROM "
            f"(SELECT {select} FROM {relation_sql}) p {anti}"
        ).fetchall()[0][0]
        dup = con.execute("SELECT count(*) - count(DISTINCT event_id) FROM events").fetchall()[0][0]
        if dup:
            raise StoreError(f"{source}: {dup} duplicate event_id value(s) in the input")
        if derive:
            store.rebuild_derived()
        _record(
            store,
            refresh_id=refresh_id,
            source=source,
            started_at=_now(),
            finished_at=_now(),
            status="ok",
            after_event_id=None,
            high_water_mark=store.high_water_mark(),
            fetched=inserted,
            inserted=inserted,
            duplicates=0,
            message="",
        )
        con.commit()
    except BaseException as exc:
        con.rollback()
        _record_failure(store, refresh_id, source, None, exc)
        raise
    return inserted


def _record_failure(
    store: Store, refresh_id: int, source: str, after: int | None, exc: BaseException
) -> None:
    # Bookkeeping must not hide the original error.
    with contextlib.suppress(Exception):
        _record(
            store,
            refresh_id=refresh_id,
            source=source,
            started_at=_now(),
            finished_at=_now(),
            status="failed",
            after_event_id=after,
            high_water_mark=store.high_water_mark(),
            fetched=0,
            inserted=0,
            duplicates=0,
            message=f"{type(exc).__name__}: {exc}"[:2000],
        )


def _now():
    import datetime as dt

    return dt.datetime.now(dt.UTC)


__all__ = ["ARROW_TYPE", "EventSource", "RefreshResult", "ingest_relation", "refresh"]
