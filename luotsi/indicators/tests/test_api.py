"""The read-only API: filters, errors with clear messages, exports, the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
import io

import pyarrow.parquet as pq
from openpyxl import load_workbook

from .conftest import MIKKELI_AREA

URL = "/api/v1/indicators"


def test_values_with_filters(client, manager, reference_values):
    client.force_login(manager)
    r = client.get(
        f"{URL}/values?indicator=O1&level=area&group={MIKKELI_AREA}&start=2025-02&end=2025-03"
    )
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 2 and body["suppression_threshold"] == 5
    expected = reference_values("O1")
    for v in body["values"]:
        assert v["group_code"] == MIKKELI_AREA
        day = dt.date.fromisoformat(v["period_start"])
        assert v["value"] == expected[(MIKKELI_AREA, day)]
    q = client.get(f"{URL}/values?indicator=O1&level=area&period=quarter&group={MIKKELI_AREA}")
    assert [v["period_start"] for v in q.json()["values"]] == ["2025-01-01", "2025-04-01"]


def test_errors_name_what_is_wrong(client, manager, stocked, team):
    client.force_login(manager)
    r = client.get(f"{URL}/values?indicator=NOPE")
    assert r.status_code == 400 and "Unknown indicator NOPE" in r.json()["detail"]
    r = client.get(f"{URL}/catalogue/NOPE")
    assert r.status_code == 404 and "NOPE" in r.json()["detail"]
    r = client.get(f"{URL}/values?indicator=O1&level=galaxy")
    assert r.status_code == 400 and "level=galaxy" in r.json()["detail"]
    r = client.get(f"{URL}/values?indicator=O1&period=week")
    assert r.status_code == 400 and "period=week" in r.json()["detail"]
    r = client.get(f"{URL}/values?indicator=O1&start=yesterday")
    assert r.status_code == 400 and "start=yesterday" in r.json()["detail"]
    r = client.get(f"{URL}/values?indicator=O3&level=team")
    assert r.status_code == 400 and "not computed per team" in r.json()["detail"]
    r = client.get(f"{URL}/export?indicator=O1&format=docx")
    assert r.status_code == 400 and "format=docx" in r.json()["detail"]


def test_no_store_yet_is_a_clear_503(client, manager, analytics_path):
    client.force_login(manager)
    r = client.get(f"{URL}/values?indicator=O1")
    assert r.status_code == 503 and "luotsi analytics refresh" in r.json()["detail"]


def test_catalogue_and_exports(client, manager, stocked):
    cat = client.get(f"{URL}/catalogue").json()
    o1 = next(d for d in cat if d["code"] == "O1")
    assert o1["name_sv"] == "Aktiva kunder" and o1["team_level"] is True
    assert {d["code"] for d in cat} >= {"B1", "O1", "O3", "O13", "O14R"}
    o14r = next(d for d in cat if d["code"] == "O14R")
    assert (o14r["numerator"], o14r["numerator_fi"], o14r["numerator_sv"]) == (
        "accepted",
        "hyväksytyt",
        "accepterade",
    )
    assert o14r["denominator_sv"] == "accepterade + avvisade"
    assert (o14r["follows"], o14r["follows_fi"]) == ("no anchor", "ei julkaistua vastinetta")
    assert o1["denominator"] == o1["denominator_fi"] == o1["denominator_sv"] == ""
    client.force_login(manager)
    base = f"{URL}/export?indicator=O1&level=area&group={MIKKELI_AREA}"
    values = client.get(f"{URL}/values?indicator=O1&level=area&group={MIKKELI_AREA}").json()
    expected = [v["value"] for v in values["values"]]
    book = load_workbook(io.BytesIO(client.get(base + "&format=xlsx&language=sv").content))
    header = [c.value for c in book["data"][1]]
    got = [
        dict(zip(header, r, strict=True))["value"]
        for r in book["data"].iter_rows(min_row=2, values_only=True)
    ]
    assert got == expected
    assert "Aktiva kunder" in [c.value for c in book["data"]["B"]]
    table = pq.read_table(io.BytesIO(client.get(base + "&format=parquet").content))
    assert table["value"].to_pylist() == expected


def test_openapi_lists_the_indicator_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {f"{URL}/values", f"{URL}/catalogue", f"{URL}/export"} <= set(paths)
