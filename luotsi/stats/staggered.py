"""Staggered-adoption design shared by TWFE, Goodman-Bacon, Sun-Abraham and imputation.

:func:`design` turns the input (a :class:`~luotsi.stats.panel.Panel`, a frame with column
names, or plain arrays) into a :class:`StaggeredDesign`: the balanced wide outcome, the
treatment indicator ``D_it = 1[t >= g_i]``, event time ``e_it = t - g_i``, integer cluster
codes and unit weights. Periods must be consecutive integers (years, or a running month index)
so that event time counts periods.

Conventions (as R ``did`` and ``fixest``): cohort ``0``/``inf`` = never treated; a cohort that
starts after the last period is never treated within the sample; a cohort that starts in or
before the first period is *always treated* (it has no untreated period, so it can identify
nothing about effects; estimators that cannot use it drop it with a note).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from luotsi.stats.panel import Panel


def as_panel(
    data: Any = None,
    *,
    unit: Any = None,
    time: Any = None,
    cohort: Any = None,
    outcome: Any = None,
    cluster: Any = None,
    weights: Any = None,
) -> Panel:
    """A :class:`Panel` from a Panel, a frame plus column names, or long arrays."""
    if isinstance(data, Panel):
        if any(v is not None for v in (unit, time, cohort, outcome, cluster, weights)):
            raise ValueError("data: with a Panel, give cluster and weights when building it")
        return data
    if data is None:
        missing = [
            n
            for n, v in (("unit", unit), ("time", time), ("cohort", cohort), ("outcome", outcome))
            if v is None
        ]
        if missing:
            raise ValueError(f"{', '.join(missing)}: give a Panel, a frame, or these arrays")
        return Panel.from_arrays(unit, time, cohort, outcome, cluster=cluster, weights=weights)
    for role, name in (("unit", unit), ("time", time), ("cohort", cohort), ("outcome", outcome)):
        if not isinstance(name, str):
            raise ValueError(f"{role}: with a frame, give the column name")
    return Panel.from_frame(
        data,
        unit=unit,
        time=time,
        cohort=cohort,
        outcome=outcome,
        cluster=cluster,
        weights=weights,
    )


@dataclass(frozen=True, slots=True, eq=False)
class StaggeredDesign:
    """Wide arrays of a staggered design; rows are units, columns periods."""

    y: np.ndarray
    times: np.ndarray
    cohort: np.ndarray  # first treated period; 0 = never treated within the sample
    treated: np.ndarray  # (n, T) bool, D_it
    event_time: np.ndarray  # (n, T) float, t - g (nan for never treated)
    codes: np.ndarray  # (n,) cluster codes 0..G-1
    n_clusters: int
    weights: np.ndarray | None
    notes: tuple[str, ...]

    @property
    def n_units(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_periods(self) -> int:
        return int(self.y.shape[1])

    @property
    def ever_treated(self) -> np.ndarray:
        return self.cohort > 0

    @property
    def always_treated(self) -> np.ndarray:
        return self.ever_treated & (self.cohort <= self.times[0])

    @property
    def unit_weights(self) -> np.ndarray:
        return np.ones(self.n_units) if self.weights is None else self.weights

    def cohorts(self) -> np.ndarray:
        """Distinct treated cohorts, ascending."""
        return np.unique(self.cohort[self.cohort > 0])

    def subset(self, rows: np.ndarray, note: str | None = None) -> StaggeredDesign:
        """The design restricted to the units selected by ``rows`` (boolean mask)."""
        codes, inverse = np.unique(self.codes[rows], return_inverse=True)
        return StaggeredDesign(
            y=self.y[rows],
            times=self.times,
            cohort=self.cohort[rows],
            treated=self.treated[rows],
            event_time=self.event_time[rows],
            codes=inverse.ravel(),
            n_clusters=int(codes.shape[0]),
            weights=None if self.weights is None else self.weights[rows],
            notes=self.notes + ((note,) if note else ()),
        )


def design(panel: Panel) -> StaggeredDesign:
    """Validate the timing of ``panel`` and build the wide design arrays."""
    times = np.asarray(panel.times, dtype=float)
    if times.shape[0] < 2:
        raise ValueError("time: need at least two periods")
    if not np.allclose(np.diff(times), 1.0) or not np.allclose(times, np.round(times)):
        raise ValueError(
            "time: periods must be consecutive integers (e.g. years or a month index 1, 2, ...)"
        )
    cohort = np.asarray(panel.cohort, dtype=float).copy()
    notes = list(panel.notes)
    treated_cohort = cohort > 0
    if np.any(treated_cohort & ~np.isclose(cohort, np.round(cohort))):
        raise ValueError("cohort: first-treatment periods must be integers on the time scale")
    late = treated_cohort & (cohort > times[-1])
    if late.any():
        cohort[late] = 0
        notes.append(
            f"{int(late.sum())} units first treated after the last period count as never treated"
        )
    cohort_col = cohort[:, None]
    treated = (cohort_col > 0) & (times[None, :] >= cohort_col)
    event_time = np.where(cohort_col > 0, times[None, :] - cohort_col, np.nan)
    if panel.cluster is None:
        codes = np.arange(panel.n_units)
    else:
        _, codes = np.unique(panel.cluster, return_inverse=True)
        codes = codes.ravel()
    n_clusters = int(codes.max()) + 1
    return StaggeredDesign(
        y=np.asarray(panel.y, dtype=float),
        times=times,
        cohort=cohort,
        treated=treated,
        event_time=event_time,
        codes=codes,
        n_clusters=n_clusters,
        weights=None if panel.weights is None else np.asarray(panel.weights, dtype=float),
        notes=tuple(notes),
    )


def frozen(array: np.ndarray) -> np.ndarray:
    """A read-only copy, for arrays stored in immutable results."""
    out = np.array(array, dtype=float, copy=True)
    out.setflags(write=False)
    return out


def first_periods(d: StaggeredDesign, n_keep: int, note: str | None = None) -> StaggeredDesign:
    """The design restricted to its first ``n_keep`` periods."""
    if n_keep < 2:
        raise ValueError("time: fewer than two periods remain before the comparison cohort starts")
    return StaggeredDesign(
        y=d.y[:, :n_keep],
        times=d.times[:n_keep],
        cohort=d.cohort,
        treated=d.treated[:, :n_keep],
        event_time=d.event_time[:, :n_keep],
        codes=d.codes,
        n_clusters=d.n_clusters,
        weights=d.weights,
        notes=d.notes + ((note,) if note else ()),
    )
