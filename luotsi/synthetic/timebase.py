"""Vectorised calendar arithmetic on day numbers (days since 1970-01-01, Arrow's ``date32``).

The generator works on whole arrays of days. Working days follow
:mod:`luotsi.kernel.calendar` (the same holidays), precomputed once for 1985-2105 so that
"the n-th working day after d" is an index lookup. Times of day are Helsinki local time
converted to UTC with the EU summer-time rule (last Sunday of March to last Sunday of October).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np

from luotsi.kernel import calendar as cal

EPOCH = dt.date(1970, 1, 1)
FIRST_YEAR, LAST_YEAR = 1985, 2105
US_PER_DAY = 86_400_000_000
US_PER_SECOND = 1_000_000


def day(d: dt.date) -> int:
    """Day number of a date."""
    return (d - EPOCH).days


def date(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


@cache
def _tables() -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    first = day(dt.date(FIRST_YEAR, 1, 1))
    last = day(dt.date(LAST_YEAR, 12, 31))
    days = np.arange(first, last + 1)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday (3)
    working = weekday < 5
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for h in cal.holidays(year):
            working[day(h) - first] = False
    cumulative = np.cumsum(working)  # working days on or before each day
    working_days = days[working]
    return first, working, cumulative, working_days


def _index(days: np.ndarray) -> np.ndarray:
    first, working, _c, _w = _tables()
    idx = np.asarray(days, dtype=np.int64) - first
    if idx.size and (idx.min() < 0 or idx.max() >= len(working)):
        raise ValueError(f"dates must lie within {FIRST_YEAR}-{LAST_YEAR}")
    return idx


def is_working(days: np.ndarray) -> np.ndarray:
    return _tables()[1][_index(days)]


def add_working_days(days: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The n-th working day after each day (n >= 1), as in ``kernel.calendar``."""
    _f, _w, cumulative, working_days = _tables()
    pos = cumulative[_index(days)] + np.asarray(n, dtype=np.int64) - 1
    return working_days[np.minimum(pos, len(working_days) - 1)].astype(np.int64)


def next_working_day(days: np.ndarray) -> np.ndarray:
    """Each day itself if it is a working day, else the next one."""
    days = np.asarray(days, dtype=np.int64)
    return np.where(is_working(days), days, add_working_days(days, 1))


def year_month(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calendar year and zero-based month of each day."""
    months = np.asarray(days, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months // 12 + 1970, months % 12


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since January 1970 of each day."""
    return np.asarray(days, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_start(month: np.ndarray) -> np.ndarray:
    """Day number of the first day of a month index."""
    return np.asarray(month, dtype="datetime64[M]").astype("datetime64[D]").astype(np.int64)


def add_months(days: np.ndarray, n: int | np.ndarray) -> np.ndarray:
    """Same day-of-month ``n`` months later, clamped to the month's end (as ``kernel.calendar``)."""
    days = np.asarray(days, dtype=np.int64)
    m = month_index(days)
    dom = days - month_start(m)
    target = m + np.asarray(n, dtype=np.int64)
    length = month_start(target + 1) - month_start(target)
    return month_start(target) + np.minimum(dom, length - 1)


@cache
def _dst_table() -> tuple[np.ndarray, np.ndarray]:
    starts, ends = [], []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        march31, oct31 = dt.date(year, 3, 31), dt.date(year, 10, 31)
        starts.append(day(march31) - (march31.weekday() + 1) % 7)
        ends.append(day(oct31) - (oct31.weekday() + 1) % 7)
    return np.array(starts), np.array(ends)


def utc_microseconds(days: np.ndarray, local_seconds: np.ndarray) -> np.ndarray:
    """UTC timestamps (µs) of Helsinki local times ``local_seconds`` after midnight of ``days``.

    Valid for daytime hours (the summer-time switch happens at night).
    """
    days = np.asarray(days, dtype=np.int64)
    starts, ends = _dst_table()
    year = year_month(days)[0] - FIRST_YEAR
    summer = (days >= starts[year]) & (days < ends[year])
    offset = np.where(summer, 3 * 3600, 2 * 3600)
    seconds = days * 86_400 + np.asarray(local_seconds, dtype=np.int64) - offset
    return seconds * US_PER_SECOND


def office_seconds(rng: np.random.Generator, n: int, start_hour: int = 8, end_hour: int = 16):
    """Random local times (seconds after midnight) within office hours, on whole minutes."""
    return rng.integers(start_hour * 60, end_hour * 60, size=n) * 60
