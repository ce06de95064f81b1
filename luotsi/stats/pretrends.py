"""Joint Wald test that the pre-treatment event-time coefficients are all zero.

Given an :class:`~luotsi.stats.results.EffectTable` with event-time rows (key ``event_time``)
and their covariance (argument ``vcov`` with ``labels``, or the table's ``meta["vcov"]`` /
``meta["vcov_labels"]`` as every estimator in this package stores them), the test takes the
rows with ``event_time < -anticipation`` (the reference period has no row) and computes

    W = b' V^+ b ~ chi2(k)          (k = rank of V)

and, when the number of clusters ``G`` is known, the small-sample F version with Hotelling's
correction ``F = W (G - k) / (k (G - 1)) ~ F(k, G - k)``, which is the one reported as
``p_value`` (the chi-squared test over-rejects when ``V`` comes from few clusters). A large
p-value is *not* evidence of parallel trends: pre-tests have low power (Roth 2022); report the
pre-period estimates and their intervals as well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sp

from luotsi.stats.results import EffectTable


@dataclass(frozen=True, slots=True)
class PretrendsResult:
    """The joint pre-trends test; ``p_value`` is the F version when ``n_clusters`` is known."""

    event_times: tuple[int, ...]
    wald: float
    df: int
    p_value_chi2: float
    f_stat: float | None
    df2: int | None
    p_value: float

    def as_dict(self) -> dict[str, object]:
        return {
            "event_times": list(self.event_times),
            "wald": self.wald,
            "df": self.df,
            "p_value_chi2": self.p_value_chi2,
            "f_stat": self.f_stat,
            "df2": self.df2,
            "p_value": self.p_value,
        }


def pretrends_test(
    effects: EffectTable,
    vcov: np.ndarray | None = None,
    *,
    labels: Sequence[str] | None = None,
    anticipation: int = 0,
    n_clusters: int | None = None,
) -> PretrendsResult:
    """Test ``H0: beta_e = 0`` for every pre-treatment event time in ``effects``."""
    if anticipation < 0:
        raise ValueError(f"anticipation: must be >= 0, got {anticipation}")
    if vcov is None:
        if "vcov" not in effects.meta:
            raise ValueError("vcov: the table carries no covariance; pass vcov and labels")
        vcov = np.asarray(effects.meta["vcov"], dtype=float)
        labels = tuple(effects.meta.get("vcov_labels") or [e.label for e in effects])
    else:
        vcov = np.asarray(vcov, dtype=float)
        labels = tuple(labels) if labels is not None else tuple(e.label for e in effects)
    if vcov.ndim != 2 or vcov.shape[0] != vcov.shape[1] or vcov.shape[0] != len(labels):
        raise ValueError(f"vcov: expected a square matrix of size {len(labels)}, got {vcov.shape}")
    if n_clusters is None:
        n_clusters = effects.meta.get("n_clusters")
    position = {lab: i for i, lab in enumerate(labels)}
    pre = [
        e
        for e in effects
        if "event_time" in e.key
        and e.key["event_time"] < -anticipation
        and math.isfinite(e.estimate)
    ]
    if not pre:
        raise ValueError("effects: no pre-treatment event-time estimate to test")
    missing = [e.label for e in pre if e.label not in position]
    if missing:
        raise ValueError(f"vcov: no covariance for {missing}")
    idx = [position[e.label] for e in pre]
    b = np.array([e.estimate for e in pre])
    v = vcov[np.ix_(idx, idx)]
    k = int(np.linalg.matrix_rank(v, tol=1e-12 * max(1.0, float(np.abs(v).max()))))
    if k == 0:
        raise ValueError("vcov: the pre-period covariance is zero")
    wald = float(b @ np.linalg.pinv(v, rcond=1e-12, hermitian=True) @ b)
    p_chi2 = float(sp.chi2.sf(wald, k))
    f_stat = df2 = None
    p = p_chi2
    if n_clusters is not None and n_clusters - k >= 1:
        g = int(n_clusters)
        f_stat = wald * (g - k) / (k * (g - 1))
        df2 = g - k
        p = float(sp.f.sf(f_stat, k, df2))
    return PretrendsResult(
        event_times=tuple(int(e.key["event_time"]) for e in pre),
        wald=wald,
        df=k,
        p_value_chi2=p_chi2,
        f_stat=f_stat,
        df2=df2,
        p_value=p,
    )
