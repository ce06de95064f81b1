"""Pages, report languages, permissions and the JSON API."""

from __future__ import annotations

import json
import shutil

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from luotsi.evaluation import services
from luotsi.evaluation.models import Evaluation, EvaluationRun

pytestmark = pytest.mark.django_db

SECTIONS = {
    "h-summary": "Summary",
    "h-design": "Design",
    "h-data": "Data",
    "h-pretrends": "Pre-trends",
    "h-main": "Main estimates",
    "h-robustness": "Robustness across estimators",
    "h-limitations": "Limitations",
    "h-provenance": "Software and data",
}


@pytest.fixture
def run(evaluator, evaluation):
    return services.start_run(actor=evaluator, evaluation=evaluation)


@pytest.mark.parametrize("lang", ["en", "fi", "sv"])
def test_report_renders_in_each_language_with_the_key_sections(client, manager, run, lang):
    client.force_login(manager)
    response = client.get(reverse("evaluation:report", args=[run.pk]), {"lang": lang})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    with translation.override(lang):  # the heading in the language's catalogue
        for anchor, msgid in SECTIONS.items():
            assert f'<h2 id="{anchor}">{gettext(msgid)}</h2>' in html, anchor
    assert "<svg" in html and '<title id="es-title">' in html and "<desc" in html
    assert html.count("<caption>") >= 4
    assert run.fingerprint in html


def test_summary_sentence_follows_the_numbers(run):
    html = run.report_html  # rendered in the default language at run time
    assert run.results["estimators"][0]["simple"][0]["ci_low"] > 0
    from luotsi.evaluation.report import render_report

    with translation.override("en"):
        english = render_report(run, "en")
    assert "The reform increased outcome by" in english
    assert html and "<svg" in html


def test_summary_for_no_detectable_change():
    from luotsi.evaluation.report import summary_sentence

    text = summary_sentence(
        "employment rate", "pp", {"estimate": 0.1, "ci_low": -0.5, "ci_high": 0.7}
    )
    assert "did not detectably change employment rate" in text and "−0.50" in text
    text = summary_sentence(
        "employment rate", "pp", {"estimate": -1.0, "ci_low": -1.5, "ci_high": -0.5}
    )
    assert "decreased employment rate by 1.00 percentage points" in text


def test_evaluator_lists_creates_and_runs_through_the_pages(client, evaluator, panel_path):
    client.force_login(evaluator)
    assert client.get(reverse("evaluation:list")).status_code == 200
    assert client.get(reverse("evaluation:create")).status_code == 200
    response = client.post(
        reverse("evaluation:create"),
        {
            "title": "Kuntakokeilu",
            "question": "Did it work?",
            "outcome": "outcome",
            "outcome_scale": "pp",
            "unit_level": "municipality",
            "panel_file": str(panel_path),
            "treatment_source": "panel",
            "comparison": "notyet",
            "anticipation": "0",
            "estimators": ["cs_reg", "cs_dr"],
            "bootstrap_draws": "0",
            "cluster_level": "unit",
            "seed": "7",
        },
    )
    evaluation = Evaluation.objects.get(title="Kuntakokeilu")
    assert response.status_code == 302 and evaluation.estimators == ["cs_dr", "cs_reg"]
    response = client.post(reverse("evaluation:start_run", args=[evaluation.pk]))
    run = evaluation.runs.get()
    assert response.status_code == 302 and response.url == reverse("evaluation:run", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' not in page  # finished: no more refreshing
    assert reverse("evaluation:report", args=[run.pk]) in page
    detail = client.get(reverse("evaluation:detail", args=[evaluation.pk])).content.decode()
    assert "v1" in detail


def test_running_page_refreshes_itself(client, evaluator, evaluation):
    run = services.create_run(actor=evaluator, evaluation=evaluation)  # queued, not executed
    client.force_login(evaluator)
    page = client.get(reverse("evaluation:run", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "<progress" in page
    assert client.get(reverse("evaluation:report", args=[run.pk])).status_code == 404


def test_invalid_form_shows_errors_and_saves_nothing(client, evaluator):
    client.force_login(evaluator)
    response = client.post(reverse("evaluation:create"), {"title": ""})
    assert response.status_code == 200 and not Evaluation.objects.exists()
    assert "field--error" in response.content.decode()


def test_manager_reads_but_cannot_create_or_run(client, manager, run):
    client.force_login(manager)
    assert client.get(reverse("evaluation:detail", args=[run.evaluation_id])).status_code == 200
    assert client.get(reverse("evaluation:create")).status_code == 403
    response = client.post(reverse("evaluation:start_run", args=[run.evaluation_id]))
    assert response.status_code == 403 and EvaluationRun.objects.count() == 1


@pytest.mark.parametrize("who", ["worker", "partner"])
def test_workers_and_partners_see_nothing(client, request, run, who):
    client.force_login(request.getfixturevalue(who))
    urls = [
        reverse("evaluation:list"),
        reverse("evaluation:detail", args=[run.evaluation_id]),
        reverse("evaluation:run", args=[run.pk]),
        reverse("evaluation:report", args=[run.pk]),
        reverse("evaluation:report_pdf", args=[run.pk]),
        "/api/v1/evaluation/",
        f"/api/v1/evaluation/runs/{run.pk}",
        f"/api/v1/evaluation/runs/{run.pk}/results",
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/api/v1/evaluation/{run.evaluation_id}/runs").status_code == 403
    assert EvaluationRun.objects.count() == 1


def test_anonymous_is_sent_to_login(client, run):
    response = client.get(reverse("evaluation:report", args=[run.pk]))
    assert response.status_code == 302 and "login" in response.url
    assert client.get("/api/v1/evaluation/").status_code == 401


def test_api_create_run_status_and_results(client, evaluator, panel_path):
    client.force_login(evaluator)
    payload = {
        "title": "API evaluation",
        "question": "Effect?",
        "outcome": "outcome",
        "panel_file": str(panel_path),
        "treatment_source": "panel",
        "estimators": ["cs_dr"],
        "bootstrap_draws": 99,
    }
    response = client.post("/api/v1/evaluation/", json.dumps(payload), "application/json")
    assert response.status_code == 201, response.content
    evaluation_id = response.json()["id"]
    listed = client.get("/api/v1/evaluation/").json()
    assert [e["id"] for e in listed] == [evaluation_id]
    response = client.post(f"/api/v1/evaluation/{evaluation_id}/runs")
    assert response.status_code == 202
    run_id = response.json()["id"]
    status = client.get(f"/api/v1/evaluation/runs/{run_id}").json()
    assert status["status"] == "succeeded" and status["progress"] == 100
    results = client.get(f"/api/v1/evaluation/runs/{run_id}/results").json()
    overall = next(r for r in results["estimators"][0]["simple"] if r.get("overall"))
    assert overall["ci_low"] <= 2.0 <= overall["ci_high"]
    assert results["pretrends"]["df"] >= 1 and results["run"]["version"] == 1
    runs = client.get(f"/api/v1/evaluation/{evaluation_id}/runs").json()
    assert [r["version"] for r in runs] == [1]


def test_api_refuses_bad_input_and_non_evaluators(client, manager, evaluator, panel_path):
    client.force_login(evaluator)
    bad = {"title": "x", "question": "y", "outcome": "o", "panel_file": str(panel_path)}
    bad["estimators"] = ["nonsense"]
    response = client.post("/api/v1/evaluation/", json.dumps(bad), "application/json")
    assert response.status_code == 422
    client.force_login(manager)
    bad["estimators"] = ["cs_dr"]
    response = client.post("/api/v1/evaluation/", json.dumps(bad), "application/json")
    assert response.status_code == 403 and not Evaluation.objects.exists()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_pdf_download(client, evaluator, run, settings):
    settings.EVALUATION_CHROMIUM = shutil.which("chromium")
    client.force_login(evaluator)
    response = client.get(reverse("evaluation:report_pdf", args=[run.pk]), {"lang": "sv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF") and len(body) > 2000


#: A few headings in the catalogues' words (as in the translations handed to the lead).
TRANSLATED = {
    "fi": {
        "Robustness across estimators": "Tulosten herkkyys estimaattorin valinnalle",
        "Pre-trends": "Trendit ennen käsittelyä",
        "Naive two-way fixed effects and the Goodman-Bacon decomposition": (
            "Naiivi kaksisuuntainen kiinteiden vaikutusten malli ja Goodman-Baconin hajotelma"
        ),
    },
    "sv": {
        "Robustness across estimators": "Resultatens robusthet mellan estimatorer",
        "Pre-trends": "Trender före behandlingen",
        "Naive two-way fixed effects and the Goodman-Bacon decomposition": (
            "Naiv tvåvägsmodell med fixa effekter och Goodman-Bacons dekomposition"
        ),
    },
}


@pytest.fixture
def catalogue():
    """Put the headings into the fi/sv catalogues for one test (restored afterwards)."""
    from django.utils.translation import trans_real

    saved = []
    for lang, words in TRANSLATED.items():
        catalog = trans_real.translation(lang)._catalog._catalogs[0]
        for msgid, text in words.items():
            saved.append((catalog, msgid, catalog.get(msgid)))
            catalog[msgid] = text
    yield
    for catalog, msgid, old in saved:
        if old is None:
            catalog.pop(msgid, None)
        else:
            catalog[msgid] = old


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_report_headings_and_numbers_follow_the_language(
    evaluator, make_evaluation, catalogue, lang
):
    from luotsi.evaluation.report import render_report

    evaluation = make_evaluation(estimators=["cs_dr", "twfe"], bootstrap_draws=0)
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    html = render_report(run, lang)
    words = TRANSLATED.get(lang, {k: k for k in TRANSLATED["fi"]})
    assert f'<h2 id="h-robustness">{words["Robustness across estimators"]}</h2>' in html
    assert f'<h2 id="h-pretrends">{words["Pre-trends"]}</h2>' in html
    bacon = "Naive two-way fixed effects and the Goodman-Bacon decomposition"
    assert f'<h3 id="h-bacon">{words[bacon]}</h3>' in html
    estimate = run.results["estimators"][1]["simple"][0]["estimate"]
    shown = f"{estimate:.3f}"
    assert (shown.replace(".", ",") if lang != "en" else shown) in html  # decimal comma in fi/sv
