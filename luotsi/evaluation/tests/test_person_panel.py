"""Person-month panels from the analytics store: rows and treatment by construction, the
municipality means of the person panel equal the municipality panel, and a person-level run
through the whole pipeline gives the same Callaway-Sant'Anna estimate as the municipality-mean
panel (equal-sized municipalities); synthetic control is refused at person level."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count

from luotsi.analytics import panels
from luotsi.analytics.refresh import ingest_relation
from luotsi.analytics.store import Store, event_schema
from luotsi.evaluation import services
from luotsi.evaluation.choices import RunStatus
from luotsi.evaluation.panel_person import NOT_CLUSTERED, read_person_panel
from luotsi.evaluation.panel_store import StorePanelError
from luotsi.kernel.journey import FLAT_COLUMNS
from luotsi.reference import exports
from luotsi.reference.models import Pilot

pytestmark = pytest.mark.django_db

OTHERS = ["091", "049", "092", "853", "837", "564", "179", "405", "398", "109", "286", "285"]
PER_MUNICIPALITY = 24
START, END = "2020-07", "2022-06"
MONTHS = 24
ESTIMATORS = ["cs_dr", "sunab", "imputation", "twfe", "wild"]


@pytest.fixture
def pilot():
    """The first municipal pilot with at least three member municipalities."""
    pilots = Pilot.objects.filter(kind="municipal").annotate(n=Count("memberships"))
    return pilots.filter(n__gte=3).order_by("code").first()


@pytest.fixture
def codes(pilot):
    members = sorted(pilot.memberships.values_list("municipality__code", flat=True))[:3]
    return members + [c for c in OTHERS if c not in members][:3]


def _event(ids, kind: str, person: int, muni: str, day: dt.date, **payload) -> dict:
    row = dict.fromkeys(FLAT_COLUMNS)
    when = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    row.update(
        event_id=next(ids),
        kind=kind,
        schema_version=1,
        occurred_at=when,
        recorded_at=when,
        person_id=person,
        organisation_id=1,
        municipality_code=muni,
    )
    row.update(payload)
    return row


def journeys(codes: list[str], treated: set[str], seed: int = 5) -> list[dict]:
    """PER_MUNICIPALITY persons per municipality, registered unemployed in the first half of
    2020 (before the window), some later in a service, most exiting to work at random; in the
    treated municipalities exits from 2021-03 on come sooner. Nobody moves."""
    rng = np.random.default_rng(seed)
    ids = itertools.count(1)
    events = []
    person = 1000
    for muni in codes:
        for _ in range(PER_MUNICIPALITY):
            person += 1
            enrolment = person * 10
            registered = dt.date(2020, int(rng.integers(1, 7)), 10)
            events.append(
                _event(
                    ids,
                    "customer.registered",
                    person,
                    muni,
                    registered,
                    enrolment_id=enrolment,
                    registered_on=registered,
                    reason="new",
                    area_code="1",
                    birth_year=1980,
                    sex="female",
                    language_group="fi",
                    education_level="basic",
                    status="unemployed",
                )
            )
            months = int(rng.geometric(0.05))
            if muni in treated and registered.month + months > 26:  # after the pilot's start
                months = max(8, months // 2)
            exit_on = dt.date(2020 + (months + 6) // 12, (months + 6) % 12 + 1, 15)
            if rng.random() < 0.3:
                service = dt.date(2020, 9, 20)
                events.append(
                    _event(
                        ids,
                        "customer.status_changed",
                        person,
                        muni,
                        service,
                        enrolment_id=enrolment,
                        effective_on=service,
                        status="in_service",
                        previous_status="unemployed",
                    )
                )
            if exit_on < dt.date(2022, 12, 31) and exit_on > dt.date(2020, 9, 20):
                events.append(
                    _event(
                        ids,
                        "customer.exited",
                        person,
                        muni,
                        exit_on,
                        enrolment_id=enrolment,
                        ended_on=exit_on,
                        exit_reason="employed_open_market",
                    )
                )
    return events


@pytest.fixture
def store_path(tmp_path, settings, pilot, codes):
    path = tmp_path / "analytics.duckdb"
    members = set(pilot.memberships.values_list("municipality__code", flat=True))
    with Store(path) as store:
        store.load_reference(
            municipalities=exports.municipality_rows(),
            groups=exports.group_rows(),
            memberships=exports.membership_rows(),
        )
        events = journeys(codes, members & set(codes))
        store.con.register("_ev", pa.Table.from_pylist(events, schema=event_schema()))
        ingest_relation(store, "_ev", derive=True, source="test")
        store.con.unregister("_ev")
    settings.ANALYTICS_PATH = path
    return path


def _query(pilot, **kw):
    base = {
        "outcome": "unemployed",
        "start": START,
        "end": END,
        "group_type": "pilot",
        "group_codes": [pilot.code],
        "cluster_level": "municipality",
    }
    base.update(kw)
    return base


def test_person_panel_rows_and_treatment(store_path, pilot, codes):
    panel, notes = read_person_panel(store_path, **_query(pilot, cluster_level="cluster"))
    frame = panel.frame
    assert panel.monthly and notes == ()
    assert frame["unit"].nunique() == len(codes) * PER_MUNICIPALITY
    assert len(frame) == len(codes) * PER_MUNICIPALITY * MONTHS  # balanced: every person-month
    t0 = panels.month_index(dt.date(2020, 7, 1))
    assert sorted(frame["time"].unique()) == list(range(t0, t0 + MONTHS))
    with Store(store_path, read_only=True) as store:
        cohorts = panels.treatment_cohorts(store, group_codes=[pilot.code])
    persons = frame.drop_duplicates("unit")
    assert set(persons["municipality"]) == set(codes)
    for muni, rows in persons.groupby("municipality"):
        assert len(rows) == PER_MUNICIPALITY
        assert set(rows["first_treated"]) == {float(cohorts.first_treated(muni))}
        assert set(rows["cluster"]) == {cohorts.group_of.get(muni, f"municipality:{muni}")}
    assert (persons["first_treated"] > 0).sum() == 3 * PER_MUNICIPALITY
    assert set(frame["outcome"]) <= {0.0, 1.0}
    _, notes = read_person_panel(store_path, **_query(pilot, cluster_level="unit"))
    assert notes == (NOT_CLUSTERED,)
    with pytest.raises(StorePanelError, match="not in the person-month panel"):
        read_person_panel(store_path, **_query(pilot, outcome="unemployed_customers"))


def test_municipality_means_of_the_person_panel_equal_the_municipality_panel(
    store_path, pilot, codes
):
    with Store(store_path, read_only=True) as store:
        cohorts = panels.treatment_cohorts(store, group_codes=[pilot.code])
        table = panels.municipality_panel_events(store, START, END, cohorts).table.to_pandas()
    table = table[table["unit"].isin(codes)].set_index(["unit", "time"]).sort_index()
    for outcome, count in (("unemployed", "unemployed_customers"), ("registered", "customers")):
        panel, _ = read_person_panel(store_path, **_query(pilot, outcome=outcome))
        means = panel.frame.groupby(["municipality", "time"])["outcome"].mean().sort_index()
        expected = table[count].to_numpy() / PER_MUNICIPALITY
        assert np.array_equal(means.to_numpy(), expected), outcome
        assert means.to_numpy().std() > 0  # the outcome moves
        first = panel.frame.groupby(["municipality", "time"])["first_treated"].first()
        assert np.array_equal(first.to_numpy(), table["first_treated"].to_numpy(dtype=float))


def _person_evaluation(make_evaluation, pilot, **fields):
    base = {
        "unit_level": "person",
        "panel_source": "store_events",
        "panel_file": "",
        "period_start": START,
        "period_end": END,
        "outcome": "employed",
        "outcome_scale": "pp",
        "treatment_source": "pilot",
        "pilot": pilot,
        "estimators": ESTIMATORS,
        "bootstrap_draws": 0,
        "cluster_level": "municipality",
    }
    base.update(fields)
    return make_evaluation(**base)


def test_person_level_run_equals_the_municipality_mean_panel(
    evaluator, make_evaluation, store_path, pilot, codes, tmp_path
):
    run = services.start_run(actor=evaluator, evaluation=_person_evaluation(make_evaluation, pilot))
    assert run.status == RunStatus.SUCCEEDED, run.error
    data = run.results["data"]
    assert data["units"] == len(codes) * PER_MUNICIPALITY and data["clusters"] == len(codes)
    assert data["treated_units"] == 3 * PER_MUNICIPALITY
    assert [t["code"] for t in run.results["treated"]] == sorted(codes[:3])
    keys = [e["key"] for e in run.results["estimators"]]
    assert keys == ESTIMATORS
    for entry in run.results["estimators"]:
        overall = next(r for r in entry["simple"] if r.get("overall"))
        assert np.isfinite(overall["estimate"]) and overall["se"] > 0, entry["key"]
    cs = run.results["estimators"][0]["simple"][0]
    assert cs["estimate"] > 0  # exits to work come sooner in the pilot municipalities

    # The same design on the municipality means (equal-sized municipalities, no covariates):
    # Callaway-Sant'Anna's ATT is the same number, and the person-level standard error
    # clustered by municipality is the municipality-level one.
    panel, _ = read_person_panel(store_path, **_query(pilot, outcome="employed"))
    means = panel.frame.groupby(["municipality", "time"], as_index=False).agg(
        outcome=("outcome", "mean"), first_treated=("first_treated", "first")
    )
    path = tmp_path / "means.csv"
    means.rename(columns={"municipality": "unit"}).to_csv(path, index=False)
    aggregate = make_evaluation(
        panel_file=str(path),
        outcome="outcome",
        treatment_source="panel",
        estimators=["cs_dr"],
        bootstrap_draws=0,
        cluster_level="unit",
    )
    agg_run = services.start_run(actor=evaluator, evaluation=aggregate)
    assert agg_run.status == RunStatus.SUCCEEDED, agg_run.error
    agg = agg_run.results["estimators"][0]["simple"][0]
    assert cs["estimate"] == pytest.approx(agg["estimate"], abs=1e-12)
    assert cs["se"] == pytest.approx(agg["se"], rel=1e-9)
    assert 'lang="en"' not in run.report_html.split('id="h-data"')[1].split("</section>")[0]


def test_person_level_refuses_synthetic_control_and_public_statistics(make_evaluation, pilot):
    from luotsi.evaluation.models import Evaluation

    with pytest.raises(ValidationError) as exc:
        _person_evaluation(make_evaluation, pilot, estimators=["cs_dr", "synth"])
    assert set(exc.value.message_dict) == {"estimators"}
    assert "needs a municipality-month panel" in exc.value.message_dict["estimators"][0]
    with pytest.raises(ValidationError) as exc:
        _person_evaluation(make_evaluation, pilot, panel_source="store_public")
    assert "Public statistics are by municipality" in exc.value.message_dict["unit_level"][0]
    assert not Evaluation.objects.exists()


def test_person_level_evaluation_through_the_api(client, evaluator, pilot, store_path):
    client.force_login(evaluator)
    payload = {
        "title": "Person-level pilot",
        "question": "Did the pilot raise employment?",
        "outcome": "employed",
        "unit_level": "person",
        "panel_source": "store_events",
        "period_start": START,
        "period_end": END,
        "treatment_source": "pilot",
        "pilot_code": pilot.code,
        "estimators": ["cs_dr", "synth"],
        "cluster_level": "municipality",
    }
    refused = client.post(
        "/api/v1/evaluation/", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 422 and "municipality-month" in refused.json()["detail"]
    payload["estimators"] = ["cs_dr"]
    made = client.post("/api/v1/evaluation/", payload, content_type="application/json")
    assert made.status_code == 201 and made.json()["unit_level"] == "person"


def test_explicit_treatment_on_a_person_panel(evaluator, make_evaluation, store_path, codes):
    evaluation = _person_evaluation(
        make_evaluation,
        None,
        treatment_source="explicit",
        treated_units=[{"unit": codes[3], "start": "2021-06"}],
        estimators=["cs_dr"],
    )
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.results["data"]["treated_units"] == PER_MUNICIPALITY
    assert run.results["treated"] == [
        {"code": codes[3], "name": run.results["treated"][0]["name"], "start": "2021-06"}
    ]
    frame = pd.DataFrame(run.results["data"]["cohorts"])
    assert frame["units"].tolist() == [PER_MUNICIPALITY]


def test_the_form_offers_the_person_level_and_refuses_synthetic_control(client, evaluator, pilot):
    from django.urls import reverse

    from luotsi.evaluation.models import Evaluation

    client.force_login(evaluator)
    form = client.get(reverse("evaluation:create"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="person"' in form and "person-month" in form
    fields = {
        "title": "Henkilötaso",
        "question": "Did it work?",
        "outcome": "employed",
        "outcome_scale": "pp",
        "unit_level": "person",
        "panel_source": "store_events",
        "period_start": START,
        "period_end": END,
        "treatment_source": "pilot",
        "pilot": pilot.pk,
        "comparison": "never",
        "anticipation": "0",
        "estimators": ["cs_dr", "synth"],
        "bootstrap_draws": "0",
        "cluster_level": "municipality",
        "seed": "1",
    }
    page = client.post(reverse("evaluation:create"), fields, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and not Evaluation.objects.exists()
    assert "needs a municipality-month panel" in page.content.decode()
    fields["estimators"] = ["cs_dr", "twfe"]
    assert client.post(reverse("evaluation:create"), fields).status_code == 302
    assert Evaluation.objects.get().unit_level == "person"
