"""Domain errors of case work: each says what is wrong in words a worker understands."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class CaseWorkError(ValidationError):
    """A case-work rule was broken; nothing was written."""
