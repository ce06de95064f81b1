"""Consents: purpose-bound, versioned, revocable permission to share listed data."""

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
from ._common import event


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
) -> Consent:
    """Record the customer's consent (by their worker or by the customer themself).

    A consent for the same customer, recipient and purpose already in force is superseded by
    this new version (version + 1); the old row is kept.
    """
    _require_staff_or_self(actor, customer)
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
    list(same.select_for_update())  # serialise concurrent versions of the same consent
    now = timezone.now()
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
        consent_id=consent.pk,
        recipient_id=recipient.pk,
        purpose=purpose,
        consent_version=version,
        shared_fields=fields,
        valid_until=valid_until,
    )
    return consent


@transaction.atomic
def revoke_consent(*, actor, consent: Consent) -> Consent:
    """Revoke a consent: the recipient's access ends at once; the record is kept."""
    consent = (
        Consent.objects.select_for_update()
        .select_related("customer__municipality")
        .get(pk=consent.pk)
    )
    _require_staff_or_self(actor, consent.customer)
    if consent.revoked_at is not None:
        raise EcosystemError(_("This consent has already been revoked."))
    if consent.superseded_at is not None:
        raise EcosystemError(_("This consent version has been replaced by a newer one."))
    consent.revoked_at = timezone.now()
    consent.revoked_by = actor
    consent.save(update_fields=["revoked_at", "revoked_by"])
    event(
        "consent.revoked",
        actor=actor,
        customer=consent.customer,
        consent_id=consent.pk,
        recipient_id=consent.recipient_id,
    )
    return consent
