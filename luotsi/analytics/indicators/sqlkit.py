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
open. ``interval_measures`` turns intervals into +w/-w deltas per municipality, accumulates them
into piecewise-constant segments and reads, per period, the level on a point (the counting day or
the day before the period) and the integral over the period's days. This is O(intervals), with
no person x month expansion, which keeps stocks fast at national scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

FAR = "DATE '9999-12-31'"
LOCAL_DAY = "CAST(timezone('Europe/Helsinki', {col}) AS DATE)"


def local_day(col: str) -> str:
    return LOCAL_DAY.format(col=col)


def interval_measures(
    intervals: str,
    *,
    weights: Mapping[str, str],
    keys: Sequence[str] = (),
    point: str = "period_end",
    days: bool = False,
) -> str:
    """SQL giving ``(municipality_code, *keys, period_start, <w>_at [, <w>_days])``.

    ``intervals`` must yield ``municipality_code, *keys, start_on, end_on`` and the columns the
    weight expressions use. ``<w>_at`` is the sum of weights of intervals containing the point
    (``period_end`` = counting day, or ``prev`` = the day before the period starts);
    ``<w>_days`` is the sum over the period's days (customer-days). Rows where every measure
    is 0 are left out (the engine's spine fills them in).

    Days are clamped to the spine's range ``[lo, hi]``; each piecewise-constant segment
    ``[day, next_day)`` with a non-zero level is then expanded to the period indices whose
    point lies in it (``#points < day`` .. ``#points < next_day``) or, for ``days``, whose days
    overlap it, through a small day -> index lookup (equality joins only, no range join).
    """
    names = list(weights)
    k = "".join(f"{c}, " for c in keys)
    part = ", ".join(["municipality_code", *keys])
    w_sel = ", ".join(f"({expr}) AS {n}" for n, expr in weights.items())
    w_pos = ", ".join(names)
    w_neg = ", ".join(f"-{n}" for n in names)
    w_sum = ", ".join(f"sum({n}) AS {n}" for n in names)
    w_cum = ", ".join(
        f"sum({n}) OVER (PARTITION BY {part} ORDER BY day ROWS UNBOUNDED PRECEDING) AS {n}"
        for n in names
    )
    nonzero = " OR ".join(f"{n} <> 0" for n in names)
    pt = "period_end" if point == "period_end" else "period_start - 1"
    at = ", ".join(
        f"CAST(coalesce(sum(s.{n}) FILTER (WHERE p.pt >= s.day AND p.pt < s.next_day), 0) "
        f"AS DOUBLE) AS {n}_at"
        for n in names
    )
    day_cols = ""
    i_lo, i_hi = "ca.i_pt", "cb.i_pt"
    if days:
        day_cols = ", " + ", ".join(
            f"CAST(coalesce(sum(s.{n} * (least(s.next_day, p.period_end + 1) - "
            f"greatest(s.day, p.period_start))) FILTER (WHERE s.day <= p.period_end AND "
            f"s.next_day > p.period_start), 0) AS DOUBLE) AS {n}_days"
            for n in names
        )
        i_lo, i_hi = "least(ca.i_pt, ca.i_first)", "greatest(cb.i_pt, cb.i_after)"
    return f"""
WITH p AS (
  SELECT CAST(row_number() OVER (ORDER BY period_start) - 1 AS INTEGER) AS i, period_start,
    period_end, {pt} AS pt FROM _periods
), b AS (
  SELECT least(min(period_start), min(pt)) - 1 AS lo, greatest(max(period_end), max(pt)) + 1 AS hi
  FROM p
), cal AS (
  SELECT CAST(r.day AS DATE) AS day,
    CAST((SELECT count(*) FROM p WHERE p.pt < CAST(r.day AS DATE)) AS INTEGER) AS i_pt,
    CAST((SELECT count(*) FROM p WHERE p.period_end < CAST(r.day AS DATE)) AS INTEGER) AS i_first,
    CAST((SELECT count(*) FROM p WHERE p.period_start < CAST(r.day AS DATE)) AS INTEGER)
      AS i_after
  FROM b, range(CAST(b.lo AS TIMESTAMP), CAST(b.hi AS TIMESTAMP) + INTERVAL 1 DAY,
    INTERVAL 1 DAY) r(day)
), iv AS (
  SELECT municipality_code, {k}greatest(b.lo, least(b.hi, start_on)) AS start_on,
    greatest(b.lo, least(b.hi, coalesce(end_on, {FAR}))) AS end_on, {w_sel}
  FROM ({intervals}) q, b
  WHERE start_on IS NOT NULL AND start_on < coalesce(end_on, {FAR})
), d AS (
  SELECT municipality_code, {k}day, {w_sum} FROM (
    SELECT municipality_code, {k}start_on AS day, {w_pos} FROM iv WHERE start_on < end_on
    UNION ALL
    SELECT municipality_code, {k}end_on AS day, {w_neg} FROM iv WHERE start_on < end_on
  ) GROUP BY ALL
), c AS (
  SELECT municipality_code, {k}day, lead(day) OVER (PARTITION BY {part} ORDER BY day) AS next_day,
    {w_cum}
  FROM d
), s AS (
  SELECT c.*, unnest(range({i_lo}, {i_hi})) AS i
  FROM c JOIN cal ca ON ca.day = c.day JOIN cal cb ON cb.day = c.next_day
  WHERE c.next_day IS NOT NULL AND ({nonzero})
)
SELECT s.municipality_code, {"".join(f"s.{c}, " for c in keys)}p.period_start, {at}{day_cols}
FROM s JOIN p USING (i)
GROUP BY ALL
"""


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
