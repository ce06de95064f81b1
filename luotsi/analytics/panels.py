"""Evaluation panels from the analytics store: municipality-month and person-month.

Every panel carries what the difference-in-differences estimators of ``luotsi.stats`` take:
a unit id, a time index (``year * 12 + month - 1``, as ``luotsi.evaluation.panel_file``), the
first-treated period (``0`` = never treated), an outcome, a cluster id and optional covariates.

Treatment comes from time-valid pilot or area memberships (``ref_membership``) and the legal start
of the group (``ref_group.starts_on``). Panels count on the counting day, the last day of each
month, so a municipality's **treatment starts** in the first month whose last day is covered by a
membership of the group *and* is on or after the group's legal start. Treatment is absorbing: a
municipality that leaves stays in its cohort. With an **anticipation window** of ``k`` months the
panel's ``first_treated`` is the start minus ``k`` (effects may begin before the legal start, so
the comparison uses periods before that); the unshifted month is kept in ``treatment_start``.
Do not pass ``anticipation`` to the estimator again.

Comparison groups: ``never_treated`` marks units with no start inside the panel window (units
treated after the window are never-treated *within* it, as R's ``did`` does);
``not_yet_treated`` marks rows whose unit is not treated yet in that period (the not-yet-treated
comparison group of that period).

Municipality mergers (``ref_municipality_change``, e.g. Pertunmaa 588 into Mäntyharju 507 on
1.1.2025) are harmonised to the latest division: counts of the old code are added to the
successor for every month, and the merged unit's treatment start is the earliest of its parts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

EMPLOYED_EXIT_GROUPS = ("employment", "subsidised")
EMPLOYED_STATUSES = ("employed_open", "subsidised_work")
PERSON_OUTCOMES = ("unemployed", "registered", "employed", "left_unemployment")
DEFAULT_RATES: dict[str, tuple[str, str]] = {
    "unemployment_rate": ("TYOTTOMATLOPUSSA", "TYOVOIMATK"),  # B2
    "ltu_share": ("PITKAAIKAISTYOTTOMAT", "TYOTTOMATLOPUSSA"),  # B4
}


class PanelBuildError(ValueError):
    """The store or the arguments cannot give the requested panel; the message says why."""


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_of(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _window(start: str | dt.date, end: str | dt.date) -> tuple[int, int]:
    def idx(x: str | dt.date) -> int:
        if isinstance(x, dt.date):
            return month_index(x)
        text = str(x).replace("M", "-")
        return month_index(dt.date.fromisoformat(f"{text[:7]}-01"))

    t0, t1 = idx(start), idx(end)
    if t1 < t0:
        raise PanelBuildError(f"the panel window ends ({end}) before it starts ({start})")
    return t0, t1


def _con(store: Any):
    con = getattr(store, "con", store)
    if not hasattr(con, "execute"):
        raise PanelBuildError("expected a luotsi.analytics.store.Store or a DuckDB connection")
    return con


def merge_map(store: Any) -> dict[str, str]:
    """Old municipality code -> code in the latest division (chains followed)."""
    rows = _con(store).execute("SELECT code, merged_into FROM ref_municipality_change").fetchall()
    direct = dict(rows)
    out = {}
    for code in direct:
        seen, cur = {code}, direct[code]
        while cur in direct:
            if direct[cur] in seen:
                raise PanelBuildError(f"ref_municipality_change has a cycle through {cur!r}")
            seen.add(cur)
            cur = direct[cur]
        out[code] = cur
    return out


# --- treatment cohorts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Cohorts:
    """Treatment start per (harmonised) municipality; see the module docstring."""

    treatment_start: Mapping[str, int]  # municipality -> month index of the (legal) start
    group_of: Mapping[str, str]  # municipality -> group code that treats it first
    anticipation: int
    notes: tuple[str, ...] = ()

    def first_treated(self, municipality: str) -> int:
        start = self.treatment_start.get(municipality, 0)
        return start - self.anticipation if start else 0


def treatment_cohorts(
    store: Any,
    *,
    group_type: str = "pilot",
    group_codes: Sequence[str] | None = None,
    kind: str | None = None,
    anticipation: int = 0,
) -> Cohorts:
    """Treatment start month of every municipality that belongs to the chosen groups.

    ``group_type`` is ``'pilot'`` or ``'area'``; ``group_codes`` limits the groups (None = all of
    the type) and ``kind`` filters pilots by kind (``'regional'``/``'municipal'``).
    """
    if group_type not in ("pilot", "area"):
        raise PanelBuildError(f"group_type must be 'pilot' or 'area', got {group_type!r}")
    if anticipation < 0:
        raise PanelBuildError("anticipation must be a non-negative number of months")
    con = _con(store)
    sql = """
      SELECT m.municipality_code, m.group_code,
        last_day(greatest(m.valid_from, coalesce(g.starts_on, m.valid_from))) AS first_day
      FROM ref_membership m
      LEFT JOIN ref_group g USING (group_type, group_code)
      WHERE m.group_type = ?
        AND (? IS NULL OR g.kind = ?)
        AND last_day(greatest(m.valid_from, coalesce(g.starts_on, m.valid_from)))
            <= coalesce(m.valid_to, DATE '9999-12-31')
    """
    rows = con.execute(sql, [group_type, kind, kind]).fetchall()
    wanted = None if group_codes is None else set(group_codes)
    if wanted is not None:
        known = {
            r[0]
            for r in con.execute(
                "SELECT group_code FROM ref_group WHERE group_type = ?", [group_type]
            ).fetchall()
        }
        unknown = sorted(wanted - known)
        if unknown:
            raise PanelBuildError(f"ref_group has no {group_type} {unknown}")
    merges = merge_map(con)
    starts: dict[str, int] = {}
    groups: dict[str, str] = {}
    parts: dict[str, set[int]] = {}
    for muni, group, first_day in rows:
        if wanted is not None and group not in wanted:
            continue
        unit = merges.get(muni, muni)
        t = month_index(first_day)
        parts.setdefault(unit, set()).add(t)
        if unit not in starts or t < starts[unit]:
            starts[unit], groups[unit] = t, group
    notes = tuple(
        f"municipality {u}: its merged parts started in different months; the earliest is used"
        for u, ts in sorted(parts.items())
        if len(ts) > 1 and any(m in merges and merges[m] == u for m in merges)
    )
    return Cohorts(starts, groups, anticipation, notes)


# --- panel result -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class PanelTable:
    """A long panel (one row per unit and month, sorted by unit then time) as an Arrow table.

    Columns: ``unit``, ``time``, ``period``, ``first_treated``, ``treatment_start``,
    ``never_treated``, ``not_yet_treated``, ``treated``, ``cluster``, then the outcome columns.
    """

    table: pa.Table
    outcomes: tuple[str, ...]
    anticipation: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    def arrays(self, outcome: str, *, covariates: Sequence[str] = (), drop_missing: bool = True):
        """Numpy arrays for the estimators: ``unit``, ``time``, ``cohort``, ``y``, ``cluster``
        (and ``covariates``, shape (n, k)). Units with a missing outcome in any month are
        dropped when ``drop_missing`` (the estimators need a balanced panel)."""
        if outcome not in self.outcomes:
            raise PanelBuildError(f"no outcome {outcome!r}; the panel has {list(self.outcomes)}")
        t = self.table
        y = t.column(outcome).to_numpy(zero_copy_only=False).astype(float)
        unit = np.asarray(t.column("unit").to_pylist(), dtype=object)
        keep = np.ones(len(y), dtype=bool)
        if drop_missing:
            bad_units = set(unit[np.isnan(y)])
            keep = np.array([u not in bad_units for u in unit], dtype=bool)
        out = {
            "unit": unit[keep],
            "time": t.column("time").to_numpy()[keep],
            "cohort": t.column("first_treated").to_numpy()[keep],
            "y": y[keep],
            "cluster": np.asarray(t.column("cluster").to_pylist(), dtype=object)[keep],
        }
        if covariates:
            out["covariates"] = np.column_stack(
                [t.column(c).to_numpy(zero_copy_only=False).astype(float)[keep] for c in covariates]
            )
        return out


def _treatment_columns(
    units: Sequence[str], rep: np.ndarray, times: np.ndarray, cohorts: Cohorts, t1: int
):
    """Per-row first_treated, treatment_start, never_treated, not_yet_treated, treated."""
    first = np.array([cohorts.first_treated(u) for u in units], dtype=np.int64)[rep]
    start = np.array([cohorts.treatment_start.get(u, 0) for u in units], dtype=np.int64)[rep]
    never = (first == 0) | (first > t1)
    not_yet = never | (times < first)
    return first, start, never, not_yet, ~not_yet


def _clusters(units: Sequence[str], cohorts: Cohorts, cluster_by: str, region: Mapping[str, str]):
    if cluster_by == "municipality":
        return list(units)
    if cluster_by == "group":
        return [
            f"{cohorts.group_of[u]}" if u in cohorts.group_of else f"municipality:{u}"
            for u in units
        ]
    if cluster_by == "region":
        return [region.get(u, f"municipality:{u}") for u in units]
    raise PanelBuildError("cluster_by must be 'group', 'region' or 'municipality'")


def _assemble(
    con: Any,
    units: list[str],
    t0: int,
    t1: int,
    values: dict[str, np.ndarray],
    cohorts: Cohorts,
    cluster_by: str,
    notes: Sequence[str],
) -> PanelTable:
    n_t = t1 - t0 + 1
    times = np.tile(np.arange(t0, t1 + 1, dtype=np.int64), len(units))
    rep = np.repeat(np.arange(len(units)), n_t)
    first, start, never, not_yet, treated = _treatment_columns(units, rep, times, cohorts, t1)
    region = dict(con.execute("SELECT code, region_code FROM ref_municipality").fetchall())
    clusters = _clusters(units, cohorts, cluster_by, region)
    cols: dict[str, Any] = {
        "unit": pa.array([units[i] for i in rep], pa.string()),
        "time": pa.array(times),
        "period": pa.array([month_of(int(t)) for t in range(t0, t1 + 1)] * len(units), pa.date32()),
        "first_treated": pa.array(first),
        "treatment_start": pa.array(start),
        "never_treated": pa.array(never),
        "not_yet_treated": pa.array(not_yet),
        "treated": pa.array(treated),
        "cluster": pa.array([clusters[i] for i in rep], pa.string()),
    }
    for name, mat in values.items():
        cols[name] = pa.array(mat.reshape(-1), from_pandas=True)
    return PanelTable(pa.table(cols), tuple(values), cohorts.anticipation, (*cohorts.notes, *notes))


def _municipalities(con: Any, t0: int, t1: int, merges: Mapping[str, str]) -> list[str]:
    rows = con.execute(
        "SELECT code FROM ref_municipality WHERE coalesce(valid_from, DATE '0001-01-01') <= ? "
        "AND (valid_to IS NULL OR valid_to >= ?)",
        [month_of(t1), month_of(t0)],
    ).fetchall()
    return sorted({merges.get(c, c) for (c,) in rows})


# --- municipality-month panels ------------------------------------------------------------------


def municipality_panel_public(
    store: Any,
    start: str | dt.date,
    end: str | dt.date,
    cohorts: Cohorts,
    *,
    measures: Sequence[str] = ("TYOTTOMATLOPUSSA", "PITKAAIKAISTYOTTOMAT", "TYOVOIMATK"),
    rates: Mapping[str, tuple[str, str]] = DEFAULT_RATES,
    cluster_by: str = "group",
    source: str = "statfin",
    table_code: str = "12r5",
    suppressed_value: float | None = None,
) -> PanelTable:
    """Municipality x month panel from ``public_series`` (region_kind ``KU``).

    Counts of merged municipalities are summed into the successor; ``rates`` (percent) are
    recomputed from the summed counts. A suppressed cell ('...') is missing (NaN) unless
    ``suppressed_value`` is given (e.g. 2.5, the middle of 1-4). Units are the municipalities of
    ``ref_municipality`` in the window (or every 3-digit code in the series if it is empty).
    """
    con = _con(store)
    t0, t1 = _window(start, end)
    merges = merge_map(con)
    needed = sorted(set(measures) | {m for pair in rates.values() for m in pair})
    rows = con.execute(
        "SELECT region_code, period, measure, value, status FROM public_series "
        "WHERE source = ? AND table_code = ? AND region_kind = 'KU' AND period BETWEEN ? AND ? "
        f"AND measure IN ({', '.join('?' * len(needed))})",
        [source, table_code, month_of(t0), month_of(t1), *needed],
    ).fetchall()
    units = _municipalities(con, t0, t1, merges) or sorted(
        {merges.get(r[0], r[0]) for r in rows if r[0].isdigit() and len(r[0]) == 3}
    )
    if not units:
        raise PanelBuildError("no municipalities: load ref_municipality or public_series first")
    pos = {u: i for i, u in enumerate(units)}
    n_t = t1 - t0 + 1
    sums = {m: np.zeros((len(units), n_t)) for m in needed}
    seen = {m: np.zeros((len(units), n_t), dtype=bool) for m in needed}
    for code, period, measure, value, status in rows:
        i = pos.get(merges.get(code, code))
        if i is None:
            continue
        j = month_index(period) - t0
        v = value if value is not None else (suppressed_value if status == "..." else None)
        if v is None:
            sums[measure][i, j] = np.nan
        else:
            sums[measure][i, j] += v
        seen[measure][i, j] = True
    for m in needed:
        sums[m][~seen[m]] = np.nan
    values = {m: sums[m] for m in measures}
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, (num, den) in rates.items():
            values[name] = np.where(sums[den] > 0, 100.0 * sums[num] / sums[den], np.nan)
    missing = int(sum(np.isnan(v).sum() for v in values.values()))
    notes = [f"{missing} unit-month values are missing or suppressed"] if missing else []
    return _assemble(con, units, t0, t1, values, cohorts, cluster_by, notes)


def _month_days_sql(t0: int, t1: int) -> str:
    return (
        f"SELECT t, last_day(make_date(CAST(t // 12 AS INTEGER), CAST(t % 12 + 1 AS INTEGER), 1)) "
        f"AS d FROM range({t0}, {t1 + 1}) r(t)"
    )


def municipality_panel_events(
    store: Any,
    start: str | dt.date,
    end: str | dt.date,
    cohorts: Cohorts,
    *,
    cluster_by: str = "group",
) -> PanelTable:
    """Municipality x month panel from the journey log (the store's derived tables).

    Outcomes: ``unemployed_customers`` and ``customers`` (distinct persons in a spell on the
    counting day, by municipality of residence then), ``exits_to_employment`` (spells ended in
    the month with exit group employment or subsidised work, by municipality at the end).
    """
    con = _con(store)
    t0, t1 = _window(start, end)
    merges = merge_map(con)
    stock = con.execute(
        f"""WITH months AS ({_month_days_sql(t0, t1)})
        SELECT si.municipality_code, m.t,
          count(DISTINCT si.person_id) FILTER (WHERE si.unemployed) AS unemployed,
          count(DISTINCT si.person_id) AS customers
        FROM months m JOIN status_intervals si
          ON si.start_on <= m.d AND (si.end_on IS NULL OR si.end_on > m.d)
        GROUP BY ALL"""
    ).fetchall()
    exits = con.execute(
        f"""SELECT municipality_at_end, year(end_on) * 12 + month(end_on) - 1 AS t, count(*)
        FROM spells WHERE exit_group IN ({", ".join(f"'{g}'" for g in EMPLOYED_EXIT_GROUPS)})
          AND end_on IS NOT NULL AND year(end_on) * 12 + month(end_on) - 1 BETWEEN ? AND ?
        GROUP BY ALL""",
        [t0, t1],
    ).fetchall()
    units = _municipalities(con, t0, t1, merges) or sorted(
        {merges.get(r[0], r[0]) for r in stock + exits if r[0]}
    )
    pos = {u: i for i, u in enumerate(units)}
    n_t = t1 - t0 + 1
    values = {
        k: np.zeros((len(units), n_t))
        for k in ("unemployed_customers", "customers", "exits_to_employment")
    }
    outside = 0
    for code, t, unemployed, customers in stock:
        i = pos.get(merges.get(code, code))
        if i is None:
            outside += 1
            continue
        values["unemployed_customers"][i, t - t0] += unemployed
        values["customers"][i, t - t0] += customers
    for code, t, n in exits:
        i = pos.get(merges.get(code, code))
        if i is None:
            outside += 1
            continue
        values["exits_to_employment"][i, t - t0] += n
    notes = (
        [f"{outside} cells of municipalities outside ref_municipality were left out"]
        if outside
        else []
    )
    return _assemble(con, units, t0, t1, values, cohorts, cluster_by, notes)


# The person-month panel lives in its own module; these names stay importable from here.
from .person_panels import (  # noqa: E402
    PersonMonthPanel,
    iter_person_month_chunks,
    person_month_panel,
)

__all__ = [
    "Cohorts",
    "PanelBuildError",
    "PanelTable",
    "PersonMonthPanel",
    "iter_person_month_chunks",
    "merge_map",
    "month_index",
    "month_of",
    "municipality_panel_events",
    "municipality_panel_public",
    "person_month_panel",
    "treatment_cohorts",
]
