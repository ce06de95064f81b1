"""Two-way fixed effects (unit + period) regressions with cluster-robust standard errors.

``twfe(..., kind="static")`` regresses the outcome on the treatment indicator
``D_it = 1[t >= g_i]``; ``kind="event"`` on event-time dummies ``1[t - g_i = e]`` (reference
period ``e = -1`` left out; never-treated units have no dummies). Fixed effects are removed by
the exact within transformation of a balanced panel; standard errors are CR1 with the
small-sample factor of Stata and fixest, ``G/(G-1) * (N-1)/(N-K)`` where ``K`` counts the
regressors and all ``T`` period effects (unit effects are nested in the clusters and not counted:
fixest's default ``fixef.K = "nested"``, which reproduces its published standard errors).
Clusters default to units; a unit never spans clusters.

With staggered adoption and effects that change over time or cohorts, the static coefficient is
a weighted average of 2x2 comparisons some of which use already-treated units as controls (see
:mod:`luotsi.stats.bacon`), and event-study coefficients can be contaminated by effects at other
event times (Sun and Abraham 2021). Use it as a benchmark next to Sun-Abraham, imputation or
Callaway-Sant'Anna, not alone.

Identification of the event study without never-treated units. Unit and period effects plus a
full set of event-time dummies are collinear: with every unit eventually treated, a linear trend
in event time can be moved into the unit and period effects, so besides the reference ``e = -1``
one more dummy must go (the earliest lead here, the usual normalisation; Borusyak, Jaravel and
Spiess 2024 and Sun and Abraham 2021 on the under-identified fully dynamic specification). When,
in addition, all cohorts start a multiple of ``d > 1`` periods apart (pilots every 6 months in a monthly
panel), event time modulo ``d`` moves in step with calendar time and ``d - 1`` more contrasts
are lost; no standard normalisation removes them, so :func:`twfe` raises a ``ValueError``
that names the problem and the cure (``window=(lo, hi)`` binning, never-treated units, or
Callaway-Sant'Anna / Sun-Abraham / imputation). Every event study is checked for a rank
deficiency of the demeaned regressors before the fit, so such a design never returns numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from luotsi.stats.linalg import OLSFit, demean_two_way
from luotsi.stats.results import EffectTable, Estimate, table
from luotsi.stats.staggered import StaggeredDesign, as_panel, design, frozen

KINDS = ("static", "event")


@dataclass(frozen=True, slots=True, eq=False)
class Regression:
    """Demeaned regression inputs kept for inference after the fit (e.g. wild bootstrap)."""

    x: np.ndarray  # (N, k) demeaned regressors
    y: np.ndarray  # (N,) demeaned outcome
    codes: np.ndarray  # (N,) cluster codes
    n_clusters: int
    weights: np.ndarray | None  # (N,) observation weights
    n_absorbed: int
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False)
class TWFEResult:
    """Coefficients, CR1 covariance and the effect table of a TWFE regression."""

    table: EffectTable
    coef: np.ndarray
    vcov: np.ndarray
    names: tuple[str, ...]
    regression: Regression
    n_obs: int
    n_clusters: int

    def index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"TWFE: no coefficient named {name!r} (have {self.names})") from None


def twfe(
    data: Any = None,
    *,
    unit: Any = None,
    time: Any = None,
    cohort: Any = None,
    outcome: Any = None,
    cluster: Any = None,
    weights: Any = None,
    kind: str = "static",
    window: tuple[int, int] | None = None,
    reference: int = -1,
    level: float = 0.95,
) -> TWFEResult:
    """Fit a TWFE regression; see the module docstring.

    ``window=(lo, hi)`` (event study only) bins event times below ``lo`` into ``lo`` and above
    ``hi`` into ``hi`` (the usual endpoint binning); without it every observed event time gets
    its own dummy. When no unit is never treated one more event time (the earliest) is left out
    so that the period effects stay identified.
    """
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    check_level(level)
    d = design(
        as_panel(
            data,
            unit=unit,
            time=time,
            cohort=cohort,
            outcome=outcome,
            cluster=cluster,
            weights=weights,
        )
    )
    if kind == "static":
        x_wide = d.treated[:, :, None].astype(float)
        names: tuple[str, ...] = ("ATT",)
        keys: list[dict[str, Any]] = [{"effect": "static"}]
        notes = d.notes
    else:
        x_wide, event_times, notes = event_dummies(d, window=window, reference=reference)
        names = tuple(f"e={e}" for e in event_times)
        keys = [{"event_time": e} for e in event_times]
    reg = regression(d, x_wide, names)
    if kind == "event":
        check_identified(reg, d)
    fit = OLSFit.fit(
        reg.x, reg.y, reg.codes, reg.n_clusters, weights=reg.weights, n_absorbed=reg.n_absorbed
    )
    estimates = t_estimates(names, fit.coef, fit.vcov, keys, level, d.n_clusters)
    tab = table(
        f"twfe_{kind}",
        estimates,
        level=level,
        notes=notes,
        vcov=frozen(fit.vcov),
        vcov_labels=names,
        n_clusters=d.n_clusters,
        n_obs=fit.n_obs,
        reference_period=reference if kind == "event" else None,
        inference=f"CR1 clustered, {d.n_clusters} clusters, t({d.n_clusters - 1}) intervals",
    )
    return TWFEResult(tab, frozen(fit.coef), frozen(fit.vcov), names, reg, fit.n_obs, d.n_clusters)


def regression(d: StaggeredDesign, x_wide: np.ndarray, names: tuple[str, ...]) -> Regression:
    """Within-transform the wide regressors and outcome of ``d`` into a long regression."""
    n, n_t = d.y.shape
    xd = demean_two_way(x_wide, d.weights).reshape(n * n_t, -1)
    yd = demean_two_way(d.y, d.weights).ravel()
    w = None if d.weights is None else np.repeat(d.weights, n_t)
    return Regression(
        x=xd,
        y=yd,
        codes=np.repeat(d.codes, n_t),
        n_clusters=d.n_clusters,
        weights=w,
        n_absorbed=n_t,
        names=names,
    )


def event_dummies(
    d: StaggeredDesign, *, window: tuple[int, int] | None, reference: int
) -> tuple[np.ndarray, list[int], tuple[str, ...]]:
    """Event-time dummies ``(n, T, k)`` with the reference (and, if needed, one more) left out."""
    notes = list(d.notes)
    e = d.event_time
    if window is not None:
        lo, hi = (int(v) for v in window)
        if not lo <= reference <= hi or lo >= hi:
            raise ValueError(
                f"window: need lo <= reference ({reference}) <= hi and lo < hi, got {window}"
            )
        e = np.clip(e, lo, hi)
    observed = np.unique(e[np.isfinite(e)]).astype(int)
    if reference not in observed:
        raise ValueError(f"reference: event time {reference} is not observed for any treated unit")
    keep = [int(v) for v in observed if v != reference]
    if not np.any(~d.ever_treated):
        dropped = keep.pop(0)
        notes.append(
            f"no never-treated units: event time {dropped} also left out (normalised to 0)"
        )
    if not keep:
        raise ValueError("cohort: no event time besides the reference period to estimate")
    x = np.stack([(e == v) for v in keep], axis=2).astype(float)
    return x, keep, tuple(notes)


class NotIdentified(ValueError):
    """The event-time coefficients are not identified next to the unit and period effects;
    the message names the lost combinations, the reason where known and the cures."""


def check_identified(reg: Regression, d: StaggeredDesign) -> None:
    """Raise :class:`NotIdentified` naming the problem if the event-time dummies of ``reg`` are
    not identified next to the unit and period effects (rank-deficient demeaned regressors)."""
    w = np.ones(reg.x.shape[0]) if reg.weights is None else reg.weights
    xtx = reg.x.T @ (reg.x * w[:, None])
    values, vectors = np.linalg.eigh(xtx)
    null = vectors[:, values <= 1e-9 * max(float(values.max(initial=0.0)), 1.0)]
    if null.shape[1] == 0:
        return
    lost = [n for n, row in zip(reg.names, null, strict=True) if np.abs(row).max() > 1e-6]
    shown = ", ".join(lost[:8]) + (", ..." if len(lost) > 8 else "")
    message = (
        f"event study not identified: {null.shape[1]} linear combination(s) of the event-time "
        f"coefficients ({shown}) are absorbed by the unit and period effects"
    )
    cohorts = d.cohorts()
    cohorts = cohorts[cohorts > d.times[0]].astype(int)
    if not np.any(~d.ever_treated):
        if cohorts.size < 2:
            reason = "a single cohort and no never-treated units: event time is calendar time"
        else:
            step = math.gcd(*(int(g - cohorts[0]) for g in cohorts[1:]))
            reason = (
                f"there are no never-treated units and all cohorts ({', '.join(map(str, cohorts))}) "
                f"start a multiple of {step} periods apart, so event time modulo {step} moves in "
                "step with calendar time"
                if step > 1
                else "there are no never-treated units"
            )
        message += f" ({reason})"
    raise NotIdentified(
        message
        + ". Bin the distant event times with window=(lo, hi), add never-treated comparison "
        "units, or use Callaway-Sant'Anna (not-yet-treated controls), Sun-Abraham or imputation."
    )


def t_estimates(
    names: tuple[str, ...],
    coef: np.ndarray,
    vcov: np.ndarray,
    keys: list[dict[str, Any]],
    level: float,
    n_clusters: int,
) -> list[Estimate]:
    """Estimates with t(G-1) intervals and p-values, as Stata and fixest report for clustered
    SEs."""
    se = np.sqrt(np.maximum(np.diag(vcov), 0.0))
    return [
        Estimate.normal(name, float(b), float(s), level=level, key=key, df=n_clusters - 1)
        for name, b, s, key in zip(names, coef, se, keys, strict=True)
    ]


def check_level(level: float) -> None:
    """Raise if ``level`` is not a probability strictly between 0 and 1."""
    if not 0 < level < 1:
        raise ValueError(f"level: must be between 0 and 1, got {level}")
