"""Injected effects are present in the generated events, by the chosen amount.

The truth (``luotsi.synthetic.truth``) gives the expected exit rate to open-market employment per
person-month over the first six months of a period, for treated and untreated periods. The tests
estimate the same rates from the events (``experiment.assigned``, ``customer.registered``,
``customer.exited``) and check the rate ratio within three standard errors of the log ratio
(Poisson counts: se = sqrt(1/d1 + 1/d0)) plus 3 % for the model's approximations (the expected
rates ignore seasonality, which multiplies both arms alike).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from luotsi.synthetic import ExperimentEffect, PilotEffect, generate, truth
from luotsi.synthetic import timebase as tb

from .helpers import periods, rows_of, small_config, table

HORIZON = 183  # days: the truth's six months


def _rates(p, mask, window_end):
    """Employment exits per person-month over the first six months of the periods in mask."""
    start = p["registered_on"][mask]
    end = p["ended_on"][mask]
    stop = np.where(end >= 0, end, window_end)
    stop = np.minimum(stop, np.minimum(start + HORIZON, window_end))
    exposure = np.maximum(stop - start, 0).sum() / (365.25 / 12)
    employed = (p["exit_reason"][mask] == "employed_open_market") & (end >= 0)
    events = int((employed & (end <= start + HORIZON) & (end <= window_end)).sum())
    return events, exposure


def _check_ratio(d1, e1, d0, e0, expected):
    observed = (d1 / e1) / (d0 / e0)
    se = math.sqrt(1 / d1 + 1 / d0)
    assert abs(math.log(observed / expected)) <= 3 * se + 0.03, (observed, expected, se)
    return observed


@pytest.mark.slow
def test_experiment_changes_the_employment_hazard_by_the_chosen_ratio():
    exp = ExperimentEffect(
        experiment_id=42,
        share=0.5,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
        hazard_ratio=1.5,
        take_up_ratio=2.0,
    )
    config = small_config(scale=0.4, experiments=(exp,), starts_on=dt.date(2024, 12, 1))
    t = table(generate(config))
    p = periods(t)
    assigned = rows_of(t, "experiment.assigned", "person_id", "arm", "assigned_on")
    key = dict(zip(zip(assigned["person_id"], assigned["assigned_on"], strict=True),
                   assigned["arm"], strict=True))  # fmt: skip
    arm = np.array([key.get((a, b), "") for a, b in zip(p["person_id"], p["registered_on"],
                                                        strict=True)])  # fmt: skip
    treated, control = arm == "treatment", arm == "control"
    assert 0.45 < treated.sum() / (treated.sum() + control.sum()) < 0.55
    end = tb.day(config.ends_on)
    d1, e1 = _rates(p, treated, end)
    d0, e0 = _rates(p, control, end)
    assert d0 > 400 and d1 > 400
    facts = truth(config)["effects"][0]
    expected = (
        facts["expected_treated"]["employment_rate"] / facts["expected_control"]["employment_rate"]
    )
    # the hazard ratio itself, slightly more: the treated spend their exposure earlier in the
    # period, where hazards are higher
    assert 1.5 <= expected < 1.6
    assert _check_ratio(d1, e1, d0, e0, expected) > 1.25  # present, and by the chosen amount
    # take-up: referrals drafted per person-month of the assigned period. The chosen ratio (2)
    # applies to the months when no referral is pending or running, so the observed ratio is
    # lower: between 1.4 and 2.
    drafted = rows_of(t, "referral.drafted", "person_id", "occurred_at")
    day = drafted["occurred_at"] // tb.US_PER_DAY
    stop = np.where(p["ended_on"] >= 0, p["ended_on"], end)
    rate = {}
    for name, mask in (("treatment", treated), ("control", control)):
        span = {a: (b, c) for a, b, c in zip(p["person_id"][mask], p["registered_on"][mask],
                                             stop[mask], strict=True)}  # fmt: skip
        n = sum(
            1
            for person, d in zip(drafted["person_id"], day, strict=True)
            if person in span and span[person][0] <= d <= span[person][1]
        )
        months = sum(b - a for a, b in span.values()) / (365.25 / 12)
        rate[name] = n / months
    ratio = rate["treatment"] / rate["control"]
    assert 1.4 < ratio < 2.0, ratio


@pytest.mark.slow
def test_pilot_changes_employment_exits_in_its_municipalities_only():
    pilot_munis = ("098", "111")  # Hollola, Heinola
    pilot = PilotEffect(pilot_munis, dt.date(2025, 1, 1), dt.date(2025, 12, 31), 1.4, name="p")
    window = {"starts_on": dt.date(2025, 1, 1), "ends_on": dt.date(2025, 12, 31), "scale": 1.0}
    with_pilot = small_config(pilots=(pilot,), **window)
    without = small_config(**window)
    end = tb.day(dt.date(2025, 12, 31))
    result = {}
    for name, config in (("pilot", with_pilot), ("none", without)):
        p = periods(table(generate(config)))
        new = p["registered_on"] >= tb.day(dt.date(2025, 1, 1))
        inside = np.isin(p["municipality_code"], pilot_munis)
        result[name] = {
            "inside": _rates(p, new & inside, end),
            "outside": _rates(p, new & ~inside, end),
        }
    facts = truth(with_pilot)["effects"][0]
    expected = (
        facts["expected_treated"]["employment_rate"] / facts["expected_control"]["employment_rate"]
    )
    (d1, e1), (d0, e0) = result["pilot"]["inside"], result["none"]["inside"]
    assert d0 > 500
    assert _check_ratio(d1, e1, d0, e0, expected) > 1.2  # present, and by the chosen amount
    # outside the pilot the rate is unchanged (within sampling error: the random streams of a
    # unit are shared, so the draws differ once a pilot changes any exit)
    (d1, e1), (d0, e0) = result["pilot"]["outside"], result["none"]["outside"]
    _check_ratio(d1, e1, d0, e0, 1.0)
