"""``intervals.interval_measures`` (numpy grids) against a day-by-day loop, and the engine's
contract for family rows (one emit's keys are unique; several emits of one indicator are summed).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import duckdb
import pyarrow as pa
import pytest

from luotsi.analytics.indicators import compute, engine, intervals
from luotsi.analytics.indicators.engine import period_spine

from .helpers import store_with
from .test_indicators_reference import _journeys

FIRST, LAST = dt.date(2023, 1, 1), dt.date(2024, 12, 31)


def _connection(rows: list[dict], period: str) -> tuple[duckdb.DuckDBPyConnection, list]:
    con = duckdb.connect()
    periods = period_spine(period, FIRST, LAST)
    con.register(
        "_p",
        pa.table(
            {
                "period_start": pa.array([p[0] for p in periods], pa.date32()),
                "period_end": pa.array([p[1] for p in periods], pa.date32()),
            }
        ),
    )
    con.execute("CREATE TEMP TABLE _periods AS SELECT * FROM _p")
    schema = pa.schema(
        [
            ("municipality_code", pa.string()),
            ("worker", pa.int64()),
            ("start_on", pa.date32()),
            ("end_on", pa.date32()),
            ("w", pa.float64()),
        ]
    )
    con.register("iv", pa.Table.from_pylist(rows, schema=schema))
    return con, periods


def _random_intervals(seed: int, n: int = 400) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        start = dt.date(2022, 6, 1) + dt.timedelta(days=rng.randrange(1000))
        end = None if rng.random() < 0.15 else start + dt.timedelta(days=rng.randrange(0, 400))
        rows.append(
            {
                "municipality_code": rng.choice(("091", "049", None)),
                "worker": rng.randrange(1, 40),
                "start_on": None if rng.random() < 0.02 else start,
                "end_on": end,
                "w": rng.choice((1.0, 2.0, -1.0, 0.5, None)),
            }
        )
    return rows


def _naive(rows, periods, *, keys: bool) -> dict:
    """Per (municipality, worker, period): weight on the counting day, on the day before the
    period and summed over the period's days, day by day."""
    out: dict = defaultdict(lambda: [0.0, 0.0, 0.0])

    def inside(r, day):
        return r["start_on"] <= day and (r["end_on"] is None or day < r["end_on"])

    for r in rows:
        if r["start_on"] is None or (r["end_on"] is not None and r["end_on"] <= r["start_on"]):
            continue
        w = r["w"] or 0.0
        key = (r["municipality_code"], r["worker"] if keys else None)
        for ps, pe in periods:
            cell = out[(*key, ps)]
            cell[0] += w * inside(r, pe)
            cell[1] += w * inside(r, ps - dt.timedelta(days=1))
            cell[2] += w * sum(
                inside(r, ps + dt.timedelta(days=i)) for i in range((pe - ps).days + 1)
            )
    return {k: v for k, v in out.items() if any(abs(x) > 1e-12 for x in v)}


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("period", ["month", "quarter"])
@pytest.mark.parametrize("keys", [False, True])
def test_interval_measures_equal_a_day_by_day_loop(seed, period, keys, monkeypatch):
    # small grid slices so that the sliced path (many workers) runs too
    monkeypatch.setattr(intervals, "MAX_CELLS", 300 if keys else intervals.MAX_CELLS)
    rows = _random_intervals(seed)
    con, periods = _connection(rows, period)
    intervals.interval_measures(
        con,
        "_m",
        "SELECT * FROM iv",
        weights={"x": "w"},
        keys=["worker"] if keys else [],
        prev=True,
        days=True,
    )
    got = {
        (r[0], r[1] if keys else None, r[2]): list(r[3:])
        for r in con.execute(
            f"SELECT municipality_code, {'worker' if keys else 'NULL'}, period_start, x_at, "
            "x_prev, x_days FROM _m"
        ).fetchall()
    }
    expected = _naive(rows, periods, keys=keys)
    assert set(got) == set(expected)
    for k, v in expected.items():
        assert got[k] == pytest.approx(v, abs=1e-9), k
    # stocks only (no customer-days): read on the points, same values
    intervals.interval_measures(
        con, "_p2", "SELECT * FROM iv", weights={"x": "w"}, keys=["worker"] if keys else []
    )
    points = {
        (r[0], r[1] if keys else None, r[2]): r[3]
        for r in con.execute(
            f"SELECT municipality_code, {'worker' if keys else 'NULL'}, period_start, x_at FROM _p2"
        ).fetchall()
    }
    assert points == {k: pytest.approx(v[0]) for k, v in expected.items() if v[0] != 0}


def test_no_intervals_give_an_empty_table_with_the_columns():
    con, _ = _connection([], "month")
    intervals.interval_measures(con, "_e", "SELECT * FROM iv", weights={"x": "w"}, days=True)
    assert con.execute("SELECT count(*) FROM _e").fetchall() == [(0,)]
    cols = [c[0] for c in con.execute("DESCRIBE _e").fetchall()]
    assert cols == ["municipality_code", "period_start", "x_at", "x_days"]


def test_every_family_emits_unique_keys_per_emit(monkeypatch):
    """The engine sums only (indicator, dimension) pairs that several emits gave; this holds
    only if each emit's rows have unique keys. Checked for every built-in family."""
    j, _ = _journeys(5, persons=40)
    store = store_with(j)
    seen = []
    original = engine.Context.emit

    def checking(self, sql):
        original(self, sql)
        dup = self.store.con.execute(
            "SELECT count(*) FROM (SELECT indicator, group_code, period_start, dimension, "
            f"dimension_value FROM _results WHERE emit_no = {self.emits} GROUP BY ALL "
            "HAVING count(*) > 1)"
        ).fetchall()[0][0]
        seen.append((self.emits, dup))

    monkeypatch.setattr(engine.Context, "emit", checking)
    compute(store, None, level="area", period="month", start="2022-01-01", end="2025-06-30")
    compute(
        store, None, level="municipality", period="quarter", start="2022-01-01", end="2025-06-30"
    )
    assert len(seen) > 20
    assert [s for s in seen if s[1]] == []


def test_rows_of_one_indicator_from_two_emits_are_summed(monkeypatch):
    j, _ = _journeys(6, persons=20)
    store = store_with(j)
    base = compute(
        store, ["O2"], level="municipality", period="month", start="2023-01-01", end="2023-12-31"
    )

    def twice(ctx):  # an extension family emitting O2's rows again, in another emit
        ctx.emit(
            "SELECT indicator, group_code, period_start, dimension, dimension_value, "
            "numerator, denominator, value, value_low, value_high, status FROM _results "
            "WHERE indicator = 'O2'"
        )

    flows = engine.FAMILIES["flows"]
    monkeypatch.setitem(engine.FAMILIES, "flows", lambda ctx: (flows(ctx), twice(ctx)))
    doubled = compute(
        store, ["O2"], level="municipality", period="month", start="2023-01-01", end="2023-12-31"
    )

    def by_key(t):
        return {(r["group_code"], r["period_start"]): r["value"] for r in t.to_pylist()}

    before, after = by_key(base), by_key(doubled)
    assert set(before) == set(after) and any(v for v in before.values())
    assert after == {k: 2 * v for k, v in before.items()}


def test_combined_key_codes_are_compacted_before_they_could_overflow(monkeypatch):
    rng = random.Random(7)
    table = pa.table({c: [rng.randrange(50) for _ in range(2_000)] for c in ("a", "b", "c")})
    monkeypatch.setattr(intervals, "MAX_CODE", 100)  # compact after every column
    small_code, small_first = intervals._codes(table, ["a", "b", "c"])
    monkeypatch.undo()
    code, first = intervals._codes(table, ["a", "b", "c"])
    rows = table.to_pylist()
    # the same partition of the rows into groups, whatever the numbering
    assert len(small_first) == len(first) == len({tuple(r.values()) for r in rows})
    pairs = set(zip(small_code.tolist(), code.tolist(), strict=True))
    assert len(pairs) == len(first)
    for g, row in enumerate(first.tolist()):
        assert all(rows[i] == rows[row] for i in range(len(rows)) if code[i] == g)


def test_an_empty_spine_is_refused_with_a_clear_message():
    con, _ = _connection(_random_intervals(1, n=5), "month")
    con.execute("DELETE FROM _periods")
    with pytest.raises(ValueError, match="_periods table has no periods"):
        intervals.interval_measures(con, "_e", "SELECT * FROM iv", weights={"x": "w"})


def test_a_registered_family_emitting_a_key_twice_is_refused(monkeypatch):
    j, _ = _journeys(6, persons=40)
    store = store_with(j)

    def per_event(ctx):  # one row per spell, not aggregated
        ctx.emit(
            "SELECT 'O2', g.group_code, p.period_start, '', '', 1.0, NULL::DOUBLE, "
            "NULL::DOUBLE, NULL::DOUBLE, NULL::DOUBLE, '' FROM spells s "
            "JOIN _pday p ON p.day = s.start_on JOIN _grp g "
            "ON g.municipality_code = s.municipality_at_start AND g.period_start = p.period_start"
        )

    monkeypatch.setattr(engine, "CHECKED", set())
    monkeypatch.setitem(engine.FAMILIES, "flows", per_event)
    engine.CHECKED.add("flows")  # as register_family does
    with pytest.raises(engine.EngineError, match="family 'flows' emitted the key"):
        compute(
            store, ["O2"], level="municipality", period="year", start="2022-01-01", end="2025-12-31"
        )


def test_rows_with_a_null_dimension_count_as_the_total(monkeypatch):
    j, _ = _journeys(6, persons=20)
    store = store_with(j)
    kw = {"level": "municipality", "period": "month", "start": "2023-01-01", "end": "2023-12-31"}
    base = compute(store, ["O2"], **kw)
    flows = engine.FAMILIES["flows"]

    def null_dimension(ctx):
        flows(ctx)
        ctx.execute("UPDATE _results SET dimension = NULL, dimension_value = NULL")

    monkeypatch.setitem(engine.FAMILIES, "flows", null_dimension)
    again = compute(store, ["O2"], **kw)

    def by_key(t):
        return {
            (r["group_code"], r["period_start"], r["dimension"]): r["value"] for r in t.to_pylist()
        }

    assert by_key(again) == by_key(base) and any(by_key(base).values())
