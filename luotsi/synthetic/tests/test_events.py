"""The generated events honour the journey-log contract (FLAT_COLUMNS, payloads, ids, order)."""

from __future__ import annotations

import collections
import datetime as dt
import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from luotsi.kernel import calendar as cal
from luotsi.kernel import journey
from luotsi.kernel.journey import FLAT_COLUMNS
from luotsi.synthetic import ExperimentEffect, PilotEffect, generate, write_parquet
from luotsi.synthetic import timebase as tb

from .helpers import periods, rows_of, small_config, table

CONFIG = small_config(
    pilots=(PilotEffect(("098",), dt.date(2025, 3, 1), dt.date(2025, 12, 31), 1.3),),
    experiments=(ExperimentEffect(7, 0.5, dt.date(2025, 1, 1), hazard_ratio=1.2),),
)


@pytest.fixture(scope="module")
def events() -> pa.Table:
    return table(generate(CONFIG))


def test_schema_is_exactly_the_flat_form(events):
    assert events.schema.names == list(FLAT_COLUMNS)
    for name, type_name in FLAT_COLUMNS.items():
        expected = pa.timestamp("us", tz="UTC") if type_name.startswith("timestamp") else None
        expected = expected or pa.type_for_alias(type_name)
        assert events.schema.field(name).type == expected, name


def test_every_kind_produced_validates(events):
    from .helpers import payload_of

    seen = collections.Counter()
    kinds = events.column("kind").to_numpy(zero_copy_only=False)
    for k in np.unique(kinds):
        rows = np.flatnonzero(kinds == k)[:200]
        for row in events.take(pa.array(rows)).to_pylist():
            journey.validate_payload(k, payload_of(row))
            seen[k] += 1
            for name in FLAT_COLUMNS:  # no stray values in columns of other kinds
                if name in journey.ENVELOPE_COLUMNS:
                    continue
                if row[name] is not None:
                    assert name in {f.name for f in journey.kind(k).fields}, (k, name)
    produced = set(seen)
    # every kind but these few is produced (documented in docs/synthetic.md)
    assert set(journey.KINDS) - produced <= {"customer.moved"}


def test_event_ids_unique_and_increasing_in_time_within_person(events):
    ids = events.column("event_id").to_numpy()
    assert len(np.unique(ids)) == len(ids)
    person = events.column("person_id").to_numpy()
    at = events.column("occurred_at").cast(pa.int64()).to_numpy()
    order = np.lexsort((ids, person))
    same = np.diff(person[order]) == 0
    assert np.all(np.diff(at[order])[same] >= 0)
    assert np.all(events.column("recorded_at").cast(pa.int64()).to_numpy() >= at)


def test_registration_opens_and_exit_closes_each_period(events):
    p = periods(events)
    ids = events.column("event_id").to_numpy()
    enr = events.column("enrolment_id").to_numpy(zero_copy_only=False)
    kinds = events.column("kind").to_numpy(zero_copy_only=False)
    has = ~pa.compute.is_null(events.column("enrolment_id")).to_numpy(zero_copy_only=False)
    first = {}
    for e, k, i in zip(enr[has], kinds[has], ids[has], strict=True):
        first.setdefault(e, (i, k))
    assert all(k == "customer.registered" for _i, k in first.values())
    closed = p["ended_on"] >= 0
    assert np.all(p["ended_on"][closed] > p["registered_on"][closed])
    # a person's periods do not overlap
    order = np.lexsort((p["registered_on"], p["person_id"]))
    person, start, end = p["person_id"][order], p["registered_on"][order], p["ended_on"][order]
    nxt = np.flatnonzero(np.diff(person) == 0)
    assert np.all((end[nxt] >= 0) & (end[nxt] < start[nxt + 1]))


def test_meetings_fall_on_working_days(events):
    held = rows_of(events, "meeting.held", "held_on")["held_on"]
    assert len(held) > 1000
    assert tb.is_working(held).all()
    sample = held[:: max(1, len(held) // 300)]
    assert all(cal.is_working_day(tb.date(int(d))) for d in sample)


def test_initial_interviews_mostly_on_time(events):
    """``initial_interview_on_time`` (85 %) of initial interviews are held by the deadline of the
    rule valid on the registration date (5 working days, 10 from 2026)."""
    reg = rows_of(events, "customer.registered", "enrolment_id", "registered_on", "person_id")
    mt = rows_of(events, "meeting.held", "person_id", "meeting_type", "held_on")
    ii = mt["meeting_type"] == "initial_interview"
    held_by_person = collections.defaultdict(list)
    for person, day in zip(mt["person_id"][ii], mt["held_on"][ii], strict=True):
        held_by_person[person].append(day)
    on_time = []
    for person, start in zip(reg["person_id"], reg["registered_on"], strict=True):
        after = [d for d in held_by_person.get(person, ()) if d >= start]
        if not after or start < tb.day(CONFIG.starts_on):
            continue
        deadline = 10 if start >= tb.day(dt.date(2026, 1, 1)) else 5
        due = tb.day(cal.add_working_days(tb.date(int(start)), deadline))
        on_time.append(min(after) <= due)
    share = float(np.mean(on_time))
    assert len(on_time) > 500
    assert 0.80 <= share <= 0.90, share


def test_determinism_by_seed_and_worker_count():
    config = small_config(scale=0.02)

    def digest(batches) -> str:
        h = hashlib.sha256()
        for b in batches:
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, b.schema) as w:
                w.write_batch(b)
            h.update(sink.getvalue().to_pybytes())
        return h.hexdigest()

    one = digest(generate(config))
    assert one == digest(generate(config, workers=2))
    assert one != digest(generate(small_config(scale=0.02, seed=12)))


def test_write_parquet_file_and_directory(tmp_path):
    config = small_config(scale=0.01)
    expected = table(generate(config))
    counts = write_parquet(config, tmp_path / "one.parquet", row_group_size=5_000)
    back = pq.read_table(tmp_path / "one.parquet")
    assert back.equals(expected)
    assert counts["events"] == expected.num_rows
    assert pq.ParquetFile(tmp_path / "one.parquet").metadata.num_row_groups >= 2
    assert (tmp_path / "one.truth.json").exists()
    write_parquet(config, tmp_path / "dir", rows_per_file=expected.num_rows // 2)
    parts = sorted((tmp_path / "dir" / "events").glob("part-*.parquet"))
    assert len(parts) >= 2
    assert pa.concat_tables(pq.read_table(p) for p in parts).equals(expected)


def test_generation_streams_unit_by_unit(monkeypatch, tmp_path):
    """Neither ``generate`` nor ``write_parquet`` holds the whole run: units are simulated on
    demand and Parquet row groups are written while later units are still to come."""
    from luotsi.synthetic import generator
    from luotsi.synthetic.population import plan_units

    config = small_config(scale=0.05)
    units = len(plan_units(config))
    assert units >= 3
    ran = []
    real_run = generator.run_unit
    monkeypatch.setattr(generator, "run_unit", lambda c, u: ran.append(u) or real_run(c, u))
    stream = generate(config)
    next(stream)
    assert len(ran) == 1  # the first batch comes before the second unit is simulated
    ran.clear()
    written_after = []
    real_write = pq.ParquetWriter.write_table

    def spy(self, table, *args, **kwargs):
        written_after.append(len(ran))
        return real_write(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", spy)
    write_parquet(config, tmp_path / "s.parquet", row_group_size=2_000)
    assert len(ran) == units and written_after[0] < units
