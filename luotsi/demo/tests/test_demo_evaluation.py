"""The demo evaluation: a finished run on synthetic pilot data with the known truth stated."""

from __future__ import annotations

import pytest

from luotsi.core.roles import Role
from luotsi.demo.evaluation import HAZARD_RATIO, TITLE, build_evaluation
from luotsi.evaluation.choices import RunStatus

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVALUATION_CHROMIUM = ""


def test_demo_builder_creates_a_finished_run_with_the_truth(make_user):
    make_user(Role.EVALUATOR, username="arvioija")
    run = build_evaluation(scale=0.01, seed=3, workers=1)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.evaluation.title == TITLE and run.requested_by.username == "arvioija"
    assert f"{HAZARD_RATIO:.1f}".replace(".", ",") in run.evaluation.question
    keys = [e["key"] for e in run.results["estimators"]]
    assert keys == ["cs_dr", "sunab", "imputation", "twfe", "wild", "synth"]
    assert run.results["treated_municipalities"] >= 2
    assert run.results["data"]["never_treated_units"] >= 2
    assert "<svg" in run.report_html and 'id="h-bacon"' in run.report_html
    assert build_evaluation(scale=0.01, seed=3) == run  # idempotent: the run is kept
