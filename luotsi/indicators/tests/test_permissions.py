"""Who sees what: own area unsuppressed, other areas and partners suppressed, anonymous only the
public statistics, evaluators nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from luotsi.indicators import selectors

from .conftest import HELSINKI_AREA, MIKKELI_AREA

FEB = dt.date(2025, 2, 1)


def _cell(rows, group, day=FEB):
    (row,) = [
        r
        for r in rows
        if r["group_code"] == group and r["period_start"] == day and r["dimension"] == ""
    ]
    return row


def test_a_worker_of_another_area_sees_only_suppressed_small_cells(outsider, manager, stocked):
    theirs = selectors.values(selectors.scope(outsider), indicator="O1", level="area")
    mikkeli = _cell(theirs, MIKKELI_AREA)
    assert mikkeli["status"] == "suppressed" and mikkeli["value"] is None
    assert mikkeli["numerator"] is None
    assert _cell(theirs, HELSINKI_AREA)["value"] == 8  # their own area, unsuppressed
    ours = selectors.values(selectors.scope(manager), indicator="O1", level="area")
    assert _cell(ours, MIKKELI_AREA)["value"] == 3
    assert _cell(ours, HELSINKI_AREA)["status"] in ("", "suppressed")


def test_municipal_cells_of_another_area_are_protected_too(outsider, stocked):
    rows = selectors.values(
        selectors.scope(outsider), indicator="O1", level="municipality", groups=["491"]
    )
    assert _cell(rows, "491")["status"] == "suppressed"


def test_a_partner_gets_suppressed_values_and_no_teams(client, partner, stocked):
    rows = selectors.values(selectors.scope(partner), indicator="O1", level="area")
    assert _cell(rows, MIKKELI_AREA)["status"] == "suppressed"
    client.force_login(partner)
    html = client.get("/indicators/series/?indicator=O1").content.decode()
    assert "suppressed" in html and '<th scope="row">2/2025</th><td>3</td>' not in html
    assert client.get("/indicators/teams/").status_code == 403
    with pytest.raises(PermissionDenied):
        selectors.values(selectors.scope(partner), indicator="O1", level="team")


def test_team_figures_only_for_the_area_staff(client, outsider, lead, stocked, team):
    with pytest.raises(PermissionDenied):
        selectors.values(selectors.scope(outsider), indicator="O1", level="team")
    rows = selectors.values(selectors.scope(lead), indicator="O1", level="team")
    assert _cell(rows, str(team.pk))["value"] == 2


def test_anonymous_is_refused_pages_and_own_indicators(client, stocked):
    assert client.get("/indicators/").status_code == 302  # to the login page
    r = client.get("/api/v1/indicators/values?indicator=O1")
    assert r.status_code == 401 and "Sign in" in r.json()["detail"]
    assert client.get("/api/v1/indicators/values?indicator=B1&level=country").status_code == 200
    assert client.get("/api/v1/indicators/export?indicator=O1&format=csv").status_code == 401
    assert client.get("/api/v1/indicators/catalogue").status_code == 200


def test_roles_without_dashboards_are_refused(client, evaluator, stocked):
    client.force_login(evaluator)
    assert client.get("/indicators/").status_code == 403
    assert client.get("/api/v1/indicators/values?indicator=O1").status_code == 403
