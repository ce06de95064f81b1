"""Estimation from cluster x cohort x period sums equals the person-level estimation."""

from __future__ import annotations

import numpy as np
import pytest

from luotsi.stats.cs_cells import CellsError, CohortCells
from luotsi.stats.did_cs import callaway_santanna, callaway_santanna_from_aggregates
from luotsi.stats.panel import Panel
from luotsi.stats.tests.test_cs_support import simulate

KINDS = ("simple", "group", "dynamic", "calendar")


def _panel(seed=1, clustered=True, weights=False, **kw):
    d = simulate(np.random.default_rng(seed), **kw)
    w = np.ones_like(d["y"]) if weights else None
    return Panel.from_arrays(
        d["unit"],
        d["time"],
        d["cohort"],
        d["y"],
        cluster=d["cluster"] if clustered else None,
        weights=w,
    )


def _assert_same(a, b, tol=1e-10):
    assert [e.label for e in a] == [e.label for e in b]
    for x, y in zip(a, b, strict=True):
        assert x.estimate == pytest.approx(y.estimate, abs=tol)
        assert x.se == pytest.approx(y.se, abs=tol, nan_ok=True)
        if x.band_low is not None or y.band_low is not None:
            assert x.band_low == pytest.approx(y.band_low, abs=tol)


@pytest.mark.parametrize("control", ["never", "notyet"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
@pytest.mark.parametrize("bootstrap", [0, 199])
def test_released_tables_reproduce_person_level_clustered(control, base_period, bootstrap):
    panel = _panel()
    kw = {"control": control, "base_period": base_period, "bootstrap": bootstrap, "seed": 5}
    micro = callaway_santanna(panel, **kw)
    cells, _ = CohortCells.from_panel(panel).to_columns()
    agg = callaway_santanna_from_aggregates(cells, **kw)
    _assert_same(micro.att_gt, agg.att_gt)
    for kind in KINDS:
        _assert_same(micro.aggregate(kind), agg.aggregate(kind))


@pytest.mark.parametrize("bootstrap", [0, 99])
@pytest.mark.parametrize("clustered", [True, False])
def test_cell_engine_equals_unit_engine(bootstrap, clustered):
    """Unit weights of 1 force the per-unit DRDID path: same numbers as the grouped sums."""
    kw = {"bootstrap": bootstrap, "seed": 3, "anticipation": 1}
    cell = callaway_santanna(_panel(clustered=clustered), **kw)
    unit = callaway_santanna(_panel(clustered=clustered, weights=True), **kw)
    assert cell.att_gt.meta["engine"] == "cells" and unit.att_gt.meta["engine"] == "units"
    _assert_same(cell.att_gt, unit.att_gt)
    for kind in KINDS:
        _assert_same(cell.aggregate(kind), unit.aggregate(kind))


def test_unit_level_se_from_crossproducts():
    """Without clusters the released per-cohort cross products give the unit-level SEs."""
    panel = _panel(clustered=False)
    micro = callaway_santanna(panel, bootstrap=0)
    with_clusters = _panel(clustered=True)
    cells, cross = CohortCells.from_panel(with_clusters, crossproducts=True).to_columns()
    agg = callaway_santanna_from_aggregates(cells, crossproducts=cross, se="unit", bootstrap=0)
    _assert_same(micro.att_gt, agg.att_gt)
    _assert_same(micro.aggregate("dynamic"), agg.aggregate("dynamic"))
    weighted = callaway_santanna(_panel(clustered=False, weights=True), bootstrap=0)
    _assert_same(weighted.aggregate("group"), agg.aggregate("group"))


def test_no_never_treated_uses_last_cohort_in_both_paths():
    panel = _panel(cohorts=(3, 4, 5))
    micro = callaway_santanna(panel, control="notyet", bootstrap=0)
    agg = callaway_santanna_from_aggregates(
        CohortCells.from_panel(panel), control="notyet", bootstrap=0
    )
    assert max(e.key["time"] for e in micro.att_gt) == 4
    assert any("comparison group" in n for n in micro.att_gt.notes)
    _assert_same(micro.att_gt, agg.att_gt)
    with pytest.raises(ValueError, match="never-treated"):
        callaway_santanna(panel, control="never")


def test_bad_release_tables_are_named():
    cells, _ = CohortCells.from_panel(_panel()).to_columns()
    broken = dict(cells)
    del broken["sum_y"]
    with pytest.raises(CellsError, match="sum_y"):
        CohortCells.from_columns(broken)
    uneven = dict(cells)
    uneven["count"] = cells["count"].copy()
    uneven["count"][0] += 1
    with pytest.raises(CellsError, match="count"):
        CohortCells.from_columns(uneven)
    short = {k: v[1:] for k, v in cells.items()}
    with pytest.raises(CellsError, match="period"):
        CohortCells.from_columns(short)
    with pytest.raises(ValueError, match="crossproducts"):
        callaway_santanna_from_aggregates(cells, se="unit", bootstrap=0)


@pytest.mark.parametrize("multiplier", ["mammen", "rademacher"])
def test_bootstrap_se_close_to_analytic_and_reproducible(multiplier):
    panel = _panel(seed=4, n_units=1500)
    boot = callaway_santanna(panel, bootstrap=999, seed=9, multiplier=multiplier)
    again = callaway_santanna(panel, bootstrap=999, seed=9, multiplier=multiplier)
    analytic = np.array(boot.att_gt.meta["analytic_se"])
    se = np.array([e.se for e in boot.att_gt])
    assert np.all(np.abs(se / analytic - 1) < 0.15)
    assert [e.se for e in again.att_gt] == list(se)
    crit = boot.att_gt.meta["crit"]
    assert 1.96 < crit < 4.0
    e = boot.att_gt.estimates[0]
    assert e.band_high - e.band_low == pytest.approx(2 * crit * e.se)
