"""The journey log: one immutable, typed domain event per state change of case work.

The contract of each kind (payload fields, meaning, version) is ``luotsi.kernel.journey.KINDS``.
Rows are append-only: ``save()`` refuses updates, ``delete()`` refuses, and database triggers
(see migration 0002) reject UPDATE and DELETE even from raw SQL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImmutableEventError(RuntimeError):
    pass


class JourneyEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    schema_version = models.PositiveSmallIntegerField(_("schema version"))
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    # No foreign key: the log outlives erasure of a customer's case file (pseudonymised later).
    customer_id = models.UUIDField(_("customer"), null=True, blank=True, db_index=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    municipality_code = models.CharField(_("municipality"), max_length=3, blank=True)
    payload = models.JSONField(_("payload"), default=dict)

    class Meta:
        verbose_name = _("journey event")
        verbose_name_plural = _("journey events")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["customer_id", "occurred_at"], name="journey_customer_time")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.occurred_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableEventError("journey events are immutable; record a new event instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEventError("journey events cannot be deleted")
