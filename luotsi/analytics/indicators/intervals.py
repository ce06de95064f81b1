"""Stocks and customer-days of intervals per municipality (and key) and period, with numpy.

``interval_measures(con, name, intervals, weights=...)`` materialises the temp table ``name``
with ``(municipality_code, *keys, period_start, <w>_at [, <w>_prev] [, <w>_days])``:

* ``<w>_at``   the sum of the weights of the intervals containing the period's counting day
  (``period_end``);
* ``<w>_prev`` the same on the day before the period starts (``prev=True``; O9/O10's
  denominator);
* ``<w>_days`` the sum over the period's days (customer-days; ``days=True``).

``intervals`` is SQL yielding ``municipality_code, *keys, start_on, end_on`` (``[start_on,
end_on)``, ``end_on`` NULL for open) and the columns the weight expressions use. Rows where every
measure is 0 are left out (the engine's spine fills them in).

How: DuckDB clamps each interval to the spine's day range and hands over day offsets and weights
as Arrow arrays; numpy adds +w at the start and -w at the end into a dense
(municipality x key) x day grid with ``bincount``, accumulates the level along the days with
``cumsum`` and reads it on the counting days (and its running sum for customer-days). That is
O(intervals + cells): 300 municipalities x 3,700 days are 1.1M cells, and the window sort over
(municipality, day) that the SQL version needed is gone. Large key sets (workers) are processed
in slices of the grid so memory stays bounded (``MAX_CELLS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .sqlkit import FAR

#: Largest grid slice (groups x columns) computed at once: float64, about three arrays of the
#: slice live at a time (deltas/level, the read-out, the running sum for customer-days), so
#: ~24-32 bytes a cell: 16M cells are ~0.5 GB at most; national stocks use ~1M (300 x 3,700).
MAX_CELLS = 16_000_000

#: Largest combined key code before the codes are compacted (int64 must not overflow).
MAX_CODE = 2**62

_EPOCH = dt.date(1970, 1, 1)


def _spine(con) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """(period_start, period_end) as day numbers and period_start as Arrow dates."""
    t = con.sql("SELECT period_start, period_end FROM _periods ORDER BY period_start")
    t = t.to_arrow_table()
    starts = t.column("period_start").combine_chunks()
    s = starts.cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)
    e = t.column("period_end").combine_chunks().cast(pa.int32()).to_numpy(zero_copy_only=False)
    return s, e.astype(np.int64), starts


def _codes(table: pa.Table, columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """A dense group index per row for the combination of ``columns`` (NULL is a value), and
    one row index per group (to read the group's key values back)."""
    combined = np.zeros(table.num_rows, dtype=np.int64)
    size = 1
    for c in columns:
        enc = pc.dictionary_encode(table.column(c).combine_chunks(), null_encoding="encode")
        idx = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        n = max(len(enc.dictionary), 1)
        if size * n > MAX_CODE:  # compact before int64 could overflow (many large keys)
            uniques, combined = np.unique(combined, return_inverse=True)
            size = len(uniques)
        combined = combined * n + idx
        size *= n
    if size <= 4 * table.num_rows + 1_000_000:  # dense remap, O(rows)
        present = np.zeros(size, dtype=bool)
        present[combined] = True
        remap = np.cumsum(present) - 1
        code = remap[combined]
    else:
        _, code = np.unique(combined, return_inverse=True)
    n_groups = int(code.max()) + 1 if len(code) else 0
    first = np.empty(n_groups, dtype=np.int64)
    first[code] = np.arange(len(code))  # a row of each group (all its rows share the keys)
    return code, first


def interval_measures(
    con,
    name: str,
    intervals: str,
    *,
    weights: Mapping[str, str],
    keys: Sequence[str] = (),
    prev: bool = False,
    days: bool = False,
) -> str:
    """Create the temp table ``name`` (see the module docstring); return ``name``. The periods
    are read from the temp table ``_periods(period_start, period_end)`` of the engine."""
    ps, pe, starts = _spine(con)
    if not len(ps):
        raise ValueError(f"interval_measures({name!r}): the _periods table has no periods")
    lo = int(min(ps.min() - 1, pe.min())) - 1
    hi = int(max(pe.max(), ps.max())) + 1
    lo_d, hi_d = _EPOCH + dt.timedelta(days=lo), _EPOCH + dt.timedelta(days=hi)
    names = list(weights)
    w_sel = ", ".join(f"CAST(({expr}) AS DOUBLE) AS {n}" for n, expr in weights.items())
    cols = ["municipality_code", *keys]
    rows = con.sql(
        f"""SELECT {", ".join(cols)}, s, e, {", ".join(names)} FROM (
          SELECT {", ".join(cols)},
            CAST(greatest(DATE '{lo_d}', least(DATE '{hi_d}', start_on)) - DATE '{lo_d}'
              AS INTEGER) AS s,
            CAST(greatest(DATE '{lo_d}', least(DATE '{hi_d}', coalesce(end_on, {FAR})))
              - DATE '{lo_d}' AS INTEGER) AS e, {w_sel}
          FROM ({intervals}) q
          WHERE start_on IS NOT NULL AND start_on < coalesce(end_on, {FAR})) x
        WHERE s < e"""
    ).to_arrow_table()
    code, first = _codes(rows, cols)
    start = rows.column("s").to_numpy().astype(np.int64)
    end = rows.column("e").to_numpy().astype(np.int64)
    w = {n: rows.column(n).to_numpy(zero_copy_only=False).astype(np.float64) for n in names}
    w = {n: np.nan_to_num(v) for n, v in w.items()}  # a NULL weight counts as 0, as sum() does
    n_groups = len(first)
    # The grid's columns: every day of the spine for customer-days, else only the points the
    # stocks are read on (one column per period: 10k workers x 121 points instead of x 3,700
    # days). An interval [s, e) adds its weight to the columns c with s <= axis[c] < e.
    axis = np.arange(hi - lo + 1) if days else np.unique(np.r_[pe, ps - 1] if prev else pe) - lo
    if not days:
        start, end = np.searchsorted(axis, start), np.searchsorted(axis, end)
    width = len(axis) + 1
    at_idx = np.searchsorted(axis, pe - lo)
    prev_idx = np.searchsorted(axis, ps - 1 - lo)
    measures: dict[str, list[np.ndarray]] = {}
    group_parts, period_parts = [], []
    step = max(1, MAX_CELLS // width)  # groups per slice of the grid
    slices = [(0, n_groups, slice(None))] if 0 < n_groups <= step else []
    if n_groups > step:  # rows sorted by group, cut where each slice of groups begins
        order = np.argsort(code, kind="stable")
        cut = np.searchsorted(code[order], np.arange(0, n_groups + step, step))
        slices = [
            (g0, min(g0 + step, n_groups), order[cut[k] : cut[k + 1]])
            for k, g0 in enumerate(range(0, n_groups, step))
        ]
    for g0, g1, sel in slices:
        local = code[sel] - g0
        cells = (g1 - g0) * width
        fs, fe = local * width + start[sel], local * width + end[sel]
        out: dict[str, np.ndarray] = {}
        for n in names:
            ws = w[n][sel]
            level = np.bincount(np.r_[fs, fe], np.r_[ws, -ws], cells).reshape(g1 - g0, width)
            np.cumsum(level, axis=1, out=level)
            out[f"{n}_at"] = level[:, at_idx]
            if prev:
                out[f"{n}_prev"] = level[:, prev_idx]
            if days:
                run = np.zeros((g1 - g0, width + 1))
                np.cumsum(level, axis=1, out=run[:, 1:])
                out[f"{n}_days"] = run[:, pe - lo + 1] - run[:, ps - lo]
        nonzero = np.zeros(out[next(iter(out))].shape, dtype=bool)
        for v in out.values():
            nonzero |= v != 0
        gi, pi = np.nonzero(nonzero)
        group_parts.append(gi + g0)
        period_parts.append(pi)
        for c, v in out.items():
            measures.setdefault(c, []).append(v[gi, pi])
    gi = np.concatenate(group_parts) if group_parts else np.zeros(0, dtype=np.int64)
    pi = np.concatenate(period_parts) if period_parts else np.zeros(0, dtype=np.int64)
    rows_of = pa.array(first[gi]) if len(first) else pa.array([], pa.int64())
    table = {c: rows.column(c).take(rows_of) for c in cols}
    table["period_start"] = starts.take(pa.array(pi, pa.int64()))
    suffixes = ["_at", *(["_prev"] if prev else []), *(["_days"] if days else [])]
    for n in names:
        for suffix in suffixes:
            parts = measures.get(f"{n}{suffix}", [])
            table[f"{n}{suffix}"] = pa.array(
                np.concatenate(parts) if parts else np.zeros(0), pa.float64()
            )
    con.register(f"{name}_in", pa.table(table))
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_in")
    finally:
        con.unregister(f"{name}_in")
    return name
