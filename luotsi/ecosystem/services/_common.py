"""Shared helpers of the ecosystem services: journey events and locked state transitions."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luotsi.journey.services import record_event

from ..errors import EcosystemError


def event(kind: str, *, actor, customer, organisation_id: int | None = None, **payload) -> None:
    """Write one journey event about ``customer`` (inside the caller's transaction)."""
    if organisation_id is None:
        organisation_id = getattr(actor, "organisation_id", None)
    record_event(
        kind,
        actor=actor,
        customer_id=customer.pk,
        organisation_id=organisation_id,
        municipality_code=customer.municipality.code,
        payload=payload,
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
