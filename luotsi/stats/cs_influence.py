"""Influence functions of group-time effects and of their aggregations, in two representations.

Both follow R ``did``'s scaling: ``psi`` is an ``n``-vector per parameter with
``Var(estimate) ~= sum_i psi_i^2 / n^2`` (``se = sqrt(mean(psi^2) / n)``), and a clustered
variance ``sum_c S_c^2 / n^2`` with ``S_c`` the sum of ``psi`` over the units of cluster ``c``.

* :class:`UnitInfluence` stores ``psi`` as an ``(n_units, J)`` matrix (covariates, weights).
* :class:`CellInfluence` stores, per parameter and cohort, the affine coefficients of
  ``psi_i = coef[h] . Y_i + const[h]`` and computes everything from :class:`CohortCells`
  (no covariates: the same numbers from microdata or from released aggregates).

Aggregations (R ``aggte``) are linear: ``psi_new = psi @ W + w_i * A[cohort_i]`` where ``A`` is
the correction for estimated cohort shares (the ``wif`` of R). ``combine`` applies that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from luotsi.stats.bootstrap import Multipliers
from luotsi.stats.cs_cells import CohortCells


@dataclass(frozen=True, slots=True, eq=False)
class UnitInfluence:
    psi: np.ndarray
    cohort_idx: np.ndarray
    weights: np.ndarray | None
    cluster_idx: np.ndarray | None
    n_clusters: int

    @property
    def n(self) -> int:
        return int(self.psi.shape[0])

    def combine(self, w: np.ndarray, a: np.ndarray) -> UnitInfluence:
        shift = a[self.cohort_idx]
        if self.weights is not None:
            shift = shift * self.weights[:, None]
        return UnitInfluence(
            self.psi @ w + shift, self.cohort_idx, self.weights, self.cluster_idx, self.n_clusters
        )

    def cluster_sums(self) -> np.ndarray:
        if self.cluster_idx is None:
            return self.psi
        out = np.zeros((self.n_clusters, self.psi.shape[1]))
        np.add.at(out, self.cluster_idx, self.psi)
        return out

    def analytic_se(self) -> np.ndarray:
        s = self.cluster_sums()
        return np.sqrt(np.einsum("cj,cj->j", s, s)) / self.n

    def draws(self, mult: Multipliers) -> np.ndarray:
        return mult.apply(self.cluster_sums()) / self.n


@dataclass(slots=True, eq=False)
class _CellMoments:
    """Cached ``V[:, clusters] @ [sum_y | count]`` per cohort, shape ``(B, H, T + 1)``."""

    by_seed: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True, eq=False)
class CellInfluence:
    cells: CohortCells
    coef: np.ndarray  # (J, H, T)
    const: np.ndarray  # (J, H)
    unit_se: bool
    _cache: _CellMoments = field(default_factory=_CellMoments)

    @property
    def n(self) -> int:
        return self.cells.n_units

    def combine(self, w: np.ndarray, a: np.ndarray) -> CellInfluence:
        coef = np.einsum("kj,kht->jht", w, self.coef)
        const = w.T @ self.const + a.T
        return CellInfluence(self.cells, coef, const, self.unit_se, self._cache)

    def cluster_sums(self) -> np.ndarray:
        c = self.cells
        out = np.zeros((c.n_clusters, self.coef.shape[0]))
        for h in range(len(c.cohorts)):
            rows = np.flatnonzero(c.cell_cohort == h)
            if rows.size == 0:
                continue
            vals = c.cell_ysum[rows] @ self.coef[:, h, :].T
            vals += c.cell_count[rows, None] * self.const[None, :, h]
            np.add.at(out, c.cell_cluster[rows], vals)
        return out

    def analytic_se(self) -> np.ndarray:
        if not self.unit_se:
            s = self.cluster_sums()
            return np.sqrt(np.einsum("cj,cj->j", s, s)) / self.n
        c = self.cells
        if c.crossproducts is None:
            raise ValueError(
                "unit-level standard errors need the per-cohort cross products "
                "(crossproducts table); give them or use clustered standard errors"
            )
        sums, counts = c.cohort_sums(), c.cohort_counts()
        quad = np.einsum("jht,hts,jhs->j", self.coef, c.crossproducts, self.coef)
        lin = 2 * np.einsum("jh,jht,ht->j", self.const, self.coef, sums)
        const = np.einsum("jh,h->j", self.const**2, counts)
        return np.sqrt(np.maximum(quad + lin + const, 0.0)) / self.n

    def draws(self, mult: Multipliers) -> np.ndarray:
        key = (mult.seed, mult.draws, mult.kind, mult.n_clusters)
        moments = self._cache.by_seed.get(key)
        if moments is None:
            moments = self._moments(mult)
            self._cache.by_seed.clear()
            self._cache.by_seed[key] = moments
        b = moments.shape[0]
        coefs = np.concatenate([self.coef, self.const[:, :, None]], axis=2)
        return moments.reshape(b, -1) @ coefs.reshape(coefs.shape[0], -1).T / self.n

    def _moments(self, mult: Multipliers) -> np.ndarray:
        c = self.cells
        h_n, t_n = len(c.cohorts), len(c.times)
        if mult.n_clusters != c.n_clusters:
            raise ValueError("multipliers were drawn for a different number of clusters")
        order = np.argsort(c.cell_cluster, kind="stable")
        cl_sorted = c.cell_cluster[order]
        x = np.concatenate([c.cell_ysum, c.cell_count[:, None]], axis=1)
        out = np.zeros((mult.draws, h_n, t_n + 1))
        for sl, v in mult.chunks():
            lo, hi = np.searchsorted(cl_sorted, [sl.start, sl.stop])
            rows = order[lo:hi]
            cols = c.cell_cluster[rows] - sl.start
            coh = c.cell_cohort[rows]
            for h in range(h_n):
                sel = coh == h
                if sel.any():
                    out[:, h, :] += v[:, cols[sel]] @ x[rows[sel]]
        return out
