"""Editing a customer's details, labour-market status, job-search follow-up, meeting cancellation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..forms import CancelMeetingForm, DetailsForm, JobSearchForm, StatusForm
from ..models import Meeting
from .common import get_customer
from .customer import _act


@login_required
def edit_details(request, pk):
    customer = get_customer(request, pk, purpose="edit_details")
    initial = {f: getattr(customer, f) for f in DetailsForm.base_fields if hasattr(customer, f)}
    initial["municipality_code"] = customer.municipality.code
    form = DetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_details(
                actor=request.user,
                customer=customer,
                municipality_code=data.pop("municipality_code"),
                **data,
            )
            messages.success(request, _("Details saved."))
            return redirect("customers:detail", pk=pk)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
    return render(request, "customers/details_form.html", {"customer": customer, "form": form})


@login_required
@require_POST
def job_search(request, pk):
    return _act(
        request,
        pk,
        JobSearchForm,
        lambda c, d: services.report_job_search(actor=request.user, customer=c, **d),
        _("Job-search follow-up saved."),
    )


@login_required
@require_POST
def status(request, pk):
    return _act(
        request,
        pk,
        StatusForm,
        lambda c, d: services.change_status(actor=request.user, customer=c, **d),
        _("Status changed."),
    )


@login_required
@require_POST
def cancel_meeting(request, pk, meeting_pk):
    def act(c, d):
        services.cancel_meeting(
            actor=request.user,
            meeting=Meeting.objects.get(pk=meeting_pk, customer=c),
            reason=d["reason"],
        )

    return _act(request, pk, CancelMeetingForm, act, _("Meeting cancelled."))
