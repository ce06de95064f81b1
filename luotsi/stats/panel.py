"""Validated panel input for the difference-in-differences estimators.

A :class:`Panel` holds one row per unit (person, municipality, county) and one column per period:
the outcome as a dense ``(n_units, n_periods)`` matrix, the unit's treatment cohort (the first
period in which it is treated; ``0`` or ``inf`` mean never treated), an optional cluster label,
optional covariates and optional sampling weights. Estimators work on this wide form because every
group-time comparison is then a column difference and a grouped mean (no per-unit loops).

Build it from long arrays (one row per unit and period) with :meth:`Panel.from_arrays` or from a
pandas frame with :meth:`Panel.from_frame`. Bad input raises :class:`PanelError` naming the column.
Unbalanced input is balanced the way R's ``did`` does it by default: units not observed in every
period are dropped (the count is kept in ``dropped_units``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NEVER_TREATED = 0


class PanelError(ValueError):
    """The panel input is invalid; the message names the offending column."""


@dataclass(frozen=True, slots=True, eq=False)
class Panel:
    """A balanced panel in wide form (see module docstring).

    ``times`` are the sorted distinct periods (numeric, e.g. years or month indices);
    ``cohort[i]`` is the first treated period of unit ``i`` on the same scale, ``0`` if never
    treated. ``covariates`` has shape ``(n_units, n_periods, k)`` so that an estimator can take
    the value at the base period, as R's ``did`` does; ``covariate_names`` labels the last axis.
    """

    unit_ids: np.ndarray
    times: np.ndarray
    cohort: np.ndarray
    y: np.ndarray
    cluster: np.ndarray | None = None
    covariates: np.ndarray | None = None
    covariate_names: tuple[str, ...] = ()
    weights: np.ndarray | None = None
    dropped_units: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_units(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_periods(self) -> int:
        return int(self.y.shape[1])

    @classmethod
    def from_arrays(
        cls,
        unit: Any,
        time: Any,
        cohort: Any,
        y: Any,
        *,
        cluster: Any = None,
        covariates: Any = None,
        covariate_names: Sequence[str] | None = None,
        weights: Any = None,
    ) -> Panel:
        """Validate long arrays (one element per unit-period row) and pivot them to wide form.

        ``cohort``, ``cluster`` and ``weights`` must be constant within a unit; ``covariates`` may
        vary over time (shape ``(n_rows,)`` or ``(n_rows, k)``).
        """
        unit = _column("unit", unit)
        n_rows = unit.shape[0]
        if n_rows == 0:
            raise PanelError("unit: the panel has no rows")
        time = _numeric("time", time, n_rows)
        cohort = _numeric("cohort", cohort, n_rows, allow_inf=True)
        y = _numeric("outcome", y, n_rows)
        if np.any(cohort < 0):
            raise PanelError("cohort: first-treatment periods must be >= 0 (0 or inf = never)")
        cohort = np.where(np.isinf(cohort), NEVER_TREATED, cohort)
        cluster_col = None if cluster is None else _column("cluster", cluster, n_rows)
        weights_col = None if weights is None else _numeric("weights", weights, n_rows)
        if weights_col is not None and np.any(weights_col < 0):
            raise PanelError("weights: sampling weights must be non-negative")
        cov, names = _covariates(covariates, covariate_names, n_rows)

        unit_index, unit_ids, times, t_index = _index(unit, time)
        n, n_t = unit_ids.shape[0], times.shape[0]
        if t_index is None:  # sorted, balanced fast path: rows are (unit, time) in order
            keep_rows = None
            keep = np.ones(n, dtype=bool)
        else:
            cell = unit_index * n_t + t_index
            counts = np.bincount(cell, minlength=n * n_t)
            if np.any(counts > 1):
                bad = int(np.flatnonzero(counts > 1)[0])
                raise PanelError(
                    f"unit/time: unit {unit_ids[bad // n_t]!r} has more than one row in period "
                    f"{times[bad % n_t]!r}"
                )
            per_unit = np.bincount(unit_index, minlength=n)
            keep = per_unit == n_t
            if not np.any(keep):
                raise PanelError("unit/time: no unit is observed in every period")
            order = np.argsort(cell, kind="stable")
            keep_rows = order[np.repeat(keep, n_t)[cell[order]]]
        dropped = int(n - keep.sum())
        n_keep = int(keep.sum())

        def wide(values: np.ndarray) -> np.ndarray:
            rows = values if keep_rows is None else values[keep_rows]
            return rows.reshape((n_keep, n_t, *values.shape[1:]))

        y_w = wide(y)
        cohort_w = _unit_constant("cohort", wide(cohort))
        cluster_w = None if cluster_col is None else _unit_constant("cluster", wide(cluster_col))
        weights_w = None if weights_col is None else _unit_constant("weights", wide(weights_col))
        cov_w = None if cov is None else wide(cov)
        notes = ()
        if dropped:
            notes = (f"dropped {dropped} units not observed in all {n_t} periods (balanced panel)",)
        return cls(
            unit_ids=unit_ids[keep],
            times=times,
            cohort=cohort_w.astype(float),
            y=y_w,
            cluster=cluster_w,
            covariates=cov_w,
            covariate_names=names,
            weights=None if weights_w is None else weights_w.astype(float),
            dropped_units=dropped,
            notes=notes,
        )

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        *,
        unit: str,
        time: str,
        cohort: str,
        outcome: str,
        cluster: str | None = None,
        covariates: Sequence[str] | None = None,
        weights: str | None = None,
    ) -> Panel:
        """Build from a pandas (or any mapping-of-columns) frame by column names."""

        def col(name: str | None, role: str) -> Any:
            if name is None:
                return None
            if name not in frame:
                raise PanelError(f"{role}: column {name!r} is not in the data")
            return np.asarray(frame[name])

        cov = None
        if covariates:
            cov = np.column_stack([_numeric(c, col(c, "covariates"), None) for c in covariates])
        return cls.from_arrays(
            col(unit, "unit"),
            col(time, "time"),
            col(cohort, "cohort"),
            col(outcome, "outcome"),
            cluster=col(cluster, "cluster"),
            covariates=cov,
            covariate_names=tuple(covariates or ()),
            weights=col(weights, "weights"),
        )


def _column(name: str, values: Any, n_rows: int | None = None) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise PanelError(f"{name}: expected a one-dimensional column, got shape {arr.shape}")
    if n_rows is not None and arr.shape[0] != n_rows:
        raise PanelError(f"{name}: has {arr.shape[0]} rows, the unit column has {n_rows}")
    if arr.dtype.kind == "O" and any(v is None for v in arr):
        raise PanelError(f"{name}: contains missing values")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise PanelError(f"{name}: contains missing values (NaN)")
    return arr


def _numeric(name: str, values: Any, n_rows: int | None, *, allow_inf: bool = False) -> np.ndarray:
    arr = _column(name, values, n_rows)
    try:
        arr = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise PanelError(f"{name}: must be numeric ({exc})") from None
    if np.isnan(arr).any():
        raise PanelError(f"{name}: contains missing values (NaN)")
    bad = np.isinf(arr) if not allow_inf else np.isneginf(arr)
    if bad.any():
        raise PanelError(f"{name}: contains infinite values")
    return arr


def _covariates(
    covariates: Any, names: Sequence[str] | None, n_rows: int
) -> tuple[np.ndarray | None, tuple[str, ...]]:
    if covariates is None:
        return None, ()
    cov = np.asarray(covariates, dtype=float)
    if cov.ndim == 1:
        cov = cov[:, None]
    if cov.ndim != 2 or cov.shape[0] != n_rows:
        raise PanelError(f"covariates: expected shape ({n_rows}, k), got {cov.shape}")
    if not np.isfinite(cov).all():
        raise PanelError("covariates: contain missing or infinite values")
    labels = tuple(names) if names else tuple(f"x{j}" for j in range(cov.shape[1]))
    if len(labels) != cov.shape[1]:
        raise PanelError(f"covariates: {cov.shape[1]} columns but {len(labels)} names")
    return cov, labels


def _index(unit: np.ndarray, time: np.ndarray):
    """Unit codes, distinct units, sorted periods and period codes.

    Fast path: when the rows are already sorted by unit then period and balanced (the usual
    export order), nothing is sorted and ``None`` is returned for the period codes.
    """
    n_rows = unit.shape[0]
    starts = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
    n_t = n_rows // starts.shape[0] if starts.shape[0] else 0
    if n_t and n_t * starts.shape[0] == n_rows and np.all(np.diff(starts) == n_t):
        first = time[:n_t]
        if np.all(np.diff(first) > 0):
            block = time.reshape(-1, n_t)
            if np.array_equal(block, np.broadcast_to(first, block.shape)):
                ids = unit[starts]
                if np.unique(ids).shape[0] == ids.shape[0]:
                    return np.repeat(np.arange(ids.shape[0]), n_t), ids, first.copy(), None
    ids, unit_index = np.unique(unit, return_inverse=True)
    times, t_index = np.unique(time, return_inverse=True)
    return unit_index.ravel(), ids, times, t_index.ravel()


def _unit_constant(name: str, wide: np.ndarray) -> np.ndarray:
    first = wide[:, 0]
    if wide.shape[1] > 1 and not np.all(wide == first[:, None]):
        row = int(np.flatnonzero(np.any(wide != first[:, None], axis=1))[0])
        raise PanelError(f"{name}: must be constant within a unit (unit row {row} varies)")
    return first
