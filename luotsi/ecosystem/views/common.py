"""Helpers shared by the ecosystem pages: role gates and turning rule errors into an error list."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from luotsi.core.roles import AREA_STAFF, has_role


def require_staff(request) -> None:
    if not has_role(request.user, *AREA_STAFF) or request.user.organisation is None:
        raise PermissionDenied(_("This page is for the staff of an employment area."))


def error_messages(exc: Exception) -> list[str]:
    """The messages of a rule error (shown in the page's error summary)."""
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc)]


def form_errors(form) -> list[str]:
    out = []
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        out.extend(f"{label}: {e}" if label else str(e) for e in errs)
    return out


RULE_ERRORS = (ValidationError, PermissionDenied)
