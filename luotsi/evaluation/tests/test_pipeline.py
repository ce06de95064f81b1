"""The estimation pipeline without the database: panel file validation, the pre-trends test's
size and power, coverage of the main estimate in repeated simulations (known truth)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from luotsi.evaluation.panel_file import PanelFileError, month_label, read_panel_file
from luotsi.evaluation.pipeline import RunSpec, estimate

from .simulate import simulate_panel, write_panel


def _quiet(percent: int, message: str) -> None:
    assert 0 <= percent <= 100 and message


def _frame(**kw):
    from luotsi.evaluation.panel_file import _validate

    return _validate(simulate_panel(**kw), "outcome", "simulated")[0]


def test_months_become_an_equally_spaced_index(tmp_path):
    panel = read_panel_file(write_panel(simulate_panel(seed=1), tmp_path / "p.csv"))
    assert panel.monthly
    times = np.unique(panel.frame["time"])
    assert np.all(np.diff(times) == 1) and month_label(times[0]) == "2020-01"
    cohorts = sorted(set(panel.frame["first_treated"]) - {0.0})
    assert [month_label(c) for c in cohorts] == ["2021-03", "2021-09"]


def test_parquet_and_csv_give_the_same_panel_and_fingerprints_differ(tmp_path):
    frame = simulate_panel(seed=2)
    a = read_panel_file(write_panel(frame, tmp_path / "p.csv"))
    b = read_panel_file(write_panel(frame, tmp_path / "p.parquet"))
    assert np.allclose(a.frame["outcome"], b.frame["outcome"])
    assert (a.frame["first_treated"] == b.frame["first_treated"]).all()
    assert a.fingerprint != b.fingerprint and len(a.fingerprint) == 64


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["unit"]), "missing column"),
        (lambda f: f.assign(outcome=f["outcome"].where(f.index != 5)), "row 6"),
        (lambda f: f.assign(time="soon"), "is not a month"),
        (lambda f: pd.concat([f, f.iloc[[0]]]), "more than one row"),
    ],
)
def test_bad_files_name_what_is_wrong(tmp_path, change, message):
    path = write_panel(change(simulate_panel(seed=1, units=6)), tmp_path / "bad.csv")
    with pytest.raises(PanelFileError, match=message):
        read_panel_file(path)


def test_unknown_estimator_and_missing_cluster_column_are_refused():
    with pytest.raises(ValueError, match="unknown"):
        RunSpec(estimators=("twfe_magic",))
    frame = _frame(seed=1).drop(columns=["cluster"])
    with pytest.raises(ValueError, match="no 'cluster' column"):
        estimate(frame, RunSpec(estimators=("cs_reg",), bootstrap=0), _quiet)


@pytest.mark.parametrize("cluster_level", ["unit", "cluster"])
def test_pretrends_test_has_the_right_size_and_power(cluster_level):
    """Under parallel trends the 5% test rejects about 5% of the time (here: 120 simulations,
    binomial 99% range up to 12%); with a differential pre-trend it rejects almost always."""
    spec = RunSpec(estimators=("cs_reg",), bootstrap=0, cluster_level=cluster_level)
    null = [estimate(_frame(seed=s), spec, _quiet)["pretrends"]["p_value"] for s in range(120)]
    assert np.mean(np.array(null) < 0.05) <= 0.12
    alt = [
        estimate(_frame(seed=s, pre_trend=0.1), spec, _quiet)["pretrends"]["p_value"]
        for s in range(20)
    ]
    assert np.mean(np.array(alt) < 0.05) >= 0.9


def test_main_estimate_is_unbiased_and_intervals_cover_the_truth():
    """200 simulated panels with a true effect of 1.5: mean estimate within 3 Monte Carlo SEs
    of the truth, 95% intervals cover it 90-99% of the time."""
    spec = RunSpec(estimators=("cs_dr",), bootstrap=0, cluster_level="unit")
    rows = [
        estimate(_frame(seed=s, effect=1.5), spec, _quiet)["estimators"][0]["simple"][0]
        for s in range(200)
    ]
    est = np.array([r["estimate"] for r in rows])
    cover = np.mean([r["ci_low"] <= 1.5 <= r["ci_high"] for r in rows])
    assert abs(est.mean() - 1.5) < 3 * est.std() / np.sqrt(len(est))
    assert 0.90 <= cover <= 0.99


def test_no_unit_identifiers_in_the_results():
    results = estimate(_frame(seed=1), RunSpec(estimators=("cs_dr",), bootstrap=0), _quiet)
    text = repr(results)
    assert "'900'" not in text and "unit_ids" not in text
    assert set(results) == {"data", "estimators", "pretrends", "primary"}
