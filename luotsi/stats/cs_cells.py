"""Cluster x cohort x period sums: the sufficient statistics of no-covariate Callaway-Sant'Anna.

Without covariates every group-time effect is a difference of mean changes,
``ATT(g,t) = mean(Y_t - Y_b | cohort g) - mean(Y_t - Y_b | controls)``, and its influence
function for a unit ``i`` of cohort ``h`` is an affine function of the unit's outcomes,
``psi_i = c_h . Y_i + d_h``, with coefficients that depend only on the cohort. Hence

* the estimates need, per cohort and period, the number of units and the sum of the outcome;
* the **clustered** variance ``sum_c (sum_{i in c} psi_i)^2 / n^2`` and the clustered multiplier
  bootstrap need the same two numbers per **cluster x cohort x period** (``count``, ``sum_y``);
* the **unit-level** (unclustered) variance ``sum_i psi_i^2 / n^2`` additionally needs, per cohort,
  the period x period cross-product matrix ``sum_i Y_it Y_is`` (``crossproducts``).

That is what a statistics office can release without microdata. :class:`CohortCells` holds them,
built either from a :class:`~luotsi.stats.panel.Panel` or from released tables (``from_columns``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from luotsi.stats.panel import NEVER_TREATED, Panel


class CellsError(ValueError):
    """Released aggregates are inconsistent; the message names the column."""


@dataclass(frozen=True, slots=True, eq=False)
class CohortCells:
    """Cell sums (see module docstring).

    ``cell_*`` arrays have one entry per (cluster, cohort) cell; ``cell_ysum`` is
    ``(n_cells, n_periods)``. ``unit_level`` means each cell is a single unit (no clustering was
    asked for): then clusters are units and ``crossproducts`` holds the per-cohort matrices.
    """

    times: np.ndarray
    cohorts: np.ndarray
    cell_cluster: np.ndarray
    cell_cohort: np.ndarray
    cell_count: np.ndarray
    cell_ysum: np.ndarray
    n_clusters: int
    cluster_labels: np.ndarray | None = None
    crossproducts: np.ndarray | None = None
    unit_level: bool = False

    @property
    def n_units(self) -> int:
        return int(self.cell_count.sum())

    def cohort_counts(self) -> np.ndarray:
        return np.bincount(self.cell_cohort, self.cell_count, minlength=len(self.cohorts))

    def cohort_sums(self) -> np.ndarray:
        """``(n_cohorts, n_periods)`` sums of the outcome."""
        out = np.zeros((len(self.cohorts), len(self.times)))
        np.add.at(out, self.cell_cohort, self.cell_ysum)
        return out

    @classmethod
    def from_panel(
        cls, panel: Panel, *, clustered: bool | None = None, crossproducts: bool | None = None
    ) -> CohortCells:
        """Sums from a panel: per cluster if the panel has clusters, else per unit.

        The per-cohort cross products are computed when asked for, and by default only when
        the cells are units (they serve the unit-level variance).
        """
        if panel.weights is not None:
            raise CellsError("weights: cell sums are unweighted; use the unit-level estimator")
        cohorts, cohort_idx = np.unique(panel.cohort, return_inverse=True)
        h = len(cohorts)
        use_cluster = panel.cluster is not None if clustered is None else clustered
        y = panel.y.astype(float, copy=False)
        cross = None
        if crossproducts or (crossproducts is None and not use_cluster):
            cross = np.stack([y[cohort_idx == k].T @ y[cohort_idx == k] for k in range(h)])
        if not use_cluster:
            n = panel.n_units
            return cls(
                panel.times,
                cohorts,
                np.arange(n),
                cohort_idx,
                np.ones(n),
                y,
                n,
                None,
                cross,
                True,
            )
        labels, cl_idx = np.unique(panel.cluster, return_inverse=True)
        key = cl_idx * h + cohort_idx
        keys, inv = np.unique(key, return_inverse=True)
        sums = np.zeros((len(keys), panel.n_periods))
        np.add.at(sums, inv, y)
        counts = np.bincount(inv, minlength=len(keys)).astype(float)
        return cls(
            panel.times, cohorts, keys // h, keys % h, counts, sums, len(labels), labels, cross
        )

    @classmethod
    def from_columns(
        cls,
        cells: Any,
        *,
        crossproducts: Any = None,
    ) -> CohortCells:
        """Read released tables.

        ``cells`` has columns ``cluster``, ``cohort`` (0 = never treated), ``period``, ``count``
        and ``sum_y``: one row per cluster x cohort x period. ``crossproducts`` (optional, needed
        only for unit-level standard errors) has ``cohort``, ``period``, ``period2``, ``sum_yy``.
        """
        col = _columns(cells, ("cluster", "cohort", "period", "count", "sum_y"), "cells")
        cohort = np.where(np.isinf(col["cohort"].astype(float)), NEVER_TREATED, col["cohort"])
        times, t_idx = np.unique(col["period"].astype(float), return_inverse=True)
        cohorts, h_idx = np.unique(cohort.astype(float), return_inverse=True)
        labels, c_idx = np.unique(col["cluster"], return_inverse=True)
        h, nt = len(cohorts), len(times)
        key = c_idx * h + h_idx
        keys, inv = np.unique(key, return_inverse=True)
        count = col["count"].astype(float)
        if np.any(count < 0) or np.any(count != np.round(count)):
            raise CellsError("count: must be non-negative integers")
        grid = np.full((len(keys), nt), np.nan)
        cgrid = np.full((len(keys), nt), np.nan)
        slot = inv * nt + t_idx
        if np.unique(slot).shape[0] != slot.shape[0]:
            raise CellsError("cluster/cohort/period: duplicate rows")
        grid.flat[slot] = col["sum_y"].astype(float)
        cgrid.flat[slot] = count
        if np.isnan(grid).any():
            raise CellsError("period: every cluster x cohort cell needs a row for every period")
        if not np.all(cgrid == cgrid[:, :1]):
            raise CellsError("count: must be the same in every period (balanced panel)")
        cross = None
        if crossproducts is not None:
            cp = _columns(crossproducts, ("cohort", "period", "period2", "sum_yy"), "crossproducts")
            cp_cohort = np.where(np.isinf(cp["cohort"].astype(float)), NEVER_TREATED, cp["cohort"])
            hi = np.searchsorted(cohorts, cp_cohort.astype(float))
            ti = np.searchsorted(times, cp["period"].astype(float))
            si = np.searchsorted(times, cp["period2"].astype(float))
            if np.any(hi >= h) or np.any(ti >= nt) or np.any(si >= nt):
                raise CellsError("crossproducts: cohort or period not present in cells")
            cross = np.full((h, nt, nt), np.nan)
            cross[hi, ti, si] = cp["sum_yy"].astype(float)
            cross[hi, si, ti] = cp["sum_yy"].astype(float)
            if np.isnan(cross).any():
                raise CellsError("crossproducts: every cohort needs every period pair")
        return cls(
            times, cohorts, keys // h, keys % h, cgrid[:, 0], grid, len(labels), labels, cross
        )

    def to_columns(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
        """The two release tables (``cells``, ``crossproducts``) as dicts of columns."""
        nt = len(self.times)
        labels = self.cluster_labels if self.cluster_labels is not None else None
        cl = self.cell_cluster if labels is None else labels[self.cell_cluster]
        cells = {
            "cluster": np.repeat(cl, nt),
            "cohort": np.repeat(self.cohorts[self.cell_cohort], nt),
            "period": np.tile(self.times, len(self.cell_count)),
            "count": np.repeat(self.cell_count, nt),
            "sum_y": self.cell_ysum.ravel(),
        }
        cross = None
        if self.crossproducts is not None:
            h, t, s = np.meshgrid(
                np.arange(len(self.cohorts)), np.arange(nt), np.arange(nt), indexing="ij"
            )
            upper = (s >= t).ravel()
            cross = {
                "cohort": self.cohorts[h.ravel()[upper]],
                "period": self.times[t.ravel()[upper]],
                "period2": self.times[s.ravel()[upper]],
                "sum_yy": self.crossproducts.ravel()[upper],
            }
        return cells, cross

    def restrict(self, *, keep_cohorts: np.ndarray, never_from: np.ndarray, periods: np.ndarray):
        """Drop cohorts, recode some cohorts as never treated, keep a subset of periods.

        ``keep_cohorts`` and ``never_from`` are boolean over ``cohorts``; ``periods`` boolean
        over ``times``. Used for R ``did``'s preprocessing rules (see ``did_cs``).
        """
        new_value = np.where(never_from, NEVER_TREATED, self.cohorts)
        values = np.unique(new_value[keep_cohorts])
        remap = np.searchsorted(values, new_value)
        rows = keep_cohorts[self.cell_cohort]
        cross = None
        if self.crossproducts is not None:
            cross = np.zeros((len(values), int(periods.sum()), int(periods.sum())))
            sub = self.crossproducts[:, periods][:, :, periods]
            for k in np.flatnonzero(keep_cohorts):
                cross[remap[k]] += sub[k]
        return replace(
            self,
            times=self.times[periods],
            cohorts=values,
            cell_cluster=self.cell_cluster[rows],
            cell_cohort=remap[self.cell_cohort[rows]],
            cell_count=self.cell_count[rows],
            cell_ysum=self.cell_ysum[rows][:, periods],
            crossproducts=cross,
        )


def _columns(data: Any, names: tuple[str, ...], table: str) -> dict[str, np.ndarray]:
    if not isinstance(data, Mapping) and not hasattr(data, "__getitem__"):
        raise CellsError(f"{table}: expected a frame or a mapping of columns")
    out = {}
    for name in names:
        try:
            out[name] = np.asarray(data[name])
        except (KeyError, IndexError):
            raise CellsError(f"{table}: missing column {name!r}") from None
    lengths = {len(v) for v in out.values()}
    if len(lengths) != 1:
        raise CellsError(f"{table}: columns have different lengths")
    for name in names:
        if name != "cluster":
            try:
                values = out[name].astype(float)
            except (TypeError, ValueError):
                raise CellsError(f"{table}: column {name!r} must be numeric") from None
            if np.isnan(values).any():
                raise CellsError(f"{table}: column {name!r} has missing values")
    return out
