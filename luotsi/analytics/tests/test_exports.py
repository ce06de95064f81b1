"""Exports: CSV, Excel and Parquet with metadata."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from luotsi.analytics.exports import ExportError, export
from luotsi.analytics.suppression import suppress

from .helpers import run, store_with
from .journeys import Journeys


@pytest.fixture(scope="module")
def table():
    j = Journeys()
    for p in range(7):
        j.register(p, p, "2025-01-10", "091" if p < 6 else "049")
    return suppress(run(store_with(j), ["O1", "O2"], "2025-01-01", "2025-01-31"))


def test_csv_has_header_names_and_sidecar_metadata(table, tmp_path):
    path = tmp_path / "o.csv"
    export(table, "csv", path, "sv")
    with open(path, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["indicator_name"] in ("Aktiva kunder", "Nya kunder")
    by = {(r["indicator"], r["group_code"]): r for r in rows}
    assert by[("O1", "091")]["value"] == "6.0"
    assert by[("O1", "049")]["status"] == "suppressed" and by[("O1", "049")]["value"] == ""
    meta = json.loads(path.with_suffix(".metadata.json").read_text(encoding="utf-8"))
    assert {i["code"] for i in meta["indicators"]} == {"O1", "O2"}
    assert meta["suppressed"] is True


def test_csv_to_a_binary_buffer_is_utf8():
    buf = io.BytesIO()
    from luotsi.analytics.indicators import definitions  # noqa: F401

    j = Journeys()
    j.register(1, 1, "2025-01-10", "091")
    export(run(store_with(j), ["O1"], "2025-01-01", "2025-01-31"), "csv", buf, "fi")
    text = buf.getvalue().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("indicator,indicator_name")
    assert "Aktiiviset asiakkaat" in text


def test_excel_has_data_and_metadata_sheets(table, tmp_path):
    path = tmp_path / "o.xlsx"
    export(table, "xlsx", path, "en")
    wb = load_workbook(path)
    assert wb.sheetnames == ["data", "metadata"]
    assert wb["data"]["A1"].value == "indicator"
    notes = [r[1] for r in wb["metadata"].iter_rows(values_only=True) if r and r[0] == "note"]
    assert any("suppressed" in n for n in notes)


def test_parquet_carries_metadata_in_the_schema(table, tmp_path):
    path = tmp_path / "o.parquet"
    export(table, "parquet", path, "fi")
    back = pq.read_table(path)
    meta = json.loads(back.schema.metadata[b"luotsi"])
    assert meta["language"] == "fi" and back.num_rows == table.num_rows
    assert [i["definition_version"] for i in meta["indicators"]] == [1, 1]


def test_bad_format_and_language_are_refused(table, tmp_path):
    with pytest.raises(ExportError, match="format"):
        export(table, "pdf", tmp_path / "x", "fi")
    with pytest.raises(ExportError, match="language"):
        export(table, "csv", tmp_path / "x.csv", "de")
