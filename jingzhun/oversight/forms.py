from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.core.forms import MultipleFileField, date_input
from jingzhun.oversight.choices import SamplingMethod, Severity
from jingzhun.oversight.models import Questionnaire

_TEXT = {"class": "form-control"}


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs=_TEXT))
    year = forms.IntegerField(
        label=_("Year"), min_value=2014, max_value=2100, widget=forms.NumberInput(attrs=_TEXT)
    )
    method = forms.ChoiceField(
        label=_("First stage"),
        choices=SamplingMethod.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    villages_wanted = forms.IntegerField(
        label=_("Villages (blank: as configured)"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs=_TEXT),
    )
    registered_per_village = forms.IntegerField(
        label=_("Registered households per village (blank: as configured)"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs=_TEXT),
    )
    unregistered_per_village = forms.IntegerField(
        label=_("Other households per village (blank: as configured)"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs=_TEXT),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = [
            "interviewed_on",
            "resident_members",
            "wage_income",
            "business_income",
            "property_income",
            "transfer_income",
            "production_costs",
            "food_and_clothing",
            "schooling",
            "medical",
            "housing",
            "water",
            "satisfied",
            "verdict",
            "note",
        ]
        widgets = {"interviewed_on": date_input(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
        self.fields["interviewed_on"].initial = timezone.localdate()


class InspectionForm(forms.Form):
    area = forms.ChoiceField(label=_("Area inspected"), widget=forms.Select(attrs={"class": "form-select"}))
    title = forms.CharField(label=_("Title"), max_length=100, widget=forms.TextInput(attrs=_TEXT))
    team = forms.CharField(label=_("Team members"), max_length=200, widget=forms.TextInput(attrs=_TEXT))
    starts_on = forms.DateField(label=_("From"), widget=date_input(), initial=timezone.localdate)
    ends_on = forms.DateField(label=_("Until"), widget=date_input(), initial=timezone.localdate)
    undercover = forms.BooleanField(
        label=_("Undercover (unannounced)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas  # type: ignore[attr-defined]


class InspectionVisitForm(forms.Form):
    village = forms.ChoiceField(label=_("Village"), widget=forms.Select(attrs={"class": "form-select"}))
    household_number = forms.CharField(
        label=_("Household number (when a household was visited)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs=_TEXT),
    )
    visited_on = forms.DateField(label=_("Visited on"), widget=date_input(), initial=timezone.localdate)
    notes = forms.CharField(
        label=_("What was seen"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3, **_TEXT})
    )

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = villages  # type: ignore[attr-defined]


class FindingForm(forms.Form):
    area = forms.ChoiceField(label=_("Responsible area"), widget=forms.Select(attrs={"class": "form-select"}))
    inspection = forms.ChoiceField(
        label=_("Found by the inspection"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    visit = forms.ChoiceField(
        label=_("Found on the visit"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    problem_type = forms.ChoiceField(
        label=_("Problem type"), widget=forms.Select(attrs={"class": "form-select"})
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.MEDIUM,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    household_number = forms.CharField(
        label=_("Household number (when it concerns a household)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs=_TEXT),
    )
    description = forms.CharField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 3, **_TEXT}))
    evidence = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2, **_TEXT})
    )
    photos = MultipleFileField(label=_("Photos of the problem"), required=False)
    delegate_sign_off = forms.BooleanField(
        label=_("The level above the responsible area signs the rectification off"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(
        self, *args: Any, areas: list[tuple[str, str]], problem_types: list[tuple[str, str]], **kwargs: Any
    ):
        inspections = kwargs.pop("inspections", [])
        visits = kwargs.pop("visits", [])
        super().__init__(*args, **kwargs)
        self.fields["visit"].choices = [("", "—"), *visits]  # type: ignore[attr-defined]
        self.fields["area"].choices = areas  # type: ignore[attr-defined]
        self.fields["problem_type"].choices = problem_types  # type: ignore[attr-defined]
        self.fields["inspection"].choices = [("", "—"), *inspections]  # type: ignore[attr-defined]


class RectificationForm(forms.Form):
    measures = forms.CharField(
        label=_("Rectification measures and their evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **_TEXT}),
    )
    photos = MultipleFileField(label=_("Photos of the rectification"), required=False)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2, **_TEXT})
    )
