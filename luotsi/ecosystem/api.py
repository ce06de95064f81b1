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
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from luotsi.core.roles import AREA_STAFF, has_role
from luotsi.core.services import log_personal_data_read
from luotsi.customers import selectors as casework

from . import selectors, services
from .models import Consent, Referral, ServiceOffering
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
    return 201, {"id": str(consent.pk), "version": consent.version}


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
    return 201, _referral(r)


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
            for r in o["referrals"]
        ],
    }
