"""Validation: Callaway-Sant'Anna and imputation on the synthetic generator with an exact truth.

Each replication generates one seed twice, with and without a staggered pilot (hazard of exit to
open-market employment x 1.3), builds both municipality x month panels through the analytics store
and estimates the ATT with Callaway-Sant'Anna (doubly robust; never-treated and not-yet-treated
controls; analytic standard errors clustered by municipality) and imputation (BJS, clustered by
municipality). The truth is the realised effect from common random numbers (see
``luotsi.analytics.simulate``). Prints bias, RMSE, mean SE vs the SD of the error, and coverage of
the 95% intervals with its Monte Carlo SE, for the overall ATT and the event times.

``--small-sample`` runs both estimators with ``small_sample=True`` (variance x G/(G-1), t(G-1)
intervals; ``luotsi.stats.results.SmallSample``) instead of their library-matching defaults.
``--save FILE`` appends each replication's rows to a JSON-lines file and ``--from-file FILE``
prints the summary of such a file without running anything.

This is a validation, not a speed benchmark: it is not run by ``python -m benchmarks``.

    .venv/bin/python -m benchmarks.validate_did_synthetic                 # 1000 replications
    .venv/bin/python -m benchmarks.validate_did_synthetic --quick         # 100 replications
    .venv/bin/python -m benchmarks.validate_did_synthetic --reps 400 --workers 2
    .venv/bin/python -m benchmarks.validate_did_synthetic --workers 1 --small-sample --save s.jsonl
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import multiprocessing
import os
import sys
import time

from luotsi.analytics import simulate
from luotsi.stats.did_cs import callaway_santanna
from luotsi.stats.imputation import imputation

DESIGN = {"n_municipalities": 60, "scale": 0.03, "outcomes": ("exit_rate", "customers")}
SHOWN_EVENT_TIMES = ("e=-3", "e=-1", "e=0", "e=3", "e=6", "e=12")


def _one(seed: int) -> simulate.Replication:
    return simulate.replicate(simulate.default_design(**DESIGN), seed)


def _configure(small_sample: bool) -> None:
    """Pool initializer: ``simulate`` calls the estimators with their defaults, so the
    few-clusters option is bound into the names it calls (in every worker process)."""
    simulate.callaway_santanna = functools.partial(callaway_santanna, small_sample=small_sample)
    simulate.imputation = functools.partial(imputation, small_sample=small_sample)


def report(reps: list[simulate.Replication], elapsed: float) -> None:
    n = len(reps)
    ok = sum(r.untreated_identical and r.pre_period_identical for r in reps)
    print(f"\n{n} replications in {elapsed:.0f} s; untreated and pre-period rows identical in {ok}")
    rows = simulate.summarise(reps)
    head = (
        f"{'estimator':<11} {'outcome':<10} {'estimand':<8} {'truth':>8} {'bias':>8} "
        f"{'(mc se)':>8} {'rmse':>7} {'mean se':>8} {'sd err':>7} {'se/sd':>6} {'cover':>6} "
        f"{'(mc se)':>7} {'cov@mean':>8}"
    )
    print(head)
    order = {name: i for i, name in enumerate(simulate.ESTIMATORS)}
    for s in sorted(rows, key=lambda s: (s.outcome, order[s.estimator], _label_key(s.label))):
        if s.label != "overall" and s.label not in SHOWN_EVENT_TIMES:
            continue
        print(
            f"{s.estimator:<11} {s.outcome:<10} {s.label:<8} {s.mean_truth:8.3f} {s.bias:8.3f} "
            f"{s.bias_se:8.3f} {s.rmse:7.3f} {s.mean_se:8.3f} {s.sd_error:7.3f} "
            f"{s.mean_se / s.sd_error:6.3f} {100 * s.coverage:5.1f}% {100 * s.coverage_se:6.1f}  "
            f"{100 * s.coverage_mean_truth:6.1f}%"
        )
    post = [s for s in rows if s.label.startswith("e=") and int(s.label[2:]) >= 0]
    for name in simulate.ESTIMATORS:
        for outcome in DESIGN["outcomes"]:
            c = [s.coverage for s in post if s.estimator == name and s.outcome == outcome]
            if c:
                print(
                    f"{name} {outcome}: coverage over the {len(c)} post event times "
                    f"{100 * min(c):.1f}-{100 * max(c):.1f}% (mean {100 * sum(c) / len(c):.1f}%; "
                    f"{sum(0.93 <= v <= 0.97 for v in c)} within 93-97%)"
                )
    sys.stdout.flush()


def _save(path: str, rep: simulate.Replication) -> None:
    line = {
        "seed": rep.seed,
        "untreated_identical": rep.untreated_identical,
        "pre_period_identical": rep.pre_period_identical,
        "rows": [dataclasses.asdict(r) for r in rep.rows],
    }
    with open(path, "a") as f:
        f.write(json.dumps(line) + "\n")


def _load(path: str) -> list[simulate.Replication]:
    reps = []
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            rows = tuple(simulate.Row(**r) for r in d["rows"])
            ok = (d["untreated_identical"], d["pre_period_identical"])
            reps.append(simulate.Replication(d["seed"], {}, rows, *ok))
    return reps


def _label_key(label: str) -> float:
    return -1e9 if label == "overall" else float(label[2:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=None, help="replications (default 1000)")
    parser.add_argument("--quick", action="store_true", help="100 replications")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=1, help="seed of the first replication")
    parser.add_argument("--every", type=int, default=100, help="print a summary every N reps")
    parser.add_argument("--save", help="append every replication's rows to this JSON-lines file")
    parser.add_argument("--from-file", help="summarise a --save file instead of running")
    parser.add_argument(
        "--small-sample", action="store_true", help="estimators with small_sample=True"
    )
    args = parser.parse_args(argv)
    if args.from_file:
        report(_load(args.from_file), float("nan"))
        return 0
    reps = args.reps or (100 if args.quick else 1000)
    design = simulate.default_design(**DESIGN)
    print(
        f"design: {len(design.municipalities)} municipalities (scale {design.scale}), "
        f"{design.starts_on:%Y-%m}..{design.ends_on:%Y-%m}, cohorts "
        f"{', '.join(f'{d:%Y-%m} x {n}' for d, n in zip(design.cohort_starts, design.cohort_units, strict=True))}, "
        f"never treated {len(design.municipalities) - sum(design.cohort_units)}, "
        f"hazard ratio {design.hazard_ratio}; {reps} replications on {args.workers} workers; "
        f"small_sample={args.small_sample}",
        flush=True,
    )
    seeds = range(args.seed, args.seed + reps)
    done: list[simulate.Replication] = []
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ctx.Pool(args.workers, initializer=_configure, initargs=(args.small_sample,)) as pool:
        for rep in pool.imap(_one, seeds):
            done.append(rep)
            if args.save:
                _save(args.save, rep)
            if len(done) % args.every == 0 and len(done) < reps:
                report(done, time.perf_counter() - t0)
    report(done, time.perf_counter() - t0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
