"""SQL building blocks shared by the indicator families.

The engine prepares three temporary tables before any family runs:

``_periods(period_start, period_end, days)``   the time spine (counting day = period_end)
``_grp(municipality_code, period_start, group_code)``
    which group each municipality code (as found in the data) counts in for each period: the
    membership valid on the period's counting day, after following municipality mergers
``_params(as_of)``                              the extraction date
``_pday(day, period_start, period_end)``        every day of the spine with its period (join
    ``ON p.day = <day>`` instead of a range join on ``_periods``)

Interval arithmetic: an interval is ``[start_on, end_on)`` with ``end_on`` NULL (or ``FAR``) for
open. Stocks and customer-days of intervals per period are in ``intervals.interval_measures``
(numpy difference arrays over days: O(intervals), no person x month expansion).
"""

from __future__ import annotations

from collections.abc import Sequence

FAR = "DATE '9999-12-31'"
LOCAL_DAY = "CAST(timezone('Europe/Helsinki', {col}) AS DATE)"


def local_day(col: str) -> str:
    return LOCAL_DAY.format(col=col)


def intersect(a: str, b: str, *, on: str, a_cols: Sequence[str], b_cols: Sequence[str] = ()) -> str:
    """SQL intersecting intervals of ``a`` and ``b`` that share ``on`` (e.g. person_id)."""
    cols = ", ".join([*(f"a.{c}" for c in a_cols), *(f"b.{c}" for c in b_cols)])
    return f"""
SELECT {cols}, greatest(a.start_on, b.start_on) AS start_on,
  least(coalesce(a.end_on, {FAR}), coalesce(b.end_on, {FAR})) AS end_on
FROM ({a}) a JOIN ({b}) b ON a.{on} = b.{on}
  AND a.start_on < coalesce(b.end_on, {FAR}) AND b.start_on < coalesce(a.end_on, {FAR})
"""


def merge_islands(intervals: str, *, by: str, monotone_ends: bool = False) -> str:
    """SQL merging overlapping or touching intervals per ``by`` (gaps and islands).

    With ``monotone_ends`` the caller promises that ordering by start also orders the ends (all
    intervals have the same length, e.g. "3 months after a meeting"): the previous interval's end
    is then the running maximum, and one window pass (lag/lead) finds the first and last interval
    of each island, which is about 40 % faster on 15M meetings than the general running max."""
    if monotone_ends:
        return f"""
WITH q AS (
  SELECT {by}, start_on, coalesce(end_on, {FAR}) AS end_on FROM ({intervals}) q0
  WHERE start_on < coalesce(end_on, {FAR})
), w AS (
  SELECT {by}, start_on, end_on, lag(end_on) OVER o AS prev_end, lead(start_on) OVER o AS next_start
  FROM q WINDOW o AS (PARTITION BY {by} ORDER BY start_on, end_on)
), b AS (  -- the first and the last interval of each island
  SELECT {by}, start_on, end_on, prev_end IS NULL OR start_on > prev_end AS is_first,
    next_start IS NULL OR next_start > end_on AS is_last
  FROM w WHERE prev_end IS NULL OR start_on > prev_end OR next_start IS NULL OR next_start > end_on
), e AS (
  SELECT {by}, start_on, is_first, CASE WHEN is_last THEN end_on
    ELSE lead(end_on) OVER (PARTITION BY {by} ORDER BY start_on, end_on) END AS island_end
  FROM b
)
SELECT {by}, start_on, island_end AS end_on FROM e WHERE is_first
"""
    return f"""
WITH c AS (
  SELECT {by}, start_on, coalesce(end_on, {FAR}) AS end_on,
    max(coalesce(end_on, {FAR})) OVER (PARTITION BY {by} ORDER BY start_on, end_on
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_max
  FROM ({intervals}) q WHERE start_on < coalesce(end_on, {FAR})
), i AS (
  SELECT *, sum(CASE WHEN prev_max IS NULL OR start_on > prev_max THEN 1 ELSE 0 END)
    OVER (PARTITION BY {by} ORDER BY start_on, end_on ROWS UNBOUNDED PRECEDING) AS island
  FROM c
)
SELECT {by}, min(start_on) AS start_on, max(end_on) AS end_on FROM i GROUP BY {by}, island
"""


def rollup(municipal: str) -> str:
    """Sum municipal rows ``(indicator, municipality_code, period_start, dimension,
    dimension_value, numerator, denominator)`` into the engine's groups."""
    return f"""
SELECT r.indicator, g.group_code, r.period_start, r.dimension, r.dimension_value,
  sum(r.numerator) AS numerator, sum(r.denominator) AS denominator,
  NULL::DOUBLE AS value, NULL::DOUBLE AS value_low, NULL::DOUBLE AS value_high, '' AS status
FROM ({municipal}) r
JOIN _grp g ON g.municipality_code = r.municipality_code AND g.period_start = r.period_start
GROUP BY ALL
"""


def in_period(day: str) -> str:
    """Join condition putting ``day`` in a period of ``_periods p``."""
    return f"{day} BETWEEN p.period_start AND p.period_end"


GRP_JOIN = (
    "JOIN _grp g ON g.municipality_code = x.municipality_code AND g.period_start = x.period_start"
)
