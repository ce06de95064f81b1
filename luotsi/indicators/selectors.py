"""Reads of the indicators app, permission-scoped: indicator values from the analytics store
(read-only), the catalogue, names of groups, alerts and the bookkeeping of refreshes.

Values of groups outside the user's scope (``permissions.Scope``) are taken from the suppressed
version of the whole slice (the indicator and period type over every level but teams), so that no
hidden cell can be recovered by combining answers. The suppressed slices are cached per store
file (``storage.version()``).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from luotsi.analytics.indicators import definitions
from luotsi.analytics.indicators.engine import RESULT_COLUMNS
from luotsi.analytics.indicators.team import TEAM_INDICATORS
from luotsi.analytics.suppression import suppress

from . import storage
from .choices import JobKind, JobStatus
from .models import AlertCrossing, AlertThreshold, AnalyticsJob
from .permissions import Scope, scope_for

ALL_LEVELS = ("area", "municipality", "team", "pilot", "region", "country")
PERIOD_TYPES = ("month", "quarter", "year")
SUPPRESSION_THRESHOLD = 5


class QueryError(ValueError):
    """A bad indicator query; the message names the parameter."""


class UnknownIndicator(QueryError):
    pass


def language() -> str:
    lang = (get_language() or "fi")[:2]
    return lang if lang in ("fi", "sv", "en") else "fi"


# --- scope -----------------------------------------------------------------------------------------


def area_municipalities(area_code: str, day: dt.date | None = None) -> dict[str, str]:
    from luotsi.reference import selectors as reference

    if not area_code:
        return {}
    day = day or timezone.localdate()
    return {m.code: m.name_fi for m in reference.members_of_area(area_code, day)}


def area_teams(area_code: str) -> dict[str, str]:
    from luotsi.core.models import Unit

    if not area_code:
        return {}
    units = Unit.objects.filter(organisation__employment_area_code=area_code).order_by("name")
    return {str(u.pk): u.name for u in units}


def scope(user) -> Scope:
    area = user.organisation.employment_area_code if getattr(user, "organisation", None) else ""
    return scope_for(
        user, municipalities=area_municipalities(area).keys(), team_ids=area_teams(area).keys()
    )


# --- catalogue -------------------------------------------------------------------------------------


def catalogue() -> list[dict]:
    """One entry per indicator code (ordered as in the definitions) with all its versions."""
    out: dict[str, dict] = {}
    for d in definitions():
        entry = out.setdefault(d.code, {"code": d.code, "versions": []})
        entry["versions"].append(d)
    for entry in out.values():
        entry["versions"].sort(key=lambda d: d.definition_version, reverse=True)
        entry["latest"] = entry["versions"][0]
        entry["team_level"] = entry["code"] in TEAM_INDICATORS
    return list(out.values())


def definition(code: str):
    matches = [d for d in definitions() if d.code == code]
    if not matches:
        raise UnknownIndicator(
            _("Unknown indicator %(code)s. See the indicator catalogue for the codes.")
            % {"code": code}
        )
    return max(matches, key=lambda d: d.definition_version)


# --- values ----------------------------------------------------------------------------------------


def parse_day(value, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value) + ("-01" if len(str(value)) == 7 else ""))
    except ValueError:
        raise QueryError(
            _("%(name)s=%(value)s is not a date (YYYY-MM-DD or YYYY-MM).")
            % {"name": name, "value": value}
        ) from None


def _where(indicator, levels, period_type, start, end, groups):
    sql = ["indicator = ?", "period_type = ?", f"group_type IN ({', '.join('?' * len(levels))})"]
    params: list = [indicator, period_type, *levels]
    if start:
        sql.append("period_end >= ?")
        params.append(start)
    if end:
        sql.append("period_start <= ?")
        params.append(end)
    if groups:
        sql.append(f"group_code IN ({', '.join('?' * len(groups))})")
        params.extend(groups)
    return " AND ".join(sql), params


def _read(store, indicator, levels, period_type, start, end, groups=None) -> list[dict]:
    where, params = _where(indicator, levels, period_type, start, end, groups)
    return store.sql(
        f"SELECT {', '.join(RESULT_COLUMNS)} FROM indicator_values WHERE {where} "
        "ORDER BY group_type, group_code, period_start, dimension, dimension_value",
        params,
    ).to_pylist()


def _key(r: dict) -> tuple:
    return (
        r["group_type"],
        r["group_code"],
        r["period_start"],
        r["dimension"],
        r["dimension_value"],
    )


@lru_cache(maxsize=64)
def _suppressed_slice(version: int, indicator: str, period_type: str, start, end) -> dict:
    import pyarrow as pa

    with storage.open_reader() as store:
        rows = _read(
            store, indicator, [lv for lv in ALL_LEVELS if lv != "team"], period_type, start, end
        )
        if not rows:
            return {}
        table = suppress(pa.Table.from_pylist(rows), threshold=SUPPRESSION_THRESHOLD, store=store)
    return {_key(r): r for r in table.to_pylist()}


def values(
    scope: Scope,
    *,
    indicator: str,
    level: str = "area",
    period_type: str = "month",
    start=None,
    end=None,
    groups=None,
) -> list[dict]:
    """Rows (engine columns) of one indicator; outside the scope from the suppressed slice."""
    d = definition(indicator)
    if level not in ALL_LEVELS:
        raise QueryError(
            _("level=%(v)s is not one of %(all)s") % {"v": level, "all": ", ".join(ALL_LEVELS)}
        )
    if period_type not in PERIOD_TYPES:
        raise QueryError(
            _("period=%(v)s is not one of %(all)s")
            % {"v": period_type, "all": ", ".join(PERIOD_TYPES)}
        )
    start_d, end_d = parse_day(start, "start"), parse_day(end, "end")
    if start_d and end_d and end_d < start_d:
        raise QueryError(_("The end date is before the start date."))
    if scope.public_only and d.source != "statfin":
        raise PermissionDenied(
            _("Sign in to see the area's own indicators; public statistics (B codes) are open.")
        )
    if level == "team":
        if not scope.sees_teams:
            raise PermissionDenied(_("Team figures are for the staff of the area only."))
        if indicator not in TEAM_INDICATORS:
            raise QueryError(
                _("%(code)s is not computed per team; team indicators: %(all)s")
                % {"code": indicator, "all": ", ".join(TEAM_INDICATORS)}
            )
    groups = list(groups) if groups else None
    with storage.open_reader() as store:
        rows = _read(store, indicator, [level], period_type, start_d, end_d, groups)
    if level == "team":
        return [r for r in rows if scope.is_inside("team", r["group_code"])]
    if all(scope.is_inside(r["group_type"], r["group_code"]) for r in rows):
        return rows
    hidden = _suppressed_slice(storage.version(), indicator, period_type, start_d, end_d)
    return [
        r if scope.is_inside(r["group_type"], r["group_code"]) else hidden.get(_key(r), r)
        for r in rows
    ]


def latest_values(keys) -> dict[tuple, tuple[dt.date, float | None]]:
    """Latest period with a value for each (indicator, level, group, period type); unscoped, for
    alert evaluation only."""
    out = {}
    try:
        store = storage.open_reader()
    except storage.StoreUnavailable:
        return out
    with store:
        for key in set(keys):
            indicator, level, group, period_type = key
            row = store.con.execute(
                "SELECT period_start, value FROM indicator_values WHERE indicator = ? AND "
                "group_type = ? AND group_code = ? AND period_type = ? AND dimension = '' AND "
                "value IS NOT NULL ORDER BY period_start DESC LIMIT 1",
                [indicator, level, group, period_type],
            ).fetchone()
            if row:
                out[key] = (row[0], row[1])
    return out


def periods_available(period_type: str = "month", source: str | None = None) -> list[dt.date]:
    try:
        store = storage.open_reader()
    except storage.StoreUnavailable:
        return []
    with store:
        sql = "SELECT DISTINCT period_start FROM indicator_values WHERE period_type = ?"
        params: list = [period_type]
        if source:
            sql += " AND source = ? AND value IS NOT NULL"
            params.append(source)
        return [r[0] for r in store.con.execute(sql + " ORDER BY 1", params).fetchall()]


def group_names(level: str, lang: str | None = None, area_code: str = "") -> dict[str, str]:
    """Display names of the groups of ``level`` (teams: the area's units)."""
    lang = lang or language()
    if level == "team":
        return area_teams(area_code)
    try:
        store = storage.open_reader()
    except storage.StoreUnavailable:
        return {}
    with store:
        if level == "municipality":
            col = "name_sv" if lang == "sv" else "name_fi"
            rows = store.con.execute(
                f"SELECT code, coalesce({col}, name_fi) FROM ref_municipality"
            ).fetchall()
        else:
            col = {"fi": "name_fi", "sv": "name_sv", "en": "name_en"}[lang]
            rows = store.con.execute(
                f"SELECT group_code, coalesce({col}, name_fi) FROM ref_group WHERE group_type = ?",
                [level],
            ).fetchall()
    return dict(rows)


# --- bookkeeping and alerts ------------------------------------------------------------------------


def last_job(kind: str = JobKind.REFRESH, *, succeeded: bool = True) -> AnalyticsJob | None:
    qs = AnalyticsJob.objects.filter(kind=kind)
    if succeeded:
        qs = qs.filter(status=JobStatus.SUCCEEDED)
    return qs.first()


def thresholds_for(scope: Scope):
    if not scope.staff:
        return AlertThreshold.objects.none()
    return AlertThreshold.objects.filter(area_code=scope.area_code)


def crossings_for(scope: Scope, limit: int = 20):
    if not scope.staff:
        return AlertCrossing.objects.none()
    return (
        AlertCrossing.objects.filter(threshold__area_code=scope.area_code, threshold__active=True)
        .select_related("threshold")
        .order_by("-period_start", "-detected_at")[:limit]
    )
