"""Sun-Abraham: diff-diff on mpdta, the saturated regression in pyfixest, unbiasedness."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from luotsi.stats.sunab import sun_abraham
from luotsi.stats.tests.staggered_sim import estimator_args, frame, staggered_panel

REF = Path(__file__).parent / "reference"
MPDTA = {"unit": "countyreal", "time": "year", "cohort": "first.treat", "outcome": "lemp"}


def test_mpdta_matches_diff_diff():
    dd = pytest.importorskip("diff_diff")
    data = pd.read_csv(REF / "mpdta.csv")
    ours = sun_abraham(data, cluster="countyreal", **MPDTA).table
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = dd.SunAbraham(cluster="countyreal").fit(
            data, outcome="lemp", unit="countyreal", time="year", first_treat="first.treat"
        )
    for e, row in ref.event_study_effects.items():
        est = ours.by_label(f"e={int(e)}")
        assert est.estimate == pytest.approx(row["effect"], abs=1e-10)
        assert est.se == pytest.approx(row["se"], rel=1e-8)
    assert ours.by_label("ATT").estimate == pytest.approx(ref.overall_att, abs=1e-10)
    assert ours.by_label("ATT").se == pytest.approx(ref.overall_se, rel=1e-8)


@pytest.mark.parametrize("control", ["never", "last"])
def test_cells_match_saturated_regression_in_pyfixest(control):
    pf = pytest.importorskip("pyfixest")
    sim = staggered_panel(
        21, n_units=120, n_periods=9, cohorts=(0, 3, 5, 7), n_clusters=30, weights=True, dynamic=0.2
    )
    res = sun_abraham(**estimator_args(sim), control=control)
    df = frame(sim)
    if control == "last":
        df = df[df.time < 7]
        df.loc[df.cohort == 7, "cohort"] = 0
    cols = []
    for g in sorted(df.cohort[df.cohort > 0].unique()):
        for e in sorted((df.time - g).unique()):
            if e == -1:
                continue
            name = f"g{g}_{'m' if e < 0 else 'p'}{abs(e)}"
            df[name] = ((df.cohort == g) & (df.time - g == e)).astype(float)
            cols.append((name, g, e))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.feols(
            "outcome ~ " + " + ".join(c for c, _, _ in cols) + " | unit + time",
            data=df,
            vcov={"CRV1": "cluster"},
            weights="weights",
        )
    assert len(res.cells) == len(cols)
    for name, g, e in cols:
        est = res.cells.by_label(f"g={g:g}, e={e}")
        assert est.estimate == pytest.approx(float(ref.coef()[name]), abs=1e-9)
        assert est.se == pytest.approx(float(ref.se()[name]), rel=1e-7)
    # Event-time rows are cohort-share weighted averages of the cells.
    w = df.groupby("unit").weights.first()
    coh = df.groupby("unit").cohort.first()
    e0 = [(g, float(ref.coef()[n])) for n, g, e in cols if e == 0]
    shares = np.array([w[coh == g].sum() for g, _ in e0])
    expect = float(np.dot(shares / shares.sum(), [b for _, b in e0]))
    assert res.table.by_label("e=0").estimate == pytest.approx(expect, abs=1e-9)


def test_unbiased_under_heterogeneous_staggered_effects():
    errs = []
    for rep in range(60):
        sim = staggered_panel(
            300 + rep, n_units=90, n_periods=10, cohorts=(0, 3, 6, 9), dynamic=0.5, cohort_slope=0.3
        )
        tab = sun_abraham(**estimator_args(sim)).table
        errs.append([tab.by_label(f"e={e}").estimate - sim["truth_e"][e] for e in (0, 1, 2)])
    bias = np.mean(errs, axis=0)
    spread = np.std(errs, axis=0) / np.sqrt(len(errs))
    assert np.all(np.abs(bias) < 4 * spread + 0.02)


def test_errors_name_the_argument():
    sim = staggered_panel(22, cohorts=(3, 5))
    with pytest.raises(ValueError, match="control"):
        sun_abraham(**estimator_args(sim))
    with pytest.raises(ValueError, match="control"):
        sun_abraham(**estimator_args(sim), control="notyet")
