"""The few-clusters correction reaches the estimators; TWFE without an identified event study
still reports its static coefficient, with a note in the report's language."""

from __future__ import annotations

import math

import pytest
from django.utils import translation

from luotsi.evaluation import services
from luotsi.evaluation.choices import RunStatus
from luotsi.evaluation.estimators import TWFE_EVENT_NOT_IDENTIFIED
from luotsi.evaluation.notes import translate

from .conftest import TRUE_EFFECT
from .simulate import simulate_panel, write_panel

pytestmark = pytest.mark.django_db


def _run(evaluator, make_evaluation, **fields):
    run = services.start_run(actor=evaluator, evaluation=make_evaluation(**fields))
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def _entry(run, key):
    entry = next(e for e in run.results["estimators"] if e["key"] == key)
    return entry, next(r for r in entry["simple"] if r.get("overall"))


@pytest.mark.parametrize(("key", "group"), [("imputation", "imputation"), ("cs_reg", "cs")])
def test_small_sample_scales_the_standard_error_by_the_cluster_factor(
    evaluator, make_evaluation, key, group
):
    runs = {
        flag: _run(
            evaluator,
            make_evaluation,
            estimators=[key],
            bootstrap_draws=0,
            estimator_options={group: {"small_sample": flag}},
        )
        for flag in (False, True)
    }
    (_, off), (entry, on) = _entry(runs[False], key), _entry(runs[True], key)
    g = entry["meta"]["n_clusters"]
    assert g == 20  # the simulated panel's clusters
    assert on["estimate"] == pytest.approx(off["estimate"], abs=1e-12)
    assert on["se"] == pytest.approx(off["se"] * math.sqrt(g / (g - 1)), rel=1e-9)
    assert on["ci_high"] - on["ci_low"] > off["ci_high"] - off["ci_low"]  # t(G-1) and the factor
    assert runs[True].design["estimator_options"][group]["small_sample"] is True


def test_twfe_without_never_treated_and_cohorts_six_months_apart_reports_the_static_effect(
    evaluator, make_evaluation, tmp_path
):
    frame = simulate_panel(effect=TRUE_EFFECT, seed=5)
    treated_only = frame[frame["first_treated"] != ""]  # cohorts 2021-03 and 2021-09 only
    path = write_panel(treated_only, tmp_path / "all_treated.csv")
    run = _run(
        evaluator,
        make_evaluation,
        panel_file=str(path),
        estimators=["twfe"],
        comparison="notyet",
    )
    entry, overall = _entry(run, "twfe")
    assert math.isfinite(overall["estimate"]) and math.isfinite(overall["se"])
    assert entry["dynamic"] == [] and entry["pretrends"] is None
    assert TWFE_EVENT_NOT_IDENTIFIED in entry["notes"]
    with translation.override("fi"):
        note = translate(TWFE_EVENT_NOT_IDENTIFIED, monthly=True)
    assert note.lang == "" and "tapahtumatutkimus" in note.text.lower()
