"""Person-level design inputs read from the analytics store: time-invariant covariates and
treatment cohorts that follow moves (no Django here; the store is only read).

**Covariates** come from the registration that puts the person in the panel (the earliest
job-search spell overlapping the window that has a municipality, the same spell whose
municipality the registration rule uses; table ``spells``):

============================ ===================================================================
``age_band``                 age in the year of registration (``year - birth_year``): under 25,
                             25-34, 35-44, 45-54, 55 or over
``sex``                      female, male, unknown
``language_group``           fi, sv, se, other
``education_level``          basic, upper_secondary, tertiary, unknown
``foreign_national``         yes, no
============================ ===================================================================

A missing value is its own level ``unknown``. Each covariate becomes indicator columns
``x_<name>=<level>`` (the most common level is the reference and has no column). Callaway and
Sant'Anna regress within every cohort and its comparison group, so a level is kept only when
every cohort (and the never-treated) has persons with it and without it; the others are left out
with a note (a level missing from the comparison group would make the regression singular or
the propensity score perfectly predictive).

**Treatment that follows moves** (move rule ``residence``): the person's municipality on each
counting day (the last day of the month) comes from ``person_locations`` (registrations and
moves; before the first known one the person is taken to live in that first municipality). The
person's cohort is the first month in which the person lives in a municipality whose treatment
has started by then; treatment is absorbing (moving out does not end it). A person who never
moves gets the cohort of the municipality at registration, as under the registration rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from luotsi.analytics import panels

COVARIATES = ("age_band", "sex", "language_group", "education_level", "foreign_national")
AGE_BANDS = ((25, "under_25"), (35, "25_34"), (45, "35_44"), (55, "45_54"), (200, "55_plus"))
UNKNOWN = "unknown"
PREFIX = "x_"
#: Panel note of a covariate level left out (translated in :mod:`luotsi.evaluation.notes`).
LEVEL_LEFT_OUT = (
    "covariate {name}: level {level} left out (not present and absent in every cohort and "
    "the comparison group)"
)
NO_LEVELS = "covariate {name}: no level varies within every cohort; the covariate is not used"
INF = np.iinfo(np.int64).max


def with_ids(con: Any, ids: np.ndarray, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run ``sql`` with the panel's person ids registered as ``_eval_ids(idx, person_id)``."""
    con.register("_eval_ids", pa.table({"idx": np.arange(len(ids)), "person_id": ids}))
    try:
        return con.execute(sql, list(params)).fetchdf()
    finally:
        con.unregister("_eval_ids")


def _age_bands(age: pd.Series) -> np.ndarray:
    out = np.full(len(age), UNKNOWN, dtype=object)
    lower = -np.inf
    for upper, label in AGE_BANDS:
        out[(age >= lower) & (age < upper)] = label
        lower = upper
    return out


def _level(values: pd.Series) -> np.ndarray:
    return values.astype(object).where(values.notna(), UNKNOWN).astype(str).to_numpy(dtype=object)


def covariate_levels(con: Any, ids: np.ndarray, t0: int, t1: int) -> pd.DataFrame:
    """One row per panel person (in ``ids`` order) with the level of every covariate."""
    first_day_before = panels.month_of(t0 - 1)
    last_day = panels.month_of(t1 + 1) - dt.timedelta(days=1)
    rows = with_ids(
        con,
        ids,
        """WITH first AS (
          SELECT i.idx, arg_min(struct_pack(y := year(s.start_on), b := s.birth_year,
              sex := s.sex, lang := s.language_group, edu := s.education_level,
              fgn := s.foreign_national), s.start_on) AS r
          FROM _eval_ids i JOIN spells s USING (person_id)
          WHERE s.start_on <= ? AND (s.end_on IS NULL OR s.end_on > ?)
            AND s.municipality_at_start IS NOT NULL
          GROUP BY i.idx)
        SELECT i.idx, f.r.y - f.r.b AS age, f.r.sex AS sex, f.r.lang AS language_group,
          f.r.edu AS education_level,
          CASE WHEN f.r.fgn THEN 'yes' WHEN NOT f.r.fgn THEN 'no' END AS foreign_national
        FROM _eval_ids i LEFT JOIN first f USING (idx) ORDER BY i.idx""",
        [last_day, first_day_before],
    )
    out = pd.DataFrame({"age_band": _age_bands(rows["age"].astype(float))})
    for name in COVARIATES[1:]:
        out[name] = _level(rows[name])
    return out


def indicator_columns(
    levels: pd.DataFrame, names: Sequence[str], cohort: np.ndarray
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Per-person 0/1 columns ``x_<name>=<level>`` for the chosen covariates and the notes of the
    levels left out (see the module docstring)."""
    columns: dict[str, np.ndarray] = {}
    notes: list[str] = []
    groups = [cohort == c for c in np.unique(cohort)]
    for name in names:
        values = levels[name].to_numpy(dtype=object)
        counts = pd.Series(values).value_counts()
        reference = str(counts.index[0])
        kept = 0
        for level in sorted(str(v) for v in counts.index if str(v) != reference):
            dummy = values == level
            if all(0 < dummy[g].sum() < g.sum() for g in groups):
                columns[f"{PREFIX}{name}={level}"] = dummy.astype(float)
                kept += 1
            else:
                notes.append(LEVEL_LEFT_OUT.format(name=name, level=level))
        if not kept:
            notes.append(NO_LEVELS.format(name=name))
    return columns, notes


def residence_cohorts(
    con: Any,
    ids: np.ndarray,
    registration: np.ndarray,
    start_of: Mapping[str, int],
    merges: Mapping[str, str],
) -> np.ndarray:
    """Per person: the first month of living in a municipality treated by then (0 = never).

    ``registration`` is the municipality at registration (used when the store knows no
    residence); ``start_of`` maps a (harmonised) municipality to its first treated month."""
    rows = with_ids(
        con,
        ids,
        """SELECT i.idx, l.municipality_code AS m,
            year(l.valid_from) * 12 + month(l.valid_from) - 1 AS first_month,
            row_number() OVER (PARTITION BY i.idx ORDER BY l.valid_from) = 1 AS is_first,
            year(l.valid_to - 1) * 12 + month(l.valid_to - 1) - 1
              - CASE WHEN l.valid_to - 1 = last_day(l.valid_to - 1) THEN 0 ELSE 1 END
              AS last_month
        FROM _eval_ids i JOIN person_locations l USING (person_id)""",
    )
    cohort = np.array([start_of.get(m, 0) for m in registration], dtype=np.int64)
    if rows.empty:
        return cohort
    idx = rows["idx"].to_numpy(dtype=np.int64)
    start = np.array(
        [start_of.get(merges.get(m, m), 0) for m in rows["m"].to_numpy(dtype=object)],
        dtype=np.int64,
    )
    first = np.where(rows["is_first"].to_numpy(dtype=bool), 0, rows["first_month"].to_numpy())
    last = rows["last_month"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
    month = np.maximum(start, first.astype(np.int64))
    ok = (start > 0) & (month <= last)
    best = np.full(len(ids), INF, dtype=np.int64)
    np.minimum.at(best, idx[ok], month[ok])
    known = np.zeros(len(ids), dtype=bool)
    known[idx] = True
    return np.where(known, np.where(best < INF, best, 0), cohort)
