"""What a customer does themself at /me/: mark own plan tasks done, comment on progress reports."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from luotsi.customers import services as casework
from luotsi.customers.models import PlanTask
from luotsi.kernel.codes import PlanTaskKind, PlanTaskStatus

from ..errors import EcosystemError
from ..models import CustomerAccount, ProgressReport, ReportComment
from ..permissions import require_area_staff, require_customer_self
from ._common import event, required_text

#: The group of users who sign in as customers (created by migration 0002).
CUSTOMER_GROUP = "customer"


@transaction.atomic
def mark_own_task_done(*, actor, task: PlanTask) -> PlanTask:
    """The customer marks a task of their own plan done (service tasks follow their referral)."""
    task = PlanTask.objects.select_related("plan__customer__municipality").get(pk=task.pk)
    require_customer_self(actor, task.plan.customer)
    if task.kind == PlanTaskKind.SERVICE:
        raise EcosystemError(_("A service task is marked done when the service is completed."))
    if task.status in (PlanTaskStatus.DONE, PlanTaskStatus.CANCELLED):
        raise EcosystemError(_("This task is already done or cancelled."))
    return casework.set_task_status(
        actor=actor, task=task, status=PlanTaskStatus.DONE, note=_("Marked done by the customer.")
    )


@transaction.atomic
def comment_on_report(
    *, actor, report: ProgressReport, text: str, disputes: bool = False
) -> ReportComment:
    """The customer comments on (or disputes) a provider's progress report about them."""
    report = ProgressReport.objects.select_related("referral__customer__municipality").get(
        pk=report.pk
    )
    referral = report.referral
    require_customer_self(actor, referral.customer)
    text = required_text(text, _("Write your comment."))
    comment = ReportComment.objects.create(
        report=report, author=actor, text=text, disputes=bool(disputes)
    )
    event(
        "referral.report_commented",
        actor=actor,
        customer=referral.customer,
        organisation_id=referral.sender_organisation_id,
        referral_id=referral.pk,
        offering_id=referral.offering_id,
        provider_id=referral.provider_id,
        disputes=bool(disputes),
    )
    return comment


@transaction.atomic
def open_customer_account(*, actor, user, customer) -> CustomerAccount:
    """Link a sign-in ``user`` to ``customer`` and put them in the ``customer`` group (audited)."""
    from django.contrib.auth.models import Group

    from luotsi.core.services import audit

    require_area_staff(actor, customer.area_code)
    if CustomerAccount.objects.filter(customer=customer).exists():
        raise EcosystemError(_("This customer already has an account."))
    account = CustomerAccount.objects.create(user=user, customer=customer)
    user.groups.add(Group.objects.get_or_create(name=CUSTOMER_GROUP)[0])
    audit(actor=actor, action="create", obj=account, summary=str(user))
    return account
