"""The Finnish business-day calendar against published holiday dates (law 150/1930 as amended)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from luotsi.kernel import calendar as cal

D = dt.date


# Published dates (Finnish official calendar): Easter Sunday and Midsummer Day of several years.
@pytest.mark.parametrize(
    ("year", "easter", "midsummer"),
    [
        (2022, D(2022, 4, 17), D(2022, 6, 25)),
        (2024, D(2024, 3, 31), D(2024, 6, 22)),
        (2025, D(2025, 4, 20), D(2025, 6, 21)),
        (2026, D(2026, 4, 5), D(2026, 6, 20)),
    ],
)
def test_movable_holidays(year, easter, midsummer):
    assert cal.easter_sunday(year) == easter
    days = cal.holidays(year)
    assert easter - dt.timedelta(days=2) in days  # Good Friday
    assert easter + dt.timedelta(days=1) in days  # Easter Monday
    assert easter + dt.timedelta(days=39) in days  # Ascension Day
    assert midsummer in days and midsummer - dt.timedelta(days=1) in days  # Midsummer Eve


def test_fixed_holidays_2025():
    days = cal.holidays(2025)
    for d in (
        D(2025, 1, 1),
        D(2025, 1, 6),
        D(2025, 5, 1),
        D(2025, 12, 6),
        D(2025, 12, 24),
        D(2025, 12, 25),
        D(2025, 12, 26),
    ):
        assert d in days
    # All Saints' Day: the Saturday between 31.10 and 6.11
    assert D(2025, 11, 1) in days


def test_working_days_around_christmas_2025():
    # Tue 23.12.2025 + 1 working day: 24, 25, 26 are holidays, 27-28 weekend -> Mon 29.12.
    assert cal.add_working_days(D(2025, 12, 23), 1) == D(2025, 12, 29)
    assert cal.is_working_day(D(2025, 12, 29))
    assert not cal.is_working_day(D(2025, 12, 24))


def test_initial_interview_deadlines_of_both_rule_periods():
    # Registration on Fri 2.5.2025: 5 working days -> Fri 9.5.2025 (1.5 already passed).
    assert cal.add_working_days(D(2025, 5, 2), 5) == D(2025, 5, 9)
    # Registration on Mon 29.12.2025 under the 10-day rule from 1.1.2026 would skip 1.1 and 6.1.
    assert cal.add_working_days(D(2025, 12, 29), 10) == D(2026, 1, 14)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31)), st.integers(0, 60))
def test_add_and_count_working_days_are_inverse(start, n):
    end = cal.add_working_days(start, n)
    assert cal.working_days_between(start, end) == n
    if n:
        assert cal.is_working_day(end)


def test_add_months_clamps_to_month_end():
    assert cal.add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert cal.add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)
    assert cal.month_end(D(2024, 2, 10)) == D(2024, 2, 29)
