"""Goodman-Bacon (2021) decomposition of the static TWFE coefficient into 2x2 comparisons.

In a balanced panel without covariates the TWFE coefficient on ``D_it = 1[t >= g_i]`` equals
``sum_c s_c * beta_c`` over all 2x2 difference-in-differences ``beta_c`` between timing groups,
with weights ``s_c >= 0`` summing to one (Goodman-Bacon 2021, Theorem 1). With group shares
``n_k``, ``n_kl = n_k / (n_k + n_l)`` and ``Dbar_k`` (the share of periods group ``k`` is
treated):

* *treated vs never treated* ``k`` vs ``U``: weight ``(n_k + n_U)^2 n_kU (1 - n_kU)
  Dbar_k (1 - Dbar_k)``;
* *earlier vs later treated* (``k`` treated first, ``l`` not yet treated is the control; window
  before ``l`` starts): ``((n_k + n_l)(1 - Dbar_l))^2 n_kl (1 - n_kl)
  (Dbar_k - Dbar_l)/(1 - Dbar_l) * (1 - Dbar_k)/(1 - Dbar_l)``;
* *later vs earlier treated* (``l`` treated, the already treated ``k`` is the control; window
  after ``k`` started): ``((n_k + n_l) Dbar_k)^2 n_kl (1 - n_kl) (Dbar_l/Dbar_k)
  (Dbar_k - Dbar_l)/Dbar_k``. These "forbidden" comparisons are why TWFE is biased when effects
  change over time. Units treated from the first period (*always treated*) enter only here.

The weights are normalised by their sum (the variance of the demeaned treatment). Unit-constant
sampling weights are allowed: shares and group means are then weighted, and the identity still
holds exactly. The result stores the TWFE coefficient it decomposes so the identity can be
checked (``recomposed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from luotsi.stats.linalg import demean_two_way
from luotsi.stats.staggered import as_panel, design

TREATED_VS_NEVER = "treated vs never treated"
EARLIER_VS_LATER = "earlier vs later treated"
LATER_VS_EARLIER = "later vs earlier treated"
LATER_VS_ALWAYS = "later vs always treated"
TYPES = (TREATED_VS_NEVER, EARLIER_VS_LATER, LATER_VS_EARLIER, LATER_VS_ALWAYS)
NEVER = 0


@dataclass(frozen=True, slots=True)
class Comparison:
    """One 2x2 comparison: ``treated`` and ``control`` cohorts (0 = never treated)."""

    type: str
    treated: float
    control: float
    estimate: float
    weight: float


@dataclass(frozen=True, slots=True)
class BaconResult:
    """All 2x2 comparisons, the TWFE coefficient and summaries by comparison type."""

    comparisons: tuple[Comparison, ...]
    twfe_estimate: float
    notes: tuple[str, ...] = ()

    @property
    def recomposed(self) -> float:
        """``sum(weight * estimate)``: equals ``twfe_estimate`` up to rounding."""
        return float(sum(c.weight * c.estimate for c in self.comparisons))

    def by_type(self) -> dict[str, dict[str, float]]:
        """Total weight and weighted average estimate per comparison type."""
        out: dict[str, dict[str, float]] = {}
        for kind in TYPES:
            rows = [c for c in self.comparisons if c.type == kind]
            if not rows:
                continue
            weight = sum(c.weight for c in rows)
            avg = sum(c.weight * c.estimate for c in rows) / weight if weight > 0 else float("nan")
            out[kind] = {"weight": float(weight), "estimate": float(avg)}
        return out

    def as_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "type": c.type,
                "treated": c.treated,
                "control": c.control,
                "estimate": c.estimate,
                "weight": c.weight,
            }
            for c in self.comparisons
        ]


def bacon_decomposition(
    data: Any = None,
    *,
    unit: Any = None,
    time: Any = None,
    cohort: Any = None,
    outcome: Any = None,
    weights: Any = None,
) -> BaconResult:
    """Decompose the static TWFE coefficient (input as for :func:`luotsi.stats.twfe.twfe`)."""
    d = design(
        as_panel(data, unit=unit, time=time, cohort=cohort, outcome=outcome, weights=weights)
    )
    times = d.times
    n_t = times.shape[0]
    w = d.unit_weights
    total = w.sum()
    groups = np.unique(d.cohort)  # 0 (never) first when present
    share: dict[float, float] = {}
    path: dict[float, np.ndarray] = {}
    dbar: dict[float, float] = {}
    for g in groups:
        rows = d.cohort == g
        share[g] = float(w[rows].sum() / total)
        path[g] = (w[rows, None] * d.y[rows]).sum(axis=0) / w[rows].sum()
        dbar[g] = 0.0 if g == NEVER else float(np.mean(times >= g))
    treated = [g for g in groups if g != NEVER]
    if not treated:
        raise ValueError("cohort: no unit is treated within the sample period")

    def mean(g: float, sel: np.ndarray) -> float:
        return float(path[g][sel].mean())

    comps: list[tuple[str, float, float, float, float]] = []
    for k in treated:
        post_k, pre_k = times >= k, times < k
        if NEVER in share and 0 < dbar[k] < 1:
            nk, nu = share[k], share[NEVER]
            nku = nk / (nk + nu)
            raw = (nk + nu) ** 2 * nku * (1 - nku) * dbar[k] * (1 - dbar[k])
            beta = mean(k, post_k) - mean(k, pre_k) - (mean(NEVER, post_k) - mean(NEVER, pre_k))
            comps.append((TREATED_VS_NEVER, k, NEVER, beta, raw))
        for l_ in treated:
            if l_ <= k:
                continue
            nk, nl = share[k], share[l_]
            nkl = nk / (nk + nl)
            dk, dl = dbar[k], dbar[l_]
            mid = (times >= k) & (times < l_)
            if dk < 1:  # k earlier, l not yet treated as control
                raw = (
                    ((nk + nl) * (1 - dl)) ** 2
                    * nkl
                    * (1 - nkl)
                    * (dk - dl)
                    / (1 - dl)
                    * (1 - dk)
                    / (1 - dl)
                )
                beta = mean(k, mid) - mean(k, pre_k) - (mean(l_, mid) - mean(l_, pre_k))
                comps.append((EARLIER_VS_LATER, k, l_, beta, raw))
            if dl > 0:  # l treated, already-treated k as control
                post_l = times >= l_
                raw = ((nk + nl) * dk) ** 2 * nkl * (1 - nkl) * (dl / dk) * (dk - dl) / dk
                beta = mean(l_, post_l) - mean(l_, mid) - (mean(k, post_l) - mean(k, mid))
                kind = LATER_VS_ALWAYS if dk >= 1 else LATER_VS_EARLIER
                comps.append((kind, l_, k, beta, raw))
    raw_total = sum(c[4] for c in comps)
    if raw_total <= 0:
        raise ValueError("cohort: the treatment does not vary within units and periods")
    comparisons = tuple(
        Comparison(kind, float(tr), float(co), float(beta), float(raw / raw_total))
        for kind, tr, co, beta, raw in comps
        if raw > 0
    )
    return BaconResult(comparisons, _twfe_coefficient(d.treated, d.y, d.weights, n_t), d.notes)


def _twfe_coefficient(
    treated: np.ndarray, y: np.ndarray, weights: np.ndarray | None, n_t: int
) -> float:
    """The static TWFE coefficient (weighted within regression of ``y`` on ``D``)."""
    dd = demean_two_way(treated.astype(float), weights)
    yd = demean_two_way(y, weights)
    w = np.ones(y.shape[0]) if weights is None else weights
    return float((w[:, None] * dd * yd).sum() / (w[:, None] * dd * dd).sum())
