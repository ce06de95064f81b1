"""Forms of the ecosystem pages (labels and help are translated; validation of the rules lives in
services, forms only parse input)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from luotsi.core.choices import choices
from luotsi.core.models import Organisation, Unit, User
from luotsi.kernel.codes import ReferralOutcome

from .choices import SHAREABLE_FIELDS, ConsentPurpose, ServiceLanguage, TargetGroup

_DATE = forms.DateInput(attrs={"type": "date"})


class OfferingSearchForm(forms.Form):
    q = forms.CharField(label=_("Search words"), required=False)
    municipality = forms.CharField(
        label=_("Municipality code"), required=False, max_length=3, help_text=_("e.g. 491")
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", "–"), *ServiceLanguage.choices]
    )
    target_group = forms.ChoiceField(
        label=_("Target group"), required=False, choices=[("", "–"), *TargetGroup.choices]
    )
    free_only = forms.BooleanField(label=_("Only services with free places"), required=False)


class ConsentForm(forms.Form):
    recipient = forms.ModelChoiceField(
        label=_("Recipient organisation"), queryset=Organisation.objects.filter(is_active=True)
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    shared_fields = forms.MultipleChoiceField(
        label=_("Data the customer agrees to share"),
        choices=list(SHAREABLE_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=_DATE)


class ReferralForm(forms.Form):
    offering = forms.ModelChoiceField(label=_("Service"), queryset=None)
    task = forms.ChoiceField(label=_("Plan task it serves"), required=False)
    message = forms.CharField(
        label=_("Message to the provider"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    send_now = forms.BooleanField(label=_("Send now"), required=False, initial=True)

    def __init__(self, *args, offerings, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = offerings
        self.fields["task"].choices = [("", "–"), *((str(t.pk), t.title) for t in tasks)]


class HandoverForm(forms.Form):
    to_worker = forms.ModelChoiceField(label=_("To worker"), queryset=None, required=False)
    to_unit = forms.ModelChoiceField(label=_("To team"), queryset=None, required=False)
    to_organisation = forms.ModelChoiceField(
        label=_("To organisation"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_worker"].queryset = User.objects.filter(
            organisation=organisation, is_active=True
        ).order_by("last_name", "first_name")
        self.fields["to_unit"].queryset = Unit.objects.filter(
            organisation=organisation, is_active=True
        )

    def clean(self):
        data = super().clean()
        chosen = [k for k in ("to_worker", "to_unit", "to_organisation") if data.get(k)]
        if len(chosen) != 1:
            raise forms.ValidationError(
                _("Choose exactly one: a worker, a team or an organisation.")
            )
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ProgressReportForm(forms.Form):
    reported_on = forms.DateField(label=_("Date"), widget=_DATE)
    text = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 4}))


class StartForm(forms.Form):
    started_on = forms.DateField(label=_("Started on"), widget=_DATE)


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=choices(ReferralOutcome))
    ended_on = forms.DateField(label=_("Ended on"), widget=_DATE)


class InterruptForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", "–"), *choices(ReferralOutcome)]
    )
    ended_on = forms.DateField(label=_("Ended on"), widget=_DATE)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}))
    disputes = forms.BooleanField(label=_("I dispute this report"), required=False)
