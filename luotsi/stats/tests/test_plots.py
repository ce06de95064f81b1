"""Event-study SVG: well-formed, accessible, one mark per estimate, escaped labels."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from luotsi.stats.plots import event_study_rows, event_study_svg
from luotsi.stats.results import Estimate, table

NS = {"s": "http://www.w3.org/2000/svg"}


def _effects(banded: bool = False):
    rows = [
        Estimate.normal(f"e={e}", b, 0.1, key={"event_time": e}, crit=2.8 if banded else None)
        for e, b in ((-3, 0.05), (-2, -0.02), (0, 0.4), (1, 0.55), (2, 0.6))
    ]
    rows.append(Estimate.normal("ATT", 0.5, 0.1, key={"effect": "overall"}))
    return table("demo", rows, reference_period=-1)


def test_svg_is_well_formed_and_accessible():
    svg = event_study_svg(
        _effects(),
        title="Vaikutus <työllisyyteen>",
        desc="Kuvaus & selitys",
        x_label="Kuukautta alusta",
        y_label="Vaikutus",
        reference_label="vertailu",
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    title, desc = root.find("s:title", NS), root.find("s:desc", NS)
    assert title.text == "Vaikutus <työllisyyteen>" and desc.text == "Kuvaus & selitys"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    circles = root.findall("s:circle", NS)
    assert len(circles) == 6  # five estimates + the hollow reference marker
    assert sum(c.get("fill") == "#ffffff" for c in circles) == 1
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"Kuukautta alusta", "Vaikutus", "vertailu"} <= set(texts)
    assert "<script" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_points_are_placed_by_value():
    root = ET.fromstring(event_study_svg(_effects(), title="t", desc="d", x_label="x", y_label="y"))
    filled = [c for c in root.findall("s:circle", NS) if c.get("fill") != "#ffffff"]
    xs = [float(c.get("cx")) for c in filled]
    ys = [float(c.get("cy")) for c in filled]
    assert xs == sorted(xs)
    assert ys[4] < ys[3] < ys[2] < ys[0]  # larger estimates are higher on the page


def test_uniform_bands_drawn_when_present():
    plain = event_study_svg(_effects(), title="t", desc="d", x_label="x", y_label="y")
    banded = event_study_svg(_effects(True), title="t", desc="d", x_label="x", y_label="y")
    count = lambda s: len(ET.fromstring(s).findall("s:rect", NS))  # noqa: E731
    assert count(banded) == count(plain) + 5


def test_rows_for_the_data_table():
    rows = event_study_rows(_effects())
    assert [r["event_time"] for r in rows] == [-3, -2, -1, 0, 1, 2]
    ref = rows[2]
    assert ref["reference"] and ref["estimate"] == 0.0 and ref["ci_low"] is None
    assert rows[3]["ci_low"] == pytest.approx(0.4 - 1.959963984540054 * 0.1)
    assert all(not math.isnan(r["estimate"]) for r in rows)


def test_empty_input_is_an_error():
    with pytest.raises(ValueError, match="effects"):
        event_study_svg([], title="t", desc="d", x_label="x", y_label="y")
