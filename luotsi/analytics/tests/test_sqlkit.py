"""SQL building blocks: the fast island merge equals the general one when ends are monotone."""

from __future__ import annotations

import datetime as dt
import itertools

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from luotsi.analytics.indicators.sqlkit import merge_islands


def _islands(con, *, monotone: bool) -> list[tuple]:
    sql = merge_islands("SELECT k, start_on, end_on FROM iv", by="k", monotone_ends=monotone)
    return sorted(con.execute(sql).fetchall())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_monotone_merge_equals_the_general_merge_for_equal_length_windows(seed):
    rng = np.random.default_rng(seed)
    n = 3_000
    keys = rng.integers(0, 60, n)
    start = rng.integers(0, 2_000, n)
    length = 90  # every interval "90 days from the meeting": ends ordered like starts
    con = duckdb.connect()
    con.register(
        "iv_in",
        pa.table({"k": keys, "start": start, "end": start + length}),
    )
    con.execute(
        "CREATE TABLE iv AS SELECT k, DATE '2020-01-01' + CAST(start AS INTEGER) AS start_on, "
        "DATE '2020-01-01' + CAST(\"end\" AS INTEGER) AS end_on FROM iv_in"
    )
    fast, general = _islands(con, monotone=True), _islands(con, monotone=False)
    assert fast == general
    # islands are disjoint and not touching within a key, and cover every input day
    by_key: dict[int, list[tuple]] = {}
    for k, s, e in fast:
        by_key.setdefault(k, []).append((s, e))
    for spans in by_key.values():
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))
    covered = con.execute(
        "SELECT count(*) FROM iv WHERE NOT EXISTS (SELECT 1 FROM ("
        + merge_islands("SELECT k, start_on, end_on FROM iv", by="k", monotone_ends=True)
        + ") m WHERE m.k = iv.k AND m.start_on <= iv.start_on AND m.end_on >= iv.end_on)"
    ).fetchall()[0][0]
    assert covered == 0


def test_touching_windows_merge_into_one_island():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE iv AS SELECT * FROM (VALUES (1, DATE '2025-01-01', DATE '2025-01-11'), "
        "(1, DATE '2025-01-11', DATE '2025-01-21'), (1, DATE '2025-01-22', DATE '2025-02-01'), "
        "(2, DATE '2025-01-05', DATE '2025-01-15')) t(k, start_on, end_on)"
    )
    d = dt.date
    expected = [
        (1, d(2025, 1, 1), d(2025, 1, 21)),
        (1, d(2025, 1, 22), d(2025, 2, 1)),
        (2, d(2025, 1, 5), d(2025, 1, 15)),
    ]
    assert _islands(con, monotone=True) == expected == _islands(con, monotone=False)
