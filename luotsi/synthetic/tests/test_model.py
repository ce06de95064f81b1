"""The duration model's closed forms and the calibration, against brute force."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from luotsi.kernel import calendar as cal
from luotsi.synthetic import ConfigError, ExperimentEffect, Parameters, SyntheticConfig, model
from luotsi.synthetic import timebase as tb


def test_duration_moments_match_numeric_integration():
    p = Parameters()
    g = np.array([0.5, 1.0, 2.0])
    mean, ltu = model.duration_moments(p, g)
    t = np.arange(0, 2400, 0.01) + 0.005  # months, midpoint rule
    h = model.hazard_at(p, np.floor(t).astype(int))
    for i, gi in enumerate(g):
        step = h * gi * 0.01
        surv = np.exp(-(np.cumsum(step) - step / 2))
        assert mean[i] == pytest.approx(surv.sum() * 0.01, rel=1e-3)
        assert ltu[i] == pytest.approx(surv[t >= 12].sum() * 0.01, rel=1e-3)


def test_sampled_durations_follow_the_model():
    """Durations drawn by the generator's sampler (no seasonality, no effects) have the model's
    mean and long-term share (simulation with known truth; 3 standard errors)."""
    from luotsi.synthetic import population

    p = Parameters(exit_season=(1.0,) * 12)
    config = SyntheticConfig(
        municipalities=("398",), starts_on=dt.date(2000, 1, 1), ends_on=dt.date(2090, 1, 1),
        parameters=p,
    )  # fmt: skip
    n = 40_000
    rng = np.random.default_rng(9)
    start = np.full(n, tb.day(dt.date(2001, 1, 1)), dtype=np.int64)
    muni = np.zeros(n, dtype=np.int64)
    end, employed = population._durations(
        config, model.calibrate(config), muni, np.ones(n), start, np.ones(n), rng
    )
    months = (end - start) / model.DAYS_PER_MONTH
    mean, ltu = model.duration_moments(p, np.array([1.0]))
    se = months.std() / np.sqrt(n)
    assert abs(months.mean() - mean[0]) < 3 * se + 0.02
    beyond = np.clip(months - 12, 0, None).mean()
    assert beyond == pytest.approx(ltu[0], rel=0.05)
    share = model.employment_share(p, np.floor(months).astype(int)).mean()
    assert employed.mean() == pytest.approx(share, abs=0.01)


def test_calibration_hits_its_stock_targets():
    p = Parameters()
    age = np.array([[0.15, 0.5, 0.35], [0.1, 0.6, 0.3]])
    foreign = np.array([0.2, 0.05])
    ltu = np.array([0.45, 0.3])
    k, a, f, _mean = model.calibrate_shares(p, age, foreign, ltu)
    ages, frn, share, _t = model._stock_shares(p, k, a, f)
    assert np.allclose(ages, age, atol=1e-4)
    assert np.allclose(frn, foreign, atol=1e-4)
    assert np.allclose(share, ltu, atol=1e-4)
    assert k[0] < k[1]  # more long-term unemployed -> lower exit hazards


def test_expected_rates_equal_without_effect():
    config = SyntheticConfig(municipalities=("398",))
    ms = model.calibrate(config)
    a = model.expected_employment_rates(config.parameters, ms, 1.0)
    b = model.expected_employment_rates(config.parameters, ms, 2.0)
    assert b["employment_rate"] > 1.9 * a["employment_rate"]
    assert 0 < a["employed_by_horizon"] < b["employed_by_horizon"] < 1


def test_working_day_arithmetic_matches_the_kernel_calendar():
    rng = np.random.default_rng(3)
    days = rng.integers(tb.day(dt.date(2015, 1, 1)), tb.day(dt.date(2030, 1, 1)), 400)
    n = rng.integers(1, 25, 400)
    months = rng.integers(0, 40, 400)
    for d, k, m, a, b, c in zip(
        days,
        n,
        months,
        tb.add_working_days(days, n),
        tb.add_months(days, months),
        tb.next_working_day(days),
        strict=True,
    ):
        date = tb.date(int(d))
        assert tb.date(int(a)) == cal.add_working_days(date, int(k))
        assert tb.date(int(b)) == cal.add_months(date, int(m))
        assert tb.date(int(c)) == cal.next_working_day(date)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": dt.date(2020, 1, 1)}, "ends_on is before starts_on"),
        ({"scale": 0}, "scale must be positive"),
        ({"municipalities": ("12",)}, "not three digits"),
    ],
)
def test_config_errors_name_the_field(changes, message):
    with pytest.raises(ConfigError, match=message):
        SyntheticConfig(**changes)


def test_unknown_and_aland_municipalities_are_refused():
    with pytest.raises(ConfigError, match="unknown municipality"):
        model.calibrate(SyntheticConfig(municipalities=("999",)))
    with pytest.raises(ConfigError, match="Åland"):
        model.calibrate(SyntheticConfig(municipalities=("478",)))  # Maarianhamina


def test_effects_must_name_generated_municipalities():
    from luotsi.synthetic import PilotEffect

    pilot = PilotEffect(("398",), dt.date(2025, 1, 1), dt.date(2025, 6, 30), 1.2)
    with pytest.raises(ConfigError, match="not generated"):
        model.calibrate(SyntheticConfig(municipalities=("098",), pilots=(pilot,)))


def test_effect_and_parameter_validation():
    with pytest.raises(ConfigError, match="share"):
        ExperimentEffect(1, 1.5, dt.date(2025, 1, 1))
    with pytest.raises(ConfigError, match="baseline_hazard"):
        Parameters(baseline_hazard=(0.1,))
    with pytest.raises(ConfigError, match="probability"):
        Parameters(no_show=1.5)
