"""Translated labels of the English codes the indicator engine uses (units, levels, periods).

The definitions (``luotsi/analytics/indicators/definitions.toml``) and the engine speak English
codes (``unit = "persons"``, ``level = "municipality"``); the pages and the console show these
labels instead. A test checks that every unit of the definitions has a label here.
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

UNIT_LABELS = {
    "percent": pgettext_lazy("indicator unit", "percent"),
    "persons": pgettext_lazy("indicator unit", "persons"),
    "spells": pgettext_lazy("indicator unit", "spells"),
    "working days": pgettext_lazy("indicator unit", "working days"),
    "score points": pgettext_lazy("indicator unit", "score points"),
    "customers per FTE": pgettext_lazy("indicator unit", "customers per FTE"),
    "ratio": pgettext_lazy("indicator unit", "ratio"),
    "referrals": pgettext_lazy("indicator unit", "referrals"),
    "vacancies": pgettext_lazy("indicator unit", "vacancies"),
}

LEVEL_LABELS = {
    "municipality": pgettext_lazy("indicator level", "municipality"),
    "area": pgettext_lazy("indicator level", "employment area"),
    "pilot": pgettext_lazy("indicator level", "pilot"),
    "region": pgettext_lazy("indicator level", "region"),
    "country": pgettext_lazy("indicator level", "whole country"),
    "team": pgettext_lazy("indicator level", "team"),
}

PERIOD_LABELS = {
    "month": pgettext_lazy("indicator period", "month"),
    "quarter": pgettext_lazy("indicator period", "quarter"),
    "year": pgettext_lazy("indicator period", "year"),
}


def unit_label(unit: str) -> str:
    """The translated unit; an unknown unit is shown as it is (never an error on a page)."""
    label = UNIT_LABELS.get(unit)
    return str(label) if label is not None else unit


def level_label(level: str) -> str:
    label = LEVEL_LABELS.get(level)
    return str(label) if label is not None else level


def period_type_label(period: str) -> str:
    label = PERIOD_LABELS.get(period)
    return str(label) if label is not None else period
