"""The indicator engine: ``compute(store, codes, level=..., period=..., start=..., end=...)``.

Steps (all in DuckDB, in temporary tables of the store's connection):

1. the time spine ``_periods`` (months, quarters or years from ``start`` to ``end``; the counting
   day of a period is its last day);
2. ``_grp``: every municipality code found in the data or the reference tables is mapped, per
   period, to the group it counts in at the requested level, using the membership valid on the
   period's counting day after following mergers (``ref_municipality_change``: Pertunmaa 588 counts
   as Mäntyharju 507 from 2025);
3. each indicator family (``own.py``, ``public.py``) adds its rows to ``_results``;
4. a spine of (indicator version valid on the counting day) x (group) x (period) makes months
   with no events appear with zero counts (own indicators) or no value (public ones);
5. values are computed from numerator and denominator (``factor * num / den`` for ratios),
   metadata attached, and the rows stored in ``indicator_values`` (replacing the same keys).

Results are not suppressed: call ``luotsi.analytics.suppression.suppress`` before anything leaves
the area. Extension point: ``register_family(name, fn)`` adds a family (e.g. survey results, whose
definitions use ``source = "survey"`` and ``family = "<name>"``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from luotsi.kernel.calendar import add_months, month_end

from ..store import GROUP_TYPES, Store
from . import own, public
from .definitions import Definition, deadline_rules, definitions
from .intervals import interval_measures
from .sqlkit import FAR

LEVELS = ("municipality", *GROUP_TYPES)
#: Period types in months. Every period is at least 28 days long: O6 relies on that (at most one
#: counting day in its 21-day band); a shorter period type needs O6's band join back.
PERIODS = {"month": 1, "quarter": 3, "year": 12}

FAMILIES: dict[str, Callable[[Context], None]] = {**public.FAMILIES, **own.FAMILIES}
#: Families registered through ``register_family``: their emits are checked for unique keys.
CHECKED: set[str] = set()

#: Values of a dimension that always appear in the spine (zero rows when nothing happened).
SPINE_VALUES = {
    "channel": ("in_person", "phone", "video", "message"),
    "assessment_dimension": (
        "work_ability",
        "competence",
        "work_history",
        "housing",
        "finances",
        "social_network",
        "life_management",
        "digital_skills",
        "language",
    ),
}

RESULT_COLUMNS = (
    "indicator",
    "definition_version",
    "group_type",
    "group_code",
    "period_type",
    "period_start",
    "period_end",
    "dimension",
    "dimension_value",
    "numerator",
    "denominator",
    "value",
    "value_low",
    "value_high",
    "status",
    "unit",
    "source",
)


class EngineError(ValueError):
    """Bad arguments to ``compute``; the message names the argument."""


def register_family(name: str, fn: Callable[[Context], None]) -> None:
    """Add an indicator family (extension point, e.g. survey results). ``fn(ctx)`` adds rows
    with ``ctx.emit(sql)``; the rows of one emit must have unique keys (an aggregate query):
    the engine checks that for registered families and refuses duplicates with an error naming
    the family and a key (the built-in families are tested instead, the check costs a GROUP BY
    of every row)."""
    FAMILIES[name] = fn
    CHECKED.add(name)


@dataclass
class Context:
    """What a family sees: the connection, the level and the requested definitions."""

    store: Store
    level: str
    defs: tuple[Definition, ...]
    temps: list[str] = field(default_factory=list)
    emits: int = 0
    family: str = ""  # the family running now (registered ones have their emits checked)

    def execute(self, sql: str) -> None:
        self.store.con.execute(sql)

    def temp(self, name: str, sql: str) -> None:
        self.store.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        self.temps.append(name)

    def measures(self, name: str, intervals: str, **options) -> str:
        """Materialise ``intervals.interval_measures`` as the temp table ``name``."""
        interval_measures(self.store.con, name, intervals, **options)
        self.temps.append(name)
        return name

    def emit(self, sql: str) -> None:
        """Add the rows of ``sql`` to ``_results``. Contract: the rows of one emit have unique
        keys (indicator, group, period, dimension, value), as an aggregate query gives; rows of
        the same indicator and dimension from different emits are summed by the engine. A NULL
        dimension or dimension value counts as ''."""
        self.emits += 1
        con = self.store.con
        con.execute(f"INSERT INTO _results SELECT *, {self.emits} FROM ({sql})")
        if self.family in CHECKED:
            dup = con.execute(
                "SELECT indicator, group_code, period_start, dimension, dimension_value "
                f"FROM _results WHERE emit_no = {self.emits} GROUP BY ALL HAVING count(*) > 1 "
                "LIMIT 1"
            ).fetchall()
            if dup:
                raise EngineError(
                    f"family {self.family!r} emitted the key {dup[0]} more than once in one "
                    "emit; aggregate its rows (GROUP BY the keys) before ctx.emit"
                )

    def wants(self, *codes: str) -> bool:
        """Whether any of ``codes`` was requested (families skip the SQL of the others)."""
        return any(d.code in codes for d in self.defs)

    def definition(self, code: str) -> Definition:
        matches = [d for d in self.defs if d.code == code] or list(definitions([code]))
        return max(matches, key=lambda d: d.definition_version)

    def family_definitions(self, family: str) -> list[Definition]:
        seen: dict[str, Definition] = {}
        for d in self.defs:
            if d.family == family:
                seen.setdefault(d.code, d)
        return list(seen.values())


def _as_date(value: dt.date | str, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise EngineError(f"{name}={value!r} is not a date") from None


def period_spine(period: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of each period overlapping ``start``..``end``."""
    step = PERIODS[period]
    first = dt.date(start.year, 1 if step == 12 else ((start.month - 1) // step) * step + 1, 1)
    out = []
    p = first
    while p <= end:
        last = month_end(add_months(p, step - 1))
        out.append((p, last))
        p = add_months(p, step)
    return out


def _prepare(
    store: Store,
    level: str,
    periods: list[tuple[dt.date, dt.date]],
    group_codes: Sequence[str] | None,
    as_of: dt.date,
) -> None:
    con = store.con
    tbl = pa.table(
        {
            "period_start": pa.array([p[0] for p in periods], pa.date32()),
            "period_end": pa.array([p[1] for p in periods], pa.date32()),
        }
    )
    con.register("_periods_in", tbl)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _periods AS SELECT period_start, period_end, "
        "CAST(period_end - period_start + 1 AS INTEGER) AS days FROM _periods_in"
    )
    con.unregister("_periods_in")
    # every day of the spine with its period: flows find their period by an equality join
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _pday AS
        SELECT CAST(d.day AS DATE) AS day, p.period_start, p.period_end FROM _periods p,
          range(CAST(p.period_start AS TIMESTAMP), CAST(p.period_end AS TIMESTAMP)
            + INTERVAL 1 DAY, INTERVAL 1 DAY) d(day)"""
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _params AS SELECT DATE '{as_of}' AS as_of")
    rules = deadline_rules("initial_interview")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _deadline (valid_from DATE, valid_to DATE, "
        "working_days INTEGER)"
    )
    for r in rules:
        con.execute(
            "INSERT INTO _deadline VALUES (?, ?, ?)", [r.valid_from, r.valid_to, r.working_days]
        )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _codes AS
        SELECT code AS municipality_code FROM ref_municipality
        UNION SELECT municipality_code FROM status_intervals WHERE municipality_code IS NOT NULL
        UNION SELECT municipality_at_start FROM spells WHERE municipality_at_start IS NOT NULL
        UNION SELECT municipality_code FROM meetings WHERE municipality_code IS NOT NULL
        UNION SELECT municipality_code FROM referrals WHERE municipality_code IS NOT NULL
        UNION SELECT municipality_code FROM handovers WHERE municipality_code IS NOT NULL
        UNION SELECT municipality_code FROM assessments WHERE municipality_code IS NOT NULL
        UNION SELECT municipality_code FROM ref_membership
        UNION SELECT region_code FROM public_series WHERE region_kind = 'KU'"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _eff AS
        SELECT c.municipality_code, p.period_start, p.period_end, c.municipality_code AS eff
        FROM _codes c CROSS JOIN _periods p"""
    )
    for _ in range(3):  # follow chains of mergers (A -> B -> C)
        con.execute(
            """UPDATE _eff SET eff = ch.merged_into FROM ref_municipality_change ch
            WHERE ch.code = _eff.eff AND _eff.period_end > ch.valid_to"""
        )
    if level == "municipality":
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _grp AS
            SELECT municipality_code, period_start, eff AS group_code,
              municipality_code <> eff AS retired FROM _eff"""
        )
        has_ref = con.execute("SELECT count(*) FROM ref_municipality").fetchall()[0][0]
        valid = (
            f"""SELECT DISTINCT g.group_code, g.period_start FROM _grp g
            JOIN _periods p USING (period_start)
            JOIN ref_municipality m ON m.code = g.group_code
              AND coalesce(m.valid_from, DATE '0001-01-01') <= p.period_end
              AND coalesce(m.valid_to, {FAR}) >= p.period_end"""
            if has_ref
            else "SELECT DISTINCT group_code, period_start FROM _grp"
        )
    else:
        has_members = con.execute(
            "SELECT count(*) FROM ref_membership WHERE group_type = ?", [level]
        ).fetchall()[0][0]
        if level == "country" and not has_members:
            con.execute(
                """CREATE OR REPLACE TEMP TABLE _grp AS SELECT municipality_code, period_start,
                'SSS' AS group_code, municipality_code <> eff AS retired FROM _eff"""
            )
        else:
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE _grp AS
                SELECT e.municipality_code, e.period_start, m.group_code,
                  e.municipality_code <> e.eff AS retired
                FROM _eff e JOIN ref_membership m ON m.group_type = '{level}'
                  AND m.municipality_code = e.eff AND m.valid_from <= e.period_end
                  AND coalesce(m.valid_to, {FAR}) >= e.period_end"""
            )
        valid = "SELECT DISTINCT group_code, period_start FROM _grp"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _spine_groups AS {valid}")
    if group_codes is not None:
        con.register("_wanted", pa.table({"group_code": pa.array(list(group_codes), pa.string())}))
        con.execute("DELETE FROM _grp WHERE group_code NOT IN (SELECT group_code FROM _wanted)")
        con.execute(
            "DELETE FROM _spine_groups WHERE group_code NOT IN (SELECT group_code FROM _wanted)"
        )
        con.unregister("_wanted")
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _results (indicator VARCHAR, group_code VARCHAR,
        period_start DATE, dimension VARCHAR, dimension_value VARCHAR, numerator DOUBLE,
        denominator DOUBLE, value DOUBLE, value_low DOUBLE, value_high DOUBLE, status VARCHAR,
        emit_no INTEGER)"""
    )


def _defs_table(defs: Iterable[Definition]) -> pa.Table:
    rows = [
        {
            "indicator": d.code,
            "definition_version": d.definition_version,
            "valid_from": d.valid_from,
            "valid_to": d.valid_to,
            "aggregation": d.aggregation,
            "factor": d.factor,
            "unit": d.unit,
            "source": d.source,
            "zero_fill": d.source == "own",
            "dimension": d.dimension,
        }
        for d in defs
    ]
    return pa.Table.from_pylist(rows)


def _dimvals_table(defs: Iterable[Definition]) -> pa.Table:
    rows = [
        {"indicator": d.code, "dimension": d.dimension, "dimension_value": v}
        for d in defs
        if d.dimension
        for v in SPINE_VALUES.get(d.dimension, ())
    ]
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("indicator", pa.string()),
                ("dimension", pa.string()),
                ("dimension_value", pa.string()),
            ]
        ),
    )


def _merged_condition(con) -> str:
    """SQL condition on ``_results`` rows whose (indicator, dimension) came from more than one
    emit (their rows are summed); ``false`` when there are none (the usual case)."""
    pairs = con.execute(
        "SELECT indicator, dimension FROM (SELECT DISTINCT indicator, coalesce(dimension, '') "
        "AS dimension, emit_no FROM _results) GROUP BY ALL HAVING count(*) > 1"
    ).fetchall()
    if not pairs:
        return "false"

    def q(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    return " OR ".join(f"(indicator = {q(i)} AND dimension = {q(d)})" for i, d in pairs)


def _default_as_of(store: Store) -> dt.date:
    day = store.con.execute(
        # the local day is monotone in the instant: convert the maximum, not every row (4.8 s
        # -> 0.01 s on 22M events)
        "SELECT CAST(timezone('Europe/Helsinki', max(occurred_at)) AS DATE) FROM events"
    ).fetchall()[0][0]
    return day or dt.date.today()


def compute(
    store: Store,
    codes: Sequence[str] | None = None,
    *,
    level: str = "area",
    period: str = "month",
    start: dt.date | str,
    end: dt.date | str,
    group_codes: Sequence[str] | None = None,
    as_of: dt.date | str | None = None,
    save: bool = True,
) -> pa.Table:
    """Compute indicators for every group of ``level`` and every ``period`` from start to end.

    ``codes`` selects indicators (default: all); ``group_codes`` restricts the groups;
    ``as_of`` is the extraction date for cohort indicators (default: the day of the latest
    event). Returns an Arrow table with ``RESULT_COLUMNS`` in no particular order (sorting 5.6M
    rows on their string keys took 10 of 45 s of the national cube; sort what you show); with
    ``save`` the rows also replace the same keys in ``indicator_values``.
    """
    if level not in LEVELS:
        raise EngineError(f"level={level!r} is not one of {LEVELS}")
    if period not in PERIODS:
        raise EngineError(f"period={period!r} is not one of {tuple(PERIODS)}")
    start_d, end_d = _as_date(start, "start"), _as_date(end, "end")
    if end_d < start_d:
        raise EngineError(f"end {end_d} is before start {start_d}")
    defs = definitions(list(codes) if codes is not None else None)
    unknown = sorted({d.family for d in defs} - set(FAMILIES))
    if unknown:
        raise EngineError(f"no family registered for {unknown}")
    periods = period_spine(period, start_d, end_d)
    as_of_d = _as_date(as_of, "as_of") if as_of is not None else _default_as_of(store)
    con = store.con
    store.ensure_calendar(periods[0][0], max(periods[-1][1], as_of_d))
    _prepare(store, level, periods, group_codes, as_of_d)
    ctx = Context(store, level, defs)
    for family in dict.fromkeys(d.family for d in defs):
        ctx.family = family
        FAMILIES[family](ctx)
    merged = _merged_condition(con)
    merge = "SELECT * FROM r0"
    if merged != "false":
        merge = f"""SELECT * FROM r0 WHERE NOT ({merged})
  UNION ALL
  SELECT indicator, group_code, period_start, dimension, dimension_value,
    sum(numerator) AS numerator, sum(denominator) AS denominator,
    max(value) AS value, max(value_low) AS value_low, max(value_high) AS value_high,
    max(status) AS status
  FROM r0 WHERE {merged} GROUP BY ALL"""
    spined = "dimension IN ('', " + ", ".join(f"'{k}'" for k in SPINE_VALUES) + ")"
    con.register("_defs_in", _defs_table(defs))
    con.register("_dimvals_in", _dimvals_table(defs))
    try:
        out = con.sql(
            f"""
WITH d AS (SELECT * FROM _defs_in),
spine AS (
  SELECT d.indicator, g.group_code, p.period_start, coalesce(v.dimension, '') AS dimension,
    coalesce(v.dimension_value, '') AS dimension_value
  FROM d JOIN _periods p ON p.period_end BETWEEN d.valid_from AND coalesce(d.valid_to, {FAR})
  JOIN _spine_groups g ON g.period_start = p.period_start
  LEFT JOIN _dimvals_in v ON v.indicator = d.indicator
  WHERE d.dimension = '' OR v.dimension_value IS NOT NULL
), r0 AS NOT MATERIALIZED (
  SELECT indicator, group_code, period_start, coalesce(dimension, '') AS dimension,
    coalesce(dimension_value, '') AS dimension_value, numerator, denominator, value,
    value_low, value_high, status
  FROM _results SEMI JOIN _spine_groups g USING (group_code, period_start)
), r AS NOT MATERIALIZED (  -- one emit's rows have unique keys: sum what several emits gave
  {merge}
), k AS (  -- rows of dimensions without a spine (providers, offerings) need no join
  SELECT coalesce(s.indicator, r.indicator) AS indicator,
    coalesce(s.group_code, r.group_code) AS group_code,
    coalesce(s.period_start, r.period_start) AS period_start,
    coalesce(s.dimension, r.dimension) AS dimension,
    coalesce(s.dimension_value, r.dimension_value) AS dimension_value,
    r.numerator, r.denominator, r.value, r.value_low AS r_low, r.value_high AS r_high, r.status
  FROM spine s FULL JOIN (SELECT * FROM r WHERE {spined}) r ON r.indicator = s.indicator
    AND r.group_code = s.group_code AND r.period_start = s.period_start
    AND r.dimension = s.dimension AND r.dimension_value = s.dimension_value
  UNION ALL
  SELECT indicator, group_code, period_start, dimension, dimension_value, numerator,
    denominator, value, value_low, value_high, status FROM r WHERE NOT ({spined})
), v AS (
  SELECT k.indicator, d.definition_version, '{level}' AS group_type, k.group_code,
    '{period}' AS period_type, k.period_start, p.period_end, k.dimension, k.dimension_value,
    CASE WHEN k.numerator IS NULL AND d.zero_fill THEN 0 ELSE k.numerator END AS numerator,
    CASE WHEN d.aggregation IN ('ratio', 'mean') AND k.denominator IS NULL AND d.zero_fill
      THEN 0 ELSE k.denominator END AS denominator,
    CASE
      WHEN k.value IS NOT NULL THEN k.value
      WHEN d.aggregation = 'count' THEN coalesce(k.numerator, CASE WHEN d.zero_fill THEN 0 END)
      WHEN d.aggregation IN ('ratio', 'mean') AND k.denominator > 0
        THEN d.factor * k.numerator / k.denominator
    END AS value,
    coalesce(k.status, '') AS status, d.unit, d.source, k.r_low, k.r_high
  FROM k
  JOIN _periods p ON p.period_start = k.period_start
  JOIN d ON d.indicator = k.indicator
    AND p.period_end BETWEEN d.valid_from AND coalesce(d.valid_to, {FAR})
)
SELECT indicator, definition_version, group_type, group_code, period_type, period_start,
  period_end, dimension, dimension_value, numerator, denominator, value,
  coalesce(r_low, value) AS value_low, coalesce(r_high, value) AS value_high, status, unit,
  source
FROM v
"""
        ).to_arrow_table()
        if save:
            _save(store, defs, level, period, periods, out)
    finally:
        con.unregister("_defs_in")
        con.unregister("_dimvals_in")
        for name in (
            "_results",
            "_grp",
            "_eff",
            "_codes",
            "_spine_groups",
            "_pday",
            *ctx.temps,
        ):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    return out


def _save(
    store: Store,
    defs: Sequence[Definition],
    level: str,
    period: str,
    periods: list[tuple[dt.date, dt.date]],
    out: pa.Table,
) -> None:
    con = store.con
    codes = sorted({d.code for d in defs})
    con.register("_out_in", out)
    try:
        con.begin()
        try:
            con.execute(
                "DELETE FROM indicator_values WHERE group_type = ? AND period_type = ? "
                "AND period_start BETWEEN ? AND ? AND indicator IN (SELECT unnest(?))",
                [level, period, periods[0][0], periods[-1][0], codes],
            )
            con.execute(
                f"INSERT INTO indicator_values SELECT {', '.join(RESULT_COLUMNS)}, now() "
                "FROM _out_in"
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise
    finally:
        con.unregister("_out_in")
