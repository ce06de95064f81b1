"""Finnish business-day calendar for statutory deadlines.

Working days are Monday to Friday except the days on which, by the Act on the Computation of
Statutory Time Limits (laki säädettyjen määräaikain laskemisesta 150/1930, § 5), a deadline cannot
fall: public and church holidays, Independence Day, May Day, Christmas Eve and Midsummer Eve.
Saturdays and Sundays are never working days. Dates follow the current rules in force since 1955
(Midsummer and All Saints' Day on Saturdays); earlier years are refused.

Counting convention (used by every deadline rule): the day on which an event happens is day 0;
``add_working_days(d, n)`` is the n-th working day after ``d``; ``working_days_between(a, b)``
counts the working days in the half-open interval (a, b].
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from functools import lru_cache

FIRST_SUPPORTED_YEAR = 1955


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _weekday_between(year: int, month: int, first_day: int, weekday: int) -> dt.date:
    """The date with ``weekday`` (Mon=0) in the 7-day window starting ``first_day`` of month."""
    start = dt.date(year, month, first_day)
    return start + dt.timedelta(days=(weekday - start.weekday()) % 7)


def _all_saints(year: int) -> dt.date:
    """Saturday between 31 October and 6 November."""
    start = dt.date(year, 10, 31)
    return start + dt.timedelta(days=(5 - start.weekday()) % 7)


@lru_cache(maxsize=256)
def holidays(year: int) -> dict[dt.date, str]:
    """Days of ``year`` on which no statutory deadline falls, with their Finnish names."""
    if year < FIRST_SUPPORTED_YEAR:
        raise ValueError(f"the Finnish holiday rules are encoded from {FIRST_SUPPORTED_YEAR} on")
    easter = easter_sunday(year)
    day = dt.timedelta(days=1)
    midsummer_eve = _weekday_between(year, 6, 19, 4)  # Friday 19-25 June
    days = {
        dt.date(year, 1, 1): "Uudenvuodenpäivä",
        dt.date(year, 1, 6): "Loppiainen",
        easter - 2 * day: "Pitkäperjantai",
        easter: "Pääsiäispäivä",
        easter + day: "Toinen pääsiäispäivä",
        dt.date(year, 5, 1): "Vappu",
        easter + 39 * day: "Helatorstai",
        easter + 49 * day: "Helluntaipäivä",
        midsummer_eve: "Juhannusaatto",
        midsummer_eve + day: "Juhannuspäivä",
        _all_saints(year): "Pyhäinpäivä",
        dt.date(year, 12, 6): "Itsenäisyyspäivä",
        dt.date(year, 12, 24): "Jouluaatto",
        dt.date(year, 12, 25): "Joulupäivä",
        dt.date(year, 12, 26): "Tapaninpäivä",
    }
    return dict(sorted(days.items()))


def is_working_day(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in holidays(d.year)


def next_working_day(d: dt.date) -> dt.date:
    """``d`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(d):
        d += dt.timedelta(days=1)
    return d


def add_working_days(d: dt.date, n: int) -> dt.date:
    """The n-th working day after ``d`` (n >= 0; n = 0 gives ``d``)."""
    if n < 0:
        raise ValueError("n must be zero or positive")
    one = dt.timedelta(days=1)
    while n:
        d += one
        if is_working_day(d):
            n -= 1
    return d


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative if ``end`` is before ``start``."""
    if end < start:
        return -working_days_between(end, start)
    full_weeks, rest = divmod((end - start).days, 7)
    count = full_weeks * 5
    d = start + dt.timedelta(days=full_weeks * 7)
    for _ in range(rest):
        d += dt.timedelta(days=1)
        if d.weekday() < 5:
            count += 1
    for year in range(start.year, end.year + 1):
        count -= sum(1 for h in holidays(year) if start < h <= end and h.weekday() < 5)
    return count


def add_months(d: dt.date, n: int) -> dt.date:
    """Same day ``n`` calendar months later, clamped to the month's last day (31.1 + 1 = 28/29.2)."""
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, _cal.monthrange(year, month)[1]))


def month_end(d: dt.date) -> dt.date:
    """The last calendar day of ``d``'s month: the counting day of monthly stocks."""
    return dt.date(d.year, d.month, _cal.monthrange(d.year, d.month)[1])
