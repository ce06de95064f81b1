"""JSON API of the ecosystem (session authentication; permission-checked like the pages).

Partner endpoints return only the consented fields of a customer (``customer`` is a dict built by
``selectors.partner_customer_view``); everything else returns 404 outside the user's scope.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from luotsi.core.roles import AREA_STAFF, has_role
from luotsi.core.services import log_personal_data_read
from luotsi.customers import selectors as casework

from . import selectors, services
from .models import Consent, Handover, ProgressReport, Referral, ServiceOffering
from .permissions import customer_of

router = Router(tags=["ecosystem"], auth=django_auth)


class OfferingOut(Schema):
    id: int
    name: str
    provider: str
    target_group: str
    language: str
    capacity: int | None
    free_places: int | None
    duration_weeks: int | None


class ReferralOut(Schema):
    id: uuid.UUID
    offering: str
    provider_id: int
    status: str
    sent_at: dt.datetime | None
    started_on: dt.date | None
    ended_on: dt.date | None
    outcome: str


class PartnerReferralOut(Schema):
    id: uuid.UUID
    offering: str
    status: str
    sent_at: dt.datetime | None
    started_on: dt.date | None
    customer: dict[str, str | int]


class ConsentIn(Schema):
    recipient_id: int
    purpose: str
    shared_fields: list[str]
    valid_until: dt.date | None = None


class ReferralIn(Schema):
    offering_id: int
    task_id: uuid.UUID | None = None
    message: str = ""
    send: bool = True


class ActionIn(Schema):
    reason: str = ""
    outcome: str | None = None
    text: str = ""
    on: dt.date | None = None


def _offering(o) -> dict:
    return {
        "id": o.pk,
        "name": o.localised_name(),
        "provider": str(o.provider),
        "target_group": o.target_group,
        "language": o.language,
        "capacity": o.capacity,
        "free_places": o.free_places,
        "duration_weeks": o.duration_weeks,
    }


def _referral(r) -> dict:
    return {
        "id": r.pk,
        "offering": str(r.offering),
        "provider_id": r.provider_id,
        "status": r.status,
        "sent_at": r.sent_at,
        "started_on": r.started_on,
        "ended_on": r.ended_on,
        "outcome": r.outcome,
    }


def _rules(fn, **kw):
    try:
        return fn(**kw)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "forbidden") from exc
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from exc


def _staff_customer(request, customer_id):
    if not has_role(request.user, *AREA_STAFF):
        raise Http404
    c = get_object_or_404(casework.customers_for(request.user), pk=customer_id)
    log_personal_data_read(actor=request.user, customer_id=c.pk, purpose="api_ecosystem")
    return c


@router.get("/offerings", response=list[OfferingOut])
def offerings(
    request,
    q: str = "",
    municipality: str = "",
    language: str = "",
    target_group: str = "",
    free_only: bool = False,
):
    """Search the service catalogue (active offerings)."""
    qs = selectors.search_offerings(
        text=q,
        municipality_code=municipality,
        language=language,
        target_group=target_group,
        free_only=free_only,
        public_only=not has_role(request.user, *AREA_STAFF),
    )
    return [_offering(o) for o in qs]


@router.get("/public/offerings", response=list[OfferingOut], auth=None)
def public_offerings(request, q: str = "", language: str = ""):
    """The customer-facing catalogue (no sign-in)."""
    qs = selectors.search_offerings(text=q, language=language, public_only=True)
    return [_offering(o) for o in qs]


@router.get("/customers/{customer_id}/referrals", response=list[ReferralOut])
def customer_referrals(request, customer_id: uuid.UUID):
    c = _staff_customer(request, customer_id)
    return [_referral(r) for r in selectors.referrals_of(c)]


@router.post("/customers/{customer_id}/consents", response={201: dict})
def give_consent(request, customer_id: uuid.UUID, body: ConsentIn):
    c = _staff_customer(request, customer_id)
    from luotsi.core.models import Organisation

    recipient = get_object_or_404(Organisation, pk=body.recipient_id)
    consent = _rules(
        services.give_consent,
        actor=request.user,
        customer=c,
        recipient=recipient,
        purpose=body.purpose,
        shared_fields=body.shared_fields,
        valid_until=body.valid_until,
    )
    return Status(201, {"id": str(consent.pk), "version": consent.version})


@router.post("/consents/{consent_id}/revoke", response=dict)
def revoke_consent(request, consent_id: uuid.UUID):
    consent = get_object_or_404(
        Consent, pk=consent_id, customer__in=casework.customers_for(request.user)
    )
    _rules(services.revoke_consent, actor=request.user, consent=consent)
    return {"id": str(consent.pk), "revoked": True}


@router.post("/customers/{customer_id}/referrals", response={201: ReferralOut})
def create_referral(request, customer_id: uuid.UUID, body: ReferralIn):
    c = _staff_customer(request, customer_id)
    offering = get_object_or_404(ServiceOffering, pk=body.offering_id)
    task = None
    if body.task_id:
        from luotsi.customers.models import PlanTask

        task = get_object_or_404(PlanTask, pk=body.task_id, plan__customer=c)
    write = services.refer if body.send else services.draft_referral
    r = _rules(
        write, actor=request.user, customer=c, offering=offering, task=task, message=body.message
    )
    return Status(201, _referral(r))


@router.post("/referrals/{referral_id}/{action}", response=ReferralOut)
def sender_action(request, referral_id: uuid.UUID, action: str, body: ActionIn):
    """The sender's steps: ``send`` or ``revoke``."""
    r = get_object_or_404(
        Referral, pk=referral_id, customer__in=casework.customers_for(request.user)
    )
    if action == "send":
        r = _rules(services.send_referral, actor=request.user, referral=r)
    elif action == "revoke":
        r = _rules(services.revoke_referral, actor=request.user, referral=r, reason=body.reason)
    else:
        raise HttpError(404, "unknown action")
    return _referral(r)


# --- partner --------------------------------------------------------------------------------------


def _partner_out(request, r) -> dict:
    view = selectors.partner_customer_view(request.user, r, purpose="api_partner")
    return {
        "id": r.pk,
        "offering": str(r.offering),
        "status": r.status,
        "sent_at": r.sent_at,
        "started_on": r.started_on,
        "customer": view,
    }


@router.get("/partner/referrals", response=list[PartnerReferralOut])
def partner_queue(request):
    """Active referrals to the user's organisation with consent in force (consented fields only)."""
    return [_partner_out(request, r) for r in selectors.partner_referrals(request.user)]


@router.get("/partner/referrals/{referral_id}", response=PartnerReferralOut)
def partner_referral(request, referral_id: uuid.UUID):
    r = get_object_or_404(selectors.partner_referrals(request.user), pk=referral_id)
    return _partner_out(request, r)


@router.post("/partner/referrals/{referral_id}/{action}", response=PartnerReferralOut)
def partner_action(request, referral_id: uuid.UUID, action: str, body: ActionIn):
    """accept | reject (reason) | start (on) | report (text, on) | complete (outcome, on) |
    interrupt (reason, outcome, on)."""
    r = get_object_or_404(selectors.partner_referrals(request.user), pk=referral_id)
    u = request.user
    calls = {
        "accept": lambda: services.accept_referral(actor=u, referral=r),
        "reject": lambda: services.reject_referral(actor=u, referral=r, reason=body.reason),
        "start": lambda: services.start_referral(actor=u, referral=r, started_on=body.on),
        "report": lambda: services.report_progress(
            actor=u, referral=r, text=body.text, reported_on=body.on
        ),
        "complete": lambda: services.complete_referral(
            actor=u, referral=r, outcome=body.outcome or "", ended_on=body.on
        ),
        "interrupt": lambda: services.interrupt_referral(
            actor=u, referral=r, reason=body.reason, outcome=body.outcome, ended_on=body.on
        ),
    }
    if action not in calls:
        raise HttpError(404, "unknown action")
    _rules(lambda: calls[action]())
    r.refresh_from_db()
    return _partner_out(request, r)


# --- customer self-service ------------------------------------------------------------------------


@router.get("/me", response=dict)
def me(request):
    """The signed-in customer's plan tasks, responsible worker and referrals."""
    customer = customer_of(request.user)
    if customer is None:
        raise HttpError(404, "not a customer account")
    o = selectors.self_service_overview(request.user, customer)
    resp = o["responsibility"]
    return {
        "responsible_worker": str(resp.worker) if resp and resp.worker else None,
        "responsible_organisation": str(resp.organisation) if resp else None,
        "plan_goal": o["plan"].goal if o["plan"] else None,
        "tasks": [
            {"id": str(t.pk), "title": t.title, "status": t.status, "kind": t.kind}
            for t in o["tasks"]
        ],
        "referrals": [
            {**_referral(r), "id": str(r.pk), "sent_at": r.sent_at and r.sent_at.isoformat()}
            | {"started_on": r.started_on and r.started_on.isoformat()}
            | {"ended_on": r.ended_on and r.ended_on.isoformat()}
            | {
                "reports": [
                    {"id": str(p.pk), "reported_on": p.reported_on.isoformat(), "text": p.text}
                    for p in r.reports.order_by("reported_on", "created_at")
                ]
            }
            for r in o["referrals"]
        ],
    }


class CommentIn(Schema):
    text: str
    disputes: bool = False


def _own_customer(request):
    customer = customer_of(request.user)
    if customer is None:
        raise HttpError(404, "not a customer account")
    return customer


@router.post("/me/tasks/{task_id}/done", response=dict)
def me_task_done(request, task_id: uuid.UUID):
    """The customer marks one of their own plan tasks done."""
    from luotsi.customers.models import PlanTask

    customer = _own_customer(request)
    task = get_object_or_404(PlanTask, pk=task_id, plan__customer=customer)
    task = _rules(services.mark_own_task_done, actor=request.user, task=task)
    return {"id": str(task.pk), "status": task.status}


@router.post("/me/reports/{report_id}/comment", response={201: dict})
def me_comment(request, report_id: int, body: CommentIn):
    """The customer comments on a partner's progress report, or disputes it."""
    customer = _own_customer(request)
    report = get_object_or_404(ProgressReport, pk=report_id, referral__customer=customer)
    comment = _rules(
        services.comment_on_report,
        actor=request.user,
        report=report,
        text=body.text,
        disputes=body.disputes,
    )
    return Status(201, {"id": str(comment.pk), "disputes": comment.disputes})


# --- handovers ------------------------------------------------------------------------------------


class HandoverIn(Schema):
    to_worker_id: int | None = None
    to_unit_id: int | None = None
    to_organisation_id: int | None = None
    reason: str = ""


class HandoverOut(Schema):
    id: uuid.UUID
    status: str
    deadline_on: dt.date
    from_organisation: str
    to: str
    reason: str
    decline_reason: str
    customer: dict[str, str | int]


def _handover(request, h, *, inbox: bool) -> dict:
    to = h.to_worker or h.to_unit or h.to_organisation
    # the receiver sees the consented data; the sender (area staff) only which customer it is
    customer = (
        selectors.handover_customer_view(request.user, h) if inbox else {"id": str(h.customer_id)}
    )
    return {
        "id": h.pk,
        "status": h.status,
        "deadline_on": h.deadline_on,
        "from_organisation": str(h.from_organisation),
        "to": str(to),
        "reason": h.reason,
        "decline_reason": h.decline_reason,
        "customer": customer,
    }


@router.get("/handovers", response=dict[str, list[HandoverOut]])
def handovers(request):
    """Handovers waiting for my answer (consented data only), sent by me, and alerts of declined
    or expired ones that came back to me."""
    return {
        "inbox": [
            _handover(request, h, inbox=True) for h in selectors.handovers_inbox(request.user)
        ],
        "outbox": [
            _handover(request, h, inbox=False) for h in selectors.handovers_outbox(request.user)
        ],
        "alerts": [
            _handover(request, h, inbox=False) for h in selectors.handover_alerts(request.user)
        ],
    }


@router.post("/customers/{customer_id}/handovers", response={201: HandoverOut})
def request_handover(request, customer_id: uuid.UUID, body: HandoverIn):
    """Offer responsibility to a worker, a team or an organisation (accept by a deadline)."""
    from luotsi.core.models import Organisation, Unit, User

    c = _staff_customer(request, customer_id)
    targets = {
        "to_worker": body.to_worker_id and get_object_or_404(User, pk=body.to_worker_id),
        "to_unit": body.to_unit_id and get_object_or_404(Unit, pk=body.to_unit_id),
        "to_organisation": body.to_organisation_id
        and get_object_or_404(Organisation, pk=body.to_organisation_id),
    }
    h = _rules(
        services.request_handover,
        actor=request.user,
        customer=c,
        reason=body.reason,
        **{k: v or None for k, v in targets.items()},
    )
    return Status(201, _handover(request, h, inbox=False))


@router.post("/handovers/{handover_id}/{action}", response=HandoverOut)
def handover_action(request, handover_id: uuid.UUID, action: str, body: ActionIn):
    """accept | decline (reason) | cancel | acknowledge (an alert)."""
    u = request.user
    visible = (
        {h.pk for h in selectors.handovers_inbox(u)}
        | {h.pk for h in selectors.handovers_outbox(u)}
        | {h.pk for h in selectors.handover_alerts(u)}
    )
    if handover_id not in visible:
        raise HttpError(404, "Not Found")
    h = Handover.objects.get(pk=handover_id)
    calls = {
        "accept": lambda: services.accept_handover(actor=u, handover=h),
        "decline": lambda: services.decline_handover(actor=u, handover=h, reason=body.reason),
        "cancel": lambda: services.cancel_handover(actor=u, handover=h),
        "acknowledge": lambda: services.acknowledge_handover(actor=u, handover=h),
    }
    if action not in calls:
        raise HttpError(404, "unknown action")
    _rules(lambda: calls[action]())
    h.refresh_from_db()
    return _handover(request, h, inbox=False)
