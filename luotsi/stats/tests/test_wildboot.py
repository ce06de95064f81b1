"""Wild cluster restricted bootstrap: fast algorithm = refitting, size with 25 clusters, CI."""

from __future__ import annotations

import numpy as np
import pytest

from luotsi.stats.linalg import cluster_sums
from luotsi.stats.tests.staggered_sim import estimator_args, staggered_panel
from luotsi.stats.twfe import twfe
from luotsi.stats.wildboot import _Inverter, bootstrap_weights, wild_cluster_bootstrap


def _pilot(seed: int, effect: float = 0.0):
    """25 pilot areas of 4 municipalities each, area-level timing and shocks."""
    return staggered_panel(
        seed,
        n_units=100,
        n_clusters=25,
        n_periods=8,
        cohorts=(0, 4, 5, 6),
        effect=effect,
        cluster_sd=1.0,
    )


@pytest.mark.parametrize(("kind", "coef", "r"), [("static", "ATT", 0.3), ("event", "e=1", -0.2)])
def test_fast_statistics_equal_refitting_each_draw(kind, coef, r):
    res = twfe(**estimator_args(_pilot(1)), kind=kind)
    reg = res.regression
    j = res.index(coef)
    v = bootstrap_weights("webb", 40, reg.n_clusters, 7)
    fast = _Inverter(reg, j, v).t_stats(r)
    x, y = reg.x, reg.y
    others = np.delete(x, j, axis=1)
    target = y - r * x[:, j]
    u_r = target - others @ np.linalg.lstsq(others, target, rcond=None)[0]
    xtx_inv = np.linalg.inv(x.T @ x)
    for b in range(v.shape[0]):
        y_star = (y - u_r) + v[b][reg.codes] * u_r
        beta = xtx_inv @ x.T @ y_star
        s = cluster_sums(x * (y_star - x @ beta)[:, None], reg.codes, reg.n_clusters)
        se = np.sqrt((xtx_inv @ s.T @ s @ xtx_inv)[j, j])
        assert fast[b] == pytest.approx((beta[j] - r) / se, rel=1e-9, abs=1e-12)


def test_size_close_to_nominal_with_25_clusters():
    rejections = [
        wild_cluster_bootstrap(twfe(**estimator_args(_pilot(100 + s))), draws=199, seed=s).p_value
        < 0.05
        for s in range(400)
    ]
    assert 0.025 <= np.mean(rejections) <= 0.08


def test_interval_is_the_test_inversion():
    res = twfe(**estimator_args(_pilot(5, effect=0.8)))
    wb = wild_cluster_bootstrap(res, draws=999, seed=3, weights="rademacher")
    assert wb.ci_low < wb.estimate < wb.ci_high
    inv = _Inverter(res.regression, 0, bootstrap_weights("rademacher", 999, 25, 3))
    for bound in (wb.ci_low, wb.ci_high):
        inside = bound + (1e-6 if bound < wb.estimate else -1e-6)
        outside = bound - (1e-6 if bound < wb.estimate else -1e-6)
        assert inv.p_value(inside) >= 0.05 > inv.p_value(outside)
    assert wb.p_value == pytest.approx(inv.p_value(0.0))
    assert (wb.p_value < 0.05) == (not wb.ci_low <= 0.0 <= wb.ci_high)


def test_bad_arguments_are_named():
    res = twfe(**estimator_args(_pilot(2)))
    with pytest.raises(KeyError, match="e=3"):
        wild_cluster_bootstrap(res, "e=3")
    with pytest.raises(ValueError, match="weights"):
        wild_cluster_bootstrap(res, weights="mammen")
    with pytest.raises(ValueError, match="draws"):
        wild_cluster_bootstrap(res, draws=0)
