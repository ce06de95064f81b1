"""Finding 12r5 and its variables from metadata, before and after the 8.6.2026 renaming."""

from __future__ import annotations

import datetime as dt

import pytest

from luotsi.integrations.statfin.catalogue import (
    CatalogueError,
    area_code_of,
    canonical_measure,
    discover_12r5,
    fetch_12r5,
    find_table,
    month_range,
    month_start,
    region_of,
)
from luotsi.integrations.statfin.tests.fakeserver import recorded


def test_discovers_12r5_from_folder_and_metadata(client):
    layout = discover_12r5(client)
    assert layout.path == "StatFin/tyonv/12r5.px"
    assert (layout.area.code, layout.time.code, layout.contents.code) == (
        "Alue",
        "timeperiod_m",
        "contentscode",
    )
    assert layout.content_code("TYOTTOMATLOPUSSA") == "TYOTTOMATLOPUSSA"
    with pytest.raises(CatalogueError, match="not in table"):
        layout.content_code("NOPE")


def test_finds_the_table_under_its_old_long_name(client, fake):
    fake.folder = recorded("tyonv_folder_before_2026-06-08_fi.json")
    fake.table_file = "statfin_tyonv_pxt_12r5.px"
    assert find_table(client, "tyonv", "12r5") == "StatFin/tyonv/statfin_tyonv_pxt_12r5.px"
    _, rows = fetch_12r5(client, ["2026M06"], measures=["TYOTTOMATLOPUSSA"], region_kinds=["SSS"])
    assert rows == [
        {
            "area": "SSS",
            "month": "2026M06",
            "measure": "TYOTTOMATLOPUSSA",
            "value": 352001.0,
            "status": "",
        }
    ]


def test_renamed_variable_codes_and_prefixed_contents_are_recognised(client, fake):
    meta = fake.metadata
    area, time_var, contents = meta["variables"]
    area["code"] = "alue_23_20260101"
    time_var["code"] = "kuukausi_9"
    contents["values"] = [f"tyonv-{v}" for v in contents["values"]]
    meta["variables"] = [contents, time_var, area]  # order is not fixed either
    layout = discover_12r5(client)
    assert layout.area.code == "alue_23_20260101" and layout.time.code == "kuukausi_9"
    assert layout.content_code("PITKAAIKAISTYOTTOMAT") == "tyonv-PITKAAIKAISTYOTTOMAT"
    _, rows = fetch_12r5(
        client, ["2026M06"], measures=["PITKAAIKAISTYOTTOMAT"], region_kinds=["KU"], layout=layout
    )
    helsinki = [r for r in rows if r["area"] == "KU091"]
    assert helsinki == [
        {
            "area": "KU091",
            "month": "2026M06",
            "measure": "PITKAAIKAISTYOTTOMAT",
            "value": 24758.0,
            "status": "",
        }
    ]
    body = fake.posts()[-1]
    assert [q["code"] for q in body["query"]] == ["alue_23_20260101", "kuukausi_9", "contentscode"]


def test_missing_table_and_month_are_named(client):
    with pytest.raises(CatalogueError, match=r"12zz.*folder has \['12r5', '12ti'\]"):
        find_table(client, "tyonv", "12zz")
    with pytest.raises(CatalogueError, match="does not exist"):
        find_table(client, "nope", "12r5")
    with pytest.raises(CatalogueError, match="newest month there is 2026M06"):
        fetch_12r5(client, ["2026M07"])


def test_area_codes_and_months():
    assert region_of("KU091") == ("KU", "091")
    assert region_of("ELY01") == ("EL", "01")
    assert region_of("SK011") == ("SK", "011")
    assert region_of("MK01") == ("MK", "01")
    assert region_of("SSS") == ("SSS", "SSS")
    assert region_of("KUJOU") == ("KU", "JOU")
    for code in ("KU091", "ELY16", "SSS", "MK21"):
        assert area_code_of(*region_of(code)) == code
    with pytest.raises(CatalogueError, match="unrecognised"):
        region_of("XX1")
    assert month_start("2026M06*") == dt.date(2026, 6, 1)
    assert month_range("2025M11:2026M02") == ["2025M11", "2025M12", "2026M01", "2026M02"]
    assert month_range("2026M06") == ["2026M06"]
    with pytest.raises(CatalogueError, match="ends before"):
        month_range("2026M06:2026M01")
    assert canonical_measure("tyonv-TYOTTOMATLOPUSSA") == "TYOTTOMATLOPUSSA"
