"""Forms of the indicator pages: the filters (GET) and an alert threshold (POST)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luotsi.analytics.indicators import definitions

from .choices import AlertLevel, Direction, PeriodType
from .selectors import language


def indicator_choices(source: str | None = None, codes=None) -> list[tuple[str, str]]:
    lang = language()
    seen: dict[str, str] = {}
    for d in definitions():
        if (source and d.source != source) or (codes is not None and d.code not in codes):
            continue
        seen[d.code] = f"{d.code} – {d.name(lang)}"
    return list(seen.items())


# shown by browsers without a month picker; the value itself is always YYYY-MM
MONTH_PLACEHOLDER = pgettext_lazy("month format", "YYYY-MM")


class FilterForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    period = forms.ChoiceField(
        label=_("Period type"), choices=PeriodType.choices, required=False, initial="month"
    )
    start = forms.CharField(
        label=_("From (month)"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": MONTH_PLACEHOLDER}),
    )
    end = forms.CharField(
        label=_("To (month)"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": MONTH_PLACEHOLDER}),
    )
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)

    def __init__(
        self, data=None, *, indicators, municipalities=None, default_indicator="", date_range=True
    ):
        data = data.copy() if data is not None else {}
        if not data.get("indicator"):
            data["indicator"] = default_indicator
        super().__init__(data)
        self.fields["indicator"].choices = indicators
        if municipalities:
            self.fields["municipality"].choices = [("", _("Whole area")), *municipalities]
        else:
            del self.fields["municipality"]
        if not date_range:  # a comparison shows one period, chosen with "Period shown"
            del self.fields["start"], self.fields["end"]

    def value(self, name: str, default: str = "") -> str:
        if self.is_valid():
            return self.cleaned_data.get(name) or default
        return default


class ThresholdForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"))
    level = forms.ChoiceField(label=_("Level"), choices=AlertLevel.choices)
    group_code = forms.ChoiceField(label=_("Area or municipality"))
    period_type = forms.ChoiceField(
        label=_("Period type"), choices=PeriodType.choices, initial="month"
    )
    direction = forms.ChoiceField(label=_("Alert when the value is"), choices=Direction.choices)
    value = forms.FloatField(label=_("Threshold"))

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicator_choices()
        self.fields["group_code"].choices = groups
