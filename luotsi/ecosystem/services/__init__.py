"""Writes of the ecosystem. Keyword-only, ``actor`` first, atomic; every change of a customer's
consents, referrals and handovers writes a journey event in the same transaction.

Every rule is checked before anything is written; a broken rule raises
:class:`luotsi.ecosystem.errors.EcosystemError` (or ``PermissionDenied``) and writes nothing.
"""

from .catalogue import create_alliance, save_offering
from .consents import give_consent, revoke_consent
from .handovers import (
    accept_handover,
    acknowledge_handover,
    cancel_handover,
    decline_handover,
    expire_overdue_handovers,
    request_handover,
)
from .referrals import (
    accept_referral,
    complete_referral,
    draft_referral,
    interrupt_referral,
    refer,
    reject_referral,
    report_progress,
    revoke_referral,
    send_referral,
    start_referral,
)
from .selfservice import comment_on_report, mark_own_task_done, open_customer_account

__all__ = [
    "accept_handover",
    "accept_referral",
    "acknowledge_handover",
    "cancel_handover",
    "comment_on_report",
    "complete_referral",
    "create_alliance",
    "decline_handover",
    "draft_referral",
    "expire_overdue_handovers",
    "give_consent",
    "interrupt_referral",
    "mark_own_task_done",
    "open_customer_account",
    "refer",
    "reject_referral",
    "report_progress",
    "request_handover",
    "revoke_consent",
    "revoke_referral",
    "save_offering",
    "send_referral",
    "start_referral",
]
