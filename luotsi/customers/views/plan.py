"""The life-situation assessment and the employment plan (edit and printable view)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from luotsi.kernel import codes

from .. import selectors, services
from ..forms import AssessmentForm, PlanForm
from .common import get_customer, report


@login_required
def assessment(request, pk):
    customer = get_customer(request, pk, purpose="assessment")
    form = AssessmentForm(request.POST or None, initial={"assessed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_assessment(
                actor=request.user,
                customer=customer,
                assessed_on=form.cleaned_data["assessed_on"],
                worker_scores=form.scores("w"),
                customer_scores=form.scores("c"),
                summary=form.cleaned_data["summary"],
            )
            messages.success(request, _("Assessment saved."))
            return redirect("customers:detail", pk=pk)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
    rows = [(d, form[f"w_{d.value}"], form[f"c_{d.value}"]) for d in codes.AssessmentDimension]
    return render(
        request,
        "customers/assessment.html",
        {
            "customer": customer,
            "form": form,
            "rows": rows,
            "distance": selectors.distance_travelled(customer),
        },
    )


@login_required
def plan_edit(request, pk):
    customer = get_customer(request, pk, purpose="plan")
    enrolment = customer.open_enrolment()
    plan = getattr(enrolment, "plan", None) if enrolment else None
    tasks = list(plan.tasks.all()) if plan else []
    initial = {"applications_required": 4}
    if plan:
        initial = {
            "goal": plan.goal,
            "agreed": plan.agreed,
            "agreed_on": plan.agreed_on,
            "review_due_on": plan.review_due_on,
            "applications_required": plan.applications_required,
        }
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        specs = [
            {
                "id": t.pk,
                "kind": t.kind,
                "title": t.title,
                "due_on": t.due_on,
                "status": request.POST.get(f"task_{t.pk}", t.status),
            }
            for t in tasks
        ]
        if d["new_task_title"]:
            specs.append(
                {
                    "kind": d["new_task_kind"] or codes.PlanTaskKind.OWN_ACTIVITY,
                    "title": d["new_task_title"],
                    "due_on": d["new_task_due_on"],
                }
            )
        try:
            services.save_plan(
                actor=request.user,
                customer=customer,
                goal=d["goal"],
                agreed=d["agreed"],
                agreed_on=d["agreed_on"],
                review_due_on=d["review_due_on"],
                applications_required=d["applications_required"],
                tasks=specs,
            )
            messages.success(request, _("Plan saved as a new version."))
            return redirect("customers:plan", pk=pk)
        except (ValidationError, PermissionDenied) as exc:
            report(request, exc)
    statuses = [(s.value, s.label) for s in codes.PlanTaskStatus]
    return render(
        request,
        "customers/plan_edit.html",
        {
            "customer": customer,
            "plan": plan,
            "tasks": tasks,
            "form": form,
            "statuses": statuses,
            "versions": plan.versions.all()[:10] if plan else [],
        },
    )


@login_required
def plan_print(request, pk):
    """A printable plan (the browser's print-to-PDF gives the PDF; print CSS hides navigation)."""
    customer = get_customer(request, pk, purpose="plan_print")
    enrolment = customer.open_enrolment()
    plan = getattr(enrolment, "plan", None) if enrolment else None
    version = None
    if plan and request.GET.get("version"):
        version = plan.versions.filter(version=request.GET["version"]).first()
    return render(
        request,
        "customers/plan_print.html",
        {
            "customer": customer,
            "plan": plan,
            "tasks": plan.tasks.all() if plan else [],
            "version": version,
            "responsibility": selectors.current_responsibility(customer),
        },
    )
