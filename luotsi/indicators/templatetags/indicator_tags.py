"""Formatting of indicator values in templates (localised numbers, suppression, bounds)."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..labels import unit_label

register = template.Library()

COUNT_UNITS = {"persons", "spells", "referrals", "vacancies"}


def _num(value, unit: str = "") -> str:
    decimals = 0 if unit in COUNT_UNITS and float(value).is_integer() else 1
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.simple_tag
def indicator_value(row, unit: str = ""):
    """``row`` has value, status (and value_low/value_high); shows suppression and bounds."""
    if not row:
        return "–"
    status = row.get("status") or ""
    if status == "suppressed":
        return format_html('<span class="badge">{}</span>', _("suppressed"))
    value = row.get("value")
    if value is None:
        return format_html(
            '<span aria-hidden="true">–</span><span class="visually-hidden">{}</span>',
            _("no value"),
        )
    if status == "lower_bound" and row.get("value_high") not in (None, value):
        return format_html("{}–{}", _num(value, unit), _num(row["value_high"], unit))
    return _num(value, unit)


@register.filter
def unit(code: str) -> str:
    """``{{ definition.unit|unit }}``: the unit in the language of the page."""
    return unit_label(code or "")


@register.filter
def lookup(mapping, key):
    """``{{ names|lookup:code }}``: the display name of a code, else the code itself."""
    return (mapping or {}).get(key, key)


@register.simple_tag
def change_value(value, unit: str = ""):
    """A change from the previous period with its sign (``+1,5``, ``−2``, ``0``); the change of a
    percentage is in percentage points, which is said."""
    if value is None:
        return "–"
    text = _num(abs(value), unit)
    if value > 0:
        text = "+" + text
    elif value < 0:
        text = "\u2212" + text
    if unit == "percent":
        text += "\u00a0" + pgettext("change of a percentage", "percentage points")
    return text


@register.simple_tag
def count_value(value):
    if value is None:
        return "–"
    return _num(value, "persons")
