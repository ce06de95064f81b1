"""Team-level indicators: the customers whose responsible worker belongs to a team.

A team is the unit of the responsible workers (``responsibility_intervals.team_id``, taken from
the ``responsibility.assigned`` events; ``ref_worker.team_id`` names the team of each worker). A
customer counts in team t on the counting day d when their status interval and a responsibility
interval with team t both contain d. Customers without a responsible worker on d count in no team
(they are in O15/O15N instead), so team figures need not add up to the municipality figures.

Computed (``TEAM_INDICATORS``): O1, O1U, O1L, O1LS with the same formulas as at the other levels,
and the caseload O13/O13P90/O13MAX over the workers of the team (``ref_worker.team_id``, or the
team of the responsibility interval when the worker is not in ``ref_worker``), each with their
whole caseload divided by FTE.

For the drill-down from a municipality to its teams, O1, O1U, O1L and O1LS also come per team
and residence municipality (``dimension = 'municipality'``, ``dimension_value`` = the code as
found in the journey, only where the team has customers there); the total has
``dimension = ''``.

Rows have ``group_type = 'team'`` and ``group_code = str(team_id)``; with ``save`` they replace the
same keys in ``indicator_values``. Results are not suppressed; team figures are meant for the
area's own staff only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pyarrow as pa

from ..store import Store
from .definitions import definitions
from .engine import PERIODS, RESULT_COLUMNS, EngineError, _as_date, period_spine
from .intervals import interval_measures
from .sqlkit import FAR, intersect

TEAM_INDICATORS = ("O1", "O1U", "O1L", "O1LS", "O13", "O13P90", "O13MAX")

_STATUS = (
    "SELECT person_id, municipality_code, start_on, end_on, unemployed, run_start "
    "FROM status_intervals"
)
_RESP = "SELECT person_id, worker_id, team_id, start_on, end_on FROM responsibility_intervals"


def compute_teams(
    store: Store,
    codes: Sequence[str] | None = None,
    *,
    period: str = "month",
    start: dt.date | str,
    end: dt.date | str,
    team_ids: Sequence[int] | None = None,
    save: bool = True,
) -> pa.Table:
    """Team-level values of ``codes`` (default: all of ``TEAM_INDICATORS``); engine columns."""
    wanted = tuple(codes) if codes is not None else TEAM_INDICATORS
    unknown = sorted(set(wanted) - set(TEAM_INDICATORS))
    if unknown:
        raise EngineError(f"not computed per team: {unknown}; team indicators: {TEAM_INDICATORS}")
    if period not in PERIODS:
        raise EngineError(f"period={period!r} is not one of {tuple(PERIODS)}")
    start_d, end_d = _as_date(start, "start"), _as_date(end, "end")
    if end_d < start_d:
        raise EngineError(f"end {end_d} is before start {start_d}")
    periods = period_spine(period, start_d, end_d)
    con = store.con
    con.register(
        "_periods_in",
        pa.table(
            {
                "period_start": pa.array([p[0] for p in periods], pa.date32()),
                "period_end": pa.array([p[1] for p in periods], pa.date32()),
            }
        ),
    )
    temps = ["_periods", "_tcov", "_tm", "_tltu", "_twk", "_tres", "_tdefs", "_tteams"]
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _periods AS SELECT period_start, period_end, "
            "CAST(period_end - period_start + 1 AS INTEGER) AS days FROM _periods_in"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _tcov AS "
            + intersect(
                _STATUS,
                _RESP,
                on="person_id",
                a_cols=["person_id", "municipality_code", "unemployed", "run_start"],
                b_cols=["worker_id", "team_id"],
            )
        )
        interval_measures(
            con,
            "_tm",
            "SELECT * FROM _tcov WHERE team_id IS NOT NULL",
            weights={"act": "1", "unemp": "CASE WHEN unemployed THEN 1 ELSE 0 END"},
            keys=["team_id"],
        )
        ltu = "greatest(start_on, CAST(run_start + INTERVAL 12 MONTH AS DATE))"
        interval_measures(
            con,
            "_tltu",
            f"SELECT municipality_code, team_id, {ltu} AS start_on, end_on FROM _tcov "
            "WHERE unemployed AND team_id IS NOT NULL",
            weights={"ltu": "1"},
            keys=["team_id"],
        )
        interval_measures(
            con, "_twk", "SELECT * FROM _tcov", weights={"n": "1"}, keys=["worker_id", "team_id"]
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _tres AS
WITH s AS (
  SELECT m.team_id, m.period_start, sum(m.act_at) AS act, sum(m.unemp_at) AS unemp
  FROM _tm m GROUP BY ALL
), l AS (SELECT team_id, period_start, sum(ltu_at) AS ltu FROM _tltu GROUP BY ALL),
st AS (
  SELECT s.*, coalesce(l.ltu, 0) AS ltu FROM s LEFT JOIN l USING (team_id, period_start)
), sm AS (
  SELECT m.team_id, m.municipality_code, m.period_start, sum(m.act_at) AS act,
    sum(m.unemp_at) AS unemp, coalesce(max(l.ltu_at), 0) AS ltu
  FROM _tm m LEFT JOIN _tltu l USING (team_id, municipality_code, period_start)
  GROUP BY ALL HAVING sum(m.act_at) > 0
), w AS (SELECT worker_id, team_id, period_start, sum(n_at) AS n FROM _twk GROUP BY ALL),
tot AS (SELECT worker_id, period_start, sum(n) AS customers FROM w GROUP BY ALL),
wt AS (
  SELECT DISTINCT w.worker_id, coalesce(rw.team_id, w.team_id) AS team_id, w.period_start
  FROM w LEFT JOIN ref_worker rw USING (worker_id) WHERE w.n > 0
), c AS (
  SELECT wt.team_id, wt.period_start, t.customers,
    t.customers / coalesce(nullif(rw.fte, 0), 1.0) AS load
  FROM wt JOIN tot t USING (worker_id, period_start) LEFT JOIN ref_worker rw USING (worker_id)
  WHERE wt.team_id IS NOT NULL
), cl AS (
  SELECT team_id, period_start, count(*) AS n, sum(customers) AS customers,
    quantile_cont(load, 0.5) AS med, quantile_cont(load, 0.9) AS p90, max(load) AS mx
  FROM c GROUP BY ALL
)
SELECT 'O1' AS indicator, team_id, period_start, '' AS dimension, '' AS dimension_value,
  act AS numerator, NULL::DOUBLE AS denominator, NULL::DOUBLE AS value FROM st
UNION ALL SELECT 'O1U', team_id, period_start, '', '', unemp, NULL, NULL FROM st
UNION ALL SELECT 'O1L', team_id, period_start, '', '', ltu, NULL, NULL FROM st
UNION ALL SELECT 'O1LS', team_id, period_start, '', '', ltu, unemp, NULL FROM st
UNION ALL SELECT code, team_id, period_start, '', '', n, customers, v
  FROM cl, LATERAL (VALUES ('O13', med), ('O13P90', p90), ('O13MAX', mx)) t(code, v)
UNION ALL SELECT code, team_id, period_start, 'municipality', municipality_code, num, den, NULL
  FROM sm, LATERAL (VALUES ('O1', act, NULL::DOUBLE), ('O1U', unemp, NULL),
    ('O1L', ltu, NULL), ('O1LS', ltu, unemp)) t(code, num, den)
  WHERE municipality_code IS NOT NULL"""
        )
        defs = list(definitions(list(wanted)))
        con.register(
            "_tdefs_in",
            pa.Table.from_pylist(
                [
                    {
                        "indicator": d.code,
                        "definition_version": d.definition_version,
                        "valid_from": d.valid_from,
                        "valid_to": d.valid_to,
                        "aggregation": d.aggregation,
                        "factor": float(d.factor),
                        "unit": d.unit,
                        "source": d.source,
                    }
                    for d in defs
                ]
            ),
        )
        con.execute("CREATE OR REPLACE TEMP TABLE _tdefs AS SELECT * FROM _tdefs_in")
        con.unregister("_tdefs_in")
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _tteams AS
            SELECT DISTINCT team_id FROM responsibility_intervals WHERE team_id IS NOT NULL
            UNION SELECT team_id FROM ref_worker WHERE team_id IS NOT NULL"""
        )
        if team_ids is not None:
            con.register("_twanted", pa.table({"team_id": pa.array(list(team_ids), pa.int64())}))
            con.execute("DELETE FROM _tteams WHERE team_id NOT IN (SELECT team_id FROM _twanted)")
            con.unregister("_twanted")
        value = """CASE WHEN d.aggregation = 'count' THEN coalesce(r.numerator, 0)
       WHEN d.aggregation = 'ratio' AND r.denominator > 0
         THEN d.factor * r.numerator / r.denominator
       ELSE r.value END"""
        head = f"""SELECT d.indicator, d.definition_version, 'team' AS group_type,
  CAST({{team}} AS VARCHAR) AS group_code, '{period}' AS period_type, p.period_start,
  p.period_end, {{dim}} AS dimension, {{dim_value}} AS dimension_value,
  coalesce(r.numerator, 0) AS numerator,
  CASE WHEN d.aggregation = 'ratio' THEN coalesce(r.denominator, 0) ELSE r.denominator END
    AS denominator, {value} AS value, '' AS status, d.unit, d.source
FROM _tdefs d
JOIN _periods p ON p.period_end BETWEEN d.valid_from AND coalesce(d.valid_to, {FAR})"""
        sql = (
            head.format(team="t.team_id", dim="''", dim_value="''")
            + """
CROSS JOIN _tteams t
LEFT JOIN _tres r ON r.indicator = d.indicator AND r.team_id = t.team_id
  AND r.period_start = p.period_start AND r.dimension = ''
UNION ALL """
            + head.format(team="r.team_id", dim="r.dimension", dim_value="r.dimension_value")
            + """
JOIN _tres r ON r.indicator = d.indicator AND r.period_start = p.period_start
  AND r.dimension = 'municipality' AND r.team_id IN (SELECT team_id FROM _tteams)
ORDER BY 1, 4, 6, 8, 9"""
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _tout AS SELECT *, value AS value_low, "
            f"value AS value_high FROM ({sql})"
        )
        temps.append("_tout")
        out = con.sql(f"SELECT {', '.join(RESULT_COLUMNS)} FROM _tout").to_arrow_table()
        if save:
            con.begin()
            try:
                con.execute(
                    "DELETE FROM indicator_values WHERE group_type = 'team' AND period_type = ? "
                    "AND period_start BETWEEN ? AND ? AND indicator IN (SELECT unnest(?))"
                    + (
                        " AND group_code IN (SELECT DISTINCT group_code FROM _tout)"
                        if team_ids is not None
                        else ""
                    ),
                    [period, periods[0][0], periods[-1][0], sorted({d.code for d in defs})],
                )
                con.execute(
                    f"INSERT INTO indicator_values SELECT {', '.join(RESULT_COLUMNS)}, now() "
                    "FROM _tout"
                )
                con.commit()
            except BaseException:
                con.rollback()
                raise
    finally:
        con.unregister("_periods_in")
        for name in temps:
            con.execute(f"DROP TABLE IF EXISTS {name}")
    return out
