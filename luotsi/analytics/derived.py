"""Derived tables of the analytics store, rebuilt from ``events`` with SQL after each refresh.

Conventions (documented in docs/analytics-store.md):

* intervals are half-open ``[start_on, end_on)``; ``end_on`` NULL means still open;
* a job-search spell (enrolment) covers ``[registered_on, ended_on)``: a customer whose period
  ended on day d is no longer a customer on d (so stock(m) = stock(m-1) + inflow - outflow);
* the day of a timestamped event (referral, handover, assignment) is its date in Finland
  (Europe/Helsinki);
* when the same enrolment is registered twice the first event wins; when it is exited twice the
  latest exit event wins (a correction).

Tables:

``spells``                one row per enrolment: person, start, end, exit reason and group,
                          municipality at start and at end, area at start, registration details
``person_locations``      person's municipality of residence over time (registrations, moves)
``status_intervals``      spell split at status changes and moves: person, enrolment,
                          municipality, labour-market status, ``unemployed``, ``run_start`` (start
                          of the continuous unemployment run, for long-term unemployment)
``responsibility_intervals`` responsible worker / team / organisation from when to when
``meetings``              one row per meeting: type, channel, held on, cancelled, spell
``discussion_windows``    per spell, the days within 3 months after a job-search discussion
                          (merged windows ``[held_on, held_on + 3 months]``; O7)
``plans``                 one row per saved plan version, with the day it is valid until
``referrals``             one row per referral with the timestamp of each stage
``handovers``             one row per handover with the timestamp of each stage
``assessments``           one row per assessment and dimension (worker and customer score)
``meta_derived``          which events the derived tables were built from
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from luotsi.kernel import codes

from .indicators.sqlkit import merge_islands

if TYPE_CHECKING:
    from .store import Store

FAR = "DATE '9999-12-31'"
LOCAL_DAY = "CAST(timezone('Europe/Helsinki', {col}) AS DATE)"

_UNEMPLOYED = ", ".join(f"'{s.value}'" for s in sorted(codes.UNEMPLOYED_STATUSES))
_EXIT_GROUP = (
    "CASE ex.exit_reason "
    + " ".join(f"WHEN '{r.value}' THEN '{g}'" for r, g in codes.EXIT_GROUPS.items())
    + " ELSE NULL END"
)
_DIMENSIONS = ", ".join(f"'{d.value}'" for d in codes.AssessmentDimension)
#: Meeting types that count as a job-search discussion (O7: one every 3 months).
DISCUSSIONS = ", ".join(
    f"'{t.value}'"
    for t in (
        codes.MeetingType.INITIAL_INTERVIEW,
        codes.MeetingType.SUPPLEMENTARY_INTERVIEW,
        codes.MeetingType.JOB_SEARCH_INTERVIEW,
    )
)


def _day(col: str) -> str:
    return LOCAL_DAY.format(col=col)


def _stage_columns(prefix: str, verbs: tuple[str, ...]) -> str:
    return ",\n  ".join(
        f"min(occurred_at) FILTER (WHERE kind = '{prefix}.{v}') AS {v}_at" for v in verbs
    )


REFERRAL_STAGES = (
    "drafted",
    "sent",
    "accepted",
    "rejected",
    "started",
    "completed",
    "interrupted",
    "revoked",
)
HANDOVER_STAGES = ("requested", "accepted", "declined", "expired", "cancelled")

STATEMENTS: tuple[tuple[str, str], ...] = (
    (
        "spells",
        f"""
CREATE OR REPLACE TABLE spells AS
WITH reg AS (
  SELECT * FROM events
  WHERE kind = 'customer.registered' AND enrolment_id IS NOT NULL AND registered_on IS NOT NULL
  QUALIFY row_number() OVER (PARTITION BY enrolment_id ORDER BY event_id) = 1
), ex AS (
  SELECT enrolment_id, ended_on, exit_reason FROM events
  WHERE kind = 'customer.exited' AND enrolment_id IS NOT NULL
  QUALIFY row_number() OVER (PARTITION BY enrolment_id ORDER BY event_id DESC) = 1
)
SELECT r.person_id, r.enrolment_id, r.registered_on AS start_on,
  CASE WHEN ex.ended_on < r.registered_on THEN r.registered_on ELSE ex.ended_on END AS end_on,
  ex.exit_reason, {_EXIT_GROUP} AS exit_group,
  r.municipality_code AS municipality_at_start, r.area_code AS area_at_start,
  r.organisation_id AS organisation_at_start, r.status AS status_at_start,
  r.reason AS registration_reason, r.birth_year, r.sex, r.language_group, r.education_level,
  r.foreign_national
FROM reg r LEFT JOIN ex USING (enrolment_id)
""",
    ),
    (
        "person_locations",
        """
CREATE OR REPLACE TABLE person_locations AS
WITH facts AS (
  SELECT person_id, registered_on AS day, municipality_code, event_id FROM events
  WHERE kind = 'customer.registered' AND municipality_code IS NOT NULL
    AND registered_on IS NOT NULL AND person_id IS NOT NULL
  UNION ALL
  SELECT person_id, effective_on, to_municipality, event_id FROM events
  WHERE kind = 'customer.moved' AND to_municipality IS NOT NULL AND effective_on IS NOT NULL
    AND person_id IS NOT NULL
), one_per_day AS (
  SELECT * FROM facts
  QUALIFY row_number() OVER (PARTITION BY person_id, day ORDER BY event_id DESC) = 1
)
SELECT person_id, municipality_code, day AS valid_from,
  lead(day) OVER (PARTITION BY person_id ORDER BY day) AS valid_to
FROM one_per_day
""",
    ),
    (
        "status_intervals",
        f"""
CREATE OR REPLACE TABLE status_intervals AS
WITH status_facts AS (
  SELECT enrolment_id, registered_on AS day, status, event_id FROM events
  WHERE kind = 'customer.registered' AND enrolment_id IS NOT NULL AND registered_on IS NOT NULL
  UNION ALL
  SELECT enrolment_id, effective_on, status, event_id FROM events
  WHERE kind = 'customer.status_changed' AND enrolment_id IS NOT NULL AND effective_on IS NOT NULL
), sf AS (
  SELECT * FROM status_facts
  QUALIFY row_number() OVER (PARTITION BY enrolment_id, day ORDER BY event_id DESC) = 1
), bp AS (
  SELECT enrolment_id, person_id, start_on AS day FROM spells
  UNION
  SELECT s.enrolment_id, s.person_id, f.day FROM sf f JOIN spells s USING (enrolment_id)
  WHERE f.day > s.start_on AND f.day < coalesce(s.end_on, {FAR})
  UNION
  SELECT s.enrolment_id, s.person_id, l.valid_from FROM person_locations l
  JOIN spells s ON l.person_id = s.person_id
  WHERE l.valid_from > s.start_on AND l.valid_from < coalesce(s.end_on, {FAR})
), iv AS (
  SELECT bp.enrolment_id, bp.person_id, bp.day AS start_on,
    coalesce(lead(bp.day) OVER (PARTITION BY bp.enrolment_id ORDER BY bp.day), s.end_on) AS end_on,
    s.municipality_at_start
  FROM bp JOIN spells s USING (enrolment_id)
), tagged AS (
  SELECT iv.person_id, iv.enrolment_id, iv.start_on, iv.end_on,
    coalesce(l.municipality_code, iv.municipality_at_start) AS municipality_code,
    f.status, f.status IN ({_UNEMPLOYED}) AS unemployed
  FROM iv
  ASOF LEFT JOIN sf f ON iv.enrolment_id = f.enrolment_id AND iv.start_on >= f.day
  ASOF LEFT JOIN person_locations l ON iv.person_id = l.person_id AND iv.start_on >= l.valid_from
  WHERE iv.end_on IS NULL OR iv.end_on > iv.start_on
), runs AS (
  SELECT *,
    row_number() OVER (PARTITION BY enrolment_id ORDER BY start_on)
    - row_number() OVER (PARTITION BY enrolment_id, coalesce(unemployed, false)
                         ORDER BY start_on) AS island
  FROM tagged
)
SELECT person_id, enrolment_id, start_on, end_on, municipality_code, status,
  coalesce(unemployed, false) AS unemployed,
  CASE WHEN unemployed THEN min(start_on) OVER (
    PARTITION BY enrolment_id, coalesce(unemployed, false), island) END AS run_start
FROM runs
""",
    ),
    (
        "spells_end",
        """
CREATE OR REPLACE TABLE spells AS
SELECT s.*, coalesce(e.municipality_code, s.municipality_at_start) AS municipality_at_end
FROM spells s LEFT JOIN (
  SELECT enrolment_id, arg_max(municipality_code, start_on) AS municipality_code
  FROM status_intervals GROUP BY enrolment_id
) e USING (enrolment_id)
""",
    ),
    (
        "responsibility_intervals",
        f"""
CREATE OR REPLACE TABLE responsibility_intervals AS
WITH ev AS (
  SELECT person_id, kind, worker_id, team_id, organisation_id, occurred_at, event_id,
    {_day("occurred_at")} AS day
  FROM events
  WHERE kind IN ('responsibility.assigned', 'responsibility.ended') AND person_id IS NOT NULL
), seq AS (
  SELECT *, lead(day) OVER (PARTITION BY person_id ORDER BY occurred_at, event_id) AS next_day
  FROM ev
)
SELECT person_id, worker_id, team_id, organisation_id, day AS start_on, next_day AS end_on
FROM seq
WHERE kind = 'responsibility.assigned' AND (next_day IS NULL OR next_day > day)
""",
    ),
    (
        "meetings",
        f"""
CREATE OR REPLACE TABLE meetings AS
WITH m AS (
  SELECT meeting_id,
    arg_min(person_id, event_id) AS person_id,
    coalesce(arg_max(meeting_type, event_id) FILTER (WHERE kind = 'meeting.held'),
             arg_max(meeting_type, event_id)) AS meeting_type,
    coalesce(arg_max(channel, event_id) FILTER (WHERE kind = 'meeting.held'),
             arg_max(channel, event_id)) AS channel,
    max(held_on) FILTER (WHERE kind = 'meeting.held') AS held_on,
    max(scheduled_for) FILTER (WHERE kind = 'meeting.scheduled') AS scheduled_for,
    bool_or(kind = 'meeting.cancelled') AS cancelled,
    arg_max(cancel_reason, event_id) FILTER (WHERE kind = 'meeting.cancelled') AS cancel_reason,
    coalesce(arg_max(municipality_code, event_id) FILTER (WHERE kind = 'meeting.held'),
             arg_max(municipality_code, event_id)) AS municipality_code,
    arg_max(organisation_id, event_id) AS organisation_id
  FROM events WHERE kind LIKE 'meeting.%' AND meeting_id IS NOT NULL
  GROUP BY meeting_id
)
SELECT m.*, CASE WHEN m.held_on <= coalesce(s.end_on, {FAR}) THEN s.enrolment_id END
  AS enrolment_id
FROM m ASOF LEFT JOIN spells s ON m.person_id = s.person_id AND m.held_on >= s.start_on
""",
    ),
    (
        "discussion_windows",
        "CREATE OR REPLACE TABLE discussion_windows AS "
        + merge_islands(
            f"""SELECT person_id, enrolment_id, held_on AS start_on,
              CAST(held_on + INTERVAL 3 MONTH AS DATE) + 1 AS end_on
            FROM meetings WHERE meeting_type IN ({DISCUSSIONS}) AND held_on IS NOT NULL
              AND enrolment_id IS NOT NULL AND person_id IS NOT NULL""",
            by="person_id, enrolment_id",
            monotone_ends=True,  # every window is "3 months from the meeting"
        ),
    ),
    (
        "plans",
        f"""
CREATE OR REPLACE TABLE plans AS
SELECT plan_id, person_id, plan_version, coalesce(agreed, false) AS agreed, agreed_on,
  valid_until, review_due_on, task_count, applications_required,
  {_day("occurred_at")} AS saved_on, event_id
FROM events WHERE kind = 'plan.saved' AND plan_id IS NOT NULL
""",
    ),
    (
        "referrals",
        f"""
CREATE OR REPLACE TABLE referrals AS
SELECT referral_id,
  arg_min(person_id, event_id) AS person_id,
  arg_min(offering_id, event_id) AS offering_id,
  arg_min(provider_id, event_id) AS provider_id,
  arg_min(municipality_code, event_id) AS municipality_code,
  arg_min(organisation_id, event_id) AS sender_organisation_id,
  {_stage_columns("referral", REFERRAL_STAGES)},
  arg_max(outcome, event_id) FILTER (WHERE outcome IS NOT NULL) AS outcome,
  arg_max(split_part(kind, '.', 2), event_id) FILTER (WHERE kind IN ({
            ", ".join(f"'referral.{v}'" for v in REFERRAL_STAGES)
        })) AS state
FROM events WHERE kind LIKE 'referral.%' AND referral_id IS NOT NULL
GROUP BY referral_id
""",
    ),
    (
        "handovers",
        f"""
CREATE OR REPLACE TABLE handovers AS
SELECT handover_id,
  arg_min(person_id, event_id) AS person_id,
  arg_min(from_worker_id, event_id) AS from_worker_id,
  arg_min(to_worker_id, event_id) AS to_worker_id,
  arg_min(from_organisation_id, event_id) AS from_organisation_id,
  arg_min(to_organisation_id, event_id) AS to_organisation_id,
  arg_min(municipality_code, event_id) AS municipality_code,
  max(deadline_on) AS deadline_on,
  {_stage_columns("handover", HANDOVER_STAGES)},
  arg_max(split_part(kind, '.', 2), event_id) AS state
FROM events WHERE kind LIKE 'handover.%' AND handover_id IS NOT NULL
GROUP BY handover_id
""",
    ),
    (
        "assessments",
        f"""
CREATE OR REPLACE TABLE assessments AS
WITH a AS (
  SELECT * FROM events WHERE kind = 'assessment.recorded' AND assessment_id IS NOT NULL
  QUALIFY row_number() OVER (PARTITION BY assessment_id ORDER BY event_id DESC) = 1
), d AS (SELECT unnest([{_DIMENSIONS}]) AS dimension)
SELECT a.assessment_id, a.person_id, a.sequence, a.assessed_on, a.municipality_code,
  d.dimension,
  TRY_CAST(json_extract_string(a.worker_scores, '$.' || d.dimension) AS INTEGER) AS worker_score,
  TRY_CAST(json_extract_string(a.customer_scores, '$.' || d.dimension) AS INTEGER)
    AS customer_score
FROM a CROSS JOIN d
WHERE TRY_CAST(json_extract_string(a.worker_scores, '$.' || d.dimension) AS INTEGER) IS NOT NULL
""",
    ),
)

DERIVED_TABLES = tuple(dict.fromkeys(name for name, _ in STATEMENTS if name != "spells_end"))


def ensure_tables(con) -> None:
    """Create empty derived tables in a fresh store, so that queries work before any refresh."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS meta_derived (event_count BIGINT, high_water_mark BIGINT, "
        "built_at TIMESTAMPTZ)"
    )
    existing = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if not set(DERIVED_TABLES) <= existing:
        for _, sql in STATEMENTS:
            con.execute(sql)


def rebuild(store: Store) -> None:
    """Rebuild every derived table from ``events`` (in the caller's transaction, if any)."""
    con = store.con
    _ensure_calendar(store)
    for _, sql in STATEMENTS:
        con.execute(sql)
    _stamp(con)


#: Tables the statements read besides ``events``; in an incremental rebuild each name is
#: replaced by its partial version (``_inc_<name>``) built from the affected persons' events.
_READS = ("events", "spells", "person_locations", "status_intervals", "meetings")
#: Largest share of persons an incremental rebuild takes on before a full rebuild is cheaper.
INCREMENTAL_MAX_SHARE = 0.25


def _partial(sql: str) -> str:
    """A statement rewritten to build ``_inc_<table>`` from ``_inc_events``."""
    out = re.sub(
        r"CREATE OR REPLACE TABLE (\w+) AS", r"CREATE OR REPLACE TEMP TABLE _inc_\1 AS", sql
    )
    for name in _READS:
        out = re.sub(rf"(?<![\w.]){name}(?![\w(])", f"_inc_{name}", out)
    return out


def rebuild_persons(store: Store, persons: str) -> bool:
    """Rebuild the derived rows of the persons in ``persons`` (SQL yielding ``person_id``) from
    their events only, replacing their old rows (in the caller's transaction). Every derived
    table is a function of one person's events, so this equals a full rebuild as long as every
    event the statements read carries its person: when some do not, or when the persons are more
    than :data:`INCREMENTAL_MAX_SHARE` of all, nothing is done and ``False`` is returned (the
    caller rebuilds everything)."""
    con = store.con
    orphans = con.execute(
        "SELECT count(*) FROM events WHERE person_id IS NULL AND ("
        "kind LIKE 'customer.%' OR kind LIKE 'meeting.%' OR kind LIKE 'referral.%' "
        "OR kind LIKE 'handover.%' OR kind LIKE 'responsibility.%' "
        "OR kind IN ('plan.saved', 'assessment.recorded'))"
    ).fetchall()[0][0]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _inc_persons AS SELECT DISTINCT person_id FROM ({persons}) p WHERE person_id IS NOT NULL"
    )
    n_aff, n_all = con.execute(
        "SELECT (SELECT count(*) FROM _inc_persons), (SELECT count(DISTINCT person_id) FROM spells)"
    ).fetchall()[0]
    if orphans or n_aff > INCREMENTAL_MAX_SHARE * max(n_all, 1):
        con.execute("DROP TABLE IF EXISTS _inc_persons")
        return False
    _ensure_calendar(store)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _inc_events AS SELECT e.* FROM events e "
            "SEMI JOIN _inc_persons p ON p.person_id = e.person_id"
        )
        for _, sql in STATEMENTS:
            con.execute(_partial(sql))
        for name in DERIVED_TABLES:
            con.execute(
                f"DELETE FROM {name} WHERE person_id IN (SELECT person_id FROM _inc_persons)"
            )
            con.execute(f"INSERT INTO {name} SELECT * FROM _inc_{name}")
        _stamp(con)
    finally:
        for name in ("_inc_persons", *(f"_inc_{t}" for t in _READS + DERIVED_TABLES)):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    return True


def _ensure_calendar(store: Store) -> None:
    lo, hi = store.con.execute(
        "SELECT least(min(registered_on), min(CAST(occurred_at AS DATE))), "
        "greatest(max(registered_on), max(CAST(occurred_at AS DATE))) FROM events"
    ).fetchall()[0]
    if lo is not None:
        store.ensure_calendar(lo, hi)


def _stamp(con) -> None:
    con.execute("DELETE FROM meta_derived")
    con.execute(
        "INSERT INTO meta_derived SELECT count(*), coalesce(max(event_id), 0), now() FROM events"
    )


def is_current(store: Store) -> bool:
    rows = store.con.execute(
        "SELECT d.event_count = e.n AND d.high_water_mark = e.hwm FROM meta_derived d, "
        "(SELECT count(*) AS n, coalesce(max(event_id), 0) AS hwm FROM events) e"
    ).fetchall()
    return bool(rows and rows[0][0])
