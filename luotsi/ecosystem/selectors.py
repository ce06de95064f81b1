"""Reads of the ecosystem, always scoped to what the user may see.

The partner's view of a customer is built here as a plain dict holding only the consented fields
(``partner_customer_view``); partner pages and endpoints never receive a Customer instance.
Every read of a customer's personal data is logged with ``core.services.log_personal_data_read``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from luotsi.core.roles import Role, has_role
from luotsi.core.services import log_personal_data_read
from luotsi.customers import selectors as casework
from luotsi.customers.models import Assessment, Customer, EmploymentPlan, PlanTask, Responsibility
from luotsi.kernel.codes import HandoverStatus, PlanTaskKind, PlanTaskStatus, ReferralStatus

from .choices import (
    ACTIVE_REFERRAL_STATES,
    PLACE_HOLDING_STATES,
    SHAREABLE_FIELDS,
    ConsentPurpose,
    setting,
)
from .models import Alliance, Consent, Handover, ProgressReport, Referral, ServiceOffering
from .permissions import is_provider_worker

# --- consent --------------------------------------------------------------------------------------


def _in_force_q(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}revoked_at__isnull": True, f"{prefix}superseded_at__isnull": True}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": today})
    )


def active_consent(customer, recipient, purpose: str, today: dt.date | None = None):
    """The consent in force for sharing ``customer``'s data with ``recipient`` for ``purpose``."""
    today = today or timezone.localdate()
    return (
        Consent.objects.filter(customer=customer, recipient=recipient, purpose=purpose)
        .filter(_in_force_q(today))
        .first()
    )


def consents_of(customer) -> QuerySet[Consent]:
    return Consent.objects.filter(customer=customer).select_related("recipient")


# --- catalogue ------------------------------------------------------------------------------------


def alliances(day: dt.date | None = None) -> QuerySet[Alliance]:
    """Alliance agreements with their members and the pooled totals (``total_budget_eur``,
    ``total_person_years``); with ``day``, only those in force on that day."""
    qs = Alliance.objects.prefetch_related("members__organisation").annotate(
        total_budget_eur=Sum("members__budget_eur"),
        total_person_years=Sum("members__person_years"),
    )
    if day is not None:
        qs = qs.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
    return qs.order_by("-starts_on", "name")


def _with_free_places(qs: QuerySet[ServiceOffering]) -> QuerySet[ServiceOffering]:
    return qs.annotate(
        places_taken=Count("referrals", filter=Q(referrals__status__in=PLACE_HOLDING_STATES))
    ).annotate(free_places=F("capacity") - F("places_taken"))


def offerings_on(today: dt.date | None = None) -> QuerySet[ServiceOffering]:
    today = today or timezone.localdate()
    return _with_free_places(
        ServiceOffering.objects.filter(active_from__lte=today)
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=today))
        .select_related("provider")
    )


def search_offerings(
    *,
    text: str = "",
    municipality_code: str = "",
    language: str = "",
    target_group: str = "",
    free_only: bool = False,
    public_only: bool = False,
    today: dt.date | None = None,
) -> QuerySet[ServiceOffering]:
    """Offerings active today matching the filters (free_only: places left or not limited)."""
    qs = offerings_on(today)
    if public_only:
        qs = qs.filter(is_public=True)
    for word in text.split():
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(name_sv__icontains=word)
            | Q(name_en__icontains=word)
            | Q(description__icontains=word)
            | Q(description_sv__icontains=word)
            | Q(description_en__icontains=word)
            | Q(provider__name__icontains=word)
        )
    if municipality_code:
        served = ServiceOffering.municipalities.through.objects.filter(
            serviceoffering_id=OuterRef("pk")
        )
        qs = qs.filter(
            ~Exists(served) | Exists(served.filter(municipality__code=municipality_code))
        )
    if language:
        qs = qs.filter(language=language)
    if target_group:
        qs = qs.filter(target_group=target_group)
    if free_only:
        qs = qs.filter(Q(capacity__isnull=True) | Q(free_places__gt=0))
    return qs.order_by("name")


# --- referrals: the sender's side -----------------------------------------------------------------


def referrals_of(customer) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(customer=customer)
        .select_related("offering", "provider", "sender")
        .prefetch_related("reports__comments")
    )


# --- referrals: the partner's side ----------------------------------------------------------------


def partner_referrals(user, today: dt.date | None = None) -> QuerySet[Referral]:
    """The partner's queue: active referrals to the user's organisation with consent in force."""
    if user is None or not getattr(user, "organisation_id", None):
        return Referral.objects.none()
    if not is_provider_worker(user, user.organisation_id):
        return Referral.objects.none()
    today = today or timezone.localdate()
    consent = Consent.objects.filter(
        customer=OuterRef("customer"),
        recipient=OuterRef("provider"),
        purpose=ConsentPurpose.SERVICE_REFERRAL,
    ).filter(_in_force_q(today))
    return (
        Referral.objects.filter(provider_id=user.organisation_id, status__in=ACTIVE_REFERRAL_STATES)
        .filter(Exists(consent))
        .select_related("offering", "customer__municipality")
        .order_by("sent_at")
    )


def _field_value(customer: Customer, name: str):
    if name == "name":
        return f"{customer.first_name} {customer.last_name}"
    if name == "phone":
        return customer.phone
    if name == "email":
        return customer.email
    if name == "language":
        return customer.get_preferred_language_display()
    if name == "municipality":
        return customer.municipality.name
    if name == "birth_year":
        return customer.birth_date.year
    if name == "plan_goal":
        plan = (
            EmploymentPlan.objects.filter(customer=customer, enrolment__ended_on__isnull=True)
            .values_list("goal", flat=True)
            .first()
        )
        return plan or ""
    if name == "assessment_summary":
        latest = Assessment.objects.filter(customer=customer).order_by("-sequence").first()
        return latest.summary if latest else ""
    raise KeyError(name)  # pragma: no cover - guarded by SHAREABLE_FIELDS


def consented_view(user, customer: Customer, consent: Consent, *, purpose: str) -> dict:
    """The consented fields of ``customer`` as a dict (whitelist order); the read is logged."""
    fields = [f for f in SHAREABLE_FIELDS if f in set(consent.shared_fields)]
    log_personal_data_read(actor=user, customer_id=customer.pk, purpose=purpose, fields=fields)
    return {f: _field_value(customer, f) for f in fields}


def partner_customer_view(user, referral: Referral, *, purpose: str = "partner_portal") -> dict:
    """What the provider's worker may see of the referred customer: only consented fields."""
    consent = active_consent(referral.customer, referral.provider, ConsentPurpose.SERVICE_REFERRAL)
    if consent is None or referral.status not in ACTIVE_REFERRAL_STATES:
        return {}
    if not is_provider_worker(user, referral.provider_id):
        return {}
    return consented_view(user, referral.customer, consent, purpose=purpose)


def labelled(view: dict) -> list[tuple[str, object]]:
    """``[(translated label, value)]`` of a consented view, for templates."""
    return [(str(SHAREABLE_FIELDS[k]), v) for k, v in view.items()]


def partner_referral_row(referral: Referral) -> dict:
    """A referral as the partner sees it, without the customer (pass ``partner_customer_view``)."""
    return {
        "id": referral.pk,
        "offering": str(referral.offering),
        "status": referral.status,
        "status_label": referral.get_status_display(),
        "sent_at": referral.sent_at,
        "started_on": referral.started_on,
        "message": referral.message,
        "reports": [
            {
                "reported_on": r.reported_on,
                "text": r.text,
                "disputed": any(c.disputes for c in r.comments.all()),
            }
            for r in ProgressReport.objects.filter(referral=referral).prefetch_related("comments")
        ],
    }


# --- handovers ------------------------------------------------------------------------------------


def handovers_inbox(user) -> QuerySet[Handover]:
    """Handovers waiting for the user's answer (to them, their team or their organisation)."""
    if not getattr(user, "organisation_id", None):
        return Handover.objects.none()
    mine = Q(to_worker=user) | Q(to_worker__isnull=True, to_unit__isnull=True)
    if user.unit_id:
        mine |= Q(to_worker__isnull=True, to_unit_id=user.unit_id)
    return (
        Handover.objects.filter(status=HandoverStatus.REQUESTED, to_organisation=user.organisation)
        .filter(mine)
        .select_related("from_worker", "from_organisation", "to_unit", "to_worker")
        .order_by("deadline_on")
    )


def handovers_outbox(user) -> QuerySet[Handover]:
    """Handovers the user sent (or that move their customers) that are still open."""
    return (
        Handover.objects.filter(status=HandoverStatus.REQUESTED)
        .filter(Q(requested_by=user) | Q(from_worker=user))
        .select_related("customer", "to_worker", "to_unit", "to_organisation")
        .order_by("deadline_on")
    )


def handover_alerts(user) -> QuerySet[Handover]:
    """Declined or expired handovers back in the sender's queue until dismissed."""
    return (
        Handover.objects.filter(
            status__in=(HandoverStatus.DECLINED, HandoverStatus.EXPIRED),
            acknowledged_at__isnull=True,
        )
        .filter(Q(requested_by=user) | Q(from_worker=user))
        .select_related("customer", "to_worker", "to_unit", "to_organisation")
    )


def handover_customer_view(user, handover: Handover) -> dict:
    """What the receiver may see of the customer before accepting: all of the name for staff of
    the customer's area, otherwise only what the handover consent allows. The read is logged."""
    customer = handover.customer
    if casework.customers_for(user).filter(pk=customer.pk).exists():
        log_personal_data_read(
            actor=user, customer_id=customer.pk, purpose="handover_inbox", fields=["name"]
        )
        return {"name": f"{customer.first_name} {customer.last_name}"}
    consent = active_consent(customer, handover.to_organisation, ConsentPurpose.HANDOVER)
    if consent is None:
        return {}
    return consented_view(user, customer, consent, purpose="handover_inbox")


# --- bouncing and gaps ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """A customer flagged for bouncing or a gap, with the reasons in words."""

    customer: Customer
    kind: str  # "bouncing" | "gap"
    reasons: tuple[str, ...] = field(default=())


def alert_scope(user) -> QuerySet[Customer]:
    """Customers whose alerts the user sees: team leads and management the area, others their
    own caseload."""
    if has_role(user, Role.TEAM_LEAD, Role.AREA_MANAGEMENT, Role.ADMINISTRATOR):
        return casework.customers_for(user)
    return casework.caseload(user)


def bouncing(
    customers: QuerySet[Customer],
    today: dt.date | None = None,
    *,
    max_moves: int | None = None,
    window_days: int | None = None,
) -> list[Flag]:
    """Customers referred or handed over more than ``max_moves`` times in the last
    ``window_days`` days without a service that started in that window (or is running)."""
    today = today or timezone.localdate()
    n = setting("LUOTSI_BOUNCING_MAX_MOVES") if max_moves is None else max_moves
    m = setting("LUOTSI_BOUNCING_WINDOW_DAYS") if window_days is None else window_days
    since = today - dt.timedelta(days=m - 1)  # the window is today and the m - 1 days before
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    ids = customers.values("pk")
    moves: dict = defaultdict(int)
    for cid in Referral.objects.filter(customer__in=ids, sent_at__gte=start).values_list(
        "customer_id", flat=True
    ):
        moves[cid] += 1
    for cid in Handover.objects.filter(customer__in=ids, requested_at__gte=start).values_list(
        "customer_id", flat=True
    ):
        moves[cid] += 1
    heavy = [cid for cid, k in moves.items() if k > n]
    started = set(
        Referral.objects.filter(customer__in=heavy)
        .filter(Q(started_on__gte=since) | Q(status=ReferralStatus.STARTED))
        .values_list("customer_id", flat=True)
    )
    flags = []
    for c in Customer.objects.filter(pk__in=[c for c in heavy if c not in started]):
        reason = _(
            "Referred or handed over %(n)d times in %(days)d days without a started service."
        ) % {"n": moves[c.pk], "days": m}
        flags.append(Flag(c, "bouncing", (reason,)))
    return sorted(flags, key=lambda f: str(f.customer))


def gaps(
    customers: QuerySet[Customer], today: dt.date | None = None, *, window_days: int | None = None
) -> list[Flag]:
    """Customers with a gap in the last ``window_days`` days (default: the bouncing window):

    * days with no responsible party between two responsibilities, or none now in an open period;
    * the plan has a service task due (or in progress) but no service has started.
    """
    today = today or timezone.localdate()
    m = setting("LUOTSI_BOUNCING_WINDOW_DAYS") if window_days is None else window_days
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=m), dt.time.min))
    reasons: dict = defaultdict(list)
    open_ids = set(customers.filter(enrolments__ended_on__isnull=True).values_list("pk", flat=True))
    rows: dict = defaultdict(list)
    for r in Responsibility.objects.filter(customer__in=open_ids).order_by("starts_at"):
        rows[r.customer_id].append(r)
    for cid in open_ids:
        history = rows.get(cid, [])
        if not any(r.ends_at is None for r in history):
            reasons[cid].append(_("Nobody is responsible for the customer now."))
        for prev, nxt in itertools.pairwise(history):
            if prev.ends_at is None or prev.ends_at < since:
                continue
            days = (timezone.localdate(nxt.starts_at) - timezone.localdate(prev.ends_at)).days
            if days >= 1:
                reasons[cid].append(
                    _("No responsible party for %(n)d days from %(d)s.")
                    % {"n": days, "d": timezone.localdate(prev.ends_at).strftime("%d.%m.%Y")}
                )
    running = set(
        Referral.objects.filter(customer__in=open_ids, status=ReferralStatus.STARTED).values_list(
            "customer_id", flat=True
        )
    )
    due = PlanTask.objects.filter(
        plan__customer__in=open_ids,
        plan__enrolment__ended_on__isnull=True,
        kind=PlanTaskKind.SERVICE,
    ).filter(
        Q(status=PlanTaskStatus.IN_PROGRESS) | Q(status=PlanTaskStatus.PLANNED, due_on__lte=today)
    )
    for task in due.select_related("plan"):
        cid = task.plan.customer_id
        if cid in running:
            continue
        reasons[cid].append(
            _("The plan says the service “%(t)s” should be under way, but no service has started.")
            % {"t": task.title}
        )
    flagged = Customer.objects.filter(pk__in=list(reasons))
    return sorted(
        (Flag(c, "gap", tuple(reasons[c.pk])) for c in flagged), key=lambda f: str(f.customer)
    )


# --- customer self-service ------------------------------------------------------------------------


def self_service_overview(user, customer: Customer) -> dict:
    """What the customer sees of themself at /me/ (the read is logged like any other)."""
    log_personal_data_read(
        actor=user, customer_id=customer.pk, purpose="self_service", fields=["name", "plan"]
    )
    enrolment = customer.open_enrolment()
    plan = getattr(enrolment, "plan", None) if enrolment else None
    return {
        "customer_name": f"{customer.first_name} {customer.last_name}",
        "plan": plan,
        "tasks": list(plan.tasks.all()) if plan else [],
        "responsibility": casework.current_responsibility(customer),
        "referrals": list(referrals_of(customer).exclude(status=ReferralStatus.DRAFT)),
        "consents": list(consents_of(customer)),
    }
