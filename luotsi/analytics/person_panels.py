"""Person-month evaluation panels from the analytics store (see ``luotsi.analytics.panels`` for
the conventions: time index, treatment cohorts, comparison groups, mergers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from .panels import (
    EMPLOYED_EXIT_GROUPS,
    EMPLOYED_STATUSES,
    PERSON_OUTCOMES,
    Cohorts,
    PanelBuildError,
    _con,
    _window,
    merge_map,
    month_of,
)


@dataclass(frozen=True, slots=True, eq=False)
class PersonMonthPanel:
    """Wide person x month panel: ``outcomes[name]`` has shape (n_persons, n_months), int8.

    ``person_id`` (pseudonyms), ``municipality`` (at the registration that puts the person in the
    panel, harmonised), ``cohort`` (first_treated, 0 = never), ``cluster`` (municipality) are per
    person; ``times`` are the month indexes.
    """

    person_id: np.ndarray
    municipality: np.ndarray
    cohort: np.ndarray
    times: np.ndarray
    outcomes: Mapping[str, np.ndarray]
    anticipation: int
    notes: tuple[str, ...] = ()

    @property
    def cluster(self) -> np.ndarray:
        return self.municipality

    def long(self, outcome: str) -> dict[str, np.ndarray]:
        """Long arrays (unit-major, time-minor) for the estimators' ``from_arrays``."""
        n, n_t = self.outcomes[outcome].shape
        return {
            "unit": np.repeat(self.person_id, n_t),
            "time": np.tile(self.times, n),
            "cohort": np.repeat(self.cohort, n_t),
            "y": self.outcomes[outcome].reshape(-1).astype(float),
            "cluster": np.repeat(self.municipality, n_t),
        }


def _persons(con: Any, t0: int, t1: int, cohorts: Cohorts, merges: Mapping[str, str]):
    """Persons with a spell overlapping the window, their municipality at that registration."""
    rows = con.execute(
        """SELECT person_id, arg_min(municipality_at_start, start_on) FROM spells
        WHERE person_id IS NOT NULL AND start_on <= ? AND (end_on IS NULL OR end_on > ?)
        GROUP BY person_id ORDER BY person_id""",
        [month_of(t1 + 1) - dt.timedelta(days=1), month_of(t0 - 1)],
    ).fetchall()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    munis = np.array([merges.get(r[1], r[1]) if r[1] else "" for r in rows], dtype=object)
    cohort = np.array([cohorts.first_treated(m) for m in munis], dtype=np.int64)
    return ids, munis, cohort


def _cover(start: str, end: str, name: str) -> str:
    """SQL for the month indexes of the counting days in [start, end) (end NULL = open):
    from the start's month to the month of end - 1 day, minus one unless that day ends a month."""
    e = f"(coalesce({end}, DATE '9999-12-31') - 1)"
    return (
        f"year({start}) * 12 + month({start}) - 1 AS {name}_first, "
        f"year({e}) * 12 + month({e}) - 1 - CASE WHEN {e} = last_day({e}) THEN 0 ELSE 1 END "
        f"AS {name}_last"
    )


def _fill(shape: tuple[int, int], idx: np.ndarray, first: np.ndarray, last: np.ndarray, t0: int):
    """Boolean matrix with row idx[k] set on months first[k]..last[k] (difference-array fill)."""
    n, n_t = shape
    lo = np.clip(first - t0, 0, n_t)
    hi = np.clip(last - t0 + 1, 0, n_t)
    ok = hi > lo
    diff = np.zeros((n, n_t + 1), dtype=np.int32)
    np.add.at(diff, (idx[ok], lo[ok]), 1)
    np.add.at(diff, (idx[ok], hi[ok]), -1)
    return np.cumsum(diff[:, :n_t], axis=1) > 0


def _chunk_outcomes(con: Any, lo: int, hi: int, t0: int, t1: int) -> dict[str, np.ndarray]:
    """Outcome matrices for persons lo..hi-1 of the ``_panel_persons`` table, months t0-1..t1."""
    shape = (hi - lo, t1 - t0 + 2)
    base = t0 - 1
    employed_statuses = ", ".join(f"'{x}'" for x in EMPLOYED_STATUSES)
    exit_groups = ", ".join(f"'{g}'" for g in EMPLOYED_EXIT_GROUPS)
    iv = con.execute(
        f"""SELECT p.idx - {lo} AS i, si.unemployed AS unemployed,
          coalesce(si.status IN ({employed_statuses}), false) AS employed,
          {_cover("si.start_on", "si.end_on", "m")}
        FROM status_intervals si JOIN _panel_persons p USING (person_id)
        WHERE p.idx >= {lo} AND p.idx < {hi}"""
    ).fetchnumpy()
    sp = con.execute(
        f"""WITH s AS (
          SELECT p.idx - {lo} AS i, s.start_on, s.end_on, s.exit_group,
            lead(s.start_on) OVER (PARTITION BY s.person_id ORDER BY s.start_on) AS next_start
          FROM spells s JOIN _panel_persons p USING (person_id)
          WHERE p.idx >= {lo} AND p.idx < {hi})
        SELECT i, coalesce(end_on IS NOT NULL AND exit_group IN ({exit_groups}), false) AS to_work,
          {_cover("start_on", "end_on", "m")},
          {_cover("coalesce(end_on, DATE '9999-12-31')", "next_start", "a")}
        FROM s"""
    ).fetchnumpy()

    def col(frame: dict, name: str, dtype: Any = np.int64) -> np.ndarray:
        return np.asarray(frame[name], dtype=dtype)

    i_iv, unemp, emp = col(iv, "i"), col(iv, "unemployed", bool), col(iv, "employed", bool)
    first, last = col(iv, "m_first"), col(iv, "m_last")
    unemployed = _fill(shape, i_iv[unemp], first[unemp], last[unemp], base)
    employed_registered = _fill(shape, i_iv[emp], first[emp], last[emp], base)
    i_sp, to_work = col(sp, "i"), col(sp, "to_work", bool)
    registered = _fill(shape, i_sp, col(sp, "m_first"), col(sp, "m_last"), base)
    # After an exit to work: counting days d with end_on <= d < next registration.
    after = _fill(
        shape, i_sp[to_work], col(sp, "a_first")[to_work], col(sp, "a_last")[to_work], base
    )
    employed = (employed_registered | after) & ~unemployed
    left = np.zeros(shape, dtype=bool)
    left[:, 1:] = unemployed[:, :-1] & ~unemployed[:, 1:]
    out = {
        "unemployed": unemployed,
        "registered": registered,
        "employed": employed,
        "left_unemployment": left,
    }
    return {k: v[:, 1:].astype(np.int8) for k, v in out.items()}


def _register_persons(con: Any, ids: np.ndarray) -> None:
    con.register("_panel_persons_arrow", pa.table({"idx": np.arange(len(ids)), "person_id": ids}))
    con.execute("CREATE OR REPLACE TEMP TABLE _panel_persons AS SELECT * FROM _panel_persons_arrow")
    con.unregister("_panel_persons_arrow")


def iter_person_month_chunks(
    store: Any,
    start: str | dt.date,
    end: str | dt.date,
    cohorts: Cohorts,
    *,
    chunk_persons: int = 50_000,
) -> Iterator[tuple[slice, dict[str, np.ndarray]]]:
    """Yield ``(persons slice, outcome matrices)`` chunk by chunk (memory ~ chunk x months)."""
    con = _con(store)
    t0, t1 = _window(start, end)
    ids, _, _ = _persons(con, t0, t1, cohorts, merge_map(con))
    _register_persons(con, ids)
    for lo in range(0, len(ids), chunk_persons):
        hi = min(lo + chunk_persons, len(ids))
        yield slice(lo, hi), _chunk_outcomes(con, lo, hi, t0, t1)


def person_month_panel(
    store: Any,
    start: str | dt.date,
    end: str | dt.date,
    cohorts: Cohorts,
    *,
    chunk_persons: int = 50_000,
) -> PersonMonthPanel:
    """Person x month panel from the journey log; see :class:`PersonMonthPanel`.

    Outcomes on each counting day: ``unemployed`` (in a spell with an unemployed status),
    ``registered`` (in any spell), ``employed`` (registered as employed, or since an exit to
    employment / subsidised work and not re-registered), ``left_unemployment`` (unemployed on the
    previous counting day, not on this one).
    """
    con = _con(store)
    t0, t1 = _window(start, end)
    merges = merge_map(con)
    ids, munis, cohort = _persons(con, t0, t1, cohorts, merges)
    if len(ids) == 0:
        raise PanelBuildError("no person has a spell in the panel window")
    _register_persons(con, ids)
    n_t = t1 - t0 + 1
    outcomes = {k: np.zeros((len(ids), n_t), dtype=np.int8) for k in PERSON_OUTCOMES}
    for lo in range(0, len(ids), chunk_persons):
        hi = min(lo + chunk_persons, len(ids))
        for k, mat in _chunk_outcomes(con, lo, hi, t0, t1).items():
            outcomes[k][lo:hi] = mat
    con.execute("DROP TABLE IF EXISTS _panel_persons")
    notes = (
        (f"{int((munis == '').sum())} persons have no municipality at registration",)
        if (munis == "").any()
        else ()
    )
    return PersonMonthPanel(
        ids,
        munis,
        cohort,
        np.arange(t0, t1 + 1),
        outcomes,
        cohorts.anticipation,
        (*cohorts.notes, *notes),
    )
