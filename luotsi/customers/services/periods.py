"""Job-search periods and responsibility: register, re-register, assign, transfer, change, exit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luotsi.kernel import codes
from luotsi.reference import selectors as reference

from .. import identity
from ..errors import CaseWorkError
from ..models import (
    Customer,
    Enrolment,
    Responsibility,
)
from ..permissions import require_area_staff
from ._common import _at, _event, _open_enrolment


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
        at=_at(registered_on),
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
    at: dt.datetime | None = None,
) -> Responsibility:
    """Start a responsibility at ``at`` (default now; a period registered afterwards has its
    responsible worker from its first day, so responsibility is never empty)."""
    if organisation is None:
        raise CaseWorkError(_("The responsible worker must belong to an organisation."))
    now = at or timezone.now()
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
        occurred_at=now,
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
        # Responsibility ends with the period (never before it began).
        current.ends_at = max(_at(ended_on), current.starts_at)
        current.save(update_fields=["ends_at"])
        _event(
            "responsibility.ended",
            actor=actor,
            customer=customer,
            occurred_at=current.ends_at,
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
