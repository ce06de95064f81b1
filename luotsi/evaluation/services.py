"""Writes of the evaluation app: define evaluations, start runs, execute them (the task body).

Runs are immutable once finished: :func:`execute_run` refuses a run that is not queued, and only
the task updates status, progress and results. Re-running an evaluation creates a new version.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import traceback
from importlib import metadata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from luotsi.core.services import audit

from . import options as opts
from .choices import (
    Estimator,
    MoveRule,
    PanelSource,
    PersonCovariate,
    RunStatus,
    TreatmentSource,
    UnitLevel,
)
from .models import Evaluation, EvaluationRun
from .option_fields import message as option_message
from .panel_file import COVARIATE_PREFIX, PanelData, read_panel_file
from .panel_person import read_person_panel
from .panel_store import read_store_panel
from .permissions import require_write
from .pipeline import RunSpec, estimate
from .treatment import apply_treatment, describe, store_query, treated_in, treatment_starts

log = logging.getLogger(__name__)

DESIGN_FIELDS = (
    "title",
    "question",
    "outcome",
    "outcome_scale",
    "unit_level",
    "panel_source",
    "panel_file",
    "period_start",
    "period_end",
    "move_rule",
    "covariates",
    "treatment_source",
    "pilot_id",
    "pilot_kind",
    "area_id",
    "treated_units",
    "comparison",
    "anticipation",
    "estimators",
    "estimator_options",
    "bootstrap_draws",
    "cluster_level",
    "seed",
    "synth_unit",
)
SOFTWARE = ("numpy", "scipy", "pandas", "pyarrow", "django", "luotsi")


@transaction.atomic
def create_evaluation(*, actor, **fields: Any) -> Evaluation:
    """Define an evaluation (evaluators only); fields are the model's, validated."""
    require_write(actor)
    evaluation = Evaluation(created_by=actor, **fields)
    _validate(evaluation)
    evaluation.save()
    audit(actor=actor, action="create", obj=evaluation, summary=evaluation.title)
    return evaluation


def _validate(evaluation: Evaluation) -> None:
    evaluation.full_clean(exclude=["created_by"])
    estimators = evaluation.estimators
    known = set(Estimator.values)
    if not isinstance(estimators, list) or not estimators or set(estimators) - known:
        raise ValidationError({"estimators": _("Choose at least one known estimator.")})
    errors: dict[str, str] = {}
    if evaluation.panel_source == PanelSource.FILE:
        if not evaluation.panel_file:
            errors["panel_file"] = _("Give the path of the panel file.")
    else:
        if (
            evaluation.panel_source == PanelSource.STORE_PUBLIC
            and evaluation.unit_level != UnitLevel.MUNICIPALITY
        ):
            errors["unit_level"] = _(
                "Public statistics are by municipality: choose the municipality level, or the "
                "journey log for a person-month panel."
            )
        if evaluation.treatment_source == TreatmentSource.PANEL:
            errors["treatment_source"] = _(
                "A panel from the analytics store has no treatment column: choose a pilot, "
                "a pilot kind, an employment area or a list."
            )
        for name in ("period_start", "period_end"):
            if not _is_month(getattr(evaluation, name)):
                errors[name] = _("Write a month as YYYY-MM, e.g. 2021-03.")
        if not errors and evaluation.period_end < evaluation.period_start:
            errors["period_end"] = _("The last month is before the first month.")
    errors.update(_check_person_design(evaluation))
    try:
        evaluation.estimator_options = opts.normalise(evaluation.estimator_options, estimators)
    except opts.OptionError as exc:
        errors["estimator_options"] = option_message(exc)
    if evaluation.unit_level == UnitLevel.PERSON and Estimator.SYNTH in estimators:
        errors["estimators"] = _(
            "Synthetic control compares one treated municipality with a weighted combination of "
            "untreated municipalities, so it needs a municipality-month panel: choose the "
            "municipality level or leave synthetic control out."
        )
    if errors:
        raise ValidationError(errors)


def _check_person_design(evaluation: Evaluation) -> dict[str, str]:
    """Covariates and the move rule need a person-month panel from the journey log; the
    covariates are used by Callaway-Sant'Anna only. Normalises the covariate list."""
    errors: dict[str, str] = {}
    from_journeys = (
        evaluation.unit_level == UnitLevel.PERSON
        and evaluation.panel_source == PanelSource.STORE_EVENTS
    )
    if evaluation.move_rule == MoveRule.RESIDENCE and not from_journeys:
        errors["move_rule"] = _(
            "Moves can be followed only in a person-month panel from the journey log: choose "
            "the person level and the journey log, or the municipality at registration."
        )
    covariates = evaluation.covariates
    if not isinstance(covariates, list) or not all(isinstance(c, str) for c in covariates):
        errors["covariates"] = _("Give the person covariates as a list of names.")
        return errors
    unknown = sorted(set(covariates) - set(PersonCovariate.values))
    if unknown:
        errors["covariates"] = _("Unknown person covariates: %(names)s (known: %(known)s).") % {
            "names": ", ".join(unknown),
            "known": ", ".join(PersonCovariate.values),
        }
    elif covariates and not from_journeys:
        errors["covariates"] = _(
            "Person covariates come from the journey log of the analytics store: choose the "
            "person level and the journey log as the panel source, or leave them out."
        )
    elif covariates and not any(opts.group_of(e) == "cs" for e in evaluation.estimators or []):
        errors["covariates"] = _(
            "Only Callaway-Sant'Anna uses covariates: choose one of its methods or leave the "
            "covariates out."
        )
    evaluation.covariates = [c for c in PersonCovariate.values if c in covariates]
    return errors


def _is_month(text: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(f"{text}-01")
    except (TypeError, ValueError):
        return False
    return len(text) == 7


def design_snapshot(evaluation: Evaluation) -> dict[str, Any]:
    return {name: getattr(evaluation, name) for name in DESIGN_FIELDS}


@transaction.atomic
def create_run(*, actor, evaluation: Evaluation) -> EvaluationRun:
    """A new queued run with the next version number and a snapshot of the design."""
    require_write(actor)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    last = evaluation.runs.aggregate(v=Max("version"))["v"] or 0
    run = EvaluationRun.objects.create(
        evaluation=evaluation,
        version=last + 1,
        design=design_snapshot(evaluation),
        requested_by=actor,
        progress_message="queued",
    )
    audit(actor=actor, action="run", obj=run, summary=f"{evaluation.title} v{run.version}")
    return run


def start_run(*, actor, evaluation: Evaluation) -> EvaluationRun:
    """Create the next run version and enqueue the background task that executes it."""
    from .tasks import run_evaluation

    with transaction.atomic():
        run = create_run(actor=actor, evaluation=evaluation)
    run_evaluation.enqueue(run.pk)
    run.refresh_from_db()
    return run


def _progress(run: EvaluationRun, percent: int, message: str) -> None:
    run.progress, run.progress_message = percent, message[:200]
    EvaluationRun.objects.filter(pk=run.pk).update(progress=percent, progress_message=message[:200])


def execute_run(run_id: int) -> EvaluationRun:
    """The task body: build the panel, estimate, render the reports. Never raises for bad input;
    the error is recorded on the run (status failed) with a clear message."""
    claimed = EvaluationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=1
    )
    run = EvaluationRun.objects.select_related("evaluation").get(pk=run_id)
    if not claimed:
        raise ValueError(f"evaluation run {run_id} is {run.status}, not queued; runs are immutable")
    try:
        results = _compute(run)
        _progress(run, 85, "rendering the report")
        from .report import render_report, write_pdf

        run.results = results
        run.fingerprint = results["fingerprint"]
        run.finished_at = timezone.now()
        run.report_html = render_report(run, settings.LANGUAGE_CODE)
        run.report_pdf = write_pdf(run, settings.LANGUAGE_CODE) or ""
        run.status = RunStatus.SUCCEEDED
    except Exception as exc:  # every failure is recorded on the run
        log.warning("evaluation run %s failed:\n%s", run_id, traceback.format_exc())
        run.status = RunStatus.FAILED
        run.error = _error_message(exc)
    run.progress, run.finished_at = 100, run.finished_at or timezone.now()
    run.progress_message = "done" if run.status == RunStatus.SUCCEEDED else "failed"
    run.save()
    return run


def _error_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return f"{type(exc).__name__}: {exc}"


def _compute(run: EvaluationRun) -> dict[str, Any]:
    evaluation = run.evaluation
    design = run.design
    _progress(run, 5, "reading the panel")
    panel, treated, frame, notes = _panel(evaluation, design)
    _progress(run, 10, "treatment assigned")
    spec = RunSpec(
        estimators=tuple(design["estimators"]),
        comparison=design["comparison"],
        anticipation=int(design["anticipation"]),
        bootstrap=int(design["bootstrap_draws"]),
        cluster_level=design["cluster_level"],
        seed=int(design["seed"]),
        synth_unit=design.get("synth_unit") or "",
        unit_level=design["unit_level"],
        options=design.get("estimator_options") or {},
        covariates=tuple(c for c in frame.columns if str(c).startswith(COVARIATE_PREFIX))
        if design.get("covariates")
        else (),
    )
    results = estimate(frame, spec, lambda p, m: _progress(run, p, m))
    treated_rows = describe(treated)
    by_municipality = design["unit_level"] == UnitLevel.MUNICIPALITY
    from_store = design.get("panel_source", PanelSource.FILE) != PanelSource.FILE
    results["treated"] = treated_rows if by_municipality or from_store else []
    results["treated_municipalities"] = len(treated_rows)
    results["monthly"] = panel.monthly
    results["panel_notes"] = list(notes)
    results["panel_source"] = design.get("panel_source") or PanelSource.FILE.value
    results["software"] = software_versions()
    results["fingerprint"] = fingerprint(panel.fingerprint, treated_rows, design)
    return results


def _panel(evaluation: Evaluation, design: dict[str, Any]):
    """The panel, the treated municipalities (for the report) and the frame to estimate on."""
    source = design.get("panel_source") or PanelSource.FILE
    if source == PanelSource.FILE:
        panel = read_panel_file(design["panel_file"], design["outcome"])
        treated = treatment_starts(evaluation)
        return panel, treated, apply_treatment(panel, treated, design["unit_level"]), ()
    query = store_query(evaluation)
    explicit = evaluation.treatment_source == TreatmentSource.EXPLICIT
    person = design["unit_level"] == UnitLevel.PERSON
    if person:  # from the journey log (the public statistics are refused)
        read = read_person_panel
        query["move_rule"] = design.get("move_rule") or MoveRule.REGISTRATION.value
        query["covariates"] = list(design.get("covariates") or ())
        if explicit:  # applied by the panel builder, which may follow moves
            query["starts"] = {t.code: t.start for t in treatment_starts(evaluation)}
    else:
        read = read_store_panel
        query["source"] = "public" if source == PanelSource.STORE_PUBLIC else "events"
    panel, notes = read(
        settings.ANALYTICS_PATH,
        outcome=design["outcome"],
        start=design["period_start"],
        end=design["period_end"],
        cluster_level=design["cluster_level"],
        **query,
    )
    if explicit and not person:
        frame = apply_treatment(panel, treatment_starts(evaluation), UnitLevel.MUNICIPALITY)
    else:
        frame = panel.frame
    treated = treated_in(frame, panel.starts)
    if not treated:
        raise ValueError(_("The chosen treatment has no treated municipalities."))
    return PanelData(frame, panel.monthly, panel.fingerprint, panel.source), treated, frame, notes


def fingerprint(file_sha256: str, treated: list[dict], design: dict[str, Any]) -> str:
    """sha256 over the panel file, the treatment assignment and the design: equal fingerprints
    mean the same inputs, so the same results."""
    payload = json.dumps(
        {"panel": file_sha256, "treated": treated, "design": design}, sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def software_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in SOFTWARE:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "?"
    return out
