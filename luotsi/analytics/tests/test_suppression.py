"""Suppression: primary rule, secondary suppression, and no recovery by differencing."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pytest

from luotsi.analytics.suppression import Relation, determined_cells, suppress

P = dt.date(2025, 1, 1)


def _table(cells: dict[tuple[str, str], float], indicator: str = "O1") -> pa.Table:
    rows = [
        {
            "indicator": indicator,
            "definition_version": 1,
            "group_type": t,
            "group_code": c,
            "period_start": P,
            "period_end": dt.date(2025, 1, 31),
            "dimension": "",
            "dimension_value": "",
            "numerator": v,
            "denominator": None,
            "value": v,
            "value_low": v,
            "value_high": v,
            "status": "",
        }
        for (t, c), v in cells.items()
    ]
    return pa.Table.from_pylist(rows)


def _hierarchy(areas: dict[str, list[str]]) -> list[Relation]:
    rels = [
        Relation(P, ("area", a), tuple(("municipality", m) for m in ms)) for a, ms in areas.items()
    ]
    every = [m for ms in areas.values() for m in ms]
    rels.append(Relation(P, ("country", "SSS"), tuple(("municipality", m) for m in every)))
    rels.append(Relation(P, ("country", "SSS"), tuple(("area", a) for a in areas)))
    return rels


def _cells(areas: dict[str, list[str]], counts: dict[str, int]) -> dict:
    cells = {("municipality", m): counts[m] for ms in areas.values() for m in ms}
    for a, ms in areas.items():
        cells[("area", a)] = sum(counts[m] for m in ms)
    cells[("country", "SSS")] = sum(counts.values())
    return cells


def _hidden(out: pa.Table) -> set[tuple[str, str]]:
    return {
        (r["group_type"], r["group_code"]) for r in out.to_pylist() if r["status"] == "suppressed"
    }


def test_primary_rule_hides_one_to_four_but_not_zero():
    areas = {"A": ["1", "2", "3"]}
    out = suppress(_table(_cells(areas, {"1": 0, "2": 4, "3": 5})), hierarchy=[])
    assert _hidden(out) == {("municipality", "2")}
    row = next(r for r in out.to_pylist() if r["group_code"] == "2")
    assert row["numerator"] is None and row["value"] is None


def test_a_single_hidden_member_makes_a_sibling_hidden():
    areas = {"A": ["1", "2", "3"], "B": ["4", "5"]}
    counts = {"1": 3, "2": 50, "3": 9, "4": 20, "5": 30}
    out = suppress(_table(_cells(areas, counts)), hierarchy=_hierarchy(areas))
    hidden = _hidden(out)
    assert ("municipality", "1") in hidden
    assert ("municipality", "3") in hidden  # the next-smallest sibling
    assert ("area", "A") not in hidden


def test_threshold_is_configurable():
    areas = {"A": ["1", "2"]}
    out = suppress(_table(_cells(areas, {"1": 7, "2": 100})), threshold=10, hierarchy=[])
    assert _hidden(out) == {("municipality", "1")}


def _recoverable(out: pa.Table, rels: list[Relation]) -> list[tuple[str, str]]:
    rows = out.to_pylist()
    index = {(r["group_type"], r["group_code"]): i for i, r in enumerate(rows)}
    hidden = [r["status"] == "suppressed" for r in rows]
    lin = [[index[r.parent], *(index[c] for c in r.children)] for r in rels]
    keys = list(index)
    return [keys[i] for i in determined_cells(lin, hidden)]


@pytest.mark.parametrize("seed", range(150))
def test_no_hidden_cell_can_be_recovered_from_totals(seed):
    rng = random.Random(seed)
    areas = {a: [f"{a}{i}" for i in range(rng.randint(1, 5))] for a in "ABCD"}
    # Åland-like municipalities in no area make country - areas a difference too
    areas_with_loose = dict(areas)
    loose = [f"L{i}" for i in range(rng.randint(0, 2))]
    counts = {m: rng.choice([0, 1, 2, 3, 4, 5, 8, 20, 100]) for ms in areas.values() for m in ms}
    counts.update({m: rng.choice([1, 3, 6, 40]) for m in loose})
    cells = _cells(areas_with_loose, counts)
    for m in loose:
        cells[("municipality", m)] = counts[m]
    cells[("country", "SSS")] = sum(counts.values())
    rels = [
        Relation(P, ("area", a), tuple(("municipality", m) for m in ms)) for a, ms in areas.items()
    ]
    every = [m for ms in areas.values() for m in ms] + loose
    rels.append(Relation(P, ("country", "SSS"), tuple(("municipality", m) for m in every)))
    if not loose:
        rels.append(Relation(P, ("country", "SSS"), tuple(("area", a) for a in areas)))
    out = suppress(_table(cells), hierarchy=rels)
    # every primary cell is hidden
    for key, v in cells.items():
        if 0 < v < 5:
            assert key in _hidden(out)
    # and none of the hidden cells follows from the published ones
    assert _recoverable(out, rels) == []
    # the simple differencing check as well: parent minus visible children never isolates one
    hidden = _hidden(out)
    for r in rels:
        if r.parent not in hidden:
            assert sum(c in hidden for c in r.children) != 1


def test_without_the_audit_a_nested_difference_can_leak():
    # area A = {a1, a2}; country = A's members + loose L; hidden a1, a2 (primary) and L (primary):
    # the simple rule is satisfied but country - area A isolates L. The audit catches it.
    areas = {"A": ["a1", "a2", "a3"]}
    counts = {"a1": 2, "a2": 3, "a3": 50, "L": 4, "M": 60}
    cells = _cells(areas, {k: counts[k] for k in ("a1", "a2", "a3")})
    cells[("municipality", "L")] = 4
    cells[("municipality", "M")] = 60
    cells[("country", "SSS")] = sum(counts.values())
    rels = [
        Relation(
            P,
            ("area", "A"),
            (("municipality", "a1"), ("municipality", "a2"), ("municipality", "a3")),
        ),
        Relation(P, ("country", "SSS"), tuple(("municipality", m) for m in counts)),
    ]
    assert _recoverable(suppress(_table(cells), hierarchy=rels), rels) == []


def test_dimension_rows_are_protected_against_their_total():
    rows = []
    for dv, v in (("", 60), ("100", 3), ("200", 57)):
        rows.append(
            {
                "indicator": "O14",
                "definition_version": 1,
                "group_type": "area",
                "group_code": "A",
                "period_start": P,
                "period_end": dt.date(2025, 1, 31),
                "dimension": "" if not dv else "provider",
                "dimension_value": dv,
                "numerator": v,
                "denominator": None,
                "value": v,
                "value_low": v,
                "value_high": v,
                "status": "",
            }
        )
    out = suppress(pa.Table.from_pylist(rows), hierarchy=[])
    hidden = {r["dimension_value"] for r in out.to_pylist() if r["status"] == "suppressed"}
    assert "100" in hidden and ("200" in hidden or "" in hidden)
