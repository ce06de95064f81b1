"""Stocks and flows on hand-made journeys; expected values written from the definitions."""

from __future__ import annotations

import pytest

from .helpers import run, store_with, value
from .journeys import Journeys


@pytest.fixture(scope="module")
def scenario():
    j = Journeys()
    j.register(1, 11, "2025-01-10", "091")
    j.exit(1, 11, "2025-03-05", "employed_open_market")
    j.register(2, 21, "2025-01-31", "091")
    j.move(2, "2025-02-15", to="049", frm="091")
    j.register(3, 31, "2024-01-15", "091")
    j.status(3, 31, "2024-06-01", "in_service")
    j.status(3, 31, "2024-07-01", "unemployed", previous="in_service")
    j.register(4, 41, "2025-02-28", "091")
    j.exit(4, 41, "2025-02-28", "unknown")
    j.register(5, 51, "2025-03-03", "091")
    j.exit(5, 51, "2025-03-10", "education")
    j.register(5, 52, "2025-03-20", "091")
    s = store_with(j)
    out = run(
        s,
        ["O1", "O1U", "O1L", "O1LS", "O2", "O2X", "O9", "O10E", "O10X", "O12", "O9C3"],
        "2024-06-01",
        "2025-07-31",
        as_of="2025-08-01",
    )
    return out


def test_active_customers_on_the_counting_day(scenario):
    # Jan 31: persons 1, 2 (registered on the counting day) and 3.
    assert value(scenario, "O1", "091", "2025-01") == 3
    # Feb 28: person 2 moved to 049; person 4 registered and left on the same day.
    assert value(scenario, "O1", "091", "2025-02") == 2
    assert value(scenario, "O1", "049", "2025-02") == 1
    # Mar 31: person 3 and person 5's second spell.
    assert value(scenario, "O1", "091", "2025-03") == 2
    assert value(scenario, "O1", "049", "2025-01") == 0  # months with nothing appear as zero


def test_status_and_long_term_unemployment(scenario):
    assert value(scenario, "O1", "091", "2024-06") == 1
    assert value(scenario, "O1U", "091", "2024-06") == 0  # in a service on 30.6.2024
    # the run restarted on 1.7.2024: 12 months are reached on 1.7.2025
    assert value(scenario, "O1L", "091", "2025-06") == 0
    assert value(scenario, "O1L", "091", "2025-07") == 1
    assert value(scenario, "O1LS", "091", "2025-07") == pytest.approx(100 * 1 / 2)


def test_inflow_counts_a_person_once_per_month(scenario):
    assert value(scenario, "O2", "091", "2025-01") == 2
    assert value(scenario, "O2", "091", "2025-02") == 1
    assert value(scenario, "O2", "091", "2025-03") == 1  # person 5 registered twice


def test_outflow_by_destination(scenario):
    assert value(scenario, "O2X", "091", "2025-03") == 2
    assert value(scenario, "O2X", "091", "2025-02") == 1
    # 1 exit to the open market / O1 on 28.2 (= 2)
    assert value(scenario, "O9", "091", "2025-03") == pytest.approx(50.0)
    assert value(scenario, "O10E", "091", "2025-03") == pytest.approx(50.0)
    assert value(scenario, "O10X", "091", "2025-02") == pytest.approx(100 * 1 / 3)


def test_full_time_equivalent_unemployed(scenario):
    # January 2025: person 1 for 22 days, person 2 for 1 day, person 3 for 31 days.
    assert value(scenario, "O12", "091", "2025-01") == pytest.approx((22 + 1 + 31) / 31)


def test_employment_within_three_months_cohort(scenario):
    # January cohort: person 1 employed on 5.3 (within 3 months), person 2 still open.
    assert value(scenario, "O9C3", "091", "2025-01") == pytest.approx(50.0)


def test_stock_flow_identity_for_a_closed_population(scenario):
    # stock(m) = stock(m-1) + starts(m) - ends(m) when nobody moves (municipality 091, March)
    feb, mar = value(scenario, "O1", "091", "2025-02"), value(scenario, "O1", "091", "2025-03")
    starts, ends = 2, 2  # person 5 twice; persons 1 and 5
    assert mar == feb + starts - ends
