from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhun.accounts.models import User
from jingzhun.areas.selectors import village_choices

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class HouseholdUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx, .xls or .csv in the national household-and-member layout)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls,.csv"}),
    )
    village = forms.ChoiceField(
        label=_("Village (when the file has no village column)"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    partial = forms.BooleanField(
        label=_("Write the households without errors and report the others"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("From the file")), *village_choices(user=user)]
        self.fields["village"].choices = choices  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError(_("Use an .xlsx, .xls or .csv file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        return upload


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx, .xls or .csv with the columns of the export)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls,.csv"}),
    )
