"""Dated membership, the Pertunmaa merger and the public baseline (B) from 12r5 rows."""

from __future__ import annotations

import pytest

from .helpers import cell, run, store_with, value
from .journeys import Journeys

MUNIS = [
    {"code": c, "name_fi": c, "valid_from": "1900-01-01", "valid_to": vt}
    for c, vt in (("507", None), ("588", "2024-12-31"), ("091", None), ("049", None))
]
GROUPS = [{"group_type": "area", "group_code": g, "name_fi": g} for g in ("X", "Y", "Z")]
MEMBERS = [
    {
        "group_type": "area",
        "group_code": "X",
        "municipality_code": "588",
        "valid_from": "2020-01-01",
        "valid_to": "2024-12-31",
    },
    {
        "group_type": "area",
        "group_code": "X",
        "municipality_code": "507",
        "valid_from": "2020-01-01",
        "valid_to": None,
    },
    {
        "group_type": "area",
        "group_code": "Z",
        "municipality_code": "091",
        "valid_from": "2020-01-01",
        "valid_to": "2024-12-31",
    },
    {
        "group_type": "area",
        "group_code": "Y",
        "municipality_code": "091",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "group_type": "area",
        "group_code": "Y",
        "municipality_code": "049",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
]
REF = {"municipalities": MUNIS, "groups": GROUPS, "memberships": MEMBERS}


@pytest.fixture(scope="module")
def store():
    j = Journeys()
    j.register(6, 61, "2024-11-05", "588")  # a Pertunmaa customer who stays
    j.register(3, 31, "2024-10-01", "091")
    return store_with(j, **REF)


def test_merged_municipality_counts_in_its_successor(store):
    out = run(store, ["O1"], "2024-12-01", "2025-01-31")
    assert value(out, "O1", "588", "2024-12") == 1
    assert value(out, "O1", "507", "2024-12") == 0
    assert value(out, "O1", "507", "2025-01") == 1
    assert not [
        r
        for r in out.to_pylist()
        if r["group_code"] == "588" and str(r["period_start"]) == "2025-01-01"
    ]


def test_area_uses_membership_valid_on_the_counting_day(store):
    out = run(store, ["O1"], "2024-12-01", "2025-01-31", level="area")
    assert value(out, "O1", "X", "2024-12") == 1  # via 588
    assert value(out, "O1", "X", "2025-01") == 1  # via the merger into 507
    assert value(out, "O1", "Z", "2024-12") == 1
    assert not [
        r
        for r in out.to_pylist()
        if r["group_code"] == "Y" and str(r["period_start"]) == "2024-12-01"
    ]  # no members yet
    assert value(out, "O1", "Y", "2025-01") == 1
    assert not [
        r
        for r in out.to_pylist()
        if r["group_code"] == "Z" and str(r["period_start"]) == "2025-01-01"
    ]


def test_quarter_and_country_levels(store):
    from luotsi.analytics.indicators import compute

    out = compute(
        store, ["O1", "O2"], level="country", period="quarter", start="2024-10-01", end="2024-12-31"
    )
    assert value(out, "O1", "SSS", "2024-10") == 2  # stock on 31.12.2024
    assert value(out, "O2", "SSS", "2024-10") == 2  # both registered in Q4


def _ps(code, measure, value, status="", kind="KU", period="2026-06-01"):
    return {
        "source": "statfin",
        "table_code": "12r5",
        "measure": measure,
        "region_kind": kind,
        "region_code": code,
        "period": period,
        "value": value,
        "status": status,
    }


def test_public_baseline_sums_members_with_lower_bounds():
    s = store_with(Journeys(), **REF)
    s.load_public_series(
        [
            _ps("091", "TYOTTOMATLOPUSSA", 1000),
            _ps("049", "TYOTTOMATLOPUSSA", None, "..."),
            _ps("091", "TYOVOIMATK", 10000),
            _ps("049", "TYOVOIMATK", 5000),
            _ps("091", "PITKAAIKAISTYOTTOMAT", 400),
            _ps("049", "PITKAAIKAISTYOTTOMAT", 2),
            _ps("507", "TYOTTOMATLOPUSSA", 100),
            _ps("507", "TYOVOIMATK", 1000),
            _ps("SSS", "TYOTTOMATLOPUSSA", 352001, kind="SSS"),
        ]
    )
    out = run(s, ["B1", "B2", "B3", "B4"], "2026-06-01", "2026-06-30", level="area")
    b1 = cell(out, "B1", "Y", "2026-06")
    assert b1["status"] == "lower_bound"
    assert (b1["value_low"], b1["value_high"]) == (1001, 1004)
    b2 = cell(out, "B2", "Y", "2026-06")  # from sums: [1001, 1004] / 15000
    assert b2["value_low"] == pytest.approx(100 * 1001 / 15000)
    assert b2["value_high"] == pytest.approx(100 * 1004 / 15000)
    b3 = cell(out, "B3", "Y", "2026-06")
    assert b3["value"] == 402 and b3["status"] == ""
    x = cell(out, "B2", "X", "2026-06")  # exact: only 507 from 2025 (588 merged)
    assert x["status"] == "" and x["value"] == pytest.approx(10.0)
    b4 = cell(out, "B4", "Y", "2026-06")
    assert b4["value_low"] == pytest.approx(100 * 402 / 1004)
    assert b4["value_high"] == pytest.approx(100 * 402 / 1001)
    country = run(s, ["B1"], "2026-06-01", "2026-06-30", level="country")
    assert value(country, "B1", "SSS", "2026-06") == 352001  # the published total wins


def test_b2_is_computed_from_sums_not_averaged():
    s = store_with(Journeys(), **REF)
    s.load_public_series(
        [
            _ps("091", "TYOTTOMATLOPUSSA", 100),
            _ps("091", "TYOVOIMATK", 1000),
            _ps("049", "TYOTTOMATLOPUSSA", 10),
            _ps("049", "TYOVOIMATK", 1000),
        ]
    )
    out = run(s, ["B2"], "2026-06-01", "2026-06-30", level="area")
    assert value(out, "B2", "Y", "2026-06") == pytest.approx(100 * 110 / 2000)  # not (10+1)/2
