"""Extra work queues that other apps add to the caseload page.

Case work does not depend on the apps built on top of it; they register their queues here (the
ecosystem adds "handovers waiting for me" and "handovers back with me"). A provider takes the user
and today's date and returns :class:`~luotsi.customers.selectors.QueueItem` rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from .selectors import QueueItem

Provider = Callable[[object, dt.date], list[QueueItem]]


@dataclass(frozen=True)
class ExtraQueue:
    key: str
    title: object  # a lazy translation
    provider: Provider
    order: int = 100


_QUEUES: dict[str, ExtraQueue] = {}


def register(queue: ExtraQueue) -> None:
    _QUEUES[queue.key] = queue


def extra_queues(user, today: dt.date) -> list[tuple[ExtraQueue, list[QueueItem]]]:
    return [
        (q, q.provider(user, today))
        for q in sorted(_QUEUES.values(), key=lambda q: (q.order, q.key))
    ]
