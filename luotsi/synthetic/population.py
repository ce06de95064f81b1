"""Persons and their job-search periods, simulated per unit of work.

A **unit** is a block of municipalities x a block of months of *first* registrations. The split
depends only on the config (municipality sizes, ``Parameters.persons_per_unit``), never on the
number of worker processes or the output batch size, and every unit draws from its own random
streams (``SeedSequence(seed, spawn_key=(unit, stream))``, what ``SeedSequence.spawn`` does), so
the output is identical however the units are scheduled. A person's later periods
(re-registrations) are simulated in the unit of the first one.

Durations: each period draws a unit-exponential "budget" of cumulative hazard and spends it month
by month of duration (``model``), with the calendar month's seasonal factor and the effects in
force (pilot overlap within the month, the period's experiment arm).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from luotsi.kernel import codes

from . import timebase as tb
from .config import SyntheticConfig
from .model import (
    DAYS_PER_MONTH,
    MAX_PERIODS,
    MOVED_SHARE,
    MunicipalityModel,
    calibrate,
    employment_share,
    group_multipliers,
    hazard_at,
)
from .reference import SAAMI_HOMELAND

EXIT_REASONS = codes.ExitReason.values()
EMPLOYED = EXIT_REASONS.index(codes.ExitReason.EMPLOYED_OPEN_MARKET.value)
MOVED = EXIT_REASONS.index(codes.ExitReason.MOVED.value)
# Non-employment exit reasons (in ExitReason order, employment excluded) by age group.
_OTHER_EXITS = {
    # subsidised, education, other_service, moved, outside_labour_force, unknown
    0: (0.12, 0.38, 0.16, MOVED_SHARE * 2, 0.10, 0.16),
    1: (0.17, 0.14, 0.22, MOVED_SHARE * 2, 0.20, 0.19),
    2: (0.16, 0.04, 0.22, MOVED_SHARE * 2, 0.36, 0.14),
}
LANGUAGES = codes.LanguageGroup.values()  # fi, sv, se, other
SWEDISH_SHARE = {1: 0.01, 2: 0.12, 3: 0.6, 4: 0.9}  # by language ratio of the municipality
SAAMI_SHARE = 0.1
AGE_RANGES = ((17, 25), (25, 50), (50, 64))
OPEN = np.iinfo(np.int64).max // 4  # end day of a period still open at the end of the window


@dataclass(frozen=True)
class Unit:
    index: int
    municipalities: tuple[int, ...]  # positions in the calibrated model tuple
    first_month: int  # months since 1970-01
    months: int


def streams(config: SyntheticConfig, unit: int, stream: int, block: int = 0):
    """The random generator of one (unit, stream, block) in the config's seed tree."""
    seq = np.random.SeedSequence(entropy=config.seed, spawn_key=(unit, stream, block))
    return np.random.Generator(np.random.PCG64(seq))


def plan_units(config: SyntheticConfig) -> tuple[Unit, ...]:
    return _plan_units(config)


@cache
def _plan_units(config: SyntheticConfig) -> tuple[Unit, ...]:
    models = calibrate(config)
    p = config.parameters
    first = int(tb.month_index(np.array([tb.day(config.starts_on)]))[0]) - 12 * p.burn_in_years
    last = int(tb.month_index(np.array([tb.day(config.ends_on)]))[0])
    total_months = last - first + 1
    budget = p.persons_per_unit
    units: list[Unit] = []

    def add(munis: tuple[int, ...], months_per_unit: int) -> None:
        for m0 in range(first, last + 1, months_per_unit):
            units.append(Unit(len(units), munis, m0, min(months_per_unit, last + 1 - m0)))

    group: list[int] = []
    group_size = 0.0
    for i, mm in enumerate(models):
        yearly = mm.new_persons_per_month * 12
        if yearly >= budget:
            add((i,), max(1, math.floor(budget / mm.new_persons_per_month)))
            continue
        if group and group_size + yearly > budget:
            add(tuple(group), 12)
            group, group_size = [], 0.0
        group.append(i)
        group_size += yearly
    if group:
        add(tuple(group), 12)
    if total_months <= 0:  # pragma: no cover - guarded by the config
        raise ValueError("empty window")
    return tuple(units)


@dataclass
class Population:
    """Persons (index = local person number) and periods of one unit, as columns."""

    # persons
    municipality: np.ndarray  # position in models
    birth_day: np.ndarray
    male: np.ndarray
    age_group: np.ndarray
    education: np.ndarray
    foreign: np.ndarray
    language: np.ndarray
    needs: np.ndarray  # complex service needs (more referrals and handovers)
    # periods (sorted by person, then period number)
    person: np.ndarray
    number: np.ndarray  # 0 = first period of the person
    start: np.ndarray
    end: np.ndarray  # OPEN if still open at the end of the window
    reason: np.ndarray  # index into EXIT_REASONS, -1 if open
    laid_off: np.ndarray
    previous_end: np.ndarray  # end of the previous period, -1 if none
    arm: np.ndarray  # (periods, experiments): -1 not assigned, 0 control, 1 treatment
    takeup: np.ndarray  # referral-rate multiplier from the experiment arm

    @property
    def n_persons(self) -> int:
        return len(self.municipality)


class _PeriodDraws:
    """The uniforms and exponentials of one period number, drawn for all ``n_all`` persons of a
    unit in a fixed order and then taken for the persons ``who`` that have such a period."""

    def __init__(self, rng: np.random.Generator, n_all: int, n_exp: int, who: np.ndarray):
        self.experiment = rng.random((n_exp, n_all))[:, who]
        self.budget = rng.standard_exponential(n_all)[who]
        self.employed = rng.random(n_all)[who]
        self.reason = rng.random(n_all)[who]
        self.laid_off = rng.random(n_all)[who]
        self.again = rng.random(n_all)[who]
        self.gaps = rng.standard_exponential((4, n_all))[:, who]
        self.keeps = rng.random((3, n_all))[:, who]


def _draw_choice(
    rng: np.random.Generator, probs: np.ndarray, uniform: np.ndarray | None = None
) -> np.ndarray:
    """One category per row of ``probs`` (rows sum to 1), from ``uniform`` when given."""
    cum = np.cumsum(probs, axis=-1)
    u = (rng.random(len(probs)) if uniform is None else uniform)[:, None]
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1)


def _registrations(config, unit: Unit, models, rng):
    p = config.parameters
    months = unit.first_month + np.arange(unit.months)
    munis = np.array(unit.municipalities)
    mm, mo = np.meshgrid(munis, months, indexing="ij")
    mm, mo = mm.ravel(), mo.ravel()
    rate = np.array([models[i].new_persons_per_month for i in mm])
    season = np.asarray(p.inflow_season) / np.mean(p.inflow_season)
    starts = tb.month_start(mo)
    length = tb.month_start(mo + 1) - starts
    lam = rate * season[mo % 12] * length / DAYS_PER_MONTH
    counts = rng.poisson(lam)
    muni = np.repeat(mm, counts)
    m_start = np.repeat(starts, counts)
    m_end = np.repeat(tb.month_start(mo + 1) - 1, counts)
    _f, _w, cumulative, working_days = tb._tables()
    lo = cumulative[tb._index(m_start - 1)]
    hi = cumulative[tb._index(m_end)]
    pick = lo + np.floor(rng.random(len(muni)) * (hi - lo)).astype(np.int64)
    return muni, working_days[pick].astype(np.int64)


def _persons(config, models, muni, first_day, rng):
    p = config.parameters
    n = len(muni)
    age_probs = np.stack([models[i].age_shares for i in range(len(models))])[muni]
    age = _draw_choice(rng, age_probs)
    education = _draw_choice(rng, np.broadcast_to(np.asarray(p.education_shares), (n, 4)))
    foreign_p = np.array([m.foreign_share for m in models])[muni]
    foreign = rng.random(n) < foreign_p
    male = rng.random(n) < np.array([m.male_share for m in models])[muni]
    lo = np.array([a for a, _ in AGE_RANGES])[age]
    hi = np.array([b for _, b in AGE_RANGES])[age]
    age_days = ((lo + rng.random(n) * (hi - lo)) * 365.25).astype(np.int64)
    birth = first_day - age_days
    ratio = np.array([m.municipality.language_ratio for m in models])[muni]
    saami = np.array([m.municipality.code in SAAMI_HOMELAND for m in models])[muni]
    sv = np.vectorize(SWEDISH_SHARE.get)(ratio) if n else np.zeros(0)
    u = rng.random(n)
    lang = np.where(u < sv, 1, 0)
    lang = np.where(saami & (rng.random(n) < SAAMI_SHARE), 2, lang)
    other = np.where(foreign, p.foreign_other_language, p.native_other_language)
    lang = np.where(rng.random(n) < other, 3, lang)
    needs = rng.random(n) < 0.05
    return age, education, foreign, male, birth, lang, needs


def _pilot_pieces(config, models, muni, lo, hi):
    """Pieces of each duration month [lo, hi) with a constant pilot hazard multiplier.

    Returns ``edges`` (n, k+1: lo, the pilot start/end days inside the month in order, hi) and
    ``factor`` (n, k): the product of the hazard ratios of the pilots running in each piece.
    With no pilot touching the month there is one piece with factor 1."""
    n = len(muni)
    if not config.pilots:
        return np.stack([lo, hi], axis=1), np.ones((n, 1))
    codes_ = np.array([m.code for m in models])[muni] if n else np.array([], dtype=str)
    bounds = []
    for pilot in config.pilots:
        bounds += [max(tb.day(pilot.starts_on), 0), tb.day(pilot.ends_on) + 1]
    inner = np.clip(np.asarray(bounds, dtype=np.int64)[None, :], lo[:, None], hi[:, None])
    edges = np.concatenate([lo[:, None], np.sort(inner, axis=1), hi[:, None]], axis=1)
    mid2 = edges[:, :-1] + edges[:, 1:]  # twice the midpoint of each piece
    factor = np.ones(mid2.shape)
    for pilot in config.pilots:
        inside = np.isin(codes_, pilot.municipalities)
        if not inside.any():
            continue
        a2 = 2 * max(tb.day(pilot.starts_on), 0)
        b2 = 2 * (tb.day(pilot.ends_on) + 1)
        running = inside[:, None] & (mid2 >= a2) & (mid2 < b2)
        factor = np.where(running, factor * pilot.hazard_ratio, factor)
    return edges, factor


def _durations(config, models, muni, g, start, hr_exp, rng=None, *, draws=None):
    """End day (OPEN if censored) and exit reason index of periods starting on ``start``.

    ``draws`` = (budget, uniform): the period's Exp(1) hazard budget and the uniform that decides
    whether its exit is to employment; drawn from ``rng`` when not given. A pilot changes the
    hazard exactly from its first to its last day (a duration month that it splits is spent piece
    by piece), so an exit before the start day is the same with or without the pilot."""
    p = config.parameters
    window_end = tb.day(config.ends_on)
    n = len(start)
    if draws is None:
        draws = (rng.exponential(size=n), rng.random(n))
    budget, u_employed = (np.array(d, dtype=float) for d in draws)
    end = np.full(n, OPEN, dtype=np.int64)
    employed = np.zeros(n, dtype=bool)
    alive = np.flatnonzero(start <= window_end)
    season = np.asarray(p.exit_season) / np.mean(p.exit_season)
    j = 0
    while alive.size:
        lo = start[alive] + round(j * DAYS_PER_MONTH)
        hi = start[alive] + round((j + 1) * DAYS_PER_MONTH)
        keep = lo <= window_end
        alive, lo, hi = alive[keep], lo[keep], hi[keep]
        if not alive.size:
            break
        share = employment_share(p, np.array([j]))[0]
        base = hazard_at(p, np.array([j]))[0]
        mon = tb.year_month((lo + hi) // 2)[1]
        edges, pilot = _pilot_pieces(config, models, muni[alive], lo, hi)
        hr = hr_exp[alive][:, None] * pilot  # (n, pieces)
        length = np.maximum(hi - lo, 1)[:, None]
        per_month = (base * g[alive] * season[mon])[:, None] * (1 + share * (hr - 1))
        spent = np.cumsum(per_month * (edges[:, 1:] - edges[:, :-1]) / length, axis=1)
        b = budget[alive]
        out = b < spent[:, -1]
        idx = alive[out]
        piece = (spent[out] <= b[out, None]).sum(axis=1)
        rows = np.flatnonzero(out)
        before = np.where(piece > 0, spent[rows, np.maximum(piece - 1, 0)], 0.0)
        rate = per_month[rows, piece] / length[rows, 0]  # hazard per day in the piece
        day = edges[rows, piece] + np.floor((b[out] - before) / rate).astype(np.int64)
        day = np.minimum(day, edges[rows, piece + 1] - 1)
        end[idx] = np.maximum(np.maximum(day, 1), start[idx] + 1)
        h = hr[rows, piece]
        pe = share * h / (share * h + 1 - share)
        employed[idx] = u_employed[idx] < pe
        budget[alive[~out]] -= spent[~out, -1]
        alive = alive[~out]
        j += 1
    end = np.where(end > window_end, OPEN, end)
    return end, employed


def _return_day(p, end: np.ndarray, rng=None, *, draws=None) -> np.ndarray:
    """Day of re-registration after ``end``: a gap of 14 days plus an exponential, thinned by
    the inflow seasonality (up to four draws) so that re-registrations peak with the inflow.

    ``draws`` = (gaps, keeps): standard exponentials (4, n) and uniforms (3, n), one per attempt
    and period, drawn from ``rng`` when not given (fixed numbers, whatever ``end`` is)."""
    n = len(end)
    if draws is None:
        draws = (rng.standard_exponential((4, n)), rng.random((3, n)))
    gaps, keeps = draws
    season = np.asarray(p.inflow_season) / max(p.inflow_season)
    scale = max(p.reregistration_mean_gap_days - 14, 1)
    out = np.zeros(n, dtype=np.int64)
    todo = np.flatnonzero(end < OPEN)
    for attempt in range(4):
        gap = 14 + scale * gaps[attempt, todo]
        day = end[todo] + gap.astype(np.int64)
        out[todo] = day
        if attempt == 3:
            break
        ok = keeps[attempt, todo] < season[tb.year_month(np.minimum(day, 2**31))[1]]
        todo = todo[~ok]
    return out


def simulate(config: SyntheticConfig, unit: Unit) -> Population:
    """All persons of ``unit`` with every period they have (before filtering to the window)."""
    models: tuple[MunicipalityModel, ...] = calibrate(config)
    p = config.parameters
    rng = streams(config, unit.index, 0)
    muni, first_day = _registrations(config, unit, models, rng)
    age, education, foreign, male, birth, lang, needs = _persons(
        config, models, muni, first_day, rng
    )
    gm = group_multipliers(p)
    k = np.array([m.k for m in models])
    g_person = gm[age, education, foreign.astype(int)] * k[muni]
    window_end = tb.day(config.ends_on)
    n_exp = len(config.experiments)
    assigned = np.zeros((len(muni), n_exp), dtype=bool)
    code_arr = np.array([m.code for m in models])
    parts = []
    who = np.arange(len(muni))
    start = first_day
    prev_end = np.full(len(muni), -1, dtype=np.int64)
    n_all = len(muni)
    for number in range(MAX_PERIODS):
        if not who.size:
            break
        n = who.size
        # common random numbers: every period number draws the same amounts for every person of
        # the unit, whoever has such a period, so an effect that changes one person's history
        # changes no other person's draws (see "Determinism" in docs/synthetic.md)
        u = _PeriodDraws(rng, n_all, n_exp, who)
        arm = np.full((n, n_exp), -1, dtype=np.int8)
        hr_exp = np.ones(n)
        takeup = np.ones(n)
        for e, exp in enumerate(config.experiments):
            lo = tb.day(exp.starts_on)
            hi = tb.day(exp.ends_on) if exp.ends_on else window_end
            eligible = (start >= lo) & (start <= hi) & ~assigned[who, e]
            if exp.municipalities:
                eligible &= np.isin(code_arr[muni[who]], exp.municipalities)
            draw = u.experiment[e] < exp.share
            arm[:, e] = np.where(eligible, draw.astype(np.int8), -1)
            assigned[who[eligible], e] = True
            treated = eligible & draw
            hr_exp = np.where(treated, hr_exp * exp.hazard_ratio, hr_exp)
            takeup = np.where(treated, takeup * exp.take_up_ratio, takeup)
        end, employed = _durations(
            config, models, muni[who], g_person[who], start, hr_exp, draws=(u.budget, u.employed)
        )
        other = np.array([_OTHER_EXITS[a] for a in range(3)])[age[who]]
        other = other / other.sum(axis=1, keepdims=True)
        reason_other = _draw_choice(rng, other, u.reason)
        reason_other = reason_other + (reason_other >= EMPLOYED)  # skip the employment slot
        reason = np.where(employed, EMPLOYED, reason_other)
        reason = np.where(end == OPEN, -1, reason)
        laid_off = u.laid_off < p.laid_off_share
        parts.append((who, number, start, end, reason, laid_off, prev_end, arm, takeup))
        again = (end != OPEN) & (reason != MOVED) & (u.again < p.reregistration_probability)
        next_start = np.where(again, _return_day(p, end, draws=(u.gaps, u.keeps)), window_end + 1)
        again &= next_start <= window_end
        next_start = tb.next_working_day(np.where(again, next_start, window_end))
        again &= next_start <= window_end
        who, start, prev_end = who[again], next_start[again], end[again]
    if not parts:
        parts.append(
            (who, 0, start, prev_end, prev_end, np.zeros(0, bool), prev_end,
             np.zeros((0, n_exp), np.int8), np.zeros(0))
        )  # fmt: skip
    cols = [
        np.concatenate([np.broadcast_to(np.asarray(x[i]), len(x[0])) for x in parts])
        for i in range(7)
    ]
    arm = np.concatenate([x[7] for x in parts]) if parts else np.zeros((0, n_exp), np.int8)
    takeup = np.concatenate([x[8] for x in parts]) if parts else np.zeros(0)
    order = np.lexsort((cols[1], cols[0]))
    return Population(
        municipality=muni,
        birth_day=birth,
        male=male,
        age_group=age,
        education=education,
        foreign=foreign,
        language=lang,
        needs=needs,
        person=cols[0][order],
        number=cols[1][order].astype(np.int64),
        start=cols[2][order],
        end=cols[3][order],
        reason=cols[4][order],
        laid_off=cols[5][order].astype(bool),
        previous_end=cols[6][order],
        arm=arm[order],
        takeup=takeup[order],
    )


def in_window(config: SyntheticConfig, pop: Population) -> np.ndarray:
    """Mask of periods that overlap the observation window."""
    return (pop.end >= tb.day(config.starts_on)) & (pop.start <= tb.day(config.ends_on))
