"""Cross-cutting models: organisations and their units, users, the audit trail and the read log.

Organisations live here rather than in ``ecosystem`` because every user belongs to one and every
permission check starts from it (ADR 0004). The ecosystem app adds alliances, the service catalogue,
referrals and consent on top of these.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from luotsi.kernel.codes import OrganisationType

from .choices import choices, max_length
from .validators import validate_business_id


class Organisation(models.Model):
    """An organisation that serves customers: the area itself, a municipality, Kela, an NGO..."""

    name = models.CharField(_("name"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    type = models.CharField(
        _("type"), max_length=max_length(OrganisationType), choices=choices(OrganisationType)
    )
    business_id = models.CharField(
        _("business ID"),
        max_length=9,
        blank=True,
        null=True,
        unique=True,
        validators=[validate_business_id],
        help_text=_("Y-tunnus, e.g. 0201256-6"),
    )
    employment_area_code = models.CharField(
        _("employment area"),
        max_length=4,
        blank=True,
        help_text=_("Code of the employment area this organisation works in or belongs to."),
    )
    municipality_code = models.CharField(_("municipality"), max_length=3, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def localised_name(self, language: str) -> str:
        return {"sv": self.name_sv, "en": self.name_en}.get(language) or self.name

    @property
    def is_area_organisation(self) -> bool:
        return self.type in (OrganisationType.EMPLOYMENT_AREA, OrganisationType.MUNICIPALITY)


class Unit(models.Model):
    """A team or office inside an organisation; caseloads are balanced per team."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unit_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class User(AbstractUser):
    """A person who signs in: a worker of the area, a partner worker, an evaluator..."""

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    fte = models.DecimalField(
        _("full-time equivalent"),
        max_digits=3,
        decimal_places=2,
        default=1,
        help_text=_("Share of full working time spent on case work (for caseload per FTE)."),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=[("fi", "suomi"), ("sv", "svenska"), ("en", "English")],
        default="fi",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def employment_area_code(self) -> str:
        return self.organisation.employment_area_code if self.organisation else ""


class AuditEntry(models.Model):
    """Who changed what and when, for administrative data (reference data, users, catalogue).

    Case work is audited by the journey log; this table covers everything else. Rows are
    immutable (see migrations: database triggers reject UPDATE and DELETE).
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"


class PersonalDataRead(models.Model):
    """One read of a customer's personal data: who, when, which customer, why, which fields."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    customer_id = models.UUIDField(db_index=True)
    purpose = models.CharField(max_length=80)
    fields = models.JSONField(default=list, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    request_id = models.UUIDField(default=uuid.uuid4, editable=False)
    # Which page or API endpoint read the data: the URL name (e.g. ``customers:detail``) and the
    # method and path of the request. Nullable without a default, so adding the columns keeps
    # the append-only triggers (SQLite adds them in place instead of rebuilding the table).
    view = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    path = models.CharField(max_length=500, null=True, blank=True)  # noqa: DJ001

    class Meta:
        verbose_name = _("personal data read")
        verbose_name_plural = _("personal data reads")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.purpose}"
