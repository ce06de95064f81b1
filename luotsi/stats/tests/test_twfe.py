"""TWFE: published fixest values, pyfixest on simulated data, CR1 coverage, staggered bias."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from luotsi.stats.tests.staggered_sim import estimator_args, frame, staggered_panel
from luotsi.stats.twfe import twfe

REF = Path(__file__).parent / "reference"
MPDTA = {"unit": "countyreal", "time": "year", "cohort": "first.treat", "outcome": "lemp"}


def _published() -> dict[str, tuple[float, int]]:
    with open(REF / "twfe" / "fixest_mpdta.csv", newline="") as fh:
        return {
            r["quantity"]: (float(r["value"]), int(r["printed_digits"])) for r in csv.DictReader(fh)
        }


def test_mpdta_matches_published_fixest():
    data = pd.read_csv(REF / "mpdta.csv")
    res = twfe(data, cluster="countyreal", **MPDTA)
    att = res.table.by_label("ATT")
    pub = _published()
    for name, value in (
        ("coef_post", att.estimate),
        ("se_post", att.se),
        ("t_post", att.z),
        ("coef_post_weights", att.estimate),
    ):
        ref, digits = pub[name]
        assert abs(value - ref) <= 0.5 * 10**-digits, name


def _pyfixest(df: pd.DataFrame, formula: str, weights: str | None = None):
    pf = pytest.importorskip("pyfixest")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(formula, data=df, vcov={"CRV1": "cluster"}, weights=weights)


def test_static_matches_pyfixest_with_weights_and_coarse_clusters():
    sim = staggered_panel(3, n_units=90, n_clusters=18, weights=True, cluster_sd=0.5)
    res = twfe(**estimator_args(sim))
    df = frame(sim)
    df["D"] = ((df.cohort > 0) & (df.time >= df.cohort)).astype(float)
    ref = _pyfixest(df, "outcome ~ D | unit + time", weights="weights")
    att = res.table.by_label("ATT")
    assert att.estimate == pytest.approx(float(ref.coef().iloc[0]), abs=1e-10)
    assert att.se == pytest.approx(float(ref.se().iloc[0]), rel=1e-8)


@pytest.mark.parametrize("window", [None, (-3, 2)])
def test_event_study_matches_pyfixest(window):
    sim = staggered_panel(4, n_units=80, n_periods=9, cohorts=(0, 3, 5, 7), dynamic=0.3)
    res = twfe(**estimator_args(sim), kind="event", window=window)
    df = frame(sim)
    e = np.where(df.cohort > 0, df.time - df.cohort, np.nan)
    if window is not None:
        e = np.clip(e, *window)
    names = []
    for k in sorted(set(e[np.isfinite(e)].astype(int)) - {-1}):
        col = f"e_{'m' if k < 0 else 'p'}{abs(k)}"
        df[col] = (e == k).astype(float)
        names.append((col, k))
    ref = _pyfixest(df, "outcome ~ " + " + ".join(c for c, _ in names) + " | unit + time")
    for col, k in names:
        est = res.table.by_label(f"e={k}")
        assert est.estimate == pytest.approx(float(ref.coef()[col]), abs=1e-10)
        assert est.se == pytest.approx(float(ref.se()[col]), rel=1e-8)


def test_no_never_treated_drops_one_more_event_time():
    sim = staggered_panel(5, cohorts=(3, 4, 6), n_periods=8)  # (3, 5, 7) is not identified
    res = twfe(**estimator_args(sim), kind="event")
    assert any("no never-treated" in n for n in res.table.notes)
    assert "e=-5" not in res.names and "e=-1" not in res.names


def test_cr1_coverage_homogeneous_effect():
    """95% t(G-1) intervals cover the true constant effect in 93-97% of 1000 samples."""
    hits = 0
    for rep in range(1000):
        sim = staggered_panel(1000 + rep, n_units=40, n_periods=6, cohorts=(0, 3, 5), effect=0.5)
        att = twfe(**estimator_args(sim)).table.by_label("ATT")
        hits += att.ci_low <= 0.5 <= att.ci_high
    assert 0.93 <= hits / 1000 <= 0.97


def test_static_twfe_is_biased_under_staggered_dynamic_effects():
    """Effects growing with time since treatment: TWFE misses the ATT by a lot on average."""
    bias = []
    for rep in range(100):
        sim = staggered_panel(rep, n_units=90, n_periods=10, cohorts=(0, 3, 6, 9), dynamic=0.5)
        bias.append(
            twfe(**estimator_args(sim)).table.by_label("ATT").estimate - float(sim["truth"])
        )
    assert np.mean(bias) < -0.3  # truth is about 1.8: TWFE is well below it


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "dynamic"}, "kind"),
        ({"level": 1.5}, "level"),
        ({"kind": "event", "window": (0, 2)}, "window"),
    ],
)
def test_bad_options_name_the_argument(kwargs, message):
    sim = staggered_panel(1)
    with pytest.raises(ValueError, match=message):
        twfe(**estimator_args(sim), **kwargs)


def test_non_consecutive_periods_are_rejected():
    sim = staggered_panel(1)
    sim["time"] = sim["time"] * 2
    sim["cohort"] = sim["cohort"] * 2
    with pytest.raises(ValueError, match="time"):
        twfe(**estimator_args(sim))


def test_missing_arrays_are_named():
    with pytest.raises(ValueError, match="outcome"):
        twfe(unit=[1, 2], time=[1, 1], cohort=[0, 0])
