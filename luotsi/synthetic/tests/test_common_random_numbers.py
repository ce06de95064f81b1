"""Common random numbers: an effect changes the histories it touches and nothing else.

Evaluation code gets an exact truth by generating one seed with and without an effect
(``luotsi.analytics.simulate``); that needs the generator's draws of a person not to depend on
what an effect did to anyone else, and a pilot to change nothing before its first day.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from luotsi.synthetic import Parameters, PilotEffect
from luotsi.synthetic import timebase as tb
from luotsi.synthetic.generator import run_unit
from luotsi.synthetic.population import plan_units, simulate

from .helpers import small_config, table

# Hollola (a generator unit of its own at this scale) and Hämeenkoski (in a unit shared with three
# untreated municipalities)
PILOT = ("098", "142")
START = dt.date(2025, 3, 1)
FIELDS = ("start", "end", "reason", "laid_off", "previous_end", "number")


def _configs():
    pilot = PilotEffect(PILOT, START, dt.date(2026, 6, 30), 1.5, name="p")
    common = {
        "starts_on": dt.date(2024, 7, 1),
        "ends_on": dt.date(2026, 6, 30),
        "scale": 0.5,
        "parameters": Parameters(persons_per_unit=300, burn_in_years=2),
    }
    return small_config(pilots=(pilot,), **common), small_config(**common)


def test_untreated_persons_are_identical_and_treated_ones_until_the_start():
    with_pilot, without = _configs()
    codes = np.array(with_pilot.municipalities)
    start = tb.day(START)
    changed = 0
    mixed = 0
    units = plan_units(without)
    assert len(units) == len(plan_units(with_pilot))
    for unit in units:
        p1, p0 = simulate(with_pilot, unit), simulate(without, unit)
        assert np.array_equal(p1.municipality, p0.municipality)  # same persons
        treated = np.isin(codes[p1.municipality], PILOT)
        mixed += bool(treated.any() and not treated.all())
        m1, m0 = ~treated[p1.person], ~treated[p0.person]
        assert np.array_equal(p1.person[m1], p0.person[m0])
        for f in FIELDS:
            assert np.array_equal(getattr(p1, f)[m1], getattr(p0, f)[m0]), f
        # treated persons: every period that ended before the pilot's first day is unchanged
        e1, e0 = treated[p1.person] & (p1.end < start), treated[p0.person] & (p0.end < start)
        for f in FIELDS:
            assert np.array_equal(getattr(p1, f)[e1], getattr(p0, f)[e0]), f
        t1, t0 = treated[p1.person], treated[p0.person]
        changed += t1.sum() != t0.sum() or not np.array_equal(p1.end[t1], p0.end[t0])
    assert changed > 0  # the pilot did change treated histories
    assert mixed > 0  # including in units shared with untreated municipalities


def test_units_without_a_treated_municipality_give_byte_identical_events():
    with_pilot, without = _configs()
    codes = with_pilot.municipalities
    checked = 0
    for unit in plan_units(without):
        if any(codes[i] in PILOT for i in unit.municipalities):
            continue
        a, b = run_unit(with_pilot, unit), run_unit(without, unit)
        assert len(a.events) == len(b.events)
        for x, y in zip(a.events, b.events, strict=True):
            assert x.equals(y)
        checked += 1
        if checked == 3:
            break
    assert checked == 3


def test_spells_only_keeps_every_period_and_exit():
    """``spells_only`` drops the case work but keeps the same registrations and exits."""
    from luotsi.synthetic import generate

    config = small_config(scale=0.02)
    cols = ("person_id", "enrolment_id", "municipality_code", "registered_on", "ended_on")
    kinds = {"customer.registered", "customer.exited"}

    def periods(spells_only: bool):
        t = table(generate(config, spells_only=spells_only))
        k = t.column("kind").to_pylist()
        rows = [
            (k[i], *(t.column(c)[i].as_py() for c in (*cols, "exit_reason", "status")))
            for i in range(t.num_rows)
            if k[i] in kinds
        ]
        return sorted(rows, key=repr), set(k)

    full, full_kinds = periods(False)
    core, core_kinds = periods(True)
    assert len(core) > 300
    assert core == full
    assert {*kinds, "responsibility.assigned", "responsibility.ended"} <= core_kinds
    assert not {k for k in core_kinds if k.split(".")[0] in ("meeting", "plan", "referral")}
    assert "meeting.held" in full_kinds
