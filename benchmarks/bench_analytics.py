"""Benchmark: the analytics store and the full indicator cube on synthetic-shaped journey events.

A vectorised generator (this file) writes flat events for N persons over 10 years (2016-2025)
in ~300 municipalities: registrations, status changes, moves, exits, responsibility, meetings,
plans, referrals, handovers and follow-up meetings (``--events-per-person``, default 22, so
~22M events for 1M persons). Events are streamed to Parquet in chunks. Measured in one run:

* ingest: Parquet -> ``events`` + derived tables (events/s);
* the full cube: every own indicator for every municipality and month of 10 years;
* an incremental refresh of 1% new events vs the full ingest (ratio);
* a stock, a flow, a ratio and a cohort indicator (O1, O2, O9, O9C3) by DuckDB vs a
  straightforward pandas implementation of the same definitions (ratio of wall-clock and of CPU
  time, best of ``--repeat`` runs of each, default 3), and that both give the same numerators
  and denominators;
* time, CPU time and peak memory (VmHWM) of the full cube, computed in a fresh process on the
  store file (DuckDB ``memory_limit`` from ``--memory-limit``, default 4GB; it spills beyond).

    .venv/bin/python -m benchmarks.bench_analytics            # 1,000,000 persons (~22M events)
    .venv/bin/python -m benchmarks.bench_analytics --quick    # 20,000 persons
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from luotsi.analytics.indicators import compute
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


def _parts(n_persons: int, n_munis: int, seed: int, events_per_person: float) -> list[dict]:
    """Flat journey events (columns = FLAT_COLUMNS) for ``n_persons``; one spell per person
    plus a second spell for 30%. Besides the ~10 events of each person's spells, follow-up
    meetings (supplementary and job-search interviews on random days of open spells) bring the
    total to about ``events_per_person`` (the synthetic population has ~80 per customer over
    10 years; meetings are what most of them are)."""
    rng = np.random.default_rng(seed)
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
    # about 100 customers per responsible worker; a worker serves the customers of one
    # municipality (as in an employment area's teams): the spell's registration municipality
    per_muni = max(1, n_persons // 100 // n_munis)
    worker = (sp_muni.astype(int) - 1) * per_muni + rng.integers(1, per_muni + 1, start.size)
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
    base = sum(np.asarray(p["day"]).size for p in parts) + 2.1 * start.size  # + plans etc.
    extra = max(0.0, events_per_person * n_persons - base) / start.size
    span = np.maximum(np.minimum(end, DAYS) - start - 1, 0)
    k = rng.poisson(extra * span / max(span.mean(), 1), start.size) * (span > 0)
    idx = np.repeat(np.arange(start.size), k)
    held = start[idx] + 1 + (rng.random(idx.size) * span[idx]).astype(int)
    serial = np.arange(idx.size) - np.repeat(np.cumsum(k) - k, k)
    add(
        "meeting.held",
        held,
        sp_person[idx],
        sp_muni[idx],
        meeting_id=10**11 + enrol[idx] * 1000 + serial,
        meeting_type=np.where(
            rng.random(idx.size) < 0.5, "supplementary_interview", "job_search_interview"
        ),
        channel=CHANNELS[rng.integers(0, 4, idx.size)],
        held_on=held,
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
    return parts


def _ts(day: np.ndarray) -> np.ndarray:
    return (day.astype("int64") * 86_400 + 36_000) * 1_000_000 + (
        EPOCH - dt.date(1970, 1, 1)
    ).days * 86_400_000_000


def _part_table(p: dict, lo: int, hi: int, ids: np.ndarray, schema: pa.Schema) -> pa.Table:
    """Rows ``lo:hi`` of one generated part as a table of the flat schema."""
    day = np.asarray(p["day"])[lo:hi]
    n = day.size
    cols: dict[str, pa.Array] = {"event_id": pa.array(ids, pa.int64())}
    for name, value in p.items():
        if value is None or name == "day":
            continue
        typ = schema.field(name).type
        arr = np.asarray(value)
        arr = np.full(n, arr) if arr.ndim == 0 else arr[lo:hi]
        if pa.types.is_date32(typ):
            cols[name] = pa.array(
                (arr.astype("int64") + (EPOCH - dt.date(1970, 1, 1)).days).astype("int32")
            ).cast(pa.date32())
        elif pa.types.is_string(typ):
            cols[name] = pa.array(arr.astype(str), pa.string())
        else:
            cols[name] = pa.array(arr).cast(typ)
    cols["occurred_at"] = pa.array(_ts(day), pa.timestamp("us", tz="UTC"))
    cols["recorded_at"] = cols["occurred_at"]
    cols["schema_version"] = pa.array(np.ones(n, "int16"))
    for name in schema.names:
        if name not in cols:
            cols[name] = pa.nulls(n, schema.field(name).type)
    return pa.table([cols[c] for c in schema.names], schema=schema)


def _event_ids(parts: list[dict]) -> list[np.ndarray]:
    """Event ids in the order of occurrence (stable), per part."""
    sizes = [np.asarray(p["day"]).size for p in parts]
    ts = np.concatenate([_ts(np.asarray(p["day"])) for p in parts])
    ids = np.empty(ts.size, "int64")
    ids[np.argsort(ts, kind="stable")] = np.arange(1, ts.size + 1)
    return np.split(ids, np.cumsum(sizes)[:-1])


def generate(
    n_persons: int, n_munis: int = 300, seed: int = 7, events_per_person: float = 22.0
) -> pa.Table:
    """All generated events as one table ordered by ``event_id`` (small sizes only)."""
    parts = _parts(n_persons, n_munis, seed, events_per_person)
    schema = event_schema()
    ids = _event_ids(parts)
    tables = [_part_table(p, 0, len(i), i, schema) for p, i in zip(parts, ids, strict=True)]
    table = pa.concat_tables(tables)
    return table.take(pc.sort_indices(table, [("event_id", "ascending")]))


def write_events(
    path: Path,
    n_persons: int,
    *,
    events_per_person: float = 22.0,
    keep_fraction: float = 0.99,
    columns: list[str],
    kinds: list[str],
    chunk: int = 1_000_000,
) -> tuple[int, int, pa.Table, pa.Table]:
    """Stream the generated events to Parquet in chunks (bounded memory; the flat schema has
    77 columns): the first ``keep_fraction`` of ids go to ``path``. Returns (events, ids
    written, the remaining events ordered by id, the ``columns`` of the events of ``kinds``)."""
    parts = _parts(n_persons, 300, 7, events_per_person)
    schema = event_schema()
    ids = _event_ids(parts)
    total = sum(len(i) for i in ids)
    cut = int(total * keep_fraction)
    tail, picked = [], []
    with pq.ParquetWriter(path, schema) as writer:
        for p, part_ids in zip(parts, ids, strict=True):
            for lo in range(0, len(part_ids), chunk):
                hi = min(lo + chunk, len(part_ids))
                t = _part_table(p, lo, hi, part_ids[lo:hi], schema)
                early = pc.less_equal(t["event_id"], cut)
                writer.write_table(t.filter(early))
                tail.append(t.filter(pc.invert(early)))
                if p["kind"] in kinds:
                    picked.append(t.select(columns))
    tail_t = pa.concat_tables(tail)
    tail_t = tail_t.take(pc.sort_indices(tail_t, [("event_id", "ascending")]))
    return total, cut, tail_t.combine_chunks(), pa.concat_tables(picked)


BASELINE = ("O1", "O2", "O9", "O9C3")


def pandas_baseline(events: pd.DataFrame, months: list[dt.date], as_of: dt.date) -> pd.DataFrame:
    """Straightforward (vectorised per month) pandas implementation of a stock, a flow, a ratio
    and a cohort indicator from the same definitions, per municipality and month:

    * O1: spells with start <= d < end on the counting day d, at the residence on d;
    * O2: distinct persons with a spell starting in the month (municipality at registration);
    * O9: spells ended in the month with exit reason employed_open_market (municipality at the
      end) / O1 on the day before the month;
    * O9C3: spells started in the month with start + 3 months <= as_of (denominator) that ended
      in employment by start + 3 months (numerator).
    """
    reg = events[events.kind == "customer.registered"][
        ["person_id", "enrolment_id", "registered_on", "municipality_code"]
    ]
    ex = events[events.kind == "customer.exited"][["enrolment_id", "ended_on", "exit_reason"]]
    spells = reg.merge(ex, on="enrolment_id", how="left")
    spells["registered_on"] = pd.to_datetime(spells.registered_on)
    spells["ended_on"] = pd.to_datetime(spells.ended_on)
    moves = events[events.kind == "customer.moved"][
        ["person_id", "effective_on", "to_municipality"]
    ].copy()
    moves["effective_on"] = pd.to_datetime(moves.effective_on)
    # municipality at the end: the latest move inside the spell, else the one at registration
    inside = spells[["enrolment_id", "person_id", "registered_on", "ended_on"]].merge(
        moves, on="person_id"
    )
    inside = inside[
        (inside.effective_on > inside.registered_on)
        & (inside.ended_on.isna() | (inside.effective_on < inside.ended_on))
    ]
    last_move = inside.sort_values("effective_on").groupby("enrolment_id").to_municipality.last()
    spells["municipality_at_end"] = spells.enrolment_id.map(last_move).fillna(
        spells.municipality_code
    )
    employed = spells.exit_reason == "employed_open_market"

    def stock(d: pd.Timestamp) -> pd.Series:
        open_ = spells[
            (spells.registered_on <= d) & (spells.ended_on.isna() | (spells.ended_on > d))
        ]
        # residence on d: latest move on or before d (after the registration), else the
        # municipality at registration
        mv = moves[moves.effective_on <= d].sort_values("effective_on").groupby("person_id").last()
        loc = open_.set_index("person_id").join(mv, how="left")
        later = loc.effective_on.notna() & (loc.effective_on > loc.registered_on)
        return pd.Series(np.where(later, loc.to_municipality, loc.municipality_code)).value_counts()

    as_of_ts = pd.Timestamp(as_of)
    out = []
    for m in months:
        first = pd.Timestamp(m)
        last = first + pd.offsets.MonthEnd(0)
        new = spells[(spells.registered_on >= first) & (spells.registered_on <= last)]
        ended = spells[(spells.ended_on >= first) & (spells.ended_on <= last)]
        window = new.registered_on + pd.DateOffset(months=3)
        due = new[window <= as_of_ts]
        due_window = due.registered_on + pd.DateOffset(months=3)
        hit = due[(due.exit_reason == "employed_open_market") & (due.ended_on <= due_window)]
        frame = pd.DataFrame(
            {
                "O1": stock(last),
                "O2": new.groupby("municipality_code").person_id.nunique(),
                "O9_num": ended[employed.loc[ended.index]].groupby("municipality_at_end").size(),
                "O9_den": stock(first - pd.Timedelta(days=1)),
                "O9C3_num": hit.groupby("municipality_code").size(),
                "O9C3_den": due.groupby("municipality_code").size(),
            }
        ).fillna(0)
        out.append(frame.assign(period_start=m))
    return pd.concat(out)


def _cube_in_subprocess(path: Path, threads: int, memory_limit: str | None) -> dict:
    """Time and peak memory (VmHWM, the high-water mark of this process's resident memory) of
    the full own cube in a fresh process on the store."""
    code = (
        "import json, resource, sys, time\n"
        "from luotsi.analytics.indicators import compute, definitions\n"
        "from luotsi.analytics.store import Store\n"
        f"store = Store({str(path)!r}, threads={threads}, memory_limit={memory_limit!r})\n"
        "own = [d.code for d in definitions() if d.source == 'own']\n"
        "t0 = time.perf_counter()\n"
        "cube = compute(store, own, level='municipality', period='month', start='2016-01-01',"
        " end='2025-12-31', save=False)\n"
        "s = time.perf_counter() - t0\n"
        "ru = resource.getrusage(resource.RUSAGE_SELF)\n"
        # ru_maxrss survives exec (it would report the parent's peak); VmHWM is this process's
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
        "peak = int(hwm[0].split()[1]) / 1024 if hwm else ru.ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': s, 'rows': cube.num_rows, 'codes': len(own),"
        " 'cpu': ru.ru_utime + ru.ru_stime, 'maxrss_mb': peak}))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20,000 persons")
    ap.add_argument("--persons", type=int, default=None)
    ap.add_argument("--events-per-person", type=float, default=22.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--memory-limit", default="4GB", help="DuckDB memory_limit (it spills beyond it)"
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of the DuckDB and pandas comparison; the best of each is reported",
    )
    ap.add_argument(
        "--pandas-months",
        type=int,
        default=12,
        help="months for the pandas baseline (its time is scaled to 120)",
    )
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    n = args.persons or (20_000 if args.quick else 1_000_000)
    cols = [
        "kind",
        "person_id",
        "enrolment_id",
        "registered_on",
        "ended_on",
        "exit_reason",
        "municipality_code",
        "effective_on",
        "to_municipality",
        "occurred_at",
    ]
    kinds = ["customer.registered", "customer.exited", "customer.moved"]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        total, cut, tail, picked = write_events(
            Path(tmp) / "events.parquet",
            n,
            events_per_person=args.events_per_person,
            columns=cols,
            kinds=kinds,
        )
        gen_s = time.perf_counter() - t0
        print(
            f"generated {total:,} events for {n:,} persons in {gen_s:.1f} s (Parquet)",
            flush=True,
        )
        as_of = pc.max(tail["occurred_at"]).as_py().date()  # the latest events are in the tail
        df = picked.drop_columns(["occurred_at"]).to_pandas()
        del picked
        schema = tail.schema
        db = Path(tmp) / "a.duckdb"
        store = Store(db, threads=args.threads, memory_limit=args.memory_limit)
        t0 = time.perf_counter()
        store.ingest_parquet(Path(tmp) / "events.parquet")
        ingest_s = time.perf_counter() - t0

        class Source:
            def fetch(self, after, limit):
                t = tail.filter(pc.greater(tail["event_id"], after)).slice(0, limit)
                return (
                    t.combine_chunks().to_batches()[0]
                    if t.num_rows
                    else pa.RecordBatch.from_pylist([], schema=schema)
                )

        t0 = time.perf_counter()
        res = store.refresh(Source(), batch_size=1_000_000)
        refresh_s = time.perf_counter() - t0
        store.close()
        cube = _cube_in_subprocess(db, args.threads, args.memory_limit)
        store = Store(db, threads=args.threads, memory_limit=args.memory_limit)
        months = [dt.date(2025 - (i // 12), 12 - i % 12, 1) for i in range(args.pandas_months)]
        # best of --repeat runs on each side (the first DuckDB run is on a freshly opened store)
        runs = []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            ours = compute(
                store,
                list(BASELINE),
                level="municipality",
                period="month",
                start="2016-01-01",
                end="2025-12-31",
                save=False,
            )
            ours_s, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
            t0, c0 = time.perf_counter(), time.process_time()
            base = pandas_baseline(df, months, as_of)
            scale = 120 / len(months)
            pandas_run = ((time.perf_counter() - t0) * scale, (time.process_time() - c0) * scale)
            runs.append((ours_s, ours_cpu, *pandas_run))
        first_sub_s = runs[0][0]
        sub_s, sub_cpu = min(r[0] for r in runs), min(r[1] for r in runs)
        pandas_s, pandas_cpu = min(r[2] for r in runs), min(r[3] for r in runs)
        check = ours.to_pandas()
        check = check[check.period_start.isin(months)]
        check = pd.concat(
            [
                check.pivot_table(
                    index=["period_start", "group_code"], columns="indicator", values=col
                ).add_suffix(suffix)
                for col, suffix in (("numerator", "_num"), ("denominator", "_den"))
            ],
            axis=1,
        )
        base = (
            base.reset_index()
            .rename(columns={"index": "group_code"})
            .set_index(["period_start", "group_code"])
        )
        joined = check.join(base.add_suffix("_pd"), how="outer").fillna(0)
        pairs = {
            "O1": ("O1_num", "O1_pd"),
            "O2": ("O2_num", "O2_pd"),
            "O9 numerator": ("O9_num", "O9_num_pd"),
            "O9 denominator": ("O9_den", "O9_den_pd"),
            "O9C3 numerator": ("O9C3_num", "O9C3_num_pd"),
            "O9C3 denominator": ("O9C3_den", "O9C3_den_pd"),
        }
        diffs = {k: float((joined[a] - joined[b]).abs().max()) for k, (a, b) in pairs.items()}
        agree = all(v == 0 for v in diffs.values())
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        store.close()
    rate = cut / ingest_s
    print(f"ingest (Parquet + derived tables): {ingest_s:.2f} s, {rate:,.0f} events/s")
    print(
        f"incremental refresh of {res.inserted:,} events (1%): {refresh_s:.2f} s; "
        f"full ingest / refresh = {ingest_s / refresh_s:.1f}x"
    )
    print(
        f"full cube: {cube['codes']} own indicators x {cube['rows']:,} rows (municipality x "
        f"month, 10 years): {cube['seconds']:.2f} s (CPU {cube['cpu']:.1f} s), peak memory (VmHWM of the cube "
        f"process) {cube['maxrss_mb']:,.0f} MB"
    )
    print(
        f"{'+'.join(BASELINE)}, best of {args.repeat}: DuckDB {sub_s:.2f} s (first run on the "
        f"freshly opened store {first_sub_s:.2f} s); pandas (scaled to 120 months): "
        f"{pandas_s:.2f} s; ratio {pandas_s / sub_s:.1f}x (CPU {sub_cpu:.1f} s vs "
        f"{pandas_cpu:.1f} s: {pandas_cpu / sub_cpu:.1f}x); same values: {agree}"
        + ("" if agree else f" (max differences {diffs})")
    )
    print(f"pandas (120 months) / full cube of {cube['codes']}: {pandas_s / cube['seconds']:.1f}x")
    print(f"pandas / DuckDB per run: {', '.join(f'{r[2] / r[0]:.1f}x' for r in runs)}")
    print(f"peak memory of the benchmark process (max RSS): {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
