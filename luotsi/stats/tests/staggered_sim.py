"""Simulated staggered-adoption panels with known effects, shared by the estimator tests."""

from __future__ import annotations

import numpy as np


def staggered_panel(
    seed: int,
    *,
    n_units: int = 60,
    n_periods: int = 8,
    cohorts: tuple[int, ...] = (0, 4, 6),
    n_clusters: int | None = None,
    effect: float = 1.0,
    dynamic: float = 0.0,
    cohort_slope: float = 0.0,
    cluster_sd: float = 0.0,
    weights: bool = False,
) -> dict[str, np.ndarray]:
    """Long arrays ``unit, time, cohort, outcome, cluster[, weights]`` plus ``truth``.

    Units get a cohort at random (``0`` = never treated) and belong to ``n_clusters`` clusters
    (default: each unit its own). The effect of a treated cell is
    ``effect + dynamic * (t - g) + cohort_slope * (g - first cohort)``; ``truth`` is the
    (weighted) mean effect over treated cells, ``truth_e`` the mean by event time.
    """
    rng = np.random.default_rng(seed)
    n_clusters = n_clusters or n_units
    cluster = np.arange(n_units) % n_clusters
    cohort = np.asarray(cohorts)[rng.integers(0, len(cohorts), n_clusters)][cluster]
    t = np.arange(1, n_periods + 1)
    e = t[None, :] - cohort[:, None]
    treated = (cohort[:, None] > 0) & (e >= 0)
    first = min((c for c in cohorts if c > 0), default=0)
    tau = np.where(treated, effect + dynamic * e + cohort_slope * (cohort[:, None] - first), 0.0)
    y = (
        rng.normal(0, 1, n_units)[:, None]
        + 0.3 * t[None, :]
        + rng.normal(0, cluster_sd, (n_clusters, n_periods))[cluster]
        + rng.normal(0, 1, (n_units, n_periods))
        + tau
    )
    w = rng.uniform(0.5, 2.0, n_units) if weights else np.ones(n_units)
    wt = np.broadcast_to(w[:, None], tau.shape)
    truth_e = {
        int(k): float((wt * tau)[treated & (e == k)].sum() / wt[treated & (e == k)].sum())
        for k in np.unique(e[treated])
    }
    out = {
        "unit": np.repeat(np.arange(n_units), n_periods),
        "time": np.tile(t, n_units),
        "cohort": np.repeat(cohort, n_periods),
        "outcome": y.ravel(),
        "cluster": np.repeat(cluster, n_periods),
        "truth": np.array(
            (wt * tau)[treated].sum() / wt[treated].sum() if treated.any() else np.nan
        ),
        "truth_e": truth_e,
    }
    if weights:
        out["weights"] = np.repeat(w, n_periods)
    return out


def estimator_args(sim: dict, *, weights: bool = True, cluster: bool = True) -> dict:
    """The keyword arguments the estimators take, from :func:`staggered_panel` output."""
    keys = ["unit", "time", "cohort", "outcome"]
    keys += (["cluster"] if cluster else []) + (["weights"] if weights else [])
    return {k: sim[k] for k in keys if k in sim}


def frame(sim: dict):
    """The panel as a pandas frame (for the reference libraries)."""
    import pandas as pd

    cols = {k: v for k, v in sim.items() if k not in ("truth", "truth_e")}
    return pd.DataFrame(cols)
