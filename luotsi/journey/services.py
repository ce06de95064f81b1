"""Writing the journey log: :func:`record_event` is the only way events are written.

Call it inside the transaction of the change it describes (services are ``@transaction.atomic``);
if that transaction rolls back, the event is gone too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from luotsi.kernel import journey as contract

from .models import JourneyEvent


class JourneyOutsideTransaction(RuntimeError):
    pass


def record_event(
    kind: str,
    *,
    actor=None,
    customer_id=None,
    organisation_id: int | None = None,
    municipality_code: str = "",
    occurred_at: dt.datetime | None = None,
    payload: Mapping[str, Any] | None = None,
) -> JourneyEvent:
    """Validate ``payload`` against the kind's contract and append one event.

    Raises :class:`luotsi.kernel.journey.PayloadError` (naming the bad fields) or
    :class:`~luotsi.kernel.journey.UnknownEventKind` before anything is written, and
    :class:`JourneyOutsideTransaction` if called outside a transaction (the event must commit or
    roll back with the change it describes).
    """
    if transaction.get_autocommit():
        raise JourneyOutsideTransaction(
            f"record_event({kind!r}) must run inside transaction.atomic() with the change it logs"
        )
    spec = contract.kind(kind)
    clean = contract.validate_payload(kind, payload or {})
    return JourneyEvent.objects.create(
        kind=kind,
        schema_version=spec.version,
        occurred_at=occurred_at or timezone.now(),
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        customer_id=customer_id,
        organisation_id=organisation_id,
        municipality_code=municipality_code or "",
        payload=clean,
    )
