"""Synthetic control for one treated unit (Abadie, Diamond and Hainmueller 2010, 2015).

The synthetic control is a convex combination of donor units, ``W >= 0`` and ``sum W = 1``,
chosen to minimise ``(X1 - X0 W)' V (X1 - X0 W)`` where ``X`` holds the characteristics to
match: by default every pre-treatment outcome (``V`` = identity); or the caller's predictors,
standardised to unit variance across units, weighted by ``V``:

* ``v="equal"``: equal weights;
* ``v="optimize"``: the diagonal ``V`` that minimises the pre-treatment outcome MSPE of the
  resulting synthetic control (the nested optimisation of ``Synth``; Nelder-Mead over a softmax
  parametrisation from equal weights, so a local optimum);
* an array of ``k`` non-negative weights.

The inner problem is solved as non-negative least squares with a heavily weighted adding-up row
(``scipy.optimize.nnls``), then polished exactly on the selected support (equality-constrained
least squares), so that a treated unit that *is* a convex combination of donors gets those
weights back.

Effects are the gaps ``Y1_t - Y0_t W`` per period. Inference is in-space placebo permutation
(Abadie et al. 2010, sec. 4): every donor in turn is treated as if treated, with the other
donors as its pool, and the ratio of post- to pre-treatment RMSPE of the real unit is ranked
among all ratios: ``p = (1 + #{placebo ratio >= treated ratio}) / (1 + J)``. With ``J`` donors
the smallest attainable p-value is ``1 / (J + 1)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize

from luotsi.stats.results import EffectTable, Estimate, table
from luotsi.stats.staggered import frozen


@dataclass(frozen=True, slots=True, eq=False)
class SynthResult:
    """Weights, fit, gaps and placebo inference of one synthetic control."""

    treated_unit: Any
    donors: tuple[Any, ...]
    weights: np.ndarray
    v: np.ndarray | None
    times: np.ndarray
    treated_path: np.ndarray
    synthetic_path: np.ndarray
    treatment_start: float
    pre_rmspe: float
    post_rmspe: float
    rmspe_ratio: float
    p_value: float
    placebo_ratios: Mapping[Any, float]
    table: EffectTable

    @property
    def gaps(self) -> np.ndarray:
        return self.treated_path - self.synthetic_path

    def donor_weights(self, min_weight: float = 0.0) -> dict[Any, float]:
        """Donors with weight above ``min_weight``, largest first."""
        order = np.argsort(-self.weights)
        return {
            self.donors[i]: float(self.weights[i]) for i in order if self.weights[i] > min_weight
        }


def simplex_least_squares(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``argmin ||a w - b||`` subject to ``w >= 0``, ``sum(w) = 1``."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    scale = max(1.0, float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    big = 1e4 * scale * math.sqrt(a.shape[0] + 1)
    aug_a = np.vstack([a, np.full((1, a.shape[1]), big)])
    aug_b = np.append(b, big)
    w, _ = optimize.nnls(aug_a, aug_b, maxiter=50 * a.shape[1])
    w = w / w.sum() if w.sum() > 0 else np.full(a.shape[1], 1.0 / a.shape[1])
    return _polish(a, b, w)


def _polish(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Exact equality-constrained least squares on the support of ``w``, if it stays feasible."""
    support = np.flatnonzero(w > 1e-10)
    if support.size == 0:
        return w
    a_s = a[:, support]
    k = support.size
    kkt = np.zeros((k + 1, k + 1))
    kkt[:k, :k] = 2 * a_s.T @ a_s
    kkt[:k, k] = kkt[k, :k] = 1.0
    rhs = np.append(2 * a_s.T @ b, 1.0)
    sol = np.linalg.lstsq(kkt, rhs, rcond=None)[0][:k]
    if np.all(sol >= -1e-12):
        out = np.zeros_like(w)
        out[support] = np.clip(sol, 0.0, None)
        out /= out.sum()
        if np.sum((a @ out - b) ** 2) <= np.sum((a @ w - b) ** 2) + 1e-14:
            return out
    return w


def synthetic_control(
    *,
    unit: Any,
    time: Any,
    outcome: Any,
    treated_unit: Any,
    treatment_start: float,
    predictors: Mapping[Any, Sequence[float]] | None = None,
    v: str | Sequence[float] = "equal",
    donors: Sequence[Any] | None = None,
    placebos: bool = True,
) -> SynthResult:
    """Synthetic control of ``treated_unit`` from long arrays (one row per unit and period).

    ``treatment_start`` is the first treated period; ``predictors`` maps every unit id to its
    ``k`` characteristics (otherwise the pre-treatment outcomes are matched); ``donors``
    restricts the pool (default: every other unit).
    """
    units, times, y = _pivot(unit, time, outcome)
    index = {u: i for i, u in enumerate(units.tolist())}
    if treated_unit not in index:
        raise ValueError(f"treated_unit: {treated_unit!r} is not in the unit column")
    pre = times < treatment_start
    if pre.sum() < 1 or (~pre).sum() < 1:
        raise ValueError(
            f"treatment_start: need periods before and from {treatment_start} (have {times[0]}..{times[-1]})"
        )
    pool = [u for u in units.tolist() if u != treated_unit] if donors is None else list(donors)
    bad = [u for u in pool if u not in index or u == treated_unit]
    if bad:
        raise ValueError(f"donors: unknown or treated units {bad[:5]}")
    if len(pool) < 2:
        raise ValueError("donors: need at least two donor units")
    x = None
    if predictors is not None:
        missing = [u for u in [treated_unit, *pool] if u not in predictors]
        if missing:
            raise ValueError(f"predictors: no values for units {missing[:5]}")
        x = np.array([np.asarray(predictors[u], dtype=float) for u in units.tolist()])
        if x.ndim != 2 or not np.isfinite(x).all():
            raise ValueError("predictors: every unit needs the same number of finite values")
        sd = x.std(axis=0)
        x = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    elif not isinstance(v, str) or v != "equal":
        raise ValueError("v: only 'equal' applies when matching pre-treatment outcomes")
    fit = _fit(y, x, pre, index[treated_unit], [index[u] for u in pool], v)
    w, vv, synth = fit
    ratio_t, pre_r, post_r = _ratio(y[index[treated_unit]], synth, pre)
    placebo: dict[Any, float] = {}
    if placebos:
        for u in pool:
            others = [index[o] for o in pool if o != u]
            _, _, s = _fit(y, x, pre, index[u], others, v)
            placebo[u] = _ratio(y[index[u]], s, pre)[0]
    ratios = np.array(list(placebo.values()))
    p = (1 + np.sum(ratios >= ratio_t - 1e-12)) / (1 + ratios.size) if placebo else math.nan
    gaps = y[index[treated_unit]] - synth
    rows = [
        Estimate(
            f"t={_num(t)}",
            float(g),
            math.nan,
            math.nan,
            math.nan,
            {"time": _num(t), "event_time": _num(t - treatment_start)},
        )
        for t, g in zip(times, gaps, strict=True)
    ]
    rows.append(
        Estimate(
            "average post",
            float(gaps[~pre].mean()),
            math.nan,
            math.nan,
            math.nan,
            {"effect": "post"},
        )
    )
    tab = table(
        "synthetic_control",
        rows,
        notes=("no standard errors: inference is the placebo permutation p-value",),
        p_value=float(p),
        pre_rmspe=pre_r,
        post_rmspe=post_r,
        reference_period=None,
    )
    return SynthResult(
        treated_unit=treated_unit,
        donors=tuple(pool),
        weights=frozen(w),
        v=None if vv is None else frozen(vv),
        times=frozen(times),
        treated_path=frozen(y[index[treated_unit]]),
        synthetic_path=frozen(synth),
        treatment_start=float(treatment_start),
        pre_rmspe=pre_r,
        post_rmspe=post_r,
        rmspe_ratio=ratio_t,
        p_value=float(p),
        placebo_ratios=placebo,
        table=tab,
    )


def _fit(
    y, x, pre, treated: int, pool: list[int], v
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Donor weights, predictor weights and the synthetic path of ``treated``."""
    y0 = y[pool]
    if x is None:
        w = simplex_least_squares(y0[:, pre].T, y[treated, pre])
        return w, None, w @ y0
    x1, x0 = x[treated], x[pool].T

    def weights_for(vv: np.ndarray) -> np.ndarray:
        s = np.sqrt(vv)
        return simplex_least_squares(x0 * s[:, None], x1 * s)

    k = x.shape[1]
    if isinstance(v, str):
        if v == "equal":
            vv = np.full(k, 1.0 / k)
        elif v == "optimize":

            def loss(theta: np.ndarray) -> float:
                ww = weights_for(_softmax(theta))
                return float(np.mean((y[treated, pre] - ww @ y0[:, pre]) ** 2))

            res = optimize.minimize(
                loss,
                np.zeros(k),
                method="Nelder-Mead",
                options={"maxiter": 200 * k, "xatol": 1e-6, "fatol": 1e-12},
            )
            vv = _softmax(res.x)
        else:
            raise ValueError(f"v: expected 'equal', 'optimize' or k weights, got {v!r}")
    else:
        vv = np.asarray(v, dtype=float)
        if vv.shape != (k,) or np.any(vv < 0) or vv.sum() <= 0:
            raise ValueError(f"v: expected {k} non-negative weights, got {v!r}")
        vv = vv / vv.sum()
    w = weights_for(vv)
    return w, vv, w @ y0


def _softmax(theta: np.ndarray) -> np.ndarray:
    e = np.exp(theta - theta.max())
    return e / e.sum()


def _ratio(path: np.ndarray, synth: np.ndarray, pre: np.ndarray) -> tuple[float, float, float]:
    gap = path - synth
    pre_r = float(np.sqrt(np.mean(gap[pre] ** 2)))
    post_r = float(np.sqrt(np.mean(gap[~pre] ** 2)))
    return (post_r / pre_r if pre_r > 0 else math.inf), pre_r, post_r


def _pivot(unit: Any, time: Any, outcome: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    unit = np.asarray(unit)
    time = np.asarray(time, dtype=float)
    y = np.asarray(outcome, dtype=float)
    if unit.ndim != 1 or time.shape != unit.shape or y.shape != unit.shape:
        raise ValueError("unit/time/outcome: expected one-dimensional arrays of equal length")
    if not np.isfinite(y).all():
        raise ValueError("outcome: contains missing or infinite values")
    units, ui = np.unique(unit, return_inverse=True)
    times, ti = np.unique(time, return_inverse=True)
    cell = ui.ravel() * times.size + ti.ravel()
    counts = np.bincount(cell, minlength=units.size * times.size)
    if np.any(counts != 1):
        raise ValueError("unit/time: every unit needs exactly one row in every period (balanced)")
    wide = np.empty(units.size * times.size)
    wide[cell] = y
    return units, times, wide.reshape(units.size, times.size)


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)
