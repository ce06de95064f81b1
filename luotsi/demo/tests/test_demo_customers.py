"""The demo's customers look like a real caseload: spread over two teams, deadlines mostly met."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from luotsi.core.models import Organisation, User
from luotsi.customers import identity, selectors
from luotsi.customers.errors import CaseWorkError
from luotsi.customers.models import Customer, Responsibility
from luotsi.demo.customers import build_customers, temporary_identity_code
from luotsi.demo.users import WORKER_USERNAMES, ensure_area_organisation, ensure_users
from luotsi.journey.models import JourneyEvent
from luotsi.kernel.codes import OrganisationType
from luotsi.reference import selectors as reference

TODAY = dt.date(2026, 11, 16)


@pytest.fixture
def demo_area(db):
    area = reference.area_of("491", dt.date(2025, 1, 1))
    org = ensure_area_organisation(area.code, area.name_fi, "491")
    partner = Organisation.objects.create(
        name="Kumppani ry", type=OrganisationType.NGO, employment_area_code=area.code
    )
    ensure_users(org, partner, "demo-Salasana-1")
    workers = list(User.objects.filter(username__in=WORKER_USERNAMES).order_by("username"))
    members = list(
        reference.members_of_area(area.code, dt.date(2025, 1, 1)).values_list("code", flat=True)
    )
    return area, workers, members


def test_colleagues_have_no_login_and_form_two_teams(demo_area):
    _area, workers, _members = demo_area
    assert len(workers) == len(WORKER_USERNAMES) == 8
    logins = [w.username for w in workers if w.has_usable_password()]
    assert sorted(logins) == ["vastuu", "vastuu2"]
    assert {w.unit.name for w in workers} == {"Tiimi 1", "Tiimi 2"}


def test_journeys_meet_most_deadlines_and_keep_plans_reviewed(demo_area):
    _area, workers, members = demo_area
    assert build_customers(workers=workers, municipalities=members, n=60, today=TODAY) == 60
    active = [c for c in Customer.objects.filter(synthetic=True) if c.open_enrolment()]
    # The generator's turnover: over the window since 1.1.2025 about a third of the customers
    # are still job seekers today (as in a real area; the ad-hoc journeys kept over half open).
    assert len(active) > 12
    # Exactly one responsible worker for each active customer.
    for c in active:
        assert Responsibility.objects.filter(customer=c, ends_at__isnull=True).count() == 1
    due = [d for c in active for d in selectors.customer_deadlines(c, TODAY)]
    passed = [d for d in due if d.due_on < TODAY]
    missed = [d for d in passed if d.met_on is None]
    assert len(passed) > 100
    # Good but not perfect compliance.
    assert 0 < len(missed) / len(passed) < 0.15
    overdue_reviews = [
        c
        for c in active
        if (p := c.plans.filter(enrolment__ended_on__isnull=True).first())
        and p.review_due_on
        and p.review_due_on < TODAY
    ]
    assert len(overdue_reviews) / len(active) < 0.3
    # Plans are dated on the day they were made or reviewed, so indicators count them then.
    saved = JourneyEvent.objects.filter(kind="plan.saved")
    assert saved.count() > len(active)  # reviews add versions
    assert all(e.occurred_at.date() <= TODAY for e in saved)
    # The caseload is spread over many workers, as in a real area.
    busy = {r.worker_id for r in Responsibility.objects.filter(ends_at__isnull=True)}
    assert len(busy) >= 6


def test_identity_codes_are_from_the_temporary_range(demo_area):
    _area, workers, members = demo_area
    build_customers(workers=workers, municipalities=members, n=10, today=TODAY)
    codes = list(Customer.objects.values_list("personal_identity_code", flat=True))
    assert len(codes) == 10
    for code in codes:
        assert re.fullmatch(r"\d{6}[-A]9\d\d[0-9A-Y]", code)
        assert identity.normalise(code) == code  # a valid check character
    code = temporary_identity_code(dt.date(1980, 5, 17), 912)
    assert code[:10] == "170580-912"
    with pytest.raises(CaseWorkError):  # any other check character is wrong
        identity.normalise(code[:10] + ("X" if code[10] != "X" else "Y"))
