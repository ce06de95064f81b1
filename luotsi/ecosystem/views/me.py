"""Customer self-service (/me/): own plan, responsible worker, referrals and their reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from luotsi.customers.models import PlanTask

from .. import selectors, services
from ..forms import CommentForm
from ..models import ProgressReport
from ..permissions import customer_of
from .common import RULE_ERRORS, error_messages, form_errors


def _own_customer(request):
    customer = customer_of(request.user)
    if customer is None:
        raise PermissionDenied(_("These pages are for customers who have signed in."))
    return customer


@login_required
def home(request):
    customer = _own_customer(request)
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "task_done":
                task = get_object_or_404(
                    PlanTask, pk=request.POST.get("task"), plan__customer=customer
                )
                services.mark_own_task_done(actor=request.user, task=task)
                messages.success(request, _("Task marked done."))
                return redirect("me:home")
            if action == "comment":
                report = get_object_or_404(
                    ProgressReport, pk=request.POST.get("report"), referral__customer=customer
                )
                form = CommentForm(request.POST, prefix=f"r{report.pk}")
                if form.is_valid():
                    services.comment_on_report(
                        actor=request.user,
                        report=report,
                        text=form.cleaned_data["text"],
                        disputes=form.cleaned_data["disputes"],
                    )
                    messages.success(request, _("Your comment was sent."))
                    return redirect("me:home")
                errors = form_errors(form)
        except RULE_ERRORS as exc:
            errors = error_messages(exc)
    overview = selectors.self_service_overview(request.user, customer)
    return render(
        request,
        "ecosystem/me.html",
        {**overview, "errors": errors, "comment_form_class": CommentForm},
    )
