"""Writes of case work. Keyword-only, ``actor`` first, atomic; every change writes a journey event.

Rules enforced here (each raises :class:`CaseWorkError` before anything is written):
one open job-search period per customer; exactly one current responsible party while a period is
open; assessments use the 1-5 scale; plans are versioned; meetings move scheduled -> held |
cancelled; only area staff of the customer's area may act (see ``permissions``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luotsi.journey.services import record_event
from luotsi.kernel import codes
from luotsi.reference import selectors as reference

from . import identity
from .errors import CaseWorkError
from .models import (
    Assessment,
    AssessmentScore,
    Contact,
    Customer,
    EmploymentPlan,
    Enrolment,
    JobSearchReport,
    Meeting,
    PlanTask,
    PlanVersion,
    Reminder,
    Responsibility,
    SavedFilter,
)
from .permissions import require_area_staff

HELSINKI = dt.timezone(dt.timedelta(hours=2))


def _at(day: dt.date | None) -> dt.datetime:
    """The moment to log for something that happened on ``day`` (now if today or unknown)."""
    now = timezone.now()
    if day is None or day >= timezone.localdate():
        return now
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _event(kind: str, *, actor, customer: Customer, occurred_at=None, **payload) -> None:
    record_event(
        kind,
        actor=actor,
        customer_id=customer.pk,
        organisation_id=getattr(actor, "organisation_id", None),
        municipality_code=customer.municipality.code,
        occurred_at=occurred_at,
        payload=payload,
    )


def _open_enrolment(customer: Customer) -> Enrolment:
    enrolment = customer.open_enrolment()
    if enrolment is None:
        raise CaseWorkError(
            _("%(customer)s has no open job-search period.") % {"customer": customer}
        )
    return enrolment


def find_duplicates(personal_identity_code: str) -> Customer | None:
    """Search before create: the existing customer with this identity code, if any."""
    return Customer.objects.filter(
        personal_identity_code=identity.normalise(personal_identity_code)
    ).first()


@transaction.atomic
def register_customer(
    *,
    actor,
    personal_identity_code: str,
    first_name: str,
    last_name: str,
    registered_on: dt.date,
    municipality_code: str | None = None,
    postal_code: str = "",
    reason: str = codes.RegistrationReason.NEW,
    status: str = codes.LabourMarketStatus.UNEMPLOYED,
    worker=None,
    synthetic: bool = False,
    **details: Any,
) -> Customer:
    """Create a customer and open their first job-search period with a responsible worker.

    The municipality comes from ``municipality_code`` or else from the postal code. Raises if the
    identity code is invalid or already belongs to a customer (re-register them instead).
    """
    code = identity.normalise(personal_identity_code)
    if Customer.objects.filter(personal_identity_code=code).exists():
        raise CaseWorkError(
            _(
                "A customer with this personal identity code already exists; open a new period for them instead."
            ),
            code="duplicate",
        )
    municipality = None
    if municipality_code:
        municipality = (
            reference.municipalities_on(registered_on)
            .filter(code=municipality_code.zfill(3))
            .first()
        )
    elif postal_code:
        municipality = reference.municipality_from_postal_code(postal_code)
    if municipality is None:
        raise CaseWorkError(
            _("Give a municipality of residence or a postal code that Luotsi knows."),
            code="municipality",
        )
    area = reference.area_of(municipality.code, registered_on)
    if area is None:
        raise CaseWorkError(
            _("%(municipality)s belonged to no employment area on %(day)s.")
            % {"municipality": municipality.name_fi, "day": registered_on.strftime("%d.%m.%Y")}
        )
    require_area_staff(actor, area.code)
    customer = Customer(
        personal_identity_code=code,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        birth_date=identity.birth_date(code),
        sex=details.pop("sex", None) or identity.sex(code),
        municipality=municipality,
        postal_code=postal_code,
        area_code=area.code,
        synthetic=synthetic,
        **details,
    )
    customer.full_clean()
    customer.save()
    _open_period(
        actor=actor,
        customer=customer,
        registered_on=registered_on,
        reason=reason,
        status=status,
        worker=worker or actor,
    )
    return customer


def _open_period(
    *, actor, customer: Customer, registered_on: dt.date, reason: str, status: str, worker
) -> Enrolment:
    enrolment = Enrolment.objects.create(
        customer=customer,
        area_code=customer.area_code,
        registered_on=registered_on,
        reason=reason,
        status=status,
    )
    _event(
        "customer.registered",
        actor=actor,
        customer=customer,
        occurred_at=_at(registered_on),
        enrolment_id=enrolment.pk,
        registered_on=registered_on,
        reason=reason,
        area_code=customer.area_code,
        birth_year=customer.birth_date.year,
        sex=customer.sex,
        language_group=customer.language_group,
        education_level=customer.education_level,
        status=status,
        foreign_national=customer.foreign_national,
    )
    _start_responsibility(
        actor=actor,
        customer=customer,
        enrolment=enrolment,
        worker=worker,
        organisation=worker.organisation,
        unit=worker.unit,
        reason="initial",
        previous=None,
    )
    return enrolment


@transaction.atomic
def reregister(
    *,
    actor,
    customer: Customer,
    registered_on: dt.date,
    reason: str = codes.RegistrationReason.REREGISTRATION,
    status: str = codes.LabourMarketStatus.UNEMPLOYED,
    worker=None,
) -> Enrolment:
    """Open a new job-search period for a returning customer; the old periods stay as history."""
    require_area_staff(actor, customer.area_code)
    if customer.open_enrolment() is not None:
        raise CaseWorkError(
            _("%(customer)s already has an open job-search period.") % {"customer": customer},
            code="open",
        )
    last = customer.enrolments.order_by("-registered_on").first()
    if last and last.ended_on and registered_on < last.ended_on:
        raise CaseWorkError(
            _("The new period cannot start before the previous one ended (%(day)s).")
            % {"day": last.ended_on.strftime("%d.%m.%Y")}
        )
    return _open_period(
        actor=actor,
        customer=customer,
        registered_on=registered_on,
        reason=reason,
        status=status,
        worker=worker or actor,
    )


def _start_responsibility(
    *,
    actor,
    customer,
    enrolment,
    worker,
    organisation,
    unit,
    reason,
    previous: Responsibility | None,
) -> Responsibility:
    if organisation is None:
        raise CaseWorkError(_("The responsible worker must belong to an organisation."))
    now = timezone.now()
    if previous is not None:
        previous.ends_at = now
        previous.save(update_fields=["ends_at"])
    resp = Responsibility.objects.create(
        customer=customer,
        enrolment=enrolment,
        worker=worker,
        organisation=organisation,
        unit=unit,
        starts_at=now,
        reason=reason,
    )
    _event(
        "responsibility.assigned",
        actor=actor,
        customer=customer,
        worker_id=worker.pk if worker else (previous.worker_id if previous else actor.pk),
        previous_worker_id=previous.worker_id if previous else None,
        team_id=unit.pk if unit else None,
        reason=reason,
    )
    return resp


@transaction.atomic
def transfer_responsibility(
    *,
    actor,
    customer: Customer,
    to_worker=None,
    to_organisation,
    to_unit=None,
    reason: str = "handover",
) -> Responsibility:
    """End the current responsibility and start a new one in the same instant (never a gap)."""
    enrolment = _open_enrolment(customer)
    current = (
        Responsibility.objects.select_for_update()
        .filter(customer=customer, ends_at__isnull=True)
        .first()
    )
    return _start_responsibility(
        actor=actor,
        customer=customer,
        enrolment=enrolment,
        worker=to_worker,
        organisation=to_organisation,
        unit=to_unit,
        reason=reason,
        previous=current,
    )


@transaction.atomic
def assign_responsible_worker(
    *, actor, customer: Customer, worker, reason: str = "rebalance"
) -> Responsibility:
    """Reassign within the area (team lead rebalancing, absence)."""
    require_area_staff(actor, customer.area_code)
    require_area_staff(worker, customer.area_code)
    current = customer.responsibilities.filter(ends_at__isnull=True).first()
    if current and current.worker_id == worker.pk:
        return current
    return transfer_responsibility(
        actor=actor,
        customer=customer,
        to_worker=worker,
        to_organisation=worker.organisation,
        to_unit=worker.unit,
        reason=reason,
    )


def _validate_scores(scores: Mapping[str, int | None], who: str) -> dict[str, int]:
    clean = {}
    for dim, value in scores.items():
        if dim not in codes.AssessmentDimension.values():
            raise CaseWorkError(_("Unknown assessment dimension %(dim)s.") % {"dim": dim})
        if value in (None, ""):
            continue
        if not 1 <= int(value) <= 5:
            raise CaseWorkError(
                _("%(who)s score for %(dim)s must be between 1 and 5.") % {"who": who, "dim": dim}
            )
        clean[dim] = int(value)
    return clean


@transaction.atomic
def record_assessment(
    *,
    actor,
    customer: Customer,
    assessed_on: dt.date,
    worker_scores: Mapping[str, int | None],
    customer_scores: Mapping[str, int | None] | None = None,
    summary: str = "",
    notes: Mapping[str, str] | None = None,
) -> Assessment:
    require_area_staff(actor, customer.area_code)
    enrolment = _open_enrolment(customer)
    w = _validate_scores(worker_scores, _("Worker's"))
    c = _validate_scores(customer_scores or {}, _("Customer's"))
    if not w:
        raise CaseWorkError(_("Score at least one dimension."))
    sequence = (
        customer.assessments.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    ) + 1
    a = Assessment.objects.create(
        customer=customer,
        enrolment=enrolment,
        sequence=sequence,
        assessed_on=assessed_on,
        worker=actor,
        summary=summary,
    )
    AssessmentScore.objects.bulk_create(
        AssessmentScore(
            assessment=a,
            dimension=d,
            worker_score=w.get(d),
            customer_score=c.get(d),
            note=(notes or {}).get(d, ""),
        )
        for d in codes.AssessmentDimension.values()
        if d in w or d in c
    )
    _event(
        "assessment.recorded",
        actor=actor,
        customer=customer,
        occurred_at=_at(assessed_on),
        assessment_id=a.pk,
        sequence=sequence,
        assessed_on=assessed_on,
        worker_scores=w,
        customer_scores=c or None,
    )
    return a


def _task_event(actor, customer, task: PlanTask, previous: str | None) -> None:
    _event(
        "plan_task.changed",
        actor=actor,
        customer=customer,
        plan_id=task.plan_id,
        task_id=task.pk,
        task_kind=task.kind,
        task_status=task.status,
        previous_task_status=previous,
        due_on=task.due_on,
    )


@transaction.atomic
def save_plan(
    *,
    actor,
    customer: Customer,
    goal: str,
    agreed: bool,
    agreed_on: dt.date | None = None,
    valid_until: dt.date | None = None,
    review_due_on: dt.date | None = None,
    applications_required: int = 4,
    tasks: Sequence[Mapping[str, Any]] = (),
) -> EmploymentPlan:
    """Save a new version of the plan. ``tasks`` lists every task to keep: existing ones by ``id``
    (their status may change), new ones without. Tasks left out are cancelled, never deleted."""
    require_area_staff(actor, customer.area_code)
    enrolment = _open_enrolment(customer)
    if not 0 <= applications_required <= 4:
        raise CaseWorkError(_("The job-search obligation is 0–4 applications a month."))
    if agreed and agreed_on is None:
        agreed_on = timezone.localdate()
    plan, _created = EmploymentPlan.objects.select_for_update().get_or_create(
        customer=customer, enrolment=enrolment
    )
    existing = {str(t.pk): t for t in plan.tasks.all()}
    kept = set()
    for spec in tasks:
        kind = spec.get("kind") or codes.PlanTaskKind.OWN_ACTIVITY
        status = spec.get("status") or codes.PlanTaskStatus.PLANNED
        if kind not in codes.PlanTaskKind.values() or status not in codes.PlanTaskStatus.values():
            raise CaseWorkError(_("Unknown task kind or status."))
        title = (spec.get("title") or "").strip()
        if not title:
            raise CaseWorkError(_("Every task needs a title."))
        task = existing.get(str(spec.get("id") or ""))
        if task is None:
            task = PlanTask.objects.create(
                plan=plan,
                kind=kind,
                title=title,
                description=spec.get("description", ""),
                status=status,
                due_on=spec.get("due_on"),
            )
            _task_event(actor, customer, task, None)
        else:
            kept.add(str(task.pk))
            previous = task.status
            task.kind, task.title, task.description, task.due_on, task.status = (
                kind,
                title,
                spec.get("description", task.description),
                spec.get("due_on"),
                status,
            )
            task.save()
            if previous != status:
                _task_event(actor, customer, task, previous)
    for key, task in existing.items():
        if key not in kept and task.status not in (
            codes.PlanTaskStatus.DONE,
            codes.PlanTaskStatus.CANCELLED,
        ):
            previous, task.status = task.status, codes.PlanTaskStatus.CANCELLED
            task.save(update_fields=["status"])
            _task_event(actor, customer, task, previous)
    plan.goal, plan.agreed, plan.agreed_on = goal, agreed, agreed_on if agreed else None
    plan.valid_until, plan.review_due_on, plan.applications_required = (
        valid_until,
        review_due_on,
        applications_required,
    )
    plan.version += 1
    plan.save()
    all_tasks = list(plan.tasks.all())
    PlanVersion.objects.create(
        plan=plan, version=plan.version, saved_by=actor, content=_snapshot(plan, all_tasks)
    )
    _event(
        "plan.saved",
        actor=actor,
        customer=customer,
        plan_id=plan.pk,
        plan_version=plan.version,
        agreed=agreed,
        agreed_on=plan.agreed_on,
        valid_until=valid_until,
        review_due_on=review_due_on,
        task_count=len(all_tasks),
        applications_required=applications_required,
    )
    return plan


def _snapshot(plan: EmploymentPlan, tasks: Sequence[PlanTask]) -> dict:
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {
        "goal": plan.goal,
        "agreed": plan.agreed,
        "agreed_on": iso(plan.agreed_on),
        "valid_until": iso(plan.valid_until),
        "review_due_on": iso(plan.review_due_on),
        "applications_required": plan.applications_required,
        "tasks": [
            {
                "id": str(t.pk),
                "kind": t.kind,
                "title": t.title,
                "description": t.description,
                "status": t.status,
                "due_on": iso(t.due_on),
            }
            for t in tasks
        ],
    }


@transaction.atomic
def set_task_status(*, actor, task: PlanTask, status: str, note: str = "") -> PlanTask:
    """Change one task's status (also called by the ecosystem when a linked referral moves)."""
    if status not in codes.PlanTaskStatus.values():
        raise CaseWorkError(_("Unknown task status %(status)s.") % {"status": status})
    task = (
        PlanTask.objects.select_for_update()
        .select_related("plan__customer__municipality")
        .get(pk=task.pk)
    )
    if task.status == status:
        return task
    previous, task.status = task.status, status
    if note:
        task.description = (task.description + "\n" + note).strip()
    task.save(update_fields=["status", "description"])
    _task_event(actor, task.plan.customer, task, previous)
    return task


@transaction.atomic
def schedule_meeting(
    *,
    actor,
    customer: Customer,
    meeting_type: str,
    channel: str,
    scheduled_for: dt.datetime,
    worker=None,
) -> Meeting:
    require_area_staff(actor, customer.area_code)
    m = Meeting.objects.create(
        customer=customer,
        enrolment=_open_enrolment(customer),
        meeting_type=meeting_type,
        channel=channel,
        scheduled_for=scheduled_for,
        worker=worker or actor,
    )
    _event(
        "meeting.scheduled",
        actor=actor,
        customer=customer,
        meeting_id=m.pk,
        meeting_type=meeting_type,
        channel=channel,
        scheduled_for=scheduled_for,
    )
    return m


@transaction.atomic
def record_meeting_held(
    *, actor, meeting: Meeting, held_on: dt.date, notes: str = "", channel: str | None = None
) -> Meeting:
    meeting = (
        Meeting.objects.select_for_update()
        .select_related("customer__municipality")
        .get(pk=meeting.pk)
    )
    require_area_staff(actor, meeting.customer.area_code)
    if meeting.state != Meeting.State.SCHEDULED:
        raise CaseWorkError(_("Only a scheduled meeting can be marked held."))
    meeting.state, meeting.held_on, meeting.notes = Meeting.State.HELD, held_on, notes
    meeting.channel = channel or meeting.channel
    meeting.save()
    _event(
        "meeting.held",
        actor=actor,
        customer=meeting.customer,
        occurred_at=_at(held_on),
        meeting_id=meeting.pk,
        meeting_type=meeting.meeting_type,
        channel=meeting.channel,
        held_on=held_on,
    )
    return meeting


@transaction.atomic
def cancel_meeting(*, actor, meeting: Meeting, reason: str) -> Meeting:
    meeting = (
        Meeting.objects.select_for_update()
        .select_related("customer__municipality")
        .get(pk=meeting.pk)
    )
    require_area_staff(actor, meeting.customer.area_code)
    if meeting.state != Meeting.State.SCHEDULED:
        raise CaseWorkError(_("Only a scheduled meeting can be cancelled."))
    meeting.state, meeting.cancel_reason = Meeting.State.CANCELLED, reason
    meeting.save()
    _event(
        "meeting.cancelled",
        actor=actor,
        customer=meeting.customer,
        meeting_id=meeting.pk,
        meeting_type=meeting.meeting_type,
        cancel_reason=reason,
    )
    return meeting


@transaction.atomic
def record_contact(*, actor, customer: Customer, channel: str, text: str) -> Contact:
    require_area_staff(actor, customer.area_code)
    if not text.strip():
        raise CaseWorkError(_("Write the note."))
    c = Contact.objects.create(customer=customer, channel=channel, text=text.strip(), worker=actor)
    _event("contact.recorded", actor=actor, customer=customer, contact_id=c.pk, channel=channel)
    return c


@transaction.atomic
def report_job_search(
    *, actor, customer: Customer, period_start: dt.date, period_end: dt.date, applications: int
) -> JobSearchReport:
    require_area_staff(actor, customer.area_code)
    enrolment = _open_enrolment(customer)
    if period_end < period_start:
        raise CaseWorkError(_("The follow-up period ends before it starts."))
    plan = getattr(enrolment, "plan", None)
    required = plan.applications_required if plan else 4
    r = JobSearchReport.objects.create(
        enrolment=enrolment,
        period_start=period_start,
        period_end=period_end,
        applications=applications,
        applications_required=required,
        recorded_by=actor,
    )
    _event(
        "job_search.reported",
        actor=actor,
        customer=customer,
        period_start=period_start,
        period_end=period_end,
        applications=applications,
        applications_required=required,
    )
    return r


@transaction.atomic
def change_status(*, actor, customer: Customer, status: str, effective_on: dt.date) -> Enrolment:
    require_area_staff(actor, customer.area_code)
    enrolment = _open_enrolment(customer)
    if status not in codes.LabourMarketStatus.values():
        raise CaseWorkError(_("Unknown labour-market status."))
    previous, enrolment.status = enrolment.status, status
    enrolment.save(update_fields=["status"])
    _event(
        "customer.status_changed",
        actor=actor,
        customer=customer,
        occurred_at=_at(effective_on),
        enrolment_id=enrolment.pk,
        effective_on=effective_on,
        status=status,
        previous_status=previous,
    )
    return enrolment


EDITABLE_DETAILS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "street_address",
    "postal_code",
    "language_group",
    "languages",
    "preferred_language",
    "interpreter_needed",
    "interpreter_language",
    "education_level",
)


@transaction.atomic
def update_details(
    *, actor, customer: Customer, municipality_code: str | None = None, **changes: Any
) -> Customer:
    """Change contact and personal details; a new municipality of residence is a ``customer.moved``."""
    require_area_staff(actor, customer.area_code)
    unknown = set(changes) - set(EDITABLE_DETAILS)
    if unknown:
        raise CaseWorkError(
            _("These details cannot be edited here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    changed = [k for k, v in changes.items() if getattr(customer, k) != v]
    for k in changed:
        setattr(customer, k, changes[k])
    moved_from = None
    if municipality_code and municipality_code.zfill(3) != customer.municipality.code:
        new = (
            reference.municipalities_on(timezone.localdate())
            .filter(code=municipality_code.zfill(3))
            .first()
        )
        if new is None:
            raise CaseWorkError(_("Unknown municipality %(code)s.") % {"code": municipality_code})
        moved_from, customer.municipality = customer.municipality.code, new
    customer.full_clean()
    customer.save()
    if changed:
        _event(
            "customer.details_updated",
            actor=actor,
            customer=customer,
            changed_fields=sorted(changed),
        )
    if moved_from:
        _event(
            "customer.moved",
            actor=actor,
            customer=customer,
            effective_on=timezone.localdate(),
            from_municipality=moved_from,
            to_municipality=customer.municipality.code,
        )
    return customer


@transaction.atomic
def exit_enrolment(*, actor, customer: Customer, ended_on: dt.date, exit_reason: str) -> Enrolment:
    """End the job-search period with its reason; responsibility ends with it."""
    require_area_staff(actor, customer.area_code)
    enrolment = _open_enrolment(customer)
    if exit_reason not in codes.ExitReason.values():
        raise CaseWorkError(_("Choose an exit reason."))
    if ended_on < enrolment.registered_on:
        raise CaseWorkError(
            _("The period cannot end before it started (%(day)s).")
            % {"day": enrolment.registered_on.strftime("%d.%m.%Y")}
        )
    enrolment.ended_on, enrolment.exit_reason = ended_on, exit_reason
    enrolment.save(update_fields=["ended_on", "exit_reason"])
    current = customer.responsibilities.filter(ends_at__isnull=True).first()
    if current:
        current.ends_at = timezone.now()
        current.save(update_fields=["ends_at"])
        _event(
            "responsibility.ended",
            actor=actor,
            customer=customer,
            worker_id=current.worker_id or actor.pk,
            enrolment_id=enrolment.pk,
        )
    _event(
        "customer.exited",
        actor=actor,
        customer=customer,
        occurred_at=_at(ended_on),
        enrolment_id=enrolment.pk,
        ended_on=ended_on,
        exit_reason=exit_reason,
    )
    return enrolment


@transaction.atomic
def add_reminder(*, actor, customer: Customer, due_on: dt.date, text: str) -> Reminder:
    require_area_staff(actor, customer.area_code)
    return Reminder.objects.create(
        worker=actor, customer=customer, due_on=due_on, text=text.strip()
    )


@transaction.atomic
def save_filter(*, actor, name: str, query: str) -> SavedFilter:
    obj, _created = SavedFilter.objects.update_or_create(
        user=actor, name=name.strip()[:80], defaults={"query": query[:500]}
    )
    return obj
