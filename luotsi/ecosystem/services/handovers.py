"""Handovers of responsibility: requested -> accepted | declined | expired | cancelled.

Until the receiver accepts, the sender stays responsible: nothing touches the customer's current
Responsibility before acceptance, and acceptance moves it with
``customers.services.transfer_responsibility`` (which ends the old row and starts the new one in
the same instant), so responsibility is never empty.

Every step takes ``at=`` (aware datetime, default now): when it happened, for a step entered
afterwards. It dates ``requested_at``, ``decided_at`` or ``acknowledged_at`` and the journey
event's ``occurred_at`` (its ``recorded_at`` and the audit entry stay the real now). ``at`` may not
be in the future, nor before the previous step (a request before the current responsibility
began, an answer before the request, a dismissal before the answer). The responsibility an
accepted handover moves still moves now (``transfer_responsibility`` takes no time).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luotsi.core.services import audit
from luotsi.customers import selectors as casework_selectors
from luotsi.customers import services as casework
from luotsi.kernel.calendar import add_working_days
from luotsi.kernel.codes import HandoverStatus

from .. import selectors
from ..choices import HANDOVER_TRANSITIONS, ConsentPurpose, setting
from ..errors import EcosystemError
from ..models import Handover
from ..permissions import may_cancel_handover, may_receive_handover, require_area_staff
from ._common import check_transition, event, require_not_before, required_text, step_time

_LABELS = {s.value: s.label for s in HandoverStatus}


def _payload(h: Handover) -> dict:
    return {
        "handover_id": h.pk,
        "from_worker_id": h.from_worker_id,
        "to_worker_id": h.to_worker_id,
        "from_organisation_id": h.from_organisation_id,
        "to_organisation_id": h.to_organisation_id,
    }


def _lock(h: Handover) -> Handover:
    return (
        Handover.objects.select_for_update(of=("self",))
        .select_related("customer__municipality")
        .get(pk=h.pk)
    )


def _move(h: Handover, action: str, actor, at: dt.datetime | None, **payload) -> Handover:
    """Answer a locked handover at ``at`` (validated; default now): state, journey event."""
    h.status = check_transition(HANDOVER_TRANSITIONS, action, h.status, _("handover"), _LABELS)
    at = step_time(at)
    require_not_before(at, h.requested_at, "requested_at")
    h.decided_at = at
    h.decided_by = actor if actor is not None and getattr(actor, "pk", None) else None
    h.save()
    event(
        f"handover.{h.status}",
        actor=actor,
        customer=h.customer,
        organisation_id=getattr(actor, "organisation_id", None) or h.from_organisation_id,
        occurred_at=at,
        **_payload(h),
        **payload,
    )
    return h


@transaction.atomic
def request_handover(
    *,
    actor,
    customer,
    to_worker=None,
    to_unit=None,
    to_organisation=None,
    reason: str = "",
    today: dt.date | None = None,
    deadline_working_days: int | None = None,
    at: dt.datetime | None = None,
) -> Handover:
    """Offer responsibility for ``customer`` to a worker, a team or an organisation.

    The receiver must accept by the deadline (working days from ``today``, default the day of
    ``at``, default now; their number defaults to the setting
    ``LUOTSI_HANDOVER_DEADLINE_WORKING_DAYS``). A handover to an organisation outside the
    customer's employment area needs the customer's consent (purpose: handover) to it.
    """
    require_area_staff(actor, customer.area_code)
    at = step_time(at)
    current = casework_selectors.current_responsibility(customer)
    if current is None:
        raise EcosystemError(_("The customer has no responsible party to hand over from."))
    require_not_before(at, current.starts_at, "responsibility.starts_at")
    if to_worker is not None:
        if not to_worker.is_active or to_worker.organisation_id is None:
            raise EcosystemError(_("The receiving worker is not active in an organisation."))
        to_organisation, to_unit = to_worker.organisation, to_worker.unit
    elif to_unit is not None:
        to_organisation = to_unit.organisation
    if to_organisation is None:
        raise EcosystemError(_("Choose a worker, a team or an organisation to hand over to."))
    if to_worker is not None and to_worker.pk == current.worker_id:
        raise EcosystemError(_("This worker is already responsible for the customer."))
    outside_area = to_organisation.employment_area_code != customer.area_code
    if outside_area and not selectors.active_consent(
        customer, to_organisation, ConsentPurpose.HANDOVER
    ):
        raise EcosystemError(
            _("Record the customer's consent to a handover to %(org)s first.")
            % {"org": to_organisation},
            code="no_consent",
        )
    if Handover.objects.filter(customer=customer, status=HandoverStatus.REQUESTED).exists():
        raise EcosystemError(_("The customer already has a handover waiting for an answer."))
    days = deadline_working_days
    if days is None:
        days = setting("LUOTSI_HANDOVER_DEADLINE_WORKING_DAYS")
    if days < 1:
        raise EcosystemError(_("The deadline must be at least one working day."))
    deadline_on = add_working_days(today or timezone.localdate(at), days)
    h = Handover.objects.create(
        customer=customer,
        from_worker=current.worker,
        from_organisation=current.organisation,
        to_worker=to_worker,
        to_unit=to_unit,
        to_organisation=to_organisation,
        reason=reason.strip(),
        requested_by=actor,
        requested_at=at,
        deadline_on=deadline_on,
    )
    event(
        "handover.requested",
        actor=actor,
        customer=customer,
        occurred_at=at,
        **_payload(h),
        deadline_on=deadline_on,
        reason=h.reason or None,
    )
    return h


@transaction.atomic
def accept_handover(
    *,
    actor,
    handover: Handover,
    today: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Handover:
    """The receiver takes responsibility; the accepting worker becomes the responsible worker.

    The deadline is checked on ``today`` (default the day of ``at``, default now).
    """
    h = _lock(handover)
    if not may_receive_handover(actor, h):
        raise EcosystemError(_("Only the receiver may accept this handover."), code="forbidden")
    check_transition(HANDOVER_TRANSITIONS, "accept", h.status, _("handover"), _LABELS)
    at = step_time(at)
    if (today or timezone.localdate(at)) > h.deadline_on:
        raise EcosystemError(_("The deadline to accept this handover has passed."))
    unit = h.to_unit
    if unit is None and actor.unit_id and actor.unit.organisation_id == h.to_organisation_id:
        unit = actor.unit
    h = _move(h, "accept", actor, at)
    casework.transfer_responsibility(
        actor=actor,
        customer=h.customer,
        to_worker=h.to_worker or actor,
        to_organisation=h.to_organisation,
        to_unit=unit,
        reason="handover",
    )
    return h


@transaction.atomic
def decline_handover(
    *, actor, handover: Handover, reason: str, at: dt.datetime | None = None
) -> Handover:
    """The receiver declines; the sender stays responsible and sees an alert."""
    h = _lock(handover)
    if not may_receive_handover(actor, h):
        raise EcosystemError(_("Only the receiver may decline this handover."), code="forbidden")
    reason = required_text(reason, _("Give the reason for declining."))
    h.decline_reason = reason
    return _move(h, "decline", actor, at, reason=reason)


@transaction.atomic
def cancel_handover(*, actor, handover: Handover, at: dt.datetime | None = None) -> Handover:
    """The sender (or a team lead of the area) withdraws a handover not yet answered."""
    h = _lock(handover)
    if not may_cancel_handover(actor, h, h.customer.area_code):
        raise EcosystemError(_("Only the sender may cancel this handover."), code="forbidden")
    return _move(h, "cancel", actor, at)


@transaction.atomic
def expire_overdue_handovers(today: dt.date | None = None, *, at: dt.datetime | None = None) -> int:
    """Expire every requested handover whose deadline is before ``today`` (default the day of
    ``at``, default now), dated ``at``; return how many.

    Run daily (``manage.py expire_handovers``). The handover returns to the sender's queue as an
    alert; responsibility never moved, so the sender is still responsible.
    """
    at = step_time(at)
    today = today or timezone.localdate(at)
    overdue = Handover.objects.filter(status=HandoverStatus.REQUESTED, deadline_on__lt=today)
    n = 0
    for h in overdue.order_by("deadline_on"):
        _move(_lock(h), "expire", None, at)
        n += 1
    return n


@transaction.atomic
def acknowledge_handover(*, actor, handover: Handover, at: dt.datetime | None = None) -> Handover:
    """The sender dismisses the alert of a declined or expired handover (audited, no event;
    ``acknowledged_at`` is ``at``, default now, the audit entry's time the real now)."""
    h = _lock(handover)
    if not may_cancel_handover(actor, h, h.customer.area_code):
        raise EcosystemError(_("Only the sender may dismiss this alert."), code="forbidden")
    if h.status not in (HandoverStatus.DECLINED, HandoverStatus.EXPIRED):
        raise EcosystemError(_("Only declined or expired handovers raise an alert."))
    at = step_time(at)
    require_not_before(at, h.decided_at, "decided_at")
    h.acknowledged_at = at
    h.save(update_fields=["acknowledged_at"])
    audit(actor=actor, action="acknowledge", obj=h, summary="handover alert dismissed")
    return h
