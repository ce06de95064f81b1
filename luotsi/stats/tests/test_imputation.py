"""BJS imputation: leads vs pyfixest, coverage, unbiasedness (variance: test_imputation_variance)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from luotsi.stats.imputation import imputation
from luotsi.stats.tests.staggered_sim import estimator_args, frame, staggered_panel
from luotsi.stats.twfe import twfe


def test_equals_twfe_when_effects_are_static_and_one_cohort():
    """One cohort and never-treated units: imputation ATT equals the TWFE coefficient."""
    sim = staggered_panel(31, cohorts=(0, 5), n_periods=8)
    imp = imputation(**estimator_args(sim)).table.by_label("ATT").estimate
    assert imp == pytest.approx(
        twfe(**estimator_args(sim)).table.by_label("ATT").estimate, abs=1e-10
    )


def test_leads_match_pyfixest_on_untreated_cells():
    pf = pytest.importorskip("pyfixest")
    sim = staggered_panel(32, n_units=100, n_periods=9, cohorts=(0, 4, 6, 8), n_clusters=25)
    tab = imputation(**estimator_args(sim), leads=2).table
    df = frame(sim)
    df = df[~((df.cohort > 0) & (df.time >= df.cohort))].copy()
    df["lead1"] = ((df.cohort > 0) & (df.time - df.cohort == -1)).astype(float)
    df["lead2"] = ((df.cohort > 0) & (df.time - df.cohort == -2)).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.feols("outcome ~ lead1 + lead2 | unit + time", data=df, vcov={"CRV1": "cluster"})
    for k in (1, 2):
        est = tab.by_label(f"e={-k}")
        assert est.estimate == pytest.approx(float(ref.coef()[f"lead{k}"]), abs=1e-9)
        assert est.se == pytest.approx(float(ref.se()[f"lead{k}"]), rel=1e-6)


def test_coverage_homogeneous_effect():
    """Conservative BJS intervals cover a constant effect in 93-97% of 1000 samples."""
    hits = 0
    for rep in range(1000):
        sim = staggered_panel(5000 + rep, n_units=40, n_periods=6, cohorts=(0, 3, 5), effect=0.5)
        att = imputation(**estimator_args(sim)).table.by_label("ATT")
        hits += att.ci_low <= 0.5 <= att.ci_high
    assert 0.93 <= hits / 1000 <= 0.97


def test_unbiased_under_heterogeneous_staggered_effects():
    errs = []
    for rep in range(60):
        sim = staggered_panel(
            400 + rep,
            n_units=90,
            n_periods=10,
            cohorts=(0, 3, 6, 9),
            dynamic=0.5,
            cohort_slope=0.3,
            weights=True,
        )
        tab = imputation(**estimator_args(sim)).table
        errs.append(
            [tab.by_label("ATT").estimate - float(sim["truth"])]
            + [tab.by_label(f"e={e}").estimate - sim["truth_e"][e] for e in (0, 2)]
        )
    bias = np.mean(errs, axis=0)
    spread = np.std(errs, axis=0) / np.sqrt(len(errs))
    assert np.all(np.abs(bias) < 4 * spread + 0.02)


def test_treated_cells_without_comparison_are_dropped_with_a_note():
    sim = staggered_panel(33, cohorts=(3, 6), n_periods=8)  # nobody untreated from period 6
    res = imputation(**estimator_args(sim))
    assert any("not imputed" in n for n in res.table.notes)
    assert np.isnan(res.tau[:, -1]).all()


def test_bad_options_are_named():
    sim = staggered_panel(34)
    with pytest.raises(ValueError, match="horizons"):
        imputation(**estimator_args(sim), horizons=-1)
    with pytest.raises(ValueError, match="leads"):
        imputation(**estimator_args(sim), leads=-2)
