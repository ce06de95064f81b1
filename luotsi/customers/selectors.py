"""Reads of case work, always scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from luotsi.core.roles import AREA_STAFF, has_role
from luotsi.kernel import codes
from luotsi.kernel import service_model as sm

from .models import Assessment, Customer, EmploymentPlan, Meeting, Reminder, Responsibility


def customers_for(user) -> QuerySet[Customer]:
    """Customers the user may see: area staff see the customers of their own employment area."""
    if (
        not getattr(user, "is_authenticated", False)
        or not has_role(user, *AREA_STAFF)
        or user.organisation is None
    ):
        return Customer.objects.none()
    return Customer.objects.filter(area_code=user.organisation.employment_area_code).select_related(
        "municipality"
    )


def current_responsibility(customer: Customer) -> Responsibility | None:
    return (
        customer.responsibilities.filter(ends_at__isnull=True)
        .select_related("worker", "organisation", "unit")
        .first()
    )


def search(user, query: str) -> QuerySet[Customer]:
    qs = customers_for(user)
    q = query.strip()
    if not q:
        return qs.none()
    if len(q) >= 6 and q[:6].isdigit():
        return qs.filter(personal_identity_code__istartswith=q)
    filt = Q()
    for part in q.split():
        filt &= Q(first_name__icontains=part) | Q(last_name__icontains=part)
    return qs.filter(filt)


def caseload(worker) -> QuerySet[Customer]:
    """Customers whose current responsible worker is ``worker``."""
    return (
        customers_for(worker)
        .filter(responsibilities__worker=worker, responsibilities__ends_at__isnull=True)
        .distinct()
    )


def customer_deadlines(customer: Customer, today: dt.date | None = None) -> list[sm.Deadline]:
    enrolment = customer.open_enrolment()
    if enrolment is None:
        return []
    today = today or timezone.localdate()
    meetings = [
        sm.Meeting(m.meeting_type, m.held_on)
        for m in enrolment.meetings.filter(state=Meeting.State.HELD)
    ]
    plan = EmploymentPlan.objects.filter(enrolment=enrolment, agreed=True).first()
    return sm.deadlines(
        registered_on=enrolment.registered_on,
        today=today,
        meetings=meetings,
        plan_agreed_on=plan.agreed_on if plan else None,
    )


@dataclass(frozen=True)
class QueueItem:
    customer: Customer
    what: str
    due_on: dt.date | None
    status: str


@dataclass(frozen=True)
class Queues:
    new_without_interview: list[QueueItem]
    due_this_week: list[QueueItem]
    overdue: list[QueueItem]
    plans_to_review: list[QueueItem]
    reminders: list[Reminder]
    waiting_for_partner: list[QueueItem]
    total: int


def queues(worker, today: dt.date | None = None) -> Queues:
    """The work queues of a worker's caseload."""
    today = today or timezone.localdate()
    customers = list(caseload(worker).prefetch_related("enrolments__meetings", "enrolments__plan"))
    new, due, overdue, review, partner = [], [], [], [], []
    week_end = today + dt.timedelta(days=7 - today.weekday())
    for c in customers:
        enrolment = next((e for e in c.enrolments.all() if e.ended_on is None), None)
        if enrolment is None:
            continue
        held = [m for m in enrolment.meetings.all() if m.state == Meeting.State.HELD]
        plan = getattr(enrolment, "plan", None)
        ds = sm.deadlines(
            registered_on=enrolment.registered_on,
            today=today,
            meetings=[sm.Meeting(m.meeting_type, m.held_on) for m in held],
            plan_agreed_on=plan.agreed_on if plan and plan.agreed else None,
        )
        if not any(m.meeting_type == codes.MeetingType.INITIAL_INTERVIEW for m in held):
            first = ds[0] if ds else None
            new.append(
                QueueItem(
                    c,
                    "initial_interview",
                    first.due_on if first else None,
                    first.status(today) if first else "",
                )
            )
        for d in ds:
            if d.met_on is not None:
                continue
            status = d.status(today)
            if status == "overdue":
                overdue.append(QueueItem(c, d.rule, d.due_on, status))
            elif d.due_on <= week_end:
                due.append(QueueItem(c, d.rule, d.due_on, status))
        if plan and plan.review_due_on and plan.review_due_on <= week_end:
            review.append(
                QueueItem(
                    c,
                    "plan_review",
                    plan.review_due_on,
                    "overdue" if plan.review_due_on < today else "due",
                )
            )
        if plan:
            for t in plan.tasks.all():
                if (
                    t.referral_id
                    and t.kind == codes.PlanTaskKind.SERVICE
                    and t.status == codes.PlanTaskStatus.PLANNED
                ):
                    partner.append(QueueItem(c, "referral", t.due_on, "waiting"))
    key = lambda i: (i.due_on or dt.date.max, str(i.customer))  # noqa: E731
    reminders = list(
        Reminder.objects.filter(worker=worker, done=False, due_on__lte=week_end).select_related(
            "customer"
        )
    )
    return Queues(
        sorted(new, key=key),
        sorted(due, key=key),
        sorted(overdue, key=key),
        sorted(review, key=key),
        reminders,
        sorted(partner, key=key),
        len(customers),
    )


@dataclass(frozen=True)
class TeamRow:
    worker: object
    customers: int
    per_fte: float
    overdue: int


def team_caseloads(lead, today: dt.date | None = None) -> list[TeamRow]:
    """Caseload per worker of the lead's team (or the whole area for area management)."""
    from luotsi.core.models import User

    workers = User.objects.filter(
        organisation=lead.organisation, is_active=True, groups__name="responsible_worker"
    )
    from luotsi.core.roles import Role

    if lead.unit_id and not has_role(lead, Role.AREA_MANAGEMENT):
        workers = workers.filter(unit=lead.unit)
    rows = []
    counts = dict(
        Responsibility.objects.filter(ends_at__isnull=True, worker__in=workers)
        .values_list("worker")
        .annotate(n=Count("id"))
    )
    for w in workers.distinct().order_by("last_name", "first_name"):
        n = counts.get(w.pk, 0)
        fte = float(w.fte) or 1.0
        rows.append(TeamRow(w, n, round(n / fte, 1), len(queues(w, today).overdue) if n else 0))
    return rows


def distance_travelled(customer: Customer) -> list[dict]:
    """Per dimension: first and latest score and the change (worker's and customer's view)."""
    assessments = list(
        Assessment.objects.filter(customer=customer).order_by("sequence").prefetch_related("scores")
    )
    by_dim: dict[str, list] = defaultdict(list)
    for a in assessments:
        for s in a.scores.all():
            by_dim[s.dimension].append((a, s))
    out = []
    for dim in codes.AssessmentDimension:
        rows = by_dim.get(dim.value, [])
        if not rows:
            continue
        first, last = rows[0][1], rows[-1][1]
        out.append(
            {
                "dimension": dim,
                "series": [(a.assessed_on, s.worker_score, s.customer_score) for a, s in rows],
                "worker_first": first.worker_score,
                "worker_latest": last.worker_score,
                "worker_change": (last.worker_score - first.worker_score)
                if first.worker_score and last.worker_score
                else None,
                "customer_first": first.customer_score,
                "customer_latest": last.customer_score,
                "customer_change": (last.customer_score - first.customer_score)
                if first.customer_score and last.customer_score
                else None,
            }
        )
    return out


def customers_without_responsible(area_code: str) -> QuerySet[Customer]:
    """Customers with an open period but nobody responsible (must always be empty)."""
    current = Responsibility.objects.filter(customer=OuterRef("pk"), ends_at__isnull=True)
    return Customer.objects.filter(area_code=area_code, enrolments__ended_on__isnull=True).exclude(
        Exists(current)
    )
