"""The demo's journeys from the synthetic generator, ready to replay through the case-work services.

:func:`journeys` runs :func:`luotsi.synthetic.generate` for the demo area's municipalities over a
window ending today and returns, for the first ``n`` generated people, their person record and
their events of the replayed kinds in time order, as :class:`Step`\\ s. Pure data (no writes);
``luotsi.demo.customers`` writes them.

What the replay fills in because the generator or the services lack it (each step says so):

* Employment areas begin on 1.1.2025, and the services refuse an earlier registration, so a
  period that began before is carried over as registered on the first working day of 2025 (its
  earlier events are dropped). Such periods, and re-registrations whose generated first meeting
  is a job-seeker interview, then lack the meetings that Luotsi's deadlines expect.
  :func:`top_up` adds them: for each missed interview deadline of a period (initial interview,
  supplementary interviews, intensified period, job-seeker interview; rules from
  ``kernel.service_model``) a meeting is held just before the deadline with probability
  ``TOP_UP_COMPLIANCE``, so compliance stays good but not perfect; and an agreed plan at the
  initial interview when the period has none by then.
* Plans have no goal in the events: a goal is chosen from a short list. Tasks come from the
  plan's ``plan_task.changed`` events of the same day (new ones); earlier tasks past their due day
  are marked done at a review.
* ``record_contact`` cannot be dated in the past, so only the contacts of the last
  ``CONTACT_DAYS`` days are replayed (they appear as today's notes).
* Referrals, handovers, consents and status changes need the ecosystem (``demo/ecosystem.py``);
  ``meeting.cancelled``, ``job_search.reported`` and detail changes are not replayed.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from luotsi.kernel import calendar as cal
from luotsi.kernel import service_model as sm
from luotsi.synthetic import Person, SyntheticConfig, generate, people

#: The first day of the employment areas (services refuse earlier registrations).
AREAS_BEGIN = dt.date(2025, 1, 1)
#: Generated people per unit of the stock on a day, over a window from 1.1.2025 to late 2026.
PEOPLE_PER_STOCK = 3.0
TOP_UP_COMPLIANCE = 0.93
CONTACT_DAYS = 30
REVIEW_FILL = 0.8  # job-seeker interviews without a plan version that get one
REPLAYED = (
    "customer.registered",
    "meeting.held",
    "assessment.recorded",
    "plan.saved",
    "plan_task.changed",
    "contact.recorded",
    "customer.exited",
)
HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
MEETING_RULES = {
    "initial_interview": "initial_interview",
    "supplementary_interviews": "supplementary_interview",
    "intensified_period": "supplementary_interview",
    "job_search_interview": "job_search_interview",
}


@dataclass
class Step:
    """One replayed event: ``kind`` (a journey kind), its day and the generator's fields."""

    kind: str
    day: dt.date
    data: dict = field(default_factory=dict)
    filled: bool = False  # added by the replay, not generated


@dataclass
class Journey:
    person: Person
    steps: list[Step]


def demo_config(municipalities: Sequence[str], n: int, today: dt.date, seed: int, factor=1.0):
    stock = max(4, math.ceil(n / PEOPLE_PER_STOCK * factor))
    return SyntheticConfig(
        municipalities=tuple(sorted(municipalities)),
        starts_on=AREAS_BEGIN,
        ends_on=today,
        stock=stock,
        seed=seed,
    )


def _day(row: dict) -> dt.date:
    for name in ("registered_on", "held_on", "assessed_on", "ended_on"):
        if row.get(name) is not None:
            return row[name]
    return row["occurred_at"].astimezone(HELSINKI).date()


def journeys(
    *,
    municipalities: Sequence[str],
    n: int,
    today: dt.date,
    seed: int = 2025,
    skip_codes: frozenset[str] = frozenset(),
) -> list[Journey]:
    """The first ``n`` generated people (codes not in ``skip_codes``) with their replay steps."""
    if n <= 0:
        return []
    factor = 1.0
    for _attempt in range(4):
        config = demo_config(municipalities, n, today, seed, factor)
        chosen: list[Person] = []
        seen = set(skip_codes)
        for p in people(config):
            if p.personal_identity_code in seen:
                continue
            seen.add(p.personal_identity_code)
            chosen.append(p)
            if len(chosen) == n:
                break
        if len(chosen) == n:
            break
        factor *= 1.5
    rows = _events(config, [p.person_id for p in chosen])
    out = []
    for p in chosen:
        steps = _steps(rows.get(p.person_id, []), today)
        if steps:
            out.append(Journey(p, steps))
    return out


def _events(config: SyntheticConfig, person_ids: list[int]) -> dict[int, list[dict]]:
    wanted = pa.array(person_ids, pa.int64())
    kinds = pa.array(REPLAYED)
    out: dict[int, list[dict]] = {}
    for batch in generate(config):
        mask = pc.and_(
            pc.is_in(batch.column("person_id"), value_set=wanted),
            pc.is_in(batch.column("kind"), value_set=kinds),
        )
        for row in batch.filter(mask).to_pylist():
            out.setdefault(row["person_id"], []).append(row)
    for rows in out.values():
        rows.sort(key=lambda r: r["event_id"])
    return out


def _steps(rows: list[dict], today: dt.date) -> list[Step]:
    """Rows in time order -> steps: carried over to 2025, nothing after today."""
    first_day = cal.next_working_day(AREAS_BEGIN + dt.timedelta(days=1))
    steps: list[Step] = []
    for row in rows:
        kind, day = row["kind"], _day(row)
        if day > today:
            break
        if kind == "customer.registered" and day < first_day:
            steps = []  # carried over: the earlier history is not replayed
            day = first_day
        elif kind == "customer.registered" and steps and _open(steps):
            steps = []  # the previous period ended before 2025 (its exit was dropped)
        elif kind != "customer.registered" and (day < first_day or not steps):
            continue
        if kind == "contact.recorded" and (today - day).days > CONTACT_DAYS:
            continue
        data = {k: v for k, v in row.items() if v is not None}
        for name in ("worker_scores", "customer_scores"):
            if isinstance(data.get(name), str):
                data[name] = json.loads(data[name])
        steps.append(Step(kind, day, data))
    return steps


def _open(steps: list[Step]) -> bool:
    last = next(s for s in reversed(steps) if s.kind in ("customer.registered", "customer.exited"))
    return last.kind == "customer.registered"


def periods(steps: list[Step]) -> list[list[Step]]:
    """The steps split by job-search period (each begins with ``customer.registered``)."""
    out: list[list[Step]] = []
    for s in steps:
        if s.kind == "customer.registered":
            out.append([])
        out[-1].append(s)
    return out


def _before(due: dt.date, lower: dt.date, rng: random.Random) -> dt.date:
    d = due - dt.timedelta(days=rng.choice([0, 1, 2, 3, 5, 7]))
    while not cal.is_working_day(d) and d > lower:
        d -= dt.timedelta(days=1)
    return max(d, lower)


def top_up(period: list[Step], today: dt.date, rng: random.Random) -> list[Step]:
    """The period's steps with the meetings (and first plan) Luotsi's deadlines expect added."""
    registered = period[0].day
    exited = next((s.day for s in period if s.kind == "customer.exited"), None)
    horizon = exited or today
    held = [sm.Meeting(s.data["meeting_type"], s.day) for s in period if s.kind == "meeting.held"]
    plan_on = next((s.day for s in period if s.kind == "plan.saved" and s.data.get("agreed")), None)
    added: list[Step] = []
    skipped: set[tuple[str, dt.date]] = set()
    for _ in range(80):
        missing = [
            d
            for d in sm.deadlines(registered_on=registered, today=horizon, meetings=held)
            if d.met_on is None
            and d.due_on < horizon
            and d.rule in MEETING_RULES
            and (d.rule, d.due_on) not in skipped
        ]
        if not missing:
            break
        d = missing[0]
        if rng.random() > TOP_UP_COMPLIANCE:
            skipped.add((d.rule, d.due_on))
            continue
        day = _before(d.due_on, registered, rng)
        mtype = MEETING_RULES[d.rule]
        held.append(sm.Meeting(mtype, day))
        channel = rng.choice(["in_person", "phone", "video"])
        added.append(Step("meeting.held", day, {"meeting_type": mtype, "channel": channel}, True))
        no_plan = plan_on is None or plan_on > d.due_on
        if mtype == "initial_interview" and no_plan and rng.random() < 0.95:
            added.append(Step("plan.saved", day, _plan_data(day), True))
            plan_on = day
    added += _reviews(period + added, rng)
    if not added:
        return period
    order = {id(s): i for i, s in enumerate(period)}
    exit_steps = [s for s in period if s.kind == "customer.exited"]
    body = [s for s in period if s.kind != "customer.exited"] + added
    body.sort(key=lambda s: (s.day, s.kind != "customer.registered", order.get(id(s), 10**6)))
    return body + exit_steps


def _reviews(steps: list[Step], rng: random.Random) -> list[Step]:
    """A plan review at job-seeker interviews that have none (the generator reviews at 70 %)."""
    plan_days = {s.day for s in steps if s.kind == "plan.saved"}
    first_plan = min(plan_days, default=None)
    out = []
    for s in steps:
        if (
            s.kind == "meeting.held"
            and s.data["meeting_type"] == "job_search_interview"
            and first_plan is not None
            and s.day > first_plan
            and s.day not in plan_days
            and rng.random() < REVIEW_FILL
        ):
            data = {"agreed": True, "review_due_on": cal.add_months(s.day, 3), "review": True}
            out.append(Step("plan.saved", s.day, data, True))
    return out


def _plan_data(day: dt.date) -> dict:
    return {
        "agreed": True,
        "agreed_on": day,
        "review_due_on": cal.add_months(day, 3),
        "applications_required": 4,
        "new_tasks": [("job_search", cal.add_months(day, 1))],
    }
