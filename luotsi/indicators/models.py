"""Bookkeeping of the analytics store (refreshes, imports) and alert thresholds.

The indicator values themselves live in the analytics store (DuckDB), never in this database.
An :class:`AnalyticsJob` records each refresh, computation and public-statistics import (with the
source and retrieval time of imported statistics); an :class:`AlertThreshold` is set by area
management; an :class:`AlertCrossing` is written when a refresh finds a value beyond a threshold.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import AlertLevel, Direction, JobKind, JobStatus, PeriodType


class AnalyticsJob(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=JobKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    retrieved_at = models.DateTimeField(_("retrieved"), null=True, blank=True)
    events_inserted = models.BigIntegerField(_("events added"), default=0)
    high_water_mark = models.BigIntegerField(_("latest event id"), default=0)
    rows = models.BigIntegerField(_("rows"), default=0)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("analytics job")
        verbose_name_plural = _("analytics jobs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class AlertThreshold(models.Model):
    indicator = models.CharField(_("indicator"), max_length=20)
    level = models.CharField(
        _("level"), max_length=12, choices=AlertLevel.choices, default=AlertLevel.AREA
    )
    group_code = models.CharField(_("area or municipality code"), max_length=20)
    area_code = models.CharField(_("employment area"), max_length=20, db_index=True)
    period_type = models.CharField(
        _("period type"), max_length=8, choices=PeriodType.choices, default=PeriodType.MONTH
    )
    direction = models.CharField(
        _("alert when the value is"), max_length=5, choices=Direction.choices
    )
    value = models.FloatField(_("threshold"))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert threshold")
        verbose_name_plural = _("alert thresholds")
        ordering = ["indicator", "level", "group_code"]

    def __str__(self) -> str:
        return f"{self.indicator} {self.group_code} {self.direction} {self.value:g}"

    def crossed_by(self, value: float | None) -> bool:
        if value is None:
            return False
        return value > self.value if self.direction == Direction.ABOVE else value < self.value


class AlertCrossing(models.Model):
    threshold = models.ForeignKey(
        AlertThreshold, on_delete=models.CASCADE, related_name="crossings"
    )
    period_start = models.DateField(_("period"))
    value = models.FloatField(_("value"))
    job = models.ForeignKey(AnalyticsJob, on_delete=models.SET_NULL, null=True, related_name="+")
    detected_at = models.DateTimeField(_("detected"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-period_start", "threshold__indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["threshold", "period_start"], name="alert_crossing_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.threshold} {self.period_start:%Y-%m}: {self.value:g}"
