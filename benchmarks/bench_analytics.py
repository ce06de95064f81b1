"""Benchmark: the analytics store and the full indicator cube on synthetic-shaped journey events.

A vectorised generator (this file; ``luotsi.synthetic.write_parquet`` is used instead when it
exists and ``--synthetic`` is given) writes flat events for N persons over 10 years (2016-2025)
in ~300 municipalities: registrations, status changes, moves, exits, responsibility, meetings,
plans, referrals and handovers (about 12 events per person). Measured in one run:

* ingest: Parquet -> ``events`` + derived tables (events/s);
* the full cube: every own indicator for every municipality and month of 10 years;
* an incremental refresh of 1% new events vs the full ingest (ratio);
* the stock and inflow indicators (O1, O2) by DuckDB vs a straightforward pandas implementation
  of the same definitions (ratio), and that both give the same numbers;
* peak memory (max RSS of the process).

    .venv/bin/python -m benchmarks.bench_analytics            # 1,000,000 persons (~12M events)
    .venv/bin/python -m benchmarks.bench_analytics --quick    # 20,000 persons
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from luotsi.analytics.indicators import compute, definitions
from luotsi.analytics.store import Store, event_schema

EPOCH = dt.date(2016, 1, 1)
DAYS = (dt.date(2025, 12, 31) - EPOCH).days
EXITS = np.array(
    [
        "employed_open_market",
        "subsidised_work",
        "education",
        "other_service",
        "moved",
        "outside_labour_force",
        "unknown",
    ]
)
CHANNELS = np.array(["in_person", "phone", "video", "message"])


def _dates(days: np.ndarray) -> pa.Array:
    return (
        pa.array(days.astype("int32"), pa.int32()).cast(pa.date32())
        if len(days)
        else pa.array([], pa.date32())
    )


def generate(n_persons: int, n_munis: int = 300, seed: int = 7) -> pa.Table:
    """Flat journey events (columns = FLAT_COLUMNS) for ``n_persons``; one spell per person
    plus a second spell for 30%."""
    rng = np.random.default_rng(seed)
    schema = event_schema()
    parts: list[dict[str, object]] = []
    person = np.arange(1, n_persons + 1)
    muni = np.char.zfill(rng.integers(1, n_munis + 1, n_persons).astype(str), 3)
    # one spell per person; 30% come back for a second one after the first has ended
    start1 = rng.integers(0, DAYS, n_persons)
    end1 = start1 + rng.exponential(220, n_persons).astype(int) + 1
    back = (rng.random(n_persons) < 0.3) & (end1 + 400 < DAYS)
    start2 = end1[back] + rng.integers(30, 400, back.sum())
    sp_person = np.concatenate([person, person[back]])
    sp_muni = np.concatenate([muni, muni[back]])
    start = np.concatenate([start1, start2])
    dur = np.concatenate([end1 - start1, rng.exponential(220, back.sum()).astype(int) + 1])
    end = start + dur
    open_ = end > DAYS
    enrol = np.arange(1, sp_person.size + 1) + 10_000_000
    exit_reason = EXITS[rng.integers(0, len(EXITS), sp_person.size)]

    def add(kind, day, who, munis=None, **cols):
        parts.append(
            {"kind": kind, "day": day, "person_id": who, "municipality_code": munis, **cols}
        )

    add(
        "customer.registered",
        start,
        sp_person,
        sp_muni,
        enrolment_id=enrol,
        registered_on=start,
        status=np.where(rng.random(start.size) < 0.9, "unemployed", "laid_off"),
        reason=np.full(start.size, "new"),
    )
    c = ~open_
    add(
        "customer.exited",
        end[c],
        sp_person[c],
        sp_muni[c],
        enrolment_id=enrol[c],
        ended_on=end[c],
        exit_reason=exit_reason[c],
    )
    s = (rng.random(start.size) < 0.3) & (dur > 60)
    mid = start[s] + rng.integers(1, 60, s.sum())
    add(
        "customer.status_changed",
        mid,
        sp_person[s],
        sp_muni[s],
        enrolment_id=enrol[s],
        effective_on=mid,
        status=np.full(s.sum(), "in_service"),
        previous_status=np.full(s.sum(), "unemployed"),
    )
    m = (rng.random(start.size) < 0.05) & (dur > 30)
    mv = start[m] + rng.integers(1, 30, m.sum())
    to = np.char.zfill(rng.integers(1, n_munis + 1, m.sum()).astype(str), 3)
    add(
        "customer.moved",
        mv,
        sp_person[m],
        to,
        effective_on=mv,
        from_municipality=sp_muni[m],
        to_municipality=to,
    )
    worker = rng.integers(1, n_persons // 100 + 2, start.size)
    add(
        "responsibility.assigned",
        start + rng.integers(0, 3, start.size),
        sp_person,
        sp_muni,
        worker_id=worker,
        reason=np.full(start.size, "initial"),
    )
    for k, mtype in enumerate(
        ("initial_interview", "supplementary_interview", "job_search_interview")
    ):
        held = start + rng.integers(1, 15, start.size) + 40 * k
        ok = held < np.minimum(end, DAYS)
        add(
            "meeting.held",
            held[ok],
            sp_person[ok],
            sp_muni[ok],
            meeting_id=enrol[ok] * 10 + k,
            meeting_type=np.full(ok.sum(), mtype),
            channel=CHANNELS[rng.integers(0, 4, ok.sum())],
            held_on=held[ok],
        )
    ps = start + rng.integers(1, 20, start.size)
    add(
        "plan.saved",
        ps,
        sp_person,
        sp_muni,
        plan_id=enrol,
        plan_version=np.ones_like(enrol),
        agreed=rng.random(start.size) < 0.8,
        agreed_on=ps,
        task_count=np.ones_like(enrol),
    )
    r = rng.random(start.size) < 0.3
    sent = start[r] + rng.integers(5, 60, r.sum())
    acc = sent + rng.integers(0, 20, r.sum())
    for stage, day in (("sent", sent), ("accepted", acc), ("completed", acc + 30)):
        add(
            f"referral.{stage}",
            day,
            sp_person[r],
            sp_muni[r],
            referral_id=enrol[r],
            offering_id=rng.integers(1, 50, r.sum()) if stage == "sent" else enrol[r] % 50 + 1,
            provider_id=enrol[r] % 20 + 1,
            outcome=np.full(r.sum(), "employed") if stage == "completed" else None,
        )
    h = rng.random(start.size) < 0.1
    req = start[h] + rng.integers(5, 90, h.sum())
    for stage, day in (("requested", req), ("accepted", req + rng.integers(0, 10, h.sum()))):
        add(
            f"handover.{stage}",
            day,
            sp_person[h],
            sp_muni[h],
            handover_id=enrol[h],
            from_organisation_id=np.ones(h.sum(), "int64"),
            to_organisation_id=np.full(h.sum(), 2, "int64"),
            deadline_on=req + 5 if stage == "requested" else None,
        )
    tables = []
    for p in parts:
        day = np.asarray(p.pop("day"))
        n = day.size
        cols: dict[str, pa.Array] = {}
        for name, value in p.items():
            if value is None:
                continue
            typ = schema.field(name).type
            arr = np.asarray(value) if not np.isscalar(value) else np.full(n, value)
            if arr.ndim == 0:
                arr = np.full(n, arr)
            if pa.types.is_date32(typ):
                cols[name] = _dates(arr)
            elif pa.types.is_string(typ):
                cols[name] = pa.array(arr.astype(str), pa.string())
            else:
                cols[name] = pa.array(arr).cast(typ)
        ts = (day.astype("int64") * 86_400 + 36_000) * 1_000_000 + (
            EPOCH - dt.date(1970, 1, 1)
        ).days * 86_400_000_000
        cols["occurred_at"] = pa.array(ts, pa.timestamp("us", tz="UTC"))
        cols["recorded_at"] = cols["occurred_at"]
        cols["schema_version"] = pa.array(np.ones(n, "int16"))
        for name in schema.names:
            if name not in cols:
                cols[name] = pa.nulls(n, schema.field(name).type)
        for name in (
            "registered_on",
            "ended_on",
            "effective_on",
            "held_on",
            "agreed_on",
            "deadline_on",
        ):
            if name in p and p[name] is not None:
                cols[name] = pa.array(
                    (
                        np.asarray(p[name]).astype("int64") + (EPOCH - dt.date(1970, 1, 1)).days
                    ).astype("int32")
                ).cast(pa.date32())
        tables.append(pa.table([cols[n] for n in schema.names], schema=schema))
    table = pa.concat_tables(tables)
    order = pa.compute.sort_indices(table, [("occurred_at", "ascending")])
    table = table.take(order)
    return table.set_column(0, "event_id", pa.array(np.arange(1, table.num_rows + 1)))


def pandas_o1_o2(events: pd.DataFrame, months: list[dt.date]) -> pd.DataFrame:
    """Straightforward pandas: spells from events, then per month the open spells per
    municipality (O1, residence on the counting day) and distinct new persons (O2)."""
    reg = events[events.kind == "customer.registered"][
        ["person_id", "enrolment_id", "registered_on", "municipality_code"]
    ]
    ex = events[events.kind == "customer.exited"][["enrolment_id", "ended_on"]]
    spells = reg.merge(ex, on="enrolment_id", how="left")
    moves = events[events.kind == "customer.moved"][
        ["person_id", "effective_on", "to_municipality"]
    ]
    out = []
    for m in months:
        d = (pd.Timestamp(m) + pd.offsets.MonthEnd(0)).date()
        open_ = spells[
            (spells.registered_on <= d) & (spells.ended_on.isna() | (spells.ended_on > d))
        ]
        # residence on d: latest move on or before d, else the municipality at registration
        mv = moves[moves.effective_on <= d].sort_values("effective_on").groupby("person_id").last()
        loc = open_.set_index("person_id").join(mv, how="left")
        later = loc.effective_on.notna() & (loc.effective_on > loc.registered_on)
        muni = np.where(later, loc.to_municipality, loc.municipality_code)
        o1 = pd.Series(muni).value_counts()
        new = spells[(spells.registered_on >= m) & (spells.registered_on <= d)]
        o2 = new.groupby("municipality_code").person_id.nunique()
        out.append(pd.DataFrame({"O1": o1, "O2": o2}).fillna(0).assign(period_start=m))
    return pd.concat(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20,000 persons")
    ap.add_argument("--persons", type=int, default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--pandas-months",
        type=int,
        default=12,
        help="months for the pandas baseline (its time is scaled to 120)",
    )
    args = ap.parse_args(argv)
    n = args.persons or (20_000 if args.quick else 1_000_000)
    t0 = time.perf_counter()
    events = generate(n)
    gen_s = time.perf_counter() - t0
    print(f"generated {events.num_rows:,} events for {n:,} persons in {gen_s:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        cut = int(events.num_rows * 0.99)
        pq.write_table(events.slice(0, cut), Path(tmp) / "events.parquet")
        store = Store(Path(tmp) / "a.duckdb", threads=args.threads)
        t0 = time.perf_counter()
        store.ingest_parquet(Path(tmp) / "events.parquet")
        ingest_s = time.perf_counter() - t0

        class Source:
            def fetch(self, after, limit):
                import pyarrow.compute as pc

                t = events.filter(pc.greater(events["event_id"], after)).slice(0, limit)
                return (
                    t.combine_chunks().to_batches()[0]
                    if t.num_rows
                    else pa.RecordBatch.from_pylist([], schema=events.schema)
                )

        t0 = time.perf_counter()
        res = store.refresh(Source(), batch_size=1_000_000)
        refresh_s = time.perf_counter() - t0
        own = [d.code for d in definitions() if d.source == "own"]
        t0 = time.perf_counter()
        cube = compute(
            store,
            own,
            level="municipality",
            period="month",
            start="2016-01-01",
            end="2025-12-31",
            save=False,
        )
        cube_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ours = compute(
            store,
            ["O1", "O2"],
            level="municipality",
            period="month",
            start="2016-01-01",
            end="2025-12-31",
            save=False,
        )
        o12_s = time.perf_counter() - t0
        df = events.select(
            [
                "kind",
                "person_id",
                "enrolment_id",
                "registered_on",
                "ended_on",
                "municipality_code",
                "effective_on",
                "to_municipality",
            ]
        ).to_pandas()
        months = [dt.date(2025 - (i // 12), 12 - i % 12, 1) for i in range(args.pandas_months)]
        t0 = time.perf_counter()
        base = pandas_o1_o2(df, months)
        pandas_s = (time.perf_counter() - t0) * 120 / len(months)
        check = ours.to_pandas()
        check = check[check.period_start.isin(months)].pivot_table(
            index=["period_start", "group_code"], columns="indicator", values="value"
        )
        base = (
            base.reset_index()
            .rename(columns={"index": "group_code"})
            .set_index(["period_start", "group_code"])
        )
        joined = check.join(base.add_suffix("_pd"), how="outer").fillna(0)
        agree = bool(
            ((joined.O1 - joined.O1_pd).abs().max() == 0)
            and ((joined.O2 - joined.O2_pd).abs().max() == 0)
        )
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        store.close()
    rate = cut / ingest_s
    print(f"ingest (Parquet + derived tables): {ingest_s:.2f} s, {rate:,.0f} events/s")
    print(
        f"incremental refresh of {res.inserted:,} events (1%): {refresh_s:.2f} s; "
        f"full ingest / refresh = {ingest_s / refresh_s:.1f}x"
    )
    print(
        f"full cube: {len(own)} own indicators x {cube.num_rows:,} rows (municipality x month, "
        f"10 years): {cube_s:.2f} s"
    )
    print(
        f"O1+O2 DuckDB: {o12_s:.2f} s; pandas (scaled to 120 months): {pandas_s:.2f} s; "
        f"ratio {pandas_s / o12_s:.1f}x; same values: {agree}"
    )
    print(f"ingest + cube: {ingest_s + cube_s:.2f} s; peak memory (max RSS): {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
