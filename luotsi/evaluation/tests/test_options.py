"""Estimator options of an evaluation: declared once, validated with clear messages, stored with
their defaults, passed to the estimators (checked against direct calls of ``luotsi.stats``),
set through the form and the API (documented in the OpenAPI schema), shown in the report."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from luotsi.evaluation import options as opts
from luotsi.evaluation import services
from luotsi.evaluation.choices import RunStatus
from luotsi.evaluation.estimators import Settings
from luotsi.evaluation.models import Evaluation
from luotsi.evaluation.panel_file import read_panel_file
from luotsi.evaluation.report import render_report
from luotsi.stats.imputation import imputation

pytestmark = pytest.mark.django_db

DEFAULT_IMPUTATION = {"leave_out": True, "small_sample": False, "leads": 0}


def test_normalise_fills_defaults_of_the_chosen_estimators_only():
    assert opts.normalise({}, ["cs_dr", "imputation"]) == {
        "cs": {"base_period": "varying", "multiplier": "mammen", "small_sample": False},
        "imputation": DEFAULT_IMPUTATION,
    }
    assert opts.normalise(None, ["twfe", "sunab"]) == {}
    given = {"imputation": {"leave_out": False}, "wild": {"weights": "webb"}}
    assert opts.normalise(given, ["wild", "imputation"]) == {
        "imputation": {"leave_out": False, "small_sample": False, "leads": 0},
        "wild": {"weights": "webb"},
    }
    assert Settings(options={"imputation": {"leave_out": False}}).keywords("imputation") == {
        "leave_out": False,
        "small_sample": False,
        "leads": 0,
    }
    assert Settings().keywords("wild") == {}  # "weights" is interpreted, not passed on


@pytest.mark.parametrize(
    "given, code",
    [
        ({"imputation": {"leave_out": "no"}}, "bool"),
        ({"imputation": {"leads": 25}}, "int"),
        ({"imputation": {"leads": True}}, "int"),
        ({"cs": {"base_period": "fixed"}}, "choice"),
        ({"imputation": {"leaveout": True}}, "option"),
        ({"sunab": {"reference": -2}}, "group"),
        ({"wild": {"weights": "webb"}}, "not_chosen"),
        ({"imputation": True}, "shape"),
    ],
)
def test_normalise_refuses_what_is_not_declared(given, code):
    with pytest.raises(opts.OptionError) as exc:
        opts.normalise(given, ["cs_dr", "imputation"])
    assert exc.value.code == code


def test_every_option_has_a_label_a_group_and_a_valid_default():
    for option in opts.OPTIONS:
        assert option.group in opts.GROUPS and option.label and option.help
        assert opts._value(option, option.default) == option.default


def test_create_stores_the_options_with_defaults_and_refuses_bad_ones(make_evaluation):
    evaluation = make_evaluation(
        estimators=["cs_dr", "imputation"], estimator_options={"imputation": {"leads": 3}}
    )
    evaluation.refresh_from_db()
    assert evaluation.estimator_options == {
        "cs": {"base_period": "varying", "multiplier": "mammen", "small_sample": False},
        "imputation": {"leave_out": True, "small_sample": False, "leads": 3},
    }
    with pytest.raises(ValidationError) as exc:
        make_evaluation(estimators=["cs_dr"], estimator_options={"imputation": {"leads": 3}})
    assert exc.value.message_dict["estimator_options"] == [
        "Options were given for Imputation (Borusyak-Jaravel-Spiess), but it is not among the "
        "chosen estimators."
    ]
    with pytest.raises(ValidationError) as exc:
        make_evaluation(estimators=["imputation"], estimator_options={"imputation": {"leads": 99}})
    assert exc.value.message_dict["estimator_options"] == [
        "Imputation (Borusyak-Jaravel-Spiess), option leads: give a whole number from 0 to 24."
    ]
    with pytest.raises(ValidationError) as exc:
        make_evaluation(estimators=["imputation"], estimator_options={"imputation": {"x": 1}})
    assert "has no option x; its options: leave_out, small_sample, leads" in str(exc.value)


def _run(evaluator, make_evaluation, **fields):
    run = services.start_run(actor=evaluator, evaluation=make_evaluation(**fields))
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def _overall(run, key):
    entry = next(e for e in run.results["estimators"] if e["key"] == key)
    return entry, next(r for r in entry["simple"] if r.get("overall"))


def test_leave_out_reaches_the_imputation_estimator(evaluator, make_evaluation, panel_path):
    frame = read_panel_file(panel_path).frame
    direct = {
        flag: imputation(
            frame,
            unit="unit",
            time="time",
            cohort="first_treated",
            outcome="outcome",
            cluster="cluster",
            leave_out=flag,
        ).table.by_label("ATT")
        for flag in (True, False)
    }
    assert direct[True].se > direct[False].se  # the option matters on this panel
    runs = {}
    for flag in (True, False):
        run = _run(
            evaluator,
            make_evaluation,
            estimators=["imputation"],
            estimator_options={"imputation": {"leave_out": flag}},
        )
        _, overall = _overall(run, "imputation")
        assert overall["estimate"] == pytest.approx(direct[flag].estimate, abs=1e-12)
        assert overall["se"] == pytest.approx(direct[flag].se, rel=1e-12)
        assert run.design["estimator_options"]["imputation"]["leave_out"] is flag
        runs[flag] = run
    assert runs[True].fingerprint != runs[False].fingerprint  # the design differs
    html = render_report(runs[False], "en")  # the stored report is in the default language
    design = html.split('id="h-design"')[1].split("</section>")[0]
    assert "Imputation: leave-cluster-out variance</dt><dd>no" in design
    assert "including each cluster&#x27;s own" in html


def test_imputation_leads_give_a_pretrends_test(evaluator, make_evaluation):
    run = _run(
        evaluator,
        make_evaluation,
        estimators=["imputation"],
        estimator_options={"imputation": {"leads": 4}},
    )
    entry, _ = _overall(run, "imputation")
    assert [r["event_time"] for r in entry["dynamic"] if r["event_time"] < 0] == [-4, -3, -2, -1]
    assert run.results["pretrends"]["p_value"] is not None  # the main estimator's test
    assert run.results["pretrends"]["event_times"] == [-4, -3, -2, -1]


def test_cs_and_wild_options_reach_their_estimators(evaluator, make_evaluation):
    run = _run(
        evaluator,
        make_evaluation,
        estimators=["cs_dr", "wild"],
        bootstrap_draws=99,
        estimator_options={"cs": {"base_period": "universal"}, "wild": {"weights": "webb"}},
    )
    cs, _ = _overall(run, "cs_dr")
    wild, _ = _overall(run, "wild")
    assert cs["meta"]["base_period"] == "universal"
    assert wild["wild"]["weights"] == "webb"
    default = _run(evaluator, make_evaluation, estimators=["wild"], bootstrap_draws=99)
    clusters = default.results["estimators"][0]["wild"]["n_clusters"]
    assert default.results["estimators"][0]["wild"]["weights"] == (
        "webb" if clusters < 12 else "rademacher"
    )


def test_old_designs_without_options_run_with_the_defaults(evaluator, make_evaluation):
    evaluation = make_evaluation(estimators=["imputation"])
    run = services.create_run(actor=evaluator, evaluation=evaluation)
    design = {k: v for k, v in run.design.items() if k not in ("estimator_options", "covariates")}
    type(run).objects.filter(pk=run.pk).update(design=design)
    run = services.execute_run(run.pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    fresh = _run(evaluator, make_evaluation, estimators=["imputation"])
    assert _overall(run, "imputation")[1]["se"] == _overall(fresh, "imputation")[1]["se"]


def test_the_form_offers_every_option_and_stores_them(client, evaluator, panel_path):
    client.force_login(evaluator)
    page = client.get(reverse("evaluation:create")).content.decode()
    for option in opts.OPTIONS:
        assert f'name="{option.field_name}"' in page
    response = client.post(
        reverse("evaluation:create"),
        {
            "title": "Options",
            "question": "Q",
            "outcome": "outcome",
            "outcome_scale": "pp",
            "unit_level": "municipality",
            "panel_file": str(panel_path),
            "treatment_source": "panel",
            "comparison": "never",
            "anticipation": "0",
            "estimators": ["imputation", "cs_reg"],
            "bootstrap_draws": "0",
            "cluster_level": "cluster",
            "seed": "1",
            "opt_imputation_leave_out": "False",
            "opt_imputation_leads": "2",
            "opt_cs_base_period": "universal",
            "opt_wild_weights": "webb",  # wild is not chosen: not stored
        },
    )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(title="Options")
    assert evaluation.estimator_options == {
        "cs": {"base_period": "universal", "multiplier": "mammen", "small_sample": False},
        "imputation": {"leave_out": False, "small_sample": False, "leads": 2},
    }
    detail = client.get(
        reverse("evaluation:detail", args=[evaluation.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Imputation: pre-trend leads</dt><dd>2" in detail
    bad = client.post(
        reverse("evaluation:create"), {"opt_imputation_leads": "30"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Ensure this value is less than or equal to 24" in bad.content.decode()


def test_the_api_takes_and_documents_the_options(client, evaluator, panel_path):
    client.force_login(evaluator)
    payload = {
        "title": "API options",
        "question": "Q",
        "outcome": "outcome",
        "panel_file": str(panel_path),
        "treatment_source": "panel",
        "estimators": ["imputation"],
        "estimator_options": {"imputation": {"leave_out": False}},
    }
    made = client.post("/api/v1/evaluation/", payload, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["estimator_options"] == {
        "imputation": {"leave_out": False, "small_sample": False, "leads": 0}
    }
    for bad in ({"imputation": {"leaveout": False}}, {"sunab": {}}, {"imputation": {"leads": 99}}):
        refused = client.post(
            "/api/v1/evaluation/",
            {**payload, "estimator_options": bad},
            content_type="application/json",
        )
        assert refused.status_code == 422, bad
    refused = client.post(
        "/api/v1/evaluation/",
        {**payload, "estimator_options": {"cs": {"base_period": "universal"}}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 422 and "not among the chosen" in refused.json()["detail"]
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    imputation_options = schema["ImputationOptions"]["properties"]
    assert imputation_options["leave_out"]["default"] is True
    assert imputation_options["leads"]["maximum"] == 24
    assert schema["CsOptions"]["properties"]["base_period"]["enum"] == ["varying", "universal"]


def test_the_cli_prints_the_options(evaluator, make_evaluation, capsys):
    evaluation = make_evaluation(
        estimators=["imputation"], estimator_options={"imputation": {"leave_out": False}}
    )
    call_command("run_evaluation", "--id", str(evaluation.pk))
    out = capsys.readouterr().out
    assert "options imputation: leave_out=False, small_sample=False, leads=0" in out
