"""Domain errors of the ecosystem: each says what is wrong in words a worker understands."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class EcosystemError(ValidationError):
    """An ecosystem rule was broken (invalid transition, missing consent...); nothing was written."""
