import datetime as dt
import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from luotsi.journey.models import ImmutableEventError, JourneyEvent
from luotsi.journey.services import JourneyOutsideTransaction, record_event
from luotsi.kernel.journey import PayloadError, UnknownEventKind

# Not transaction=True: the append-only triggers forbid the flush such tests end with. Each test
# runs inside a transaction, so "rolled back" is exercised with a savepoint (a nested atomic).
pytestmark = pytest.mark.django_db

PAYLOAD = {
    "worker_id": 7,
    "reason": "initial",
}


def write_one(customer):
    with transaction.atomic():
        return record_event(
            "responsibility.assigned",
            customer_id=customer,
            municipality_code="091",
            payload=PAYLOAD,
        )


def test_event_is_written_with_its_schema_version():
    customer = uuid.uuid4()
    event = write_one(customer)
    stored = JourneyEvent.objects.get(pk=event.pk)
    assert stored.kind == "responsibility.assigned"
    assert stored.schema_version == 1
    assert stored.payload["worker_id"] == 7
    assert stored.customer_id == customer


def test_event_in_rolled_back_transaction_is_gone():
    customer = uuid.uuid4()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        record_event("responsibility.assigned", customer_id=customer, payload=PAYLOAD)
        assert JourneyEvent.objects.filter(customer_id=customer).count() == 1
        raise Boom
    assert JourneyEvent.objects.filter(customer_id=customer).count() == 0


def test_event_outside_a_transaction_is_refused(monkeypatch):
    from luotsi.journey import services

    monkeypatch.setattr(services.transaction, "get_autocommit", lambda: True)
    with pytest.raises(JourneyOutsideTransaction):
        record_event("responsibility.assigned", payload=PAYLOAD)
    assert JourneyEvent.objects.count() == 0


def test_bad_payload_names_the_field_and_writes_nothing():
    with pytest.raises(PayloadError) as err, transaction.atomic():
        record_event(
            "customer.exited",
            payload={
                "enrolment_id": str(uuid.uuid4()),
                "ended_on": "2025-13-01",
                "exit_reason": "won_lottery",
            },
        )
    assert "ended_on" in err.value.errors and "exit_reason" in err.value.errors
    with pytest.raises(UnknownEventKind), transaction.atomic():
        record_event("customer.teleported", payload={})
    assert JourneyEvent.objects.count() == 0


def test_events_are_immutable_through_orm_and_sql():
    event = write_one(uuid.uuid4())
    event.kind = "customer.exited"
    with pytest.raises(ImmutableEventError):
        event.save()
    with pytest.raises(ImmutableEventError):
        event.delete()
    table = JourneyEvent._meta.db_table
    for sql in (f"UPDATE {table} SET kind = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert JourneyEvent.objects.get(pk=event.pk).kind == "responsibility.assigned"


def test_occurred_at_is_kept_separately_from_recorded_at():
    when = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    with transaction.atomic():
        e = record_event("responsibility.assigned", occurred_at=when, payload=PAYLOAD)
    e.refresh_from_db()
    assert e.occurred_at == when
    assert e.recorded_at > when
