"""SQL of the own (journey-log) indicator families. Definitions are in ``definitions.toml``.

Each family is a function ``family(ctx)`` that adds rows to the engine's ``_results`` table through
``ctx.emit(sql)``; ``sql`` yields ``(indicator, group_code, period_start, dimension,
dimension_value, numerator, denominator, value, value_low, value_high, status)``. Additive
families compute per municipality and roll up through ``_grp`` (``sqlkit.rollup``); families with
distinct counts, medians or percentiles join ``_grp`` row by row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from luotsi.kernel import codes

from .sqlkit import FAR, GRP_JOIN, intersect, local_day, merge_islands, rollup

if TYPE_CHECKING:
    from .engine import Context

STATUS_IV = "SELECT person_id, enrolment_id, municipality_code, start_on, end_on, unemployed, run_start FROM status_intervals"
SELF_SUFFICIENT = "'employment', 'subsidised', 'education'"


def _row(
    indicator: str,
    num: str,
    den: str = "NULL",
    value: str = "NULL",
    dim: str = "''",
    dim_value: str = "''",
) -> str:
    return (
        f"'{indicator}' AS indicator, g.group_code, x.period_start, {dim} AS dimension, "
        f"CAST({dim_value} AS VARCHAR) AS dimension_value, "
        f"CAST({num} AS DOUBLE) AS numerator, CAST({den} AS DOUBLE) AS denominator, "
        f"CAST({value} AS DOUBLE) AS value, NULL::DOUBLE AS value_low, "
        "NULL::DOUBLE AS value_high, '' AS status"
    )


def _muni(indicator: str, num: str, den: str = "NULL") -> str:
    return (
        f"SELECT '{indicator}' AS indicator, municipality_code, period_start, '' AS dimension, "
        f"'' AS dimension_value, CAST({num} AS DOUBLE) AS numerator, "
        f"CAST({den} AS DOUBLE) AS denominator FROM _m"
    )


def _emit_ratio(ctx: Context, code: str, num: tuple[str, str], den: tuple[str, str]) -> None:
    """Emit ``code`` = ``num`` / ``den``, two measure tables ``(table, column)`` per municipality
    and period (a stock or customer-days of ``intervals.interval_measures``), rolled up."""
    (num_t, num_c), (den_t, den_c) = num, den
    ctx.temp(
        "_m",
        f"""SELECT coalesce(a.municipality_code, c.municipality_code) AS municipality_code,
          coalesce(a.period_start, c.period_start) AS period_start,
          coalesce(a.{den_c}, 0) AS den, coalesce(c.{num_c}, 0) AS num
        FROM (SELECT * FROM {den_t} WHERE {den_c} <> 0) a
        FULL JOIN (SELECT * FROM {num_t} WHERE {num_c} <> 0) c
          USING (municipality_code, period_start)""",
    )
    ctx.emit(rollup(_muni(code, "num", "den")))


# --- stocks: O1, O1U, O1L, O1LS, O12 ----------------------------------------------------------


def status_stock(ctx: Context) -> str:
    """The temp table ``_st(municipality_code, period_start, act_at, unemp_at, act_prev,
    unemp_prev, act_days, unemp_days)`` of the status intervals, computed once per ``compute``
    and shared by the families that need the active stock (O1, O1U, O12, O5, O9/O10's
    denominator on the day before the period, O15, O16B)."""
    if "_st" not in ctx.temps:
        ctx.measures(
            "_st",
            STATUS_IV,
            weights={"act": "1", "unemp": "CASE WHEN unemployed THEN 1 ELSE 0 END"},
            prev=True,
            days=True,
        )
    return "_st"


def stocks(ctx: Context) -> None:
    ltu_start = "CAST(run_start + INTERVAL 12 MONTH AS DATE)"
    ctx.temp("_m", f"SELECT * FROM {status_stock(ctx)}")
    ctx.measures(
        "_m_ltu",
        f"SELECT municipality_code, greatest(start_on, {ltu_start}) AS start_on, end_on "
        "FROM status_intervals WHERE unemployed",
        weights={"ltu": "1"},
    )
    ctx.execute(
        "CREATE OR REPLACE TEMP TABLE _m AS SELECT m.*, coalesce(l.ltu_at, 0) AS ltu_at "
        "FROM _m m LEFT JOIN _m_ltu l USING (municipality_code, period_start)"
    )
    parts = [
        _muni("O1", "act_at"),
        _muni("O1U", "unemp_at"),
        _muni("O1L", "ltu_at"),
        _muni("O1LS", "ltu_at", "unemp_at"),
        "SELECT 'O12', m.municipality_code, m.period_start, '', '', "
        "CAST(m.unemp_days AS DOUBLE) / p.days, NULL::DOUBLE FROM _m m "
        "JOIN _periods p USING (period_start)",
    ]
    ctx.emit(rollup(" UNION ALL ".join(parts)))


# --- flows: O2, O2X, O9, O10*, O9C* -----------------------------------------------------------

_EXIT_CODES = {
    "O9": "exit_reason = 'employed_open_market'",
    "O10E": "exit_group = 'education'",
    "O10S": "exit_group = 'subsidised'",
    "O10O": "exit_group = 'outside'",
    "O10X": "exit_group = 'other' OR exit_group IS NULL",
}


def flows(ctx: Context) -> None:
    if ctx.wants("O2"):
        ctx.emit(
            f"""SELECT {_row("O2", "count(DISTINCT x.person_id)")}
            FROM (SELECT s.person_id, s.municipality_at_start AS municipality_code, p.period_start
                  FROM spells s JOIN _pday p ON p.day = s.start_on) x
            {GRP_JOIN} GROUP BY ALL"""
        )
    if ctx.wants("O2X", *_EXIT_CODES):
        exits = ", ".join(
            f"count(*) FILTER (WHERE {cond}) AS {code.lower()}"
            for code, cond in _EXIT_CODES.items()
        )
        ctx.temp(
            "_exits",
            f"""SELECT s.municipality_at_end AS municipality_code, p.period_start, count(*) AS n,
              {exits}
            FROM spells s JOIN _pday p ON p.day = s.end_on
            GROUP BY ALL""",
        )
        ctx.execute(
            f"""CREATE OR REPLACE TEMP TABLE _m AS
            SELECT coalesce(e.municipality_code, v.municipality_code) AS municipality_code,
              coalesce(e.period_start, v.period_start) AS period_start,
              coalesce(v.act_at, 0) AS prev_act, e.* EXCLUDE (municipality_code, period_start)
            FROM _exits e FULL JOIN (
              SELECT municipality_code, period_start, act_prev AS act_at FROM {status_stock(ctx)}
              WHERE act_prev <> 0) v USING (municipality_code, period_start)"""
        )
        parts = [_muni("O2X", "coalesce(n, 0)")]
        parts += [_muni(code, f"coalesce({code.lower()}, 0)", "prev_act") for code in _EXIT_CODES]
        ctx.emit(rollup(" UNION ALL ".join(parts)))
    for code in ("O9C3", "O9C6", "O9C12"):
        if not ctx.wants(code):
            continue
        k = ctx.definition(code).horizon_months
        window_end = f"CAST(s.start_on + INTERVAL {int(k)} MONTH AS DATE)"
        ctx.emit(
            rollup(
                f"""SELECT '{code}' AS indicator, s.municipality_at_start AS municipality_code,
              p.period_start, '' AS dimension, '' AS dimension_value,
              CAST(count(*) FILTER (WHERE {window_end} <= a.as_of AND s.exit_group = 'employment'
                AND s.end_on <= {window_end}) AS DOUBLE) AS numerator,
              CAST(count(*) FILTER (WHERE {window_end} <= a.as_of) AS DOUBLE) AS denominator
            FROM spells s JOIN _pday p ON p.day = s.start_on
            CROSS JOIN _params a GROUP BY ALL"""
            )
        )


# --- initial interviews: O3, O3N, O4, O4P90, O4C, O5T -----------------------------------------


def interviews(ctx: Context) -> None:
    ctx.temp(
        "_coh",
        f"""
WITH first_ii AS (
  SELECT enrolment_id, min(held_on) AS held_on FROM meetings
  WHERE meeting_type = 'initial_interview' AND held_on IS NOT NULL AND enrolment_id IS NOT NULL
  GROUP BY enrolment_id
), base AS (
  SELECT s.enrolment_id, s.person_id, s.start_on, s.municipality_at_start AS municipality_code,
    p.period_start, r.working_days AS d, fi.held_on,
    cs.wd_index AS wd_start, ch.wd_index AS wd_held
  FROM spells s
  JOIN _pday p ON p.day = s.start_on
  LEFT JOIN _deadline r ON s.start_on BETWEEN r.valid_from AND coalesce(r.valid_to, {FAR})
  LEFT JOIN first_ii fi USING (enrolment_id)
  LEFT JOIN calendar cs ON cs.day = s.start_on
  LEFT JOIN calendar ch ON ch.day = fi.held_on
)
SELECT b.*, dl.deadline_on, ch.wd_index - b.wd_start AS wd_to_interview
FROM base b
LEFT JOIN (SELECT wd_index, min(day) AS deadline_on FROM calendar WHERE is_working_day
           GROUP BY wd_index) dl ON dl.wd_index = b.wd_start + b.d
LEFT JOIN calendar ch ON ch.day = b.held_on
""",
    )
    ctx.temp(
        "_coh_plan",
        """SELECT DISTINCT c.enrolment_id FROM _coh c JOIN plans pl ON pl.person_id = c.person_id
        WHERE c.held_on IS NOT NULL AND pl.agreed
          AND coalesce(pl.agreed_on, pl.saved_on) BETWEEN c.start_on AND c.held_on""",
    )
    due = "x.d IS NOT NULL AND x.deadline_on <= a.as_of"
    ctx.emit(
        f"""SELECT {
            _row(
                "O3",
                f"count(*) FILTER (WHERE {due} AND x.held_on <= x.deadline_on)",
                f"count(*) FILTER (WHERE {due})",
            )
        }
        FROM _coh x CROSS JOIN _params a {GRP_JOIN} GROUP BY ALL
        UNION ALL
        SELECT {
            _row(
                "O3N",
                "count(*) FILTER (WHERE x.d IS NOT NULL AND x.deadline_on > a.as_of "
                "AND (x.held_on IS NULL OR x.held_on > a.as_of))",
            )
        }
        FROM _coh x CROSS JOIN _params a {GRP_JOIN} GROUP BY ALL
        UNION ALL
        SELECT {
            _row("O4", "count(x.wd_to_interview)", value="quantile_cont(x.wd_to_interview, 0.5)")
        }
        FROM _coh x {GRP_JOIN} GROUP BY ALL
        UNION ALL
        SELECT {
            _row("O4P90", "count(x.wd_to_interview)", value="quantile_cont(x.wd_to_interview, 0.9)")
        }
        FROM _coh x {GRP_JOIN} GROUP BY ALL
        UNION ALL
        SELECT {_row("O4C", "count(*) FILTER (WHERE x.held_on IS NULL OR x.held_on > a.as_of)")}
        FROM _coh x CROSS JOIN _params a {GRP_JOIN} GROUP BY ALL
        UNION ALL
        SELECT {_row("O5T", "count(cp.enrolment_id)", "count(x.held_on)")}
        FROM _coh x LEFT JOIN _coh_plan cp USING (enrolment_id) {GRP_JOIN} GROUP BY ALL"""
    )


# --- plans: O5 ---------------------------------------------------------------------------------


def plans(ctx: Context) -> None:
    valid = f"""
WITH one AS (
  SELECT * FROM plans
  QUALIFY row_number() OVER (PARTITION BY person_id, saved_on ORDER BY event_id DESC) = 1
), seq AS (
  SELECT person_id, saved_on, agreed, valid_until,
    lead(saved_on) OVER (PARTITION BY person_id ORDER BY saved_on) AS next_on
  FROM one
)
SELECT person_id, saved_on AS start_on,
  least(coalesce(next_on, {FAR}), coalesce(valid_until + 1, {FAR})) AS end_on
FROM seq WHERE agreed
"""
    covered = intersect(STATUS_IV, valid, on="person_id", a_cols=["person_id", "municipality_code"])
    plan_cov = ctx.measures("_plan_cov", covered, weights={"n": "1"})
    _emit_ratio(ctx, "O5", (plan_cov, "n_at"), (status_stock(ctx), "act_at"))


# --- meetings: O6, O7, O8 ----------------------------------------------------------------------


def meetings(ctx: Context) -> None:
    # O6: customers whose spell is 70..90 days old on the counting day and still open.
    if ctx.wants("O6"):
        ctx.emit(
            f"""
    WITH band AS (  -- the period containing day 70 of the spell, if it ends by day 90: every
      -- period is longer than the 21-day band, so no other counting day can fall in it
      SELECT s.enrolment_id, s.person_id, s.start_on, p.period_start, p.period_end
      FROM spells s JOIN _pday p ON p.day = s.start_on + 70
      WHERE p.period_end <= s.start_on + 90 AND coalesce(s.end_on, {FAR}) > p.period_end
    ), loc AS (
      SELECT b.*, si.municipality_code FROM band b
      ASOF JOIN status_intervals si ON si.enrolment_id = b.enrolment_id AND b.period_end >= si.start_on
    ), cnt AS (
      SELECT l.enrolment_id, l.period_start, count(m.meeting_id) AS n
      FROM loc l LEFT JOIN meetings m ON m.enrolment_id = l.enrolment_id
        AND m.meeting_type = 'supplementary_interview' AND m.held_on BETWEEN l.start_on AND l.period_end
      GROUP BY ALL
    ), x AS (SELECT loc.*, cnt.n FROM loc JOIN cnt USING (enrolment_id, period_start))
    SELECT {_row("O6", "count(*) FILTER (WHERE x.n >= 4)", "count(*)")}
    FROM x {GRP_JOIN} GROUP BY ALL"""
        )
    # O7: eligible (spell >= 3 months old) intersected with "a discussion in the last 3 months".
    if ctx.wants("O7"):
        eligible = f"""SELECT si.person_id, si.enrolment_id, si.municipality_code,
            greatest(si.start_on, CAST(s.start_on + INTERVAL 3 MONTH AS DATE)) AS start_on, si.end_on
          FROM status_intervals si JOIN spells s USING (enrolment_id)
          WHERE CAST(s.start_on + INTERVAL 3 MONTH AS DATE) < coalesce(si.end_on, {FAR})"""
        # the merged 3-month windows after each discussion, kept per person by the refresh
        recent = "SELECT enrolment_id, start_on, end_on FROM discussion_windows"
        covered = intersect(eligible, recent, on="enrolment_id", a_cols=["municipality_code"])
        elig = ctx.measures("_o7_elig", eligible, weights={"n": "1"})
        cov = ctx.measures("_o7_cov", covered, weights={"n": "1"})
        _emit_ratio(ctx, "O7", (cov, "n_at"), (elig, "n_at"))
    # O8: meetings held in the period by channel (every channel, zero when unused).
    if ctx.wants("O8"):
        channels = ", ".join(f"'{c.value}'" for c in codes.ContactChannel)
        ctx.emit(
            rollup(
                f"""
    WITH t AS (  -- counted per municipality, period and channel before the channel spine
      SELECT m.municipality_code, p.period_start, m.channel, count(*) AS n
      FROM meetings m JOIN _pday p ON p.day = m.held_on
      WHERE m.channel IS NOT NULL GROUP BY ALL
    ), tot AS (SELECT municipality_code, period_start, sum(n) AS n FROM t GROUP BY ALL),
    ch AS (SELECT unnest([{channels}]) AS channel)
    SELECT 'O8' AS indicator, tot.municipality_code, tot.period_start, 'channel' AS dimension,
      ch.channel AS dimension_value, CAST(coalesce(t.n, 0) AS DOUBLE) AS numerator,
      CAST(tot.n AS DOUBLE) AS denominator
    FROM tot CROSS JOIN ch
    LEFT JOIN t ON t.municipality_code = tot.municipality_code
      AND t.period_start = tot.period_start AND t.channel = ch.channel"""
            )
        )


# --- referrals: O14*, O11M* ----------------------------------------------------------------------


def referrals(ctx: Context) -> None:
    k = int(ctx.definition("O14A").k_working_days)
    ctx.temp(
        "_ref",
        f"""SELECT r.*, p.period_start, c2.wd_index - c1.wd_index AS wd_accept
        FROM (SELECT *, {local_day("sent_at")} AS sent_on, {local_day("accepted_at")} AS acc_on
              FROM referrals WHERE sent_at IS NOT NULL) r
        JOIN _pday p ON p.day = r.sent_on
        LEFT JOIN calendar c1 ON c1.day = r.sent_on
        LEFT JOIN calendar c2 ON c2.day = r.acc_on""",
    )
    measures = {
        "O14": ("count(*)", "NULL", "NULL"),
        "O14A": (f"count(*) FILTER (WHERE x.wd_accept <= {k})", "count(*)", "NULL"),
        "O14R": (
            "count(x.accepted_at)",
            "count(*) FILTER (WHERE x.accepted_at IS NOT NULL OR x.rejected_at IS NOT NULL)",
            "NULL",
        ),
        "O14L": ("count(x.wd_accept)", "NULL", "quantile_cont(x.wd_accept, 0.5)"),
        "O14C": ("count(x.completed_at)", "count(x.accepted_at)", "NULL"),
        "O14E": (
            "count(*) FILTER (WHERE x.completed_at IS NOT NULL AND x.outcome = 'employed')",
            "count(x.completed_at)",
            "NULL",
        ),
    }
    wanted = [code for code in measures if ctx.wants(code)]
    # one aggregation per dimension computes every wanted measure; LATERAL VALUES gives a row
    # per indicator (6 passes over the referrals per dimension before)
    cols = ", ".join(
        f"CAST({expr} AS DOUBLE) AS {code.lower()}_{part}"
        for code in wanted
        for part, expr in zip(("n", "d", "v"), measures[code], strict=True)
    )
    rows = ", ".join(
        f"('{code}', {code.lower()}_n, {code.lower()}_d, {code.lower()}_v)" for code in wanted
    )
    for dim, col in (("", "''"), ("provider", "x.provider_id"), ("offering", "x.offering_id")):
        if not wanted:
            break
        ctx.emit(
            f"""WITH a AS (
              SELECT g.group_code, x.period_start, CAST({col} AS VARCHAR) AS dimension_value,
                {cols}
              FROM _ref x {GRP_JOIN} GROUP BY ALL)
            SELECT t.code, a.group_code, a.period_start, '{dim}', a.dimension_value, t.num,
              t.den, t.val, NULL::DOUBLE, NULL::DOUBLE, ''
            FROM a, LATERAL (VALUES {rows}) t(code, num, den, val)"""
        )
    for code in ("O11M3", "O11M6"):
        if not ctx.wants(code):
            continue
        months = int(ctx.definition(code).horizon_months)
        ctx.emit(
            rollup(
                f"""
WITH e AS (
  SELECT r.person_id, r.municipality_code, p.period_start,
    last_day(CAST(p.period_end + INTERVAL {months} MONTH AS DATE)) AS check_day
  FROM referrals r JOIN _pday p
    ON p.day = {local_day("coalesce(r.completed_at, r.interrupted_at)")}
  WHERE r.completed_at IS NOT NULL OR r.interrupted_at IS NOT NULL
), c AS (
  SELECT e.*, s.end_on, s.exit_group FROM e
  ASOF LEFT JOIN spells s ON e.person_id = s.person_id AND e.check_day >= s.start_on
)
SELECT '{code}' AS indicator, c.municipality_code, c.period_start, '' AS dimension,
  '' AS dimension_value,
  CAST(count(*) FILTER (WHERE c.check_day <= a.as_of AND c.end_on IS NOT NULL
    AND c.end_on <= c.check_day AND c.exit_group IN ({SELF_SUFFICIENT})) AS DOUBLE) AS numerator,
  CAST(count(*) FILTER (WHERE c.check_day <= a.as_of) AS DOUBLE) AS denominator
FROM c CROSS JOIN _params a GROUP BY ALL"""
            )
        )


# --- responsibility: O13*, O15, O15N -------------------------------------------------------------


def responsibility(ctx: Context) -> None:
    resp = "SELECT person_id, worker_id, start_on, end_on FROM responsibility_intervals"
    covered = intersect(
        STATUS_IV,
        resp,
        on="person_id",
        a_cols=["person_id", "municipality_code"],
        b_cols=["worker_id"],
    )
    if ctx.wants("O13", "O13P90", "O13MAX"):
        ctx.temp("_cov", covered)
        ctx.measures("_wk", "SELECT * FROM _cov", weights={"n": "1"}, keys=["worker_id"])
        ctx.emit(
            f"""
    WITH tot AS (SELECT worker_id, period_start, sum(n_at) AS customers FROM _wk GROUP BY ALL),
    x AS (  -- _wk has one row per (municipality, worker, period)
      SELECT w.worker_id, w.municipality_code, w.period_start FROM _wk w WHERE w.n_at > 0
    ), wg AS (
      SELECT DISTINCT x.worker_id, g.group_code, x.period_start FROM x {GRP_JOIN}
    ), c AS (
      SELECT wg.group_code, wg.period_start, t.customers,
        t.customers / coalesce(nullif(rw.fte, 0), 1.0) AS load
      FROM wg JOIN tot t USING (worker_id, period_start)
      LEFT JOIN ref_worker rw USING (worker_id)
    ), x2 AS (SELECT group_code, period_start, count(*) AS n, sum(customers) AS customers,
      quantile_cont(load, [0.5, 0.9]) AS q, max(load) AS mx  -- both quantiles in one pass
      FROM c GROUP BY ALL)
    SELECT code AS indicator, group_code, period_start, '', '', CAST(n AS DOUBLE),
      CAST(customers AS DOUBLE), v, NULL::DOUBLE, NULL::DOUBLE, ''
    FROM x2, LATERAL (VALUES ('O13', q[1]), ('O13P90', q[2]), ('O13MAX', mx)) t(code, v)"""
        )
    if ctx.wants("O15", "O15N"):
        # Gap intervals: parts of each status interval not covered by a responsibility interval.
        ctx.temp(
            "_gaps",
            f"""
    WITH si AS (
      SELECT person_id, municipality_code, start_on, coalesce(end_on, {FAR}) AS end_on
      FROM status_intervals
    ), pieces AS (
      SELECT si.person_id, si.municipality_code, si.start_on AS si_start, si.end_on AS si_end,
        CASE WHEN r.person_id IS NOT NULL THEN greatest(si.start_on, r.start_on) END AS c_start,
        CASE WHEN r.person_id IS NOT NULL THEN least(si.end_on, coalesce(r.end_on, {FAR})) END
          AS c_end
      FROM si LEFT JOIN responsibility_intervals r ON r.person_id = si.person_id
        AND r.start_on < si.end_on AND coalesce(r.end_on, {FAR}) > si.start_on
    ), ordered AS (
      SELECT *, lag(c_end) OVER (PARTITION BY person_id, si_start ORDER BY c_start) AS prev_end,
        max(c_end) OVER (PARTITION BY person_id, si_start) AS last_end
      FROM pieces
    )
    SELECT person_id, municipality_code, si_start AS start_on, si_end AS end_on
    FROM ordered WHERE c_start IS NULL
    UNION ALL
    SELECT person_id, municipality_code, coalesce(prev_end, si_start), c_start
    FROM ordered WHERE c_start IS NOT NULL AND c_start > coalesce(prev_end, si_start)
    UNION ALL
    SELECT DISTINCT person_id, municipality_code, last_end, si_end
    FROM ordered WHERE c_start IS NOT NULL AND last_end < si_end
    """,
        )
        gap = ctx.measures("_gap_days", "SELECT * FROM _gaps", weights={"n": "1"}, days=True)
        _emit_ratio(ctx, "O15", (gap, "n_days"), (status_stock(ctx), "act_days"))
        ctx.emit(
            f"""SELECT {_row("O15N", "count(DISTINCT x.person_id)")}
            FROM (SELECT gp.person_id, gp.municipality_code, p.period_start FROM _gaps gp
                  JOIN _periods p ON gp.start_on <= p.period_end AND gp.end_on > p.period_start) x
            {GRP_JOIN} GROUP BY ALL"""
        )


# --- handovers: O16, O16B, O17, O17K ----------------------------------------------------------


def handovers(ctx: Context) -> None:
    k = int(ctx.definition("O17K").k_working_days)
    org = f"""SELECT *, {local_day("accepted_at")} AS acc_on FROM handovers
      WHERE accepted_at IS NOT NULL AND from_organisation_id IS NOT NULL
        AND to_organisation_id IS NOT NULL AND from_organisation_id <> to_organisation_id"""
    ctx.temp("_org", org)
    if ctx.wants("O16"):
        ctx.emit(
            rollup(
                """SELECT 'O16' AS indicator, h.municipality_code, p.period_start, '' AS dimension,
                  '' AS dimension_value,
                  CAST(count(*) FILTER (WHERE EXISTS (SELECT 1 FROM _org b
                    WHERE b.person_id = h.person_id AND b.from_organisation_id = h.to_organisation_id
                      AND b.to_organisation_id = h.from_organisation_id
                      AND b.accepted_at > h.accepted_at AND b.acc_on <= h.acc_on + 90)) AS DOUBLE)
                    AS numerator,
                  CAST(count(*) AS DOUBLE) AS denominator
                FROM _org h JOIN _pday p ON p.day = h.acc_on
                GROUP BY ALL"""
            )
        )
    if ctx.wants("O16B"):
        bouncing = merge_islands(
            """SELECT person_id, acc_on AS start_on, first2 + 180 AS end_on FROM (
                 SELECT person_id, acc_on,
                   lag(acc_on, 2) OVER (PARTITION BY person_id ORDER BY accepted_at) AS first2
                 FROM _org) q
               WHERE first2 IS NOT NULL AND acc_on < first2 + 180""",
            by="person_id",
        )
        covered = intersect(STATUS_IV, bouncing, on="person_id", a_cols=["municipality_code"])
        bounced = ctx.measures("_bounced", covered, weights={"n": "1"})
        _emit_ratio(ctx, "O16B", (bounced, "n_at"), (status_stock(ctx), "act_at"))
    if ctx.wants("O17", "O17K"):
        ctx.emit(
            f"""
    WITH x AS (
      SELECT h.municipality_code, p.period_start, c2.wd_index - c1.wd_index AS wd
      FROM handovers h
      JOIN _pday p ON p.day = {local_day("h.requested_at")}
      LEFT JOIN calendar c1 ON c1.day = {local_day("h.requested_at")}
      LEFT JOIN calendar c2 ON c2.day = {local_day("h.accepted_at")}
      WHERE h.requested_at IS NOT NULL
    )
    SELECT {_row("O17", "count(x.wd)", value="quantile_cont(x.wd, 0.5)")} FROM x {GRP_JOIN} GROUP BY ALL
    UNION ALL
    SELECT {_row("O17K", f"count(*) FILTER (WHERE x.wd <= {k})", "count(*)")}
    FROM x {GRP_JOIN} GROUP BY ALL"""
        )


# --- assessments: A1 ------------------------------------------------------------------------------


def assessments(ctx: Context) -> None:
    iv = """
WITH o AS (
  SELECT person_id, dimension, assessed_on, municipality_code, worker_score,
    first_value(worker_score) OVER w AS first_score,
    row_number() OVER w AS k,
    lead(assessed_on) OVER w AS next_on
  FROM assessments WHERE assessed_on IS NOT NULL
  WINDOW w AS (PARTITION BY person_id, dimension ORDER BY assessed_on, sequence)
)
SELECT municipality_code, dimension, assessed_on AS start_on, next_on AS end_on,
  worker_score - first_score AS diff
FROM o WHERE k >= 2
"""
    scores = ctx.measures("_a1", iv, weights={"diff": "diff", "n": "1"}, keys=["dimension"])
    ctx.emit(
        rollup(
            f"""SELECT 'A1' AS indicator, municipality_code, period_start,
              'assessment_dimension' AS dimension, dimension AS dimension_value,
              CAST(diff_at AS DOUBLE) AS numerator, CAST(n_at AS DOUBLE) AS denominator
            FROM {scores}"""
        )
    )


FAMILIES = {
    "stocks": stocks,
    "flows": flows,
    "interviews": interviews,
    "plans": plans,
    "meetings": meetings,
    "referrals": referrals,
    "responsibility": responsibility,
    "handovers": handovers,
    "assessments": assessments,
}
