"""Referrals (ohjaus palveluun): draft -> sent -> accepted | rejected -> started -> completed |
interrupted, revoked by the sender before it ends. Each step is one function here; an invalid
step raises :class:`EcosystemError` before anything is written.

A referral linked to a plan task updates it through ``customers.services.set_task_status`` by the
rules in ``choices.TASK_STATUS_FOR_REFERRAL`` (tasks already done or cancelled are left alone).

Every step takes ``at=`` (aware datetime, default now): when the step happened, for a step entered
afterwards. It dates the referral's own timestamps (``sent_at``, ``decided_at``; the default
``started_on``/``ended_on``/``reported_on`` are its local date) and the journey event's
``occurred_at``; ``created_at`` and the event's ``recorded_at`` stay the real now. ``at`` may not
be in the future nor before the referral's previous step (its latest journey event).
The linked plan task's status change is still dated now (``set_task_status`` takes no time).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luotsi.customers import services as casework
from luotsi.customers.models import PlanTask
from luotsi.journey import selectors as journey
from luotsi.kernel.codes import PlanTaskStatus, ReferralOutcome, ReferralStatus

from .. import selectors
from ..choices import (
    PLACE_HOLDING_STATES,
    REFERRAL_TRANSITIONS,
    REPORTABLE_STATES,
    TASK_STATUS_FOR_REFERRAL,
    ConsentPurpose,
)
from ..errors import EcosystemError
from ..models import ProgressReport, Referral, ServiceOffering
from ..permissions import require_area_staff, require_provider_worker
from ._common import check_transition, event, require_not_before, required_text, step_time

_LABELS = {s.value: s.label for s in ReferralStatus}
_FINISHED_TASK = (PlanTaskStatus.DONE, PlanTaskStatus.CANCELLED)


def _ids(referral: Referral) -> dict:
    return {
        "referral_id": referral.pk,
        "offering_id": referral.offering_id,
        "provider_id": referral.provider_id,
    }


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("customer__municipality", "offering")
        .get(pk=referral.pk)
    )


def _last_step(referral: Referral) -> tuple[str, dt.datetime] | None:
    """The kind and time of the referral's latest journey event (its previous step)."""
    latest = (
        journey.events_of_customer(referral.customer_id)
        .filter(kind__startswith="referral.", payload__referral_id=str(referral.pk))
        .order_by("-occurred_at", "-id")
        .values_list("kind", "occurred_at")
        .first()
    )
    return tuple(latest) if latest else None


def _step_at(referral: Referral, at: dt.datetime | None) -> dt.datetime:
    """``at`` validated (aware, not in the future, not before the previous step) or now."""
    moment = step_time(at)
    last = _last_step(referral)
    if last is not None:
        require_not_before(moment, last[1], last[0])
    return moment


def _move(referral: Referral, action: str, actor, at: dt.datetime, **payload) -> Referral:
    """Apply ``action`` to a locked referral at ``at``: state, linked task, journey event."""
    target = check_transition(REFERRAL_TRANSITIONS, action, referral.status, _("referral"), _LABELS)
    referral.status = target
    referral.save()
    task_status = TASK_STATUS_FOR_REFERRAL.get(target)
    if referral.task_id and task_status:
        task = PlanTask.objects.get(pk=referral.task_id)
        if task.status not in _FINISHED_TASK:
            casework.set_task_status(
                actor=actor,
                task=task,
                status=task_status,
                note=_("Referral %(status)s.") % {"status": _LABELS[target].lower()},
            )
    event(
        f"referral.{target}",
        actor=actor,
        customer=referral.customer,
        occurred_at=at,
        **_ids(referral),
        **payload,
    )
    return referral


def _require_visible_to_provider(actor, referral: Referral) -> None:
    """The provider may act only while the customer's consent to it is in force."""
    require_provider_worker(actor, referral.provider_id)
    if (
        selectors.active_consent(
            referral.customer, referral.provider, ConsentPurpose.SERVICE_REFERRAL
        )
        is None
    ):
        raise EcosystemError(
            _("The customer's consent to share data with your organisation is not in force.")
        )


@transaction.atomic
def draft_referral(
    *,
    actor,
    customer,
    offering: ServiceOffering,
    task: PlanTask | None = None,
    message: str = "",
    at: dt.datetime | None = None,
) -> Referral:
    """Draft a referral of ``customer`` to ``offering``, optionally serving a plan ``task``;
    the offering must be available on the day of ``at`` (default now)."""
    require_area_staff(actor, customer.area_code)
    at = step_time(at)
    today = timezone.localdate(at)
    if offering.active_from > today or (offering.active_to and offering.active_to < today):
        raise EcosystemError(_("The service %(s)s is not available now.") % {"s": offering})
    served = offering.municipalities.all()
    if served.exists() and not served.filter(pk=customer.municipality_id).exists():
        raise EcosystemError(
            _("The service %(s)s is not offered in %(m)s.")
            % {"s": offering, "m": customer.municipality}
        )
    if task is not None:
        task = PlanTask.objects.select_for_update().select_related("plan").get(pk=task.pk)
        if task.plan.customer_id != customer.pk:
            raise EcosystemError(_("The plan task belongs to another customer."))
        if task.status in _FINISHED_TASK:
            raise EcosystemError(_("The plan task is already done or cancelled."))
        busy = Referral.objects.filter(task=task).exclude(
            status__in=(
                ReferralStatus.REJECTED,
                ReferralStatus.COMPLETED,
                ReferralStatus.INTERRUPTED,
                ReferralStatus.REVOKED,
            )
        )
        if busy.exists():
            raise EcosystemError(_("The plan task already has a referral in progress."))
    referral = Referral.objects.create(
        customer=customer,
        offering=offering,
        provider=offering.provider,
        sender=actor,
        sender_organisation=actor.organisation,
        task=task,
        message=message.strip(),
    )
    if task is not None:
        PlanTask.objects.filter(pk=task.pk).update(referral_id=referral.pk)
    event(
        "referral.drafted",
        actor=actor,
        customer=customer,
        occurred_at=at,
        **_ids(referral),
        task_id=task.pk if task else None,
    )
    return referral


@transaction.atomic
def send_referral(*, actor, referral: Referral, at: dt.datetime | None = None) -> Referral:
    """Send a draft to the provider; needs the customer's consent to share data with it (in
    force now and given by ``at``)."""
    referral = _lock(referral)
    require_area_staff(actor, referral.customer.area_code)
    check_transition(REFERRAL_TRANSITIONS, "send", referral.status, _("referral"), _LABELS)
    at = _step_at(referral, at)
    consent = selectors.active_consent(
        referral.customer, referral.provider, ConsentPurpose.SERVICE_REFERRAL
    )
    if consent is None:
        raise EcosystemError(
            _(
                "Record the customer's consent to share data with %(org)s before sending the referral."
            )
            % {"org": referral.provider},
            code="no_consent",
        )
    require_not_before(at, consent.given_at, "consent.given_at")
    referral.consent = consent
    referral.sent_at = at
    return _move(referral, "send", actor, at, task_id=referral.task_id)


@transaction.atomic
def refer(
    *,
    actor,
    customer,
    offering: ServiceOffering,
    task: PlanTask | None = None,
    message: str = "",
    at: dt.datetime | None = None,
) -> Referral:
    """Draft and send in one step (all or nothing), both at ``at`` (default now)."""
    at = step_time(at)
    referral = draft_referral(
        actor=actor, customer=customer, offering=offering, task=task, message=message, at=at
    )
    return send_referral(actor=actor, referral=referral, at=at)


@transaction.atomic
def accept_referral(*, actor, referral: Referral, at: dt.datetime | None = None) -> Referral:
    referral = _lock(referral)
    _require_visible_to_provider(actor, referral)
    check_transition(REFERRAL_TRANSITIONS, "accept", referral.status, _("referral"), _LABELS)
    at = _step_at(referral, at)
    offering = ServiceOffering.objects.select_for_update().get(pk=referral.offering_id)
    if offering.capacity is not None:
        held = offering.referrals.filter(status__in=PLACE_HOLDING_STATES).count()
        if held >= offering.capacity:
            raise EcosystemError(
                _("The service %(s)s has no free places.") % {"s": offering}, code="full"
            )
    referral.decided_at = at
    return _move(referral, "accept", actor, at)


@transaction.atomic
def reject_referral(
    *, actor, referral: Referral, reason: str, at: dt.datetime | None = None
) -> Referral:
    referral = _lock(referral)
    _require_visible_to_provider(actor, referral)
    reason = required_text(reason, _("Give the reason for rejecting the referral."))
    check_transition(REFERRAL_TRANSITIONS, "reject", referral.status, _("referral"), _LABELS)
    at = _step_at(referral, at)
    referral.decided_at = at
    referral.reason = reason
    return _move(referral, "reject", actor, at, reason=reason)


@transaction.atomic
def start_referral(
    *,
    actor,
    referral: Referral,
    started_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Referral:
    """The service started on ``started_on`` (default: the day of ``at``, default today)."""
    referral = _lock(referral)
    _require_visible_to_provider(actor, referral)
    check_transition(REFERRAL_TRANSITIONS, "start", referral.status, _("referral"), _LABELS)
    at = _step_at(referral, at)
    started_on = started_on or timezone.localdate(at)
    if started_on > timezone.localdate():
        raise EcosystemError(_("The start date cannot be in the future."))
    referral.started_on = started_on
    return _move(referral, "start", actor, at)


@transaction.atomic
def complete_referral(
    *,
    actor,
    referral: Referral,
    outcome: str,
    ended_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Referral:
    """The service ended on ``ended_on`` (default: the day of ``at``, default today)."""
    referral = _lock(referral)
    _require_visible_to_provider(actor, referral)
    check_transition(REFERRAL_TRANSITIONS, "complete", referral.status, _("referral"), _LABELS)
    if outcome not in ReferralOutcome.values():
        raise EcosystemError(_("Choose the outcome of the service."), code="outcome")
    at = _step_at(referral, at)
    referral.ended_on = _end_date(referral, ended_on, at)
    referral.outcome = outcome
    return _move(referral, "complete", actor, at, outcome=outcome)


@transaction.atomic
def interrupt_referral(
    *,
    actor,
    referral: Referral,
    reason: str,
    outcome: str | None = None,
    ended_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Referral:
    referral = _lock(referral)
    _require_visible_to_provider(actor, referral)
    reason = required_text(reason, _("Give the reason for the interruption."))
    check_transition(REFERRAL_TRANSITIONS, "interrupt", referral.status, _("referral"), _LABELS)
    if outcome and outcome not in ReferralOutcome.values():
        raise EcosystemError(_("Unknown outcome %(o)s.") % {"o": outcome}, code="outcome")
    at = _step_at(referral, at)
    referral.ended_on = _end_date(referral, ended_on, at)
    referral.reason = reason
    referral.outcome = outcome or ""
    return _move(referral, "interrupt", actor, at, reason=reason, outcome=outcome or None)


def _end_date(referral: Referral, ended_on: dt.date | None, at: dt.datetime) -> dt.date:
    ended_on = ended_on or timezone.localdate(at)
    if referral.started_on and ended_on < referral.started_on:
        raise EcosystemError(_("The end date cannot be before the start date."))
    if ended_on > timezone.localdate():
        raise EcosystemError(_("The end date cannot be in the future."))
    return ended_on


@transaction.atomic
def revoke_referral(
    *, actor, referral: Referral, reason: str = "", at: dt.datetime | None = None
) -> Referral:
    """The sender withdraws the referral (any time before it ends)."""
    referral = _lock(referral)
    require_area_staff(actor, referral.customer.area_code)
    check_transition(REFERRAL_TRANSITIONS, "revoke", referral.status, _("referral"), _LABELS)
    at = _step_at(referral, at)
    referral.reason = reason.strip()
    return _move(referral, "revoke", actor, at, reason=reason.strip() or None)


@transaction.atomic
def report_progress(
    *,
    actor,
    referral: Referral,
    text: str,
    reported_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> ProgressReport:
    """The provider reports how the customer is doing (while the referral is accepted/started)."""
    referral = _lock(referral)
    _require_visible_to_provider(actor, referral)
    if referral.status not in REPORTABLE_STATES:
        raise EcosystemError(
            _("Progress can be reported only on an accepted or started referral."),
            code="invalid_transition",
        )
    text = required_text(text, _("Write the progress report."))
    at = _step_at(referral, at)
    reported_on = reported_on or timezone.localdate(at)
    if reported_on > timezone.localdate():
        raise EcosystemError(_("The report date cannot be in the future."))
    report = ProgressReport.objects.create(
        referral=referral, author=actor, reported_on=reported_on, text=text
    )
    event(
        "referral.progress_reported",
        actor=actor,
        customer=referral.customer,
        occurred_at=at,
        **_ids(referral),
    )
    return report
