"""Immutable results objects shared by every estimator.

An estimator returns an :class:`EffectTable` (one row per estimated parameter: a group-time ATT,
an event time, an aggregate) plus whatever design facts a report needs. Reports, plots and the
evaluation app read only these types, so estimators can be swapped without touching them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from scipy import stats as _sp


@dataclass(frozen=True, slots=True)
class Estimate:
    """One estimated parameter with its uncertainty.

    ``label`` names it for people ("ATT(2021, 2022)", "e=-2", "overall"); ``key`` holds the
    structured coordinates (e.g. ``{"group": 2021, "time": 2022}`` or ``{"event_time": -2}``).
    ``ci_low``/``ci_high`` are pointwise intervals; ``band_low``/``band_high`` simultaneous
    (uniform) bands when the estimator provides them. ``df`` is set when the interval and the
    p-value use the t distribution with ``df`` degrees of freedom (``None``: normal).
    """

    label: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    key: Mapping[str, Any] = field(default_factory=dict)
    band_low: float | None = None
    band_high: float | None = None
    n: int | None = None
    df: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", MappingProxyType(dict(self.key)))

    @property
    def z(self) -> float:
        return self.estimate / self.se if self.se and self.se > 0 else math.nan

    @property
    def p_value(self) -> float:
        """Two-sided p-value: normal, or t(``df``) when ``df`` is set."""
        z = self.z
        if math.isnan(z):
            return math.nan
        tail = _sp.norm.sf(abs(z)) if self.df is None else _sp.t.sf(abs(z), self.df)
        return float(2 * tail)

    @classmethod
    def normal(
        cls,
        label: str,
        estimate: float,
        se: float,
        *,
        level: float = 0.95,
        key: Mapping[str, Any] | None = None,
        crit: float | None = None,
        n: int | None = None,
        df: int | None = None,
    ) -> Estimate:
        """Estimate with a normal pointwise interval (t(``df``) when ``df`` is given); ``crit``
        adds a uniform band."""
        q = critical_value(level, df)
        band = (estimate - crit * se, estimate + crit * se) if crit is not None else (None, None)
        return cls(
            label,
            float(estimate),
            float(se),
            float(estimate - q * se),
            float(estimate + q * se),
            key or {},
            band[0],
            band[1],
            n,
            df,
        )


def critical_value(level: float, df: int | None = None) -> float:
    """Two-sided critical value of a ``level`` interval: normal, or t(``df``)."""
    p = 0.5 + level / 2
    return float(_sp.norm.ppf(p) if df is None else _sp.t.ppf(p, df))


@dataclass(frozen=True, slots=True)
class SmallSample:
    """The few-clusters correction of cluster-robust inference (``small_sample=True``).

    With ``G`` clusters the variance is multiplied by ``G/(G-1)`` (the cluster part of Stata's
    and fixest's CR1 factor) and intervals and p-values use t(``G-1``) critical values (as
    Stata ``regress, vce(cluster)`` and fixest report them; Cameron and Miller 2015, J. Human
    Resources 50(2), section VI). ``SmallSample.none()`` (``G`` = 0) changes nothing: the
    asymptotic normal inference of R ``did`` and diff-diff (which the reference tests match).
    """

    n_clusters: int = 0

    @classmethod
    def none(cls) -> SmallSample:
        return cls(0)

    @classmethod
    def of(cls, on: bool, n_clusters: int) -> SmallSample:
        if on and n_clusters < 2:
            raise ValueError(f"small_sample: need at least two clusters, got {n_clusters}")
        return cls(int(n_clusters) if on else 0)

    @property
    def active(self) -> bool:
        return self.n_clusters > 0

    @property
    def variance_factor(self) -> float:
        g = self.n_clusters
        return g / (g - 1) if self.active else 1.0

    @property
    def df(self) -> int | None:
        return self.n_clusters - 1 if self.active else None

    def describe(self) -> str:
        if not self.active:
            return "normal intervals"
        return f"G/(G-1) factor and t({self.df}) intervals ({self.n_clusters} clusters)"


@dataclass(frozen=True, slots=True)
class EffectTable:
    """An ordered, immutable collection of estimates from one estimator run."""

    estimator: str
    estimates: tuple[Estimate, ...]
    level: float = 0.95
    notes: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "estimates", tuple(self.estimates))
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    def __iter__(self) -> Iterator[Estimate]:
        return iter(self.estimates)

    def __len__(self) -> int:
        return len(self.estimates)

    def by_label(self, label: str) -> Estimate:
        for e in self.estimates:
            if e.label == label:
                return e
        raise KeyError(f"{self.estimator}: no estimate labelled {label!r}")

    def where(self, **key: Any) -> tuple[Estimate, ...]:
        return tuple(e for e in self.estimates if all(e.key.get(k) == v for k, v in key.items()))

    def as_rows(self) -> list[dict[str, Any]]:
        """Plain rows for tables, exports and JSON (one dict per estimate)."""
        return [
            {
                "label": e.label,
                **dict(e.key),
                "estimate": e.estimate,
                "se": e.se,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
                "band_low": e.band_low,
                "band_high": e.band_high,
                "p_value": e.p_value,
                "n": e.n,
            }
            for e in self.estimates
        ]


def table(
    estimator: str,
    estimates: Sequence[Estimate],
    *,
    level: float = 0.95,
    notes: Sequence[str] = (),
    **meta: Any,
) -> EffectTable:
    return EffectTable(estimator, tuple(estimates), level, tuple(notes), meta)
