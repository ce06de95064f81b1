"""Callaway and Sant'Anna (2021) difference-in-differences with staggered treatment timing.

``callaway_santanna`` estimates the group-time average treatment effects ATT(g,t) of a panel
(R ``did::att_gt``) and ``CSResult.aggregate`` their summaries (R ``did::aggte``).
``callaway_santanna_from_aggregates`` gives the same no-covariate estimates and clustered
standard errors from released cluster x cohort x period sums (see ``cs_cells``).

Conventions follow R ``did`` 2.x (panel data):

* cohorts treated after the last period are never treated; units treated in the first period
  are dropped; with ``control="notyet"`` and no never-treated units the last cohort becomes the
  comparison group and the periods from its start (minus anticipation) are dropped;
* ``base_period="varying"``: pre-treatment effects compare consecutive periods, post-treatment
  effects compare with period ``g - anticipation - 1``; ``"universal"``: always with that period
  (whose own row is reported as 0);
* ``control="notyet"`` uses never-treated units and cohorts not yet treated in either period
  (start later than ``max(t, base) + anticipation``).

Without covariates and weights every method is the 2x2 difference of mean changes and the fast
cell engine (grouped sums, no per-unit loop) is used; otherwise the DRDID estimators in
``cs_twobytwo`` run per group-time cell on the unit-level data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from luotsi.stats import cs_aggregate
from luotsi.stats.bootstrap import Multipliers, summarise
from luotsi.stats.cs_cells import CohortCells
from luotsi.stats.cs_influence import CellInfluence, UnitInfluence
from luotsi.stats.cs_twobytwo import ESTIMATORS
from luotsi.stats.panel import Panel
from luotsi.stats.results import EffectTable, Estimate, SmallSample, table

_TINY = math.sqrt(np.finfo(float).eps) * 10
Influence = CellInfluence | UnitInfluence


@dataclass(frozen=True, slots=True)
class _Plan:
    """Group-time cells to estimate: indices into ``times`` and ``cohorts``."""

    g_idx: np.ndarray
    t_idx: np.ndarray
    b_idx: np.ndarray
    control: np.ndarray  # (K, H) bool
    reference: np.ndarray  # universal base period row (ATT = 0)
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False)
class CSResult:
    """Group-time effects (``att_gt``) plus what ``aggregate`` needs."""

    att_gt: EffectTable
    group: np.ndarray = field(repr=False)
    time: np.ndarray = field(repr=False)
    att: np.ndarray = field(repr=False)
    g_idx: np.ndarray = field(repr=False)
    cohorts: np.ndarray = field(repr=False)
    cohort_share: np.ndarray = field(repr=False)
    influence: Influence = field(repr=False)
    multipliers: Multipliers | None = field(repr=False)
    level: float = 0.95
    small_sample: SmallSample = field(default_factory=SmallSample)

    def aggregate(
        self,
        kind: str = "simple",
        *,
        min_e: float = -math.inf,
        max_e: float = math.inf,
        balance_e: int | None = None,
    ) -> EffectTable:
        """R ``aggte``: ``kind`` is ``simple``, ``group``, ``dynamic`` or ``calendar``."""
        agg = cs_aggregate.build(
            kind,
            group=self.group,
            time=self.time,
            att=self.att,
            g_idx=self.g_idx,
            cohorts=self.cohorts,
            cohort_share=self.cohort_share,
            min_e=min_e,
            max_e=max_e,
            balance_e=balance_e,
        )
        est = self.att @ agg.w
        infl = self.influence.combine(agg.w, agg.a)
        meta = dict(self.att_gt.meta)
        meta.update(aggregation=kind, min_e=min_e, max_e=max_e, balance_e=balance_e)
        return _effect_table(
            f"callaway_santanna:{kind}",
            agg.labels,
            agg.keys,
            est,
            infl,
            self.multipliers,
            self.level,
            agg.banded,
            counts=None,
            notes=self.att_gt.notes,
            meta=meta,
            small_sample=self.small_sample,
        )


def callaway_santanna(
    data: Any = None,
    *,
    unit: Any = None,
    time: Any = None,
    cohort: Any = None,
    outcome: Any = None,
    control: str = "never",
    method: str = "dr",
    covariates: Any = None,
    cluster: Any = None,
    weights: Any = None,
    bootstrap: int = 999,
    seed: int | None = None,
    anticipation: int = 0,
    base_period: str = "varying",
    level: float = 0.95,
    multiplier: str = "mammen",
    small_sample: bool = False,
) -> CSResult:
    """Group-time ATTs of Callaway and Sant'Anna (2021) for panel data.

    ``data`` is a :class:`Panel` (its own cluster, covariates and weights are used), a frame
    (then ``unit``, ``time``, ``cohort``, ``outcome``, ``cluster``, ``weights`` are column names
    and ``covariates`` a list of names), or ``None`` with those arguments given as arrays.
    ``bootstrap`` is the number of multiplier-bootstrap draws (0 = analytic standard errors, no
    uniform bands); standard errors are clustered when a cluster is given. ``small_sample``
    multiplies the variances by ``G/(G-1)`` and uses t(G-1) intervals for ``G`` clusters
    (:class:`~luotsi.stats.results.SmallSample`); the default matches R ``did``.
    """
    panel = _as_panel(data, unit, time, cohort, outcome, cluster, covariates, weights)
    _check_options(control, method, base_period, anticipation, level, bootstrap)
    if panel.covariates is None and panel.weights is None:
        cells = CohortCells.from_panel(panel)
        return _estimate_cells(
            cells,
            unit_se=cells.unit_level,
            control=control,
            method=method,
            bootstrap=bootstrap,
            seed=seed,
            anticipation=anticipation,
            base_period=base_period,
            level=level,
            multiplier=multiplier,
            notes=panel.notes,
            small_sample=small_sample,
        )
    return _estimate_units(
        panel,
        control=control,
        method=method,
        bootstrap=bootstrap,
        seed=seed,
        anticipation=anticipation,
        base_period=base_period,
        level=level,
        multiplier=multiplier,
        small_sample=small_sample,
    )


def callaway_santanna_from_aggregates(
    cells: Any,
    *,
    crossproducts: Any = None,
    se: str = "cluster",
    control: str = "never",
    method: str = "dr",
    bootstrap: int = 999,
    seed: int | None = None,
    anticipation: int = 0,
    base_period: str = "varying",
    level: float = 0.95,
    multiplier: str = "mammen",
    small_sample: bool = False,
) -> CSResult:
    """The no-covariate estimator from released sums (see :mod:`luotsi.stats.cs_cells`).

    ``cells`` is a :class:`CohortCells` or a table with ``cluster, cohort, period, count,
    sum_y``. ``se="cluster"`` clusters at the released cluster level (bootstrap available);
    ``se="unit"`` gives unit-level analytic standard errors from ``crossproducts``.
    """
    if not isinstance(cells, CohortCells):
        cells = CohortCells.from_columns(cells, crossproducts=crossproducts)
    if se not in ("cluster", "unit"):
        raise ValueError(f"se: expected 'cluster' or 'unit', got {se!r}")
    _check_options(control, method, base_period, anticipation, level, bootstrap)
    if se == "unit" and bootstrap and not cells.unit_level:
        raise ValueError("se='unit' from aggregates is analytic only: set bootstrap=0")
    return _estimate_cells(
        cells,
        unit_se=se == "unit" or cells.unit_level,
        control=control,
        method=method,
        bootstrap=bootstrap,
        seed=seed,
        anticipation=anticipation,
        base_period=base_period,
        level=level,
        multiplier=multiplier,
        notes=(),
        small_sample=small_sample,
    )


def _as_panel(data, unit, time, cohort, outcome, cluster, covariates, weights) -> Panel:
    if isinstance(data, Panel):
        if any(v is not None for v in (unit, time, cohort, outcome, cluster, covariates, weights)):
            raise ValueError("with a Panel, give cluster/covariates/weights when building it")
        return data
    if data is None:
        if any(v is None for v in (unit, time, cohort, outcome)):
            raise ValueError("give a Panel, a frame, or the unit/time/cohort/outcome arrays")
        return Panel.from_arrays(
            unit, time, cohort, outcome, cluster=cluster, covariates=covariates, weights=weights
        )
    names = (unit, time, cohort, outcome)
    if any(not isinstance(v, str) for v in names):
        raise ValueError("with a frame, unit, time, cohort and outcome must be column names")
    if isinstance(covariates, str):
        covariates = [covariates]
    return Panel.from_frame(
        data,
        unit=unit,
        time=time,
        cohort=cohort,
        outcome=outcome,
        cluster=cluster,
        covariates=covariates,
        weights=weights,
    )


def _check_options(control, method, base_period, anticipation, level, bootstrap) -> None:
    if control not in ("never", "notyet"):
        raise ValueError(f"control: expected 'never' or 'notyet', got {control!r}")
    if method not in ESTIMATORS:
        raise ValueError(f"method: expected one of {tuple(ESTIMATORS)}, got {method!r}")
    if base_period not in ("varying", "universal"):
        raise ValueError(f"base_period: expected 'varying' or 'universal', got {base_period!r}")
    if anticipation < 0 or int(anticipation) != anticipation:
        raise ValueError(f"anticipation: expected a non-negative integer, got {anticipation!r}")
    if not 0 < level < 1:
        raise ValueError(f"level: expected a probability in (0, 1), got {level!r}")
    if bootstrap < 0:
        raise ValueError(f"bootstrap: expected 0 (analytic) or a number of draws, got {bootstrap}")


def _preprocess(times: np.ndarray, cohorts: np.ndarray, control: str, anticipation: int):
    """R ``pre_process_did`` rules on cohorts and periods (see module docstring)."""
    notes = []
    never_from = cohorts > times.max()
    keep = ~((cohorts > 0) & (cohorts <= times[0]) & ~never_from)
    if not keep.all():
        notes.append(f"dropped cohorts treated in the first period: {cohorts[~keep].tolist()}")
    periods = np.ones(len(times), dtype=bool)
    if not np.any(keep & ((cohorts == 0) | never_from)):
        if control == "never":
            raise ValueError("cohort: there are no never-treated units; use control='notyet'")
        treated = cohorts[keep & ~never_from]
        if treated.size == 0:
            raise ValueError("cohort: no treated cohort to estimate")
        g_max = treated.max()
        periods = times < g_max - anticipation
        never_from = never_from | (cohorts == g_max)
        notes.append(f"no never-treated units: cohort {g_max} serves as comparison group")
    if not np.any(keep & ~never_from & (cohorts > 0)):
        raise ValueError("cohort: no treated cohort with a pre-treatment period")
    return keep, never_from, periods, tuple(notes)


def _plan(times, cohorts, control, anticipation, base_period) -> _Plan:
    tfac = 0 if base_period == "universal" else 1
    rows, notes = [], []
    for gi, g in enumerate(cohorts):
        if g == 0:
            continue
        pre = np.flatnonzero(times + anticipation < g)
        pre_idx = int(pre[-1]) if pre.size else None
        if pre_idx is None:
            notes.append(f"cohort {g:g} has no pre-treatment period; skipped")
            continue
        for ti in range(tfac, len(times)):
            base = pre_idx if (base_period == "universal" or g <= times[ti]) else ti - 1
            if control == "never":
                ctrl = cohorts == 0
            else:
                later = max(times[ti], times[base])
                ctrl = (cohorts == 0) | ((cohorts > later + anticipation) & (cohorts != g))
            rows.append((gi, ti, base, ctrl, base == ti))
    if not rows:
        raise ValueError("no group-time effect can be estimated from these periods and cohorts")
    return _Plan(
        np.array([r[0] for r in rows]),
        np.array([r[1] for r in rows]),
        np.array([r[2] for r in rows]),
        np.array([r[3] for r in rows]),
        np.array([r[4] for r in rows]),
        tuple(notes),
    )


def _estimate_cells(
    cells: CohortCells,
    *,
    unit_se: bool,
    control,
    method,
    bootstrap,
    seed,
    anticipation,
    base_period,
    level,
    multiplier,
    notes: Sequence[str],
    small_sample: bool = False,
) -> CSResult:
    keep, never_from, periods, pre_notes = _preprocess(
        cells.times, cells.cohorts, control, anticipation
    )
    if not (keep.all() and not never_from.any() and periods.all()):
        cells = cells.restrict(keep_cohorts=keep, never_from=never_from, periods=periods)
    times, cohorts = cells.times, cells.cohorts
    plan = _plan(times, cohorts, control, anticipation, base_period)
    sums, nh = cells.cohort_sums(), cells.cohort_counts()
    n = float(nh.sum())
    k_n, h_n, t_n = len(plan.g_idx), len(cohorts), len(times)
    ar = np.arange(k_n)
    d_sum = (sums[:, plan.t_idx] - sums[:, plan.b_idx]).T  # (K, H)
    ctrl = plan.control.astype(float)
    n1 = nh[plan.g_idx]
    n0 = ctrl @ nh
    empty = (n1 == 0) | (n0 == 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu1 = d_sum[ar, plan.g_idx] / n1
        mu0 = (ctrl * d_sum).sum(axis=1) / n0
        onehot = np.zeros((k_n, h_n))
        onehot[ar, plan.g_idx] = 1.0
        a = onehot / n1[:, None] - ctrl / n0[:, None]
        const = -n * (onehot * (mu1 / n1)[:, None] - ctrl * (mu0 / n0)[:, None])
    att = mu1 - mu0
    zero = plan.reference | empty
    att[zero] = np.where(plan.reference[zero], 0.0, np.nan)
    a[zero] = 0.0
    const[zero] = 0.0
    coef = np.zeros((k_n, h_n, t_n))
    coef[ar, :, plan.t_idx] += n * a
    coef[ar, :, plan.b_idx] -= n * a
    infl = CellInfluence(cells, coef, const, unit_se)
    counts = np.where(zero, 0, n1 + n0).astype(int)
    extra = [f"no treated or control units for cell {i}" for i in np.flatnonzero(empty)]
    meta = {
        "method": method,
        "control": control,
        "base_period": base_period,
        "anticipation": anticipation,
        "n_units": int(n),
        "n_clusters": None if cells.unit_level else cells.n_clusters,
        "engine": "cells",
    }
    return _result(
        plan,
        times,
        cohorts,
        att,
        nh / n,
        infl,
        counts,
        bootstrap,
        seed,
        multiplier,
        level,
        cells.n_clusters,
        tuple(notes) + pre_notes + plan.notes + tuple(extra),
        meta,
        small_sample,
    )


def _estimate_units(
    panel: Panel,
    *,
    control,
    method,
    bootstrap,
    seed,
    anticipation,
    base_period,
    level,
    multiplier,
    small_sample: bool = False,
) -> CSResult:
    cohort_values, cohort_idx = np.unique(panel.cohort, return_inverse=True)
    keep_c, never_from, periods, pre_notes = _preprocess(
        panel.times, cohort_values, control, anticipation
    )
    units = keep_c[cohort_idx]
    recoded = np.where(never_from, 0.0, cohort_values)[cohort_idx[units]]
    cohorts, h_idx = np.unique(recoded, return_inverse=True)
    times = panel.times[periods]
    y = panel.y[units][:, periods].astype(float)
    x = None if panel.covariates is None else panel.covariates[units][:, periods]
    w = None if panel.weights is None else panel.weights[units]
    if w is not None:
        w = w / w.mean()
    plan = _plan(times, cohorts, control, anticipation, base_period)
    n = y.shape[0]
    estimator = ESTIMATORS[method]
    psi = np.zeros((n, len(plan.g_idx)))
    att = np.zeros(len(plan.g_idx))
    counts = np.zeros(len(plan.g_idx), dtype=int)
    for k in range(len(plan.g_idx)):
        if plan.reference[k]:
            continue
        d = h_idx == plan.g_idx[k]
        sel = d | plan.control[k][h_idx]
        if not d.any() or not (sel & ~d).any():
            att[k] = math.nan
            continue
        t, b = plan.t_idx[k], plan.b_idx[k]
        dy = y[sel, t] - y[sel, b]
        xs = np.ones((int(sel.sum()), 1))
        if x is not None:
            xs = np.column_stack([xs, x[sel, b, :]])
        att[k], inf = estimator(dy, d[sel].astype(float), xs, None if w is None else w[sel])
        psi[sel, k] = inf * n / sel.sum()
        counts[k] = int(sel.sum())
    cluster_idx, n_clusters = None, n
    if panel.cluster is not None:
        _, cluster_idx = np.unique(panel.cluster[units], return_inverse=True)
        n_clusters = int(cluster_idx.max()) + 1
    infl = UnitInfluence(psi, h_idx, w, cluster_idx, n_clusters)
    share = np.bincount(h_idx, weights=w, minlength=len(cohorts)) / n
    meta = {
        "method": method,
        "control": control,
        "base_period": base_period,
        "anticipation": anticipation,
        "n_units": n,
        "n_clusters": None if cluster_idx is None else n_clusters,
        "covariates": panel.covariate_names,
        "engine": "units",
    }
    return _result(
        plan,
        times,
        cohorts,
        att,
        share,
        infl,
        counts,
        bootstrap,
        seed,
        multiplier,
        level,
        n_clusters,
        panel.notes + pre_notes + plan.notes,
        meta,
        small_sample,
    )


def _result(
    plan,
    times,
    cohorts,
    att,
    share,
    infl,
    counts,
    bootstrap,
    seed,
    multiplier,
    level,
    n_clusters,
    notes,
    meta,
    small_sample=False,
) -> CSResult:
    group = cohorts[plan.g_idx]
    time = times[plan.t_idx]
    labels = tuple(f"ATT({_fmt(g)}, {_fmt(t)})" for g, t in zip(group, time, strict=True))
    keys = tuple(
        {"group": _num(g), "time": _num(t), "base": _num(times[b]), "post": bool(g <= t)}
        for g, t, b in zip(group, time, plan.b_idx, strict=True)
    )
    mult = None
    if bootstrap:
        mult = Multipliers(int(bootstrap), int(n_clusters), seed, multiplier)
    meta = dict(meta, bootstrap=int(bootstrap), multiplier=multiplier if bootstrap else None)
    ss = SmallSample.of(small_sample, int(n_clusters))
    tab = _effect_table(
        "callaway_santanna",
        labels,
        keys,
        att,
        infl,
        mult,
        level,
        np.ones(len(att), bool),
        counts,
        notes,
        meta,
        ss,
    )
    return CSResult(tab, group, time, att, plan.g_idx, cohorts, share, infl, mult, level, ss)


def _effect_table(
    name, labels, keys, est, infl, mult, level, banded, counts, notes, meta, small_sample
) -> EffectTable:
    """Rows with analytic or bootstrap SEs; ``small_sample`` scales them (bands included)."""
    scale = math.sqrt(small_sample.variance_factor)
    analytic = infl.analytic_se() * scale
    analytic = np.where(analytic <= _TINY, np.nan, analytic)
    crit = None
    if mult is not None:
        draws = infl.draws(mult)
        summary = summarise(draws, level)
        se = summary.se * scale
        if banded.any():
            crit = summarise(draws[:, banded], level).crit
    else:
        se = analytic
    rows = []
    for j, label in enumerate(labels):
        rows.append(
            Estimate.normal(
                label,
                float(est[j]),
                float(se[j]),
                level=level,
                key=keys[j],
                crit=crit if _banded(crit, banded[j], se[j]) else None,
                n=None if counts is None else int(counts[j]),
                df=small_sample.df,
            )
        )
    meta = dict(meta, se_kind="bootstrap" if mult is not None else "analytic", crit=crit)
    meta["inference"] = small_sample.describe()
    meta["small_sample"] = small_sample.active
    meta["analytic_se"] = tuple(float(v) for v in analytic)
    return table(name, rows, level=level, notes=notes, **meta)


def _banded(crit: float | None, banded: bool, se: float) -> bool:
    return crit is not None and banded and math.isfinite(crit) and math.isfinite(se)


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _fmt(x: float) -> str:
    return str(_num(x))
