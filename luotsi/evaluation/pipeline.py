"""The estimation pipeline of one run: panel frame in, JSON-ready results out.

No Django here: ``services.execute_run`` builds the frame and the :class:`RunSpec` and stores
what :func:`estimate` returns. Every chosen estimator runs on the same panel; the estimators and
their JSON entries are in :mod:`luotsi.evaluation.estimators` (:data:`ESTIMATORS`). The first
chosen estimator gives the main estimates and the pre-trends test.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sp

from luotsi.stats import cs_aggregate
from luotsi.stats.did_cs import CSResult

from .estimators import ESTIMATORS, Settings, check_design, clean, cluster_column

Progress = Callable[[int, str], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSpec(Settings):
    """The inference settings of a run (a snapshot of the evaluation's design): the estimators'
    :class:`Settings` and which estimators run."""

    estimators: tuple[str, ...]

    def __post_init__(self) -> None:
        unknown = [e for e in self.estimators if e not in ESTIMATORS]
        if not self.estimators or unknown:
            raise ValueError(f"estimators: unknown {unknown} (known: {sorted(ESTIMATORS)})")

    def settings(self) -> Settings:
        return Settings(**{f.name: getattr(self, f.name) for f in fields(Settings)})


def describe_data(frame: pd.DataFrame) -> dict[str, Any]:
    """Counts for the report's data section (no unit identifiers)."""
    units = frame.drop_duplicates("unit")
    cohorts = units.groupby("first_treated").size()
    out = {
        "units": len(units),
        "periods": int(frame["time"].nunique()),
        "first_period": float(frame["time"].min()),
        "last_period": float(frame["time"].max()),
        "observations": len(frame),
        "treated_units": int((units["first_treated"] > 0).sum()),
        "never_treated_units": int((units["first_treated"] <= 0).sum()),
        "cohorts": [
            {"cohort": float(g), "units": int(n)} for g, n in cohorts.items() if float(g) > 0
        ],
        "outcome_mean": float(frame["outcome"].mean()),
    }
    if "cluster" in frame.columns:
        out["clusters"] = int(frame["cluster"].nunique())
    return out


def pretrends_test(result: CSResult, anticipation: int, max_lags: int = 12) -> dict[str, Any]:
    """Joint test that the last pre-treatment event-time effects are all zero.

    Uses the event-time aggregation's influence functions (clustered when the estimate is), so
    the covariance between event times is taken into account. Pre-treatment means event times
    ``e < -anticipation``; the last ``k = min(max_lags, (G - 1) // 2)`` of them are tested, where
    ``G`` is the number of clusters (or units). The Wald statistic ``W`` is referred to an F
    distribution with Hotelling's small-sample correction, ``F = W (G - k) / (k (G - 1))`` with
    ``(k, G - k)`` degrees of freedom, because the chi-squared test over-rejects badly when the
    covariance of many event times is estimated from few clusters.
    """
    empty = {"statistic": None, "df": 0, "df2": None, "wald": None, "p_value": None}
    agg = cs_aggregate.build(
        "dynamic",
        group=result.group,
        time=result.time,
        att=result.att,
        g_idx=result.g_idx,
        cohorts=result.cohorts,
        cohort_share=result.cohort_share,
    )
    est = result.att @ agg.w
    pre = [
        j
        for j, key in enumerate(agg.keys)
        if "event_time" in key and key["event_time"] < -anticipation and math.isfinite(est[j])
    ]
    infl = result.influence.combine(agg.w[:, pre], agg.a[:, pre]) if pre else None
    sums = infl.cluster_sums() if infl is not None else np.zeros((0, 0))
    g = sums.shape[0]
    k = min(max_lags, (g - 1) // 2, len(pre))
    if k < 1:
        return {**empty, "event_times": []}
    last = sorted(range(len(pre)), key=lambda i: agg.keys[pre[i]]["event_time"])[-k:]
    s = sums[:, last]
    cov = s.T @ s / infl.n**2
    keep = np.diag(cov) > 1e-14
    if not keep.any():
        return {**empty, "event_times": []}
    b = est[np.array(pre)[last]][keep]
    cov = cov[np.ix_(keep, keep)]
    k = int(np.linalg.matrix_rank(cov))
    wald = float(b @ np.linalg.pinv(cov) @ b)
    f = wald * (g - k) / (k * (g - 1))
    return {
        "statistic": f,
        "df": k,
        "df2": g - k,
        "wald": wald,
        "p_value": float(sp.f.sf(f, k, g - k)),
        "event_times": [
            agg.keys[pre[i]]["event_time"] for i, ok in zip(last, keep, strict=True) if ok
        ],
    }


def estimate(frame: pd.DataFrame, spec: RunSpec, progress: Progress) -> dict[str, Any]:
    """Run every estimator of ``spec`` on ``frame``; JSON-ready results (NaN -> None)."""
    check_design(frame)
    cluster_column(frame, spec.cluster_level)  # refuse a missing cluster column up front
    out: dict[str, Any] = {"data": describe_data(frame), "estimators": [], "pretrends": None}
    settings = spec.settings()
    n = len(spec.estimators)
    for i, key in enumerate(spec.estimators):
        progress(20 + int(60 * i / n), f"estimating {key}")
        entry = ESTIMATORS[key](frame, settings)
        out["estimators"].append(entry)
        if i == 0:
            out["pretrends"] = entry.get("pretrends")
    out["primary"] = spec.estimators[0]
    return clean(out)
