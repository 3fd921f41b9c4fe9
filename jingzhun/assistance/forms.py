from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhun.accounts.models import User
from jingzhun.areas.selectors import village_choices
from jingzhun.assistance.models import Measure
from jingzhun.assistance.selectors import assistance_cadres
from jingzhun.codelists.forms import CodedModelForm
from jingzhun.core.forms import MultipleFileField, date_input


class MeasureForm(CodedModelForm):
    class Meta:
        model = Measure
        fields = ["measure_type", "start_date", "end_date", "amount", "responsible_unit", "status", "note"]
        widgets = {"start_date": date_input(), "end_date": date_input()}


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=date_input())
    notes = forms.CharField(
        label=_("Notes"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"})
    )
    photos = MultipleFileField(label=_("Photos"), required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
    )


class PairingForm(forms.Form):
    cadre = forms.ModelChoiceField(
        label=_("Assistance cadre"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    village = forms.ChoiceField(label=_("Village"), widget=forms.Select(attrs={"class": "form-select"}))
    replace = forms.BooleanField(
        label=_("Also replace the current cadre of already paired households"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cadres = assistance_cadres(user=user)
        self.fields["cadre"].queryset = cadres  # type: ignore[attr-defined]
        self.fields["cadre"].label_from_instance = (  # type: ignore[attr-defined]
            lambda cadre: (
                f"{cadre.get_full_name() or cadre.username} · {cadre.area.name if cadre.area else ''}"
            )
        )
        self.fields["village"].choices = village_choices(user=user)  # type: ignore[attr-defined]


class AssistanceFilterForm(forms.Form):
    village = forms.ChoiceField(
        label=_("Village"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    mine = forms.BooleanField(
        label=_("My households"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    not_visited = forms.BooleanField(
        label=_("Not visited recently"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("All")), *village_choices(user=user)]  # type: ignore[attr-defined]
