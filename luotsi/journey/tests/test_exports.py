import datetime as dt

import pytest

from luotsi.journey.exports import JourneySource, arrow_schema
from luotsi.kernel import journey as contract
from luotsi.reference.exports import group_rows, membership_rows, municipality_rows

pytestmark = pytest.mark.django_db


def test_journey_source_returns_pseudonymised_batches_after_a_mark(register, worker):
    c = register()
    source = JourneySource(b"k")
    batch = source.fetch(0)
    assert batch.schema == arrow_schema()
    assert batch.schema.names == list(contract.FLAT_COLUMNS)
    assert set(batch.column("kind").to_pylist()) == {
        "customer.registered",
        "responsibility.assigned",
    }
    assert set(batch.column("person_id").to_pylist()) == {
        contract.pseudonym(b"k", f"customer:{c.pk}")
    }
    assert str(c.pk) not in str(batch.to_pydict())
    last = max(batch.column("event_id").to_pylist())
    assert source.fetch(last).num_rows == 0
    assert source.fetch(last - 1).num_rows == 1


def test_reference_rows_follow_the_store_contract():
    mun = municipality_rows()
    assert len(mun) == 309 and {"code", "region_code", "valid_from", "valid_to"} <= set(mun[0])
    groups = group_rows()
    assert sum(g["group_type"] == "area" for g in groups) == 45
    rows = membership_rows()
    on = dt.date(2025, 1, 1)
    area_members = [
        r
        for r in rows
        if r["group_type"] == "area"
        and r["valid_from"] <= on
        and (r["valid_to"] is None or on <= r["valid_to"])
    ]
    assert len(area_members) == 292
