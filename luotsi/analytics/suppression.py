"""Small-cell suppression with secondary suppression across the area hierarchy.

Rule (Statistics Finland's, the default): a cell is hidden when a *count* in it (the definition's
``count_fields``: numerator and/or denominator) is between 1 and ``threshold - 1`` (1-4 with the
default threshold 5); a ratio whose numerator or denominator is hidden is hidden with it.

Secondary suppression makes sure no hidden cell can be recovered from published totals. For
additive indicators the cells are linked by linear relations: a parent (area, pilot, region,
country) equals the sum of its member municipalities, a group type whose groups partition a parent
(e.g. areas in the country) gives another relation, and a total row (dimension '') equals the sum
of its rows by provider, offering or channel. Per slice (indicator, period, dimension value):

1. whenever exactly one child of a visible parent is hidden, the smallest visible sibling is
   hidden too (or the parent, when no sibling is left); repeated until stable;
2. an **audit** then solves the linear system of all published relations: for a hidden cell
   whose value is determined (its row of the null-space basis is zero) the smallest visible cell
   linked to it that makes it undetermined is hidden too, and the loop repeats.

After ``suppress`` no hidden cell is determined by the published cells and the relations
(tests check this by linear algebra on random hierarchies). Hidden cells can still be *bounded*
(e.g. two hidden cells summing to 7); that is the accepted standard of cell suppression.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from scipy.linalg import null_space

from .indicators.definitions import definitions

DEFAULT_THRESHOLD = 5
SUPPRESSED = "suppressed"
HIDDEN_COLUMNS = ("numerator", "denominator", "value", "value_low", "value_high")


@dataclass(frozen=True)
class Relation:
    """``parent`` = sum of ``children``; groups are (group_type, group_code)."""

    period_start: dt.date
    parent: tuple[str, str]
    children: tuple[tuple[str, str], ...]


class SuppressionError(ValueError):
    pass


def _count_fields() -> dict[str, tuple[tuple[str, ...], bool]]:
    out: dict[str, tuple[tuple[str, ...], bool]] = {}
    for d in definitions():
        out[d.code] = (d.count_fields, d.additive)
    return out


def is_small(value: float | None, threshold: int) -> bool:
    return value is not None and 0 < value < threshold


def hierarchy_from_store(store, table: pa.Table) -> list[Relation]:
    """Relations for the groups and periods in ``table`` from the store's memberships.

    For each period: every group = sum of its member municipalities (membership valid on the
    period's last day), and a group type whose groups exactly partition a parent's members gives
    parent = sum of those groups.
    """
    if table.num_rows == 0:
        return []
    periods = sorted(set(table.column("period_start").to_pylist()))
    ends = {
        r[0]: r[1]
        for r in zip(
            table.column("period_start").to_pylist(),
            table.column("period_end").to_pylist(),
            strict=True,
        )
    }
    rows = store.con.execute(
        "SELECT group_type, group_code, municipality_code, valid_from, valid_to FROM ref_membership"
    ).fetchall()
    out: list[Relation] = []
    for p in periods:
        day = ends[p]
        members: dict[tuple[str, str], set[str]] = defaultdict(set)
        for gtype, gcode, muni, vf, vt in rows:
            if vf <= day and (vt is None or day <= vt):
                members[(gtype, gcode)].add(muni)
        for g, ms in members.items():
            out.append(Relation(p, g, tuple(("municipality", m) for m in sorted(ms))))
        by_type: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for g in members:
            by_type[g[0]].append(g)
        for parent, pm in members.items():
            for ctype, groups in by_type.items():
                if ctype == parent[0]:
                    continue
                kids = [g for g in groups if members[g] and members[g] <= pm]
                covered: set[str] = set()
                disjoint = True
                for g in kids:
                    if covered & members[g]:
                        disjoint = False
                        break
                    covered |= members[g]
                if kids and disjoint and covered == pm and len(kids) > 1:
                    out.append(Relation(p, parent, tuple(sorted(kids))))
    return out


def suppress(
    table: pa.Table,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    hierarchy: Iterable[Relation] | None = None,
    store=None,
    audit: bool = True,
) -> pa.Table:
    """Return ``table`` (engine output) with small cells and their protecting cells hidden.

    ``hierarchy``: relations between groups; built from ``store`` when not given (if neither is
    given, only the dimension relations are used). Hidden cells get ``status = 'suppressed'``
    and NULL numerator, denominator and values.
    """
    if threshold < 1:
        raise SuppressionError("threshold must be at least 1")
    missing = {"indicator", "group_type", "group_code", "period_start", *HIDDEN_COLUMNS} - set(
        table.column_names
    )
    if missing:
        raise SuppressionError(f"the table lacks column(s) {sorted(missing)}")
    if hierarchy is None:
        hierarchy = hierarchy_from_store(store, table) if store is not None else []
    fields = _count_fields()
    rows = table.to_pylist()
    hidden = [False] * len(rows)
    for i, r in enumerate(rows):
        spec = fields.get(r["indicator"], (("numerator", "denominator"), True))
        if r.get("status") == SUPPRESSED or any(is_small(r[f], threshold) for f in spec[0]):
            hidden[i] = True
    # Index cells by slice and group.
    cell: dict[tuple, int] = {}
    for i, r in enumerate(rows):
        key = (
            r["indicator"],
            r["period_start"],
            r.get("dimension", "") or "",
            r.get("dimension_value", "") or "",
            (r["group_type"], r["group_code"]),
        )
        cell[key] = i
    by_period: dict[dt.date, list[Relation]] = defaultdict(list)
    for rel in hierarchy:
        by_period[rel.period_start].append(rel)
    # One slice per (indicator, period): all its relations, geographic and by dimension.
    slices: dict[tuple, list[list[int]]] = defaultdict(list)
    slice_keys = {k[:4] for k in cell}
    for ind, period, dim, dval in slice_keys:
        if not fields.get(ind, ((), True))[1]:
            continue
        rels = slices[(ind, period)]
        for rel in by_period.get(period, ()):
            p = cell.get((ind, period, dim, dval, rel.parent))
            kids = [cell.get((ind, period, dim, dval, c)) for c in rel.children]
            kids = [k for k in kids if k is not None]
            if p is not None and kids:
                rels.append([p, *kids])
    # Dimension relations: the total row ('' dimension) = sum of the rows of each dimension.
    groups_dim: dict[tuple, list[int]] = defaultdict(list)
    for (ind, period, dim, _dval, grp), i in cell.items():
        if dim and fields.get(ind, ((), True))[1]:
            groups_dim[(ind, period, dim, grp)].append(i)
    for (ind, period, _dim, grp), kids in groups_dim.items():
        total = cell.get((ind, period, "", "", grp))
        if total is not None:
            slices[(ind, period)].append([total, *sorted(kids)])
    for rels in slices.values():
        if rels and any(hidden[i] for rel in rels for i in rel):
            _protect(rels, rows, hidden, audit)
    out = []
    for r, h in zip(rows, hidden, strict=True):
        if h:
            r = {**r, **dict.fromkeys(HIDDEN_COLUMNS), "status": SUPPRESSED}
        out.append(r)
    return pa.Table.from_pylist(out, schema=table.schema)


def _size(row: dict) -> float:
    for f in ("numerator", "denominator"):
        v = row.get(f)
        if v:
            return float(v)
    return 0.0


def _hide_sibling(rel: list[int], rows: list[dict], hidden: list[bool], exclude: set[int]) -> bool:
    """Hide the smallest visible child of ``rel`` (non-zero first), else its parent."""
    visible = [c for c in rel[1:] if not hidden[c] and c not in exclude]
    if visible:
        nonzero = [c for c in visible if _size(rows[c]) > 0] or visible
        hidden[min(nonzero, key=lambda c: (_size(rows[c]), c))] = True
        return True
    if not hidden[rel[0]]:
        hidden[rel[0]] = True
        return True
    return False


def _protect(rels: list[list[int]], rows: list[dict], hidden: list[bool], audit: bool) -> None:
    for _ in range(10_000):
        changed = True
        while changed:
            changed = False
            for rel in rels:
                if hidden[rel[0]]:
                    continue
                hidden_kids = [c for c in rel[1:] if hidden[c]]
                if len(hidden_kids) == 1 and _hide_sibling(rel, rows, hidden, set()):
                    changed = True
        if not audit:
            return
        determined = determined_cells(rels, hidden)
        if not determined:
            return
        if not _protect_cell(determined[0], rels, rows, hidden):
            return  # pragma: no cover - everything around the cell is hidden already
    raise SuppressionError("secondary suppression did not converge")  # pragma: no cover


def _protect_cell(target: int, rels: list[list[int]], rows: list[dict], hidden: list[bool]) -> bool:
    """Hide one more cell so that ``target`` is no longer determined (smallest that works).

    Candidates are the visible cells of the relations linked to ``target`` through hidden cells;
    if no single one suffices, the smallest is hidden and the caller's loop continues.
    """
    linked = {target}
    for _ in range(2):
        linked |= {i for rel in rels if linked & set(rel) for i in rel if hidden[i]}
    candidates = sorted(
        {i for rel in rels if linked & set(rel) for i in rel if not hidden[i]},
        key=lambda c: (_size(rows[c]) == 0, _size(rows[c]), c),
    )
    for c in candidates:
        hidden[c] = True
        if target not in determined_cells(rels, hidden):
            return True
        hidden[c] = False
    if candidates:
        hidden[candidates[0]] = True
        return True
    return False


def determined_cells(rels: Sequence[Sequence[int]], hidden: Sequence[bool]) -> list[int]:
    """Hidden cells whose value follows from the visible cells and the relations.

    Each relation is ``cell[0] - sum(cell[1:]) = 0``. With the visible cells moved to the right
    side, a hidden cell is determined iff its row in a basis of the null space of the hidden
    cells' coefficient matrix is zero.
    """
    unknowns = sorted({i for rel in rels for i in rel if hidden[i]})
    if not unknowns:
        return []
    col = {c: j for j, c in enumerate(unknowns)}
    eqs = [rel for rel in rels if any(hidden[i] for i in rel)]
    a = np.zeros((len(eqs), len(unknowns)))
    for r, rel in enumerate(eqs):
        for k, i in enumerate(rel):
            if hidden[i]:
                a[r, col[i]] += 1.0 if k == 0 else -1.0
    basis = null_space(a)
    if basis.shape[1] == 0:
        return unknowns
    norms = np.linalg.norm(basis, axis=1)
    return [c for c, n in zip(unknowns, norms, strict=True) if n < 1e-9]
