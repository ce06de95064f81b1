"""The generator's entry points: stream events as Arrow batches, write Parquet, report the truth.

``generate(config)`` yields ``pyarrow.RecordBatch``es whose schema is exactly
``luotsi.kernel.journey.FLAT_COLUMNS``. Work is done per unit (see :mod:`.population`) and, within
a unit, per block of ``EVENT_BLOCK`` persons, so memory stays bounded whatever the scale. With
``workers > 1`` units run in a process pool; the output is the same, in the same order.
"""

from __future__ import annotations

import collections
import itertools
import json
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from luotsi.kernel import codes

from . import casework, ecosystem
from . import timebase as tb
from .block import Block
from .config import SyntheticConfig, describe
from .frame import SCHEMA, make_id
from .model import calibrate, expected_employment_rates
from .population import OPEN, Unit, in_window, plan_units, simulate, streams
from .tables import areas

EVENT_BLOCK = 2_000  # persons per block of event generation (part of the algorithm: fixed)
BLOCK_ID_BITS = 28  # local id range of one block
ROW_GROUP = 1_000_000

TRUTH_SCHEMA = pa.schema(
    [
        ("effect", pa.string()),  # "pilot:<name>" or "experiment:<id>"
        ("person_id", pa.int64()),
        ("enrolment_id", pa.int64()),
        ("municipality_code", pa.string()),
        ("registered_on", pa.date32()),
        ("ended_on", pa.date32()),
        ("exit_reason", pa.string()),
        ("arm", pa.string()),  # treatment | control (pilots: treatment)
        ("treated_from", pa.date32()),
        ("treated_to", pa.date32()),
        ("hazard_ratio", pa.float64()),
    ]
)


@dataclass(frozen=True)
class UnitResult:
    events: list[pa.RecordBatch]
    truth: pa.RecordBatch
    persons: int
    periods: int


def _urban(config: SyntheticConfig) -> np.ndarray:
    models = calibrate(config)
    lf = config.parameters.urban_labour_force
    return np.array([m.municipality.targets["TYOVOIMATK"] >= lf for m in models])


def run_unit(config: SyntheticConfig, unit: Unit, *, spells_only: bool = False) -> UnitResult:
    """Everything one unit produces: event batches (one per block of persons) and truth rows.

    ``spells_only`` skips the case work: only ``customer.registered``, ``responsibility.*``,
    ``handover.*`` and ``customer.exited`` (same persons, periods, dates and exit reasons; other identifiers and
    times of day differ from the full output)."""
    models = calibrate(config)
    area_map = areas(config)
    area_of = [area_map[m.municipality.area_code] for m in models]
    codes_ = tuple(m.code for m in models)
    urban = _urban(config)
    pop = simulate(config, unit)
    periods = np.flatnonzero(in_window(config, pop))
    block_of = pop.person[periods] // EVENT_BLOCK
    batches = []
    next_event = 0
    for blk in np.unique(block_of):
        if blk >= 1 << (36 - BLOCK_ID_BITS):
            raise OverflowError("too many persons in one unit; lower persons_per_unit")
        sel = periods[block_of == blk]
        rng = streams(config, unit.index, 1, int(blk))
        b = Block(config, unit.index, pop, sel, codes_, area_of, urban, rng)
        b.block_offset = int(blk) << BLOCK_ID_BITS
        ecosystem.handovers(b)
        casework.registration(b)
        if not spells_only:
            first = casework.first_meeting(b)
            casework.supplementary(b, first)
            jsi_idx, jsi_day = casework.job_search_interviews(b, first)
            casework.assessments_and_plans(b, first, jsi_idx, jsi_day)
            casework.contacts(b)
            ecosystem.referrals(b, first)
        casework.exits(b)
        lag = rng.integers(0, 3_000_000, b.frame.rows)
        batch = b.frame.batch(next_event, unit.index, lag)
        next_event += batch.num_rows
        batches.append(batch)
    return UnitResult(
        batches,
        _truth(config, unit, pop, periods, codes_),
        len(np.unique(pop.person[periods])),
        len(periods),
    )


def _truth(config, unit, pop, periods, codes_) -> pa.RecordBatch:
    cols: dict[str, list] = {name: [] for name in TRUTH_SCHEMA.names}
    muni = pop.municipality[pop.person[periods]]
    mcode = np.array(codes_)[muni] if len(periods) else np.array([], dtype=str)
    start, end = pop.start[periods], pop.end[periods]
    exit_codes = np.array([*codes.ExitReason.values(), ""])
    reason = exit_codes[pop.reason[periods]]

    def add(effect, mask, arm, t_from, t_to, hr):
        m = np.flatnonzero(mask)
        cols["effect"] += [effect] * len(m)
        cols["person_id"] += make_id("person", unit.index, pop.person[periods][m]).tolist()
        cols["enrolment_id"] += make_id("enrolment", unit.index, periods[m]).tolist()
        cols["municipality_code"] += mcode[m].tolist()
        cols["registered_on"] += start[m].tolist()
        cols["ended_on"] += [None if e == OPEN else int(e) for e in end[m]]
        cols["exit_reason"] += [r or None for r in reason[m]]
        cols["arm"] += np.asarray(arm)[m].tolist() if np.ndim(arm) else [arm] * len(m)
        cols["treated_from"] += np.broadcast_to(t_from, len(mask))[m].tolist()
        cols["treated_to"] += [
            None if e >= OPEN else int(e) for e in np.broadcast_to(t_to, len(mask))[m]
        ]
        cols["hazard_ratio"] += np.broadcast_to(hr, len(mask))[m].astype(float).tolist()

    for pilot in config.pilots:
        lo, hi = tb.day(pilot.starts_on), tb.day(pilot.ends_on)
        inside = np.isin(mcode, pilot.municipalities) & (start <= hi) & (end >= lo)
        add(
            f"pilot:{pilot.name}",
            inside,
            "treatment",
            np.maximum(start, lo),
            np.minimum(end, hi),
            pilot.hazard_ratio,
        )
    for e, exp in enumerate(config.experiments):
        arm = pop.arm[periods, e]
        add(
            f"experiment:{exp.experiment_id}",
            arm >= 0,
            np.where(arm == 1, "treatment", "control"),
            start,
            end,
            np.where(arm == 1, exp.hazard_ratio, 1.0),
        )
    return pa.RecordBatch.from_pydict(
        {
            k: pa.array(
                v,
                TRUTH_SCHEMA.field(k).type
                if k not in ("registered_on", "ended_on", "treated_from", "treated_to")
                else pa.int32(),
            ).cast(TRUTH_SCHEMA.field(k).type)
            for k, v in cols.items()
        },
        schema=TRUTH_SCHEMA,
    )


def _run(args) -> UnitResult:
    config, unit, spells_only = args
    return run_unit(config, unit, spells_only=True) if spells_only else run_unit(config, unit)


def _results(
    config: SyntheticConfig, workers: int, spells_only: bool = False
) -> Iterator[UnitResult]:
    units = plan_units(config)
    if workers <= 1:
        for u in units:
            yield run_unit(config, u, spells_only=True) if spells_only else run_unit(config, u)
        return
    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ctx.Pool(workers) as pool:
        # at most 2 units per worker in flight: bounded memory, results in unit order
        pending = collections.deque()
        todo = iter(units)
        for unit in itertools.islice(todo, 2 * workers):
            pending.append(pool.apply_async(_run, ((config, unit, spells_only),)))
        while pending:
            result = pending.popleft().get()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(pool.apply_async(_run, ((config, nxt, spells_only),)))
            yield result


def generate(
    config: SyntheticConfig, *, workers: int = 1, spells_only: bool = False
) -> Iterator[pa.RecordBatch]:
    """The events of ``config`` as flat record batches (schema = ``FLAT_COLUMNS``).

    ``spells_only``: registrations, responsibility, handovers and exits (no case work), for uses that
    need only the job-search periods (e.g. municipality panels of spells), several times faster.
    """
    for result in _results(config, workers, spells_only):
        for batch in result.events:
            if batch.num_rows:
                yield batch


def truth_batches(config: SyntheticConfig, *, workers: int = 1) -> Iterator[pa.RecordBatch]:
    """Who was treated by which effect, when, with which hazard ratio (one row per period)."""
    for result in _results(config, workers):
        if result.truth.num_rows:
            yield result.truth


def truth(config: SyntheticConfig) -> dict:
    """The injected effects and their expected outcomes (JSON-ready).

    For each effect: the hazard ratio on exits to open-market employment and, from the model
    without seasonality, the expected employment exit rate per person-month in the first six
    months of a period and the probability of exit to employment within six months, for
    treated and untreated periods over the affected municipalities' inflow mix.
    """
    models = calibrate(config)
    p = config.parameters
    out = {"config": describe(config), "effects": []}
    for pilot in config.pilots:
        ms = [m for m in models if m.code in pilot.municipalities]
        out["effects"].append(
            {
                "effect": f"pilot:{pilot.name}",
                "municipalities": list(pilot.municipalities),
                "starts_on": pilot.starts_on.isoformat(),
                "ends_on": pilot.ends_on.isoformat(),
                "hazard_ratio": pilot.hazard_ratio,
                "expected_treated": expected_employment_rates(p, ms, pilot.hazard_ratio)
                if ms
                else None,
                "expected_control": expected_employment_rates(p, ms, 1.0) if ms else None,
            }
        )
    for exp in config.experiments:
        ms = [m for m in models if not exp.municipalities or m.code in exp.municipalities]
        out["effects"].append(
            {
                "effect": f"experiment:{exp.experiment_id}",
                "share": exp.share,
                "starts_on": exp.starts_on.isoformat(),
                "ends_on": exp.ends_on.isoformat() if exp.ends_on else None,
                "hazard_ratio": exp.hazard_ratio,
                "take_up_ratio": exp.take_up_ratio,
                "expected_treated": expected_employment_rates(p, ms, exp.hazard_ratio),
                "expected_control": expected_employment_rates(p, ms, 1.0),
            }
        )
    return out


def write_parquet(
    config: SyntheticConfig,
    path: str | Path,
    *,
    workers: int = 1,
    row_group_size: int = ROW_GROUP,
    rows_per_file: int = 20 * ROW_GROUP,
) -> dict:
    """Write the events to Parquet in one pass, with the truth next to them.

    ``path`` ending in ``.parquet``: one file (truth in ``<stem>.truth.parquet`` and
    ``<stem>.truth.json``). Otherwise a directory: ``events/part-00000.parquet``, ...,
    ``truth.parquet`` and ``truth.json``. Returns counts (events, persons, periods, files).
    """
    path = Path(path)
    single = path.suffix == ".parquet"
    if single:
        path.parent.mkdir(parents=True, exist_ok=True)
        truth_path = path.with_name(path.stem + ".truth.parquet")
        json_path = path.with_name(path.stem + ".truth.json")
    else:
        (path / "events").mkdir(parents=True, exist_ok=True)
        truth_path, json_path = path / "truth.parquet", path / "truth.json"
    files: list[Path] = []
    writer = None
    in_file = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    counts = {"events": 0, "persons": 0, "periods": 0}

    def flush(final: bool = False) -> None:
        nonlocal writer, in_file, pending, pending_rows
        if not pending:
            return
        if writer is None:
            target = path if single else path / "events" / f"part-{len(files):05d}.parquet"
            files.append(target)
            writer = pq.ParquetWriter(target, SCHEMA, compression="zstd")
        table = pa.Table.from_batches(pending, schema=SCHEMA)
        writer.write_table(table, row_group_size=row_group_size)
        in_file += table.num_rows
        pending, pending_rows = [], 0
        if not single and in_file >= rows_per_file and not final:
            writer.close()
            writer, in_file = None, 0

    truth_writer = pq.ParquetWriter(truth_path, TRUTH_SCHEMA, compression="zstd")
    try:
        for result in _results(config, workers):
            counts["persons"] += result.persons
            counts["periods"] += result.periods
            if result.truth.num_rows:
                truth_writer.write_batch(result.truth)
            for batch in result.events:
                counts["events"] += batch.num_rows
                pending.append(batch)
                pending_rows += batch.num_rows
                if pending_rows >= row_group_size or (
                    not single and in_file + pending_rows >= rows_per_file
                ):
                    flush()
        flush(final=True)
    finally:
        if writer is not None:
            writer.close()
        truth_writer.close()
    if not files:  # no events at all: still leave a valid, empty file
        target = path if single else path / "events" / "part-00000.parquet"
        pq.write_table(SCHEMA.empty_table(), target)
        files.append(target)
    json_path.write_text(json.dumps(truth(config), indent=2, ensure_ascii=False), "utf-8")
    return {**counts, "files": [str(f) for f in files]}
