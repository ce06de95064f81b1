"""The form that defines an evaluation."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import option_fields
from .choices import Estimator, MoveRule, PanelSource, PersonCovariate
from .models import Evaluation


class EvaluationForm(forms.ModelForm):
    estimators = forms.MultipleChoiceField(
        label=gettext_lazy("Estimators"),
        choices=Estimator.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Estimator.CS_DR],
        help_text=gettext_lazy("The first chosen estimator gives the main estimates."),
    )
    covariates = forms.MultipleChoiceField(
        label=gettext_lazy("Person covariates"),
        choices=PersonCovariate.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "Callaway-Sant'Anna only, person-month panels from the journey log: time-invariant "
            "characteristics at the registration that puts the person in the panel."
        ),
    )
    treated_text = forms.CharField(
        label=gettext_lazy("Explicit treated municipalities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "One per line: municipality code and start month, e.g. 491 2021-03."
        ),
    )

    class Meta:
        model = Evaluation
        fields = [
            "title",
            "question",
            "outcome",
            "outcome_scale",
            "unit_level",
            "panel_source",
            "panel_file",
            "period_start",
            "period_end",
            "move_rule",
            "covariates",
            "treatment_source",
            "pilot",
            "pilot_kind",
            "area",
            "comparison",
            "anticipation",
            "bootstrap_draws",
            "cluster_level",
            "seed",
            "synth_unit",
        ]
        widgets = {"question": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["panel_source"].required = False
        self.fields["move_rule"].required = False
        self.fields.update(option_fields.form_fields())  # after the estimators

    def clean_panel_source(self) -> str:
        return self.cleaned_data["panel_source"] or PanelSource.FILE

    def clean_move_rule(self) -> str:
        return self.cleaned_data["move_rule"] or MoveRule.REGISTRATION

    def clean_estimators(self) -> list[str]:
        order = list(Estimator.values)
        return sorted(self.cleaned_data["estimators"], key=order.index)

    def clean_treated_text(self) -> list[dict]:
        rows = []
        for n, line in enumerate(self.cleaned_data["treated_text"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            try:
                code, start = parts
                dt.date.fromisoformat(f"{start[:7]}-01")
            except ValueError as exc:
                raise forms.ValidationError(
                    _("Line %(n)s: write a municipality code and a month, e.g. 491 2021-03.")
                    % {"n": n}
                ) from exc
            rows.append({"unit": code, "start": start[:7]})
        return rows

    def fields_for_service(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["estimators"] = self.cleaned_data["estimators"]
        data["treated_units"] = self.cleaned_data["treated_text"]
        data["estimator_options"] = option_fields.from_form(
            self.cleaned_data, self.cleaned_data["estimators"]
        )
        return data
