"""Who sees which indicator figures.

* Area staff (responsible workers, team leads, area management, administrators) see the figures
  of their own employment area, its member municipalities and its teams unsuppressed; every other
  group (other areas, pilots, regions, the country) is shown only after small-cell suppression,
  because those figures leave the area.
* Partner workers see suppressed figures only and no teams.
* Anonymous users (API only) see the public statistics (Statistics Finland, CC BY 4.0) and the
  indicator catalogue; everyone else is refused.
* Alert thresholds are managed by area management (and administrators) for their own area.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from luotsi.core.roles import AREA_STAFF, Role, has_role

DASHBOARD_ROLES = (
    Role.AREA_MANAGEMENT,
    Role.TEAM_LEAD,
    Role.ADMINISTRATOR,
    Role.RESPONSIBLE_WORKER,
    Role.PARTNER_WORKER,
)
ALERT_ROLES = (Role.AREA_MANAGEMENT, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class Scope:
    """What one user may see: ``own`` groups unsuppressed, everything else suppressed."""

    area_code: str = ""
    staff: bool = False  # area staff: own area, its municipalities and teams unsuppressed
    public_only: bool = False  # anonymous: public statistics only
    municipalities: frozenset[str] = field(default_factory=frozenset)
    team_ids: frozenset[str] = field(default_factory=frozenset)

    def is_inside(self, group_type: str, group_code: str) -> bool:
        if not self.staff:
            return False
        if group_type == "area":
            return group_code == self.area_code
        if group_type == "municipality":
            return group_code in self.municipalities
        if group_type == "team":
            return group_code in self.team_ids
        return False

    @property
    def sees_teams(self) -> bool:
        return self.staff and bool(self.team_ids)


def scope_for(user, *, municipalities=frozenset(), team_ids=frozenset()) -> Scope:
    """The scope of ``user``; raises ``PermissionDenied`` for users with no access at all."""
    if not getattr(user, "is_authenticated", False):
        return Scope(public_only=True)
    if not has_role(user, *DASHBOARD_ROLES):
        raise PermissionDenied(
            _("Indicators are for the staff of the employment area and partners.")
        )
    area = user.organisation.employment_area_code if user.organisation else ""
    staff = bool(area) and has_role(user, *AREA_STAFF)
    return Scope(
        area_code=area,
        staff=staff,
        municipalities=frozenset(municipalities) if staff else frozenset(),
        team_ids=frozenset(team_ids) if staff else frozenset(),
    )


def require_dashboard(user) -> None:
    if not has_role(user, *DASHBOARD_ROLES):
        raise PermissionDenied(
            _("Indicators are for the staff of the employment area and partners.")
        )


def can_manage_alerts(user) -> bool:
    return (
        has_role(user, *ALERT_ROLES)
        and user.organisation is not None
        and bool(user.organisation.employment_area_code)
    )


def require_manage_alerts(user) -> None:
    if not can_manage_alerts(user):
        raise PermissionDenied(_("Only the area management may set alert thresholds."))
