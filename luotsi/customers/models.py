"""Customers and case work: periods of job search, the one responsible worker, assessments, the
employment plan (versioned), meetings, contacts, job-search follow-up, reminders.

State tables serve the screens; every change also writes a journey event (see services.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from luotsi.core.choices import choices, max_length
from luotsi.kernel import codes


class Customer(models.Model):
    """A job seeker known to an employment area. Identity fields are personal data (reads logged)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    personal_identity_code = models.CharField(
        _("personal identity code"), max_length=11, unique=True
    )
    first_name = models.CharField(_("first names"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=max_length(codes.Sex), choices=choices(codes.Sex))
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    municipality = models.ForeignKey(
        "reference.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    area_code = models.CharField(_("employment area"), max_length=4, db_index=True)
    language_group = models.CharField(
        _("mother tongue"),
        max_length=max_length(codes.LanguageGroup),
        choices=choices(codes.LanguageGroup),
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("Other languages spoken.")
    )
    preferred_language = models.CharField(
        _("language of service"),
        max_length=2,
        choices=[("fi", "suomi"), ("sv", "svenska"), ("en", "English")],
        default="fi",
    )
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    interpreter_language = models.CharField(_("interpreter language"), max_length=50, blank=True)
    education_level = models.CharField(
        _("education"),
        max_length=max_length(codes.EducationLevel),
        choices=choices(codes.EducationLevel),
        default=codes.EducationLevel.UNKNOWN,
    )
    foreign_national = models.BooleanField(_("foreign national"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    synthetic = models.BooleanField(
        default=False, editable=False, help_text="made by the synthetic generator"
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}"

    def open_enrolment(self) -> Enrolment | None:
        return self.enrolments.filter(ended_on__isnull=True).first()


class Enrolment(models.Model):
    """One job-search period in an employment area (registration to exit)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="enrolments")
    area_code = models.CharField(_("employment area"), max_length=4)
    registered_on = models.DateField(_("registered on"))
    reason = models.CharField(
        _("registration reason"),
        max_length=max_length(codes.RegistrationReason),
        choices=choices(codes.RegistrationReason),
    )
    status = models.CharField(
        _("labour-market status"),
        max_length=max_length(codes.LabourMarketStatus),
        choices=choices(codes.LabourMarketStatus),
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    exit_reason = models.CharField(
        _("exit reason"),
        max_length=max_length(codes.ExitReason),
        choices=choices(codes.ExitReason),
        blank=True,
    )

    class Meta:
        verbose_name = _("job-search period")
        verbose_name_plural = _("job-search periods")
        ordering = ["-registered_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(ended_on__isnull=True), name="one_open_enrolment"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("registered_on")),
                name="enrolment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registered_on:%d.%m.%Y}–{self.ended_on or ''}"


class Responsibility(models.Model):
    """Who is responsible for the customer from when to when; exactly one current row per open period."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="responsibilities"
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="responsibilities"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibilities",
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=20)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(ends_at__isnull=True),
                name="one_current_responsibility",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker or self.organisation} {self.starts_at:%d.%m.%Y}"


class Assessment(models.Model):
    """A life-situation assessment (elämäntilanteen arviointi): scores 1-5 per dimension."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="assessments")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="assessments")
    sequence = models.PositiveSmallIntegerField()
    assessed_on = models.DateField(_("assessed on"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["customer", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "sequence"], name="assessment_sequence")
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.assessed_on:%d.%m.%Y}"


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    dimension = models.CharField(
        max_length=max_length(codes.AssessmentDimension), choices=choices(codes.AssessmentDimension)
    )
    worker_score = models.PositiveSmallIntegerField(null=True, blank=True)
    customer_score = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "dimension"], name="one_score_per_dimension"
            ),
            models.CheckConstraint(
                condition=Q(worker_score__gte=1, worker_score__lte=5)
                | Q(worker_score__isnull=True),
                name="worker_score_1_5",
            ),
            models.CheckConstraint(
                condition=Q(customer_score__gte=1, customer_score__lte=5)
                | Q(customer_score__isnull=True),
                name="customer_score_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.worker_score}/{self.customer_score}"


class EmploymentPlan(models.Model):
    """The employment plan of one period; its content is versioned in :class:`PlanVersion`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="plans")
    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="plan")
    goal = models.TextField(_("goal"), blank=True)
    agreed = models.BooleanField(_("agreed with the customer"), default=False)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    review_due_on = models.DateField(_("review due on"), null=True, blank=True)
    applications_required = models.PositiveSmallIntegerField(
        _("applications required per month"),
        default=4,
        help_text=_("Job-search obligation: as a rule 4 a month (0–4)."),
    )
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("employment plan")
        verbose_name_plural = _("employment plans")

    def __str__(self) -> str:
        return f"{self.customer} v{self.version}"


class PlanTask(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(EmploymentPlan, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(
        _("kind"), max_length=max_length(codes.PlanTaskKind), choices=choices(codes.PlanTaskKind)
    )
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=max_length(codes.PlanTaskStatus),
        choices=choices(codes.PlanTaskStatus),
        default=codes.PlanTaskStatus.PLANNED,
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    # The referral (ecosystem.Referral, UUID pk) this task is served by. Kept as a plain UUID so the
    # case-work schema does not depend on the ecosystem app's migrations; see ``referral``.
    referral_id = models.UUIDField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def referral(self):
        """The linked ecosystem.Referral, or None."""
        if self.referral_id is None:
            return None
        from luotsi.ecosystem.models import Referral

        return Referral.objects.filter(pk=self.referral_id).first()


class PlanVersion(models.Model):
    """An immutable snapshot of the plan (goal, terms and tasks) each time it is saved."""

    plan = models.ForeignKey(EmploymentPlan, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    saved_at = models.DateTimeField(auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    content = models.JSONField()

    class Meta:
        ordering = ["plan", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "version"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class Meeting(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="meetings")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="meetings")
    meeting_type = models.CharField(
        _("meeting type"),
        max_length=max_length(codes.MeetingType),
        choices=choices(codes.MeetingType),
    )
    channel = models.CharField(
        _("channel"),
        max_length=max_length(codes.ContactChannel),
        choices=choices(codes.ContactChannel),
    )
    scheduled_for = models.DateTimeField(_("time"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("cancellation reason"),
        max_length=max_length(codes.MeetingCancelReason),
        choices=choices(codes.MeetingCancelReason),
        blank=True,
    )
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-scheduled_for"]

    def __str__(self) -> str:
        return f"{self.meeting_type} {self.scheduled_for:%d.%m.%Y}"


class Contact(models.Model):
    """A note or contact with the customer; the text stays here, never in the journey log."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(
        _("channel"),
        max_length=max_length(codes.ContactChannel),
        choices=choices(codes.ContactChannel),
    )
    text = models.TextField(_("note"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.channel} {self.at:%d.%m.%Y}"


class JobSearchReport(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="job_search_reports"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    applications = models.PositiveSmallIntegerField(_("applications made"))
    applications_required = models.PositiveSmallIntegerField(_("applications required"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "period_start"], name="one_report_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_start}: {self.applications}/{self.applications_required}"


class Reminder(models.Model):
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField(_("due on"))
    text = models.CharField(_("reminder"), max_length=300)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return self.text


class SavedFilter(models.Model):
    """A worker's saved caseload filter (a query string)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=500)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_name")]

    def __str__(self) -> str:
        return self.name
