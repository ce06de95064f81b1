"""Shared helpers of the case-work services: event writing and period lookup."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from luotsi.journey.services import record_event

from ..errors import CaseWorkError
from ..models import (
    Customer,
    Enrolment,
)


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
