"""The service ecosystem: alliances, the service catalogue, consents, referrals with progress
reports, handovers of responsibility, and customers' self-service accounts.

Organisations and units live in ``core`` (ADR 0004). State tables here serve the screens; every
change also writes a journey event (see ``services``). State changes happen only in services.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from luotsi.core.choices import choices, max_length
from luotsi.kernel.codes import HandoverStatus, ReferralOutcome, ReferralStatus

from .choices import ConsentPurpose, ServiceLanguage, TargetGroup


class Alliance(models.Model):
    """An alliance agreement: organisations pooling resources for a period (allianssimalli)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    area_code = models.CharField(_("employment area"), max_length=4, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True, help_text=_("Last day."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="alliance_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def active_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class AllianceMember(models.Model):
    """One organisation's part in an alliance: what it brings and its budget for the period."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="alliance_memberships"
    )
    resources = models.TextField(_("pooled resources"), blank=True)
    budget_eur = models.DecimalField(_("budget (EUR)"), max_digits=12, decimal_places=2, default=0)
    person_years = models.DecimalField(_("person-years"), max_digits=6, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("alliance member")
        verbose_name_plural = _("alliance members")
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organisation"], name="alliance_member_once"
            ),
            models.CheckConstraint(condition=Q(budget_eur__gte=0), name="alliance_budget_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} / {self.alliance}"


class ServiceOffering(models.Model):
    """A service in the catalogue (palvelutarjotin). Integer id: journey events carry it."""

    provider = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="offerings",
        verbose_name=_("provider"),
    )
    alliance = models.ForeignKey(
        Alliance,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offerings",
        verbose_name=_("alliance"),
    )
    name = models.CharField(_("name"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_sv = models.TextField(_("description in Swedish"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    target_group = models.CharField(
        _("target group"), max_length=30, choices=TargetGroup.choices, default=TargetGroup.ALL
    )
    eligibility = models.TextField(_("eligibility"), blank=True)
    municipalities = models.ManyToManyField(
        "reference.Municipality",
        related_name="+",
        blank=True,
        verbose_name=_("municipalities served"),
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty = not limited.")
    )
    cost_per_participant = models.DecimalField(
        _("cost per participant (EUR)"), max_digits=10, decimal_places=2, default=0
    )
    duration_weeks = models.PositiveSmallIntegerField(_("duration (weeks)"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=ServiceLanguage.choices,
        default=ServiceLanguage.FINNISH,
    )
    active_from = models.DateField(_("active from"))
    active_to = models.DateField(_("active to"), null=True, blank=True, help_text=_("Last day."))
    is_public = models.BooleanField(
        _("shown to customers"), default=True, help_text=_("Listed in the public catalogue.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service offering")
        verbose_name_plural = _("service offerings")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="offering_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.localised_name()

    def localised_name(self, language: str | None = None) -> str:
        lang = (language or get_language() or "fi")[:2]
        return {"sv": self.name_sv, "en": self.name_en}.get(lang) or self.name

    def localised_description(self, language: str | None = None) -> str:
        lang = (language or get_language() or "fi")[:2]
        return {"sv": self.description_sv, "en": self.description_en}.get(lang) or self.description


class Consent(models.Model):
    """A customer's consent to share listed data with one organisation for one purpose.

    Versioned: giving a new consent for the same customer, recipient and purpose supersedes the
    previous version (``superseded_at``). Revocation sets ``revoked_at``; the row is kept.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="consents"
    )
    recipient = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="consents_received",
        verbose_name=_("recipient"),
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=ConsentPurpose.choices)
    version = models.PositiveIntegerField(default=1)
    shared_fields = models.JSONField(_("shared data"), default=list)
    given_at = models.DateTimeField(default=timezone.now)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "recipient", "purpose", "version"],
                name="consent_version_unique",
            ),
            models.UniqueConstraint(
                fields=["customer", "recipient", "purpose"],
                condition=Q(superseded_at__isnull=True, revoked_at__isnull=True),
                name="one_current_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} / {self.purpose} v{self.version}"

    def is_active(self, day=None) -> bool:
        day = day or timezone.localdate()
        return (
            self.revoked_at is None
            and self.superseded_at is None
            and (self.valid_until is None or day <= self.valid_until)
        )


class Referral(models.Model):
    """A referral of a customer to a service offering (ohjaus palveluun)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="referrals"
    )
    offering = models.ForeignKey(
        ServiceOffering, on_delete=models.PROTECT, related_name="referrals"
    )
    provider = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="referrals_received"
    )
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sender_organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    task = models.ForeignKey(
        "customers.PlanTask",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("plan task"),
    )
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    status = models.CharField(
        _("status"),
        max_length=max_length(ReferralStatus),
        choices=choices(ReferralStatus),
        default=ReferralStatus.DRAFT,
    )
    message = models.TextField(_("message to the provider"), blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=max_length(ReferralOutcome),
        choices=choices(ReferralOutcome),
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["provider", "status"])]

    def __str__(self) -> str:
        return f"{self.offering} ({self.get_status_display()})"


class ProgressReport(models.Model):
    """A provider's report on how the customer is doing in the service (text and date)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_on = models.DateField(_("date"))
    text = models.TextField(_("report"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["reported_on", "id"]

    def __str__(self) -> str:
        return f"{self.reported_on:%d.%m.%Y}"


class ReportComment(models.Model):
    """The customer's comment on a progress report; ``disputes`` marks a disagreement."""

    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    disputes = models.BooleanField(_("I dispute this report"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Handover(models.Model):
    """An offer of responsibility for a customer to another worker, team or organisation.

    Until the receiver accepts, the sender stays responsible (the customer's Responsibility row is
    untouched); acceptance calls ``customers.services.transfer_responsibility``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="handovers"
    )
    from_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    to_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to worker"),
    )
    to_unit = models.ForeignKey(
        "core.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to team"),
    )
    to_organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to organisation"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(
        _("status"),
        max_length=max_length(HandoverStatus),
        choices=choices(HandoverStatus),
        default=HandoverStatus.REQUESTED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    deadline_on = models.DateField(_("accept by"))
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    acknowledged_at = models.DateTimeField(
        null=True, blank=True, help_text="when the sender dismissed the alert of an expiry/decline"
    )

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status=HandoverStatus.REQUESTED),
                name="one_open_handover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} -> {self.to_worker or self.to_unit or self.to_organisation}"


class CustomerAccount(models.Model):
    """Links a sign-in user to the customer they are (digital self-service at /me/)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_account"
    )
    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.PROTECT, related_name="account"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer account")
        verbose_name_plural = _("customer accounts")

    def __str__(self) -> str:
        return str(self.user)
