"""Refresh (idempotent, failure keeps the previous store), computation, public statistics import,
alert thresholds and crossings, and the management commands."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from luotsi.analytics.store import Store
from luotsi.analytics.tests.journeys import ListSource
from luotsi.core.models import AuditEntry
from luotsi.indicators import services, storage
from luotsi.indicators.choices import JobStatus
from luotsi.indicators.models import AlertCrossing, AnalyticsJob

from .conftest import MIKKELI_AREA, WINDOW, journey


def _o1(path) -> list[tuple]:
    with Store(path, read_only=True) as s:
        return s.con.execute(
            "SELECT group_type, group_code, period_start, value FROM indicator_values "
            "WHERE indicator = 'O1' AND period_type = 'month' AND group_type IN ('area', 'team') "
            "AND value > 0 ORDER BY ALL"
        ).fetchall()


def test_refresh_fills_the_store_and_is_idempotent(refreshed, analytics_path, manager, source):
    assert refreshed.status == JobStatus.SUCCEEDED
    assert refreshed.events_inserted == len(source.table)
    first = _o1(analytics_path)
    assert ("area", MIKKELI_AREA, dt.date(2025, 2, 1), 3.0) in first
    assert ("area", "8", dt.date(2025, 2, 1), 8.0) in first
    again = services.refresh_store(actor=manager, source=source, start=WINDOW[0], end=WINDOW[1])
    assert again.events_inserted == 0
    assert _o1(analytics_path) == first
    assert AuditEntry.objects.filter(action="indicators.refresh").count() == 2


def test_team_values_are_computed_for_the_responsible_workers_unit(refreshed, analytics_path, team):
    rows = _o1(analytics_path)
    assert ("team", str(team.pk), dt.date(2025, 1, 1), 1.0) in rows
    assert ("team", str(team.pk), dt.date(2025, 2, 1), 2.0) in rows


def test_a_failing_refresh_leaves_the_previous_store(refreshed, analytics_path, manager, team):
    before = _o1(analytics_path)
    j = journey(team.pk)
    j.register(99, 991, "2025-03-01", "491")
    failing = ListSource(j.table(), fail_after=0)
    with pytest.raises(services.IndicatorError, match="not changed"):
        services.refresh_store(actor=manager, source=failing, start=WINDOW[0], end=WINDOW[1])
    assert _o1(analytics_path) == before
    with Store(analytics_path, read_only=True) as s:
        assert s.event_count() == len(journey(team.pk).rows)
    assert not analytics_path.with_name(analytics_path.name + ".building").exists()
    job = AnalyticsJob.objects.first()
    assert job.status == JobStatus.FAILED and "went away" in job.message


def test_a_second_writer_is_refused_while_one_runs(refreshed, manager, source):
    with storage.writer(), pytest.raises(storage.RefreshBusy):
        services.refresh_store(actor=manager, source=source)


def test_alert_crossing_is_recorded_once_with_an_audit_entry(refreshed, manager, source):
    t = services.create_threshold(
        actor=manager,
        indicator="O1",
        level="area",
        group_code=MIKKELI_AREA,
        period_type="month",
        direction="above",
        value=1.5,
    )
    below = services.create_threshold(
        actor=manager,
        indicator="O1",
        level="municipality",
        group_code="491",
        period_type="month",
        direction="below",
        value=1,
    )
    services.refresh_store(actor=manager, source=source, start=WINDOW[0], end=WINDOW[1])
    crossing = AlertCrossing.objects.get(threshold=t)
    assert crossing.period_start == dt.date(2025, 6, 1) and crossing.value == 2.0
    assert not AlertCrossing.objects.filter(threshold=below).exists()
    assert AuditEntry.objects.filter(action="indicators.alert_crossed").count() == 1
    services.refresh_store(actor=manager, source=source, start=WINDOW[0], end=WINDOW[1])
    assert AlertCrossing.objects.filter(threshold=t).count() == 1


def test_thresholds_are_validated_and_only_for_area_management(manager, lead, partner):
    with pytest.raises(ValidationError) as exc:
        services.create_threshold(
            actor=manager,
            indicator="XX",
            level="municipality",
            group_code="091",
            period_type="month",
            direction="above",
            value=1,
        )
    assert set(exc.value.message_dict) == {"indicator", "group_code"}
    for user in (lead, partner):
        with pytest.raises(PermissionDenied):
            services.create_threshold(
                actor=user,
                indicator="O1",
                level="area",
                group_code=MIKKELI_AREA,
                period_type="month",
                direction="above",
                value=1,
            )


def test_import_of_the_shipped_month_records_source_and_retrieval(
    refreshed, manager, analytics_path
):
    job = services.import_public_statistics(actor=manager)
    assert job.status == JobStatus.SUCCEEDED
    assert job.source.endswith("statfin_tyonv_12r5_2026M06.csv")
    assert job.retrieved_at.date() == dt.date(2026, 8, 11)
    with Store(analytics_path, read_only=True) as s:
        v = s.con.execute(
            "SELECT value FROM indicator_values WHERE indicator = 'B1' AND group_type = 'country' "
            "AND period_type = 'month' AND period_start = DATE '2026-06-01'"
        ).fetchone()[0]
    assert v == 352001


def test_import_without_network_says_so_and_changes_nothing(refreshed, manager, analytics_path):
    from luotsi.integrations.statfin.client import NetworkUnavailable

    class Offline:
        def __getattr__(self, name):
            raise NetworkUnavailable("cannot connect to pxdata.stat.fi")

    before = analytics_path.stat().st_mtime_ns
    with pytest.raises(services.PublicStatisticsOffline, match="No network"):
        services.import_public_statistics(actor=manager, months="2026M06", client=Offline())
    assert analytics_path.stat().st_mtime_ns == before


def test_commands_report_progress_and_clear_errors(db, capsys):
    call_command("refresh_analytics", "--start", "2025-01", "--end", "2025-02-28")
    out = capsys.readouterr().out
    assert "Computing indicators" in out and "Done:" in out
    with pytest.raises(CommandError, match="Unknown indicator code"):
        call_command("compute_indicators", "--codes", "O1,NOPE")
    with pytest.raises(CommandError, match="not a date"):
        call_command("refresh_analytics", "--start", "January")
    call_command("compute_indicators", "--codes", "O1", "--start", "2025-01", "--end", "2025-01-31")
    assert "Done:" in capsys.readouterr().out


def test_import_command_offline_exits_with_code_2(db, monkeypatch, analytics_path):
    from luotsi.integrations.statfin import client as statfin_client

    class OfflineClient:
        def __init__(self, *args, **kwargs):
            pass

        def __getattr__(self, name):
            raise statfin_client.NetworkUnavailable("cannot connect to pxdata.stat.fi")

    monkeypatch.setattr(statfin_client, "PxWebClient", OfflineClient)
    with pytest.raises(CommandError, match="No network") as exc:
        call_command("import_statfin", "--months", "2026M06")
    assert exc.value.returncode == 2
    assert not analytics_path.exists()


def test_readers_see_the_old_store_until_a_refresh_is_in_place(manager, stocked):
    from luotsi.indicators import selectors

    scope = selectors.scope(manager)

    def o1():
        rows = selectors.values(scope, indicator="O1", level="area", groups=[MIKKELI_AREA])
        return {r["value"] for r in rows}

    before = o1()
    with storage.writer() as store:
        store.con.execute(
            "UPDATE indicator_values SET value = 999 WHERE indicator = 'O1' AND group_type = 'area'"
        )
        assert o1() == before  # a dashboard request during the refresh: not blocked, old data
    assert o1() == {999.0}
