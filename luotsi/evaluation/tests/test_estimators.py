"""Every estimator path end to end (define, run, report) on simulated panels with a known effect,
the robustness section, and bad designs that fail with a clear message."""

from __future__ import annotations

import re
from html import escape

import pytest

from luotsi.evaluation import services
from luotsi.evaluation.choices import Estimator, RunStatus
from luotsi.evaluation.report import render_report

from .conftest import TRUE_EFFECT
from .simulate import simulate_panel, write_panel

pytestmark = pytest.mark.django_db


def _overall(run, key: str) -> dict:
    entry = next(e for e in run.results["estimators"] if e["key"] == key)
    return next(r for r in entry["simple"] if r.get("overall"))


def _single_treated(tmp_path, **kw):
    """One treated municipality (from 2021-03) and 20 never-treated donors."""
    frame = simulate_panel(effect=TRUE_EFFECT, seed=8, **kw)
    treated = frame[frame["first_treated"] == "2021-03"]["unit"].iloc[0]
    frame = frame[(frame["first_treated"] == "") | (frame["unit"] == treated)]
    return write_panel(frame, tmp_path / "single.csv"), treated


@pytest.mark.parametrize("key", ["sunab", "imputation", "twfe", "wild"])
def test_regression_estimators_recover_the_known_effect(evaluator, make_evaluation, key):
    """Simulated staggered panel (60 municipalities, 36 months, 20 clusters), constant true
    effect 2.0: each estimate is within 0.3 of the truth (its SE is about 0.05-0.12) and its
    interval covers the truth."""
    evaluation = make_evaluation(estimators=[key], bootstrap_draws=199)
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.SUCCEEDED, run.error
    overall = _overall(run, key)
    assert abs(overall["estimate"] - TRUE_EFFECT) < 0.3
    assert overall["ci_low"] < TRUE_EFFECT < overall["ci_high"]
    entry = run.results["estimators"][0]
    if key != "wild":  # event studies: zero before, the effect after
        post = [r for r in entry["dynamic"] if r["event_time"] >= 0]
        pre = [r for r in entry["dynamic"] if r["event_time"] < -1]
        assert post and all(abs(r["estimate"] - TRUE_EFFECT) < 0.6 for r in post)
        assert key == "imputation" or all(abs(r["estimate"]) < 0.6 for r in pre)
    assert 'class="num"' in run.report_html
    assert ("<svg" in run.report_html) == (key != "wild")  # the wild bootstrap has no event study


def test_twfe_reports_the_goodman_bacon_decomposition(evaluator, make_evaluation):
    evaluation = make_evaluation(estimators=["cs_dr", "twfe"], bootstrap_draws=0)
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    bacon = run.results["estimators"][1]["bacon"]
    assert abs(bacon["recomposed"] - bacon["twfe_estimate"]) < 1e-9
    assert abs(sum(t["weight"] for t in bacon["by_type"]) - 1) < 1e-9
    assert {t["type"] for t in bacon["by_type"]} >= {
        "treated vs never treated",
        "later vs earlier treated",
    }
    html = render_report(run, "en")
    assert 'id="h-bacon"' in html and "already treated as control" in html
    assert "Weighted sum (equals the TWFE estimate)" in html


def test_wild_bootstrap_uses_the_clusters(evaluator, make_evaluation):
    evaluation = make_evaluation(estimators=["wild"], bootstrap_draws=299)
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    wild = run.results["estimators"][0]["wild"]
    assert wild["n_clusters"] == 20 and wild["draws"] == 299
    assert wild["weights"] == "rademacher" and wild["p_value"] < 0.01


def test_synthetic_control_for_the_only_treated_unit(evaluator, make_evaluation, tmp_path):
    path, treated = _single_treated(tmp_path)
    evaluation = make_evaluation(panel_file=str(path), estimators=["synth"], bootstrap_draws=0)
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.SUCCEEDED, run.error
    synth = run.results["estimators"][0]["synth"]
    overall = _overall(run, "synth")
    assert synth["treated_unit"] == treated and synth["donors"] == 20
    assert abs(overall["estimate"] - TRUE_EFFECT) < 0.6
    assert overall["p_value"] == pytest.approx(1 / 21)  # the smallest possible placebo p-value
    assert abs(sum(w["weight"] for w in synth["donor_weights"]) - 1) < 0.05
    html = render_report(run, "en")
    assert 'id="h-synth"' in html and "Donor weights of the synthetic control" in html


def test_synthetic_control_for_a_chosen_unit_among_many(evaluator, make_evaluation):
    evaluation = make_evaluation(estimators=["cs_dr", "synth"], synth_unit="903", bootstrap_draws=0)
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.SUCCEEDED, run.error
    synth = run.results["estimators"][1]["synth"]
    assert synth["treated_unit"] == "903" and synth["donors"] == 20


def test_robustness_section_lists_every_chosen_estimator(evaluator, make_evaluation):
    keys = ["cs_dr", "cs_reg", "sunab", "imputation", "twfe", "wild", "synth"]
    evaluation = make_evaluation(estimators=keys, synth_unit="900", bootstrap_draws=99)
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert [e["key"] for e in run.results["estimators"]] == keys
    html = render_report(run, "en")
    section = html[html.index('id="h-robustness"') : html.index('id="h-limitations"')]
    rows = re.findall(r'<tr id="robust-([a-z_]+)"><th scope="row">([^<]+)</th>', section)
    assert [k for k, _ in rows] == keys
    assert [name for _, name in rows] == [escape(str(Estimator(k).label)) for k in keys]
    for key in keys:  # estimate, interval and notes side by side
        row = section[section.index(f'id="robust-{key}"') :].split("</tr>")[0]
        assert row.count('class="num"') == 4
    # one event-study plot per estimator with an event study, each with its own ids and table
    for key in ("cs_reg", "sunab", "imputation", "twfe", "synth"):
        assert f'<title id="es-{key}-title">' in section and f'id="h-es-{key}"' in section
    assert section.count("<figure>") == 5 and section.count("(the data behind the plot)") == 5
    assert '<title id="es-title">' in html  # the main estimator's plot in the pre-trends section


@pytest.mark.parametrize(
    ("change", "estimators", "message"),
    [
        ("untreated", ["sunab"], "the design has no treated units"),
        ("one_cluster", ["wild"], "wild cluster bootstrap: the panel has only one cluster"),
        ("no_donors", ["synth"], "synthetic control: 0 never-treated donor units"),
        ("many_treated", ["synth"], "synthetic control: the design has 40 treated units"),
    ],
)
def test_bad_designs_fail_with_a_clear_message(
    evaluator, make_evaluation, tmp_path, change, estimators, message
):
    frame = simulate_panel(seed=4)
    synth_unit = ""
    if change == "untreated":
        frame["first_treated"] = ""
    elif change == "one_cluster":
        frame["cluster"] = "koko-maa"
    elif change == "no_donors":
        frame.loc[frame["first_treated"] == "", "first_treated"] = "2021-09"
        synth_unit = "900"
    path = write_panel(frame, tmp_path / f"{change}.csv")
    evaluation = make_evaluation(
        panel_file=str(path), estimators=estimators, synth_unit=synth_unit, bootstrap_draws=99
    )
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.FAILED
    assert message in run.error
    assert run.results is None and run.report_html == ""


def test_cli_prints_every_estimator_even_without_an_interval(evaluator, make_evaluation, tmp_path):
    import io

    from django.core.management import call_command

    path, _treated = _single_treated(tmp_path)
    evaluation = make_evaluation(panel_file=str(path), estimators=["synth", "twfe"])
    out = io.StringIO()
    call_command("run_evaluation", "--id", str(evaluation.pk), stdout=out)
    lines = out.getvalue().splitlines()
    synth = next(line for line in lines if line.startswith("synth: overall ATT"))
    assert "CI" not in synth and " p 0.0476" in synth
    assert any(line.startswith("twfe: overall ATT") and "95% CI" in line for line in lines)


def test_api_creates_a_store_evaluation_with_new_estimators(client, evaluator):
    import json

    client.force_login(evaluator)
    payload = {
        "title": "Store",
        "question": "?",
        "outcome": "unemployment_rate",
        "panel_source": "store_public",
        "period_start": "2020-01",
        "period_end": "2022-12",
        "treatment_source": "pilot_kind",
        "pilot_kind": "municipal",
        "estimators": ["sunab", "twfe", "wild"],
        "synth_unit": "",
    }
    response = client.post("/api/v1/evaluation/", json.dumps(payload), "application/json")
    assert response.status_code == 201, response.content
    assert response.json()["panel_source"] == "store_public"
    bad = dict(payload, period_start="2020-1", estimators=["magic"])
    response = client.post("/api/v1/evaluation/", json.dumps(bad), "application/json")
    assert response.status_code == 422


@pytest.mark.parametrize("key", ["sunab", "twfe"])
def test_regression_event_studies_give_the_pretrends_test(evaluator, make_evaluation, key):
    """Like Callaway-Sant'Anna's: the last min(12, (G-1)/2) pre-periods, F with (k, G-k) df."""
    evaluation = make_evaluation(estimators=[key], bootstrap_draws=0)
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    pre = run.results["pretrends"]
    assert pre["df"] == 9 and pre["df2"] == 20 - 9  # 20 clusters
    assert pre["event_times"] == list(range(-10, -1))  # e = -1 is the reference
    assert pre["p_value"] > 0.01  # parallel trends hold in the simulation
