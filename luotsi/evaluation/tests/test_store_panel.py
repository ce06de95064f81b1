"""Panels from the analytics store: the same data from the store and from a file give the same
panel and the same estimates; the store is read-only to the run; errors are clear."""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pytest

from luotsi.analytics.store import Store
from luotsi.evaluation import services
from luotsi.evaluation.choices import RunStatus
from luotsi.evaluation.panel_file import read_panel_file
from luotsi.evaluation.panel_store import read_store_panel
from luotsi.evaluation.treatment import apply_treatment, treatment_starts
from luotsi.reference import exports
from luotsi.reference.models import Pilot

from .simulate import simulate_panel, write_panel

pytestmark = pytest.mark.django_db

OTHERS = ["091", "049", "092", "853", "837", "564", "179", "405", "398", "109", "286", "285"]
LABOUR_FORCE = 1000.0


@pytest.fixture
def pilot():
    return Pilot.objects.filter(kind="municipal").order_by("code").first()


@pytest.fixture
def data(pilot):
    """Simulated outcomes for the pilot's members and some other municipalities, 2020-2022,
    as unemployed counts over a labour force of 1000 (so the rate is the outcome, rounded)."""
    members = sorted(pilot.memberships.values_list("municipality__code", flat=True))
    codes = members + [c for c in OTHERS if c not in members][:10]
    frame = simulate_panel(seed=9, codes=codes)
    frame["unemployed"] = np.round(frame["outcome"] * 10)
    frame["outcome"] = 100.0 * frame["unemployed"].to_numpy() / LABOUR_FORCE
    frame["first_treated"] = ""  # the reference data decide
    return frame


@pytest.fixture
def store_path(tmp_path, settings, data):
    path = tmp_path / "analytics.duckdb"
    with Store(path) as store:
        store.load_reference(
            municipalities=exports.municipality_rows(),
            groups=exports.group_rows(),
            memberships=exports.membership_rows(),
        )
        rows = []
        for r in data.itertuples():
            period = dt.date.fromisoformat(f"{r.time}-01")
            for measure, value in (
                ("TYOTTOMATLOPUSSA", r.unemployed),
                ("TYOVOIMATK", LABOUR_FORCE),
            ):
                rows.append(
                    {
                        "source": "statfin",
                        "table_code": "12r5",
                        "measure": measure,
                        "region_kind": "KU",
                        "region_code": r.unit,
                        "period": period,
                        "value": float(value),
                        "status": "",
                    }
                )
        store.load_public_series(rows)
    settings.ANALYTICS_PATH = path
    return path


def _store_evaluation(make_evaluation, pilot, **fields):
    base = {
        "panel_source": "store_public",
        "panel_file": "",
        "period_start": "2020-01",
        "period_end": "2022-12",
        "outcome": "unemployment_rate",
        "treatment_source": "pilot",
        "pilot": pilot,
        "estimators": ["cs_dr", "twfe"],
        "bootstrap_draws": 0,
        "cluster_level": "unit",
    }
    base.update(fields)
    return make_evaluation(**base)


def test_store_panel_equals_the_file_panel_for_the_same_data(
    evaluator, make_evaluation, tmp_path, pilot, data, store_path
):
    path = write_panel(data[["unit", "time", "first_treated", "outcome"]], tmp_path / "same.csv")
    from_file = make_evaluation(
        panel_file=str(path),
        outcome="outcome",
        treatment_source="pilot",
        pilot=pilot,
        estimators=["cs_dr", "twfe"],
        bootstrap_draws=0,
        cluster_level="unit",
    )
    from_store = _store_evaluation(make_evaluation, pilot)
    panel = read_panel_file(path)
    file_frame = apply_treatment(panel, treatment_starts(from_file), "municipality")
    store_panel, notes = read_store_panel(
        store_path,
        source="public",
        outcome="unemployment_rate",
        start="2020-01",
        end="2022-12",
        group_type="pilot",
        group_codes=[pilot.code],
        cluster_level="unit",
    )
    cols = ["unit", "time", "first_treated", "outcome"]
    left = file_frame[cols].sort_values(["unit", "time"]).reset_index(drop=True)
    right = store_panel.frame[cols].sort_values(["unit", "time"]).reset_index(drop=True)
    assert left.equals(right)
    assert any("left out" in n for n in notes)  # municipalities without series are dropped

    runs = [services.start_run(actor=evaluator, evaluation=e) for e in (from_file, from_store)]
    assert all(r.status == RunStatus.SUCCEEDED for r in runs), [r.error for r in runs]
    for a, b in zip(*(r.results["estimators"] for r in runs), strict=True):
        assert a["simple"][0]["estimate"] == pytest.approx(b["simple"][0]["estimate"], abs=1e-12)
        assert a["simple"][0]["se"] == pytest.approx(b["simple"][0]["se"], abs=1e-12)
    assert runs[0].results["treated"] == runs[1].results["treated"]
    assert runs[1].results["panel_source"] == "store_public"


def test_the_run_opens_the_store_read_only(evaluator, make_evaluation, pilot, store_path):
    before = hashlib.sha256(store_path.read_bytes()).hexdigest()
    run = services.start_run(actor=evaluator, evaluation=_store_evaluation(make_evaluation, pilot))
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert hashlib.sha256(store_path.read_bytes()).hexdigest() == before
    assert run.results["data"]["treated_units"] == pilot.memberships.count()


def test_store_errors_are_clear(evaluator, make_evaluation, pilot, store_path, settings, tmp_path):
    run = services.start_run(
        actor=evaluator,
        evaluation=_store_evaluation(make_evaluation, pilot, outcome="exits_to_employment"),
    )
    assert run.status == RunStatus.FAILED
    assert "outcome 'exits_to_employment' is not in the public panel" in run.error
    settings.ANALYTICS_PATH = tmp_path / "missing.duckdb"
    run = services.start_run(actor=evaluator, evaluation=_store_evaluation(make_evaluation, pilot))
    assert run.status == RunStatus.FAILED and "does not exist" in run.error


def test_store_design_is_validated_before_saving(make_evaluation, pilot):
    from django.core.exceptions import ValidationError

    from luotsi.evaluation.models import Evaluation

    with pytest.raises(ValidationError) as exc:
        _store_evaluation(make_evaluation, pilot, period_end="2022-13", treatment_source="panel")
    assert set(exc.value.message_dict) == {"period_end", "treatment_source"}
    with pytest.raises(ValidationError, match="panel file"):
        make_evaluation(panel_file="")
    assert not Evaluation.objects.exists()
