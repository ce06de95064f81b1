"""Helpers shared by the case-work views: scoped lookups, read logging, error reporting."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404

from luotsi.core.services import log_personal_data_read

from .. import selectors
from ..models import Customer


def get_customer(request, pk, *, purpose: str, fields=("name", "identity", "contact")) -> Customer:
    """The customer if the user may see them (404 otherwise, so existence is not revealed); the
    read is logged."""
    customer = get_object_or_404(selectors.customers_for(request.user), pk=pk)
    log_personal_data_read(
        actor=request.user, customer_id=customer.pk, purpose=purpose, fields=fields
    )
    return customer


def report(request, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for m in exc.messages:
            messages.error(request, m)
    elif isinstance(exc, PermissionDenied):
        messages.error(request, str(exc))
    else:  # pragma: no cover
        raise exc
