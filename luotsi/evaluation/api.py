"""JSON API of evaluations (session authentication; the same role checks as the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from . import option_fields, selectors, services
from .choices import ComparisonGroup, MoveRule, RunStatus, TreatmentSource, UnitLevel
from .models import Evaluation, EvaluationRun

router = Router(tags=["evaluation"], auth=django_auth)
EstimatorOptions = option_fields.api_schema()


class EvaluationIn(Schema):
    title: str
    question: str
    outcome: str
    outcome_scale: str = "pp"
    unit_level: str = UnitLevel.MUNICIPALITY.value
    panel_source: str = "file"
    panel_file: str = ""
    period_start: str = ""
    period_end: str = ""
    move_rule: str = MoveRule.REGISTRATION.value
    covariates: list[str] = []
    treatment_source: str = TreatmentSource.PILOT.value
    pilot_code: str | None = None
    pilot_kind: str = ""
    area_code: str | None = None
    treated_units: list[dict[str, str]] = []
    comparison: str = ComparisonGroup.NEVER.value
    anticipation: int = 0
    estimators: list[str] = ["cs_dr"]
    estimator_options: EstimatorOptions | None = None  # type: ignore[valid-type]
    bootstrap_draws: int = 999
    cluster_level: str = "cluster"
    seed: int = 1
    synth_unit: str = ""


class EvaluationOut(Schema):
    id: int
    title: str
    question: str
    outcome: str
    unit_level: str
    panel_source: str
    treatment_source: str
    comparison: str
    anticipation: int
    move_rule: str
    covariates: list[str]
    estimators: list[str]
    estimator_options: dict[str, dict[str, Any]]
    created_at: dt.datetime


class RunOut(Schema):
    id: int
    evaluation_id: int
    version: int
    status: str
    progress: int
    progress_message: str
    error: str
    fingerprint: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def _guard(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "forbidden") from exc
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from exc


@router.get("/", response=list[EvaluationOut])
def list_evaluations(request):
    return list(_guard(selectors.evaluations_for, request.user))


@router.post("/", response={201: EvaluationOut})
def create_evaluation(request, payload: EvaluationIn):
    from luotsi.reference.models import EmploymentArea, Pilot

    data: dict[str, Any] = payload.dict()
    pilot_code, area_code = data.pop("pilot_code"), data.pop("area_code")
    data["estimator_options"] = option_fields.from_api(data["estimator_options"])
    try:
        data["pilot"] = Pilot.objects.get(code=pilot_code) if pilot_code else None
        data["area"] = EmploymentArea.objects.get(code=area_code) if area_code else None
    except (Pilot.DoesNotExist, EmploymentArea.DoesNotExist) as exc:
        raise HttpError(422, "unknown pilot_code or area_code") from exc
    return Status(201, _guard(services.create_evaluation, actor=request.user, **data))


def _evaluation(request, evaluation_id: int) -> Evaluation:
    return _guard(selectors.evaluation_for, request.user, evaluation_id)


@router.get("/{evaluation_id}", response=EvaluationOut)
def get_evaluation(request, evaluation_id: int):
    return _evaluation(request, evaluation_id)


@router.get("/{evaluation_id}/runs", response=list[RunOut])
def list_runs(request, evaluation_id: int):
    return list(_guard(selectors.runs_of, request.user, _evaluation(request, evaluation_id)))


@router.post("/{evaluation_id}/runs", response={202: RunOut})
def start_run(request, evaluation_id: int):
    evaluation = _evaluation(request, evaluation_id)
    return Status(202, _guard(services.start_run, actor=request.user, evaluation=evaluation))


def _run(request, run_id: int) -> EvaluationRun:
    return _guard(selectors.run_for, request.user, run_id)


@router.get("/runs/{run_id}", response=RunOut)
def run_status(request, run_id: int):
    return _run(request, run_id)


@router.get("/runs/{run_id}/results", response=dict[str, Any])
def run_results(request, run_id: int):
    run = _run(request, run_id)
    if run.status != RunStatus.SUCCEEDED:
        raise Http404("this run has no results")
    return {"run": RunOut.from_orm(run).dict(), "design": run.design, **run.results}
