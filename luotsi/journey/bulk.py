"""Bulk insert of flat journey events (e.g. from the synthetic generator) into the journey log.

The generator (``luotsi.synthetic``) streams pyarrow record batches in the flat form
(``luotsi.kernel.journey.FLAT_COLUMNS``). :func:`insert_flat_batches` turns each batch back into
typed events and writes it with ``bulk_create`` in its own transaction before asking for the next
batch, so memory stays bounded by one batch whatever the size of the run.

Flat identifiers are integers; in the operational log they become UUIDs (``customer_id`` and every
``ref`` field: ``UUID(int=value)``) so that the same person always maps to the same customer id.
Synthetic actors are not users of this installation: ``actor`` is left empty (the worker ids stay
in the payload fields of type ``worker``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.db import transaction

from luotsi.kernel import journey

from .models import JourneyEvent


def event_from_flat(row: Mapping[str, Any]) -> JourneyEvent:
    """One flat row as an unsaved :class:`JourneyEvent` (payload validated and normalised)."""
    k = journey.kind(row["kind"])
    payload: dict[str, Any] = {}
    for f in k.fields:
        v = row.get(f.name)
        if v is None:
            continue
        if f.type == "ref":
            v = uuid.UUID(int=int(v))
        elif f.type == "json" and isinstance(v, str):
            v = json.loads(v)
        payload[f.name] = v
    person = row.get("person_id")
    return JourneyEvent(
        kind=k.name,
        schema_version=int(row.get("schema_version") or k.version),
        occurred_at=row["occurred_at"],
        customer_id=None if person is None else uuid.UUID(int=int(person)),
        organisation_id=row.get("organisation_id"),
        municipality_code=row.get("municipality_code") or "",
        payload=journey.validate_payload(k.name, payload),
    )


def _rows(batch) -> Iterator[dict[str, Any]]:
    yield from batch.to_pylist()


def insert_flat_batches(
    batches: Iterable,
    *,
    chunk_size: int = 5_000,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Insert every event of ``batches`` (pyarrow ``RecordBatch``es in the flat form).

    Each batch is written in one transaction (all its events or none) before the next batch is
    read; ``on_batch(rows)`` is called after each. Returns the number of events written. A row
    that does not fit its kind raises ``PayloadError`` and its batch writes nothing.
    """
    total = 0
    for batch in batches:
        events = [event_from_flat(r) for r in _rows(batch)]
        with transaction.atomic():
            JourneyEvent.objects.bulk_create(events, batch_size=chunk_size)
        total += len(events)
        if on_batch is not None:
            on_batch(len(events))
        del events
    return total
