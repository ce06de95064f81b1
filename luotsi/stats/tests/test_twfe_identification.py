"""TWFE event study when every unit is eventually treated (no never-treated units).

Reproduces the singular-matrix report from the app (all units treated, staggered, no window):
with cohorts a multiple of ``d > 1`` periods apart the event-time dummies are collinear with the
period effects beyond the two usual normalisations, and ``twfe`` must say so instead of
inverting a singular matrix (or returning noise from a numerically "invertible" one).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from luotsi.stats.tests.staggered_sim import estimator_args, frame, staggered_panel
from luotsi.stats.twfe import twfe


def _noise_free(cohorts: tuple[int, ...], n_periods: int, effect: float = 1.0) -> dict:
    """Units in equal shares per cohort, ``y = a_i + 0.3 t + effect * D_it`` exactly."""
    per = 5
    cohort = np.repeat(np.asarray(cohorts), per)
    n = cohort.size
    t = np.arange(1, n_periods + 1)
    a = np.linspace(-1.0, 1.0, n)
    y = a[:, None] + 0.3 * t[None, :] + effect * (t[None, :] >= cohort[:, None])
    return {
        "unit": np.repeat(np.arange(n), n_periods),
        "time": np.tile(t, n),
        "cohort": np.repeat(cohort, n_periods),
        "outcome": y.ravel(),
    }


def test_pilots_every_six_months_without_never_treated_raise_a_clear_error():
    """The app's case: monthly panel, cohorts 6 months apart, all treated, no window."""
    data = _noise_free((7, 13, 19), 24)
    with pytest.raises(ValueError, match="not identified") as err:
        twfe(**data, kind="event")
    text = str(err.value)
    assert "no never-treated units" in text and "multiple of 6 periods" in text
    assert "window=(lo, hi)" in text
    assert "5 linear combination" in text  # d - 1 = 5 contrasts beyond the two normalisations


@pytest.mark.parametrize("seed", range(3))
def test_singular_design_is_caught_whatever_the_cohort_sizes(seed):
    """Unequal cohort sizes made the singular system "invertible" in floating point before."""
    sim = staggered_panel(seed, cohorts=(3, 5, 7), n_periods=8, n_units=30)
    with pytest.raises(ValueError, match="multiple of 2 periods"):
        twfe(**estimator_args(sim), kind="event")


def test_single_cohort_without_never_treated():
    with pytest.raises(ValueError, match="single cohort"):
        twfe(**_noise_free((4,), 8), kind="event")


def test_window_binning_restores_identification_and_the_truth():
    """Binning the distant event times identifies the model; noise-free data give the truth."""
    res = twfe(**_noise_free((7, 13, 19), 24), kind="event", window=(-6, 6))
    assert any("no never-treated" in n for n in res.table.notes)
    assert "e=-6" not in res.names and "e=-1" not in res.names  # the two normalisations
    for name, b in zip(res.names, res.coef, strict=True):
        truth = 1.0 if int(name[2:]) >= 0 else 0.0
        assert b == pytest.approx(truth, abs=1e-9), name


def test_identified_design_without_never_treated_matches_pyfixest():
    """Cohorts 3, 4, 6 (spacings with gcd 1): -1 and the earliest lead dropped, nothing else."""
    pf = pytest.importorskip("pyfixest")
    sim = staggered_panel(11, n_units=60, cohorts=(3, 4, 6), n_periods=8, dynamic=0.2)
    res = twfe(**estimator_args(sim), kind="event")
    assert any("event time -5 also left out" in n for n in res.table.notes)
    df = frame(sim)
    e = df.time - df.cohort
    cols = []
    for k in sorted(set(e.astype(int)) - {-1, -5}):
        col = f"e_{'m' if k < 0 else 'p'}{abs(k)}"
        df[col] = (e == k).astype(float)
        cols.append((col, k))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.feols(
            "outcome ~ " + " + ".join(c for c, _ in cols) + " | unit + time",
            data=df,
            vcov={"CRV1": "cluster"},
            weights="weights" if "weights" in df else None,
        )
    assert len(cols) == len(res.names)
    for col, k in cols:
        est = res.table.by_label(f"e={k}")
        assert est.estimate == pytest.approx(float(ref.coef()[col]), abs=1e-10)
        assert est.se == pytest.approx(float(ref.se()[col]), rel=1e-8)
        assert est.p_value == pytest.approx(float(ref.pvalue()[col]), rel=1e-6)  # t(G-1)
