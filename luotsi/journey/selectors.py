"""Reads of the journey log: per customer for the case file, in batches for the analytics store."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from luotsi.kernel import journey as contract

from .models import JourneyEvent


def events_of_customer(customer_id) -> QuerySet[JourneyEvent]:
    return JourneyEvent.objects.filter(customer_id=customer_id).order_by("occurred_at", "id")


def flat_rows_after(after_id: int, *, key: bytes, limit: int = 50_000) -> Iterator[dict]:
    """Pseudonymised flat rows (``contract.FLAT_COLUMNS``) of events with id > ``after_id``."""
    qs = JourneyEvent.objects.filter(id__gt=after_id).order_by("id")[:limit]
    for e in qs.iterator(chunk_size=5000):
        yield contract.flatten(
            key=key,
            event_id=e.id,
            kind_name=e.kind,
            schema_version=e.schema_version,
            occurred_at=e.occurred_at,
            recorded_at=e.recorded_at,
            actor_id=e.actor_id,
            customer_id=e.customer_id,
            organisation_id=e.organisation_id,
            municipality_code=e.municipality_code or None,
            payload=e.payload,
        )
