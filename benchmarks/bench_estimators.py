"""Benchmark: TWFE, Goodman-Bacon, Sun-Abraham, imputation, wild bootstrap, synthetic control.

A municipality-month panel (300 municipalities x 120 months, 25 pilot-area clusters of
municipalities, staggered starts) is estimated by our estimators and, in the same run, by the
libraries that do the same job (pyfixest ``feols`` for TWFE and the Sun-Abraham saturated
regression, diff-diff for Bacon, Sun-Abraham, imputation and synthetic control). Each line
prints both times, the ratio (library / ours) and the largest absolute difference of the point
estimates.

    .venv/bin/python -m benchmarks.bench_estimators            # 300 x 120
    .venv/bin/python -m benchmarks.bench_estimators --quick    # 60 x 36
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from luotsi.stats.bacon import bacon_decomposition
from luotsi.stats.imputation import imputation
from luotsi.stats.sunab import sun_abraham
from luotsi.stats.synth import synthetic_control
from luotsi.stats.twfe import twfe
from luotsi.stats.wildboot import wild_cluster_bootstrap


def make_panel(n_units: int, n_months: int, n_clusters: int = 25, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    area = np.arange(n_units) % n_clusters
    starts = np.array([0] + [int(n_months * f) for f in (0.3, 0.45, 0.6, 0.75)])
    cohort = starts[rng.integers(0, starts.size, n_clusters)][area]
    t = np.arange(1, n_months + 1)
    e = t[None, :] - cohort[:, None]
    effect = np.where((cohort[:, None] > 0) & (e >= 0), 0.5 + 0.02 * np.minimum(e, 24), 0.0)
    y = (
        rng.normal(10, 2, n_units)[:, None]
        + 0.01 * t
        + rng.normal(0, 0.3, (n_clusters, n_months))[area]
        + rng.normal(0, 0.5, (n_units, n_months))
        + effect
    )
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_months),
            "time": np.tile(t, n_units),
            "cohort": np.repeat(cohort, n_months),
            "y": y.ravel(),
            "cluster": np.repeat(area, n_months),
        }
    )


def timed(fn, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def report(name: str, ours: float, lib: float | None, diff: float | None, lib_name: str) -> None:
    if lib is None:
        print(f"{name:<28} ours {ours * 1e3:9.1f} ms   ({lib_name}: not run)")
        return
    print(
        f"{name:<28} ours {ours * 1e3:9.1f} ms   {lib_name} {lib * 1e3:9.1f} ms   "
        f"ratio {lib / ours:7.1f}x   max |diff| {diff:.2e}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 municipalities x 36 months")
    args = parser.parse_args()
    n_units, n_months = (60, 36) if args.quick else (300, 120)
    df = make_panel(n_units, n_months)
    cols = {
        "unit": "unit",
        "time": "time",
        "cohort": "cohort",
        "outcome": "y",
        "cluster": "cluster",
    }
    print(f"panel: {n_units} municipalities x {n_months} months = {len(df):,} rows, 25 clusters")
    warnings.simplefilter("ignore")
    import diff_diff as dd
    import pyfixest as pf

    df["D"] = ((df.cohort > 0) & (df.time >= df.cohort)).astype(float)
    t_ours, res = timed(lambda: twfe(df, **cols), 3)
    t_lib, ref = timed(
        lambda: pf.feols("y ~ D | unit + time", data=df, vcov={"CRV1": "cluster"}), 3
    )
    diff = abs(res.table.by_label("ATT").estimate - float(ref.coef().iloc[0]))
    report("TWFE static", t_ours, t_lib, diff, "pyfixest")

    t_ours, res_es = timed(lambda: twfe(df, **cols, kind="event", window=(-24, 24)), 1)
    e = np.where(df.cohort > 0, np.clip(df.time - df.cohort, -24, 24), -1)
    df["rel"] = e.astype(int)
    t_lib, ref = timed(
        lambda: pf.feols("y ~ i(rel, ref=-1) | unit + time", data=df, vcov={"CRV1": "cluster"}), 1
    )
    names = {k: f"C(rel, contr.treatment(base=-1))[T.{k}]" for k in (-24, -2, 0, 12, 24)}
    coefs = ref.coef()
    diff = max(
        abs(res_es.table.by_label(f"e={k}").estimate - float(coefs.get(n, coefs.get(f"rel::{k}"))))
        for k, n in names.items()
    )
    report("TWFE event study (49 dummies)", t_ours, t_lib, diff, "pyfixest")

    t_ours, bac = timed(
        lambda: bacon_decomposition(df, **{k: v for k, v in cols.items() if k != "cluster"}), 3
    )
    t_lib, ref = timed(
        lambda: dd.BaconDecomposition().fit(
            df, outcome="y", unit="unit", time="time", first_treat="cohort"
        ),
        1,
    )
    report("Goodman-Bacon", t_ours, t_lib, abs(bac.twfe_estimate - ref.twfe_estimate), "diff-diff")

    t_ours, sa = timed(lambda: sun_abraham(df, **cols), 1)
    t_lib, ref = timed(
        lambda: dd.SunAbraham(cluster="cluster").fit(
            df, outcome="y", unit="unit", time="time", first_treat="cohort"
        ),
        1,
    )
    diff = max(
        abs(sa.table.by_label(f"e={int(k)}").estimate - v["effect"])
        for k, v in ref.event_study_effects.items()
    )
    report("Sun-Abraham", t_ours, t_lib, diff, "diff-diff")

    t_ours, imp = timed(lambda: imputation(df, **cols), 3)
    t_lib, ref = timed(
        lambda: dd.ImputationDiD(cluster="cluster").fit(
            df, outcome="y", unit="unit", time="time", first_treat="cohort", aggregate="event_study"
        ),
        1,
    )
    diff = max(
        abs(imp.table.by_label(f"e={int(k)}").estimate - v["effect"])
        for k, v in ref.event_study_effects.items()
        if k >= 0 and np.isfinite(v["effect"])
    )
    report("Imputation (BJS)", t_ours, t_lib, diff, "diff-diff")

    t_ours, wb = timed(lambda: wild_cluster_bootstrap(res, draws=9999, seed=1), 1)
    reg = res.regression
    t_lib, ref = timed(
        lambda: dd.wild_bootstrap_se(
            reg.x,
            reg.y,
            reg.y - reg.x @ np.asarray(res.coef),
            reg.codes,
            0,
            n_bootstrap=9999,
            seed=1,
        ),
        1,
    )
    print(
        f"{'Wild cluster bootstrap':<28} ours {t_ours * 1e3:9.1f} ms (p-value and CI, 9999 draws)   "
        f"diff-diff {t_lib * 1e3:9.1f} ms (p-value only)   ratio {t_lib / t_ours:7.1f}x   "
        f"p ours {wb.p_value:.4f} vs {ref.p_value:.4f}"
    )

    treated = int(df.unit[df.cohort > 0].iloc[0])
    start = int(df.cohort[df.unit == treated].iloc[0])
    sc = df[(df.cohort == 0) | (df.unit == treated)]
    t_ours, syn = timed(
        lambda: synthetic_control(
            unit=sc.unit.to_numpy(),
            time=sc.time.to_numpy(),
            outcome=sc.y.to_numpy(),
            treated_unit=treated,
            treatment_start=start,
            placebos=False,
        ),
        3,
    )
    report("Synth. control, no placebos", t_ours, None, None, "no like-for-like library run")
    t_ours, _ = timed(
        lambda: synthetic_control(
            unit=sc.unit.to_numpy(),
            time=sc.time.to_numpy(),
            outcome=sc.y.to_numpy(),
            treated_unit=treated,
            treatment_start=start,
        ),
        1,
    )
    print(
        f"{'Synth. control + placebos':<28} ours {t_ours * 1e3:9.1f} ms ({len(syn.donors)} donors)"
    )


if __name__ == "__main__":
    main()
