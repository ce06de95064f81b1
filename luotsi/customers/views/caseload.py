"""The worker's caseload with work queues and saved filters, and the team lead's view."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luotsi.core.models import User

from .. import selectors, services
from ..forms import RebalanceForm
from ..models import SavedFilter
from ..permissions import can_lead_team
from ..queues import extra_queues
from .common import get_customer, report


@login_required
def caseload(request):
    customers = selectors.caseload(request.user).prefetch_related("enrolments")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    if q:
        customers = customers.filter(last_name__icontains=q) | customers.filter(
            first_name__icontains=q
        )
    if status:
        customers = customers.filter(enrolments__ended_on__isnull=True, enrolments__status=status)
    context = {
        "queues": selectors.queues(request.user),
        "extra_queues": extra_queues(request.user, timezone.localdate()),
        "customers": customers.order_by("last_name", "first_name")[:200],
        "saved_filters": SavedFilter.objects.filter(user=request.user),
        "q": q,
        "status": status,
        "current_query": urlencode({k: v for k, v in (("q", q), ("status", status)) if v}),
    }
    return render(request, "customers/caseload.html", context)


@login_required
@require_POST
def save_filter(request):
    name = request.POST.get("name", "").strip()
    if not name:
        messages.error(request, _("Give the filter a name."))
    else:
        services.save_filter(actor=request.user, name=name, query=request.POST.get("query", ""))
        messages.success(request, _("Filter saved."))
    return redirect("customers:caseload")


@login_required
def team(request):
    if not can_lead_team(request.user):
        raise PermissionDenied
    rows = selectors.team_caseloads(request.user)
    workers = [r.worker for r in rows]
    customers = {
        r.worker.pk: list(selectors.caseload(r.worker).order_by("last_name")[:50]) for r in rows
    }
    return render(
        request, "customers/team.html", {"rows": rows, "workers": workers, "customers": customers}
    )


@login_required
@require_POST
def rebalance(request):
    if not can_lead_team(request.user):
        raise PermissionDenied
    form = RebalanceForm(request.POST)
    if form.is_valid():
        customer = get_customer(
            request, form.cleaned_data["customer"], purpose="rebalance", fields=("name",)
        )
        worker = User.objects.filter(
            pk=form.cleaned_data["worker"], organisation=request.user.organisation
        ).first()
        try:
            if worker is None:
                raise ValidationError(_("Choose a worker of your own organisation."))
            services.assign_responsible_worker(
                actor=request.user, customer=customer, worker=worker, reason="rebalance"
            )
            messages.success(
                request,
                _("%(customer)s moved to %(worker)s.") % {"customer": customer, "worker": worker},
            )
        except (ValidationError, PermissionDenied) as exc:
            report(request, exc)
    else:
        messages.error(request, _("Choose the customer and the new responsible worker."))
    return redirect("customers:team")
