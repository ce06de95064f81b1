"""Reads of the evaluation app, scoped by role (evaluators, area management, administrators)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Evaluation, EvaluationRun
from .permissions import require_read


def evaluations_for(user) -> QuerySet[Evaluation]:
    require_read(user)
    return Evaluation.objects.select_related("created_by", "pilot", "area")


def evaluation_for(user, pk: int) -> Evaluation:
    return get_object_or_404(evaluations_for(user), pk=pk)


def runs_of(user, evaluation: Evaluation) -> QuerySet[EvaluationRun]:
    require_read(user)
    return evaluation.runs.defer("report_html", "results").order_by("-version")


def run_for(user, pk: int) -> EvaluationRun:
    require_read(user)
    return get_object_or_404(EvaluationRun.objects.select_related("evaluation"), pk=pk)
