"""Pages of the area's workers: service search, a customer's referrals, consents and handovers,
the handover inbox, bouncing and gap alerts, alliances."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from luotsi.core.services import log_personal_data_read
from luotsi.customers import selectors as casework
from luotsi.customers.models import PlanTask
from luotsi.kernel.codes import PlanTaskKind, PlanTaskStatus

from .. import selectors, services
from ..forms import ConsentForm, HandoverForm, OfferingSearchForm, ReferralForm
from ..models import Consent, Handover, Referral
from .common import RULE_ERRORS, error_messages, form_errors, require_staff


def _search(request, *, public_only: bool):
    form = OfferingSearchForm(request.GET or None)
    results = []
    if form.is_valid():
        d = form.cleaned_data
        results = selectors.search_offerings(
            text=d["q"],
            municipality_code=d["municipality"],
            language=d["language"],
            target_group=d["target_group"],
            free_only=d["free_only"],
            public_only=public_only,
        )
    elif not request.GET:
        results = selectors.search_offerings(public_only=public_only)
    return form, results


@login_required
def catalogue(request):
    """The worker's service search (text, municipality, language, target group, free places)."""
    require_staff(request)
    form, results = _search(request, public_only=False)
    customer_pk = request.GET.get("customer", "")
    return render(
        request,
        "ecosystem/catalogue.html",
        {"form": form, "offerings": results, "customer_pk": customer_pk, "public": False},
    )


def public_catalogue(request):
    """The customer-facing catalogue: public offerings only, no sign-in needed."""
    form, results = _search(request, public_only=True)
    return render(
        request,
        "ecosystem/catalogue.html",
        {"form": form, "offerings": results, "public": True},
    )


def _open_service_tasks(customer):
    return PlanTask.objects.filter(
        plan__customer=customer,
        plan__enrolment__ended_on__isnull=True,
        kind=PlanTaskKind.SERVICE,
        status__in=(PlanTaskStatus.PLANNED, PlanTaskStatus.IN_PROGRESS),
    )


@login_required
def customer_page(request, pk):
    """A customer's referrals, consents and handovers, with the forms to change them."""
    require_staff(request)
    customer = get_object_or_404(casework.customers_for(request.user), pk=pk)
    log_personal_data_read(
        actor=request.user, customer_id=customer.pk, purpose="ecosystem", fields=["name"]
    )
    tasks = list(_open_service_tasks(customer))
    offerings = selectors.offerings_on()
    consent_form = ConsentForm(prefix="consent")
    referral_form = ReferralForm(
        prefix="referral",
        offerings=offerings,
        tasks=tasks,
        initial={"offering": request.GET.get("offering")},
    )
    handover_form = HandoverForm(prefix="handover", organisation=request.user.organisation)
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            done = _customer_action(request, customer, action, tasks, offerings)
        except RULE_ERRORS as exc:
            errors, done = error_messages(exc), None
        if isinstance(done, str):
            messages.success(request, done)
            return redirect("ecosystem:customer", pk=customer.pk)
        if isinstance(done, list):
            errors = done
        consent_form, referral_form, handover_form = (
            getattr(request, "_eco_forms", {}).get(k, f)
            for k, f in (
                ("consent", consent_form),
                ("referral", referral_form),
                ("handover", handover_form),
            )
        )
    return render(
        request,
        "ecosystem/customer.html",
        {
            "customer": customer,
            "responsibility": casework.current_responsibility(customer),
            "referrals": selectors.referrals_of(customer),
            "consents": selectors.consents_of(customer),
            "handovers": Handover.objects.filter(customer=customer).select_related(
                "to_worker", "to_unit", "to_organisation", "from_worker"
            ),
            "consent_form": consent_form,
            "referral_form": referral_form,
            "handover_form": handover_form,
            "errors": errors,
            "today": timezone.localdate(),
        },
    )


def _customer_action(request, customer, action, tasks, offerings):
    """Run one POSTed action; a str is a success message, a list holds form errors."""
    user, post = request.user, request.POST
    if action == "consent":
        form = ConsentForm(post, prefix="consent")
        request._eco_forms = {"consent": form}
        if not form.is_valid():
            return form_errors(form)
        d = form.cleaned_data
        services.give_consent(
            actor=user,
            customer=customer,
            recipient=d["recipient"],
            purpose=d["purpose"],
            shared_fields=d["shared_fields"],
            valid_until=d["valid_until"],
        )
        return _("Consent recorded.")
    if action == "revoke_consent":
        consent = get_object_or_404(Consent, pk=post.get("consent"), customer=customer)
        services.revoke_consent(actor=user, consent=consent)
        return _("Consent revoked; the organisation can no longer see the data.")
    if action == "refer":
        form = ReferralForm(post, prefix="referral", offerings=offerings, tasks=tasks)
        request._eco_forms = {"referral": form}
        if not form.is_valid():
            return form_errors(form)
        d = form.cleaned_data
        task = next((t for t in tasks if str(t.pk) == d["task"]), None)
        write = services.refer if d["send_now"] else services.draft_referral
        write(
            actor=user, customer=customer, offering=d["offering"], task=task, message=d["message"]
        )
        return _("Referral sent.") if d["send_now"] else _("Referral saved as a draft.")
    if action in ("send", "revoke"):
        referral = get_object_or_404(Referral, pk=post.get("referral"), customer=customer)
        if action == "send":
            services.send_referral(actor=user, referral=referral)
            return _("Referral sent.")
        services.revoke_referral(actor=user, referral=referral, reason=post.get("reason", ""))
        return _("Referral revoked.")
    if action == "handover":
        form = HandoverForm(post, prefix="handover", organisation=user.organisation)
        request._eco_forms = {"handover": form}
        if not form.is_valid():
            return form_errors(form)
        d = form.cleaned_data
        services.request_handover(
            actor=user,
            customer=customer,
            to_worker=d["to_worker"],
            to_unit=d["to_unit"],
            to_organisation=d["to_organisation"],
            reason=d["reason"],
        )
        return _("Handover requested; you stay responsible until it is accepted.")
    return [_("Unknown action.")]


@login_required
def handovers(request):
    """Handovers waiting for me, those I sent, and alerts of declined or expired ones."""
    if request.method == "POST":
        h = get_object_or_404(Handover, pk=request.POST.get("handover"))
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.accept_handover(actor=request.user, handover=h)
                messages.success(request, _("You are now responsible for the customer."))
            elif action == "decline":
                services.decline_handover(
                    actor=request.user, handover=h, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Handover declined."))
            elif action == "cancel":
                services.cancel_handover(actor=request.user, handover=h)
                messages.success(request, _("Handover cancelled."))
            elif action == "acknowledge":
                services.acknowledge_handover(actor=request.user, handover=h)
            else:
                messages.error(request, _("Unknown action."))
        except RULE_ERRORS as exc:
            for m in error_messages(exc):
                messages.error(request, m)
        return redirect("ecosystem:handovers")
    inbox = [
        (h, selectors.labelled(selectors.handover_customer_view(request.user, h)))
        for h in selectors.handovers_inbox(request.user)
    ]
    return render(
        request,
        "ecosystem/handovers.html",
        {
            "inbox": inbox,
            "outbox": selectors.handovers_outbox(request.user),
            "alerts": selectors.handover_alerts(request.user),
        },
    )


@login_required
def alerts(request):
    """Customers flagged for bouncing or for gaps (team leads see the area, workers their own)."""
    require_staff(request)
    scope = selectors.alert_scope(request.user)
    today = timezone.localdate()
    return render(
        request,
        "ecosystem/alerts.html",
        {
            "bouncing": selectors.bouncing(scope, today),
            "gaps": selectors.gaps(scope, today),
        },
    )


@login_required
def alliances(request):
    require_staff(request)
    return render(
        request,
        "ecosystem/alliances.html",
        {"alliances": selectors.alliances()},
    )
