"""Wild cluster restricted (WCR) bootstrap for one TWFE coefficient with few clusters.

With few clusters (e.g. the 25 pilot areas) CR1 t-tests over-reject. The WCR bootstrap of
Cameron, Gelbach and Miller (2008), in the fast form of Roodman, MacKinnon, Nielsen and Webb
(2019, "Fast and wild", Stata Journal 19(1)), imposes the null ``beta_j = r`` when generating the
bootstrap samples:

    y* = X beta~ + v_g u~,     v_g = Rademacher (+-1) or Webb six-point weights per cluster,

where ``beta~``, ``u~`` are the restricted estimates and residuals of the (fixed-effects
demeaned) regression. Each draw's CR1 t-statistic ``t* = (beta*_j - r) / se*_j`` is computed
without refitting: with ``a = (X'WX)^-1 e_j``, ``c_g = X_g' W_g u~_g`` and
``H_g = X_g' W_g X_g``, the numerator is ``sum_g v_g a'c_g`` and cluster ``h``'s score is
``v_h a'c_h - sum_g v_g a'H_h (X'WX)^-1 c_g``. Because ``u~`` is linear in ``r``, so is every
piece, and the p-value for any ``r`` costs ``O(B)``; the confidence interval is found by test
inversion (bisection on each side of the estimate, as ``boottest``).

The p-value is symmetric two-sided: the share of draws with ``|t*| >= |t|``. The fixed effects
are partialled out before bootstrapping (as ``boottest`` does); the unit effects are nested in
the clusters, the period effects are not, so this is the usual approximation for them. With
Rademacher weights there are only ``2^G`` distinct draws: with fewer than about 12 clusters use
Webb weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from luotsi.stats.linalg import cluster_sums
from luotsi.stats.twfe import Regression, TWFEResult, check_level

WEIGHTS = ("rademacher", "webb")
_WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])


@dataclass(frozen=True, slots=True)
class WildBootstrapResult:
    """Bootstrap test of ``coefficient == null`` and the test-inversion interval."""

    coefficient: str
    estimate: float
    null: float
    t_stat: float
    p_value: float
    ci_low: float
    ci_high: float
    level: float
    draws: int
    weights: str
    n_clusters: int


def bootstrap_weights(kind: str, draws: int, n_clusters: int, seed: int | None) -> np.ndarray:
    """A ``(draws, n_clusters)`` matrix of Rademacher or Webb weights."""
    if kind not in WEIGHTS:
        raise ValueError(f"weights: expected one of {WEIGHTS}, got {kind!r}")
    if draws < 1:
        raise ValueError(f"draws: must be positive, got {draws}")
    rng = np.random.default_rng(seed)
    if kind == "rademacher":
        return rng.integers(0, 2, (draws, n_clusters)) * 2.0 - 1.0
    return _WEBB[rng.integers(0, 6, (draws, n_clusters))]


class _Inverter:
    """Precomputed pieces: bootstrap t-statistics for any null value ``r`` in ``O(B)``."""

    def __init__(self, reg: Regression, j: int, v: np.ndarray) -> None:
        x, y = reg.x, reg.y
        w = np.ones(x.shape[0]) if reg.weights is None else reg.weights
        xw = x * w[:, None]
        xtx_inv = np.linalg.inv(x.T @ xw)
        a = xtx_inv[:, j]
        coef = xtx_inv @ (xw.T @ y)
        others = [c for c in range(x.shape[1]) if c != j]
        # Restricted residuals u~(r) = M_{-j} y - r M_{-j} x_j (weighted projection).
        u_a, u_b = y.copy(), x[:, j].copy()
        if others:
            xo = x[:, others]
            proj = np.linalg.solve(
                xo.T @ (xo * w[:, None]), (xo * w[:, None]).T @ np.column_stack([y, x[:, j]])
            )
            u_a -= xo @ proj[:, 0]
            u_b -= xo @ proj[:, 1]
        g = reg.n_clusters
        c_a = cluster_sums(xw * u_a[:, None], reg.codes, g)  # (G, k)
        c_b = cluster_sums(xw * u_b[:, None], reg.codes, g)
        # m_h = a' H_h (X'WX)^-1 for every cluster h: sum over rows of (a'x_i) w_i x_i'.
        ax = x @ a
        m = cluster_sums(xw * ax[:, None], reg.codes, g) @ xtx_inv  # (G, k)
        d_a, d_b = c_a @ a, c_b @ a
        q_a, q_b = m @ c_a.T, m @ c_b.T  # (G, G)
        self.num_a, self.num_b = v @ d_a, v @ d_b
        s_a = v * d_a - v @ q_a.T
        s_b = v * d_b - v @ q_b.T
        self.saa = np.einsum("bg,bg->b", s_a, s_a)
        self.sab = np.einsum("bg,bg->b", s_a, s_b)
        self.sbb = np.einsum("bg,bg->b", s_b, s_b)
        # Observed statistic: unrestricted estimate and its CR1 score sums (factor cancels).
        resid = y - x @ coef
        s = cluster_sums(xw * resid[:, None], reg.codes, g) @ a
        self.estimate = float(coef[j])
        self.se_raw = float(math.sqrt(s @ s))

    def t_stats(self, r: float) -> np.ndarray:
        den = np.sqrt(np.maximum(self.saa - 2 * r * self.sab + r * r * self.sbb, 1e-300))
        return (self.num_a - r * self.num_b) / den

    def t_obs(self, r: float) -> float:
        return (self.estimate - r) / self.se_raw

    def p_value(self, r: float) -> float:
        return float(np.mean(np.abs(self.t_stats(r)) >= abs(self.t_obs(r)) - 1e-12))


def wild_cluster_bootstrap(
    result: TWFEResult,
    coefficient: str = "ATT",
    *,
    null: float = 0.0,
    draws: int = 9999,
    weights: str = "webb",
    level: float = 0.95,
    seed: int | None = None,
) -> WildBootstrapResult:
    """WCR bootstrap p-value for ``coefficient == null`` and the interval by test inversion.

    ``result`` is a :func:`luotsi.stats.twfe.twfe` fit (its clusters are the bootstrap
    clusters); ``coefficient`` a name from ``result.names`` (``"ATT"``, ``"e=2"``, ...).
    """
    check_level(level)
    j = result.index(coefficient)
    reg = result.regression
    v = bootstrap_weights(weights, draws, reg.n_clusters, seed)
    inv = _Inverter(reg, j, v)
    alpha = 1 - level
    se = math.sqrt(max(float(result.vcov[j, j]), 0.0))
    if se == 0.0:
        raise ValueError(f"coefficient: {coefficient!r} has a zero standard error")
    lo = _invert(inv, alpha, inv.estimate, -se)
    hi = _invert(inv, alpha, inv.estimate, se)
    return WildBootstrapResult(
        coefficient=coefficient,
        estimate=inv.estimate,
        null=float(null),
        t_stat=(inv.estimate - null) / se,
        p_value=inv.p_value(null),
        ci_low=lo,
        ci_high=hi,
        level=level,
        draws=draws,
        weights=weights,
        n_clusters=reg.n_clusters,
    )


def _invert(inv: _Inverter, alpha: float, start: float, step: float) -> float:
    """The null value where the bootstrap p-value falls to ``alpha``, walking from ``start``."""
    inside = start
    outside = start + step
    for _ in range(60):
        if inv.p_value(outside) < alpha:
            break
        inside, outside = outside, outside + (outside - start)
    else:
        return -math.inf if step < 0 else math.inf
    for _ in range(60):
        mid = 0.5 * (inside + outside)
        if inv.p_value(mid) < alpha:
            outside = mid
        else:
            inside = mid
        if abs(outside - inside) <= 1e-10 * max(1.0, abs(start)):
            break
    return 0.5 * (inside + outside)
