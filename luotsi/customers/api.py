"""JSON API of case work (session authentication; permission-scoped like the pages)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.security import django_auth

from luotsi.core.services import log_personal_data_read

from . import selectors

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


@router.get("/caseload", response=list[CustomerSummary])
def my_caseload(request):
    """Customers for whom the signed-in worker is responsible."""
    return [_summary(c) for c in selectors.caseload(request.user).order_by("last_name")]


@router.get("/{customer_id}", response=CustomerOut)
def customer_detail(request, customer_id: uuid.UUID):
    """One customer (404 outside the user's area); the read is logged."""
    c = get_object_or_404(selectors.customers_for(request.user), pk=customer_id)
    log_personal_data_read(
        actor=request.user, customer_id=c.pk, purpose="api", fields=["name", "identity", "contact"]
    )
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
