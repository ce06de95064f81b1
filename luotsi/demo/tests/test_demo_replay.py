"""Demo customers are the generator's people, and their journey log is the generator's events."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.db.models import Min
from django.utils import timezone

from luotsi.customers.models import Customer
from luotsi.demo import replay
from luotsi.demo.customers import build_customers
from luotsi.demo.tests.test_demo_customers import TODAY, demo_area  # noqa: F401 (fixture)
from luotsi.journey.models import JourneyEvent
from luotsi.kernel import calendar as cal
from luotsi.kernel import service_model as sm
from luotsi.synthetic import generate, people

N = 12
#: Kinds whose journey event is dated on the generator's day by the services.
DATED = (
    "customer.registered",
    "meeting.held",
    "assessment.recorded",
    "plan.saved",
    "customer.exited",
)
FIRST_DAY = cal.next_working_day(replay.AREAS_BEGIN + dt.timedelta(days=1))


def _generated(members):
    config = replay.demo_config(members, N, TODAY, 2025)
    persons = list(people(config))[:N]
    ids = {p.person_id for p in persons}
    events: dict[int, list] = {}
    for batch in generate(config):
        for row in batch.to_pylist():
            if row["person_id"] in ids:
                events.setdefault(row["person_id"], []).append(row)
    return persons, events


@pytest.fixture
def built(demo_area):  # noqa: F811
    _area, workers, members = demo_area
    assert build_customers(workers=workers, municipalities=members, n=N, today=TODAY) == N
    return _generated(members)


def _customers_in_creation_order():
    first = (
        JourneyEvent.objects.filter(kind="customer.registered")
        .values("customer_id")
        .annotate(first=Min("id"))
        .order_by("first")
    )
    by_id = {c.pk: c for c in Customer.objects.all()}
    return [by_id[r["customer_id"]] for r in first]


def test_customers_are_the_generators_first_people(built):
    persons, _events = built
    customers = _customers_in_creation_order()
    assert [
        (c.personal_identity_code, c.first_name, c.last_name, c.municipality.code, c.sex)
        for c in customers
    ] == [
        (p.personal_identity_code, p.first_name, p.last_name, p.municipality_code, p.sex)
        for p in persons
    ]
    assert all(c.synthetic for c in customers)
    assert [c.language_group for c in customers] == [p.language for p in persons]


def test_journey_events_are_the_generators_events_for_the_replayed_kinds(built):
    persons, events = built
    customers = {c.personal_identity_code: c for c in Customer.objects.all()}
    compared = 0
    for p in persons:
        generated = Counter()
        for r in events.get(p.person_id, []):
            day = replay._day(r)
            if r["kind"] == "customer.registered" and day < FIRST_DAY:
                day = FIRST_DAY  # carried over to 2025 (its earlier history is not replayed)
            elif day < FIRST_DAY:
                continue
            if r["kind"] in DATED and day <= TODAY:
                generated[(r["kind"], day)] += 1
        logged = Counter(
            (e.kind, timezone.localtime(e.occurred_at).date())
            for e in JourneyEvent.objects.filter(
                customer_id=customers[p.personal_identity_code].pk, kind__in=DATED
            )
        )
        assert not generated - logged, p  # every generated event is in the log, on its day
        extra = logged - generated
        assert {kind for kind, _day in extra} <= {"meeting.held", "plan.saved"}  # fill-ins
        compared += 1
    assert compared == N


def test_top_up_meets_missed_interview_deadlines_mostly():
    registered = dt.date(2025, 3, 3)
    period = [replay.Step("customer.registered", registered, {})]
    filled = replay.top_up(period, dt.date(2025, 12, 1), random.Random(1))
    kinds = Counter(s.data.get("meeting_type") for s in filled if s.kind == "meeting.held")
    assert kinds["initial_interview"] == 1
    assert kinds["supplementary_interview"] >= 3  # every 2 weeks for 3 months, intensified
    held = [sm.Meeting(s.data["meeting_type"], s.day) for s in filled if s.kind == "meeting.held"]
    due = sm.deadlines(registered_on=registered, today=dt.date(2025, 12, 1), meetings=held)
    passed = [d for d in due if d.due_on < dt.date(2025, 12, 1)]
    assert len(passed) >= 8
    assert len([d for d in passed if d.met_on is None]) <= 2  # good, not perfect
    assert any(s.kind == "plan.saved" for s in filled)  # a plan at the initial interview
    assert filled[0].kind == "customer.registered"
    assert [s.day for s in filled] == sorted(s.day for s in filled)
    assert all(s.filled for s in filled[1:])
