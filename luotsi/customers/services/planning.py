"""Life-situation assessments and the versioned employment plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luotsi.kernel import codes

from ..errors import CaseWorkError
from ..models import (
    Assessment,
    AssessmentScore,
    Customer,
    EmploymentPlan,
    PlanTask,
    PlanVersion,
)
from ..permissions import require_area_staff
from ._common import _at, _event, _open_enrolment


def _validate_scores(scores: Mapping[str, int | None], who: str) -> dict[str, int]:
    clean = {}
    for dim, value in scores.items():
        if dim not in codes.AssessmentDimension.values():
            raise CaseWorkError(_("Unknown assessment dimension %(dim)s.") % {"dim": dim})
        if value in (None, ""):
            continue
        if not 1 <= int(value) <= 5:
            raise CaseWorkError(
                _("%(who)s score for %(dim)s must be between 1 and 5.") % {"who": who, "dim": dim}
            )
        clean[dim] = int(value)
    return clean


@transaction.atomic
def record_assessment(
    *,
    actor,
    customer: Customer,
    assessed_on: dt.date,
    worker_scores: Mapping[str, int | None],
    customer_scores: Mapping[str, int | None] | None = None,
    summary: str = "",
    notes: Mapping[str, str] | None = None,
) -> Assessment:
    require_area_staff(actor, customer.area_code)
    enrolment = _open_enrolment(customer)
    w = _validate_scores(worker_scores, _("Worker's"))
    c = _validate_scores(customer_scores or {}, _("Customer's"))
    if not w:
        raise CaseWorkError(_("Score at least one dimension."))
    sequence = (
        customer.assessments.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    ) + 1
    a = Assessment.objects.create(
        customer=customer,
        enrolment=enrolment,
        sequence=sequence,
        assessed_on=assessed_on,
        worker=actor,
        summary=summary,
    )
    AssessmentScore.objects.bulk_create(
        AssessmentScore(
            assessment=a,
            dimension=d,
            worker_score=w.get(d),
            customer_score=c.get(d),
            note=(notes or {}).get(d, ""),
        )
        for d in codes.AssessmentDimension.values()
        if d in w or d in c
    )
    _event(
        "assessment.recorded",
        actor=actor,
        customer=customer,
        occurred_at=_at(assessed_on),
        assessment_id=a.pk,
        sequence=sequence,
        assessed_on=assessed_on,
        worker_scores=w,
        customer_scores=c or None,
    )
    return a


def _task_event(actor, customer, task: PlanTask, previous: str | None) -> None:
    _event(
        "plan_task.changed",
        actor=actor,
        customer=customer,
        plan_id=task.plan_id,
        task_id=task.pk,
        task_kind=task.kind,
        task_status=task.status,
        previous_task_status=previous,
        due_on=task.due_on,
    )


@transaction.atomic
def save_plan(
    *,
    actor,
    customer: Customer,
    goal: str,
    agreed: bool,
    agreed_on: dt.date | None = None,
    valid_until: dt.date | None = None,
    review_due_on: dt.date | None = None,
    applications_required: int = 4,
    tasks: Sequence[Mapping[str, Any]] = (),
    effective_on: dt.date | None = None,
) -> EmploymentPlan:
    """Save a new version of the plan. ``tasks`` lists every task to keep: existing ones by ``id``
    (their status may change), new ones without. Tasks left out are cancelled, never deleted.

    ``effective_on`` is the day the version was made with the customer when it is entered
    afterwards (default today; never in the future nor before the job-search period began): the
    journey event is dated on it, so indicators count the plan from that day."""
    require_area_staff(actor, customer.area_code)
    enrolment = _open_enrolment(customer)
    if effective_on is not None and not (
        enrolment.registered_on <= effective_on <= timezone.localdate()
    ):
        raise CaseWorkError(
            _("The plan's date %(day)s must lie between the start of the job search and today.")
            % {"day": effective_on.strftime("%-d.%-m.%Y")}
        )
    if not 0 <= applications_required <= 4:
        raise CaseWorkError(_("The job-search obligation is 0–4 applications a month."))
    if agreed and agreed_on is None:
        agreed_on = timezone.localdate()
    plan, _created = EmploymentPlan.objects.select_for_update().get_or_create(
        customer=customer, enrolment=enrolment
    )
    existing = {str(t.pk): t for t in plan.tasks.all()}
    kept = set()
    for spec in tasks:
        kind = spec.get("kind") or codes.PlanTaskKind.OWN_ACTIVITY
        status = spec.get("status") or codes.PlanTaskStatus.PLANNED
        if kind not in codes.PlanTaskKind.values() or status not in codes.PlanTaskStatus.values():
            raise CaseWorkError(_("Unknown task kind or status."))
        title = (spec.get("title") or "").strip()
        if not title:
            raise CaseWorkError(_("Every task needs a title."))
        task = existing.get(str(spec.get("id") or ""))
        if task is None:
            task = PlanTask.objects.create(
                plan=plan,
                kind=kind,
                title=title,
                description=spec.get("description", ""),
                status=status,
                due_on=spec.get("due_on"),
            )
            _task_event(actor, customer, task, None)
        else:
            kept.add(str(task.pk))
            previous = task.status
            task.kind, task.title, task.description, task.due_on, task.status = (
                kind,
                title,
                spec.get("description", task.description),
                spec.get("due_on"),
                status,
            )
            task.save()
            if previous != status:
                _task_event(actor, customer, task, previous)
    for key, task in existing.items():
        if key not in kept and task.status not in (
            codes.PlanTaskStatus.DONE,
            codes.PlanTaskStatus.CANCELLED,
        ):
            previous, task.status = task.status, codes.PlanTaskStatus.CANCELLED
            task.save(update_fields=["status"])
            _task_event(actor, customer, task, previous)
    plan.goal, plan.agreed, plan.agreed_on = goal, agreed, agreed_on if agreed else None
    plan.valid_until, plan.review_due_on, plan.applications_required = (
        valid_until,
        review_due_on,
        applications_required,
    )
    plan.version += 1
    plan.save()
    all_tasks = list(plan.tasks.all())
    PlanVersion.objects.create(
        plan=plan, version=plan.version, saved_by=actor, content=_snapshot(plan, all_tasks)
    )
    _event(
        "plan.saved",
        actor=actor,
        customer=customer,
        plan_id=plan.pk,
        plan_version=plan.version,
        agreed=agreed,
        agreed_on=plan.agreed_on,
        valid_until=valid_until,
        review_due_on=review_due_on,
        task_count=len(all_tasks),
        applications_required=applications_required,
        occurred_at=_at(effective_on),
    )
    return plan


def _snapshot(plan: EmploymentPlan, tasks: Sequence[PlanTask]) -> dict:
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {
        "goal": plan.goal,
        "agreed": plan.agreed,
        "agreed_on": iso(plan.agreed_on),
        "valid_until": iso(plan.valid_until),
        "review_due_on": iso(plan.review_due_on),
        "applications_required": plan.applications_required,
        "tasks": [
            {
                "id": str(t.pk),
                "kind": t.kind,
                "title": t.title,
                "description": t.description,
                "status": t.status,
                "due_on": iso(t.due_on),
            }
            for t in tasks
        ],
    }


@transaction.atomic
def set_task_status(*, actor, task: PlanTask, status: str, note: str = "") -> PlanTask:
    """Change one task's status (also called by the ecosystem when a linked referral moves)."""
    if status not in codes.PlanTaskStatus.values():
        raise CaseWorkError(_("Unknown task status %(status)s.") % {"status": status})
    task = (
        PlanTask.objects.select_for_update()
        .select_related("plan__customer__municipality")
        .get(pk=task.pk)
    )
    if task.status == status:
        return task
    previous, task.status = task.status, status
    if note:
        task.description = (task.description + "\n" + note).strip()
    task.save(update_fields=["status", "description"])
    _task_event(actor, task.plan.customer, task, previous)
    return task
