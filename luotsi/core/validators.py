"""Validators of Finnish identifiers, with messages that say what is wrong."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import (
    ValidationError as StdnumError,
)
from stdnum.fi import ytunnus


def normalise_business_id(value: str) -> str:
    """Return the business ID (Y-tunnus) in the form 1234567-8 or raise ValidationError."""
    try:
        return ytunnus.format(ytunnus.validate(value))
    except InvalidChecksum as exc:
        raise ValidationError(
            _("Business ID %(value)s has a wrong check digit."),
            code="checksum",
            params={"value": value},
        ) from exc
    except (InvalidFormat, InvalidLength) as exc:
        raise ValidationError(
            _("Business ID %(value)s is not of the form 1234567-8."),
            code="format",
            params={"value": value},
        ) from exc
    except StdnumError as exc:  # pragma: no cover - other stdnum failures
        raise ValidationError(
            _("Business ID %(value)s is not valid."), code="invalid", params={"value": value}
        ) from exc


def validate_business_id(value: str) -> None:
    normalise_business_id(value)
