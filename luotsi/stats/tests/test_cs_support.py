"""Shared data for the Callaway-Sant'Anna tests: mpdta and a small staggered simulation."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

REFERENCE = Path(__file__).parent / "reference"


@cache
def mpdta() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "mpdta.csv")


def simulate(
    rng: np.random.Generator,
    *,
    n_units: int = 600,
    n_periods: int = 6,
    n_clusters: int = 40,
    cohorts: tuple[int, ...] = (0, 3, 4, 5),
    effect: float = 1.0,
    cluster_sd: float = 0.5,
) -> dict[str, np.ndarray]:
    """Staggered panel with a known effect: ``effect * (1 + e)`` at event time ``e >= 0``.

    Outcome = unit effect + period effect + cluster shock per period + noise; parallel trends
    hold by construction. Rows sorted by unit then period; periods are 1..n_periods.
    """
    unit_cluster = rng.integers(0, n_clusters, n_units)
    cohort = rng.choice(np.array(cohorts), n_units)
    periods = np.arange(1, n_periods + 1)
    unit_fe = rng.normal(0, 1, n_units)
    period_fe = rng.normal(0, 1, n_periods)
    shock = rng.normal(0, cluster_sd, (n_clusters, n_periods))
    e = periods[None, :] - cohort[:, None]
    treated = (cohort[:, None] > 0) & (e >= 0)
    y = (
        unit_fe[:, None]
        + period_fe[None, :]
        + shock[unit_cluster]
        + rng.normal(0, 1, (n_units, n_periods))
        + np.where(treated, effect * (1 + e), 0.0)
    )
    return {
        "unit": np.repeat(np.arange(n_units), n_periods),
        "time": np.tile(periods, n_units),
        "cohort": np.repeat(cohort, n_periods),
        "y": y.ravel(),
        "cluster": np.repeat(unit_cluster, n_periods),
    }


def true_att(group: int, time: int, effect: float = 1.0) -> float:
    e = time - group
    return effect * (1 + e) if e >= 0 else 0.0
