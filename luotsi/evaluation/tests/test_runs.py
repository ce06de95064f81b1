"""Run lifecycle, failures, versioning, immutability, treatment from the reference data, CLI."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from luotsi.evaluation import services
from luotsi.evaluation.choices import RunStatus
from luotsi.evaluation.models import EvaluationRun
from luotsi.evaluation.report import render_report
from luotsi.reference.models import Pilot

from .conftest import TRUE_EFFECT
from .simulate import simulate_panel, write_panel

pytestmark = pytest.mark.django_db


def _overall(run: EvaluationRun, index: int = 0) -> dict:
    return next(r for r in run.results["estimators"][index]["simple"] if r.get("overall"))


def test_run_succeeds_and_the_estimate_covers_the_truth(evaluator, evaluation):
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.progress == 100 and run.started_at <= run.finished_at
    assert run.version == 1 and len(run.fingerprint) == 64
    for i in range(3):  # every estimator's interval covers the true effect
        overall = _overall(run, i)
        assert overall["ci_low"] <= TRUE_EFFECT <= overall["ci_high"]
    data = run.results["data"]
    assert data["units"] == 60 and data["periods"] == 36 and data["observations"] == 60 * 36
    assert [c["units"] for c in data["cohorts"]] == [20, 20]
    assert run.results["pretrends"]["p_value"] > 0.01  # parallel trends hold by construction
    assert "<svg" in run.report_html and run.report_pdf == ""


def test_event_study_recovers_zero_before_and_the_effect_after(evaluator, evaluation):
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    dynamic = [r for r in run.results["estimators"][0]["dynamic"] if "event_time" in r]
    post = [r for r in dynamic if r["event_time"] >= 0]
    pre = [r for r in dynamic if r["event_time"] < 0]
    inside_post = sum(r["ci_low"] <= TRUE_EFFECT <= r["ci_high"] for r in post) / len(post)
    inside_pre = sum(r["ci_low"] <= 0 <= r["ci_high"] for r in pre) / len(pre)
    assert inside_post >= 0.8 and inside_pre >= 0.8


def test_pretrend_violation_is_detected(evaluator, make_evaluation, tmp_path):
    path = write_panel(simulate_panel(seed=4, pre_trend=0.08), tmp_path / "trend.parquet")
    evaluation = make_evaluation(panel_file=str(path), estimators=["cs_reg"], bootstrap_draws=0)
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.results["pretrends"]["p_value"] < 0.01
    # The run's own report is in the evaluator's language (Finnish by default); English on demand.
    assert "rinnakkaisten trendien oletus on kyseenalainen" in run.report_html
    assert "parallel-trends assumption is doubtful" in render_report(run, "en")


def test_missing_file_fails_with_a_clear_message(evaluator, make_evaluation, tmp_path):
    evaluation = make_evaluation(panel_file=str(tmp_path / "nope.csv"))
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.FAILED
    assert "does not exist" in run.error and "nope.csv" in run.error
    assert run.results is None and run.progress == 100 and run.finished_at


def test_bad_column_fails_with_the_column_named(evaluator, make_evaluation, tmp_path):
    frame = simulate_panel(seed=1).drop(columns=["first_treated"])
    path = write_panel(frame, tmp_path / "bad.csv")
    run = services.start_run(actor=evaluator, evaluation=make_evaluation(panel_file=str(path)))
    assert run.status == RunStatus.FAILED and "first_treated" in run.error


def test_never_treated_missing_fails_clearly(evaluator, make_evaluation, tmp_path):
    frame = simulate_panel(seed=1)
    frame = frame[frame["first_treated"] != ""]
    path = write_panel(frame, tmp_path / "all_treated.csv")
    run = services.start_run(actor=evaluator, evaluation=make_evaluation(panel_file=str(path)))
    assert run.status == RunStatus.FAILED and "never" in run.error.lower()


def test_rerun_creates_a_new_version_and_finished_runs_are_immutable(evaluator, evaluation):
    first = services.start_run(actor=evaluator, evaluation=evaluation)
    second = services.start_run(actor=evaluator, evaluation=evaluation)
    assert (first.version, second.version) == (1, 2)
    assert first.fingerprint == second.fingerprint  # same inputs, same fingerprint
    assert _overall(first) == _overall(second)  # same seed, same numbers
    with pytest.raises(ValueError, match="immutable"):
        services.execute_run(first.pk)
    first.refresh_from_db()
    assert first.status == RunStatus.SUCCEEDED and first.version == 1


def test_fingerprint_changes_with_the_data(evaluator, evaluation, panel_path):
    first = services.start_run(actor=evaluator, evaluation=evaluation)
    write_panel(simulate_panel(seed=99), panel_path)
    second = services.start_run(actor=evaluator, evaluation=evaluation)
    assert first.fingerprint != second.fingerprint


def test_only_evaluators_define_and_run(worker, manager, evaluation):
    with pytest.raises(PermissionDenied):
        services.create_evaluation(actor=manager, title="x")
    for user in (worker, manager):
        with pytest.raises(PermissionDenied):
            services.start_run(actor=user, evaluation=evaluation)
    assert not EvaluationRun.objects.exists()


def test_unknown_estimator_is_refused(make_evaluation):
    with pytest.raises(ValidationError):
        make_evaluation(estimators=["magic"])


def test_treatment_from_a_pilot_in_the_reference_data(evaluator, make_evaluation, tmp_path):
    pilot = Pilot.objects.filter(kind="municipal").order_by("code").first()
    members = sorted(pilot.memberships.values_list("municipality__code", flat=True))
    others = ["091", "049", "092", "853", "837", "564", "179", "405", "398", "109"]
    codes = members + [c for c in others if c not in members][:8]
    frame = simulate_panel(seed=5, codes=codes)
    frame["first_treated"] = ""  # the reference data decide who is treated
    path = write_panel(frame, tmp_path / "municipalities.csv")
    evaluation = make_evaluation(
        panel_file=str(path),
        treatment_source="pilot",
        pilot=pilot,
        estimators=["cs_dr"],
        cluster_level="unit",
        bootstrap_draws=0,
    )
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.SUCCEEDED, run.error
    start = pilot.memberships.order_by("valid_from").first().valid_from
    assert [t["code"] for t in run.results["treated"]] == members
    assert {t["start"] for t in run.results["treated"]} == {start.strftime("%Y-%m")}
    assert run.results["data"]["treated_units"] == len(members)


def test_explicit_treated_list(evaluator, make_evaluation, tmp_path):
    frame = simulate_panel(seed=6)
    frame["first_treated"] = ""
    path = write_panel(frame, tmp_path / "explicit.csv")
    treated = [{"unit": "900", "start": "2021-03"}, {"unit": "901", "start": "2021-09"}]
    evaluation = make_evaluation(
        panel_file=str(path),
        treatment_source="explicit",
        treated_units=treated,
        estimators=["cs_reg"],
        cluster_level="unit",
        bootstrap_draws=0,
    )
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert [c["units"] for c in run.results["data"]["cohorts"]] == [1, 1]


def test_cli_runs_the_next_version(evaluator, evaluation):
    out = io.StringIO()
    call_command("run_evaluation", "--id", str(evaluation.pk), stdout=out)
    text = out.getvalue()
    assert "version 1" in text and "succeeded" in text and "overall ATT" in text
    run = evaluation.runs.get()
    assert f"{_overall(run)['estimate']:.4f}" in text


def test_cli_reports_failures_and_unknown_ids(make_evaluation, tmp_path):
    evaluation = make_evaluation(panel_file=str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("run_evaluation", "--id", str(evaluation.pk), stdout=io.StringIO())
    with pytest.raises(CommandError, match="no evaluation"):
        call_command("run_evaluation", "--id", "999999", stdout=io.StringIO())
