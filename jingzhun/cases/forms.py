"""One form per step; the services check everything again, the forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhun.accounts.models import User
from jingzhun.areas.selectors import village_choices
from jingzhun.cases.choices import AttachmentKind, CaseAction, CaseKind, CaseState
from jingzhun.cases.models import Case
from jingzhun.cases.services import Upload
from jingzhun.codelists.forms import CodedModelForm
from jingzhun.core.forms import date_input


def _file_field(label: Any, *, required: bool = False) -> forms.FileField:
    return forms.FileField(
        label=label, required=required, widget=forms.ClearableFileInput(attrs={"class": "form-control"})
    )


class StepForm(CodedModelForm):
    """A step's fields on the case, plus an optional file kept as its evidence."""

    attachment_kind: AttachmentKind = AttachmentKind.OTHER
    file = _file_field(_("Attach a file"))
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, province=case.household.village_id[:2], **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = date_input()
            if isinstance(field, forms.DecimalField | forms.IntegerField):
                field.required = True
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"

    def uploads(self) -> list[Upload]:
        upload = self.cleaned_data.get("file")
        return [Upload(self.attachment_kind, upload)] if upload else []

    def step_data(self) -> dict[str, Any]:
        return {key: value for key, value in self.cleaned_data.items() if key not in ("file", "comment")}


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args: Any, case: Case | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def uploads(self) -> list[Upload]:
        return []

    def step_data(self) -> dict[str, Any]:
        return {}


class ApplicationForm(StepForm):
    attachment_kind = AttachmentKind.SIGNED_APPLICATION
    file = _file_field(_("Signed application and authorisation (scan or photo)"))

    class Meta:
        model = Case
        fields = ["proxy_signer", "fingerprint_note"]


class IdentificationVisitForm(StepForm):
    attachment_kind = AttachmentKind.VISIT_FORM
    file = _file_field(_("Monitoring information form (scan or photo)"))

    class Meta:
        model = Case
        fields = [
            "visited_on",
            "visited_by",
            "income_last_12_months",
            "per_capita_net_income",
            "eligible_out_of_pocket",
            "household_type",
            "category",
            "risk_types",
            "disaster_subtype",
            "risk_note",
            "without_labour_capacity",
            "visit_note",
        ]


class EliminationVisitForm(StepForm):
    attachment_kind = AttachmentKind.VISIT_FORM

    class Meta:
        model = Case
        fields = ["visited_on", "visited_by", "per_capita_net_income", "elimination_mode", "visit_note"]


class ExitVerificationForm(StepForm):
    class Meta:
        model = Case
        fields = ["visited_on", "visited_by", "per_capita_net_income", "visit_note"]


class ComparisonForm(StepForm):
    class Meta:
        model = Case
        fields = ["comparison_note"]


class AppraisalForm(StepForm):
    attachment_kind = AttachmentKind.APPRAISAL_MINUTES
    file = _file_field(_("Appraisal minutes (scan or photo)"))

    class Meta:
        model = Case
        fields = [
            "appraised_on",
            "representatives",
            "attendance",
            "votes_for",
            "votes_against",
            "notice_starts_on",
        ]

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        if case.kind == CaseKind.EXIT:
            del self.fields["notice_starts_on"]
        else:
            self.fields["notice_starts_on"].help_text = _("Leave empty when the notice is posted today.")


class ConsentForm(StepForm):
    attachment_kind = AttachmentKind.CONSENT
    file = _file_field(_("The household's signed consent"))

    class Meta:
        model = Case
        fields = ["consent_on", "notice_starts_on"]


def form_class_for(kind: str, action: str) -> type[StepForm] | type[CommentForm]:
    if action == CaseAction.RECORD_VISIT:
        return {
            CaseKind.IDENTIFICATION: IdentificationVisitForm,
            CaseKind.ELIMINATION: EliminationVisitForm,
            CaseKind.EXIT: ExitVerificationForm,
        }[CaseKind(kind)]
    return {
        CaseAction.SUBMIT_APPLICATION: ApplicationForm,
        CaseAction.RECORD_COMPARISON: ComparisonForm,
        CaseAction.RECORD_APPRAISAL: AppraisalForm,
        CaseAction.RECORD_CONSENT: ConsentForm,
    }.get(CaseAction(action), CommentForm)


class CaseFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Procedure"), required=False)
    state = forms.ChoiceField(label=_("Step"), required=False)
    village = forms.ChoiceField(label=_("Village"), required=False)
    mine = forms.BooleanField(label=_("Waiting for me"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    closed = forms.BooleanField(label=_("Include closed cases"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["kind"].choices = everything + CaseKind.choices  # type: ignore[attr-defined]
        self.fields["state"].choices = everything + CaseState.choices  # type: ignore[attr-defined]
        self.fields["village"].choices = everything + village_choices(user=user)  # type: ignore[attr-defined]
        for name in ("kind", "state", "village"):
            self.fields[name].widget.attrs["class"] = "form-select"
        for name in ("mine", "overdue", "closed"):
            self.fields[name].widget.attrs["class"] = "form-check-input"


class OpenCaseForm(forms.Form):
    lead = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class ObjectionForm(forms.Form):
    raised_on = forms.DateField(label=_("Raised on"), widget=date_input())
    raised_by = forms.CharField(
        label=_("Raised by"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    content = forms.CharField(
        label=_("Objection"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class ResolutionForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class PeriodForm(forms.Form):
    """The period of an announcement (both ends optional: the month so far)."""

    since = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    until = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
