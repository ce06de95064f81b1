"""Choice lists of the indicators app (stored values are English codes, labels are translated)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    REFRESH = "refresh", _("Analytics refresh")
    COMPUTE = "compute", _("Indicator computation")
    PUBLIC_STATISTICS = "statfin", _("Public statistics import")


class JobStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Direction(models.TextChoices):
    ABOVE = "above", _("above")
    BELOW = "below", _("below")


class AlertLevel(models.TextChoices):
    AREA = "area", _("Employment area")
    MUNICIPALITY = "municipality", _("Municipality")


class PeriodType(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
