"""JSON API of case work (session authentication; permission-scoped like the pages).

Everything a responsible worker does in the pages is here too: search before register, register
and re-register, assessments with distance travelled, the versioned plan, meetings, notes, exits,
reassignment and the work queues. Rule errors answer 422 with the message, a duplicate identity
code 409, missing rights 403 and anything outside the user's area 404 (existence is not
revealed). Every read of a customer's personal data is logged with the endpoint.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from luotsi.core.models import User
from luotsi.core.roles import AREA_STAFF, has_role
from luotsi.core.services import log_personal_data_read

from . import selectors, services
from .models import Meeting
from .permissions import can_lead_team

router = Router(tags=["customers"], auth=django_auth)


class CustomerSummary(Schema):
    id: uuid.UUID
    first_name: str
    last_name: str
    municipality_code: str
    area_code: str


class DeadlineOut(Schema):
    rule: str
    due_on: dt.date
    met_on: dt.date | None
    status: str
    legal_reference: str


class CustomerOut(CustomerSummary):
    personal_identity_code: str
    phone: str
    email: str
    registered_on: dt.date | None
    responsible_worker: str | None
    deadlines: list[DeadlineOut]


def _summary(c) -> dict:
    return {
        "id": c.pk,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "municipality_code": c.municipality.code,
        "area_code": c.area_code,
    }


class RegisterIn(Schema):
    personal_identity_code: str
    first_name: str
    last_name: str
    registered_on: dt.date
    municipality_code: str | None = None
    postal_code: str = ""
    language_group: str = "fi"
    education_level: str = "unknown"
    phone: str = ""
    email: str = ""


class ReregisterIn(Schema):
    registered_on: dt.date


class AssessmentIn(Schema):
    assessed_on: dt.date
    worker_scores: dict[str, int | None]
    customer_scores: dict[str, int | None] = {}
    summary: str = ""


class DistanceOut(Schema):
    dimension: str
    worker_first: int | None
    worker_latest: int | None
    worker_change: int | None
    customer_first: int | None
    customer_latest: int | None
    customer_change: int | None


class TaskIn(Schema):
    id: uuid.UUID | None = None
    kind: str
    title: str
    status: str = "planned"
    due_on: dt.date | None = None


class PlanIn(Schema):
    goal: str
    agreed: bool
    agreed_on: dt.date | None = None
    review_due_on: dt.date | None = None
    applications_required: int = 4
    tasks: list[TaskIn] = []


class TaskOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str
    due_on: dt.date | None


class PlanOut(Schema):
    version: int
    goal: str
    agreed: bool
    agreed_on: dt.date | None
    review_due_on: dt.date | None
    applications_required: int
    tasks: list[TaskOut]


class MeetingIn(Schema):
    meeting_type: str
    channel: str
    scheduled_for: dt.datetime


class MeetingOut(Schema):
    id: uuid.UUID
    meeting_type: str
    channel: str
    state: str
    scheduled_for: dt.datetime
    held_on: dt.date | None


class HeldIn(Schema):
    held_on: dt.date


class CancelIn(Schema):
    reason: str


class ContactIn(Schema):
    channel: str
    text: str


class ExitIn(Schema):
    ended_on: dt.date
    exit_reason: str


class AssignIn(Schema):
    worker_id: int


class QueueItemOut(Schema):
    customer_id: uuid.UUID
    what: str
    due_on: dt.date | None
    status: str


class QueuesOut(Schema):
    new_without_interview: list[QueueItemOut]
    due_this_week: list[QueueItemOut]
    overdue: list[QueueItemOut]
    plans_to_review: list[QueueItemOut]
    waiting_for_partner: list[QueueItemOut]
    total: int


def _staff(request) -> None:
    if not has_role(request.user, *AREA_STAFF):
        raise HttpError(403, _("Area staff only."))


def _customer(request, customer_id, *, purpose: str, fields=("name",)):
    """The customer in the user's area (404 otherwise); the read is logged."""
    c = get_object_or_404(selectors.customers_for(request.user), pk=customer_id)
    log_personal_data_read(actor=request.user, customer_id=c.pk, purpose=purpose, fields=fields)
    return c


def _rules(fn, **kw) -> Any:
    """Call a service; its rule errors become 422 and missing rights 403 (nothing is written)."""
    try:
        return fn(**kw)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("Permission denied.")) from exc
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):  # name the bad fields
            detail = "; ".join(
                f"{field}: {' '.join(msgs)}" if field != "__all__" else " ".join(msgs)
                for field, msgs in exc.message_dict.items()
            )
        else:
            detail = "; ".join(exc.messages)
        raise HttpError(422, detail) from exc


def _plan(plan) -> dict:
    return {
        "version": plan.version,
        "goal": plan.goal,
        "agreed": plan.agreed,
        "agreed_on": plan.agreed_on,
        "review_due_on": plan.review_due_on,
        "applications_required": plan.applications_required,
        "tasks": [
            {"id": t.pk, "kind": t.kind, "title": t.title, "status": t.status, "due_on": t.due_on}
            for t in plan.tasks.order_by("created_at", "title")
        ],
    }


def _meeting(m) -> dict:
    return {
        "id": m.pk,
        "meeting_type": m.meeting_type,
        "channel": m.channel,
        "state": m.state,
        "scheduled_for": m.scheduled_for,
        "held_on": m.held_on,
    }


def _items(items) -> list[dict]:
    return [
        {"customer_id": i.customer.pk, "what": i.what, "due_on": i.due_on, "status": i.status}
        for i in items
    ]


@router.get("/search", response=list[CustomerSummary])
def search(request, q: str):
    """Search before create: customers of the user's area by name or identity code."""
    _staff(request)
    found = list(selectors.search(request.user, q)[:100])
    for c in found:
        log_personal_data_read(
            actor=request.user, customer_id=c.pk, purpose="api_search", fields=("name",)
        )
    return [_summary(c) for c in found]


@router.get("/queues", response=QueuesOut)
def my_queues(request):
    """The signed-in worker's work queues (deadlines due this week, overdue, new customers...)."""
    _staff(request)
    q = selectors.queues(request.user)
    return {
        "new_without_interview": _items(q.new_without_interview),
        "due_this_week": _items(q.due_this_week),
        "overdue": _items(q.overdue),
        "plans_to_review": _items(q.plans_to_review),
        "waiting_for_partner": _items(q.waiting_for_partner),
        "total": q.total,
    }


@router.post("/", response={201: CustomerSummary, 409: dict})
def register(request, data: RegisterIn):
    """Register a customer (search before create: a known identity code answers 409)."""
    _staff(request)
    existing = _rules(services.find_duplicates, personal_identity_code=data.personal_identity_code)
    if existing is not None:
        visible = selectors.customers_for(request.user).filter(pk=existing.pk).exists()
        return Status(
            409,
            {
                "detail": _("This person is already a customer."),
                "existing_id": str(existing.pk) if visible else None,
            },
        )
    c = _rules(services.register_customer, actor=request.user, **data.dict())
    return Status(201, _summary(c))


@router.post("/{customer_id}/reregister", response={201: dict})
def reregister(request, customer_id: uuid.UUID, data: ReregisterIn):
    """Open a new job-search period; the earlier periods stay as history."""
    c = _customer(request, customer_id, purpose="api_reregister")
    e = _rules(services.reregister, actor=request.user, customer=c, **data.dict())
    return Status(201, {"enrolment_id": str(e.pk), "registered_on": e.registered_on.isoformat()})


@router.get("/{customer_id}/assessments", response=list[DistanceOut])
def distance(request, customer_id: uuid.UUID):
    """Distance travelled per dimension over the customer's assessments."""
    c = _customer(request, customer_id, purpose="api_assessment", fields=("assessment",))
    return [
        {**{k: v for k, v in r.items() if k != "series"}, "dimension": r["dimension"].value}
        for r in selectors.distance_travelled(c)
    ]


@router.post("/{customer_id}/assessments", response={201: dict})
def assess(request, customer_id: uuid.UUID, data: AssessmentIn):
    c = _customer(request, customer_id, purpose="api_assessment", fields=("assessment",))
    a = _rules(services.record_assessment, actor=request.user, customer=c, **data.dict())
    return Status(201, {"id": str(a.pk), "sequence": a.sequence})


@router.get("/{customer_id}/plan", response=PlanOut)
def plan(request, customer_id: uuid.UUID):
    c = _customer(request, customer_id, purpose="api_plan", fields=("name", "plan"))
    enrolment = c.open_enrolment()
    p = getattr(enrolment, "plan", None) if enrolment else None
    if p is None:
        raise HttpError(404, _("No plan yet."))
    return _plan(p)


@router.put("/{customer_id}/plan", response=PlanOut)
def save_plan(request, customer_id: uuid.UUID, data: PlanIn):
    """Save a new version of the plan (the previous version is kept)."""
    c = _customer(request, customer_id, purpose="api_plan", fields=("name", "plan"))
    fields = data.dict()
    fields["tasks"] = [{k: v for k, v in t.items() if v is not None} for t in fields["tasks"]]
    return _plan(_rules(services.save_plan, actor=request.user, customer=c, **fields))


@router.post("/{customer_id}/meetings", response={201: MeetingOut})
def schedule(request, customer_id: uuid.UUID, data: MeetingIn):
    c = _customer(request, customer_id, purpose="api_meeting")
    return Status(
        201,
        _meeting(_rules(services.schedule_meeting, actor=request.user, customer=c, **data.dict())),
    )


def _customer_meeting(request, customer_id, meeting_id) -> Meeting:
    c = _customer(request, customer_id, purpose="api_meeting")
    return get_object_or_404(Meeting, pk=meeting_id, customer=c)


@router.post("/{customer_id}/meetings/{meeting_id}/held", response=MeetingOut)
def held(request, customer_id: uuid.UUID, meeting_id: uuid.UUID, data: HeldIn):
    m = _customer_meeting(request, customer_id, meeting_id)
    return _meeting(
        _rules(services.record_meeting_held, actor=request.user, meeting=m, **data.dict())
    )


@router.post("/{customer_id}/meetings/{meeting_id}/cancel", response=MeetingOut)
def cancel(request, customer_id: uuid.UUID, meeting_id: uuid.UUID, data: CancelIn):
    m = _customer_meeting(request, customer_id, meeting_id)
    return _meeting(_rules(services.cancel_meeting, actor=request.user, meeting=m, **data.dict()))


@router.post("/{customer_id}/contacts", response={201: dict})
def contact(request, customer_id: uuid.UUID, data: ContactIn):
    """A note with its channel (the text never enters the journey log)."""
    c = _customer(request, customer_id, purpose="api_contact")
    n = _rules(services.record_contact, actor=request.user, customer=c, **data.dict())
    return Status(201, {"id": str(n.pk)})


@router.post("/{customer_id}/exit", response=dict)
def exit_period(request, customer_id: uuid.UUID, data: ExitIn):
    """End the job-search period with its reason."""
    c = _customer(request, customer_id, purpose="api_exit")
    e = _rules(services.exit_enrolment, actor=request.user, customer=c, **data.dict())
    return {"enrolment_id": str(e.pk), "ended_on": e.ended_on.isoformat()}


@router.post("/{customer_id}/responsible", response=dict)
def assign(request, customer_id: uuid.UUID, data: AssignIn):
    """Team lead: move the customer to another worker of the same organisation."""
    if not can_lead_team(request.user):
        raise HttpError(403, _("Team leads only."))
    c = _customer(request, customer_id, purpose="api_rebalance")
    worker = User.objects.filter(pk=data.worker_id, organisation=request.user.organisation).first()
    if worker is None:
        raise HttpError(422, _("Choose a worker of your own organisation."))
    _rules(services.assign_responsible_worker, actor=request.user, customer=c, worker=worker)
    return {"responsible_worker": str(worker)}


@router.get("/caseload", response=list[CustomerSummary])
def my_caseload(request):
    """Customers for whom the signed-in worker is responsible."""
    return [_summary(c) for c in selectors.caseload(request.user).order_by("last_name")]


@router.get("/{customer_id}", response=CustomerOut)
def customer_detail(request, customer_id: uuid.UUID):
    """One customer (404 outside the user's area); the read is logged."""
    c = _customer(request, customer_id, purpose="api", fields=("name", "identity", "contact"))
    enrolment = c.open_enrolment()
    resp = selectors.current_responsibility(c)
    today = dt.date.today()
    return {
        **_summary(c),
        "personal_identity_code": c.personal_identity_code,
        "phone": c.phone,
        "email": c.email,
        "registered_on": enrolment.registered_on if enrolment else None,
        "responsible_worker": str(resp.worker) if resp and resp.worker else None,
        "deadlines": [
            {
                "rule": d.rule,
                "due_on": d.due_on,
                "met_on": d.met_on,
                "status": d.status(today),
                "legal_reference": d.legal_reference,
            }
            for d in selectors.customer_deadlines(c, today)
        ],
    }
