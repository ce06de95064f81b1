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
    (uniform) bands when the estimator provides them.
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", MappingProxyType(dict(self.key)))

    @property
    def z(self) -> float:
        return self.estimate / self.se if self.se and self.se > 0 else math.nan

    @property
    def p_value(self) -> float:
        """Two-sided p-value from the normal approximation."""
        z = self.z
        return math.nan if math.isnan(z) else float(2 * _sp.norm.sf(abs(z)))

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
    ) -> Estimate:
        """Estimate with a normal pointwise interval; ``crit`` adds a uniform band."""
        q = float(_sp.norm.ppf(0.5 + level / 2))
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
        )


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
