"""Difference-in-differences on the synthetic generator against an exact truth.

generator (staggered pilot, hazard ratio 1.3) -> journey events -> analytics store ->
municipality x month panel -> Callaway-Sant'Anna (never / not-yet-treated controls) and
imputation -> bias and coverage against the realised effect from common random numbers
(``luotsi.analytics.simulate``). The 1000-replication run with the figures is
``benchmarks/validate_did_synthetic.py`` (docs/validation.md); these tests are its small,
fast guard.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os

import numpy as np
import pytest
from scipy import stats

from luotsi.analytics import simulate

REPS = 48
LEVEL = 0.95


def _design() -> simulate.Design:
    return simulate.default_design(
        n_municipalities=30,
        scale=0.02,
        starts_on=dt.date(2023, 1, 1),
        ends_on=dt.date(2024, 6, 30),
        cohort_starts=(dt.date(2023, 7, 1), dt.date(2024, 1, 1)),
        cohort_units=(7, 7),
        burn_in_years=2,
        min_e=-6,
        max_e=6,
        outcomes=("exit_rate", "customers"),
    )


def _one(seed: int) -> simulate.Replication:
    return simulate.replicate(_design(), seed)


@pytest.fixture(scope="module")
def replications() -> list[simulate.Replication]:
    seeds = range(100, 100 + REPS)
    if (os.cpu_count() or 1) < 2:
        return [_one(s) for s in seeds]
    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ctx.Pool(2) as pool:
        return list(pool.map(_one, seeds, chunksize=4))


@pytest.mark.slow
def test_truth_is_exact_untreated_identical_and_effect_only_after_the_start():
    """With and without the pilot, untreated municipalities have identical panel rows and treated
    ones identical rows before their start; the truths are the estimators applied to the
    realised effect D = Y(with) - Y(without), which equal the hand-computed weighted means."""
    rep = simulate.replicate(_design(), 7, keep_panels=True)
    assert rep.untreated_identical and rep.pre_period_identical
    m = rep.panels["customers"]
    treated = m["cohort"] > 0
    assert treated.sum() == 14 and (~treated).sum() == 16
    assert np.array_equal(m["y"][~treated], m["y0"][~treated])
    d = m["y"] - m["y0"]
    post = m["time"][None, :] >= m["cohort"][:, None]
    assert np.all(d[treated & ~post.any(axis=1)] == 0)
    assert np.all(d[~post] == 0)
    assert np.any(d[post] != 0)  # the pilot changed treated municipalities after their start
    # the pilot lowers the registered stock (more exits to work): realised effect negative
    assert d[post].mean() < 0
    truth = {(r.estimator, r.outcome, r.label): r.truth for r in rep.rows}
    # Callaway-Sant'Anna simple aggregate: post ATT(g,t) = mean_g D_t weighted by cohort size
    cells = [
        (int((m["cohort"] == g).sum()), d[m["cohort"] == g, j].mean())
        for g in np.unique(m["cohort"][treated])
        for j, t in enumerate(m["time"])
        if t >= g
    ]
    w = np.array([c[0] for c in cells], dtype=float)
    simple = float(np.dot(w, [c[1] for c in cells]) / w.sum())
    assert truth[("cs_never", "customers", "overall")] == pytest.approx(simple, abs=1e-9)
    assert truth[("cs_notyet", "customers", "overall")] == pytest.approx(simple, abs=1e-9)
    # event time 0: cohorts weighted by size; imputation: mean of D over every treated cell
    on = m["time"][None, :] == m["cohort"][:, None]
    assert truth[("cs_never", "customers", "e=0")] == pytest.approx(d[on].mean(), abs=1e-9)
    assert truth[("imputation", "customers", "overall")] == pytest.approx(
        d[treated[:, None] & post].mean(), abs=1e-9
    )
    for r in rep.rows:
        if r.label.startswith("e=-"):
            assert r.truth == 0.0, r
    # the estimators are linear in the outcome: estimate - truth = the estimator on Y(without),
    # whose mean over random assignments is exactly zero (why bias must vanish)
    no_effect = {**m, "y": m["y0"]}
    for name in simulate.ESTIMATORS:
        err = dict(simulate._estimates(name, simulate._long(no_effect, m["y0"]), _design()))
        for r in rep.rows:
            if r.estimator == name and r.outcome == "customers":
                assert r.estimate - r.truth == pytest.approx(err[r.label].estimate, abs=1e-9)


@pytest.mark.slow
def test_bias_is_small_and_95_percent_intervals_cover(replications):
    """Coverage of the 95% intervals of the overall ATT (realised truth) for CS-DR with never-
    and not-yet-treated controls and for imputation, clustered by municipality (30 clusters).

    Tolerance: with R = 48 replications the number of covering intervals is Binomial(48, 0.95)
    if the intervals are exact; its SE is 3.1 points, so only gross failures can be detected:
    the test fails below 40/48 (83%), which has probability 0.0006 under nominal coverage. With
    standard errors 35% too small (true coverage 80%) it fails with probability 0.66, with 25%
    too small (86%) only 0.23. The other side (over-coverage) is
    checked through the SE ratio below. The 93-97% requirement is checked with 1000 replications
    (Monte Carlo SE 0.7 points) in benchmarks/validate_did_synthetic.py; see docs/validation.md.

    Bias: |mean(estimate - truth)| must be below 3 Monte Carlo SEs of the bias plus 5% of the
    mean reported SE (the seeds are fixed, so the test is deterministic).

    SE calibration: the mean reported SE over the SD of (estimate - truth) must lie in
    [0.67, 1.5]; with 48 replications the SD is estimated within about +-10% (1 SE), so this
    allows about 3 SEs on each side (a little more above: the CR0 form without small-sample
    factor and the realised-truth estimand both move the ratio)."""
    assert all(r.untreated_identical and r.pre_period_identical for r in replications)
    rows = {(s.estimator, s.outcome, s.label): s for s in simulate.summarise(replications)}
    lowest = int(stats.binom.ppf(0.001, REPS, LEVEL))
    assert lowest == 40
    for name in simulate.ESTIMATORS:
        for outcome in ("exit_rate", "customers"):
            s = rows[(name, outcome, "overall")]
            assert s.reps == REPS
            assert round(s.coverage * REPS) >= lowest, s
            assert abs(s.bias) < 3 * s.bias_se + 0.05 * s.mean_se, s
            assert 0.67 <= s.mean_se / s.sd_error <= 1.5, s


@pytest.mark.slow
def test_event_time_intervals_cover_on_average(replications):
    """Event times 0..6 of each estimator: the mean coverage over the 7 event times (correlated,
    so its SE is at most that of one, 3.1 points at R = 48) must be at least 85% (3 SEs below
    95%), and no single event time may fall below the binomial 0.1% bound (40/48); the truth
    of every pre-period (placebo) event time is 0 and CS's placebo intervals cover it too."""
    rows = simulate.summarise(replications)
    lowest = stats.binom.ppf(0.001, REPS, LEVEL) / REPS
    for name in simulate.ESTIMATORS:
        for outcome in ("exit_rate", "customers"):
            post = [
                s
                for s in rows
                if s.estimator == name
                and s.outcome == outcome
                and s.label.startswith("e=")
                and int(s.label[2:]) >= 0
            ]
            assert len(post) == 7
            assert np.mean([s.coverage for s in post]) >= 0.85, (name, outcome)
            assert min(s.coverage for s in post) >= lowest - 1e-12, (name, outcome)
            pre = [
                s
                for s in rows
                if s.estimator == name and s.outcome == outcome and s.label.startswith("e=-")
            ]
            assert all(s.mean_truth == 0.0 for s in pre)
            if name.startswith("cs_"):
                assert len(pre) == 6
                assert np.mean([s.coverage for s in pre]) >= 0.85, (name, outcome)
