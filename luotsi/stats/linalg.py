"""Linear-algebra helpers shared by the regression-based estimators.

* :func:`demean_two_way` -- the within transformation for unit and period fixed effects on a
  balanced wide panel (closed form, optional unit-constant weights);
* :class:`MaskedTwoWayFE` -- unit + period fixed effects fitted on an arbitrary subset of the
  cells of a wide panel (e.g. the untreated observations of the imputation estimator), solved
  exactly through the period-by-period Schur complement of the normal equations;
* :func:`cluster_robust_vcov` -- the CR1 sandwich with the small-sample factor of Stata and
  fixest (``G/(G-1) * (N-1)/(N-K)``);
* :class:`OLSFit` -- an OLS fit on already demeaned regressors with its CR1 covariance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def demean_two_way(x: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Remove unit and period means from a balanced wide array ``x`` of shape ``(n, T, ...)``.

    With unit-constant weights ``w_i`` the weighted least-squares projection on unit and period
    dummies of a balanced panel has the closed form ``x_it - xbar_i - xbar^w_t + xbar^w``
    (the unit mean is unweighted because the weight is constant within the unit).
    """
    x = np.asarray(x, dtype=float)
    unit_mean = x.mean(axis=1, keepdims=True)
    if weights is None:
        time_mean = x.mean(axis=0, keepdims=True)
        grand = unit_mean.mean(axis=0, keepdims=True)
    else:
        w = np.asarray(weights, dtype=float).reshape((-1,) + (1,) * (x.ndim - 1))
        total = w.sum()
        time_mean = (w * x).sum(axis=0, keepdims=True) / total
        grand = (w * unit_mean).sum(axis=0, keepdims=True) / total
    return x - unit_mean - time_mean + grand


class MaskedTwoWayFE:
    """Unit + period fixed effects estimated on the cells where ``mask`` is true.

    ``mask`` has shape ``(n, T)``; ``weights`` are unit-constant observation weights. The normal
    equations ``[[diag(a), M], [M', diag(b)]] [alpha; lambda] = [r_u; r_t]`` (``M`` the weighted
    mask) are solved by eliminating ``alpha``; the remaining ``T x T`` system is singular by one
    (the level of ``alpha`` vs ``lambda``), so the minimum-norm solution is used: fitted values
    ``alpha_i + lambda_t`` are unique whenever the cells are connected.
    Units without any masked cell get ``alpha = nan``; periods without one get ``lambda = nan``.
    """

    def __init__(self, mask: np.ndarray, weights: np.ndarray | None = None) -> None:
        mask = np.asarray(mask, dtype=bool)
        n, n_t = mask.shape
        w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
        self.mask = mask
        self.mw = mask * w[:, None]
        self.unit_total = self.mw.sum(axis=1)
        self.time_total = self.mw.sum(axis=0)
        self.unit_ok = self.unit_total > 0
        self.time_ok = self.time_total > 0
        inv_u = np.divide(1.0, self.unit_total, out=np.zeros(n), where=self.unit_ok)
        self._inv_u = inv_u
        schur = np.diag(self.time_total) - (self.mw.T * inv_u) @ self.mw
        self._pinv = np.zeros((n_t, n_t))
        ok = self.time_ok
        self._pinv[np.ix_(ok, ok)] = np.linalg.pinv(
            schur[np.ix_(ok, ok)], rcond=1e-10, hermitian=True
        )

    def solve(self, r_unit: np.ndarray, r_time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Solve the normal equations for right-hand sides per unit and per period.

        ``r_unit`` is ``(n,)`` or ``(n, J)`` and ``r_time`` ``(T,)`` or ``(T, J)`` (``J`` systems).
        """
        inv_u = self._inv_u if np.ndim(r_unit) == 1 else self._inv_u[:, None]
        lam = self._pinv @ (r_time - self.mw.T @ (r_unit * inv_u))
        alpha = (r_unit - self.mw @ lam) * inv_u
        unit_ok = self.unit_ok if alpha.ndim == 1 else self.unit_ok[:, None]
        time_ok = self.time_ok if lam.ndim == 1 else self.time_ok[:, None]
        return np.where(unit_ok, alpha, np.nan), np.where(time_ok, lam, np.nan)

    def fit(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit and period effects of the weighted least-squares fit of ``y`` on the mask.

        ``y`` is ``(n, T)`` or ``(n, T, J)`` (``J`` outcomes fitted at once).
        """
        mask, mw = (
            (self.mask, self.mw) if y.ndim == 2 else (self.mask[..., None], self.mw[..., None])
        )
        yw = np.where(mask, y, 0.0) * mw
        return self.solve(yw.sum(axis=1), yw.sum(axis=0))

    def residualise(self, y: np.ndarray) -> np.ndarray:
        """``y`` minus its fitted unit + period effects (meaningful on the masked cells)."""
        alpha, lam = self.fit(y)
        if y.ndim == 2:
            return y - alpha[:, None] - lam[None, :]
        return y - alpha[:, None, :] - lam[None, :, :]


def small_sample_factor(n_obs: int, n_params: int, n_clusters: int) -> float:
    """``G/(G-1) * (N-1)/(N-K)``: Stata's and fixest's CR1 correction."""
    if n_clusters < 2:
        raise ValueError(f"cluster: need at least two clusters, got {n_clusters}")
    if n_obs <= n_params:
        raise ValueError(f"too few observations ({n_obs}) for {n_params} parameters")
    return n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - n_params)


def cluster_sums(values: np.ndarray, codes: np.ndarray, n_clusters: int) -> np.ndarray:
    """Sum the rows of ``values`` (``(m, k)``) within clusters (``codes`` in ``0..G-1``)."""
    out = np.zeros((n_clusters, values.shape[1]))
    np.add.at(out, codes, values)
    return out


def cluster_robust_vcov(
    bread: np.ndarray, scores: np.ndarray, codes: np.ndarray, n_clusters: int, factor: float
) -> np.ndarray:
    """CR1 sandwich ``factor * bread (sum_g s_g s_g') bread`` from per-observation scores."""
    s = cluster_sums(scores, codes, n_clusters)
    return factor * bread @ (s.T @ s) @ bread


@dataclass(frozen=True, slots=True, eq=False)
class OLSFit:
    """OLS of demeaned ``y`` on demeaned ``X`` (rows = observations) with CR1 covariance.

    ``n_absorbed`` counts fixed-effect parameters that are not nested in the clusters (they
    enter ``K`` of the small-sample factor, as in fixest's default ``fixef.K = "nested"``).
    """

    coef: np.ndarray
    vcov: np.ndarray
    resid: np.ndarray
    bread: np.ndarray
    n_obs: int
    n_params: int
    n_clusters: int
    factor: float

    @classmethod
    def fit(
        cls,
        x: np.ndarray,
        y: np.ndarray,
        codes: np.ndarray,
        n_clusters: int,
        *,
        weights: np.ndarray | None = None,
        n_absorbed: int = 0,
    ) -> OLSFit:
        w = np.ones(x.shape[0]) if weights is None else weights
        xtx = x.T @ (x * w[:, None])
        keep = np.abs(np.diag(xtx)) > 1e-12 * max(1.0, float(np.abs(np.diag(xtx)).max(initial=0)))
        if not keep.all():
            raise ValueError(
                "regressors: some columns are constant after removing the fixed effects"
            )
        bread = np.linalg.inv(xtx)
        coef = bread @ (x.T @ (w * y))
        resid = y - x @ coef
        k = x.shape[1] + n_absorbed
        factor = small_sample_factor(x.shape[0], k, n_clusters)
        vcov = cluster_robust_vcov(bread, x * (w * resid)[:, None], codes, n_clusters, factor)
        return cls(coef, vcov, resid, bread, x.shape[0], k, n_clusters, factor)

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.maximum(np.diag(self.vcov), 0.0))
