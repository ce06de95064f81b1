"""Simulations with known effects: bias and coverage of 95% intervals.

Coverage uses the aggregates path (cell sums), which is fast; 2,000 replications give a binomial
standard error of 0.5 points around 95%, so the 93-97% window is a meaningful check.
"""

from __future__ import annotations

import numpy as np

from luotsi.stats.cs_cells import CohortCells
from luotsi.stats.did_cs import callaway_santanna, callaway_santanna_from_aggregates
from luotsi.stats.panel import Panel
from luotsi.stats.tests.test_cs_support import simulate, true_att


def _cells(d, clustered=True):
    panel = Panel.from_arrays(
        d["unit"], d["time"], d["cohort"], d["y"], cluster=d["cluster"] if clustered else None
    )
    return CohortCells.from_panel(panel)


def test_clustered_analytic_coverage_and_bias():
    rng = np.random.default_rng(20260101)
    reps, hits, errors = 2000, 0, []
    for _ in range(reps):
        d = simulate(rng, n_units=600, n_clusters=150, cluster_sd=0.7)
        res = callaway_santanna_from_aggregates(_cells(d), bootstrap=0)
        est = res.aggregate("dynamic").by_label("e=1")
        truth = 2.0
        hits += est.ci_low <= truth <= est.ci_high
        errors.append(est.estimate - truth)
    coverage = hits / reps
    assert 0.93 <= coverage <= 0.97, coverage
    assert abs(np.mean(errors)) < 3 * np.std(errors) / np.sqrt(reps)


def test_unit_level_coverage_of_group_time_effects():
    rng = np.random.default_rng(7)
    reps, hits, total = 300, 0, 0
    for _ in range(reps):
        d = simulate(rng, n_units=300, cluster_sd=0.0)
        res = callaway_santanna_from_aggregates(_cells(d, clustered=False), bootstrap=0)
        for e in res.att_gt.where(group=4):
            truth = true_att(4, e.key["time"])
            hits += e.ci_low <= truth <= e.ci_high
            total += 1
    assert 0.93 <= hits / total <= 0.97, hits / total


def test_bootstrap_bands_cover_simultaneously():
    """Uniform bands: all event-time effects inside the band in about 95% of samples."""
    rng = np.random.default_rng(11)
    reps, hits, wider = 150, 0, 0
    for r in range(reps):
        d = simulate(rng, n_units=400, n_clusters=50, cluster_sd=0.5)
        res = callaway_santanna_from_aggregates(_cells(d), bootstrap=299, seed=r)
        rows = [e for e in res.aggregate("dynamic") if "event_time" in e.key]
        inside = all(e.band_low <= true_att(0, e.key["event_time"]) <= e.band_high for e in rows)
        hits += inside
        wider += all(e.band_high - e.band_low >= e.ci_high - e.ci_low for e in rows)
    assert wider == reps
    assert 0.90 <= hits / reps <= 0.99, hits / reps


def test_person_level_estimates_unbiased_with_covariate_methods():
    rng = np.random.default_rng(3)
    est = {m: [] for m in ("dr", "ipw", "reg")}
    for _ in range(40):
        d = simulate(rng, n_units=500, n_periods=5, cohorts=(0, 3, 4))
        x = np.repeat(rng.normal(size=500), 5)
        for m in est:
            res = callaway_santanna(
                unit=d["unit"],
                time=d["time"],
                cohort=d["cohort"],
                outcome=d["y"],
                covariates=x,
                method=m,
                bootstrap=0,
            )
            est[m].append(res.aggregate("simple").by_label("overall").estimate)
    truth_weights = {(3, 3): 1, (3, 4): 2, (3, 5): 3, (4, 4): 1, (4, 5): 2}
    truth = np.mean(list(truth_weights.values()))
    for m, values in est.items():
        assert abs(np.mean(values) - truth) < 4 * np.std(values) / np.sqrt(len(values)), m
