"""Goodman-Bacon decomposition: exact identity, weights, diff-diff on mpdta, comparison types."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from luotsi.stats.bacon import (
    EARLIER_VS_LATER,
    LATER_VS_ALWAYS,
    LATER_VS_EARLIER,
    TREATED_VS_NEVER,
    bacon_decomposition,
)
from luotsi.stats.tests.staggered_sim import estimator_args, staggered_panel
from luotsi.stats.twfe import twfe

REF = Path(__file__).parent / "reference"
MPDTA = {"unit": "countyreal", "time": "year", "cohort": "first.treat", "outcome": "lemp"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"weights": True},
        {"cohorts": (0, 1, 4, 6)},  # always-treated units (treated from period 1)
        {"cohorts": (3, 5, 7)},  # no never-treated units
    ],
)
def test_weights_sum_to_one_and_recompose_twfe_exactly(kwargs):
    sim = staggered_panel(11, n_units=70, n_periods=9, dynamic=0.4, **kwargs)
    res = bacon_decomposition(**estimator_args(sim, cluster=False))
    fit = twfe(**estimator_args(sim)).table.by_label("ATT").estimate
    assert sum(c.weight for c in res.comparisons) == pytest.approx(1.0, abs=1e-12)
    assert all(c.weight > 0 for c in res.comparisons)
    assert res.twfe_estimate == pytest.approx(fit, abs=1e-12)
    assert res.recomposed == pytest.approx(fit, abs=1e-12)


def test_comparison_types_present():
    sim = staggered_panel(12, cohorts=(0, 1, 4, 6), n_periods=8)
    types = {
        c.type
        for c in bacon_decomposition(
            **estimator_args(sim, weights=False, cluster=False)
        ).comparisons
    }
    assert types == {TREATED_VS_NEVER, EARLIER_VS_LATER, LATER_VS_EARLIER, LATER_VS_ALWAYS}


def test_mpdta_matches_diff_diff():
    dd = pytest.importorskip("diff_diff")
    data = pd.read_csv(REF / "mpdta.csv")
    ours = bacon_decomposition(data, **MPDTA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = dd.BaconDecomposition().fit(
            data, outcome="lemp", unit="countyreal", time="year", first_treat="first.treat"
        )
    assert ours.twfe_estimate == pytest.approx(ref.twfe_estimate, abs=1e-12)
    theirs = {}
    for c in ref.comparisons:
        control = 0.0 if c.control_group == "never_treated" else float(c.control_group)
        theirs[(float(c.treated_group), control)] = (c.estimate, c.weight)
    assert len(theirs) == len(ours.comparisons) == 9
    for c in ours.comparisons:
        est, weight = theirs[(c.treated, c.control)]
        assert c.estimate == pytest.approx(est, abs=1e-12)
        assert c.weight == pytest.approx(weight, abs=1e-12)


def test_two_by_two_is_a_difference_in_differences():
    """One treated cohort and never-treated units: one comparison, the plain 2x2 DiD."""
    sim = staggered_panel(13, cohorts=(0, 5), n_periods=8)
    res = bacon_decomposition(**estimator_args(sim, weights=False, cluster=False))
    y = sim["outcome"].reshape(-1, 8)
    g = sim["cohort"].reshape(-1, 8)[:, 0]
    post = np.arange(1, 9) >= 5
    did = (y[g > 0][:, post].mean() - y[g > 0][:, ~post].mean()) - (
        y[g == 0][:, post].mean() - y[g == 0][:, ~post].mean()
    )
    assert len(res.comparisons) == 1
    assert res.comparisons[0].estimate == pytest.approx(did, abs=1e-12)


def test_by_type_summaries_are_weighted_means():
    sim = staggered_panel(14, cohorts=(0, 3, 6), n_periods=8, dynamic=0.5)
    res = bacon_decomposition(**estimator_args(sim, weights=False, cluster=False))
    summary = res.by_type()
    assert sum(v["weight"] for v in summary.values()) == pytest.approx(1.0)
    total = sum(v["weight"] * v["estimate"] for v in summary.values())
    assert total == pytest.approx(res.twfe_estimate, abs=1e-12)


def test_no_treated_unit_is_an_error():
    sim = staggered_panel(15, cohorts=(0,), n_periods=5)
    with pytest.raises(ValueError, match="cohort"):
        bacon_decomposition(**estimator_args(sim, weights=False, cluster=False))
