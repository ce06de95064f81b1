"""Model and form choices built from the pure code lists in :mod:`luotsi.kernel.codes`."""

from __future__ import annotations

from enum import Enum

from django.utils.functional import lazy
from django.utils.translation import gettext

_lazy_gettext = lazy(gettext, str)


def choices(code_list: type[Enum]) -> list[tuple[str, str]]:
    """``[(value, translated label), ...]`` for a kernel code list; labels translate lazily."""
    return [(m.value, _lazy_gettext(m.label)) for m in code_list]


def label(code_list: type[Enum], value: str | None) -> str:
    """The translated label of ``value`` in ``code_list`` ('' for None, the value if unknown)."""
    if value is None:
        return ""
    try:
        return gettext(code_list(value).label)
    except ValueError:
        return value


def max_length(code_list: type[Enum]) -> int:
    return max(len(m.value) for m in code_list)
