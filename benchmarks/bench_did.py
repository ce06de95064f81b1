"""Benchmark: Callaway-Sant'Anna on a person-month panel, against diff-diff and csdid.

Full size: 200,000 persons x 48 months (9.6M rows), 300 municipality clusters, six staggered
cohorts plus never-treated; no covariates, never-treated controls, doubly robust, clustered
multiplier bootstrap with 999 draws. Our estimator is timed from the long arrays (pivot
included) to the finished group-time table, plus an event-study aggregation and the same
estimation from released cluster x cohort x period sums.

The libraries (diff-diff's ``CallawaySantAnna``, csdid's ``ATTgt``, same options) run on the same
panel by default; ``--lib-persons N`` runs them on a smaller panel of the same design and
extrapolates their time linearly in the number of persons. Their group-time estimates are
compared with ours on the panel they ran on (max abs difference).

    .venv/bin/python -m benchmarks.bench_did            # full size
    .venv/bin/python -m benchmarks.bench_did --quick    # 20,000 persons
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from luotsi.stats.cs_cells import CohortCells
from luotsi.stats.did_cs import callaway_santanna, callaway_santanna_from_aggregates
from luotsi.stats.panel import Panel

COHORTS = (0, 13, 19, 25, 31, 37, 43)


def make_panel(n_persons: int, n_months: int, n_clusters: int, seed: int = 1) -> dict:
    """Long arrays sorted by person then month; effect 0.02 * (1 + months since start)."""
    rng = np.random.default_rng(seed)
    municipality = rng.integers(0, n_clusters, n_persons)
    start_of_municipality = rng.choice(np.array(COHORTS), n_clusters)
    cohort = start_of_municipality[municipality]
    months = np.arange(1, n_months + 1)
    e = months[None, :] - cohort[:, None]
    effect = np.where((cohort[:, None] > 0) & (e >= 0), 0.02 * (1 + np.minimum(e, 12)), 0.0)
    y = (
        rng.normal(0.5, 0.2, n_persons)[:, None]
        + 0.002 * months[None, :]
        + rng.normal(0, 0.05, (n_clusters, n_months))[municipality]
        + rng.normal(0, 0.3, (n_persons, n_months))
        + effect
    )
    return {
        "person": np.repeat(np.arange(n_persons), n_months),
        "month": np.tile(months, n_persons),
        "cohort": np.repeat(cohort, n_months),
        "y": y.ravel(),
        "municipality": np.repeat(municipality, n_months),
    }


def run_ours(d: dict, draws: int):
    res = callaway_santanna(
        unit=d["person"],
        time=d["month"],
        cohort=d["cohort"],
        outcome=d["y"],
        cluster=d["municipality"],
        control="never",
        method="dr",
        bootstrap=draws,
        seed=1,
    )
    return res


def timed(fn, *args, repeat: int = 1):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, out


def ours_att(res) -> dict:
    return {(e.key["group"], e.key["time"]): e.estimate for e in res.att_gt}


def run_diff_diff(d: dict, draws: int):
    from diff_diff import CallawaySantAnna

    df = pd.DataFrame(d)
    est = CallawaySantAnna(
        control_group="never_treated",
        estimation_method="dr",
        cluster="municipality",
        n_bootstrap=draws,
        seed=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = est.fit(df, outcome="y", unit="person", time="month", first_treat="cohort")
    return {(int(g), int(t)): float(v["effect"]) for (g, t), v in res.group_time_effects.items()}


def run_csdid(d: dict, draws: int):
    from csdid.att_gt import ATTgt

    df = pd.DataFrame(d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ATTgt(
            yname="y",
            gname="cohort",
            idname="person",
            tname="month",
            data=df,
            control_group="nevertreated",
            clustervar="municipality",
            biters=draws,
        ).fit(est_method="dr", bstrap=True)
    r = out.results
    return {
        (int(g), int(t)): float(a) for g, t, a in zip(r["group"], r["year"], r["att"], strict=True)
    }


def compare(name: str, fn, d_small: dict, draws: int, scale: float, ours_small, ours_full_s):
    try:
        secs, att = timed(fn, d_small, draws)
    except Exception as exc:  # a library failing must not hide our figures
        print(f"  {name:<10} failed: {type(exc).__name__}: {exc}")
        return
    ours = ours_att(ours_small)
    common = set(att) & set(ours)
    diff = max(abs(att[k] - ours[k]) for k in common) if common else float("nan")
    full = secs * scale
    print(
        f"  {name:<10} {secs:8.2f} s at lib size -> ~{full:8.1f} s at full size "
        f"(x{full / ours_full_s:,.0f} slower than ours); "
        f"{len(common)}/{len(ours)} ATT(g,t) compared, max |diff| = {diff:.2e}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="20,000 persons instead of 200,000")
    ap.add_argument("--persons", type=int, default=None)
    ap.add_argument("--months", type=int, default=48)
    ap.add_argument("--clusters", type=int, default=300)
    ap.add_argument("--draws", type=int, default=999)
    ap.add_argument("--lib-persons", type=int, default=None, help="panel size for libraries")
    ap.add_argument("--skip-libs", action="store_true")
    args = ap.parse_args()
    n = args.persons or (20_000 if args.quick else 200_000)
    n_lib = min(args.lib_persons or n, n)

    d = make_panel(n, args.months, args.clusters)
    print(
        f"panel: {n:,} persons x {args.months} months = {n * args.months:,} rows, "
        f"{args.clusters} clusters, cohorts {COHORTS[1:]} + never; bootstrap {args.draws} draws"
    )
    callaway_santanna(
        unit=d["person"][:4800],
        time=d["month"][:4800],
        cohort=d["cohort"][:4800],
        outcome=d["y"][:4800],
        cluster=d["municipality"][:4800],
        bootstrap=9,
    )  # warm-up (imports, BLAS threads)
    t_panel, panel = timed(
        lambda: Panel.from_arrays(
            d["person"], d["month"], d["cohort"], d["y"], cluster=d["municipality"]
        ),
        repeat=3,
    )
    t_all, res = timed(run_ours, d, args.draws, repeat=3)
    t_agg, _ = timed(lambda: res.aggregate("dynamic"), repeat=3)
    t_cells, cells = timed(lambda: CohortCells.from_panel(panel), repeat=3)
    t_from_cells, res_cells = timed(
        lambda: callaway_santanna_from_aggregates(cells, bootstrap=args.draws, seed=1), repeat=3
    )
    k = len(res.att_gt)
    print(f"ours (luotsi.stats), {k} ATT(g,t), best of 3:")
    print(f"  long arrays -> ATT(g,t) + clustered bootstrap : {t_all:6.3f} s")
    print(f"    of which pivot/validation (Panel)          : {t_panel:6.3f} s")
    print(f"    of which cluster x cohort x period sums    : {t_cells:6.3f} s")
    print(f"  from released sums (cells) -> same results   : {t_from_cells:6.3f} s")
    print(f"  dynamic (event-study) aggregation + bands    : {t_agg:6.3f} s")
    same = max(
        abs(a.estimate - b.estimate) + abs(a.se - b.se)
        for a, b in zip(res.att_gt, res_cells.att_gt, strict=True)
    )
    print(f"  microdata vs released sums: max |diff| (estimate + se) = {same:.1e}")
    overall = res.aggregate("simple").by_label("overall")
    print(f"  simple ATT = {overall.estimate:.4f} (se {overall.se:.4f})")
    if args.skip_libs:
        return
    print(f"libraries on {n_lib:,} persons (same design, time extrapolated x{n / n_lib:g}):")
    d_small = d if n_lib == n else make_panel(n_lib, args.months, args.clusters)
    t_small, ours_small = (t_all, res) if n_lib == n else timed(run_ours, d_small, args.draws)
    print(f"  {'ours':<10} {t_small:8.2f} s at lib size")
    compare("diff-diff", run_diff_diff, d_small, args.draws, n / n_lib, ours_small, t_all)
    compare("csdid", run_csdid, d_small, args.draws, n / n_lib, ours_small, t_all)


if __name__ == "__main__":
    main()
