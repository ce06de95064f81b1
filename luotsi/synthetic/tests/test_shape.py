"""The statistical shape of the generated data, within documented tolerances.

Reference values: Statistics Finland table 12r5, June 2026 (``luotsi/data/
statfin_tyonv_12r5_2026M06.csv``, CC BY 4.0; national figures also in ``/work/shared/data/
README.md``): 352,001 unemployed, 144,461 long-term unemployed (41 %), 48,257 under 25,
115,552 aged 50 or over, 53,812 foreign nationals. Tolerances are those of docs/synthetic.md.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from luotsi.synthetic import SyntheticConfig, calibration_report
from luotsi.synthetic import timebase as tb
from luotsi.synthetic.population import OPEN, plan_units, simulate

from .helpers import small_config

NATIONAL = {  # 12r5, whole country, 2026M06
    "stock": 352_001,
    "ltu": 144_461,
    "under25": 48_257,
    "over50": 115_552,
    "foreign": 53_812,
}


@pytest.fixture(scope="module")
def national_report():
    config = SyntheticConfig(
        starts_on=dt.date(2025, 7, 1), ends_on=dt.date(2026, 6, 30), scale=0.03, seed=5
    )
    return calibration_report(config, workers=2)


@pytest.mark.slow
def test_national_stock_and_shares_match_12r5(national_report):
    rep = national_report
    stock = rep.total("stock")
    # stock within 5 % of the (scaled) real one; the mainland is 351,181 of the 352,001
    assert stock.ratio == pytest.approx(1.0, abs=0.05)
    share = {m: rep.total(m).generated / stock.generated for m in NATIONAL}
    real = {m: NATIONAL[m] / NATIONAL["stock"] for m in NATIONAL}
    assert share["ltu"] == pytest.approx(real["ltu"], abs=0.03)  # 41 % +- 3 points
    assert share["under25"] == pytest.approx(real["under25"], abs=0.025)
    assert share["over50"] == pytest.approx(real["over50"], abs=0.03)
    assert share["foreign"] == pytest.approx(real["foreign"], abs=0.025)


@pytest.mark.slow
def test_municipal_stocks_follow_12r5(national_report):
    rows = [
        r for r in national_report.rows if r.measure == "stock" and r.municipality_code != "SSS"
    ]
    big = [r for r in rows if r.real >= 100]  # >= 100 expected persons at scale 0.03
    ratios = np.array([r.ratio for r in big])
    assert len(big) >= 15
    assert np.all(np.abs(ratios - 1) < 0.3)  # 3 Poisson sd at 100 persons
    # bigger municipalities really are bigger: rank correlation over all municipalities
    real = np.array([r.real for r in rows])
    gen = np.array([r.generated for r in rows])
    rank = lambda x: np.argsort(np.argsort(x))  # noqa: E731
    assert np.corrcoef(rank(real), rank(gen))[0, 1] > 0.9


@pytest.mark.slow
def test_monthly_inflow_matches_outflow_in_steady_state(national_report):
    monthly = national_report.monthly
    inflow = sum(m["inflow"] for m in monthly)
    outflow = sum(m["outflow"] for m in monthly)
    assert inflow == pytest.approx(outflow, rel=0.06)
    stocks = [m["stock"] for m in monthly]
    assert max(stocks) / min(stocks) < 1.15  # seasonal swing only, no drift


@pytest.fixture(scope="module")
def population():
    """Periods of a mid-sized area over ten years (durations only, no events)."""
    config = small_config(scale=0.5, starts_on=dt.date(2016, 1, 1), ends_on=dt.date(2025, 12, 31))
    pops = [simulate(config, u) for u in plan_units(config)]
    start = np.concatenate([p.start for p in pops])
    end = np.concatenate([p.end for p in pops])
    return config, start, end


def _exposure_by_month(start, end, lo, hi):
    """Exits and person-days per calendar month in [lo, hi) (periods counted while open)."""
    months = np.arange(12)
    exits = np.zeros(12)
    days = np.zeros(12)
    first = tb.month_index(np.array([lo]))[0]
    last = tb.month_index(np.array([hi - 1]))[0]
    for m in range(first, last + 1):
        a, b = tb.month_start(np.array([m, m + 1]))
        open_days = np.clip(np.minimum(end, b) - np.maximum(start, a), 0, None)
        days[m % 12] += open_days.sum()
        exits[m % 12] += ((end >= a) & (end < b)).sum()
    return months, exits, days


@pytest.mark.slow
def test_exit_hazard_falls_with_duration(population):
    _config, start, end = population
    lo = tb.day(dt.date(2018, 1, 1))
    hazards = []
    for a, b in ((0, 3), (3, 6), (6, 12), (12, 24), (24, 48)):
        s = start + round(a * 30.44)
        e = start + round(b * 30.44)
        days = np.clip(np.minimum(end, e) - np.maximum(s, lo), 0, None)
        exits = ((end >= np.maximum(s, lo)) & (end < e) & (end != OPEN)).sum()
        hazards.append(exits / days.sum() * 30.44)
    assert all(x > y for x, y in itertools.pairwise(hazards)), hazards
    assert hazards[0] / hazards[3] > 2.5


@pytest.mark.slow
def test_seasonality_of_exits_and_inflow(population):
    _config, start, end = population
    lo, hi = tb.day(dt.date(2017, 1, 1)), tb.day(dt.date(2025, 12, 31))
    _m, exits, days = _exposure_by_month(start, end, lo, hi)
    hazard = exits / days
    spring_autumn = hazard[[3, 4, 8]].mean()  # April, May, September
    summer_december = hazard[[6, 11]].mean()  # July, December
    assert spring_autumn / summer_december > 1.25
    month = tb.year_month(start[(start >= lo) & (start < hi)])[1]
    inflow = np.bincount(month, minlength=12) / np.array([31, 28.25, 31, 30, 31, 30, 31, 31,
                                                         30, 31, 30, 31])  # fmt: skip
    peak = inflow[[0, 5, 6, 11]].mean()  # January, June, July, December
    rest = inflow[[1, 2, 3, 8, 9, 10]].mean()
    assert peak / rest > 1.2
