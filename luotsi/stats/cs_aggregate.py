"""Aggregations of group-time effects, as R ``did::aggte`` computes them.

Every aggregate is a weighted sum of ATT(g,t) (weights ``W``), and its influence function adds a
correction ``A`` for having estimated the cohort shares ``pg`` (R's ``wif``). This module only
builds ``W`` (``K x J``) and ``A`` (``H x J``); the influence representation applies them.

Types (R names in brackets):

* ``simple``: post-treatment ATT(g,t) averaged with weights proportional to cohort size.
* ``group`` (selective): per cohort the mean of its post-treatment effects; ``overall`` weights
  cohorts by size.
* ``dynamic`` (event study): per event time ``e = t - g`` the size-weighted mean over cohorts;
  ``overall`` is the mean over ``e >= 0``. ``min_e``/``max_e`` limit event times, ``balance_e``
  keeps only cohorts observed for at least ``balance_e`` periods after treatment.
* ``calendar``: per period the size-weighted mean over cohorts already treated; ``overall`` is
  the mean over periods.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

KINDS = ("simple", "group", "dynamic", "calendar")


@dataclass(frozen=True, slots=True)
class Aggregation:
    """Weights of each aggregate parameter (columns) and which ones get a uniform band."""

    kind: str
    labels: tuple[str, ...]
    keys: tuple[dict[str, Any], ...]
    w: np.ndarray  # (K, J)
    a: np.ndarray  # (H, J)
    banded: np.ndarray  # (J,) bool


def _share_weights(keep: np.ndarray, pg: np.ndarray, att: np.ndarray, g_idx: np.ndarray, h: int):
    """Weights proportional to ``pg`` over ``keep`` and R's ``wif`` correction."""
    w = np.zeros(len(att))
    a = np.zeros(h)
    if not keep.any():
        return w * math.nan, a
    total = pg[keep].sum()
    w[keep] = pg[keep] / total
    theta = float(att[keep] @ w[keep])
    np.add.at(a, g_idx[keep], (att[keep] - theta) / total)
    return w, a


def build(
    kind: str,
    *,
    group: np.ndarray,
    time: np.ndarray,
    att: np.ndarray,
    g_idx: np.ndarray,
    cohorts: np.ndarray,
    cohort_share: np.ndarray,
    min_e: float = -math.inf,
    max_e: float = math.inf,
    balance_e: int | None = None,
) -> Aggregation:
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    h = len(cohorts)
    pg = cohort_share[g_idx]
    cols: list[tuple[str, dict[str, Any], np.ndarray, np.ndarray, bool]] = []
    if kind == "simple":
        keep = (group <= time) & (time <= group + max_e)
        w, a = _share_weights(keep, pg, att, g_idx, h)
        cols.append(("overall", {"overall": True}, w, a, False))
    elif kind == "group":
        per: list[tuple[int, np.ndarray]] = []
        for gi, g in enumerate(cohorts):
            keep = (group == g) & (g <= time) & (time <= group + max_e)
            if g == 0 or not keep.any():
                continue
            w = np.where(keep, 1.0 / keep.sum(), 0.0)
            per.append((gi, w))
            cols.append((f"g={_fmt(g)}", {"group": _num(g)}, w, np.zeros(h), True))
        if per:
            gis = np.array([gi for gi, _ in per])
            theta_g = np.array([att @ w for _, w in per])
            wg, ag = _share_weights(np.ones(len(per), bool), cohort_share[gis], theta_g, gis, h)
            w_all = np.column_stack([w for _, w in per]) @ wg
            cols.append(("overall", {"overall": True}, w_all, ag, False))
    elif kind == "dynamic":
        event = time - group
        include = np.ones(len(att), dtype=bool)
        eseq = np.unique(event)
        if balance_e is not None:
            include = time.max() - group >= balance_e
            eseq = np.unique(event[include])
            eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - time.max() + time.min())]
        eseq = eseq[(eseq >= min_e) & (eseq <= max_e)]
        pos_w, pos_a = [], []
        for e in eseq:
            keep = (event == e) & include
            w, a = _share_weights(keep, pg, att, g_idx, h)
            cols.append((f"e={_fmt(e)}", {"event_time": _num(e)}, w, a, True))
            if e >= 0:
                pos_w.append(w)
                pos_a.append(a)
        if pos_w:
            cols.append(("overall", {"overall": True}, np.mean(pos_w, 0), np.mean(pos_a, 0), False))
    else:  # calendar
        periods = np.unique(time)
        periods = periods[periods >= group.min()] if len(group) else periods
        all_w, all_a = [], []
        for t1 in periods:
            keep = (time == t1) & (group <= time)
            if not keep.any():
                continue
            w, a = _share_weights(keep, pg, att, g_idx, h)
            cols.append((f"t={_fmt(t1)}", {"time": _num(t1)}, w, a, True))
            all_w.append(w)
            all_a.append(a)
        if all_w:
            cols.append(("overall", {"overall": True}, np.mean(all_w, 0), np.mean(all_a, 0), False))
    if not cols:
        raise ValueError(f"aggregate {kind!r}: no group-time effects to aggregate")
    return Aggregation(
        kind,
        tuple(c[0] for c in cols),
        tuple(c[1] for c in cols),
        np.column_stack([c[2] for c in cols]),
        np.column_stack([c[3] for c in cols]),
        np.array([c[4] for c in cols]),
    )


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _fmt(x: float) -> str:
    return str(_num(x))
