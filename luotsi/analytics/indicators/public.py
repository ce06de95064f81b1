"""The public-baseline family (B indicators) from ``public_series`` (Statistics Finland 12r5).

For each group and period the measure is the sum over member municipalities (``_grp``: membership
valid on the counting day). Suppressed cells (status ``...``; StatFin hides counts 1-4) make the
sum a bound: each suppressed member lies in [1, ``max_hidden``], so the sum lies in
[visible + n_suppressed, visible + max_hidden * n_suppressed]; a member with no value at all
(missing row, status ``.``) leaves the upper bound open. Ratios use interval arithmetic on the
numerator and denominator sums (never an average of municipal percentages):
low = factor * num_low / den_high, high = factor * num_high / den_low. When the result is not exact
the value is its lower bound and the status is ``lower_bound``.

Where Statistics Finland publishes the group itself (the whole country ``SSS``, regions ``MK``),
the published row is used instead of the sum.

Stocks use the period's last month; flows (``flow_in_month``) sum the months of the period.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Context

#: The largest value a suppressed 12r5 cell can hide (StatFin hides 1-4).
MAX_HIDDEN = 4

DIRECT_KIND = {"country": "SSS", "region": "MK"}


def public(ctx: Context) -> None:
    defs = list(ctx.family_definitions("public"))
    if not defs:
        return
    measures = sorted({m for d in defs for m in (*d.numerator_measures, *d.denominator_measures)})
    flows = sorted(
        {m for d in defs if d.period_semantics == "flow_in_month" for m in d.numerator_measures}
    )
    m_list = ", ".join(f"'{m}'" for m in measures)
    f_list = ", ".join(f"'{m}'" for m in flows) or "''"
    ctx.temp(
        "_pm",
        f"""
WITH months AS (
  SELECT p.period_start, p.period_end, ms.measure,
    CAST(date_trunc('month', p.period_end) AS DATE) AS m_from, p.period_end AS m_to
  FROM _periods p CROSS JOIN (SELECT unnest([{m_list}]) AS measure) ms
), rows AS (
  SELECT region_code AS municipality_code, measure, period, value, status
  FROM public_series
  WHERE source = 'statfin' AND table_code = '12r5' AND region_kind = 'KU'
    AND measure IN ({m_list})
), cells AS (
  -- one cell per member municipality, month and measure (missing rows kept as missing)
  SELECT g.group_code, mo.period_start, mo.measure, g.municipality_code, mon.month,
    r.value, r.status
  FROM months mo
  JOIN _grp g ON g.period_start = mo.period_start
  CROSS JOIN LATERAL (
    SELECT CAST(unnest(generate_series(
      CASE WHEN mo.measure IN ({f_list}) THEN mo.period_start ELSE mo.m_from END,
      mo.m_to, INTERVAL 1 MONTH)) AS DATE) AS month
  ) mon
  LEFT JOIN rows r ON r.municipality_code = g.municipality_code AND r.measure = mo.measure
    AND r.period = mon.month
  WHERE NOT g.retired
)
SELECT group_code, period_start, measure,
  coalesce(sum(value) FILTER (WHERE coalesce(status, '') = '' AND value IS NOT NULL), 0)
    AS visible,
  count(*) FILTER (WHERE status = '...') AS n_supp,
  count(*) FILTER (WHERE status IS NULL AND value IS NULL OR status NOT IN ('', '...')
                   OR (status = '' AND value IS NULL)) AS n_missing,
  count(*) FILTER (WHERE value IS NOT NULL OR status = '...') AS n_present
FROM cells GROUP BY ALL
""",
    )
    direct = DIRECT_KIND.get(ctx.level)
    if direct:
        # Published figures for the group itself replace the sums where they exist.
        region = "r.region_code = 'SSS'" if direct == "SSS" else "r.region_code = x.group_code"
        ctx.execute(
            f"""
CREATE OR REPLACE TEMP TABLE _pm AS
SELECT x.group_code, x.period_start, x.measure,
  CASE WHEN d.n IS NULL THEN x.visible ELSE d.visible END AS visible,
  CASE WHEN d.n IS NULL THEN x.n_supp ELSE d.n_supp END AS n_supp,
  CASE WHEN d.n IS NULL THEN x.n_missing ELSE d.n_missing END AS n_missing,
  CASE WHEN d.n IS NULL THEN x.n_present ELSE d.n END AS n_present
FROM _pm x LEFT JOIN LATERAL (
  SELECT count(*) AS n,
    coalesce(sum(r.value) FILTER (WHERE r.status = '' AND r.value IS NOT NULL), 0) AS visible,
    count(*) FILTER (WHERE r.status = '...') AS n_supp,
    count(*) FILTER (WHERE r.status NOT IN ('', '...') OR (r.status = '' AND r.value IS NULL))
      AS n_missing
  FROM public_series r
  JOIN _periods p ON p.period_start = x.period_start
  WHERE r.source = 'statfin' AND r.table_code = '12r5' AND r.region_kind = '{direct}'
    AND {region} AND r.measure = x.measure
    AND r.period BETWEEN (CASE WHEN x.measure IN ({f_list}) THEN p.period_start
                          ELSE CAST(date_trunc('month', p.period_end) AS DATE) END)
                     AND p.period_end
  HAVING count(*) > 0
) d ON true
"""
        )
    for d in defs:
        ctx.emit(_definition_sql(d))


def _sum_sql(measures: tuple[str, ...]) -> tuple[str, str, str, str]:
    """SQL for (low, high, exact, any_present) of the sum of ``measures`` over the rows in _pm."""
    m = ", ".join(f"'{x}'" for x in measures)
    lo = f"sum(visible + n_supp) FILTER (WHERE measure IN ({m}))"
    hi = (
        f"CASE WHEN sum(n_missing) FILTER (WHERE measure IN ({m})) = 0 THEN "
        f"sum(visible + {MAX_HIDDEN} * n_supp) FILTER (WHERE measure IN ({m})) END"
    )
    exact = f"sum(n_supp + n_missing) FILTER (WHERE measure IN ({m})) = 0"
    present = f"sum(n_present) FILTER (WHERE measure IN ({m})) > 0"
    return lo, hi, exact, present


def _definition_sql(d) -> str:
    n_lo, n_hi, n_exact, n_present = _sum_sql(d.numerator_measures)
    if d.denominator_measures:
        d_lo, d_hi, d_exact, d_present = _sum_sql(d.denominator_measures)
        f = float(d.factor)
        num, den = n_lo, d_lo
        low = f"{f} * ({n_lo}) / nullif({d_hi}, 0)"
        high = f"{f} * ({n_hi}) / nullif({d_lo}, 0)"
        exact = f"({n_exact}) AND ({d_exact})"
        present = f"({n_present}) AND ({d_present})"
        value = f"CASE WHEN {exact} THEN {f} * ({n_lo}) / nullif({d_lo}, 0) ELSE {low} END"
    else:
        num, den = n_lo, "NULL"
        low, high, exact, present = n_lo, n_hi, n_exact, n_present
        value = n_lo
    return f"""
SELECT '{d.code}' AS indicator, group_code, period_start, '' AS dimension,
  '' AS dimension_value,
  CASE WHEN {present} THEN CAST({num} AS DOUBLE) END AS numerator,
  CASE WHEN {present} THEN CAST({den} AS DOUBLE) END AS denominator,
  CASE WHEN {present} THEN CAST({value} AS DOUBLE) END AS value,
  CASE WHEN {present} THEN CAST({low} AS DOUBLE) END AS value_low,
  CASE WHEN {present} THEN CAST({high} AS DOUBLE) END AS value_high,
  CASE WHEN NOT ({present}) THEN '' WHEN {exact} THEN '' ELSE 'lower_bound' END AS status
FROM _pm GROUP BY group_code, period_start
"""


FAMILIES = {"public": public}
