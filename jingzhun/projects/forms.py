"""Forms of the project library; they parse, the services check everything again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.codelists.forms import CodedModelForm
from jingzhun.codelists.selectors import code_choices
from jingzhun.core.forms import date_input
from jingzhun.projects.choices import (
    AttachmentKind,
    Comparison,
    FundLevel,
    ProjectAction,
    TargetDimension,
    TargetLevel,
)
from jingzhun.projects.models import Beneficiary, PerformanceTarget, Project
from jingzhun.projects.services import BudgetInput, TargetInput, Upload

A = ProjectAction
_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


def _file_field(label: Any, *, required: bool = False) -> forms.FileField:
    return forms.FileField(label=label, required=required, widget=forms.ClearableFileInput(attrs=_TEXT))


def _comment(required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=_("Reason") if required else _("Comment"),
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, **_TEXT}),
    )


class ProjectForm(CodedModelForm):
    """The proposal; the budget by source follows as one amount per level and fund type."""

    villages = forms.MultipleChoiceField(
        label=_("Other villages covered"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "year",
            "category",
            "construction_type",
            "responsible_unit",
            "planned_start",
            "planned_end",
            "households_planned",
            "people_planned",
            "content",
            "benefit_mechanisms",
            "benefit_note",
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "benefit_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self, *args: Any, province: str, fund_types: list[tuple[str, str]], neighbours: list, **kwargs: Any
    ):
        super().__init__(*args, province=province, **kwargs)
        for name in ("planned_start", "planned_end"):
            self.fields[name].widget = date_input()
        villages = self.fields["villages"]
        assert isinstance(villages, forms.MultipleChoiceField)
        villages.choices = [(area.code, area.name) for area in neighbours]
        if self.instance.pk:
            self.initial["villages"] = [area.code for area in self.instance.villages.all()]
        else:
            self.initial.setdefault("year", timezone.localdate().year)
        amounts = (
            {(line.level, line.fund_type): line.amount for line in self.instance.budget_lines.all()}
            if self.instance.pk
            else {}
        )
        self.budget_fields: list[tuple[str, str, str]] = []
        for level, level_label in FundLevel.choices:
            for fund_type, type_label in fund_types:
                name = f"budget_{level}_{fund_type}"
                self.fields[name] = forms.DecimalField(
                    label=f"{level_label} · {type_label}",
                    required=False,
                    min_value=Decimal("0"),
                    max_digits=14,
                    decimal_places=2,
                    initial=amounts.get((level, fund_type)),
                    widget=forms.NumberInput(attrs={"step": "0.01", **_TEXT}),
                )
                self.budget_fields.append((name, level, fund_type))

    def main_fields(self) -> list[Any]:
        budget = {name for name, _level, _type in self.budget_fields}
        return [self[name] for name in self.fields if name not in budget]

    def budget_inputs(self) -> list[Any]:
        return [self[name] for name, _level, _type in self.budget_fields]

    def project_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def budget(self) -> list[BudgetInput]:
        return [
            BudgetInput(level, fund_type, self.cleaned_data[name])
            for name, level, fund_type in self.budget_fields
            if self.cleaned_data.get(name)
        ]


class TargetForm(forms.ModelForm):
    class Meta:
        model = PerformanceTarget
        fields = ["level", "dimension", "indicator", "comparison", "planned_value", "unit", "weight"]
        widgets = {
            "level": forms.Select(attrs=_SELECT),
            "dimension": forms.Select(attrs=_SELECT),
            "comparison": forms.Select(attrs=_SELECT),
            "indicator": forms.TextInput(attrs=_TEXT),
            "planned_value": forms.NumberInput(attrs={"step": "0.01", **_TEXT}),
            "unit": forms.TextInput(attrs=_TEXT),
            "weight": forms.NumberInput(attrs={"step": "0.01", **_TEXT}),
        }

    def target(self) -> TargetInput:
        data = self.cleaned_data
        return TargetInput(
            level=TargetLevel(data["level"]),
            dimension=TargetDimension(data["dimension"]),
            indicator=data["indicator"],
            planned_value=data["planned_value"],
            unit=data["unit"],
            comparison=Comparison(data["comparison"]),
            weight=data["weight"],
        )


class BeneficiaryForm(forms.ModelForm):
    household_number = forms.CharField(
        label=_("Household number"), max_length=30, widget=forms.TextInput(attrs=_TEXT)
    )

    class Meta:
        model = Beneficiary
        fields = ["benefit_type", "expected_amount", "note"]
        widgets = {
            "expected_amount": forms.NumberInput(attrs={"step": "0.01", **_TEXT}),
            "note": forms.TextInput(attrs=_TEXT),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        province = project.area_id[:2]
        offered = set(project.benefit_mechanisms)
        self.fields["benefit_type"] = forms.ChoiceField(
            label=_("Benefit"),
            choices=[c for c in code_choices("benefit_mechanism", province=province) if c[0] in offered],
            widget=forms.Select(attrs=_SELECT),
        )
        self.order_fields(["household_number", "benefit_type", "expected_amount", "note"])


# --- the steps ----------------------------------------------------------------------


class StepForm(forms.Form):
    """A step's input, plus an optional file kept as its evidence."""

    attachment_kind: AttachmentKind = AttachmentKind.NOTICE_PHOTO
    file = _file_field(_("Attach a file (e.g. a photo of the posted notice)"))
    comment = _comment()

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = date_input()
                field.initial = field.initial or timezone.localdate()

    def uploads(self) -> list[Upload]:
        upload = self.cleaned_data.get("file")
        return [Upload(self.attachment_kind, upload)] if upload else []

    def step_data(self) -> dict[str, Any]:
        return {key: value for key, value in self.cleaned_data.items() if key not in ("file", "comment")}


class ReasonForm(StepForm):
    attachment_kind = AttachmentKind.OTHER
    file = None  # type: ignore[assignment]
    comment = _comment(required=True)


class ProposalForm(StepForm):
    attachment_kind = AttachmentKind.MEETING_MINUTES
    meeting_on = forms.DateField(label=_("Villagers' meeting held on"))
    file = _file_field(_("Minutes of the villagers' meeting (scan or photo)"), required=True)


class ReviewForm(StepForm):
    attachment_kind = AttachmentKind.FEASIBILITY
    review_conclusion = forms.CharField(
        label=_("Joint review conclusion"), widget=forms.Textarea(attrs={"rows": 3, **_TEXT})
    )
    file = _file_field(_("Feasibility note"))


class PlanForm(StepForm):
    plan_year = forms.IntegerField(label=_("Implementation plan year"), widget=forms.NumberInput(attrs=_TEXT))

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        self.fields["plan_year"].initial = timezone.localdate().year


class StartForm(StepForm):
    attachment_kind = AttachmentKind.OTHER
    started_on = forms.DateField(label=_("Works started on"))


class CompleteForm(StepForm):
    attachment_kind = AttachmentKind.OTHER
    completed_on = forms.DateField(label=_("Completed on"))

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        for target in project.targets.all():
            self.fields[f"achieved_{target.pk}"] = forms.DecimalField(
                label=_("Achieved: %(target)s") % {"target": target},
                max_digits=14,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", **_TEXT}),
            )

    def step_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        achieved = {int(k.removeprefix("achieved_")): v for k, v in data.items() if k.startswith("achieved_")}
        return {"completed_on": data["completed_on"], "achieved": achieved}


class AcceptForm(StepForm):
    attachment_kind = AttachmentKind.ACCEPTANCE_REPORT
    accepted_on = forms.DateField(label=_("Accepted on"))
    acceptance_note = forms.CharField(
        label=_("Acceptance result"), widget=forms.Textarea(attrs={"rows": 2, **_TEXT})
    )
    file = _file_field(_("Acceptance report"), required=True)


FORMS: dict[str, type[StepForm]] = {
    A.SUBMIT_PROPOSAL: ProposalForm,
    A.RECORD_REVIEW: ReviewForm,
    A.SELECT_FOR_PLAN: PlanForm,
    A.START: StartForm,
    A.COMPLETE: CompleteForm,
    A.ACCEPT: AcceptForm,
    A.RETURN: ReasonForm,
    A.REMOVE: ReasonForm,
    A.WITHDRAW: ReasonForm,
    A.FAIL_ACCEPTANCE: ReasonForm,
}


def form_class_for(action: str) -> type[StepForm]:
    return FORMS.get(action, StepForm)


class ProgressForm(forms.Form):
    progress = forms.IntegerField(
        label=_("Progress (%)"), min_value=0, max_value=100, widget=forms.NumberInput(attrs=_TEXT)
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=200, widget=forms.TextInput(attrs=_TEXT)
    )


class RemoveBeneficiaryForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput(attrs=_TEXT))
