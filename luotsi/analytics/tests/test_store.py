"""The store: schema, reference data, public series, calendar."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from luotsi.analytics.store import SCHEMA_VERSION, Store, StoreError
from luotsi.kernel import calendar as fincal
from luotsi.kernel import journey

MUNIS = [
    {
        "code": "507",
        "name_fi": "Mäntyharju",
        "name_sv": "Mäntyharju",
        "region_code": "10",
        "language_ratio": 1,
        "valid_from": "1900-01-01",
        "valid_to": None,
    },
    {
        "code": "588",
        "name_fi": "Pertunmaa",
        "name_sv": "Pertunmaa",
        "region_code": "10",
        "language_ratio": 1,
        "valid_from": "1900-01-01",
        "valid_to": "2024-12-31",
    },
]


def test_schema_is_created_once_and_versioned(tmp_path):
    path = tmp_path / "a.duckdb"
    with Store(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        cols = [r[0] for r in s.con.execute("DESCRIBE events").fetchall()]
        assert cols == list(journey.FLAT_COLUMNS)
    with Store(path) as s:  # reopening applies nothing twice
        assert s.con.execute("SELECT count(*) FROM meta_schema").fetchall()[0][0] == 1


def test_reference_load_replaces_atomically():
    s = Store()
    s.load_reference(
        municipalities=MUNIS, groups=[{"group_type": "area", "group_code": "A1", "name_fi": "Alue"}]
    )
    assert s.con.execute("SELECT count(*) FROM ref_municipality").fetchall()[0][0] == 2
    with pytest.raises(StoreError, match="group_type"):
        s.load_reference(
            municipalities=MUNIS[:1], groups=[{"group_type": "galaxy", "group_code": "X"}]
        )
    with pytest.raises(StoreError, match="valid_to"):
        s.load_reference(
            municipalities=MUNIS[:1],
            memberships=[
                {
                    "group_type": "area",
                    "group_code": "A1",
                    "municipality_code": "507",
                    "valid_from": "2025-01-01",
                    "valid_to": "2024-01-01",
                }
            ],
        )
    # both failed loads left the previous rows in place
    assert s.con.execute("SELECT count(*) FROM ref_municipality").fetchall()[0][0] == 2
    with pytest.raises(StoreError, match="municipality_code"):
        s.load_reference(memberships=[{"group_type": "area", "group_code": "A1"}])


def test_merger_is_known_from_packaged_data():
    s = Store()
    rows = s.sql("SELECT code, valid_to, merged_into FROM ref_municipality_change").to_pylist()
    assert {"code": "588", "valid_to": dt.date(2024, 12, 31), "merged_into": "507"} in rows


def test_public_series_upsert_by_key():
    s = Store()
    row = {
        "source": "statfin",
        "table_code": "12r5",
        "measure": "TYOTTOMATLOPUSSA",
        "region_kind": "KU",
        "region_code": "091",
        "period": "2026-06-01",
        "value": 10.0,
        "status": "",
        "retrieved_at": "2026-07-01T00:00:00",
        "url": "u",
    }
    s.load_public_series([row])
    s.load_public_series(
        [{**row, "value": 12.0}, {**row, "region_code": "092", "value": None, "status": "..."}]
    )
    got = s.sql("SELECT region_code, value, status FROM public_series ORDER BY 1").to_pylist()
    assert got == [
        {"region_code": "091", "value": 12.0, "status": ""},
        {"region_code": "092", "value": None, "status": "..."},
    ]


def test_calendar_table_matches_the_kernel_calendar():
    s = Store()
    pairs = [
        (dt.date(2025, 12, 19), dt.date(2026, 1, 9)),
        (dt.date(2024, 3, 27), dt.date(2024, 4, 3)),
        (dt.date(2025, 6, 18), dt.date(2025, 6, 30)),
    ]
    for a, b in pairs:
        n = s.con.execute(
            "SELECT cb.wd_index - ca.wd_index FROM calendar ca, calendar cb "
            "WHERE ca.day = ? AND cb.day = ?",
            [a, b],
        ).fetchall()[0][0]
        assert n == fincal.working_days_between(a, b)


def test_pure_package_imports_no_django():
    root = Path(__file__).resolve().parents[1]
    forbidden = (
        "django",
        "ninja",
        "luotsi.core",
        "luotsi.journey",
        "luotsi.reference",
        "luotsi.customers",
        "luotsi.ecosystem",
        "config",
    )
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for n in names:
                assert not n.startswith(forbidden), f"{path.name} imports {n}"
