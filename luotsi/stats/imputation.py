"""Imputation estimator of Borusyak, Jaravel and Spiess (2024, Review of Economic Studies).

1. Fit unit and period fixed effects ``y_it = alpha_i + lambda_t + e_it`` by (weighted) least
   squares on the untreated observations only (never-treated units and not-yet-treated periods).
2. Impute the untreated outcome of every treated observation, ``Y0_it = alpha_i + lambda_t``, and
   take ``tau_it = y_it - Y0_it``.
3. Average: by event time ``e = t - g`` (``e >= 0``) and overall (every treated observation;
   sampling weights respected).

Standard errors are the conservative cluster-robust ones of BJS Theorem 3: each estimate is a
linear function ``sum_it v_it y_it`` of the outcomes, with ``v = w`` (the averaging weights) on
treated cells and ``v = -W Z0 (Z0' W Z0)^- Z1' w`` on untreated cells; the variance is
``sum_clusters (sum_it v_it eps_it)^2`` with untreated residuals ``eps`` from step 1 and treated
residuals ``tau_it - tau_bar`` where ``tau_bar`` is the weighted mean effect of the observation's
cohort x event-time cell (the partition recommended for event-study designs without covariates).
Cells with a single cluster give ``tau - tau_bar = 0`` and so understate the variance: prefer
many clusters per cohort. Intervals are normal, as in BJS.

Pre-trends (BJS Test 1): with ``leads=K`` the untreated observations are also regressed on
dummies for event times ``-1..-K`` besides the fixed effects; their coefficients (CR1
cluster-robust covariance) are reported as rows ``e=-k`` and feed the joint pre-trends test.
Their reference is the average untreated period further from treatment, not period ``-1``.

Units treated from the first period have no untreated observation and are dropped; treated
observations in a period without untreated observations cannot be imputed and are dropped
(both with a note).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as sp

from luotsi.stats.linalg import MaskedTwoWayFE, OLSFit, cluster_sums
from luotsi.stats.results import EffectTable, Estimate, table
from luotsi.stats.staggered import StaggeredDesign, as_panel, design, frozen
from luotsi.stats.twfe import check_level, t_estimates


@dataclass(frozen=True, slots=True, eq=False)
class ImputationResult:
    """Event-time and overall estimates (``table``) and the unit x period effects ``tau``.

    ``tau`` has shape ``(n_units, n_periods)`` with ``nan`` where no effect is estimated.
    """

    table: EffectTable
    tau: np.ndarray


def imputation(
    data: Any = None,
    *,
    unit: Any = None,
    time: Any = None,
    cohort: Any = None,
    outcome: Any = None,
    cluster: Any = None,
    weights: Any = None,
    horizons: int | None = None,
    leads: int = 0,
    level: float = 0.95,
) -> ImputationResult:
    """The BJS imputation estimator; input as for :func:`luotsi.stats.twfe.twfe`.

    ``horizons`` limits the event-time rows to ``0..horizons`` (the overall ATT still averages
    every treated observation); ``leads`` adds the pre-trend coefficients ``e=-1..-leads``.
    """
    check_level(level)
    if horizons is not None and horizons < 0:
        raise ValueError(f"horizons: must be >= 0, got {horizons}")
    if leads < 0:
        raise ValueError(f"leads: must be >= 0, got {leads}")
    panel = as_panel(
        data, unit=unit, time=time, cohort=cohort, outcome=outcome, cluster=cluster, weights=weights
    )
    d = design(panel)
    if d.always_treated.any():
        d = d.subset(
            ~d.always_treated,
            f"dropped {int(d.always_treated.sum())} units treated from the first period",
        )
    w = d.unit_weights
    untreated = ~d.treated
    fe = MaskedTwoWayFE(untreated, d.weights)
    alpha, lam = fe.fit(d.y)
    y0 = alpha[:, None] + lam[None, :]
    imputable = d.treated & np.isfinite(y0)
    notes = list(d.notes)
    lost = int((d.treated & ~imputable).sum())
    if lost:
        notes.append(f"{lost} treated observations in periods without untreated units not imputed")
    if not imputable.any():
        raise ValueError("cohort: no treated observation can be imputed (no untreated comparison)")
    tau = np.where(imputable, d.y - y0, np.nan)

    # Estimand weights on treated cells: one column per event time, then the overall ATT.
    event = np.where(imputable, d.event_time, np.nan)
    event_times = np.unique(event[np.isfinite(event)]).astype(int)
    if horizons is not None:
        event_times = event_times[event_times <= horizons]
    wt = np.where(imputable, w[:, None], 0.0)
    columns = [np.where(event == e, wt, 0.0) for e in event_times] + [wt]
    a = np.stack(columns, axis=2)
    a /= a.sum(axis=(0, 1), keepdims=True)
    est = np.einsum("itj,it->j", a, np.where(imputable, tau, 0.0))

    vcov = _conservative_vcov(d, fe, a, tau, imputable, untreated, d.y - y0)
    labels = [f"e={e}" for e in event_times] + ["ATT"]
    keys: list[dict[str, Any]] = [{"event_time": int(e)} for e in event_times]
    keys.append({"effect": "overall"})
    q = float(sp.norm.ppf(0.5 + level / 2))
    se = np.sqrt(np.maximum(np.diag(vcov), 0.0))
    estimates = [
        Estimate(lab, float(b), float(s), float(b - q * s), float(b + q * s), key)
        for lab, b, s, key in zip(labels, est, se, keys, strict=True)
    ]
    all_vcov = vcov
    if leads:
        lead_est, lead_vcov = _leads(d, fe, untreated, leads, level)
        estimates = lead_est + estimates
        labels = [e.label for e in lead_est] + labels
        k = len(lead_est)
        all_vcov = np.zeros((k + vcov.shape[0],) * 2)
        all_vcov[:k, :k] = lead_vcov
        all_vcov[k:, k:] = vcov
        notes.append(
            "pre-trend rows e<0 come from BJS Test 1 (leads regression on untreated cells)"
        )
    tab = table(
        "imputation",
        estimates,
        level=level,
        notes=tuple(notes),
        vcov=frozen(all_vcov),
        vcov_labels=tuple(labels),
        n_clusters=d.n_clusters,
        n_obs=int(imputable.sum() + untreated.sum()),
        reference_period=None,
        inference="BJS conservative clustered variance, normal intervals",
    )
    return ImputationResult(tab, frozen(tau))


def _conservative_vcov(
    d: StaggeredDesign,
    fe: MaskedTwoWayFE,
    a: np.ndarray,
    tau: np.ndarray,
    imputable: np.ndarray,
    untreated: np.ndarray,
    resid: np.ndarray,
) -> np.ndarray:
    """BJS Theorem 3 covariance of the estimands with weights ``a`` (``(n, T, J)``)."""
    w = d.unit_weights
    theta_u, theta_t = fe.solve(a.sum(axis=1), a.sum(axis=0))
    v_untreated = -w[:, None, None] * (np.nan_to_num(theta_u)[:, None, :] + theta_t[None, :, :])
    v = np.where(untreated[..., None], v_untreated, a)
    # Treated residuals: tau minus the weighted mean of its cohort x event-time cell.
    eps = np.where(untreated, resid, 0.0)
    cohort = np.broadcast_to(d.cohort[:, None], tau.shape)[imputable]
    event = d.event_time[imputable]
    ww = np.broadcast_to(w[:, None], tau.shape)[imputable]
    _, cell = np.unique(np.column_stack([cohort, event]), axis=0, return_inverse=True)
    cell = cell.ravel()
    t_obs = tau[imputable]
    mean = np.bincount(cell, ww * t_obs) / np.bincount(cell, ww)
    eps[imputable] = t_obs - mean[cell]
    used = untreated | imputable
    contrib = np.where(used[..., None], v * eps[..., None], 0.0).sum(axis=1)  # (n, J)
    s = cluster_sums(contrib, d.codes, d.n_clusters)
    return s.T @ s


def _leads(
    d: StaggeredDesign, fe: MaskedTwoWayFE, untreated: np.ndarray, leads: int, level: float
) -> tuple[list[Estimate], np.ndarray]:
    """BJS Test 1: lead coefficients from the untreated cells, CR1 clustered."""
    ks = [k for k in range(leads, 0, -1) if np.any(untreated & (d.event_time == -k))]
    if not ks:
        raise ValueError(f"leads: no untreated observation at event times -1..-{leads}")
    x = np.stack([(d.event_time == -k).astype(float) for k in ks], axis=2)
    xr = fe.residualise(x)[untreated]
    yr = fe.residualise(d.y)[untreated]
    n_t = d.y.shape[1]
    codes = np.broadcast_to(d.codes[:, None], d.y.shape)[untreated]
    wobs = None if d.weights is None else np.broadcast_to(d.weights[:, None], d.y.shape)[untreated]
    fit = OLSFit.fit(xr, yr, codes, d.n_clusters, weights=wobs, n_absorbed=n_t)
    names = tuple(f"e={-k}" for k in ks)
    keys = [{"event_time": -k} for k in ks]
    return t_estimates(names, fit.coef, fit.vcov, keys, level, d.n_clusters), fit.vcov
