"""Shared helpers of the ecosystem services: journey events and locked state transitions."""

from __future__ import annotations

from django.utils.translation import gettext as _

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


def check_transition(
    transitions: dict, action: str, current: str, what: str, labels: dict[str, str]
) -> str:
    """The state ``action`` leads to from ``current``, or raise naming the allowed states."""
    allowed, target = transitions[action]
    if current not in allowed:
        raise EcosystemError(
            _("Cannot %(action)s a %(what)s that is %(state)s; allowed only when: %(allowed)s.")
            % {
                "action": action,
                "what": what,
                "state": labels.get(current, current),
                "allowed": ", ".join(sorted(labels.get(s, s) for s in allowed)),
            },
            code="invalid_transition",
        )
    return target


def required_text(value: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise EcosystemError(message, code="required")
    return text
