"""The duration model and its calibration to the public June 2026 figures.

Exit hazards are piecewise constant in **completed months of the period** (the duration bands of
:class:`~luotsi.synthetic.config.Parameters`), multiplied by group factors (age, education,
foreign nationality), a municipality factor ``k`` and a calendar-month seasonal factor:

    h(d, t | person) = h0[band(d)] * age[a] * edu[e] * foreign[f] * k_m * season[month(t)]

In a steady state the stock of open periods of a group is ``inflow * E[D]`` and the share of the
stock with duration 12+ months is ``∫_12^∞ S / ∫_0^∞ S``. Per municipality the calibration finds

* ``k_m`` so that the model's long-term share equals the municipality's
  ``PITKAAIKAISTYOTTOMAT / TYOTTOMATLOPUSSA`` (bisection on log k),
* inflow shares of the age groups and of foreign nationals so that the **stock** shares equal the
  file's ``TYOTTOMAT25``, ``TYOTTOMAT50`` and ``TYOTTOMATULK`` (groups that stay longer need a
  smaller share of the inflow; fixed-point iteration),
* the monthly inflow of periods so that the expected June stock of unemployed (not in a service)
  equals ``TYOTTOMATLOPUSSA`` times the scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from .config import ConfigError, Parameters, SyntheticConfig
from .reference import Municipality, municipalities, national

DAYS_PER_MONTH = 365.25 / 12
AGE_GROUPS = ("<25", "25-49", "50+")
EDUCATION = ("basic", "upper_secondary", "tertiary", "unknown")
LTU_MONTHS = 12
JUNE = 5  # zero-based month index


def group_multipliers(p: Parameters) -> np.ndarray:
    """Hazard multiplier per group, shape (3 ages, 4 education levels, 2 foreign)."""
    age = np.asarray(p.age_hazard)[:, None, None]
    edu = np.asarray(p.education_hazard)[None, :, None]
    foreign = np.array([1.0, p.foreign_hazard])[None, None, :]
    return age * edu * foreign


def _band_edges(p: Parameters) -> tuple[np.ndarray, np.ndarray]:
    starts = np.asarray(p.duration_bands, dtype=float)
    ends = np.append(starts[1:], np.inf)
    return starts, ends


def duration_moments(p: Parameters, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected duration (months) and expected months beyond 12, for hazard multipliers ``g``.

    Closed form for a piecewise-constant hazard without seasonality: within a band of rate ``r``
    starting at survival ``S``, ``∫ S(t) dt = S (1 - exp(-r w)) / r``.
    """
    g = np.asarray(g, dtype=float)
    starts, ends = _band_edges(p)
    surv = np.ones_like(g)
    mean = np.zeros_like(g)
    ltu = np.zeros_like(g)
    for lo, hi, h in zip(starts, ends, p.baseline_hazard, strict=True):
        r = h * g
        width = hi - lo
        part_all = surv * (1 - np.exp(-r * width)) / r if math.isfinite(width) else surv / r
        mean += part_all
        if lo >= LTU_MONTHS:
            ltu += part_all
        elif hi > LTU_MONTHS:  # a band straddling 12 months (not with the default bands)
            s12 = surv * np.exp(-r * (LTU_MONTHS - lo))
            ltu += s12 * (1 - np.exp(-r * (hi - LTU_MONTHS))) / r if math.isfinite(hi) else s12 / r
        surv = surv * np.exp(-r * width) if math.isfinite(width) else np.zeros_like(surv)
    return mean, ltu


def service_share(p: Parameters) -> float:
    """Expected share of open-period time spent in a service (status ``in_service``).

    Referrals arrive at ``referrals_per_month`` while no referral is pending; a referral leads to
    a service with probability sent * accepted * started, lasting ``service_mean_days`` on
    average; pending (draft to start) takes about three weeks.
    """
    r = p.referrals_per_month
    p_start = p.referral_sent * p.referral_accepted * p.referral_started
    service = p.service_mean_days / DAYS_PER_MONTH
    pending = 0.7
    return r * p_start * service / (1 + r * (p_start * service + pending))


@dataclass(frozen=True)
class MunicipalityModel:
    """The calibrated model of one municipality (monthly rates)."""

    municipality: Municipality
    k: float  # municipality hazard factor
    age_shares: np.ndarray  # inflow shares (3,)
    foreign_share: float  # inflow share of foreign nationals
    male_share: float
    periods_per_month: float  # expected inflow of periods (all registrations) per month
    new_persons_per_month: float  # expected first registrations per month
    target_stock: float  # scaled June stock of unemployed
    expected_duration: float  # months, mean over the inflow mix
    ltu_target: float  # share

    @property
    def code(self) -> str:
        return self.municipality.code


def composition(p: Parameters, age: np.ndarray, foreign) -> np.ndarray:
    """Inflow weights per group, shape (..., 3, 4, 2) for age shares (..., 3)."""
    age = np.asarray(age, dtype=float)
    foreign = np.asarray(foreign, dtype=float)[..., None, None, None]
    edu = np.asarray(p.education_shares)[:, None]
    f = np.concatenate([1 - foreign, foreign], axis=-1)
    return age[..., :, None, None] * edu * f


def _stock_shares(p: Parameters, k: np.ndarray, age: np.ndarray, foreign: np.ndarray):
    """Stock shares (age (M, 3), foreign (M,), long-term (M,)) and E[D] (M,) per municipality."""
    w = composition(p, age, foreign)
    mean, ltu = duration_moments(p, group_multipliers(p) * k[:, None, None, None])
    stock = w * mean
    total = stock.sum(axis=(1, 2, 3))
    return (
        stock.sum(axis=(2, 3)) / total[:, None],
        stock[..., 1].sum(axis=(1, 2)) / total,
        (w * ltu).sum(axis=(1, 2, 3)) / total,
        total,
    )


def _solve_k(p: Parameters, age: np.ndarray, foreign: np.ndarray, ltu: np.ndarray) -> np.ndarray:
    lo = np.full(len(ltu), math.log(0.15))
    hi = np.full(len(ltu), math.log(6.0))
    for _ in range(36):
        mid = (lo + hi) / 2
        share = _stock_shares(p, np.exp(mid), age, foreign)[2]
        too_long = share > ltu  # too many long spells: raise the hazards
        lo = np.where(too_long, mid, lo)
        hi = np.where(too_long, hi, mid)
    return np.exp((lo + hi) / 2)


def calibrate_shares(
    p: Parameters, age_target: np.ndarray, foreign_target: np.ndarray, ltu_target: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Solve ``k``, inflow age shares, inflow foreign share and E[D] for stock targets.

    Vectorised over municipalities: ``age_target`` (M, 3), the others (M,).
    """
    age_target = np.clip(np.asarray(age_target, dtype=float), 1e-4, None)
    age_target = age_target / age_target.sum(axis=1, keepdims=True)
    f_target = np.clip(np.asarray(foreign_target, dtype=float), 1e-4, 0.95)
    age, foreign = age_target.copy(), f_target.copy()
    for _ in range(10):
        k = _solve_k(p, age, foreign, ltu_target)
        ages, frn, _ltu, _total = _stock_shares(p, k, age, foreign)
        age = age * age_target / ages
        age /= age.sum(axis=1, keepdims=True)
        odds = foreign / (1 - foreign) * (f_target / (1 - f_target)) / (frn / (1 - frn))
        foreign = np.clip(odds / (1 + odds), 1e-4, 0.95)
    k = _solve_k(p, age, foreign, ltu_target)
    total = _stock_shares(p, k, age, foreign)[3]
    return k, age, foreign, total


def seasonal_june_factor(p: Parameters, k: float = 1.0) -> float:
    """Expected June-end stock relative to a flat-inflow, no-seasonality stock (national mix).

    Monthly discretisation over 12 years of cohorts; the result is applied to every municipality.
    """
    months = 12 * 12
    g = float(np.mean(group_multipliers(p))) * k
    band = np.searchsorted(np.asarray(p.duration_bands), np.arange(months), side="right") - 1
    base = np.asarray(p.baseline_hazard)[band] * g
    inflow = np.asarray(p.inflow_season) / np.mean(p.inflow_season)
    exits = np.asarray(p.exit_season) / np.mean(p.exit_season)
    end_month = months - 1 - (months - 1 - JUNE) % 12  # a June near the end
    seasonal = flat = 0.0
    for start in range(end_month + 1):
        d = end_month - start  # completed months at the counting day
        cal = (np.arange(start, end_month + 1)) % 12
        # cohort arrives mid-month: half a month of exposure in the first month
        exposure = np.ones(d + 1)
        exposure[0] = 0.5
        seasonal += inflow[start % 12] * math.exp(-np.sum(base[: d + 1] * exits[cal] * exposure))
        flat += math.exp(-np.sum(base[: d + 1] * exposure))
    return seasonal / flat


def reregistration_multiplier(p: Parameters, max_periods: int) -> float:
    """Expected periods per person (geometric chain, capped at ``max_periods``)."""
    q = p.reregistration_probability * (1 - MOVED_SHARE)
    return sum(q**i for i in range(max_periods))


#: Share of exits that are moves out of the area (no re-registration here).
MOVED_SHARE = 0.04
MAX_PERIODS = 10


def calibrate(config: SyntheticConfig) -> tuple[MunicipalityModel, ...]:
    """The calibrated model of every chosen municipality (see the module docstring)."""
    models = _calibrate(config.municipalities, config.scale, config.stock, config.parameters)
    chosen = {m.code for m in models}
    named = [(f"pilot {p.name!r}", p.municipalities) for p in config.pilots] + [
        (f"experiment {e.experiment_id}", e.municipalities) for e in config.experiments
    ]
    for what, codes in named:
        missing = sorted(set(codes) - chosen)
        if missing:
            raise ConfigError(f"{what}: municipalities {missing} are not generated by the config")
    return models


@cache
def _calibrate(
    codes: tuple[str, ...], scale: float, stock: int | None, p: Parameters
) -> tuple[MunicipalityModel, ...]:
    chosen = municipalities(codes)
    total = sum(m.stock for m in chosen)
    factor = (stock / total) if stock is not None else scale
    nat = national()
    nat_ltu = nat["PITKAAIKAISTYOTTOMAT"] / nat["TYOTTOMATLOPUSSA"]
    june = seasonal_june_factor(p)
    in_service = service_share(p)
    per_person = reregistration_multiplier(p, MAX_PERIODS)
    u = np.array([max(m.targets["TYOTTOMATLOPUSSA"], 0.5) for m in chosen])
    under25 = np.array([m.targets["TYOTTOMAT25"] for m in chosen]) / u
    over50 = np.array([m.targets["TYOTTOMAT50"] for m in chosen]) / u
    mid = np.maximum(1 - under25 - over50, 0.05)
    age_target = np.stack([under25, mid, over50], axis=1) * np.asarray(p.age_correction)
    ltu = np.array([m.targets["PITKAAIKAISTYOTTOMAT"] for m in chosen]) / u
    small = np.clip(np.array([m.stock for m in chosen]) / 30, 0, 1)
    ltu = np.clip(small * ltu + (1 - small) * nat_ltu, 0.1, 0.7)  # tiny ones: towards national
    ltu = np.clip(ltu * p.ltu_correction, 0.1, 0.75)
    foreign_target = np.array([m.targets["TYOTTOMATULK"] for m in chosen]) / u
    foreign_target = foreign_target * p.foreign_correction
    k, age, foreign, mean = calibrate_shares(p, age_target, foreign_target, ltu)
    out = []
    for i, m in enumerate(chosen):
        t = m.targets
        target = m.stock * factor
        periods = target / (mean[i] * (1 - in_service) * june)
        men = t["TYOTTOMATMIEHET"] / max(t["TYOTTOMATMIEHET"] + t["TYOTTOMATNAISET"], 1e-9)
        out.append(
            MunicipalityModel(
                municipality=m,
                k=float(k[i]),
                age_shares=age[i],
                foreign_share=float(foreign[i]),
                male_share=min(max(men, 0.05), 0.95),
                periods_per_month=float(periods),
                new_persons_per_month=float(periods / per_person),
                target_stock=target,
                expected_duration=float(mean[i]),
                ltu_target=float(ltu[i]),
            )
        )
    return tuple(out)


def employment_share(p: Parameters, months: np.ndarray) -> np.ndarray:
    """Share of exits to open-market employment at ``months`` of duration."""
    band = np.searchsorted(np.asarray(p.duration_bands), months, side="right") - 1
    return np.asarray(p.employment_exit_share)[band]


def hazard_at(p: Parameters, months: np.ndarray) -> np.ndarray:
    """Baseline monthly hazard at completed ``months`` of duration."""
    band = np.searchsorted(np.asarray(p.duration_bands), months, side="right") - 1
    return np.asarray(p.baseline_hazard)[band]


def expected_employment_rates(
    p: Parameters, models: Sequence[MunicipalityModel], hazard_ratio: float, horizon: int = 6
) -> dict[str, float]:
    """Expected outcomes of a period that starts under a constant employment-hazard ratio.

    Averaged over the inflow mix of ``models`` (weighted by their inflow), without seasonality:
    ``employment_rate`` = exits to employment per person-month in the first ``horizon`` months,
    ``employed_by_horizon`` = probability of an exit to employment within ``horizon`` months.
    """
    months = np.arange(horizon)
    base = hazard_at(p, months)
    share = employment_share(p, months)
    events = exposure = incidence = weight = 0.0
    g = group_multipliers(p)
    for mm in models:
        w = composition(p, mm.age_shares, mm.foreign_share) * mm.periods_per_month
        r_emp = base[:, None, None, None] * share[:, None, None, None] * g * mm.k * hazard_ratio
        r_oth = base[:, None, None, None] * (1 - share[:, None, None, None]) * g * mm.k
        r = r_emp + r_oth
        surv = np.exp(-np.cumsum(r, axis=0))
        prev = np.concatenate([np.ones((1, *g.shape)), surv[:-1]])
        person_months = prev * (1 - np.exp(-r)) / r
        exits_emp = (prev - surv) * r_emp / r
        events += float((w * exits_emp.sum(axis=0)).sum())
        exposure += float((w * person_months.sum(axis=0)).sum())
        incidence += float((w * exits_emp.sum(axis=0)).sum())
        weight += float(w.sum())
    return {
        "employment_rate": events / exposure,
        "employed_by_horizon": incidence / weight,
        "horizon_months": float(horizon),
    }
