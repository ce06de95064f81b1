"""The partner portal: the provider organisation's queue of incoming referrals and their steps.

Templates receive only dicts built by selectors (``partner_referral_row`` and the consented
``partner_customer_view``), never a Customer or Referral instance, so nothing beyond the consent
can leak through a template.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors, services
from ..forms import CompleteForm, InterruptForm, ProgressReportForm, ReasonForm, StartForm
from .common import RULE_ERRORS, error_messages, form_errors

_FORMS = {
    "reject": ReasonForm,
    "start": StartForm,
    "report": ProgressReportForm,
    "complete": CompleteForm,
    "interrupt": InterruptForm,
}


def visible_referral(user, pk):
    """The referral if it is in the user's queue (active, consent in force), else 404."""
    referral = selectors.partner_referrals(user).filter(pk=pk).first()
    if referral is None:
        raise Http404(_("No such referral in your queue."))
    return referral


@login_required
def queue(request):
    rows = []
    for r in selectors.partner_referrals(request.user):
        view = selectors.partner_customer_view(request.user, r, purpose="partner_queue")
        rows.append({**selectors.partner_referral_row(r), "customer_name": view.get("name", "")})
    return render(request, "ecosystem/partner_queue.html", {"rows": rows})


def _run(user, referral, action: str, d: dict) -> str:
    if action == "accept":
        services.accept_referral(actor=user, referral=referral)
        return _("Referral accepted.")
    if action == "reject":
        services.reject_referral(actor=user, referral=referral, reason=d["reason"])
        return _("Referral rejected.")
    if action == "start":
        services.start_referral(actor=user, referral=referral, started_on=d["started_on"])
        return _("The customer has started in the service.")
    if action == "report":
        services.report_progress(
            actor=user, referral=referral, text=d["text"], reported_on=d["reported_on"]
        )
        return _("Progress report saved.")
    if action == "complete":
        services.complete_referral(
            actor=user, referral=referral, outcome=d["outcome"], ended_on=d["ended_on"]
        )
        return _("Service completed.")
    if action == "interrupt":
        services.interrupt_referral(
            actor=user,
            referral=referral,
            reason=d["reason"],
            outcome=d["outcome"] or None,
            ended_on=d["ended_on"],
        )
        return _("Service interrupted.")
    raise Http404("unknown action")


@login_required
def referral(request, pk):
    """One referral: the consented customer data, the reports and the next steps."""
    r = visible_referral(request.user, pk)
    today = timezone.localdate()
    forms = {
        name: cls(
            prefix=name, initial={"reported_on": today, "started_on": today, "ended_on": today}
        )
        for name, cls in _FORMS.items()
    }
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        form = _FORMS[action](request.POST, prefix=action) if action in _FORMS else None
        if form is not None:
            forms[action] = form
        if form is not None and not form.is_valid():
            errors = form_errors(form)
        else:
            try:
                message = _run(request.user, r, action, form.cleaned_data if form else {})
                messages.success(request, message)
                if selectors.partner_referrals(request.user).filter(pk=pk).exists():
                    return redirect("partner:referral", pk=pk)
                return redirect("partner:queue")
            except RULE_ERRORS as exc:
                errors = error_messages(exc)
    customer = selectors.labelled(selectors.partner_customer_view(request.user, r))
    return render(
        request,
        "ecosystem/partner_referral.html",
        {
            "referral": selectors.partner_referral_row(r),
            "customer": customer,
            "forms": forms,
            "errors": errors,
        },
    )
