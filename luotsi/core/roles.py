"""The roles of Luotsi, kept as Django groups (one group per role).

A user may hold several roles. Permission checks ask for roles through :func:`has_role`, never for
group names directly, so that the names can be translated on screen without touching the checks.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    RESPONSIBLE_WORKER = "responsible_worker"
    TEAM_LEAD = "team_lead"
    AREA_MANAGEMENT = "area_management"
    PARTNER_WORKER = "partner_worker"
    EVALUATOR = "evaluator"
    ADMINISTRATOR = "administrator"
    CUSTOMER = "customer"  # a job seeker using self-service (ecosystem.CustomerAccount)

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.RESPONSIBLE_WORKER: _("Responsible worker"),
    Role.TEAM_LEAD: _("Team lead"),
    Role.AREA_MANAGEMENT: _("Area management"),
    Role.PARTNER_WORKER: _("Partner worker"),
    Role.EVALUATOR: _("Evaluator"),
    Role.ADMINISTRATOR: _("Administrator"),
    Role.CUSTOMER: _("Customer"),
}

#: Roles that work inside the employment area's own organisation (not partners).
AREA_STAFF = frozenset(
    {Role.RESPONSIBLE_WORKER, Role.TEAM_LEAD, Role.AREA_MANAGEMENT, Role.ADMINISTRATOR}
)


def ensure_role_groups() -> None:
    """Create the role groups if missing (idempotent; also run by a data migration)."""
    from django.contrib.auth.models import Group

    for role in Role:
        Group.objects.get_or_create(name=role.value)


def roles_of(user) -> frozenset[Role]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_luotsi_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(r for r in Role if r.value in names)
        user._luotsi_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    """True if the user holds any of ``roles`` (superusers count as administrators)."""
    if getattr(user, "is_superuser", False) and Role.ADMINISTRATOR in roles:
        return True
    return bool(roles_of(user) & set(roles))
