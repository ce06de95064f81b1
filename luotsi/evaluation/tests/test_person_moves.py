"""Person-month panels: the treatment rule when a person moves (registration vs residence) on
hand-made journeys whose right cohorts are known by hand, and time-invariant person covariates
from the registration (levels by hand, Callaway-Sant'Anna through a run equals the direct call)."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pyarrow as pa
import pytest
from django.core.exceptions import ValidationError

from luotsi.analytics.panels import month_index
from luotsi.analytics.refresh import ingest_relation
from luotsi.analytics.store import Store, event_schema
from luotsi.evaluation import services
from luotsi.evaluation.choices import RunStatus
from luotsi.evaluation.notes import translate
from luotsi.evaluation.panel_person import read_person_panel
from luotsi.evaluation.person_design import NO_LEVELS, indicator_columns
from luotsi.evaluation.report import render_report
from luotsi.reference import exports
from luotsi.stats.did_cs import callaway_santanna

from .test_person_panel import _event

pytestmark = pytest.mark.django_db

A, B, C = "491", "091", "049"  # A is treated from START_A (explicit list), B and C never
START_A = "2021-03"
T_A = month_index(dt.date(2021, 3, 1))
WINDOW = ("2020-07", "2022-06")


def m(year: int, month: int) -> int:
    return month_index(dt.date(year, month, 1))


#: person: (municipality at registration, registered on, moves [(day, to)], cohort by the
#: registration rule, cohort by the residence rule), both worked out by hand (0 = never).
JOURNEYS = {
    1: (B, dt.date(2020, 2, 3), [(dt.date(2021, 6, 10), A)], 0, m(2021, 6)),
    2: (A, dt.date(2020, 3, 1), [(dt.date(2020, 8, 31), B)], T_A, 0),  # left before the start
    3: (A, dt.date(2020, 3, 1), [(dt.date(2021, 5, 2), B)], T_A, T_A),  # absorbing
    4: (B, dt.date(2020, 4, 1), [], 0, 0),
    5: (B, dt.date(2020, 4, 1), [(dt.date(2021, 9, 30), A)], 0, m(2021, 9)),  # last day counts
    6: (C, dt.date(2020, 5, 1), [(dt.date(2021, 10, 1), A)], 0, m(2021, 10)),
    7: (B, dt.date(2020, 1, 15), [(dt.date(2020, 6, 1), A)], 0, T_A),  # there before the start
    8: (A, dt.date(2020, 6, 1), [], T_A, T_A),
    9: (
        C,
        dt.date(2020, 2, 1),
        [(dt.date(2020, 9, 1), B), (dt.date(2022, 2, 28), A)],
        0,
        m(2022, 2),
    ),
    10: (
        A,
        dt.date(2020, 2, 1),
        [(dt.date(2021, 1, 5), C), (dt.date(2021, 4, 1), A)],
        T_A,
        m(2021, 4),
    ),
}


def _store(path, people: list[dict]) -> None:
    ids = itertools.count(1)
    events = []
    for p in people:
        registered = p["registered"]
        events.append(
            _event(
                ids,
                "customer.registered",
                p["person"],
                p["municipality"],
                registered,
                enrolment_id=p["person"] * 10,
                registered_on=registered,
                reason="new",
                area_code="1",
                birth_year=p.get("birth_year", 1980),
                sex=p.get("sex", "female"),
                language_group=p.get("language_group", "fi"),
                education_level=p.get("education_level", "basic"),
                foreign_national=p.get("foreign_national"),
                status="unemployed",
            )
        )
        muni = p["municipality"]
        for day, to in p.get("moves", []):
            events.append(
                _event(
                    ids,
                    "customer.moved",
                    p["person"],
                    to,
                    day,
                    effective_on=day,
                    from_municipality=muni,
                    to_municipality=to,
                )
            )
            muni = to
        if p.get("exit_on"):
            events.append(
                _event(
                    ids,
                    "customer.exited",
                    p["person"],
                    muni,
                    p["exit_on"],
                    enrolment_id=p["person"] * 10,
                    ended_on=p["exit_on"],
                    exit_reason="employed_open_market",
                )
            )
    events.sort(key=lambda e: (e["occurred_at"], e["event_id"]))
    with Store(path) as store:
        store.load_reference(
            municipalities=exports.municipality_rows(),
            groups=exports.group_rows(),
            memberships=exports.membership_rows(),
        )
        store.con.register("_ev", pa.Table.from_pylist(events, schema=event_schema()))
        ingest_relation(store, "_ev", derive=True, source="test")
        store.con.unregister("_ev")


@pytest.fixture
def moves_store(tmp_path, settings):
    path = tmp_path / "moves.duckdb"
    people = [
        {"person": p, "municipality": muni, "registered": day, "moves": moves}
        for p, (muni, day, moves, _, _) in JOURNEYS.items()
    ]
    _store(path, people)
    settings.ANALYTICS_PATH = path
    return path


def _query(**kw):
    return {
        "outcome": "registered",
        "start": WINDOW[0],
        "end": WINDOW[1],
        "group_type": "pilot",
        "group_codes": [],
        "cluster_level": "municipality",
        "starts": {A: T_A},
        **kw,
    }


@pytest.mark.parametrize("rule, column", [("registration", 3), ("residence", 4)])
def test_cohorts_follow_the_move_rule(moves_store, rule, column):
    panel, _notes = read_person_panel(moves_store, **_query(move_rule=rule))
    persons = panel.frame.drop_duplicates("unit").set_index("unit")
    expected = {str(p): float(j[column]) for p, j in JOURNEYS.items()}
    assert persons["first_treated"].to_dict() == expected
    # the municipality (and the cluster) stay the municipality at registration
    assert persons["municipality"].to_dict() == {str(p): j[0] for p, j in JOURNEYS.items()}
    assert persons["cluster"].to_dict() == persons["municipality"].to_dict()
    assert panel.starts == {A: T_A}  # where panel persons lived
    assert len(panel.frame) == len(JOURNEYS) * 24 and set(panel.frame["outcome"]) == {1.0}


def test_without_an_explicit_list_the_store_memberships_give_the_cohorts(moves_store):
    """Without an explicit list the cohorts come from the store's memberships; a pilot that
    treats none of the municipalities leaves everybody untreated under both rules."""
    query = _query(move_rule="residence")
    query.pop("starts")
    panel, _ = read_person_panel(moves_store, **query)
    assert set(panel.frame["first_treated"]) == {0.0} and panel.starts == {}


def test_run_with_residence_rule_reports_the_cohorts(evaluator, moves_store):
    evaluation = services.create_evaluation(
        actor=evaluator,
        title="Moves",
        question="Who is treated?",
        outcome="registered",
        unit_level="person",
        panel_source="store_events",
        period_start=WINDOW[0],
        period_end=WINDOW[1],
        treatment_source="explicit",
        treated_units=[{"unit": A, "start": START_A}],
        move_rule="residence",
        estimators=["twfe"],
        cluster_level="unit",
    )
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.SUCCEEDED, run.error
    cohorts = {c["cohort"]: c["units"] for c in run.results["data"]["cohorts"]}
    expected: dict[float, int] = {}
    for j in JOURNEYS.values():
        if j[4]:
            expected[float(j[4])] = expected.get(float(j[4]), 0) + 1
    assert cohorts == expected
    assert [t["code"] for t in run.results["treated"]] == [A]
    assert run.design["move_rule"] == "residence"
    assert "Municipality of residence each month" in render_report(run, "en")


def test_move_rule_and_covariates_need_person_panels_from_the_journey_log(make_evaluation):
    with pytest.raises(ValidationError) as exc:
        make_evaluation(move_rule="residence", covariates=["sex"])
    errors = exc.value.message_dict
    assert "Moves can be followed only" in errors["move_rule"][0]
    assert "come from the journey log" in errors["covariates"][0]
    with pytest.raises(ValidationError) as exc:
        make_evaluation(covariates=["shoe_size"])
    assert "Unknown person covariates: shoe_size" in exc.value.message_dict["covariates"][0]


# --- covariates -------------------------------------------------------------------------------


def test_covariate_levels_at_registration(tmp_path):
    people = [
        # age in the registration year 2020: 19 -> under 25; 2020-1985 = 35 -> 35_44
        {
            "person": 1,
            "municipality": A,
            "registered": dt.date(2020, 2, 1),
            "birth_year": 2001,
            "sex": "male",
            "language_group": "sv",
            "education_level": "tertiary",
            "foreign_national": True,
        },
        {
            "person": 2,
            "municipality": B,
            "registered": dt.date(2020, 2, 1),
            "birth_year": 1985,
            "sex": "female",
            "language_group": "fi",
            "education_level": "basic",
            "foreign_national": False,
        },
        {
            "person": 3,
            "municipality": B,
            "registered": dt.date(2020, 3, 1),
            "birth_year": 1960,
            "sex": "female",
            "language_group": "fi",
            "education_level": "basic",
        },
    ]
    path = tmp_path / "cov.duckdb"
    _store(path, people)
    panel, notes = read_person_panel(
        path, **_query(covariates=["age_band", "sex", "language_group", "foreign_national"])
    )
    persons = panel.frame.drop_duplicates("unit").set_index("unit")
    x = [c for c in persons.columns if c.startswith("x_")]
    # three persons, two of them in the never-treated cohort and one treated: a level is
    # kept only if both cohorts have persons with and without it, which no level has here
    assert x == [] and NO_LEVELS.format(name="sex") in notes
    shown = translate(NO_LEVELS.format(name="sex"))
    assert shown.lang == "" and shown.text.startswith("Covariate Sex: no level varies")
    from luotsi.evaluation.person_design import covariate_levels

    with Store(path, read_only=True) as store:
        levels = covariate_levels(store.con, np.array([1, 2, 3]), m(2020, 7), m(2022, 6))
    assert levels.to_dict("records") == [
        {
            "age_band": "under_25",
            "sex": "male",
            "language_group": "sv",
            "education_level": "tertiary",
            "foreign_national": "yes",
        },
        {
            "age_band": "35_44",
            "sex": "female",
            "language_group": "fi",
            "education_level": "basic",
            "foreign_national": "no",
        },
        {
            "age_band": "55_plus",
            "sex": "female",
            "language_group": "fi",
            "education_level": "basic",
            "foreign_national": "unknown",
        },
    ]


def test_indicator_columns_keep_levels_that_vary_in_every_cohort():
    import pandas as pd

    levels = pd.DataFrame(
        {
            "sex": ["female", "male", "female", "male", "female", "female"],
            "education_level": ["basic", "basic", "tertiary", "basic", "basic", "upper_secondary"],
        }
    )
    cohort = np.array([0, 0, 0, 5, 5, 5])
    columns, notes = indicator_columns(levels, ["sex", "education_level"], cohort)
    assert list(columns) == ["x_sex=male"]  # female is the most common: the reference
    assert columns["x_sex=male"].tolist() == [0, 1, 0, 1, 0, 0]
    assert all(translate(n).lang == "" for n in notes)  # every note is in the catalogue
    assert notes == [
        "covariate education_level: level tertiary left out (not present and absent in every "
        "cohort and the comparison group)",
        "covariate education_level: level upper_secondary left out (not present and absent in "
        "every cohort and the comparison group)",
        NO_LEVELS.format(name="education_level"),
    ]


def _covariate_people(seed: int = 3) -> list[dict]:
    """20 persons in each of A (treated from 2021-03), B and C; exits to work sooner for the
    young and the tertiary-educated, and in A after the start."""
    rng = np.random.default_rng(seed)
    people = []
    for k, muni in enumerate((A, B, C)):
        for i in range(20):
            young = rng.random() < 0.5
            tertiary = rng.random() < 0.4
            rate = 0.04 + 0.04 * young + 0.03 * tertiary
            months = int(rng.geometric(rate))
            if muni == A and months > 13:
                months = 13 + (months - 13) // 2
            exit_on = dt.date(2020 + (months + 1) // 12, (months + 1) % 12 + 1, 15)
            people.append(
                {
                    "person": 100 * (k + 1) + i,
                    "municipality": muni,
                    "registered": dt.date(2020, 1, 10),
                    "birth_year": 1998 if young else 1975,
                    "sex": "male" if rng.random() < 0.5 else "female",
                    "education_level": "tertiary" if tertiary else "basic",
                    "exit_on": exit_on if exit_on > dt.date(2020, 7, 31) else None,
                }
            )
    return people


def test_callaway_santanna_with_person_covariates_through_a_run(evaluator, tmp_path, settings):
    path = tmp_path / "cov-run.duckdb"
    _store(path, _covariate_people())
    settings.ANALYTICS_PATH = path
    fields = {
        "title": "Covariates",
        "question": "Effect on employment",
        "outcome": "employed",
        "unit_level": "person",
        "panel_source": "store_events",
        "period_start": WINDOW[0],
        "period_end": WINDOW[1],
        "treatment_source": "explicit",
        "treated_units": [{"unit": A, "start": START_A}],
        "covariates": ["education_level", "age_band"],
        "estimators": ["cs_dr", "cs_reg", "cs_ipw"],
        "bootstrap_draws": 0,
        "cluster_level": "unit",
    }
    evaluation = services.create_evaluation(actor=evaluator, **fields)
    assert evaluation.covariates == ["age_band", "education_level"]  # declaration order
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.SUCCEEDED, run.error
    panel, _ = read_person_panel(
        path,
        **_query(outcome="employed", covariates=["age_band", "education_level"]),
    )
    x = [c for c in panel.frame.columns if c.startswith("x_")]
    # one indicator per covariate: the other age band (under 25 / 45-54) and education level
    assert len(x) == 2 and x[0].startswith("x_age_band=") and x[1] == "x_education_level=tertiary"
    for entry, method in zip(run.results["estimators"], ("dr", "reg", "ipw"), strict=True):
        direct = callaway_santanna(
            panel.frame,
            unit="unit",
            time="time",
            cohort="first_treated",
            outcome="outcome",
            covariates=x,
            method=method,
            bootstrap=0,
        ).aggregate("simple")
        overall, expected = entry["simple"][0], direct.as_rows()[0]
        assert overall["estimate"] == pytest.approx(expected["estimate"], abs=1e-12)
        assert overall["se"] == pytest.approx(expected["se"], rel=1e-9)
        assert tuple(entry["meta"]["covariates"]) == tuple(x)
    plain = services.create_evaluation(actor=evaluator, **{**fields, "covariates": []})
    plain_run = services.start_run(actor=evaluator, evaluation=plain)
    with_cov = run.results["estimators"][1]["simple"][0]["estimate"]
    assert plain_run.results["estimators"][1]["simple"][0]["estimate"] != pytest.approx(with_cov)
    assert "Age band at registration" in render_report(run, "en")


def test_covariates_remove_the_bias_of_covariate_specific_trends():
    """Known truth: the treated municipality has more young persons and the young's outcome
    rises faster regardless of treatment; the effect is 0.10. Without the covariate
    Callaway-Sant'Anna is biased by the trend difference, with it (every method) it is not."""
    import pandas as pd

    from luotsi.evaluation.pipeline import RunSpec, estimate

    rng = np.random.default_rng(11)
    n, periods, start, effect = 4000, 8, 5, 0.10
    treated = rng.random(n) < 0.5
    young = rng.random(n) < np.where(treated, 0.7, 0.3)
    t = np.arange(periods)
    y = (
        rng.normal(size=(n, 1))
        + 0.05 * t[None, :] * young[:, None]
        + effect * (treated[:, None] & (t[None, :] >= start))
        + rng.normal(scale=0.1, size=(n, periods))
    )
    frame = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n).astype(str), periods),
            "time": np.tile(t.astype(float), n),
            "first_treated": np.repeat(np.where(treated, float(start), 0.0), periods),
            "outcome": y.reshape(-1),
            "x_age_band=under_25": np.repeat(young.astype(float), periods),
        }
    )
    estimators = ("cs_dr", "cs_reg", "cs_ipw")
    base = {"estimators": estimators, "bootstrap": 0, "cluster_level": "unit"}
    plain = estimate(frame, RunSpec(**base), lambda p, m: None)
    adjusted = estimate(
        frame, RunSpec(**base, covariates=("x_age_band=under_25",)), lambda p, m: None
    )
    # the bias is the trend gap: 0.05 x (0.7 - 0.3) x 2 periods since the base (1, 2, 3) = 0.04
    for entry in plain["estimators"]:
        row = entry["simple"][0]
        assert abs(row["estimate"] - effect - 0.04) < 3 * row["se"] < 0.02, entry["key"]
    for entry in adjusted["estimators"]:
        row = entry["simple"][0]
        assert abs(row["estimate"] - effect) < 3 * row["se"] < 0.03, entry["key"]
