"""Demo customers from the synthetic generator, replayed through the case-work services.

``luotsi.demo.replay`` generates the demo area's municipalities with ``luotsi.synthetic`` (same
seed, same people) and gives each person's events in time order. Here every event goes through
the service a worker would use, so the state tables and the journey log agree: registration and
re-registration (``register_customer``/``reregister``), meetings held with their channel
(``schedule_meeting`` + ``record_meeting_held``), assessments, plan versions
(``save_plan(effective_on=...)``), recent contacts and exits with their reason. Names, identity
codes (temporary range 900-999, never a real person's), municipality, language and education are
the generator's. Each customer gets one of the demo workers, round-robin within the municipality.
What the replay fills in (carried-over periods, missed deadlines, plan goals) is listed in
``luotsi.demo.replay``. Referrals and handovers are made by ``luotsi.demo.ecosystem``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence

from django.db import transaction

from luotsi.customers import services
from luotsi.customers.models import Customer
from luotsi.kernel import codes
from luotsi.synthetic import identity_code

from . import replay

GOALS = (
    "Työ logistiikassa",
    "Hoitoalan koulutus",
    "Palkkatuettu työ",
    "Oma yritys",
    "Työ kaupan alalla",
)
TASK_TITLES = {
    "job_search": "Hae 4 työpaikkaa kuukaudessa",
    "own_activity": "Päivitä CV ja työnhakuprofiili",
    "service": "Työnhakuvalmennus",
    "meeting": "Tapaaminen yhteistyökumppanin kanssa",
}
CONTACT_TEXT = "Keskusteltu työnhausta ja seuraavista askelista."


def temporary_identity_code(birth: dt.date, individual: int) -> str:
    """A valid-looking code with an individual number 900-999 (never issued to a real person)."""
    if not 900 <= individual <= 999:
        raise ValueError("the demo uses only the temporary individual numbers 900-999")
    return identity_code(birth, individual)


def build_customers(
    *, workers: Sequence, municipalities: Sequence[str], n: int, today: dt.date, seed: int = 2025
) -> int:
    """Create at most ``n`` demo customers (about ``n``) with replayed journeys; returns how many."""
    used = frozenset(Customer.objects.values_list("personal_identity_code", flat=True))
    journeys = replay.journeys(
        municipalities=municipalities, n=n, today=today, seed=seed, skip_codes=used
    )
    rng = random.Random(seed)
    per_municipality: Counter[str] = Counter()
    offsets = {m: i * 5 for i, m in enumerate(sorted(municipalities))}
    created = 0
    for j in journeys:
        muni = j.person.municipality_code
        worker = workers[(offsets.get(muni, 0) + per_municipality[muni]) % len(workers)]
        per_municipality[muni] += 1
        with transaction.atomic():
            _replay(rng, worker, j, today)
        created += 1
    return created


def _replay(rng: random.Random, worker, j: replay.Journey, today: dt.date) -> None:
    customer = None
    for period in replay.periods(j.steps):
        period = replay.top_up(period, today, rng)
        _attach_tasks(period)
        for step in period:
            customer = _apply(rng, worker, j.person, customer, step)


def _attach_tasks(period: list[replay.Step]) -> None:
    """New tasks of each plan version: its same-day ``plan_task.changed`` events that add one."""
    current = None
    for s in period:
        if s.kind == "plan.saved" and not s.filled:
            current = s
            s.data["new_tasks"] = []
        elif s.kind == "plan_task.changed" and current is not None and s.day == current.day:
            if s.data.get("previous_task_status") is None:
                current.data["new_tasks"].append((s.data["task_kind"], s.data.get("due_on")))
        elif s.kind != "plan_task.changed":
            current = None if s.day != getattr(current, "day", None) else current


def _apply(rng, worker, person, customer: Customer | None, step: replay.Step):
    d = step.data
    if step.kind == "customer.registered":
        reason = d.get("reason", codes.RegistrationReason.NEW)
        status = d.get("status", codes.LabourMarketStatus.UNEMPLOYED)
        if customer is None:
            return services.register_customer(
                actor=worker,
                personal_identity_code=person.personal_identity_code,
                first_name=person.first_name,
                last_name=person.last_name,
                registered_on=step.day,
                municipality_code=person.municipality_code,
                postal_code=person.postal_code,
                reason=reason,
                status=status,
                language_group=d.get("language_group", person.language),
                education_level=d.get("education_level", codes.EducationLevel.UNKNOWN),
                foreign_national=person.foreign_national,
                sex=person.sex,
                synthetic=True,
            )
        services.reregister(
            actor=worker, customer=customer, registered_on=step.day, reason=reason, status=status
        )
    elif step.kind == "meeting.held":
        m = services.schedule_meeting(
            actor=worker,
            customer=customer,
            meeting_type=d["meeting_type"],
            channel=d.get("channel", "in_person"),
            scheduled_for=dt.datetime.combine(step.day, dt.time(8), dt.UTC),
        )
        services.record_meeting_held(actor=worker, meeting=m, held_on=step.day)
    elif step.kind == "assessment.recorded":
        services.record_assessment(
            actor=worker,
            customer=customer,
            assessed_on=step.day,
            worker_scores=d["worker_scores"],
            customer_scores=d.get("customer_scores"),
        )
    elif step.kind == "plan.saved":
        _save_plan(rng, worker, customer, step)
    elif step.kind == "contact.recorded":
        services.record_contact(
            actor=worker, customer=customer, channel=d.get("channel", "phone"), text=CONTACT_TEXT
        )
    elif step.kind == "customer.exited":
        services.exit_enrolment(
            actor=worker, customer=customer, ended_on=step.day, exit_reason=d["exit_reason"]
        )
    return customer


def _save_plan(rng, worker, customer: Customer, step: replay.Step) -> None:
    """A plan version: earlier tasks move on (done once due), the version's new tasks added."""
    d, on = step.data, step.day
    plan = customer.plans.filter(enrolment__ended_on__isnull=True).first()
    tasks = []
    if plan is not None:
        for t in plan.tasks.exclude(status=codes.PlanTaskStatus.CANCELLED):
            status = t.status
            if t.due_on and t.due_on <= on:
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
    for kind, due in d.get("new_tasks", ()):
        tasks.append({"kind": kind, "title": TASK_TITLES.get(kind, kind), "due_on": due})
    agreed = bool(d.get("agreed"))
    services.save_plan(
        actor=worker,
        customer=customer,
        goal=plan.goal if plan is not None else rng.choice(GOALS),
        agreed=agreed,
        agreed_on=(plan.agreed_on if plan is not None and plan.agreed_on else d.get("agreed_on"))
        if agreed
        else None,
        review_due_on=d.get("review_due_on"),
        applications_required=d.get(
            "applications_required", plan.applications_required if plan is not None else 4
        ),
        tasks=tasks,
        effective_on=on,
    )
