"""Meetings, notes, job-search follow-up, reminders and saved filters."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import CaseWorkError
from ..models import (
    Contact,
    Customer,
    JobSearchReport,
    Meeting,
    Reminder,
    SavedFilter,
)
from ..permissions import require_area_staff
from ._common import _at, _event, _open_enrolment


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
