"""Forms of the funds; they parse, the services check everything again. Amounts are
read as text and turned into Decimal by the services: no float on the way."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.codelists.selectors import code_choices, code_label
from jingzhun.core.forms import date_input
from jingzhun.funds.choices import PayeeKind
from jingzhun.projects.choices import FundLevel
from jingzhun.projects.models import Beneficiary, Project

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


def _amount() -> forms.CharField:
    return forms.CharField(
        label=_("Amount (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", **_TEXT}),
    )


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=date_input(), initial=timezone.localdate)


class FundForm(forms.Form):
    document_number = forms.CharField(
        label=_("Document number"), max_length=60, widget=forms.TextInput(attrs=_TEXT)
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs=_TEXT))
    issued_on = _date(_("Issued on"))
    year = forms.IntegerField(
        label=_("Year"), min_value=2014, max_value=2100, widget=forms.NumberInput(attrs=_TEXT)
    )
    level = forms.ChoiceField(
        label=_("Fund level"), choices=FundLevel.choices, widget=forms.Select(attrs=_SELECT)
    )
    fund_type = forms.ChoiceField(label=_("Fund type"), widget=forms.Select(attrs=_SELECT))
    amount = _amount()
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, **_TEXT}))

    def __init__(self, *args: Any, province: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund_type"].choices = code_choices("fund_type", province=province)  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.name}"


class BeneficiaryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        head = getattr(obj, "head_name", "") or ""
        return (
            f"{head} {obj.household.household_number} · {code_label('benefit_mechanism', obj.benefit_type)}"
        )


class AllocationForm(forms.Form):
    project = ProjectChoiceField(
        label=_("Project"), queryset=Project.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    amount = _amount()
    occurred_on = _date(_("Date"))
    reason = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.TextInput(attrs=_TEXT)
    )

    def __init__(self, *args: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["project"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = projects


class PaymentForm(forms.Form):
    fund = forms.ChoiceField(label=_("Fund"), widget=forms.Select(attrs=_SELECT))
    amount = _amount()
    occurred_on = _date(_("Date"))
    payee_kind = forms.ChoiceField(
        label=_("Payee kind"), choices=PayeeKind.choices, widget=forms.Select(attrs=_SELECT)
    )
    payee_name = forms.CharField(label=_("Payee"), max_length=100, widget=forms.TextInput(attrs=_TEXT))
    payee_id_number = forms.CharField(
        label=_("Payee's ID number (a person)"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs=_TEXT),
    )
    beneficiary = BeneficiaryChoiceField(
        label=_("For the household's benefit"),
        queryset=Beneficiary.objects.none(),
        required=False,
        widget=forms.Select(attrs=_SELECT),
    )
    voucher = forms.FileField(label=_("Payment voucher"), widget=forms.ClearableFileInput(attrs=_TEXT))
    reason = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.TextInput(attrs=_TEXT)
    )

    def __init__(self, *args: Any, funds: list[tuple[str, str]], beneficiaries: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = funds  # type: ignore[attr-defined]
        field = self.fields["beneficiary"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = beneficiaries


class ReversalForm(forms.Form):
    """Shown once per ledger row: without ids, each input named by its aria-label."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.TextInput(attrs={"aria-label": _("Reason for the reversal"), **_TEXT}),
    )
    occurred_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(
            attrs={"type": "date", "aria-label": _("Date of the reversal"), **_TEXT}, format="%Y-%m-%d"
        ),
        initial=timezone.localdate,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", False)
        super().__init__(*args, **kwargs)
