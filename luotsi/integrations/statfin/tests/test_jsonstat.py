"""JSON-stat 2.0 and PxWeb json parsing, on real and recorded answers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from luotsi.integrations.statfin.jsonstat import (
    NOT_AVAILABLE,
    SUPPRESSED,
    JsonStatError,
    parse_jsonstat2,
    parse_pxweb_json,
    parse_response,
)
from luotsi.integrations.statfin.tests.fakeserver import recorded

DATA = Path(__file__).resolve().parents[3] / "data"


def _csv_cells() -> dict[tuple[str, str], str]:
    with open(DATA / "statfin_tyonv_12r5_2026M06.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    return {(r[0], header[j]): r[j] for r in rows[1:] for j in range(2, len(header))}


def test_real_statfin_answer_is_row_major():
    ds = parse_jsonstat2(recorded("statfin_ymp_kokodata_jsonstat2.json"))
    got = {(r["Tiedot"], r["Vuosi"]): r["value"] for r in ds.records()}
    # value = [107.4, 96.4, 72.43, 63.38] over id [Tiedot, Vuosi]: the last dimension is fastest.
    assert got == {
        ("Khk_yht_index", "2010"): 107.4,
        ("Khk_yht_index", "2011"): 96.4,
        ("Khk_yht_las_index", "2010"): 72.43,
        ("Khk_yht_las_index", "2011"): 63.38,
    }
    assert ds.time_dimension == "Vuosi"
    assert ds.source == "Statistics Finland"


def test_12r5_jsonstat2_matches_the_shipped_csv_cell_by_cell():
    ds = parse_jsonstat2(recorded("12r5_2026M06_jsonstat2.json"))
    expected = _csv_cells()
    seen = 0
    for r in ds.records():
        raw = expected[(r["Alue"], r["contentscode"])]
        if raw == "...":
            assert r["value"] is None and r["status"] == SUPPRESSED
        else:
            assert r["value"] == float(raw) and r["status"] == ""
        seen += 1
    assert seen == len(expected) == 421 * 23


def test_pxweb_json_export_parses_to_the_same_cells():
    a = parse_pxweb_json(recorded("12r5_2026M06_pxweb_json.json"))
    b = parse_jsonstat2(recorded("12r5_2026M06_jsonstat2.json"))
    key = lambda r: (r["Alue"], r["timeperiod_m"], r["contentscode"])  # noqa: E731
    ra = {key(r): (r["value"], r["status"]) for r in a.records()}
    rb = {key(r): (r["value"], r["status"]) for r in b.records()}
    assert ra == rb
    assert a.label.startswith("Työttömät työnhakijat")
    assert a.time_dimension == "timeperiod_m"


def test_sparse_values_and_status_forms():
    obj = {
        "class": "dataset",
        "version": "2.0",
        "id": ["a", "b"],
        "size": [2, 3],
        "dimension": {
            "a": {"category": {"index": ["x", "y"]}},
            "b": {"category": {"index": {"p": 0, "q": 1, "r": 2}}},
        },
        "value": {"0": 1, "4": 2.5, "5": "..."},
        "status": {"1": "..."},
    }
    cells = list(parse_jsonstat2(obj).cells())
    assert [c.key for c in cells] == [
        ("x", "p"),
        ("x", "q"),
        ("x", "r"),
        ("y", "p"),
        ("y", "q"),
        ("y", "r"),
    ]
    assert [c.value for c in cells] == [1.0, None, None, None, 2.5, None]
    assert [c.status for c in cells] == [
        "",
        SUPPRESSED,
        NOT_AVAILABLE,
        NOT_AVAILABLE,
        "",
        SUPPRESSED,
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"class": "collection"}, "class 'dataset'"),
        ({"version": "1.0"}, "version 2.0"),
        ({"size": [3, 2]}, "categories but size"),
        ({"value": [1, 2, 3]}, "sizes make 4"),
        ({"value": [1, 2, 3, "abc"]}, "neither a number"),
    ],
)
def test_malformed_answers_are_named(change, message):
    obj = dict(recorded("statfin_ymp_kokodata_jsonstat2.json"))
    obj.update(change)
    with pytest.raises(JsonStatError, match=message):
        parse_jsonstat2(obj)


def test_parse_response_refuses_other_shapes():
    with pytest.raises(JsonStatError, match="neither"):
        parse_response({"foo": 1})
