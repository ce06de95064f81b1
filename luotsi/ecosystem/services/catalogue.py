"""Administrative writes: alliances, their members and the service catalogue (audited).

These are not about one customer, so they go to the audit trail rather than the journey log.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from luotsi.core.roles import Role, has_role
from luotsi.core.services import audit

from ..errors import EcosystemError
from ..models import Alliance, AllianceMember, ServiceOffering


def _require_admin(actor) -> None:
    if actor is not None and not has_role(actor, Role.ADMINISTRATOR, Role.AREA_MANAGEMENT):
        raise EcosystemError(
            _("Only administrators and area management maintain alliances and the catalogue."),
            code="forbidden",
        )


@transaction.atomic
def create_alliance(*, actor, members: list[dict[str, Any]] = (), **fields: Any) -> Alliance:
    """Create an alliance; ``members`` = [{"organisation": org, "budget_eur": ..., ...}]."""
    _require_admin(actor)
    alliance = Alliance(**fields)
    alliance.full_clean()
    alliance.save()
    for spec in members:
        member = AllianceMember(alliance=alliance, **spec)
        member.full_clean()
        member.save()
    audit(actor=actor, action="create", obj=alliance, summary=alliance.name)
    return alliance


@transaction.atomic
def save_offering(
    *, actor, offering: ServiceOffering | None = None, municipalities=None, **fields: Any
) -> ServiceOffering:
    """Create or update a service offering (validated, audited)."""
    _require_admin(actor)
    offering = offering or ServiceOffering()
    for name, value in fields.items():
        setattr(offering, name, value)
    offering.full_clean(exclude=["municipalities"])
    action = "update" if offering.pk else "create"
    offering.save()
    if municipalities is not None:
        offering.municipalities.set(municipalities)
    audit(
        actor=actor,
        action=action,
        obj=offering,
        summary=offering.name,
        changes={k: str(v) for k, v in fields.items()},
    )
    return offering
