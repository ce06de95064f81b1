"""Writes of the indicators app: refreshing the analytics store, computing the indicator cube,
importing public statistics, alert thresholds and the alerts a refresh finds.

The store is written through ``storage.writer()`` (copy-on-refresh): a failure leaves the
previous store in place. Each run is recorded as an :class:`AnalyticsJob` (kept also when the run
fails, so the bookkeeping is outside the failing transaction) and in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luotsi.analytics import public_stats
from luotsi.analytics.indicators import compute, definitions
from luotsi.analytics.indicators.team import compute_teams
from luotsi.core.services import audit
from luotsi.kernel.calendar import add_months

from . import storage
from .choices import AlertLevel, Direction, JobKind, JobStatus, PeriodType
from .labels import level_label, period_type_label
from .models import AlertCrossing, AlertThreshold, AnalyticsJob

LEVELS = ("municipality", "area", "pilot", "region", "country")
PERIOD_TYPES = ("month", "quarter", "year")
WINDOW_MONTHS = 24
SHIPPED_12R5 = public_stats.SHIPPED_CSV

Progress = Callable[[str], None]


class IndicatorError(RuntimeError):
    """A refresh, computation or import failed; the message says why (the store is unchanged)."""


class PublicStatisticsOffline(IndicatorError):
    """No network to reach Statistics Finland."""


def _quiet(_msg: str) -> None:
    return None


def pseudonym_key() -> bytes:
    key = settings.PSEUDONYM_KEY
    return key.encode() if isinstance(key, str) else key


def default_window(
    today: dt.date | None = None, months: int = WINDOW_MONTHS
) -> tuple[dt.date, dt.date]:
    """From the first day of the month ``months - 1`` months back to the end of this month."""
    today = today or timezone.localdate()
    first = dt.date(today.year, today.month, 1)
    end = add_months(first, 1) - dt.timedelta(days=1)
    return add_months(first, -(months - 1)), end


def _window(store, start, end) -> tuple[dt.date, dt.date]:
    s, e = default_window()
    start = start or s
    end = end or e
    latest = store.con.execute("SELECT max(period) FROM public_series").fetchall()[0][0]
    if latest is not None and latest < start:
        start = dt.date(latest.year, latest.month, 1)
    return start, end


def compute_cube(
    store,
    *,
    start: dt.date,
    end: dt.date,
    codes: Sequence[str] | None = None,
    progress: Progress = _quiet,
) -> int:
    """Compute and save ``codes`` (default all) for every level and period type; returns rows.

    The levels and period types can be narrowed with the settings ``INDICATOR_LEVELS`` and
    ``INDICATOR_PERIOD_TYPES`` (the tests do, to stay fast)."""
    rows = 0
    levels = getattr(settings, "INDICATOR_LEVELS", LEVELS)
    for period in getattr(settings, "INDICATOR_PERIOD_TYPES", PERIOD_TYPES):
        for level in levels:
            out = compute(store, codes, level=level, period=period, start=start, end=end)
            rows += out.num_rows
            _computed(progress, level, period, out.num_rows)
        if codes is None:
            out = compute_teams(store, period=period, start=start, end=end)
            rows += out.num_rows
            _computed(progress, "team", period, out.num_rows)
    return rows


def _computed(progress: Progress, level: str, period: str, rows: int) -> None:
    progress(
        _("computed %(level)s × %(period)s: %(rows)d values")
        % {"level": level_label(level), "period": period_type_label(period), "rows": rows}
    )


def _run(kind: str, actor, work: Callable[[AnalyticsJob], None]) -> AnalyticsJob:
    job = AnalyticsJob.objects.create(kind=kind, actor=actor if actor and actor.pk else None)
    try:
        work(job)
    except Exception as exc:
        job.status = JobStatus.FAILED
        job.message = f"{exc}"[:2000] or type(exc).__name__
        job.finished_at = timezone.now()
        job.save()
        audit(actor=actor, action=f"indicators.{kind}_failed", obj=job, summary=job.message)
        if isinstance(exc, IndicatorError | storage.RefreshBusy | ValidationError):
            raise
        raise IndicatorError(
            _("%(kind)s failed, the analytics store was not changed: %(error)s")
            % {"kind": job.get_kind_display(), "error": exc}
        ) from exc
    job.status = JobStatus.SUCCEEDED
    job.finished_at = timezone.now()
    job.save()
    audit(actor=actor, action=f"indicators.{kind}", obj=job, summary=job.message)
    return job


def refresh_store(
    *,
    actor,
    source=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    progress: Progress = _quiet,
) -> AnalyticsJob:
    """Bring the store up to date: reference data and workers, new journey events (incremental,
    idempotent), the whole indicator cube for the window, then evaluate the alert thresholds."""
    from luotsi.journey.exports import JourneySource, worker_rows
    from luotsi.reference import exports as ref

    key = pseudonym_key()

    def work(job: AnalyticsJob) -> None:
        with storage.writer() as store:
            progress(_("Loading reference data and workers..."))
            store.load_reference(
                municipalities=ref.municipality_rows(),
                groups=ref.group_rows(),
                memberships=ref.membership_rows(),
                workers=worker_rows(key),
            )
            progress(_("Reading new journey events..."))
            result = store.refresh(source if source is not None else JourneySource(key))
            progress(
                _("%(inserted)d new events (latest id %(hwm)d)")
                % {"inserted": result.inserted, "hwm": result.high_water_mark}
            )
            s, e = _window(store, start, end)
            progress(_("Computing indicators %(start)s – %(end)s...") % {"start": s, "end": e})
            job.rows = compute_cube(store, start=s, end=e, progress=progress)
            job.events_inserted = result.inserted
            job.high_water_mark = result.high_water_mark
            job.source = "journey"
            job.message = _("%(events)d new events, %(rows)d indicator values") % {
                "events": result.inserted,
                "rows": job.rows,
            }

    job = _run(JobKind.REFRESH, actor, work)
    crossings = evaluate_alerts(actor=actor, job=job)
    progress(_("%(n)d alert(s) crossed") % {"n": len(crossings)})
    return job


def compute_indicators(
    *,
    actor,
    codes: Sequence[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    progress: Progress = _quiet,
) -> AnalyticsJob:
    """Recompute indicators from what the store holds (no new events), then evaluate alerts."""
    if codes:
        known = {d.code for d in definitions()}
        unknown = sorted(set(codes) - known)
        if unknown:
            raise ValidationError(_("Unknown indicator code(s): %s") % ", ".join(unknown))
    if start and end and end < start:
        raise ValidationError(_("The end date is before the start date."))
    if not storage.store_path().exists():
        raise IndicatorError(_("No analytics store yet: run 'luotsi analytics refresh' first."))

    def work(job: AnalyticsJob) -> None:
        with storage.writer() as store:
            s, e = _window(store, start, end)
            job.rows = compute_cube(store, start=s, end=e, codes=codes or None, progress=progress)
            job.message = _("%(rows)d indicator values") % {"rows": job.rows}

    job = _run(JobKind.COMPUTE, actor, work)
    evaluate_alerts(actor=actor, job=job)
    return job


def import_public_statistics(
    *,
    actor,
    csv_path: str | Path | None = None,
    months: str | None = None,
    client=None,
    measures: Sequence[str] | None = None,
    progress: Progress = _quiet,
) -> AnalyticsJob:
    """Import Statistics Finland's table 12r5: the shipped month (default), a CSV file, or
    ``months`` ("2026M01:2026M06") from the PxWeb API. Records the source and retrieval time and
    recomputes the public-statistics indicators of the imported months."""
    from luotsi.integrations.statfin.catalogue import month_range
    from luotsi.integrations.statfin.client import NetworkUnavailable, PxWebClient, StatFinError

    try:
        if months:
            progress(_("Fetching table 12r5 from Statistics Finland..."))
            client = client or PxWebClient(language="fi")
            rows = public_stats.import_from_api(client, month_range(months), measures=measures)
            source = client.url("StatFin/tyonv") if hasattr(client, "url") else "PxWeb"
        else:
            path = Path(csv_path or SHIPPED_12R5)
            progress(_("Reading %s...") % path)
            rows = public_stats.import_12r5_csv(path)
            source = str(path)
    except NetworkUnavailable as exc:
        raise PublicStatisticsOffline(
            _(
                "No network: Statistics Finland cannot be reached (%s). Import the shipped month "
                "with --csv instead; nothing was changed."
            )
            % exc
        ) from exc
    except (StatFinError, public_stats.PublicStatsError, ValueError) as exc:
        raise IndicatorError(_("Import failed, nothing was changed: %s") % exc) from exc
    if not rows:
        raise IndicatorError(_("The source had no rows; nothing was changed."))
    periods = sorted({r["period"] for r in rows})

    def work(job: AnalyticsJob) -> None:
        with storage.writer() as store:
            n = store.load_public_series(rows)
            codes = [d.code for d in definitions() if d.source == "statfin"]
            start = dt.date(periods[0].year, periods[0].month, 1)
            end = add_months(dt.date(periods[-1].year, periods[-1].month, 1), 1) - dt.timedelta(1)
            progress(_("Computing the public-statistics indicators..."))
            compute_cube(store, start=start, end=end, codes=codes, progress=progress)
            job.rows = n
            job.source = source
            job.retrieved_at = timezone.make_aware(max(r["retrieved_at"] for r in rows), dt.UTC)
            job.message = _("%(rows)d rows of table 12r5 (%(periods)s)") % {
                "rows": n,
                "periods": ", ".join(p.strftime("%Y-%m") for p in periods),
            }

    return _run(JobKind.PUBLIC_STATISTICS, actor, work)


# --- alerts ---------------------------------------------------------------------------------------


def _validate_threshold(actor, indicator, level, group_code, period_type, direction) -> str:
    from . import selectors

    errors = {}
    if indicator not in {d.code for d in definitions()}:
        errors["indicator"] = _("Unknown indicator %s.") % indicator
    if level not in AlertLevel.values:
        errors["level"] = _("Unknown level %s.") % level
    if period_type not in PeriodType.values:
        errors["period_type"] = _("Unknown period type %s.") % period_type
    if direction not in Direction.values:
        errors["direction"] = _("Choose above or below.")
    area = actor.organisation.employment_area_code
    if level == AlertLevel.AREA and group_code != area:
        errors["group_code"] = _("Thresholds can be set for your own area only.")
    if level == AlertLevel.MUNICIPALITY and group_code not in selectors.area_municipalities(area):
        errors["group_code"] = _("%s is not a municipality of your area.") % group_code
    if errors:
        raise ValidationError(errors)
    return area


@transaction.atomic
def create_threshold(
    *,
    actor,
    indicator: str,
    level: str,
    group_code: str,
    period_type: str,
    direction: str,
    value: float,
) -> AlertThreshold:
    from .permissions import require_manage_alerts

    require_manage_alerts(actor)
    area = _validate_threshold(actor, indicator, level, group_code, period_type, direction)
    t = AlertThreshold.objects.create(
        indicator=indicator,
        level=level,
        group_code=group_code,
        area_code=area,
        period_type=period_type,
        direction=direction,
        value=value,
        created_by=actor,
    )
    audit(actor=actor, action="indicators.threshold_created", obj=t, summary=str(t))
    return t


@transaction.atomic
def delete_threshold(*, actor, threshold: AlertThreshold) -> None:
    from .permissions import require_manage_alerts

    require_manage_alerts(actor)
    if threshold.area_code != actor.organisation.employment_area_code:
        raise ValidationError(_("This threshold belongs to another area."))
    audit(actor=actor, action="indicators.threshold_deleted", obj=threshold, summary=str(threshold))
    threshold.delete()


@transaction.atomic
def evaluate_alerts(*, actor, job: AnalyticsJob | None = None) -> list[AlertCrossing]:
    """Compare every active threshold with the latest value of its series; record new crossings
    (one per threshold and period) with an audit entry. Returns the new crossings."""
    from . import selectors

    thresholds = list(AlertThreshold.objects.filter(active=True))
    if not thresholds:
        return []
    latest = selectors.latest_values(
        [(t.indicator, t.level, t.group_code, t.period_type) for t in thresholds]
    )
    found = []
    for t in thresholds:
        cell = latest.get((t.indicator, t.level, t.group_code, t.period_type))
        if cell is None or not t.crossed_by(cell[1]):
            continue
        crossing, created = AlertCrossing.objects.get_or_create(
            threshold=t, period_start=cell[0], defaults={"value": cell[1], "job": job}
        )
        if created:
            found.append(crossing)
            audit(
                actor=actor,
                action="indicators.alert_crossed",
                obj=crossing,
                summary=f"{t} {cell[0]:%Y-%m}: {cell[1]:g}",
                changes={"value": cell[1], "threshold": t.value, "direction": t.direction},
            )
    return found
