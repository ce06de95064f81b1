"""Pre-trends test: the Wald/F formulas, tables of every estimator, size under the null."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sp

from luotsi.stats.imputation import imputation
from luotsi.stats.pretrends import pretrends_test
from luotsi.stats.results import Estimate, table
from luotsi.stats.sunab import sun_abraham
from luotsi.stats.tests.staggered_sim import estimator_args, staggered_panel
from luotsi.stats.twfe import twfe


def _table(estimates, vcov, n_clusters=None):
    rows = [Estimate.normal(f"e={e}", b, 1.0, key={"event_time": e}) for e, b in estimates]
    labels = tuple(r.label for r in rows)
    return table("x", rows, vcov=vcov, vcov_labels=labels, n_clusters=n_clusters)


def test_independent_coefficients_give_sum_of_squared_z():
    vcov = np.diag([0.04, 0.09, 0.01, 0.01])
    tab = _table([(-3, 0.2), (-2, -0.3), (0, 5.0), (1, 4.0)], vcov)
    res = pretrends_test(tab)
    assert res.event_times == (-3, -2)
    assert res.wald == pytest.approx((0.2 / 0.2) ** 2 + (0.3 / 0.3) ** 2)
    assert res.p_value == pytest.approx(sp.chi2.sf(2.0, 2))
    assert res.f_stat is None


def test_hotelling_f_with_clusters_and_anticipation():
    vcov = np.array([[0.04, 0.01, 0.0], [0.01, 0.04, 0.0], [0.0, 0.0, 0.04]])
    tab = _table([(-3, 0.1), (-2, 0.3), (-1, 0.5)], vcov, n_clusters=25)
    res = pretrends_test(tab, anticipation=1)  # e = -1 is anticipation, not tested
    b = np.array([0.1, 0.3])
    wald = b @ np.linalg.inv(vcov[:2, :2]) @ b
    assert res.wald == pytest.approx(wald)
    assert res.f_stat == pytest.approx(wald * 23 / (2 * 24))
    assert res.p_value == pytest.approx(sp.f.sf(wald * 23 / 48, 2, 23))


def test_size_under_parallel_trends():
    """Every estimator's table feeds the test; under the null it rejects about 5%."""
    rejections = {"twfe": [], "sunab": [], "imputation": []}
    for rep in range(150):
        sim = staggered_panel(700 + rep, n_units=80, n_periods=8, cohorts=(0, 4, 6))
        args = estimator_args(sim)
        rejections["twfe"].append(pretrends_test(twfe(**args, kind="event").table).p_value < 0.05)
        rejections["sunab"].append(pretrends_test(sun_abraham(**args).table).p_value < 0.05)
        rejections["imputation"].append(
            pretrends_test(imputation(**args, leads=3).table).p_value < 0.05
        )
    for name, rej in rejections.items():
        assert 0.01 <= np.mean(rej) <= 0.11, name


def test_detects_a_pre_trend():
    sim = staggered_panel(9, n_units=200, n_periods=8, cohorts=(0, 5))
    e = sim["time"] - sim["cohort"]
    sim["outcome"] = sim["outcome"] + np.where((sim["cohort"] > 0) & (e < 0), 0.4 * e, 0.0)
    assert pretrends_test(sun_abraham(**estimator_args(sim)).table).p_value < 0.001


def test_errors_are_named():
    tab = _table([(0, 1.0)], np.eye(1))
    with pytest.raises(ValueError, match="pre-treatment"):
        pretrends_test(tab)
    bare = table("y", [Estimate.normal("e=-2", 0.1, 1.0, key={"event_time": -2})])
    with pytest.raises(ValueError, match="vcov"):
        pretrends_test(bare)
    with pytest.raises(ValueError, match="vcov"):
        pretrends_test(bare, np.eye(2))
