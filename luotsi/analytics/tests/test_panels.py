"""Evaluation panels on tiny hand-made stores where every row is known by construction."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pyarrow as pa
import pytest

from luotsi.analytics import panels as pn
from luotsi.analytics.refresh import ingest_relation
from luotsi.analytics.store import Store, event_schema
from luotsi.kernel.journey import FLAT_COLUMNS


def mi(y: int, m: int) -> int:
    return y * 12 + m - 1


MUNICIPALITIES = [
    ("005", "01", None),  # never in a municipal pilot; in the regional pilot
    ("049", "01", None),
    ("091", "01", None),
    ("507", "10", None),
    ("588", "10", "2024-12-31"),  # Pertunmaa, merged into Mäntyharju 507 on 1.1.2025
    ("853", "02", None),
]
GROUPS = [
    ("P1", "municipal", "2021-03-01"),
    ("P2", "municipal", "2021-05-01"),
    ("R1", "regional", "2017-08-01"),
]
MEMBERSHIPS = [
    ("P1", "091", "2021-03-01", "2024-12-31"),
    ("P2", "049", "2021-03-01", "2024-12-31"),  # member before the legal start 1.5.2021
    ("P2", "588", "2021-06-15", "2024-12-31"),  # mid-month: June's counting day is covered
    ("P1", "853", "2021-07-20", "2021-07-25"),  # covers no counting day: ignored
    ("P1", "853", "2022-01-31", "2024-12-31"),  # starts on a counting day: January
    ("R1", "005", "2017-08-01", "2018-12-31"),
]


def _reference(store: Store) -> None:
    store.load_reference(
        municipalities=[
            {"code": c, "name_fi": c, "region_code": r, "valid_from": "2000-01-01", "valid_to": vt}
            for c, r, vt in MUNICIPALITIES
        ],
        groups=[
            {"group_type": "pilot", "group_code": g, "name_fi": g, "kind": k, "starts_on": s}
            for g, k, s in GROUPS
        ],
        memberships=[
            {
                "group_type": "pilot",
                "group_code": g,
                "municipality_code": m,
                "valid_from": f,
                "valid_to": t,
                "status": "verified",
                "source": "test",
            }
            for g, m, f, t in MEMBERSHIPS
        ],
    )


_ids = itertools.count(1)


def _event(kind: str, person: int, muni: str, day: str, **payload) -> dict:
    row = dict.fromkeys(FLAT_COLUMNS)
    when = dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=dt.UTC)
    row.update(
        event_id=next(_ids),
        kind=kind,
        schema_version=1,
        occurred_at=when,
        recorded_at=when,
        person_id=person,
        organisation_id=1,
        municipality_code=muni,
    )
    for k, v in payload.items():
        row[k] = dt.date.fromisoformat(v) if k.endswith("_on") else v
    return row


def _registered(person, muni, day, enrolment, status="unemployed"):
    return _event(
        "customer.registered",
        person,
        muni,
        day,
        enrolment_id=enrolment,
        registered_on=day,
        reason="new",
        area_code="1",
        birth_year=1980,
        sex="female",
        language_group="fi",
        education_level="basic",
        status=status,
    )


EVENTS = [
    # person 1 (Helsinki, pilot P1 from 2021-03): unemployed, in a service from 15.3., to work 31.5.
    _registered(1, "091", "2021-01-10", 101),
    _event(
        "customer.status_changed",
        1,
        "091",
        "2021-03-15",
        enrolment_id=101,
        effective_on="2021-03-15",
        status="in_service",
        previous_status="unemployed",
    ),
    _event(
        "customer.exited",
        1,
        "091",
        "2021-05-31",
        enrolment_id=101,
        ended_on="2021-05-31",
        exit_reason="employed_open_market",
    ),
    # person 2 (Pertunmaa -> Mäntyharju): registered on a counting day, left 1.3. to education,
    # back 1.6.
    _registered(2, "588", "2021-02-28", 201),
    _event(
        "customer.exited",
        2,
        "588",
        "2021-03-01",
        enrolment_id=201,
        ended_on="2021-03-01",
        exit_reason="education",
    ),
    _registered(2, "588", "2021-06-01", 202),
    # person 3 (Alajärvi, never treated): moves to Espoo 15.2., to work 30.4.
    _registered(3, "005", "2020-12-01", 301),
    _event(
        "customer.moved",
        3,
        "049",
        "2021-02-15",
        effective_on="2021-02-15",
        from_municipality="005",
        to_municipality="049",
    ),
    _event(
        "customer.exited",
        3,
        "049",
        "2021-04-30",
        enrolment_id=301,
        ended_on="2021-04-30",
        exit_reason="employed_open_market",
    ),
]


@pytest.fixture
def store():
    with Store() as s:
        _reference(s)
        s.con.register("_ev", pa.Table.from_pylist(EVENTS, schema=event_schema()))
        ingest_relation(s, "_ev", derive=True, source="test")
        yield s


def test_cohorts_follow_membership_edges_legal_start_and_merges(store):
    c = pn.treatment_cohorts(store, group_type="pilot", kind="municipal")
    assert dict(c.treatment_start) == {
        "091": mi(2021, 3),
        "049": mi(2021, 5),  # membership from March, legal start of P2 in May
        "507": mi(2021, 6),  # Pertunmaa's membership, harmonised to Mäntyharju
        "853": mi(2022, 1),  # the one-week membership of July 2021 covers no counting day
    }
    assert c.group_of["507"] == "P2" and c.first_treated("005") == 0
    assert pn.treatment_cohorts(store, kind="regional").treatment_start == {"005": mi(2017, 8)}
    assert set(pn.treatment_cohorts(store, group_codes=["P1"]).treatment_start) == {"091", "853"}
    shifted = pn.treatment_cohorts(store, kind="municipal", anticipation=2)
    assert shifted.first_treated("049") == mi(2021, 3) and shifted.treatment_start["049"] == mi(
        2021, 5
    )
    with pytest.raises(pn.PanelBuildError, match="no pilot"):
        pn.treatment_cohorts(store, group_codes=["P9"])


def _public_rows():
    rows = []
    for code in ("005", "049", "091", "507", "588", "853", "199"):
        for t in range(mi(2024, 11), mi(2025, 2) + 1):
            if code == "588" and t >= mi(2025, 1):
                continue  # no Pertunmaa after the merger
            unemployed = 10 * int(code) + t % 12
            for measure, value, status in (
                ("TYOTTOMATLOPUSSA", unemployed, ""),
                ("TYOVOIMATK", 100 * int(code), ""),
                ("PITKAAIKAISTYOTTOMAT", None, "...")
                if (code, t) == ("005", mi(2025, 1))
                else ("PITKAAIKAISTYOTTOMAT", 3 * int(code), ""),
            ):
                rows.append(
                    {
                        "source": "statfin",
                        "table_code": "12r5",
                        "measure": measure,
                        "region_kind": "KU",
                        "region_code": code,
                        "period": pn.month_of(t),
                        "value": value,
                        "status": status,
                        "retrieved_at": None,
                        "url": None,
                    }
                )
    return rows


def test_public_panel_sums_merged_municipalities_and_recomputes_rates(store):
    store.load_public_series(_public_rows())
    cohorts = pn.treatment_cohorts(store, kind="municipal")
    panel = pn.municipality_panel_public(store, "2024-11", "2025-02", cohorts)
    t = panel.table.to_pylist()
    units = sorted({r["unit"] for r in t})
    assert units == [
        "005",
        "049",
        "091",
        "507",
        "853",
    ]  # 588 folded into 507; 199 is no municipality
    assert len(t) == 5 * 4
    nov = {r["unit"]: r for r in t if r["time"] == mi(2024, 11)}
    jan = {r["unit"]: r for r in t if r["time"] == mi(2025, 1)}
    assert nov["507"]["TYOTTOMATLOPUSSA"] == (5070 + 10) + (5880 + 10)
    assert nov["507"]["unemployment_rate"] == pytest.approx(100 * 10970 / (50700 + 58800))
    assert jan["507"]["TYOTTOMATLOPUSSA"] == 5070 + 0
    assert jan["005"]["PITKAAIKAISTYOTTOMAT"] is None and jan["005"]["ltu_share"] is None  # null
    assert nov["507"]["first_treated"] == mi(2021, 6) and nov["005"]["first_treated"] == 0
    assert nov["005"]["never_treated"] and not nov["091"]["never_treated"]
    assert nov["091"]["cluster"] == "P1" and nov["005"]["cluster"] == "municipality:005"
    mid = pn.municipality_panel_public(
        store, "2024-11", "2025-02", cohorts, suppressed_value=2.5, cluster_by="region"
    )
    jan005 = next(
        r for r in mid.table.to_pylist() if r["unit"] == "005" and r["time"] == mi(2025, 1)
    )
    assert jan005["PITKAAIKAISTYOTTOMAT"] == 2.5 and jan005["cluster"] == "01"
    arrays = panel.arrays("PITKAAIKAISTYOTTOMAT")
    assert "005" not in set(arrays["unit"]) and len(arrays["y"]) == 4 * 4  # unit with a gap dropped
    with pytest.raises(pn.PanelBuildError, match="no outcome"):
        panel.arrays("nope")


def test_not_yet_treated_and_anticipation_columns(store):
    rows = [
        dict(r, period=pn.month_of(pn.month_index(r["period"]) - 12 * 4 + 2))
        for r in _public_rows()
    ]
    store.load_public_series(rows)  # shifted into 2021-01 .. 2021-04
    cohorts = pn.treatment_cohorts(store, kind="municipal", anticipation=1)
    t = pn.municipality_panel_public(store, "2021-01", "2021-04", cohorts).table.to_pylist()
    espoo = [r for r in t if r["unit"] == "049"]  # legal start 2021-05, anticipation 1 -> 2021-04
    assert [r["first_treated"] for r in espoo] == [mi(2021, 4)] * 4
    assert [r["treatment_start"] for r in espoo] == [mi(2021, 5)] * 4
    assert [r["not_yet_treated"] for r in espoo] == [True, True, True, False]
    assert [r["treated"] for r in espoo] == [False, False, False, True]
    turku = [r for r in t if r["unit"] == "853"]  # starts 2022-01, after the window
    assert all(r["never_treated"] and r["not_yet_treated"] for r in turku)
    assert turku[0]["first_treated"] == mi(2022, 1) - 1


def test_events_panel_counts_stock_and_exits(store):
    cohorts = pn.treatment_cohorts(store, kind="municipal")
    panel = pn.municipality_panel_events(store, "2021-01", "2021-07", cohorts)
    t = panel.table.to_pylist()

    def series(unit, col):
        return [r[col] for r in t if r["unit"] == unit]

    assert series("005", "unemployed_customers") == [1, 0, 0, 0, 0, 0, 0]
    assert series("049", "unemployed_customers") == [0, 1, 1, 0, 0, 0, 0]
    assert series("091", "unemployed_customers") == [1, 1, 0, 0, 0, 0, 0]
    assert series("091", "customers") == [1, 1, 1, 1, 0, 0, 0]
    assert series("507", "unemployed_customers") == [0, 1, 0, 0, 0, 1, 1]
    assert series("091", "exits_to_employment") == [0, 0, 0, 0, 1, 0, 0]
    assert series("049", "exits_to_employment") == [0, 0, 0, 1, 0, 0, 0]
    assert series("507", "exits_to_employment") == [0] * 7  # education is not employment
    assert series("091", "treated") == [False, False, True, True, True, True, True]


def test_person_month_panel_by_construction(store):
    cohorts = pn.treatment_cohorts(store, kind="municipal")
    p = pn.person_month_panel(store, "2021-01", "2021-07", cohorts, chunk_persons=2)
    assert p.person_id.tolist() == [1, 2, 3]
    assert p.municipality.tolist() == ["091", "507", "005"]
    assert p.cohort.tolist() == [mi(2021, 3), mi(2021, 6), 0]
    assert p.times.tolist() == list(range(mi(2021, 1), mi(2021, 7) + 1))
    expected = {
        "unemployed": [[1, 1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 1, 1], [1, 1, 1, 0, 0, 0, 0]],
        "registered": [[1, 1, 1, 1, 0, 0, 0], [0, 1, 0, 0, 0, 1, 1], [1, 1, 1, 0, 0, 0, 0]],
        "employed": [[0, 0, 0, 0, 1, 1, 1], [0] * 7, [0, 0, 0, 1, 1, 1, 1]],
        "left_unemployment": [[0, 0, 1, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0]],
    }
    for name, rows in expected.items():
        assert p.outcomes[name].tolist() == rows, name
    long = p.long("employed")
    assert long["unit"].tolist()[:8] == [1] * 7 + [2]
    assert long["y"].sum() == 3 + 4
    chunks = list(
        pn.iter_person_month_chunks(store, "2021-01", "2021-07", cohorts, chunk_persons=2)
    )
    assert [c[0] for c in chunks] == [slice(0, 2), slice(2, 3)]
    assert np.vstack([c[1]["unemployed"] for c in chunks]).tolist() == expected["unemployed"]


def test_bad_arguments_are_named(store):
    cohorts = pn.treatment_cohorts(store)
    with pytest.raises(pn.PanelBuildError, match="ends"):
        pn.municipality_panel_events(store, "2021-05", "2021-01", cohorts)
    with pytest.raises(pn.PanelBuildError, match="group_type"):
        pn.treatment_cohorts(store, group_type="region")
    with pytest.raises(pn.PanelBuildError, match="cluster_by"):
        pn.municipality_panel_events(store, "2021-01", "2021-02", cohorts, cluster_by="planet")
    with pytest.raises(pn.PanelBuildError, match="no person"):
        pn.person_month_panel(store, "2019-01", "2019-02", cohorts)


def test_panels_feed_the_estimators_panel_type(store):
    from luotsi.stats.panel import Panel

    cohorts = pn.treatment_cohorts(store, kind="municipal")
    p = pn.person_month_panel(store, "2021-01", "2021-07", cohorts)
    long = p.long("employed")
    panel = Panel.from_arrays(
        long["unit"], long["time"], long["cohort"], long["y"], cluster=long["cluster"]
    )
    assert panel.y.shape == (3, 7) and panel.cohort.tolist() == p.cohort.tolist()
    m = pn.municipality_panel_events(store, "2021-01", "2021-07", cohorts).arrays("customers")
    mp = Panel.from_arrays(m["unit"], m["time"], m["cohort"], m["y"], cluster=m["cluster"])
    assert mp.n_units == 5 and mp.n_periods == 7
