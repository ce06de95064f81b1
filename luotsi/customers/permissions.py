"""Who may see and change case work: area staff of the customer's employment area."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from luotsi.core.roles import AREA_STAFF, Role, has_role


def is_area_staff(user, area_code: str) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and has_role(user, *AREA_STAFF)
        and user.organisation is not None
        and user.organisation.employment_area_code == area_code
    )


def require_area_staff(user, area_code: str) -> None:
    if not is_area_staff(user, area_code):
        raise PermissionDenied(_("Only staff of the customer's employment area may do this."))


def can_lead_team(user) -> bool:
    return has_role(user, Role.TEAM_LEAD, Role.AREA_MANAGEMENT)
