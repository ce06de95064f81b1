"""Multiplier (weighted) bootstrap for influence-function based estimators.

The perturbed estimate for draw ``b`` is ``(1/n) * sum_c V[b, c] * S[c]`` where ``S[c]`` is the
sum of the influence function over the units of cluster ``c`` (a unit is its own cluster when
no clustering is asked for) and ``V`` are i.i.d. multipliers with mean 0 and variance 1:
Mammen's two-point weights (R ``did``'s default) or Rademacher signs.

Standard errors and the uniform (sup-t) critical value follow R ``did``'s ``mboot``: the standard
error is the bootstrap interquartile range divided by that of the standard normal, and the
critical value is the ``level`` quantile (type 1) of ``max_j |draw_j| / se_j`` over the draws.
The multipliers are generated in fixed column chunks from one seed, so the same draws are
reproduced for the group-time effects and for every aggregation of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import stats as _sp

_SQRT5 = math.sqrt(5.0)
_MAMMEN_LOW = (1 - _SQRT5) / 2
_MAMMEN_HIGH = (1 + _SQRT5) / 2
_MAMMEN_P_LOW = (_SQRT5 + 1) / (2 * _SQRT5)
_TINY = math.sqrt(np.finfo(float).eps) * 10
_IQR_NORMAL = float(_sp.norm.ppf(0.75) - _sp.norm.ppf(0.25))


@dataclass(frozen=True, slots=True)
class Multipliers:
    """A reproducible ``draws x n_clusters`` multiplier matrix, generated chunk by chunk."""

    draws: int
    n_clusters: int
    seed: int | None = None
    kind: str = "mammen"
    chunk: int = 4096

    def __post_init__(self) -> None:
        if self.kind not in ("mammen", "rademacher"):
            raise ValueError(f"multiplier: expected 'mammen' or 'rademacher', got {self.kind!r}")
        if self.draws < 1:
            raise ValueError(f"bootstrap: need at least one draw, got {self.draws}")

    def chunks(self) -> Iterator[tuple[slice, np.ndarray]]:
        """Yield ``(cluster slice, V[:, slice])`` in order; identical on every call."""
        rng = np.random.default_rng(self.seed)
        for start in range(0, self.n_clusters, self.chunk):
            stop = min(start + self.chunk, self.n_clusters)
            u = rng.random((self.draws, stop - start))
            if self.kind == "mammen":
                v = np.where(u < _MAMMEN_P_LOW, _MAMMEN_LOW, _MAMMEN_HIGH)
            else:
                v = np.where(u < 0.5, -1.0, 1.0)
            yield slice(start, stop), v

    def apply(self, sums: np.ndarray) -> np.ndarray:
        """``V @ sums`` for a ``(n_clusters, J)`` matrix of cluster sums -> ``(draws, J)``."""
        if sums.shape[0] != self.n_clusters:
            raise ValueError(f"cluster sums have {sums.shape[0]} rows, expected {self.n_clusters}")
        out = np.zeros((self.draws, sums.shape[1]))
        for sl, v in self.chunks():
            out += v @ sums[sl]
        return out


@dataclass(frozen=True, slots=True)
class BootstrapSummary:
    """Standard errors (NaN where degenerate) and the uniform-band critical value."""

    se: np.ndarray
    crit: float


def summarise(draws: np.ndarray, level: float) -> BootstrapSummary:
    """R ``mboot``: IQR-based standard errors and the sup-t critical value at ``level``."""
    q75 = np.quantile(draws, 0.75, axis=0, method="inverted_cdf")
    q25 = np.quantile(draws, 0.25, axis=0, method="inverted_cdf")
    se = (q75 - q25) / _IQR_NORMAL
    se = np.where(se <= _TINY, np.nan, se)
    ok = np.isfinite(se)
    if not ok.any():
        return BootstrapSummary(se, math.nan)
    t_max = np.max(np.abs(draws[:, ok] / se[ok]), axis=1)
    t_max = t_max[np.isfinite(t_max)]
    crit = float(np.quantile(t_max, level, method="inverted_cdf"))
    return BootstrapSummary(se, crit)
