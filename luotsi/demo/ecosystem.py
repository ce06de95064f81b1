"""Demo partners, service offerings, consents and referrals in every state, and a customer account.

Written through the ecosystem services (so the journey log holds the same events real use writes).
Each step is dated with the services' ``at=`` (:func:`demo_moment`), as a step entered afterwards
is: each referral is sent on a working day of the last ``REFERRAL_DAYS`` days (never before the
customer's latest plan version), decided by the partner some working days later, started and
completed later still, no step after now. The rows and events are recorded now (``created_at``,
``recorded_at``); only when the steps happened is in the past. Referrals of
past months are what the referral indicators (O14*, lead times, acceptance rate) and the
dashboard's latest complete month need; sent all on the day of the build they fell in the
current, incomplete month and the dashboard showed no value.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from luotsi.core.models import Organisation, User
from luotsi.core.services import create_organisation, create_user
from luotsi.customers.models import Customer, PlanTask
from luotsi.ecosystem import services as eco
from luotsi.ecosystem.errors import EcosystemError
from luotsi.ecosystem.models import Referral, ServiceOffering
from luotsi.journey.models import JourneyEvent
from luotsi.kernel import calendar as cal
from luotsi.kernel import codes
from luotsi.reference.models import Municipality

from .replay import HELSINKI

#: Referrals are sent over this many days before the build (as a running service would have).
REFERRAL_DAYS = 120

OFFERINGS = (
    # provider, name fi / sv / en, target group, places, EUR, weeks
    (
        "Työpaja Verso ry",
        "Työkokeilu työpajalla",
        "Arbetsprövning i verkstad",
        "Work trial at a workshop",
        "all",
        20,
        900,
        12,
    ),
    (
        "Työpaja Verso ry",
        "Nuorten työhönvalmennus",
        "Jobbcoachning för unga",
        "Job coaching for young people",
        "youth",
        15,
        1500,
        16,
    ),
    (
        "Etelä-Savon hyvinvointialue",
        "Työkyvyn arviointi",
        "Bedömning av arbetsförmåga",
        "Work ability assessment",
        "partial_work_ability",
        10,
        1200,
        6,
    ),
    (
        "Kela Mikkeli",
        "Ammatillinen kuntoutus",
        "Yrkesinriktad rehabilitering",
        "Vocational rehabilitation",
        "partial_work_ability",
        None,
        0,
        26,
    ),
    (
        "Xamk",
        "Logistiikan täydennyskoulutus",
        "Fortbildning i logistik",
        "Further training in logistics",
        "all",
        25,
        2500,
        20,
    ),
)
PARTNER_TYPES = {
    "Etelä-Savon hyvinvointialue": codes.OrganisationType.WELLBEING_COUNTY,
    "Kela Mikkeli": codes.OrganisationType.KELA,
    "Xamk": codes.OrganisationType.EDUCATIONAL_INSTITUTION,
}


def demo_moment(day: dt.date, hour: int = 10) -> dt.datetime:
    """``hour`` o'clock (Helsinki) on ``day``, but not after now: the ``at=`` of a demo step."""
    return min(dt.datetime.combine(day, dt.time(hour), HELSINKI), timezone.now())


def _latest_plan_day(customer: Customer, today: dt.date) -> dt.date:
    last = (
        JourneyEvent.objects.filter(customer_id=customer.pk, kind="plan.saved")
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return timezone.localdate(last) if last else today


def _sent_on(rng: random.Random, customer: Customer, today: dt.date) -> dt.date:
    """A working day in the last ``REFERRAL_DAYS`` days, on or after the latest plan version."""
    lower = max(_latest_plan_day(customer, today), today - dt.timedelta(days=REFERRAL_DAYS))
    if lower >= today:
        return today
    day = lower + dt.timedelta(days=rng.randint(0, (today - lower).days))
    while not cal.is_working_day(day) and day < today:
        day += dt.timedelta(days=1)
    return day


def _partner(name: str, area_code: str) -> Organisation:
    org = Organisation.objects.filter(name=name).first()
    return org or create_organisation(
        actor=None,
        name=name,
        type=PARTNER_TYPES.get(name, codes.OrganisationType.NGO),
        employment_area_code=area_code,
        municipality_code="491",
    )


def build_ecosystem(
    *,
    admin: User,
    workers: Sequence[User],
    partner_worker: User,
    area_code: str,
    today: dt.date,
    password: str,
) -> str | None:
    """Offerings, referrals in every state, one customer account; returns the customer username."""
    if ServiceOffering.objects.exists():
        return None
    rng = random.Random(7)
    members = list(Municipality.objects.filter(code__in=["491", "097", "507", "178", "213", "623"]))
    offerings = []
    with transaction.atomic():
        for provider, fi, sv, en, group, places, cost, weeks in OFFERINGS:
            offerings.append(
                eco.save_offering(
                    actor=admin,
                    provider=_partner(provider, area_code),
                    name=fi,
                    name_sv=sv,
                    name_en=en,
                    description=f"{fi}: palvelu työllisyysalueen asiakkaille.",
                    target_group=group,
                    capacity=places,
                    cost_per_participant=cost,
                    duration_weeks=weeks,
                    active_from=dt.date(2025, 1, 1),
                    municipalities=members,
                )
            )
    tasks = list(
        PlanTask.objects.filter(
            kind=codes.PlanTaskKind.SERVICE,
            status=codes.PlanTaskStatus.PLANNED,
            plan__enrolment__ended_on__isnull=True,
        ).select_related("plan__customer")[:60]
    )
    for i, task in enumerate(tasks):
        customer = task.plan.customer
        offering = offerings[0] if i % 3 else rng.choice(offerings)
        worker = customer.responsibilities.filter(ends_at__isnull=True).first().worker or workers[0]
        sent_on = _sent_on(rng, customer, today)
        sent_at = demo_moment(sent_on)
        with transaction.atomic():
            eco.give_consent(
                actor=worker,
                customer=customer,
                recipient=offering.provider,
                purpose="service_referral",
                shared_fields=["name", "phone", "language", "plan_goal"],
                at=sent_at,
            )
            ref = eco.refer(
                actor=worker,
                customer=customer,
                offering=offering,
                task=task,
                message="Asiakas on kiinnostunut palvelusta.",
                at=sent_at,
            )
        _advance(
            rng,
            ref,
            partner_worker if offering.provider_id == partner_worker.organisation_id else None,
            sent_on,
            today,
        )
    # The self-service customer is one of the first demo worker's, so that both can log in.
    customer = (
        Customer.objects.filter(
            synthetic=True,
            enrolments__ended_on__isnull=True,
            responsibilities__ends_at__isnull=True,
            responsibilities__worker=min(workers, key=lambda w: w.username),
        )
        .order_by("last_name", "first_name", "id")
        .first()
    )
    if customer is None or User.objects.filter(username="asiakas").exists():
        return None
    with transaction.atomic():
        user = create_user(
            actor=None,
            username="asiakas",
            password=password,
            first_name=customer.first_name,
            last_name=customer.last_name,
        )
        eco.open_customer_account(actor=admin, user=user, customer=customer)
    return "asiakas"


def _advance(
    rng: random.Random, ref: Referral, partner: User | None, sent_on: dt.date, today: dt.date
) -> None:
    """Move a sent referral on as the partner would (only for the demo partner's own referrals):
    decided 1-12 working days after sending, started within two weeks of acceptance, progress
    reported, completed after some weeks; a step that would fall after today is not taken."""
    if partner is None:
        return
    step = rng.random()
    if step < 0.25:
        return  # waiting in the partner's queue
    decided_on = cal.add_working_days(sent_on, rng.randint(1, 12))
    if decided_on > today:
        return  # not decided yet
    decided_at = demo_moment(decided_on, hour=13)
    if step < 0.35:
        eco.reject_referral(
            actor=partner,
            referral=ref,
            reason="Palvelu ei sovi asiakkaan tilanteeseen.",
            at=decided_at,
        )
        return
    try:
        eco.accept_referral(actor=partner, referral=ref, at=decided_at)
    except EcosystemError:
        return  # the service is full: the referral waits in the partner's queue
    started_on = decided_on + dt.timedelta(days=rng.randint(3, 14))
    if step < 0.5 or started_on > today:
        return
    eco.start_referral(
        actor=partner, referral=ref, started_on=started_on, at=demo_moment(started_on)
    )
    reported_on = min(today, started_on + dt.timedelta(days=rng.randint(7, 21)))
    eco.report_progress(
        actor=partner,
        referral=ref,
        text="Asiakas on osallistunut aktiivisesti.",
        reported_on=reported_on,
        at=demo_moment(reported_on, hour=14),
    )
    ended_on = reported_on + dt.timedelta(days=rng.randint(7, 42))
    if step < 0.8 or ended_on > today:
        return
    eco.complete_referral(
        actor=partner,
        referral=ref,
        outcome=rng.choice(["employed", "education", "next_service", "no_change"]),
        ended_on=ended_on,
        at=demo_moment(ended_on, hour=15),
    )
