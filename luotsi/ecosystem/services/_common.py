"""Shared helpers of the ecosystem services: journey events, locked state transitions and the
moment a step happened (``at=``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luotsi.journey.services import record_event

from ..errors import EcosystemError


def event(
    kind: str,
    *,
    actor,
    customer,
    organisation_id: int | None = None,
    occurred_at: dt.datetime | None = None,
    **payload,
) -> None:
    """Write one journey event about ``customer`` (inside the caller's transaction), dated
    ``occurred_at`` (default now; the event's ``recorded_at`` is always now)."""
    if organisation_id is None:
        organisation_id = getattr(actor, "organisation_id", None)
    record_event(
        kind,
        actor=actor,
        customer_id=customer.pk,
        organisation_id=organisation_id,
        municipality_code=customer.municipality.code,
        occurred_at=occurred_at,
        payload=payload,
    )


def _shown(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def step_time(at: dt.datetime | None) -> dt.datetime:
    """The moment a step happened: ``at`` if given (a step entered afterwards), else now.

    ``at`` must be a timezone-aware datetime (``ValueError`` otherwise: a programming error) and
    not in the future (:class:`EcosystemError`, code ``at_in_future``). Only the step's own
    timestamps and its journey event's ``occurred_at`` take it; when the row was written
    (``created_at``, the event's ``recorded_at``, the audit entry) is always the real now.
    """
    now = timezone.now()
    if at is None:
        return now
    if not isinstance(at, dt.datetime) or timezone.is_naive(at):
        raise ValueError(f"at must be a timezone-aware datetime, not {at!r}")
    if at > now:
        raise EcosystemError(
            _("at=%(at)s is in the future (now it is %(now)s); a step cannot be dated after now.")
            % {"at": _shown(at), "now": _shown(now)},
            code="at_in_future",
        )
    return at


def require_not_before(at: dt.datetime, previous: dt.datetime | None, previous_step: str) -> None:
    """Refuse a step dated before the step it follows (``previous_step`` names that one, e.g.
    ``sent_at`` or ``referral.sent``); code ``at_out_of_order``."""
    if previous is not None and at < previous:
        raise EcosystemError(
            _(
                "at=%(at)s is before %(previous_step)s=%(previous)s; a step cannot be dated before the step it follows."
            )
            % {"at": _shown(at), "previous_step": previous_step, "previous": _shown(previous)},
            code="at_out_of_order",
        )


#: The actions of the state machines as words a user reads (translated at the moment of the error).
ACTION_LABELS = {
    "send": gettext_lazy("send"),
    "accept": gettext_lazy("accept"),
    "reject": gettext_lazy("reject"),
    "start": gettext_lazy("start"),
    "complete": gettext_lazy("complete"),
    "interrupt": gettext_lazy("interrupt"),
    "revoke": gettext_lazy("revoke"),
    "decline": gettext_lazy("decline"),
    "expire": gettext_lazy("expire"),
    "cancel": gettext_lazy("cancel"),
}


def check_transition(
    transitions: dict, action: str, current: str, what: str, labels: dict[str, str]
) -> str:
    """The state ``action`` leads to from ``current``, or raise naming the allowed states.

    ``labels`` hold the English state labels of the kernel code lists; they are translated here.
    """
    allowed, target = transitions[action]
    if current not in allowed:
        raise EcosystemError(
            _(
                "The %(what)s is %(state)s, so you cannot %(action)s it; that is possible only when it is: %(allowed)s."
            )
            % {
                "action": ACTION_LABELS.get(action, action),
                "what": what,
                "state": _(labels.get(current, current)),
                "allowed": ", ".join(sorted(_(labels.get(s, s)) for s in allowed)),
            },
            code="invalid_transition",
        )
    return target


def required_text(value: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise EcosystemError(message, code="required")
    return text
