"""Forms of the asset ledger; they parse, the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.assets.choices import DisposalMode
from jingzhun.assets.models import Asset
from jingzhun.core.forms import date_input

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


def _amount(label: Any, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", **_TEXT}),
    )


class RightsForm(forms.ModelForm):
    class Meta:
        model = Asset
        fields = [
            "location",
            "operator",
            "contract_number",
            "contract_start",
            "contract_end",
            "income_rule",
            "supervisor",
            "custodian",
        ]
        widgets = {
            "contract_start": date_input(),
            "contract_end": date_input(),
            "income_rule": forms.Textarea(attrs={"rows": 2, **_TEXT}),
            **{
                name: forms.TextInput(attrs=_TEXT)
                for name in ("location", "operator", "contract_number", "supervisor", "custodian")
            },
        }


class RegisterForm(RightsForm):
    village = forms.ChoiceField(label=_("Village"), widget=forms.Select(attrs=_SELECT))
    value = _amount(_("Value (yuan)"))
    owner_household_number = forms.CharField(
        label=_("Owning household's number (household assets)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs=_TEXT),
    )

    class Meta(RightsForm.Meta):
        fields = [
            "name",
            "asset_type",
            "quantity",
            "unit",
            "year_formed",
            "owner_kind",
            "owner_name",
            *RightsForm.Meta.fields,
        ]
        widgets = {
            **RightsForm.Meta.widgets,
            "name": forms.TextInput(attrs=_TEXT),
            "asset_type": forms.Select(attrs=_SELECT),
            "quantity": forms.NumberInput(attrs={"step": "0.01", **_TEXT}),
            "unit": forms.TextInput(attrs=_TEXT),
            "year_formed": forms.NumberInput(attrs=_TEXT),
            "owner_kind": forms.Select(attrs=_SELECT),
            "owner_name": forms.TextInput(attrs=_TEXT),
        }

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = villages  # type: ignore[attr-defined]
        self.fields["year_formed"].initial = timezone.localdate().year
        self.order_fields(["name", "asset_type", "village", "quantity", "unit", "value", "year_formed"])

    def asset_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in self.Meta.fields} | {"value": data["value"]}


class IncomeForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"), min_value=2014, max_value=2100, widget=forms.NumberInput(attrs=_TEXT)
    )
    period = forms.CharField(label=_("Period"), max_length=40, widget=forms.TextInput(attrs=_TEXT))
    received_on = forms.DateField(label=_("Received on"), widget=date_input(), initial=timezone.localdate)
    amount = _amount(_("Amount (yuan)"))
    note = forms.CharField(
        label=_("Note"), required=False, max_length=200, widget=forms.TextInput(attrs=_TEXT)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class DistributionForm(forms.Form):
    income = forms.ChoiceField(label=_("Income"), widget=forms.Select(attrs=_SELECT))
    household_number = forms.CharField(
        label=_("Household number"), max_length=30, widget=forms.TextInput(attrs=_TEXT)
    )
    amount = _amount(_("Amount (yuan)"))
    paid_on = forms.DateField(label=_("Paid on"), widget=date_input(), initial=timezone.localdate)

    def __init__(self, *args: Any, incomes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["income"].choices = incomes  # type: ignore[attr-defined]


class DisposalForm(forms.Form):
    disposal_mode = forms.ChoiceField(
        label=_("Disposal"), choices=DisposalMode.choices, widget=forms.Select(attrs=_SELECT)
    )
    disposal_value = _amount(_("Proceeds (yuan)"), required=False)
    disposal_reason = forms.CharField(
        label=_("Reason for disposal"), widget=forms.Textarea(attrs={"rows": 2, **_TEXT})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("asset", None)
        super().__init__(*args, **kwargs)


class ReasonForm(forms.Form):
    comment = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2, **_TEXT}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("asset", None)
        super().__init__(*args, **kwargs)


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2, **_TEXT})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("asset", None)
        super().__init__(*args, **kwargs)
