"""Code lists of the ecosystem app: target groups, consent purposes, shareable fields, and the
state machines of referrals and handovers (which transition is allowed from which state).

The referral and handover statuses themselves are shared code lists in :mod:`luotsi.kernel.codes`
(the generator and the analytics store use them too).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from luotsi.kernel.codes import HandoverStatus, ReferralStatus


class TargetGroup(models.TextChoices):
    ALL = "all", _("All job seekers")
    YOUTH = "youth", _("Young people under 30")
    LONG_TERM_UNEMPLOYED = "long_term", _("Long-term unemployed")
    IMMIGRANTS = "immigrants", _("Immigrants")
    PARTIAL_WORK_ABILITY = "partial_work_ability", _("People with partial work ability")
    OLDER = "older", _("Job seekers aged 55 or over")


class ServiceLanguage(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Other language")


class ConsentPurpose(models.TextChoices):
    SERVICE_REFERRAL = "service_referral", _("Referral to a service")
    HANDOVER = "handover", _("Handover of responsibility")


#: The whitelist of customer data a consent may share with a partner organisation, in display
#: order. A partner sees only the fields listed in the customer's active consent; nothing else
#: (never the personal identity code, address or case notes) can be shared.
SHAREABLE_FIELDS: dict[str, object] = {
    "name": _("Name"),
    "phone": _("Phone"),
    "email": _("Email"),
    "language": _("Language of service"),
    "municipality": _("Municipality"),
    "birth_year": _("Year of birth"),
    "plan_goal": _("Goal of the employment plan"),
    "assessment_summary": _("Summary of the latest life-situation assessment"),
}

#: Referral transitions: action -> (states it may start from, state it leads to).
REFERRAL_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "send": (frozenset({ReferralStatus.DRAFT}), ReferralStatus.SENT),
    "accept": (frozenset({ReferralStatus.SENT}), ReferralStatus.ACCEPTED),
    "reject": (frozenset({ReferralStatus.SENT}), ReferralStatus.REJECTED),
    "start": (frozenset({ReferralStatus.ACCEPTED}), ReferralStatus.STARTED),
    "complete": (frozenset({ReferralStatus.STARTED}), ReferralStatus.COMPLETED),
    "interrupt": (frozenset({ReferralStatus.STARTED}), ReferralStatus.INTERRUPTED),
    "revoke": (
        frozenset(
            {
                ReferralStatus.DRAFT,
                ReferralStatus.SENT,
                ReferralStatus.ACCEPTED,
                ReferralStatus.STARTED,
            }
        ),
        ReferralStatus.REVOKED,
    ),
}

#: Referral states in which the provider may see the customer (given an active consent).
ACTIVE_REFERRAL_STATES = frozenset(
    {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.STARTED}
)

#: Referral states that hold a place of the offering's capacity.
PLACE_HOLDING_STATES = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.STARTED})

#: States in which progress may be reported.
REPORTABLE_STATES = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.STARTED})

#: Plan-task status a linked task gets when its referral reaches a state (documented in
#: docs/ecosystem.md). States not listed leave the task as it is.
TASK_STATUS_FOR_REFERRAL = {
    ReferralStatus.STARTED: "in_progress",
    ReferralStatus.COMPLETED: "done",
    ReferralStatus.INTERRUPTED: "cancelled",
    ReferralStatus.REJECTED: "cancelled",
    ReferralStatus.REVOKED: "cancelled",
}

HANDOVER_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({HandoverStatus.REQUESTED}), HandoverStatus.ACCEPTED),
    "decline": (frozenset({HandoverStatus.REQUESTED}), HandoverStatus.DECLINED),
    "expire": (frozenset({HandoverStatus.REQUESTED}), HandoverStatus.EXPIRED),
    "cancel": (frozenset({HandoverStatus.REQUESTED}), HandoverStatus.CANCELLED),
}

#: Defaults of the settings that tune handovers and bouncing detection (override in settings).
DEFAULTS = {
    "LUOTSI_HANDOVER_DEADLINE_WORKING_DAYS": 5,
    "LUOTSI_BOUNCING_MAX_MOVES": 3,
    "LUOTSI_BOUNCING_WINDOW_DAYS": 90,
}


def setting(name: str) -> int:
    from django.conf import settings

    return int(getattr(settings, name, DEFAULTS[name]))
