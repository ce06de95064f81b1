"""Incremental derived tables: a refresh rebuilds only the persons with new events, and the
result equals a full rebuild from the same events."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from luotsi.analytics import derived
from luotsi.analytics.store import Store

from .journeys import Journeys, ListSource


def _phase_one(j: Journeys, n: int) -> None:
    for p in range(n):
        muni = ("091", "049", "092")[p % 3]
        j.register(p, 1000 + p, "2025-01-10", muni)
        j.assign(p, 50 + p % 4, "2025-01-10")
        j.meeting(p, 5000 + p, "2025-01-20", muni)
        j.plan(p, 7000 + p, 1, "2025-01-21")
        if p % 4 == 0:
            j.referral(p, 9000 + p, "sent", "2025-01-25", muni)


def _phase_two(j: Journeys, n: int) -> None:
    for p in range(0, n, 2):  # half of the persons get later events
        muni = ("091", "049", "092")[p % 3]
        j.status(p, 1000 + p, "2025-02-01", "in_service")
        j.meeting(p, 6000 + p, "2025-02-15", muni, type_="supplementary_interview")
        if p % 4 == 0:
            j.referral(p, 9000 + p, "accepted", "2025-01-28", muni)
            j.move(p, "2025-03-01", "092", muni)
        if p % 6 == 0:
            j.exit(p, 1000 + p, "2025-03-10", "employed_open_market")
            j.register(p, 2000 + p, "2025-04-01", muni)  # a second spell
            j.plan(p, 7000 + p, 2, "2025-04-02")
        if p % 8 == 0:
            j.handover(p, 8000 + p, "requested", "2025-02-03", muni, frm=1, to=2)
            j.handover(p, 8000 + p, "accepted", "2025-02-05", muni, frm=1, to=2)
    for p in range(n, n + 5):  # and new persons arrive
        j.register(p, 1000 + p, "2025-03-05", "049")


def _rows(store: Store, table: str) -> list[dict]:
    return sorted(store.table(table).to_pylist(), key=repr)


def test_incremental_refresh_equals_a_full_rebuild(monkeypatch):
    j = Journeys()
    _phase_one(j, 40)
    cut = j.table().num_rows
    _phase_two(j, 40)
    table = j.table()
    incremental = Store()
    incremental.refresh(ListSource(table.filter(pc.less_equal(table["event_id"], cut))))
    monkeypatch.setattr(derived, "INCREMENTAL_MAX_SHARE", 1.0)  # half of the persons change
    full_calls = []
    original = Store.rebuild_derived
    monkeypatch.setattr(
        Store, "rebuild_derived", lambda self: (full_calls.append(1), original(self))
    )
    res = incremental.refresh(ListSource(table))
    assert res.inserted == table.num_rows - cut > 0
    assert full_calls == []  # the derived tables were updated for the affected persons only
    reference = Store()
    reference.refresh(ListSource(table))
    for name in derived.DERIVED_TABLES:
        assert _rows(incremental, name) == _rows(reference, name), name
    assert derived.is_current(incremental)
    spells = incremental.sql("SELECT count(*) AS n FROM spells").to_pylist()[0]["n"]
    assert spells == 40 + 5 + len(range(0, 40, 6))


def test_too_many_affected_persons_or_orphan_events_fall_back_to_a_full_rebuild():
    j = Journeys()
    _phase_one(j, 8)
    s = Store()
    s.refresh(ListSource(j.table()))
    s.con.begin()
    # every person affected: more than INCREMENTAL_MAX_SHARE
    assert derived.rebuild_persons(s, "SELECT person_id FROM spells") is False
    assert derived.rebuild_persons(s, "SELECT 0 AS person_id") is True
    s.con.execute(
        "INSERT INTO events (event_id, kind, occurred_at) VALUES (99999, 'customer.moved', now())"
    )
    assert derived.rebuild_persons(s, "SELECT 0 AS person_id") is False  # an event without person
    s.con.rollback()


@pytest.mark.parametrize("n", [200_000])
def test_incremental_rebuild_beyond_a_row_group_keeps_every_row(n):
    """More affected rows than one DuckDB row group (122,880): nothing may be lost."""
    s = Store()
    s.con.execute(
        f"""INSERT INTO events (event_id, kind, occurred_at, person_id, enrolment_id,
              registered_on, municipality_code, status)
            SELECT i, 'customer.registered', TIMESTAMPTZ '2025-01-10 09:00:00+00', i, i,
              DATE '2025-01-10', '091', 'unemployed' FROM range(1, {n} + 1) t(i)"""
    )
    s.rebuild_derived()
    s.con.begin()
    s.con.execute(
        f"""INSERT INTO events (event_id, kind, occurred_at, person_id, enrolment_id, ended_on,
              exit_reason)
            SELECT {n} + i, 'customer.exited', TIMESTAMPTZ '2025-02-10 09:00:00+00', i, i,
              DATE '2025-02-10', 'education' FROM range(1, {n // 5} + 1) t(i)"""
    )
    assert derived.rebuild_persons(s, f"SELECT i AS person_id FROM range(1, {n // 5} + 1) t(i)")
    s.con.commit()
    counts = s.sql("SELECT count(*) AS n, count(end_on) AS ended FROM spells").to_pylist()[0]
    assert counts == {"n": n, "ended": n // 5}
    assert s.sql("SELECT count(*) AS n FROM status_intervals").to_pylist()[0]["n"] == n
