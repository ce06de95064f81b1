"""The ecosystem's work queues on the worker's caseload page (see ``luotsi.customers.queues``)."""

from __future__ import annotations

import datetime as dt

from luotsi.customers.selectors import QueueItem

from . import selectors


def handovers_waiting_for_me(user, today: dt.date) -> list[QueueItem]:
    return [
        QueueItem(
            h.customer, "handover", h.deadline_on, "overdue" if h.deadline_on < today else "due"
        )
        for h in selectors.handovers_inbox(user).select_related("customer")
    ]


def handovers_back_with_me(user, today: dt.date) -> list[QueueItem]:
    return [
        QueueItem(h.customer, "handover_returned", None, "")
        for h in selectors.handover_alerts(user)
    ]
