import datetime as dt
import uuid

import pytest

from luotsi.kernel import journey as j


def test_every_kind_is_documented_and_versioned():
    assert len(j.KINDS) >= 30
    for name, k in j.KINDS.items():
        assert name.count(".") == 1 and k.version >= 1 and k.summary


def test_validate_normalises_and_rejects_with_field_names():
    enrol = uuid.uuid4()
    clean = j.validate_payload(
        "customer.exited",
        {"enrolment_id": enrol, "ended_on": dt.date(2025, 3, 1), "exit_reason": "education"},
    )
    assert clean == {
        "enrolment_id": str(enrol),
        "ended_on": "2025-03-01",
        "exit_reason": "education",
    }
    with pytest.raises(j.PayloadError) as err:
        j.validate_payload(
            "customer.exited", {"ended_on": "yesterday", "exit_reason": "x", "extra": 1}
        )
    assert set(err.value.errors) >= {"enrolment_id", "ended_on", "exit_reason", "extra"}


def test_flatten_pseudonymises_every_identifier():
    key = b"k"
    customer, enrol = uuid.uuid4(), uuid.uuid4()
    payload = j.validate_payload(
        "customer.exited",
        {"enrolment_id": enrol, "ended_on": "2025-03-01", "exit_reason": "education"},
    )
    row = j.flatten(
        key=key,
        event_id=5,
        kind_name="customer.exited",
        schema_version=1,
        occurred_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        recorded_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        actor_id=3,
        customer_id=customer,
        organisation_id=1,
        municipality_code="091",
        payload=payload,
    )
    assert set(row) == set(j.FLAT_COLUMNS)
    assert row["person_id"] == j.pseudonym(key, f"customer:{customer}")
    assert row["actor_id"] == j.pseudonym(key, "user:3")
    assert row["enrolment_id"] == j.pseudonym(key, f"enrolment_id:{enrol}")
    assert str(customer) not in repr(row) and str(enrol) not in repr(row)
    assert row["ended_on"] == dt.date(2025, 3, 1)
    # a different key gives different pseudonyms: the key is what protects the link
    assert j.pseudonym(b"other", f"customer:{customer}") != row["person_id"]
    assert 0 < row["person_id"] < 2**63
