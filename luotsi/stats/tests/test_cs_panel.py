"""Panel validation: clear errors naming the column, balancing, order independence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from luotsi.stats.did_cs import callaway_santanna
from luotsi.stats.panel import Panel, PanelError
from luotsi.stats.tests.test_cs_support import mpdta, simulate


def _arrays():
    return simulate(np.random.default_rng(0), n_units=50, n_periods=4, cohorts=(0, 3))


def test_sorted_and_shuffled_input_give_the_same_panel():
    d = _arrays()
    order = np.random.default_rng(1).permutation(len(d["y"]))
    a = Panel.from_arrays(d["unit"], d["time"], d["cohort"], d["y"], cluster=d["cluster"])
    b = Panel.from_arrays(
        *(d[k][order] for k in ("unit", "time", "cohort", "y")), cluster=d["cluster"][order]
    )
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.cohort, b.cohort)
    np.testing.assert_array_equal(a.cluster, b.cluster)
    assert a.y.shape == (50, 4)


def test_unbalanced_units_are_dropped_with_a_note():
    d = _arrays()
    keep = ~((d["unit"] == 7) & (d["time"] == 2))
    p = Panel.from_arrays(*(d[k][keep] for k in ("unit", "time", "cohort", "y")))
    assert p.n_units == 49 and p.dropped_units == 1
    assert 7 not in p.unit_ids and "dropped 1 units" in p.notes[0]


@pytest.mark.parametrize(
    ("change", "column"),
    [
        (lambda d: d.update(y=np.where(d["unit"] == 3, np.nan, d["y"])), "outcome"),
        (lambda d: d.update(cohort=np.where(d["unit"] == 3, -1, d["cohort"])), "cohort"),
        (lambda d: d.update(time=np.char.add("t", d["time"].astype(str))), "time"),
        (lambda d: d.update(y=d["y"][:-1]), "outcome"),
    ],
)
def test_bad_columns_are_named(change, column):
    d = _arrays()
    change(d)
    with pytest.raises(PanelError, match=column):
        Panel.from_arrays(d["unit"], d["time"], d["cohort"], d["y"])


def test_cohort_must_be_constant_within_unit_and_rows_unique():
    d = _arrays()
    cohort = d["cohort"].copy()
    cohort[(d["unit"] == 5) & (d["time"] == 4)] = 99
    with pytest.raises(PanelError, match="cohort: must be constant"):
        Panel.from_arrays(d["unit"], d["time"], cohort, d["y"])
    dup_time = d["time"].copy()
    dup_time[1] = 1
    with pytest.raises(PanelError, match="more than one row"):
        Panel.from_arrays(d["unit"], dup_time, d["cohort"], d["y"])


def test_frame_input_names_missing_column_and_inf_means_never():
    df = mpdta()
    with pytest.raises(PanelError, match="'nope'"):
        Panel.from_frame(df, unit="countyreal", time="year", cohort="nope", outcome="lemp")
    inf = df.assign(g=df["first.treat"].replace(0, np.inf))
    a = callaway_santanna(
        inf, unit="countyreal", time="year", cohort="g", outcome="lemp", bootstrap=0
    )
    b = callaway_santanna(
        df, unit="countyreal", time="year", cohort="first.treat", outcome="lemp", bootstrap=0
    )
    assert [e.estimate for e in a.att_gt] == [e.estimate for e in b.att_gt]


def test_options_are_validated():
    df = pd.DataFrame(_arrays())
    kw = {"unit": "unit", "time": "time", "cohort": "cohort", "outcome": "y"}
    for bad, match in [
        ({"control": "all"}, "control"),
        ({"method": "ols"}, "method"),
        ({"base_period": "fixed"}, "base_period"),
        ({"level": 1.5}, "level"),
        ({"anticipation": -1}, "anticipation"),
    ]:
        with pytest.raises(ValueError, match=match):
            callaway_santanna(df, **kw, **bad)


def test_result_is_immutable_and_reports_design():
    res = callaway_santanna(
        mpdta(),
        unit="countyreal",
        time="year",
        cohort="first.treat",
        outcome="lemp",
        bootstrap=0,
        base_period="universal",
    )
    with pytest.raises(AttributeError):
        res.att_gt = None
    ref = res.att_gt.where(group=2006, time=2005)[0]
    assert ref.estimate == 0.0 and np.isnan(ref.se)
    assert len(res.att_gt) == 15
    assert res.att_gt.meta["n_units"] == 500
