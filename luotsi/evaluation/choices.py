"""Choice lists of the evaluation app (stored values are English codes, labels are translated)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    PERSON = "person", _("Person (pseudonymised)")


class PanelSource(models.TextChoices):
    FILE = "file", _("Panel file (CSV or Parquet)")
    STORE_PUBLIC = "store_public", _("Analytics store: public statistics by municipality and month")
    STORE_EVENTS = (
        "store_events",
        _("Analytics store: journey log by month, municipality or person level"),
    )


class MoveRule(models.TextChoices):
    """Which municipality treats a person in a person-month panel from the journey log."""

    REGISTRATION = "registration", _("Municipality at registration (moves are not followed)")
    RESIDENCE = (
        "residence",
        _(
            "Municipality of residence each month (treated from the first month of living in a "
            "treated municipality)"
        ),
    )


class PersonCovariate(models.TextChoices):
    """Time-invariant person covariates of the analytics store, at the registration that puts
    the person in the panel (Callaway-Sant'Anna; categories become indicator columns)."""

    AGE_BAND = "age_band", _("Age band at registration")
    SEX = "sex", _("Sex")
    LANGUAGE_GROUP = "language_group", _("Language group")
    EDUCATION_LEVEL = "education_level", _("Education level")
    FOREIGN_NATIONAL = "foreign_national", _("Foreign national")


class TreatmentSource(models.TextChoices):
    PILOT = "pilot", _("Pilot membership in the reference data")
    PILOT_KIND = "pilot_kind", _("Every pilot of one kind in the reference data")
    AREA = "area", _("Employment area membership in the reference data")
    EXPLICIT = "explicit", _("Explicit list of treated municipalities and start months")
    PANEL = "panel", _("The first_treated column of the panel file")


class ComparisonGroup(models.TextChoices):
    NEVER = "never", _("Never treated")
    NOT_YET = "notyet", _("Not yet treated")


class ClusterLevel(models.TextChoices):
    UNIT = "unit", _("Unit (no clustering)")
    CLUSTER = "cluster", _("Cluster column of the panel")
    MUNICIPALITY = "municipality", _("Municipality")


class OutcomeScale(models.TextChoices):
    PERCENTAGE_POINTS = "pp", _("Percentage points")
    PERSONS = "persons", _("Persons")
    VALUE = "value", _("Units of the outcome")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED)


class Estimator(models.TextChoices):
    """Estimators an evaluation can choose (the first chosen one gives the main estimates)."""

    CS_DR = "cs_dr", _("Callaway-Sant'Anna, doubly robust")
    CS_REG = "cs_reg", _("Callaway-Sant'Anna, outcome regression")
    CS_IPW = "cs_ipw", _("Callaway-Sant'Anna, inverse probability weighting")
    SUNAB = "sunab", _("Sun-Abraham interaction-weighted event study")
    IMPUTATION = "imputation", _("Imputation (Borusyak-Jaravel-Spiess)")
    TWFE = "twfe", _("Two-way fixed effects with the Goodman-Bacon decomposition")
    WILD = "wild", _("Two-way fixed effects with the wild cluster bootstrap (few clusters)")
    SYNTH = "synth", _("Synthetic control for one treated unit")
