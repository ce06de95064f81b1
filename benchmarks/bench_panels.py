"""Person-month panel: 200,000 persons x 48 months from a journey log, on the analytics store.

    .venv/bin/python -m benchmarks.bench_panels            # 200,000 persons, 48 months
    .venv/bin/python -m benchmarks.bench_panels --quick    # 20,000 persons

Builds a store with random job-search spells (registration, a status change, an exit), then
times ``luotsi.analytics.panels.person_month_panel`` (interval -> month fill in numpy, chunked)
against a straightforward baseline measured in the same run: a DuckDB grid of every person and
month joined to the status intervals (the "unemployed on the counting day" outcome only). The
two must give the same matrix.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time

import numpy as np
import pyarrow as pa

from luotsi.analytics import panels as pn
from luotsi.analytics.refresh import ingest_relation
from luotsi.analytics.store import Store, event_schema
from luotsi.kernel.journey import FLAT_COLUMNS


def _events(n: int, seed: int = 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    base = dt.date(2020, 1, 1)
    start = rng.integers(0, 4 * 365, n)
    change = start + rng.integers(1, 300, n)
    end = change + rng.integers(1, 400, n)
    ended = rng.random(n) < 0.7
    munis = np.array([f"{c:03d}" for c in rng.integers(1, 300, n)])
    reasons = np.where(rng.random(n) < 0.5, "employed_open_market", "education")
    cols: dict[str, list] = {c: [] for c in FLAT_COLUMNS}
    eid = 0

    def add(kind, p, day, **payload):
        nonlocal eid
        eid += 1
        when = dt.datetime.combine(day, dt.time(12), dt.UTC)
        row = dict(
            event_id=eid,
            kind=kind,
            schema_version=1,
            occurred_at=when,
            recorded_at=when,
            person_id=p + 1,
            organisation_id=1,
            municipality_code=munis[p],
            **payload,
        )
        for c in FLAT_COLUMNS:
            cols[c].append(row.get(c))

    for p in range(n):
        d0 = base + dt.timedelta(days=int(start[p]))
        add(
            "customer.registered",
            p,
            d0,
            enrolment_id=p + 1,
            registered_on=d0,
            reason="new",
            area_code="1",
            birth_year=1980,
            sex="female",
            language_group="fi",
            education_level="basic",
            status="unemployed",
        )
        d1 = base + dt.timedelta(days=int(change[p]))
        add(
            "customer.status_changed",
            p,
            d1,
            enrolment_id=p + 1,
            effective_on=d1,
            status="in_service",
            previous_status="unemployed",
        )
        if ended[p]:
            d2 = base + dt.timedelta(days=int(end[p]))
            add("customer.exited", p, d2, enrolment_id=p + 1, ended_on=d2, exit_reason=reasons[p])
    return pa.table(cols, schema=event_schema())


def _baseline(store: Store, t0: int, t1: int, ids: np.ndarray) -> np.ndarray:
    out = store.con.execute(
        f"""WITH months AS ({pn._month_days_sql(t0, t1)}),
        persons AS (SELECT unnest(?) AS person_id),
        grid AS (SELECT person_id, t, d FROM persons, months)
        SELECT g.person_id, g.t, bool_or(coalesce(si.unemployed, false)) AS u
        FROM grid g LEFT JOIN status_intervals si ON si.person_id = g.person_id
          AND si.start_on <= g.d AND (si.end_on IS NULL OR si.end_on > g.d)
        GROUP BY ALL ORDER BY g.person_id, g.t""",
        [ids.tolist()],
    ).fetchnumpy()
    return np.asarray(out["u"], dtype=np.int8).reshape(len(ids), t1 - t0 + 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="20,000 persons instead of 200,000")
    ap.add_argument("--persons", type=int)
    args = ap.parse_args()
    n = args.persons or (20_000 if args.quick else 200_000)
    t_build = time.perf_counter()
    events = _events(n)
    with Store(threads=2) as store:
        store.con.register("_ev", events)
        ingest_relation(store, "_ev", derive=True, source="bench")
        print(
            f"store: {n:,} persons, {events.num_rows:,} events, built in {time.perf_counter() - t_build:.1f} s"
        )
        cohorts = pn.Cohorts(
            {f"{c:03d}": pn.month_index(dt.date(2022, 1 + c % 12, 1)) for c in range(1, 150)}, {}, 0
        )
        t = time.perf_counter()
        panel = pn.person_month_panel(store, "2021-01", "2024-12", cohorts)
        ours = time.perf_counter() - t
        rows = panel.outcomes["unemployed"].size
        print(
            f"person_month_panel: {len(panel.person_id):,} persons x {len(panel.times)} months "
            f"= {rows:,} rows, 4 outcomes: {ours:.2f} s"
        )
        t = time.perf_counter()
        base = _baseline(store, int(panel.times[0]), int(panel.times[-1]), panel.person_id)
        baseline = time.perf_counter() - t
        print(f"baseline (DuckDB person x month grid, range join, 1 outcome): {baseline:.2f} s")
        same = np.array_equal(base, panel.outcomes["unemployed"])
        print(f"identical unemployed matrix: {same}")
        print(f"ratio baseline / ours: {baseline / ours:.1f}x")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of the process: {peak:.0f} MB")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
