"""Search, registration and the customer's case file with its actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from luotsi.core.roles import AREA_STAFF, has_role
from luotsi.core.services import log_personal_data_read
from luotsi.journey.selectors import events_of_customer

from .. import selectors, services
from ..forms import (
    CancelMeetingForm,
    ContactForm,
    ExitForm,
    JobSearchForm,
    MeetingForm,
    MeetingHeldForm,
    RegisterForm,
    ReminderForm,
    SearchForm,
    StatusForm,
)
from ..models import Meeting
from .common import get_customer, report


def _staff(request) -> None:
    if not has_role(request.user, *AREA_STAFF):
        raise PermissionDenied


@login_required
def search(request):
    _staff(request)
    form = SearchForm(request.GET or None)
    results = (
        list(selectors.search(request.user, form.data.get("q", ""))[:100]) if form.is_bound else []
    )
    for c in results:  # the results show name, date of birth and municipality
        log_personal_data_read(
            actor=request.user, customer_id=c.pk, purpose="search", fields=SEARCH_FIELDS
        )
    return render(request, "customers/search.html", {"form": form, "results": results})


@login_required
def register(request):
    _staff(request)
    form = RegisterForm(request.POST or None)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            duplicate = services.find_duplicates(data["personal_identity_code"])
            if duplicate is None:
                customer = services.register_customer(actor=request.user, **data)
                messages.success(request, _("Customer registered; you are the responsible worker."))
                return redirect("customers:detail", pk=customer.pk)
            form.add_error("personal_identity_code", _("This person is already a customer."))
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(request, "customers/register.html", {"form": form, "duplicate": duplicate})


SEARCH_FIELDS = ("name", "birth_date", "municipality")

# The rule descriptions of luotsi/kernel/service_model_rules.csv (the kernel has no Django), marked
# here so that they are translated where the case file shows them.
RULE_DESCRIPTIONS = (
    gettext_noop("Initial interview within 5 working days of the start of job search"),
    gettext_noop("Initial interview within 10 working days of the start of job search"),
    gettext_noop(
        "Employment plan made at the initial interview (or at an earlier supplementary discussion)"
    ),
    gettext_noop("Supplementary job-search discussions every 2 weeks during the first 3 months"),
    gettext_noop(
        "After 6 months of job search a 1-month period with 2 extra discussions, repeated every 6 months"
    ),
    gettext_noop("Job-search discussion every 3 months"),
    gettext_noop(
        "A new initial interview only if at least 6 months have passed since the previous job search ended"
    ),
)


@login_required
def detail(request, pk):
    customer = get_customer(request, pk, purpose="case_file")
    enrolment = customer.open_enrolment()
    today = timezone.localdate()
    plan = getattr(enrolment, "plan", None) if enrolment else None
    context = {
        "customer": customer,
        "enrolment": enrolment,
        "enrolments": customer.enrolments.all(),
        "responsibility": selectors.current_responsibility(customer),
        "deadlines": [
            (d, d.status(today), _(d.description))
            for d in selectors.customer_deadlines(customer, today)
        ],
        "plan": plan,
        "tasks": plan.tasks.all() if plan else [],
        "distance": selectors.distance_travelled(customer),
        "meetings": customer.meetings.all()[:20],
        "contacts": customer.contacts.select_related("worker")[:20],
        "events": events_of_customer(customer.pk).order_by("-occurred_at")[:30],
        "contact_form": ContactForm(),
        "meeting_form": MeetingForm(),
        "held_form": MeetingHeldForm(initial={"held_on": today}),
        "exit_form": ExitForm(initial={"ended_on": today}),
        "reminder_form": ReminderForm(),
        "job_search_form": JobSearchForm(),
        "status_form": StatusForm(
            initial={"effective_on": today, "status": enrolment.status if enrolment else None}
        ),
        "cancel_form": CancelMeetingForm(),
        "job_search_reports": enrolment.job_search_reports.all()[:12] if enrolment else [],
    }
    return render(request, "customers/detail.html", context)


def _act(request, pk, form_class, action, success: str):
    customer = get_customer(request, pk, purpose="case_work", fields=("name",))
    form = form_class(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for e in errors:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''}: {e}"
                )
        return redirect("customers:detail", pk=pk)
    try:
        action(customer, form.cleaned_data)
        messages.success(request, success)
    except (ValidationError, PermissionDenied) as exc:
        report(request, exc)
    return redirect("customers:detail", pk=pk)


@login_required
@require_POST
def add_contact(request, pk):
    return _act(
        request,
        pk,
        ContactForm,
        lambda c, d: services.record_contact(actor=request.user, customer=c, **d),
        _("Note saved."),
    )


@login_required
@require_POST
def add_meeting(request, pk):
    return _act(
        request,
        pk,
        MeetingForm,
        lambda c, d: services.schedule_meeting(actor=request.user, customer=c, **d),
        _("Meeting booked."),
    )


@login_required
@require_POST
def meeting_held(request, pk, meeting_pk):
    def act(c, d):
        meeting = Meeting.objects.get(pk=meeting_pk, customer=c)
        services.record_meeting_held(actor=request.user, meeting=meeting, **d)

    return _act(request, pk, MeetingHeldForm, act, _("Meeting marked held."))


@login_required
@require_POST
def exit_period(request, pk):
    return _act(
        request,
        pk,
        ExitForm,
        lambda c, d: services.exit_enrolment(actor=request.user, customer=c, **d),
        _("Job-search period ended."),
    )


@login_required
@require_POST
def add_reminder(request, pk):
    return _act(
        request,
        pk,
        ReminderForm,
        lambda c, d: services.add_reminder(actor=request.user, customer=c, **d),
        _("Reminder added."),
    )
