"""Team-level indicators on a hand-made journey; expected values counted by hand."""

from __future__ import annotations

import pytest

from luotsi.analytics.indicators.engine import EngineError
from luotsi.analytics.indicators.team import compute_teams

from .helpers import store_with, value
from .journeys import Journeys


def _assign(j: Journeys, person: int, worker: int, team: int, on: str) -> None:
    j.add("responsibility.assigned", on, person=person, worker_id=worker, team_id=team)


@pytest.fixture(scope="module")
def store():
    j = Journeys()
    # team 7: workers 100 (FTE 0.5) and 101; team 8: worker 200
    j.register(1, 11, "2024-01-10", "091")
    _assign(j, 1, 100, 7, "2024-01-10")
    j.register(2, 21, "2025-01-05", "091")
    _assign(j, 2, 100, 7, "2025-01-05")
    j.register(3, 31, "2025-01-20", "049")
    _assign(j, 3, 101, 7, "2025-01-20")
    # person 3 moves to team 8 on 15.2.2025 (worker 200)
    _assign(j, 3, 200, 8, "2025-02-15")
    j.register(4, 41, "2025-02-01", "091")  # never assigned: in no team
    j.exit(2, 21, "2025-03-10", "employed_open_market")
    workers = [
        {"worker_id": 100, "team_id": 7, "organisation_id": 1, "area_code": "A", "fte": 0.5},
        {"worker_id": 101, "team_id": 7, "organisation_id": 1, "area_code": "A", "fte": 1.0},
        {"worker_id": 200, "team_id": 8, "organisation_id": 1, "area_code": "A", "fte": 1.0},
        {"worker_id": 300, "team_id": 9, "organisation_id": 1, "area_code": "A", "fte": 1.0},
    ]
    return store_with(j, workers=workers)


@pytest.fixture(scope="module")
def out(store):
    return compute_teams(store, start="2025-01-01", end="2025-03-31")


def test_stock_per_team_on_the_counting_day(out):
    assert value(out, "O1", "7", "2025-01") == 3  # persons 1, 2, 3
    assert value(out, "O1", "7", "2025-02") == 2  # person 3 moved to team 8
    assert value(out, "O1", "8", "2025-02") == 1
    assert value(out, "O1", "7", "2025-03") == 1  # person 2 left on 10.3.
    assert value(out, "O1", "9", "2025-01") == 0  # a team with no customers appears as zero


def test_long_term_unemployed_share_per_team(out):
    # person 1 has been unemployed since 10.1.2024: long-term from 10.1.2025
    assert value(out, "O1L", "7", "2025-01") == 1
    assert value(out, "O1LS", "7", "2025-01") == pytest.approx(100 / 3)
    assert value(out, "O1LS", "7", "2025-03") == pytest.approx(100.0)
    assert value(out, "O1LS", "9", "2025-03") is None  # no unemployed customers: no share


def test_caseload_per_fte_over_the_team_workers(out):
    # 31.1.: worker 100 has 2 customers / 0.5 FTE = 4, worker 101 has 1 -> median 2.5, max 4
    assert value(out, "O13", "7", "2025-01") == pytest.approx(2.5)
    assert value(out, "O13MAX", "7", "2025-01") == pytest.approx(4.0)
    # 31.3.: only worker 100 with person 1 -> 1 / 0.5
    assert value(out, "O13", "7", "2025-03") == pytest.approx(2.0)
    assert value(out, "O13", "8", "2025-02") == pytest.approx(1.0)


def test_saved_and_replaced(store, out):
    n = store.con.execute(
        "SELECT count(*) FROM indicator_values WHERE group_type = 'team'"
    ).fetchall()[0][0]
    assert n == out.num_rows
    compute_teams(store, ["O1"], start="2025-01-01", end="2025-03-31")
    again = store.con.execute(
        "SELECT count(*) FROM indicator_values WHERE group_type = 'team'"
    ).fetchall()[0][0]
    assert again == n


def test_unknown_team_indicator_is_refused(store):
    with pytest.raises(EngineError, match="not computed per team"):
        compute_teams(store, ["O3"], start="2025-01-01", end="2025-03-31")


def test_team_by_residence_municipality_for_the_drill_down(out):
    # 31.1.: team 7 serves persons 1 and 2 (091) and person 3 (049)
    assert value(out, "O1", "7", "2025-01", "091") == 2
    assert value(out, "O1", "7", "2025-01", "049") == 1
    assert value(out, "O1", "8", "2025-02", "049") == 1
    assert value(out, "O1LS", "7", "2025-01", "091") == pytest.approx(50.0)
    munis = [
        r for r in out.to_pylist() if r["dimension"] == "municipality" and r["group_code"] == "7"
    ]
    assert {r["dimension_value"] for r in munis} == {"091", "049"}
    assert not [r for r in out.to_pylist() if r["dimension"] and r["indicator"] == "O13"]
