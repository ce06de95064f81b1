"""Who may do what in the ecosystem.

* Area staff (responsible workers, team leads, area management, administrators) of the customer's
  employment area draft, send and revoke referrals, record consents and request handovers.
* Workers of the provider organisation (partner workers, or area staff when the area provides
  the service itself) act on referrals sent to their organisation.
* The receiver of a handover is its worker, or any staff member of its team or organisation.
* A customer acts only on their own plan and referrals, through their CustomerAccount.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from luotsi.core.roles import AREA_STAFF, Role, has_role

PROVIDER_ROLES = (Role.PARTNER_WORKER, *sorted(AREA_STAFF))


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_area_staff(user, area_code: str) -> bool:
    return bool(
        _signed_in(user)
        and has_role(user, *AREA_STAFF)
        and user.organisation is not None
        and user.organisation.employment_area_code == area_code
    )


def require_area_staff(user, area_code: str) -> None:
    if not is_area_staff(user, area_code):
        raise PermissionDenied(_("Only staff of the customer's employment area may do this."))


def is_provider_worker(user, organisation_id: int) -> bool:
    return bool(
        _signed_in(user)
        and user.organisation_id == organisation_id
        and has_role(user, *PROVIDER_ROLES)
    )


def require_provider_worker(user, organisation_id: int) -> None:
    if not is_provider_worker(user, organisation_id):
        raise PermissionDenied(_("Only workers of the provider organisation may do this."))


def customer_of(user):
    """The customer a signed-in customer user is (via CustomerAccount), else None."""
    if not _signed_in(user):
        return None
    account = getattr(user, "customer_account", None)
    return account.customer if account is not None else None


def require_customer_self(user, customer) -> None:
    own = customer_of(user)
    if own is None or own.pk != customer.pk:
        raise PermissionDenied(_("You may act only on your own information."))


def may_receive_handover(user, handover) -> bool:
    if not _signed_in(user) or user.organisation_id != handover.to_organisation_id:
        return False
    if not has_role(user, *PROVIDER_ROLES):
        return False
    if handover.to_worker_id is not None:
        return handover.to_worker_id == user.pk
    if handover.to_unit_id is not None:
        return user.unit_id == handover.to_unit_id
    return True


def may_cancel_handover(user, handover, area_code: str) -> bool:
    if not _signed_in(user):
        return False
    if user.pk in (handover.requested_by_id, handover.from_worker_id):
        return True
    return is_area_staff(user, area_code) and has_role(user, Role.TEAM_LEAD, Role.AREA_MANAGEMENT)
