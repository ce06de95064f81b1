"""Who may see and run evaluations.

Evaluators design and run evaluations; area management and administrators may read them. Nobody
else (responsible workers, team leads, partners, customers) sees this app at all. Evaluations hold
aggregate, pseudonymised results only, so no per-customer check is needed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from luotsi.core.roles import Role, has_role

WRITER_ROLES = (Role.EVALUATOR,)
READER_ROLES = (Role.EVALUATOR, Role.AREA_MANAGEMENT, Role.ADMINISTRATOR)


def can_read(user) -> bool:
    return has_role(user, *READER_ROLES)


def can_write(user) -> bool:
    return has_role(user, *WRITER_ROLES)


def require_read(user) -> None:
    if not can_read(user):
        raise PermissionDenied(_("Evaluations are for evaluators and area management."))


def require_write(user) -> None:
    if not can_write(user):
        raise PermissionDenied(_("Only evaluators may define and run evaluations."))
