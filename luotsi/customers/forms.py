"""Forms of case work: they validate input; the services enforce the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from luotsi.core.choices import choices
from luotsi.kernel import codes

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegisterForm(forms.Form):
    personal_identity_code = forms.CharField(label=_("Personal identity code"), max_length=11)
    first_name = forms.CharField(label=_("First names"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    postal_code = forms.CharField(label=_("Postal code"), max_length=5, required=False)
    municipality_code = forms.CharField(
        label=_("Municipality code"),
        max_length=3,
        required=False,
        help_text=_("Leave empty to use the postal code."),
    )
    registered_on = forms.DateField(label=_("Start of job search"), widget=DATE)
    language_group = forms.ChoiceField(
        label=_("Mother tongue"), choices=choices(codes.LanguageGroup)
    )
    education_level = forms.ChoiceField(label=_("Education"), choices=choices(codes.EducationLevel))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    interpreter_needed = forms.BooleanField(label=_("Needs an interpreter"), required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or personal identity code"), max_length=100, required=False)


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=choices(codes.ContactChannel))
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class MeetingForm(forms.Form):
    meeting_type = forms.ChoiceField(label=_("Meeting type"), choices=choices(codes.MeetingType))
    channel = forms.ChoiceField(label=_("Channel"), choices=choices(codes.ContactChannel))
    scheduled_for = forms.DateTimeField(
        label=_("Time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class MeetingHeldForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ExitForm(forms.Form):
    ended_on = forms.DateField(label=_("End of job search"), widget=DATE)
    exit_reason = forms.ChoiceField(label=_("Exit reason"), choices=choices(codes.ExitReason))


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scale = [("", "–")] + [(str(i), str(i)) for i in range(1, 6)]
        for dim in codes.AssessmentDimension:
            self.fields[f"w_{dim.value}"] = forms.ChoiceField(
                label=dim.label, choices=scale, required=False
            )
            self.fields[f"c_{dim.value}"] = forms.ChoiceField(
                label=dim.label, choices=scale, required=False
            )

    def scores(self, prefix: str) -> dict[str, int]:
        return {
            d.value: int(v)
            for d in codes.AssessmentDimension
            if (v := self.cleaned_data.get(f"{prefix}_{d.value}"))
        }


class PlanForm(forms.Form):
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 3}))
    agreed = forms.BooleanField(label=_("Agreed with the customer"), required=False)
    agreed_on = forms.DateField(label=_("Agreed on"), widget=DATE, required=False)
    review_due_on = forms.DateField(label=_("Review due on"), widget=DATE, required=False)
    applications_required = forms.IntegerField(
        label=_("Applications required per month"), min_value=0, max_value=4, initial=4
    )
    new_task_kind = forms.ChoiceField(
        label=_("New task: kind"), choices=choices(codes.PlanTaskKind), required=False
    )
    new_task_title = forms.CharField(label=_("New task: title"), max_length=200, required=False)
    new_task_due_on = forms.DateField(label=_("New task: due on"), widget=DATE, required=False)


class RebalanceForm(forms.Form):
    customer = forms.UUIDField(widget=forms.HiddenInput)
    worker = forms.IntegerField(label=_("New responsible worker"))


class ReminderForm(forms.Form):
    due_on = forms.DateField(label=_("Remind on"), widget=DATE)
    text = forms.CharField(label=_("Reminder"), max_length=300)


class DetailsForm(forms.Form):
    first_name = forms.CharField(label=_("First names"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    street_address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=5, required=False)
    municipality_code = forms.CharField(label=_("Municipality code"), max_length=3)
    preferred_language = forms.ChoiceField(
        label=_("Language of service"),
        choices=[("fi", "suomi"), ("sv", "svenska"), ("en", "English")],
    )
    interpreter_needed = forms.BooleanField(label=_("Needs an interpreter"), required=False)
    interpreter_language = forms.CharField(
        label=_("Interpreter language"), max_length=50, required=False
    )


class JobSearchForm(forms.Form):
    period_start = forms.DateField(label=_("Period start"), widget=DATE)
    period_end = forms.DateField(label=_("Period end"), widget=DATE)
    applications = forms.IntegerField(label=_("Applications made"), min_value=0, max_value=99)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Labour-market status"), choices=choices(codes.LabourMarketStatus)
    )
    effective_on = forms.DateField(label=_("Effective from"), widget=DATE)


class CancelMeetingForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Cancellation reason"), choices=choices(codes.MeetingCancelReason)
    )
