"""The optimised stock SQL against a naive day-by-day Python reference on random journeys.

The engine computes stocks with difference arrays over period indices (``sqlkit``); this test
replays random small journeys person by person and day by day, straight from the definitions, so
that a future optimisation cannot silently change O1, O1U, O1L, O12 or the O9 denominator.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random

import pytest

from luotsi.analytics.indicators import compute, definitions
from luotsi.analytics.indicators.engine import period_spine

from .helpers import store_with
from .journeys import Journeys

MUNIS = ("091", "049", "092")
UNEMPLOYED = {"unemployed", "laid_off"}
FIRST, LAST = dt.date(2022, 1, 1), dt.date(2025, 6, 30)


def _plus_12_months(d: dt.date) -> dt.date:
    return dt.date(d.year + 1, d.month, min(d.day, calendar.monthrange(d.year + 1, d.month)[1]))


def _journeys(seed: int, persons: int = 30):
    """Random journeys and, per person, the spells as plain data for the reference."""
    rng = random.Random(seed)
    j = Journeys()
    spells = []  # (person, start, end or None, [(day, status)], [(day, muni)])
    enrolment = 100
    span = (LAST - FIRST).days
    for person in range(1, persons + 1):
        day = FIRST + dt.timedelta(days=rng.randrange(span // 2))
        for _ in range(rng.choice((1, 1, 2))):
            enrolment += 1
            start = day
            end = start + dt.timedelta(days=rng.randrange(20, 700))
            muni = rng.choice(MUNIS)
            status = rng.choice(("unemployed", "unemployed", "laid_off", "in_service"))
            j.register(person, enrolment, start.isoformat(), muni, status=status)
            statuses, places = [(start, status)], [(start, muni)]
            d = start
            while True:
                d += dt.timedelta(days=rng.randrange(15, 250))
                if d >= end or d > LAST:
                    break
                if rng.random() < 0.6:
                    new = rng.choice(("unemployed", "laid_off", "in_service", "training"))
                    if new != statuses[-1][1]:
                        j.status(person, enrolment, d.isoformat(), new, previous=statuses[-1][1])
                        statuses.append((d, new))
                else:
                    to = rng.choice([m for m in MUNIS if m != places[-1][1]])
                    j.move(person, d.isoformat(), to=to, frm=places[-1][1])
                    places.append((d, to))
            closed = end <= LAST and rng.random() < 0.85
            if closed:
                j.exit(person, enrolment, end.isoformat(), "unknown")
            spells.append((person, start, end if closed else None, statuses, places))
            day = (end if closed else LAST) + dt.timedelta(days=rng.randrange(1, 200))
            if not closed or day > LAST:
                break
    return j, spells


def _state(spell, d: dt.date, run: bool = False):
    """(municipality, status, run_start if ``run``) of a spell on day d, or None when not
    active."""
    _, start, end, statuses, places = spell
    if not (start <= d and (end is None or d < end)):
        return None
    muni = [m for day, m in places if day <= d][-1]
    status = [s for day, s in statuses if day <= d][-1]
    run_start = None
    if run and status in UNEMPLOYED:
        run_start = d
        while run_start > start:  # walk back day by day while still unemployed
            prev = run_start - dt.timedelta(days=1)
            if [s for day, s in statuses if day <= prev][-1] not in UNEMPLOYED:
                break
            run_start = prev
    return muni, status, run_start


def _reference(spells, periods):
    """Naive expected values {(code, muni, period_start): value}."""
    out = {}
    for first, last in periods:
        for m in MUNIS:
            for code in ("O1", "O1U", "O1L", "O12", "O9den"):
                out[(code, m, first)] = 0
        for spell in spells:
            st = _state(spell, last, run=True)
            if st:
                muni, status, run_start = st
                out[("O1", muni, first)] += 1
                if status in UNEMPLOYED:
                    out[("O1U", muni, first)] += 1
                    if _plus_12_months(run_start) <= last:
                        out[("O1L", muni, first)] += 1
            st = _state(spell, first - dt.timedelta(days=1))
            if st:
                out[("O9den", st[0], first)] += 1
            d = max(first, spell[1])
            while d <= last and (spell[2] is None or d < spell[2]):
                st = _state(spell, d)
                if st and st[1] in UNEMPLOYED:
                    out[("O12", st[0], first)] += 1 / ((last - first).days + 1)
                d += dt.timedelta(days=1)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("period", ["month", "quarter"])
def test_stocks_equal_a_day_by_day_reference(seed, period):
    j, spells = _journeys(seed)
    start, end = dt.date(2021, 12, 1), dt.date(2025, 12, 31)
    out = compute(
        store_with(j),
        ["O1", "O1U", "O1L", "O12", "O9"],
        level="municipality",
        period=period,
        start=start,
        end=end,
        as_of="2026-01-01",
        save=False,
    )
    got = {}
    for r in out.to_pylist():
        key = ("O9den" if r["indicator"] == "O9" else r["indicator"], r["group_code"])
        got[(*key, r["period_start"])] = r["denominator" if key[0] == "O9den" else "value"]
    expected = _reference(spells, period_spine(period, start, end))
    assert set(expected) <= set(got)
    assert sum(v for (c, *_), v in expected.items() if c == "O1") > 100  # journeys are not empty
    wrong = {k: (got[k], v) for k, v in expected.items() if got[k] != pytest.approx(v, rel=1e-12)}
    assert not wrong, f"{len(wrong)} cells differ, e.g. {sorted(wrong.items())[:5]}"


@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_intensive_phase_share_equals_a_naive_reference(seed, period):
    """O6: of the open spells 70..90 days old on the counting day (residence on that day), the
    share with at least 4 supplementary interviews from the spell start to the counting day."""
    j, spells = _journeys(seed, persons=150)
    rng = random.Random(seed)
    held: dict[int, list[dt.date]] = {}
    meeting_id = 1000
    for k, (person, start, end, _, _) in enumerate(spells):
        days = []
        for _ in range(rng.randrange(0, 8)):
            d = start + dt.timedelta(days=rng.randrange(0, 100))
            if (end is None or d < end) and d <= LAST:
                meeting_id += 1
                muni = _state(spells[k], d)[0]
                j.meeting(person, meeting_id, d.isoformat(), muni, type_="supplementary_interview")
                days.append(d)
        held[k] = days
    start, end = dt.date(2022, 1, 1), dt.date(2025, 6, 30)
    out = compute(
        store_with(j),
        ["O6"],
        level="municipality",
        period=period,
        start=start,
        end=end,
        save=False,
    )
    got = {
        (r["group_code"], r["period_start"]): (r["numerator"], r["denominator"])
        for r in out.to_pylist()
    }
    expected: dict = {}
    rule = next(iter(definitions(["O6"])))
    for first, last in period_spine(period, start, end):
        if last < rule.valid_from:  # the rule applies from 2 May 2022
            continue
        for k, spell in enumerate(spells):
            age = (last - spell[1]).days
            if 70 <= age <= 90 and (spell[2] is None or spell[2] > last):
                muni = _state(spell, last)[0]
                num, den = expected.get((muni, first), (0, 0))
                hits = sum(spell[1] <= d <= last for d in held[k]) >= 4
                expected[(muni, first)] = (num + hits, den + 1)
    assert (
        sum(den for _, den in expected.values()) > {"month": 20, "quarter": 10, "year": 2}[period]
    )
    assert sum(num for num, _ in expected.values()) > 0
    for key, (num, den) in expected.items():
        assert got[key] == (num, den), key
    # every other cell of the spine is empty
    assert all(v == (0, 0) for k, v in got.items() if k not in expected)
