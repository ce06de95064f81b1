"""Demo customers written through the case-work services, so every page shows realistic content.

Each journey goes through the same services a worker uses (and so writes the same journey events):
registration, initial interview (mostly on time), plan, assessments (improving a little), later
job-search interviews, notes, and for some an exit with a reason. Identity codes come from the
temporary range 900-999, which no real person has. When ``luotsi.synthetic`` provides person
records, they are used; otherwise a small built-in name list is used.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db import transaction

from luotsi.customers import services
from luotsi.customers.models import Customer
from luotsi.kernel import calendar as cal
from luotsi.kernel import codes
from luotsi.kernel import service_model as sm

FIRST = [
    "Aino",
    "Eino",
    "Helmi",
    "Väinö",
    "Sofia",
    "Leo",
    "Aada",
    "Onni",
    "Elsa",
    "Oliver",
    "Lilja",
    "Eetu",
    "Kerttu",
    "Ville",
    "Maria",
    "Johannes",
    "Ida",
    "Anton",
    "Saga",
    "Elias",
]
LAST = [
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lindholm",
    "Salonen",
    "Heinonen",
    "Lehtonen",
    "Turunen",
    "Nyström",
]
CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


@dataclass(frozen=True)
class DemoPerson:
    code: str
    first_name: str
    last_name: str
    municipality_code: str


def temporary_identity_code(birth: dt.date, individual: int) -> str:
    """A valid-looking code with an individual number 900-999 (never issued to a real person)."""
    sep = "-" if birth.year < 2000 else "A"
    stem = f"{birth:%d%m%y}{individual:03d}"
    return f"{birth:%d%m%y}{sep}{individual:03d}{CHECK[int(stem) % 31]}"


def people(n: int, municipalities: Sequence[str], seed: int = 2025) -> Iterator[DemoPerson]:
    rng = random.Random(seed)
    used = set(Customer.objects.values_list("personal_identity_code", flat=True))
    while n > 0:
        birth = dt.date(rng.randint(1962, 2006), rng.randint(1, 12), rng.randint(1, 28))
        code = temporary_identity_code(birth, rng.randint(900, 999))
        if code in used:
            continue
        used.add(code)
        n -= 1
        yield DemoPerson(code, rng.choice(FIRST), rng.choice(LAST), rng.choice(municipalities))


def build_customers(
    *, workers: Sequence, municipalities: Sequence[str], n: int, today: dt.date, seed: int = 2025
) -> int:
    """Create ``n`` demo customers with journeys; returns the number created."""
    rng = random.Random(seed)
    created = 0
    for person in people(n, municipalities, seed):
        worker = rng.choice(workers)
        registered = max(
            dt.date(2025, 1, 2), today - dt.timedelta(days=int(rng.expovariate(1 / 200)) + 1)
        )
        with transaction.atomic():
            c = services.register_customer(
                actor=worker,
                personal_identity_code=person.code,
                first_name=person.first_name,
                last_name=person.last_name,
                registered_on=registered,
                municipality_code=person.municipality_code,
                language_group=rng.choices(["fi", "sv", "other"], [85, 5, 10])[0],
                education_level=rng.choice(codes.EducationLevel.values()),
                synthetic=True,
            )
            _journey(rng, worker, c, registered, today)
        created += 1
    return created


def _meeting(worker, c: Customer, meeting_type: str, channel: str, on: dt.date) -> None:
    m = services.schedule_meeting(
        actor=worker,
        customer=c,
        meeting_type=meeting_type,
        channel=channel,
        scheduled_for=dt.datetime.combine(on, dt.time(10), dt.UTC),
    )
    services.record_meeting_held(actor=worker, meeting=m, held_on=on)


def _supplementary_interviews(
    rng: random.Random, worker, c: Customer, registered: dt.date, held: dt.date, today: dt.date
) -> None:
    """Supplementary interviews every 2 weeks in the first 3 months, where the rule applies."""
    if sm.rule_on("supplementary_interviews", registered) is None:
        return
    window_end = cal.add_months(registered, 3)
    day = held
    while rng.random() < 0.96:
        day = day + dt.timedelta(days=rng.choice([10, 12, 13, 14, 14, 14]))
        if day > window_end or day > today:
            break
        _meeting(
            worker, c, "supplementary_interview", rng.choice(["phone", "video", "in_person"]), day
        )


def _review_plan(worker, c: Customer, on: dt.date) -> None:
    """A plan review at a job-seeker interview: a new version, tasks moving on, next review in 3
    months."""
    plan = c.plans.filter(enrolment__ended_on__isnull=True).first()
    if plan is None:
        return
    tasks = []
    for t in plan.tasks.exclude(status=codes.PlanTaskStatus.CANCELLED):
        status = t.status
        if t.due_on and t.due_on <= on and status != codes.PlanTaskStatus.DONE:
            status = codes.PlanTaskStatus.DONE
        elif status == codes.PlanTaskStatus.PLANNED:
            status = codes.PlanTaskStatus.IN_PROGRESS
        tasks.append(
            {
                "id": str(t.pk),
                "kind": t.kind,
                "title": t.title,
                "status": status,
                "due_on": t.due_on,
            }
        )
    services.save_plan(
        actor=worker,
        customer=c,
        goal=plan.goal,
        agreed=True,
        agreed_on=plan.agreed_on,  # the review keeps the plan agreed since its first agreement
        review_due_on=cal.add_months(on, 3),
        applications_required=plan.applications_required,
        tasks=tasks,
        effective_on=on,
    )


def _journey(rng: random.Random, worker, c: Customer, registered: dt.date, today: dt.date) -> None:
    due = cal.add_working_days(registered, 5)
    if rng.random() < 0.1 and (today - registered).days < 20:
        return  # a new customer still waiting for the initial interview
    held = (
        cal.add_working_days(registered, rng.choice([1, 2, 3, 4, 5, 5, 7, 9]))
        if rng.random() < 0.95
        else due + dt.timedelta(days=10)
    )
    held = min(held, today)
    m = services.schedule_meeting(
        actor=worker,
        customer=c,
        meeting_type="initial_interview",
        channel=rng.choice(["in_person", "phone", "video"]),
        scheduled_for=dt.datetime.combine(held, dt.time(9), dt.UTC),
    )
    services.record_meeting_held(actor=worker, meeting=m, held_on=held)
    base = {d: rng.randint(1, 4) for d in rng.sample(codes.AssessmentDimension.values(), 6)}
    services.record_assessment(
        actor=worker,
        customer=c,
        assessed_on=held,
        worker_scores=base,
        customer_scores={d: min(5, s + rng.choice([0, 1])) for d, s in base.items()},
    )
    services.save_plan(
        actor=worker,
        customer=c,
        goal=rng.choice(
            [
                "Työ logistiikassa",
                "Hoitoalan koulutus",
                "Palkkatuettu työ",
                "Oma yritys",
                "Työ kaupan alalla",
            ]
        ),
        agreed=True,
        agreed_on=held,
        effective_on=held,
        review_due_on=cal.add_months(held, 3),
        applications_required=rng.choice([2, 3, 4, 4]),
        tasks=[
            {
                "kind": "job_search",
                "title": "Hae 4 työpaikkaa kuukaudessa",
                "due_on": cal.add_months(held, 1),
            },
            {
                "kind": "service",
                "title": rng.choice(["Työkokeilu", "Työnhakuvalmennus", "Kielikoulutus"]),
                "due_on": cal.add_months(held, 2),
            },
        ],
    )
    services.record_contact(
        actor=worker,
        customer=c,
        channel=rng.choice(codes.ContactChannel.values()),
        text="Keskusteltu työnhausta ja seuraavista askelista.",
    )
    _supplementary_interviews(rng, worker, c, registered, held, today)
    last = held
    # Job-seeker interviews every 3 months: mostly on time, now and then late or missed.
    while rng.random() < 0.97:
        last = cal.add_months(last, 3) + dt.timedelta(days=rng.choice([-7, -3, 0, 0, 2, 5, 12]))
        if last > today:
            break
        _meeting(worker, c, "job_search_interview", rng.choice(["in_person", "phone"]), last)
        if rng.random() < 0.9:
            _review_plan(worker, c, last)
    if (today - registered).days > 120 and rng.random() < 0.5:
        services.record_assessment(
            actor=worker,
            customer=c,
            assessed_on=last,
            worker_scores={d: min(5, s + rng.choice([0, 1, 1])) for d, s in base.items()},
        )
    if (today - registered).days > 90 and rng.random() < 0.3:
        ended = min(today, last + dt.timedelta(days=rng.randint(5, 60)))
        services.exit_enrolment(
            actor=worker,
            customer=c,
            ended_on=ended,
            exit_reason=rng.choices(codes.ExitReason.values(), [40, 10, 15, 10, 5, 10, 10])[0],
        )
