"""Writes of case work. Keyword-only, ``actor`` first, atomic; every change writes a journey event.

Rules enforced here (each raises :class:`CaseWorkError` before anything is written):
one open job-search period per customer; exactly one current responsible party while a period is
open; assessments use the 1-5 scale; plans are versioned; meetings move scheduled -> held |
cancelled; only area staff of the customer's area may act (see ``permissions``).
"""

from .contacts import (
    add_reminder,
    cancel_meeting,
    record_contact,
    record_meeting_held,
    report_job_search,
    save_filter,
    schedule_meeting,
)
from .periods import (
    EDITABLE_DETAILS,
    assign_responsible_worker,
    change_status,
    exit_enrolment,
    find_duplicates,
    register_customer,
    reregister,
    transfer_responsibility,
    update_details,
)
from .planning import record_assessment, save_plan, set_task_status

__all__ = [
    "EDITABLE_DETAILS",
    "add_reminder",
    "assign_responsible_worker",
    "cancel_meeting",
    "change_status",
    "exit_enrolment",
    "find_duplicates",
    "record_assessment",
    "record_contact",
    "record_meeting_held",
    "register_customer",
    "report_job_search",
    "reregister",
    "save_filter",
    "save_plan",
    "schedule_meeting",
    "set_task_status",
    "transfer_responsibility",
    "update_details",
]
