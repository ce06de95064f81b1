"""Service-model, ecosystem and assessment indicators on hand-made journeys.

Working days are counted by hand here (Finnish holidays: 1.1, 6.1 Epiphany, Easter 2025 =
18.4 Good Friday to 21.4 Easter Monday) and the counts cross-checked with the kernel calendar.
"""

from __future__ import annotations

import datetime as dt

import pytest

from luotsi.kernel.calendar import working_days_between

from .helpers import run, store_with, value
from .journeys import Journeys


def test_hand_counted_working_days_agree_with_the_kernel():
    d = dt.date.fromisoformat
    assert working_days_between(d("2025-12-29"), d("2026-01-07")) == 5
    assert working_days_between(d("2026-01-05"), d("2026-01-21")) == 11
    assert working_days_between(d("2025-03-03"), d("2025-03-14")) == 9
    assert working_days_between(d("2025-04-14"), d("2025-04-20")) == 3


@pytest.fixture(scope="module")
def interviews():
    j = Journeys()
    # December 2025 starts: deadline 5 working days
    j.register(1, 1, "2025-12-29", "091")
    j.meeting(1, 1, "2026-01-07", "091", channel="in_person")  # 5 wd: in time
    j.plan(1, 1, 1, "2026-01-07", valid_until="2026-01-30")  # expired by 31.1
    j.register(2, 2, "2025-12-30", "091")
    j.meeting(2, 2, "2026-01-08", "091", channel="phone")  # 5 wd: in time
    j.register(3, 3, "2025-12-31", "091")  # never interviewed
    # January 2026 starts: deadline 10 working days
    j.register(4, 4, "2026-01-05", "091")
    j.meeting(4, 4, "2026-01-21", "091", channel="video")  # 11 wd: late
    j.register(5, 5, "2026-01-05", "091")
    j.meeting(5, 5, "2026-01-20", "091", channel="in_person")  # 10 wd: in time
    j.plan(5, 5, 1, "2026-01-20")
    j.register(6, 6, "2026-01-26", "091")  # deadline 9.2, after the extraction date
    s = store_with(j)
    return run(
        s,
        ["O3", "O3N", "O4", "O4P90", "O4C", "O5", "O5T", "O8"],
        "2025-12-01",
        "2026-01-31",
        as_of="2026-02-02",
    )


def test_initial_interview_deadline_is_time_valid(interviews):
    assert value(interviews, "O3", "091", "2025-12") == pytest.approx(100 * 2 / 3)
    assert value(interviews, "O3", "091", "2026-01") == pytest.approx(100 * 1 / 2)
    assert value(interviews, "O3N", "091", "2026-01") == 1


def test_days_to_initial_interview(interviews):
    assert value(interviews, "O4", "091", "2025-12") == 5
    assert value(interviews, "O4", "091", "2026-01") == pytest.approx(10.5)
    assert value(interviews, "O4P90", "091", "2026-01") == pytest.approx(10.9)
    assert value(interviews, "O4C", "091", "2025-12") == 1
    assert value(interviews, "O4C", "091", "2026-01") == 1


def test_plan_coverage_and_timeliness(interviews):
    # 31.1.2026: six open spells; only person 5 has a valid agreed plan
    assert value(interviews, "O5", "091", "2026-01") == pytest.approx(100 / 6)
    assert value(interviews, "O5T", "091", "2026-01") == pytest.approx(50.0)
    assert value(interviews, "O5T", "091", "2025-12") == pytest.approx(50.0)


def test_meeting_mode(interviews):
    assert value(interviews, "O8", "091", "2026-01", "in_person") == pytest.approx(50.0)
    assert value(interviews, "O8", "091", "2026-01", "phone") == pytest.approx(25.0)
    assert value(interviews, "O8", "091", "2026-01", "message") == pytest.approx(0.0)


def test_meeting_rhythm():
    j = Journeys()
    j.register(1, 1, "2025-01-01", "109")
    for i, day in enumerate(("2025-01-15", "2025-01-29", "2025-02-12", "2025-02-26")):
        j.meeting(1, 10 + i, day, "109", type_="supplementary_interview")
    j.register(2, 2, "2025-01-10", "109")
    for i, day in enumerate(("2025-01-20", "2025-02-03", "2025-02-17")):
        j.meeting(2, 20 + i, day, "109", type_="supplementary_interview")
    j.register(3, 3, "2025-01-01", "110")
    j.meeting(3, 30, "2025-01-05", "110", type_="initial_interview")
    j.meeting(3, 31, "2025-05-10", "110", type_="job_search_interview")
    out = run(store_with(j), ["O6", "O7"], "2025-02-01", "2025-08-31")
    assert value(out, "O6", "109", "2025-03") == pytest.approx(50.0)  # 89 and 80 days old
    assert value(out, "O6", "109", "2025-02") is None  # nobody in the band
    assert value(out, "O7", "110", "2025-03") is None  # not yet 3 months
    assert value(out, "O7", "110", "2025-04") == 0
    assert value(out, "O7", "110", "2025-05") == 100
    assert value(out, "O7", "110", "2025-07") == 100
    assert value(out, "O7", "110", "2025-08") == 0


def test_caseload_and_responsibility_gaps():
    j = Journeys()
    people = {501: [1, 2], 502: [3], 503: [4, 5, 6]}
    for worker, persons in people.items():
        for p in persons:
            j.register(p, p, "2025-03-01", "091")
            j.assign(p, worker, "2025-03-01")
    j.register(7, 7, "2025-03-01", "092")
    j.assign(7, 502, "2025-03-11")  # 10 days without a worker
    j.unassign(7, 502, 7, "2025-03-21")  # and again from 21.3 (11 days)
    workers = [{"worker_id": 501, "fte": 0.5}, {"worker_id": 502, "fte": 1.0}]
    out = run(
        store_with(j, workers=workers),
        ["O13", "O13P90", "O13MAX", "O15", "O15N"],
        "2025-03-01",
        "2025-03-31",
    )
    # loads on 31.3: 501 = 2/0.5 = 4, 502 = 1/1 = 1 (person 7 no longer), 503 = 3/1 (unknown FTE)
    assert value(out, "O13", "091", "2025-03") == 3
    assert value(out, "O13P90", "091", "2025-03") == pytest.approx(3.8)
    assert value(out, "O13MAX", "091", "2025-03") == 4
    assert value(out, "O15", "092", "2025-03") == pytest.approx(100 * 21 / 31)
    assert value(out, "O15", "091", "2025-03") == 0
    assert value(out, "O15N", "092", "2025-03") == 1


def test_referrals_lifecycle_by_provider():
    j = Journeys()
    j.register(1, 1, "2025-02-01", "091")
    j.referral(1, 1, "sent", "2025-03-03", "091", provider=100)
    j.referral(1, 1, "accepted", "2025-03-14", "091", provider=100)  # 9 wd
    j.referral(1, 1, "completed", "2025-03-20", "091", provider=100, outcome="employed")
    j.exit(1, 1, "2025-04-15", "employed_open_market")
    j.register(2, 2, "2025-02-01", "091")
    j.referral(2, 2, "sent", "2025-03-03", "091", provider=100)
    j.referral(2, 2, "accepted", "2025-03-18", "091", provider=100)  # 11 wd
    j.referral(2, 2, "completed", "2025-03-25", "091", provider=100, outcome="no_change")
    j.referral(2, 3, "sent", "2025-03-05", "091", provider=200)
    j.referral(2, 3, "rejected", "2025-03-06", "091", provider=200)
    j.referral(2, 4, "sent", "2025-03-05", "091", provider=200)
    codes = ["O14", "O14A", "O14R", "O14L", "O14C", "O14E", "O11M3"]
    out = run(store_with(j), codes, "2025-03-01", "2025-03-31", as_of="2025-07-01")
    assert value(out, "O14", "091", "2025-03") == 4
    assert value(out, "O14A", "091", "2025-03") == pytest.approx(25.0)
    assert value(out, "O14R", "091", "2025-03") == pytest.approx(100 * 2 / 3)
    assert value(out, "O14L", "091", "2025-03") == pytest.approx(10.0)
    assert value(out, "O14C", "091", "2025-03") == pytest.approx(100.0)
    assert value(out, "O14E", "091", "2025-03") == pytest.approx(50.0)
    assert value(out, "O14", "091", "2025-03", "100") == 2
    assert value(out, "O14R", "091", "2025-03", "200") == 0
    assert value(out, "O11M3", "091", "2025-03") == pytest.approx(50.0)


def test_bouncing_and_handover_lead_time():
    j = Journeys()
    j.register(1, 1, "2025-01-01", "091")
    j.handover(1, 1, "requested", "2025-03-03", "091", frm=1, to=2)
    j.handover(1, 1, "accepted", "2025-03-10", "091", frm=1, to=2)
    j.handover(1, 2, "requested", "2025-04-14", "091", frm=2, to=1)
    j.handover(1, 2, "accepted", "2025-04-20", "091", frm=2, to=1)
    j.handover(1, 3, "requested", "2025-05-01", "091", frm=1, to=3)
    j.handover(1, 3, "accepted", "2025-05-01", "091", frm=1, to=3)
    out = run(store_with(j), ["O16", "O16B", "O17", "O17K"], "2025-03-01", "2025-09-30")
    assert value(out, "O16", "091", "2025-03") == 100  # 1 -> 2 -> 1 within 41 days
    assert value(out, "O16", "091", "2025-04") == 0
    assert value(out, "O16B", "091", "2025-04") == 0
    assert value(out, "O16B", "091", "2025-05") == 100  # third change on 1.5
    assert value(out, "O16B", "091", "2025-08") == 100
    assert value(out, "O16B", "091", "2025-09") == 0  # 10.3 + 180 days = 6.9
    assert value(out, "O17", "091", "2025-03") == 5
    assert value(out, "O17", "091", "2025-04") == 3
    assert value(out, "O17K", "091", "2025-03") == 100


def test_distance_travelled():
    j = Journeys()
    j.assess(1, 1, 1, "2025-01-15", "091", {"housing": 2, "finances": 1})
    j.assess(1, 2, 2, "2025-03-15", "091", {"housing": 4, "finances": 1})
    j.assess(1, 3, 3, "2025-05-10", "091", {"housing": 3, "finances": 2})
    j.assess(2, 4, 1, "2025-02-01", "091", {"housing": 3})
    j.assess(2, 5, 2, "2025-04-01", "091", {"housing": 3})
    out = run(store_with(j), ["A1"], "2025-02-01", "2025-05-31")
    assert value(out, "A1", "091", "2025-02", "housing") is None  # nobody assessed twice
    assert value(out, "A1", "091", "2025-03", "housing") == 2
    assert value(out, "A1", "091", "2025-04", "housing") == 1  # (2 + 0) / 2
    assert value(out, "A1", "091", "2025-05", "housing") == pytest.approx(0.5)
    assert value(out, "A1", "091", "2025-05", "finances") == 1
