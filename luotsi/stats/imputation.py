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
``sum_c (sum_{it in c} v_it eps_it)^2`` over clusters ``c``, with untreated residuals ``eps``
from step 1 and treated residuals ``tau_it - tau_tilde_g`` where ``g`` is the observation's
cohort x event-time group (the partition BJS recommend without covariates) and ``tau_tilde_g``
their cluster-weighted average (BJS eq. 8, as Stata ``did_imputation``):
``tau_tilde_g = sum_c a_cg b_cg / sum_c a_cg^2`` with ``a_cg = sum_{it in c, g} v_it`` and
``b_cg = sum_{it in c, g} v_it tau_it`` (the ``v^2``-weighted mean with one cell per cluster).

That average includes the cluster's own effects, so it absorbs part of the cluster's own error
and biases the variance down when a group has few clusters (by about ``1/n`` with ``n`` equally
weighted clusters; the cohorts of a pilot rollout are often that small). ``leave_out=True`` (the
default) uses the leave-out average of BJS Supplementary Appendix A.9 instead,
``tau_tilde_g(-c) = sum_{c' != c} a_c'g b_c'g / sum_{c' != c} a_c'g^2``, which makes the
variance an unbiased estimate of an upper bound (conservative by about ``1/(n-1)`` where the
within-group effects and errors are homogeneous). Cluster ``c``'s treated sum is then the
inclusive one times ``A_g / (A_g - a_cg^2)``, ``A_g = sum_c a_cg^2``. A group with a single
cluster has no leave-out average: its treated residual stays ``0`` (the inclusive one), which
understates the variance; the table notes how many such groups carry weight. Intervals are
normal, as in BJS. ``small_sample=True`` multiplies the variance by ``G/(G-1)`` and uses t(G-1)
intervals (:class:`~luotsi.stats.results.SmallSample`, the CR1 convention of Stata and fixest)
for few clusters; BJS state normal intervals and diff-diff (the reference tests) applies no
such factor, so the default keeps their values.

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

from luotsi.stats.linalg import MaskedTwoWayFE, OLSFit, cluster_sums
from luotsi.stats.results import EffectTable, Estimate, SmallSample, critical_value, table
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
    leave_out: bool = True,
    small_sample: bool = False,
) -> ImputationResult:
    """The BJS imputation estimator; input as for :func:`luotsi.stats.twfe.twfe`.

    ``horizons`` limits the event-time rows to ``0..horizons`` (the overall ATT still averages
    every treated observation); ``leads`` adds the pre-trend coefficients ``e=-1..-leads``.
    ``leave_out`` chooses the leave-cluster-out average of the treated effects in the variance
    (BJS Appendix A.9, default); ``False`` gives the inclusive average of BJS eq. 8 (the default
    of Stata ``did_imputation``, R ``didimputation`` and ``diff-diff``), which understates the
    variance when cohorts have few clusters. ``small_sample`` adds the few-clusters correction
    (``G/(G-1)`` and t(G-1) intervals) to the event-time and overall rows.
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

    vcov, n_single = _conservative_vcov(d, fe, a, tau, imputable, untreated, d.y - y0, leave_out)
    ss = SmallSample.of(small_sample, d.n_clusters)
    vcov = vcov * ss.variance_factor
    if n_single:
        notes.append(
            f"{n_single} cohort x event-time groups have a single cluster: their treated "
            "residuals are 0 in the variance, which understates it"
        )
    labels = [f"e={e}" for e in event_times] + ["ATT"]
    keys: list[dict[str, Any]] = [{"event_time": int(e)} for e in event_times]
    keys.append({"effect": "overall"})
    q = critical_value(level, ss.df)
    se = np.sqrt(np.maximum(np.diag(vcov), 0.0))
    estimates = [
        Estimate(lab, float(b), float(s), float(b - q * s), float(b + q * s), key, df=ss.df)
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
        inference=(
            "BJS conservative clustered variance"
            + (" (leave-cluster-out effect averages)" if leave_out else "")
            + ", "
            + ss.describe()
        ),
        small_sample=ss.active,
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
    leave_out: bool,
) -> tuple[np.ndarray, int]:
    """BJS Theorem 3 covariance of the estimands with weights ``a`` (``(n, T, J)``).

    Returns the covariance and the number of weighted groups with a single cluster.
    """
    w = d.unit_weights
    theta_u, theta_t = fe.solve(a.sum(axis=1), a.sum(axis=0))
    v_untreated = -w[:, None, None] * (np.nan_to_num(theta_u)[:, None, :] + theta_t[None, :, :])
    eps = np.where(untreated, resid, 0.0)
    contrib = np.where(untreated[..., None], v_untreated * eps[..., None], 0.0).sum(axis=1)
    s = cluster_sums(contrib, d.codes, d.n_clusters)  # (G, J) untreated part
    treated, n_single = _treated_cluster_sums(d, a, tau, imputable, leave_out)
    return (s + treated).T @ (s + treated), n_single


def _treated_cluster_sums(
    d: StaggeredDesign, a: np.ndarray, tau: np.ndarray, imputable: np.ndarray, leave_out: bool
) -> tuple[np.ndarray, int]:
    """Per cluster and estimand, ``sum_it v_it (tau_it - tau_tilde)`` over treated cells.

    Works on the (cluster, group) pairs present, groups = cohort x event time: ``a_p``, ``b_p``
    are the pair's sums of ``v`` and ``v tau``; the inclusive residual sum is
    ``b_p - a_p B_g / A_g`` and the leave-out one that times ``A_g / (A_g - a_p^2)``.
    """
    n, n_t, n_j = a.shape
    unit_idx = np.broadcast_to(np.arange(n)[:, None], (n, n_t))[imputable]
    cluster = d.codes[unit_idx]
    _, group = np.unique(
        np.column_stack([d.cohort[unit_idx], d.event_time[imputable]]), axis=0, return_inverse=True
    )
    group = group.ravel()
    n_groups = int(group.max()) + 1
    pair_key, pair = np.unique(cluster * n_groups + group, return_inverse=True)
    pair = pair.ravel()
    pair_cluster, pair_group = pair_key // n_groups, pair_key % n_groups
    v = a[imputable]  # (m, J)
    ap = np.zeros((pair_key.shape[0], n_j))
    bp = np.zeros_like(ap)
    np.add.at(ap, pair, v)
    np.add.at(bp, pair, v * tau[imputable][:, None])
    sq = ap**2
    big_a = np.zeros((n_groups, n_j))
    big_b = np.zeros_like(big_a)
    np.add.at(big_a, pair_group, sq)
    np.add.at(big_b, pair_group, ap * bp)
    has = big_a > 0
    tilde = np.divide(big_b, big_a, out=np.zeros_like(big_a), where=has)
    resid = bp - ap * tilde[pair_group]
    n_pos = np.zeros((n_groups, n_j))
    np.add.at(n_pos, pair_group, sq > 0)
    single = has & (n_pos < 2)
    if leave_out:
        other = _others_squares(sq, pair_group, big_a, n_groups)
        ok = (other > 0) & ~single[pair_group]
        resid = np.where(
            ok,
            resid * np.divide(big_a[pair_group], other, out=np.ones_like(other), where=ok),
            resid,
        )
    out = np.zeros((d.n_clusters, n_j))
    np.add.at(out, pair_cluster, resid)
    return out, int(single.any(axis=1).sum())


def _others_squares(
    sq: np.ndarray, pair_group: np.ndarray, big_a: np.ndarray, n_groups: int
) -> np.ndarray:
    """``A_g - a_p^2`` per pair, summed over the other pairs for each group's largest one.

    The subtraction is exact enough except for a pair holding nearly all of ``A_g``; that pair
    is the group's largest, whose remainder is summed directly (ties count as others).
    """
    top = np.zeros_like(big_a)
    np.maximum.at(top, pair_group, sq)
    is_top = sq == top[pair_group]
    n_top = np.zeros_like(big_a)
    np.add.at(n_top, pair_group, is_top)
    below = np.zeros_like(big_a)
    np.add.at(below, pair_group, np.where(is_top, 0.0, sq))
    top_other = below + (n_top - 1) * top
    return np.where(is_top, top_other[pair_group], big_a[pair_group] - sq)


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
