"""Benchmark: the synthetic generator's throughput (events/second) and peak memory.

Full size: the whole mainland (292 municipalities) for ten years (1.7.2016-30.6.2026) at scale
0.3 of the real stock, which is about 1.1 million distinct customers and 90 million events;
``--scale 1`` gives the realistic national flows (about 3.6 million customers, 290 million events).
Two worker processes by default. Peak memory is the maximum resident set size of this process
and of the largest worker (``resource.getrusage``).

Baseline, measured in the same run: a naive per-event Python loop (one dict per event, the
kernel's calendar functions, ``RecordBatch.from_pylist``) producing the core case-work events of
the same simulated periods on a small slice; the vectorised generator is timed on that slice too.

    .venv/bin/python -m benchmarks.bench_synthetic            # full size
    .venv/bin/python -m benchmarks.bench_synthetic --quick    # one area, two years
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import time

import numpy as np
import pyarrow as pa

from luotsi.kernel import calendar as cal
from luotsi.kernel.journey import FLAT_COLUMNS
from luotsi.synthetic import SyntheticConfig, area_municipalities, generate
from luotsi.synthetic import timebase as tb
from luotsi.synthetic.frame import SCHEMA
from luotsi.synthetic.generator import _results, run_unit
from luotsi.synthetic.population import OPEN, in_window, plan_units, simulate


def naive_events(config: SyntheticConfig, unit, max_periods: int) -> tuple[int, float]:
    """Core events of up to ``max_periods`` periods of ``unit``, one Python dict per event."""
    pop = simulate(config, unit)
    periods = np.flatnonzero(in_window(config, pop))[:max_periods]
    rng = random.Random(1)
    window_end = config.ends_on
    t0 = time.perf_counter()
    rows = []
    event_id = 0

    def row(kind: str, person: int, day: dt.date, **payload) -> None:
        nonlocal event_id
        r = dict.fromkeys(FLAT_COLUMNS)
        at = dt.datetime.combine(day, dt.time(9, rng.randrange(60)), dt.UTC)
        event_id += 1
        r.update(event_id=event_id, kind=kind, schema_version=1, occurred_at=at, recorded_at=at)
        r.update(person_id=person, organisation_id=1, municipality_code="091", **payload)
        rows.append(r)

    for k in periods:
        person = int(pop.person[k])
        start = tb.date(int(pop.start[k]))
        end = window_end if pop.end[k] == OPEN else tb.date(int(pop.end[k]))
        end = min(end, window_end)
        row("customer.registered", person, start, registered_on=start, reason="new",
            area_code="1", birth_year=1980, sex="male", language_group="fi",
            education_level="basic", status="unemployed")  # fmt: skip
        row("responsibility.assigned", person, start, worker_id=7, reason="initial")
        held = cal.add_working_days(start, rng.randint(1, 7))
        meetings = 0
        while held <= end and meetings < 60:
            meeting_type = "initial_interview" if meetings == 0 else "job_search_interview"
            row("meeting.scheduled", person, start, meeting_id=meetings,
                meeting_type=meeting_type, channel="phone",
                scheduled_for=dt.datetime.combine(held, dt.time(10), dt.UTC))  # fmt: skip
            row("meeting.held", person, held, meeting_id=meetings, meeting_type=meeting_type,
                channel="phone", held_on=held)  # fmt: skip
            meetings += 1
            held = cal.next_working_day(cal.add_months(held, 3))
        month = cal.add_months(start, 1)
        while month <= end:
            row("job_search.reported", person, month, period_start=cal.add_months(month, -1),
                period_end=month, applications=rng.randint(0, 6), applications_required=4)  # fmt: skip
            month = cal.add_months(month, 1)
            if rng.random() < 0.6:
                row("contact.recorded", person, month, contact_id=event_id, channel="message")
        if pop.end[k] != OPEN and end < window_end:
            row("customer.exited", person, end, ended_on=end, exit_reason="unknown")
    batch = pa.RecordBatch.from_pylist(rows, schema=SCHEMA)
    return batch.num_rows, time.perf_counter() - t0


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one area (Päijät-Häme), two years")
    parser.add_argument("--scale", type=float, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    end = dt.date(2026, 6, 30)
    if args.quick:
        config = SyntheticConfig(
            municipalities=area_municipalities("31"),
            starts_on=dt.date(2024, 7, 1),
            ends_on=end,
            scale=args.scale or 0.5,
        )
    else:
        config = SyntheticConfig(
            starts_on=dt.date(end.year - args.years, 7, 1), ends_on=end, scale=args.scale or 0.3
        )
    units = plan_units(config)
    print(
        f"config: {len(config.municipalities) or 292} municipalities, "
        f"{config.starts_on}..{config.ends_on}, scale {config.scale}, {len(units)} units, "
        f"{args.workers} worker(s)"
    )

    # baseline on a small slice: naive loop vs the vectorised generator on the same unit
    slice_unit = units[len(units) // 2]
    t0 = time.perf_counter()
    fast = run_unit(config, slice_unit)
    fast_s = time.perf_counter() - t0
    fast_events = sum(b.num_rows for b in fast.events)
    naive_n, naive_s = naive_events(config, slice_unit, max_periods=1500)
    print(
        f"slice (unit {slice_unit.index}): vectorised {fast_events:,} events in {fast_s:.2f} s "
        f"= {fast_events / fast_s:,.0f} ev/s (all kinds, 1 process); naive per-event loop "
        f"{naive_n:,} core events in {naive_s:.2f} s = {naive_n / naive_s:,.0f} ev/s; "
        f"ratio {fast_events / fast_s / (naive_n / naive_s):.1f}x"
    )

    t0 = time.perf_counter()
    events = persons = periods = 0
    for result in _results(config, args.workers):
        persons += result.persons
        periods += result.periods
        events += sum(b.num_rows for b in result.events)
    seconds = time.perf_counter() - t0
    own, children = peak_mb()
    rate = events / seconds
    print(
        f"full run: {events:,} events, {persons:,} distinct customers, {periods:,} periods "
        f"in {seconds:.1f} s = {rate:,.0f} events/s "
        f"({rate / (naive_n / naive_s):.1f}x the naive loop's rate)"
    )
    print(f"peak memory: this process {own:,.0f} MB, largest worker {children:,.0f} MB")
    if args.quick:  # also the public streaming API, single process
        t0 = time.perf_counter()
        n = sum(b.num_rows for b in generate(config))
        print(f"generate() single process: {n / (time.perf_counter() - t0):,.0f} events/s")


if __name__ == "__main__":
    main()
