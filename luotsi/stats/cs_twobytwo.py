"""Two-group, two-period DiD estimators for panel data with covariates (R package ``DRDID``).

Each returns the ATT and its influence function (length = number of units in the 2x2 sample)
exactly as ``DRDID`` computes them, which R ``did`` calls for every group-time cell:

* ``reg``: outcome regression (Heckman, Ichimura and Todd 1997), ``DRDID::reg_did_panel``;
* ``ipw``: normalised inverse probability weighting (Abadie 2005), ``DRDID::std_ipw_did_panel``;
* ``dr``: doubly robust (Sant'Anna and Zhao 2020), ``DRDID::drdid_panel`` - the estimator R
  ``did`` uses by default: logit propensity score, linear outcome regression of the change on the
  controls, propensity scores of controls trimmed at 0.995.

``x`` must contain an intercept column. Weights are normalised to mean 1 as in ``DRDID``.
"""

from __future__ import annotations

import numpy as np

TRIM_LEVEL = 0.995


def logit_fit(d: np.ndarray, x: np.ndarray, w: np.ndarray, *, tol: float = 1e-12) -> np.ndarray:
    """Weighted logistic regression by Newton-Raphson; returns fitted probabilities."""
    beta = np.zeros(x.shape[1])
    p_bar = np.clip(np.average(d, weights=w), 1e-6, 1 - 1e-6)
    beta[0] = np.log(p_bar / (1 - p_bar))
    for _ in range(100):
        eta = x @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        grad = x.T @ (w * (d - p))
        hess = (x * (w * p * (1 - p))[:, None]).T @ x
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            break
    else:
        raise ArithmeticError("propensity score: logistic regression did not converge")
    return 1.0 / (1.0 + np.exp(-(x @ beta)))


def _wls(y: np.ndarray, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    xw = x * w[:, None]
    return np.linalg.solve(xw.T @ x, xw.T @ y)


def _pscore(d, x, w):
    ps = np.minimum(logit_fit(d, x, w), 1 - 1e-6)
    trim = np.ones_like(ps, dtype=bool)
    trim[d == 0] = ps[d == 0] < TRIM_LEVEL
    info = (x * (w * ps * (1 - ps))[:, None]).T @ x
    hessian = np.linalg.inv(info) * len(d)
    lin_rep_ps = (x * (w * (d - ps))[:, None]) @ hessian
    return ps, trim.astype(float), lin_rep_ps


def _ols_lin_rep(dy, x, w, d, out_delta):
    n = len(d)
    w_ols = w * (1 - d)
    xpx_inv = np.linalg.inv((x * w_ols[:, None]).T @ x / n)
    return (x * (w_ols * (dy - out_delta))[:, None]) @ xpx_inv


def _normalise(w: np.ndarray | None, n: int) -> np.ndarray:
    if w is None:
        return np.ones(n)
    return w / w.mean()


def reg_panel(dy, d, x, w=None):
    """Outcome-regression DiD: ``DRDID::reg_did_panel``."""
    w = _normalise(w, len(d))
    ctrl = d == 0
    beta = _wls(dy[ctrl], x[ctrl], w[ctrl])
    out_delta = x @ beta
    w_treat = w * d
    eta_treat = np.mean(w_treat * dy) / np.mean(w_treat)
    eta_cont = np.mean(w_treat * out_delta) / np.mean(w_treat)
    lin_rep_ols = _ols_lin_rep(dy, x, w, d, out_delta)
    inf_treat = (w_treat * dy - w_treat * eta_treat) / np.mean(w_treat)
    inf_cont_1 = w_treat * out_delta - w_treat * eta_cont
    inf_cont_2 = lin_rep_ols @ np.mean(w_treat[:, None] * x, axis=0)
    inf_control = (inf_cont_1 + inf_cont_2) / np.mean(w_treat)
    return eta_treat - eta_cont, inf_treat - inf_control


def ipw_panel(dy, d, x, w=None):
    """Normalised IPW DiD: ``DRDID::std_ipw_did_panel``."""
    w = _normalise(w, len(d))
    ps, trim, lin_rep_ps = _pscore(d, x, w)
    w_treat = trim * w * d
    w_cont = trim * w * ps * (1 - d) / (1 - ps)
    eta_treat = np.mean(w_treat * dy) / np.mean(w_treat)
    eta_cont = np.mean(w_cont * dy) / np.mean(w_cont)
    inf_treat = (w_treat * dy - w_treat * eta_treat) / np.mean(w_treat)
    inf_cont_1 = w_cont * dy - w_cont * eta_cont
    m2 = np.mean((w_cont * (dy - eta_cont))[:, None] * x, axis=0)
    inf_control = (inf_cont_1 + lin_rep_ps @ m2) / np.mean(w_cont)
    return eta_treat - eta_cont, inf_treat - inf_control


def dr_panel(dy, d, x, w=None):
    """Locally efficient doubly robust DiD: ``DRDID::drdid_panel``."""
    w = _normalise(w, len(d))
    ps, trim, lin_rep_ps = _pscore(d, x, w)
    ctrl = d == 0
    out_delta = x @ _wls(dy[ctrl], x[ctrl], w[ctrl])
    w_treat = trim * w * d
    w_cont = trim * w * ps * (1 - d) / (1 - ps)
    resid = dy - out_delta
    eta_treat = np.mean(w_treat * resid) / np.mean(w_treat)
    eta_cont = np.mean(w_cont * resid) / np.mean(w_cont)
    lin_rep_ols = _ols_lin_rep(dy, x, w, d, out_delta)
    inf_treat_1 = w_treat * resid - w_treat * eta_treat
    inf_treat_2 = lin_rep_ols @ np.mean(w_treat[:, None] * x, axis=0)
    inf_treat = (inf_treat_1 - inf_treat_2) / np.mean(w_treat)
    inf_cont_1 = w_cont * resid - w_cont * eta_cont
    m2 = np.mean((w_cont * (resid - eta_cont))[:, None] * x, axis=0)
    m3 = np.mean(w_cont[:, None] * x, axis=0)
    inf_control = (inf_cont_1 + lin_rep_ps @ m2 - lin_rep_ols @ m3) / np.mean(w_cont)
    return eta_treat - eta_cont, inf_treat - inf_control


ESTIMATORS = {"reg": reg_panel, "ipw": ipw_panel, "dr": dr_panel}
