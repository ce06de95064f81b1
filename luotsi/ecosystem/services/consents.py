"""Consents: purpose-bound, versioned, revocable permission to share listed data.

Both services take ``at=`` (aware datetime, default now): when the customer gave or revoked the
consent, for a consent recorded afterwards. It dates ``given_at`` (and the ``superseded_at`` of
the version it replaces) or ``revoked_at``, and the journey event's ``occurred_at``; the event's
``recorded_at`` stays the real now. ``at`` may not be in the future, nor before the previous step:
the latest giving or revocation of a version of the same consent (giving), the giving of the
version revoked (revoking).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import SHAREABLE_FIELDS, ConsentPurpose
from ..errors import EcosystemError
from ..models import Consent
from ..permissions import customer_of, require_area_staff
from ._common import event, require_not_before, step_time


def _require_staff_or_self(actor, customer) -> None:
    own = customer_of(actor)
    if own is not None and own.pk == customer.pk:
        return
    require_area_staff(actor, customer.area_code)


@transaction.atomic
def give_consent(
    *,
    actor,
    customer,
    recipient,
    purpose: str,
    shared_fields: Iterable[str],
    valid_until: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Consent:
    """Record the customer's consent (by their worker or by the customer themself), given ``at``.

    A consent for the same customer, recipient and purpose already in force is superseded by
    this new version (version + 1); the old row is kept.
    """
    _require_staff_or_self(actor, customer)
    now = step_time(at)
    if purpose not in ConsentPurpose.values:
        raise EcosystemError(_("Unknown consent purpose %(p)s.") % {"p": purpose})
    fields = sorted(set(shared_fields))
    unknown = [f for f in fields if f not in SHAREABLE_FIELDS]
    if unknown:
        raise EcosystemError(
            _("These data cannot be shared: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    if not fields:
        raise EcosystemError(_("Choose at least one item of data to share."))
    if valid_until is not None and valid_until < timezone.localdate():
        raise EcosystemError(_("The consent cannot end in the past."))
    if recipient is None or not recipient.is_active:
        raise EcosystemError(_("Choose an active recipient organisation."))
    same = Consent.objects.filter(customer=customer, recipient=recipient, purpose=purpose)
    versions = list(same.select_for_update())  # serialise concurrent versions of one consent
    steps = [(c.given_at, f"v{c.version}.given_at") for c in versions]
    steps += [(c.revoked_at, f"v{c.version}.revoked_at") for c in versions if c.revoked_at]
    if steps:
        require_not_before(now, *max(steps))
    same.filter(superseded_at__isnull=True, revoked_at__isnull=True).update(superseded_at=now)
    version = (same.aggregate(v=Max("version"))["v"] or 0) + 1
    consent = Consent.objects.create(
        customer=customer,
        recipient=recipient,
        purpose=purpose,
        version=version,
        shared_fields=fields,
        given_at=now,
        valid_until=valid_until,
        recorded_by=actor,
    )
    event(
        "consent.given",
        actor=actor,
        customer=customer,
        occurred_at=now,
        consent_id=consent.pk,
        recipient_id=recipient.pk,
        purpose=purpose,
        consent_version=version,
        shared_fields=fields,
        valid_until=valid_until,
    )
    return consent


@transaction.atomic
def revoke_consent(*, actor, consent: Consent, at: dt.datetime | None = None) -> Consent:
    """Revoke a consent: the recipient's access ends at once (``revoked_at`` is ``at``, default
    now); the record is kept."""
    consent = (
        Consent.objects.select_for_update()
        .select_related("customer__municipality")
        .get(pk=consent.pk)
    )
    _require_staff_or_self(actor, consent.customer)
    at = step_time(at)
    if consent.revoked_at is not None:
        raise EcosystemError(_("This consent has already been revoked."))
    if consent.superseded_at is not None:
        raise EcosystemError(_("This consent version has been replaced by a newer one."))
    require_not_before(at, consent.given_at, "given_at")
    consent.revoked_at = at
    consent.revoked_by = actor
    consent.save(update_fields=["revoked_at", "revoked_by"])
    event(
        "consent.revoked",
        actor=actor,
        customer=consent.customer,
        occurred_at=at,
        consent_id=consent.pk,
        recipient_id=consent.recipient_id,
    )
    return consent
