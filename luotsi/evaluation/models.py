"""An evaluation (a researcher's design) and its runs (immutable, versioned results and reports).

An :class:`Evaluation` says what is estimated: the outcome, the unit level, which units are
treated from when (a pilot or employment area of the reference data, time-valid, or an explicit
list), the comparison group, anticipation, estimators and inference settings. Each press of "run"
creates a new :class:`EvaluationRun` with the next version number; a finished run is never changed
(``services`` refuses), so a report once published stays reproducible from its fingerprint.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from luotsi.reference.models import PilotKind

from .choices import (
    ClusterLevel,
    ComparisonGroup,
    Estimator,
    MoveRule,
    OutcomeScale,
    PanelSource,
    RunStatus,
    TreatmentSource,
    UnitLevel,
)


def default_estimators() -> list[str]:
    return [Estimator.CS_DR.value]


class Evaluation(models.Model):
    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("evaluation question"))
    outcome = models.CharField(
        _("outcome"),
        max_length=80,
        help_text=_("An indicator code or the name of the outcome column of the panel."),
    )
    outcome_scale = models.CharField(
        _("outcome scale"),
        max_length=10,
        choices=OutcomeScale.choices,
        default=OutcomeScale.PERCENTAGE_POINTS,
    )
    unit_level = models.CharField(
        _("unit level"),
        max_length=12,
        choices=UnitLevel.choices,
        default=UnitLevel.MUNICIPALITY,
        help_text=_(
            "The panel's level: municipality-month, or person-month (pseudonymised persons, from "
            "a panel file or the journey log of the analytics store; treatment by the person's "
            "municipality at registration)."
        ),
    )
    panel_source = models.CharField(
        _("panel source"), max_length=14, choices=PanelSource.choices, default=PanelSource.FILE
    )
    panel_file = models.CharField(
        _("panel file"),
        max_length=500,
        blank=True,
        help_text=_(
            "Path of a CSV or Parquet file with the columns unit, time, first_treated, outcome, "
            "cluster (see the evaluation guide)."
        ),
    )
    period_start = models.CharField(
        _("first month"),
        max_length=7,
        blank=True,
        help_text=_("First month of a panel from the analytics store (YYYY-MM)."),
    )
    period_end = models.CharField(
        _("last month"),
        max_length=7,
        blank=True,
        help_text=_("Last month of a panel from the analytics store (YYYY-MM)."),
    )
    move_rule = models.CharField(
        _("treatment when a person moves"),
        max_length=12,
        choices=MoveRule.choices,
        default=MoveRule.REGISTRATION,
        help_text=_(
            "Person-month panels from the journey log: the municipality whose treatment a person "
            "takes. Treatment is absorbing: moving out of a treated municipality does not end it."
        ),
    )
    covariates = models.JSONField(
        _("person covariates"),
        default=list,
        blank=True,
        help_text=_(
            "Time-invariant person covariates for Callaway-Sant'Anna, from the registration that "
            "puts the person in the panel (person-month panels from the journey log)."
        ),
    )
    treatment_source = models.CharField(
        _("treated units from"),
        max_length=12,
        choices=TreatmentSource.choices,
        default=TreatmentSource.PILOT,
    )
    pilot = models.ForeignKey(
        "reference.Pilot",
        verbose_name=_("pilot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pilot_kind = models.CharField(
        _("pilot kind"), max_length=12, choices=PilotKind.choices, blank=True
    )
    area = models.ForeignKey(
        "reference.EmploymentArea",
        verbose_name=_("employment area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    treated_units = models.JSONField(
        _("explicit treated units"),
        default=list,
        blank=True,
        help_text=_('A list of {"unit": "491", "start": "2021-03"} (municipality code, month).'),
    )
    comparison = models.CharField(
        _("comparison group"),
        max_length=8,
        choices=ComparisonGroup.choices,
        default=ComparisonGroup.NEVER,
    )
    anticipation = models.PositiveSmallIntegerField(
        _("anticipation (months)"), default=0, validators=[MaxValueValidator(24)]
    )
    estimators = models.JSONField(_("estimators"), default=default_estimators)
    estimator_options = models.JSONField(
        _("estimator options"),
        default=dict,
        blank=True,
        help_text=_(
            'Per estimator group, e.g. {"imputation": {"leave_out": false}}; the defaults of '
            "every chosen estimator are stored with the evaluation."
        ),
    )
    bootstrap_draws = models.PositiveIntegerField(
        _("bootstrap draws"),
        default=999,
        validators=[MaxValueValidator(99_999)],
        help_text=_("0 gives analytic standard errors and no uniform bands."),
    )
    cluster_level = models.CharField(
        _("cluster level"),
        max_length=12,
        choices=ClusterLevel.choices,
        default=ClusterLevel.CLUSTER,
    )
    seed = models.PositiveIntegerField(
        _("random seed"), default=1, validators=[MinValueValidator(0)]
    )
    synth_unit = models.CharField(
        _("synthetic-control unit"),
        max_length=20,
        blank=True,
        help_text=_(
            "The treated municipality compared with the never-treated donors by synthetic "
            "control (empty: the only treated unit)."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class EvaluationRun(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="runs")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    progress_message = models.CharField(_("progress message"), max_length=200, blank=True)
    error = models.TextField(_("error message"), blank=True)
    design = models.JSONField(_("design at run time"), default=dict)
    fingerprint = models.CharField(_("input data fingerprint"), max_length=64, blank=True)
    results = models.JSONField(_("results"), null=True, blank=True)
    report_html = models.TextField(_("report (HTML)"), blank=True)
    report_pdf = models.CharField(_("report (PDF) path"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")
        ordering = ["evaluation", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "version"], name="evaluation_run_version")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} v{self.version}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)
