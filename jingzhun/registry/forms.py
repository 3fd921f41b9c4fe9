from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhun.accounts.models import User
from jingzhun.areas.selectors import village_choices, villages_for
from jingzhun.codelists.forms import CodedModelForm
from jingzhun.codelists.selectors import code_choices
from jingzhun.core.forms import date_input
from jingzhun.registry.income import TRANSFER_FIELDS
from jingzhun.registry.models import LAND_FIELDS, Household, IncomeRecord, LivingConditions, Member
from jingzhun.registry.selectors import HOUSEHOLD_FILTERS

HOUSEHOLD_FIELDS = [
    "household_number",
    "village",
    "group_name",
    "address",
    "phone",
    "bank_name",
    "bank_account",
    "identification_standard",
    "attribute",
    "main_cause",
    "other_causes",
    "poverty_status",
    "registered_year",
    "lifted_out_year",
]
MEMBER_FIELDS = [
    "name",
    "id_type",
    "id_number",
    "sex",
    "birth_date",
    "ethnicity",
    "relation_to_head",
    "is_resident",
    "education",
    "school_status",
    "dropout_reason",
    "speaks_mandarin",
    "labour_skill",
    "migrant_work_months",
    "migrant_work_place",
    "migrant_monthly_income",
    "employer",
    "works_abroad",
    "public_welfare_job",
    "public_welfare_job_months",
    "health",
    "disability_category",
    "disability_grade",
    "disability_certificate_year",
    "political_status",
    "has_minimum_allowance",
    "has_extreme_poverty_support",
    "resident_medical_insurance",
    "employee_medical_insurance",
    "serious_illness_insurance",
    "commercial_supplementary_insurance",
    "resident_pension_insurance",
    "employee_pension_insurance",
    "medical_assistance_received",
    "phone",
]
INCOME_FIELDS = [
    "wage_income",
    "business_income",
    "property_income",
    *TRANSFER_FIELDS,
    "production_costs",
]
CONDITIONS_FIELDS = [
    *LAND_FIELDS,
    "has_production_power",
    "has_living_power",
    "drinking_water_difficulty",
    "water_source",
    "water_quantity_ok",
    "water_quality_ok",
    "water_convenience_ok",
    "water_reliability_ok",
    "distance_to_main_road_km",
    "road_type",
    "housing_area_m2",
    "housing_structure",
    "housing_year_built",
    "house_grade",
    "toilet_type",
    "fuel_type",
    "in_cooperative",
    "relocation_mode",
    "relocation_willing",
]


class HouseholdForm(CodedModelForm):
    class Meta:
        model = Household
        fields = HOUSEHOLD_FIELDS

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        village_field = self.fields["village"]
        assert isinstance(village_field, forms.ModelChoiceField)
        village_field.queryset = villages_for(user=user)


class MemberForm(CodedModelForm):
    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {"birth_date": date_input()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Birth date and sex follow from a resident ID number; they are checked, not required.
        self.fields["birth_date"].required = False
        self.fields["birth_date"].help_text = _("Taken from the ID number when left empty.")
        self.fields["sex"].required = False

    def _post_clean(self) -> None:
        # Model validation (including uniqueness) is the services' job, where the
        # ID number is normalised first; skip ModelForm's own pass.
        pass


class IncomeForm(CodedModelForm):
    year = forms.IntegerField(label=_("year"), min_value=2010, max_value=2100)

    class Meta:
        model = IncomeRecord
        fields = INCOME_FIELDS

    def _post_clean(self) -> None:
        pass


class LivingConditionsForm(CodedModelForm):
    class Meta:
        model = LivingConditions
        fields = CONDITIONS_FIELDS


class HouseholdFilterForm(forms.Form):
    """The household list's filters (``registry.selectors.HOUSEHOLD_FILTERS``, the API's
    too), plus the hidden fields that open the list from a dashboard figure."""

    # A dashboard figure's households (the figure, the key of its breakdown, the area).
    figure = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    key = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    area = forms.RegexField(required=False, regex=r"^[0-9]{12}$", widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        province = user.area.code[:2] if user.area else None
        everything: list[tuple[str, Any]] = [("", _("All"))]
        for parameter in HOUSEHOLD_FILTERS:
            field: forms.Field
            if parameter.kind == "flag":
                field = forms.BooleanField(label=parameter.label, required=False)
                field.widget.attrs["class"] = "form-check-input"
            elif parameter.kind == "text":
                field = forms.CharField(
                    label=parameter.label, required=False, max_length=parameter.max_length
                )
                field.widget.attrs.update(
                    {"placeholder": _("Name, ID number or household number"), "class": "form-control"}
                )
            else:
                choices = (
                    village_choices(user=user)
                    if parameter.kind == "village"
                    else code_choices(parameter.code_list, province=province)
                )
                field = forms.ChoiceField(label=parameter.label, required=False, choices=everything + choices)
                field.widget.attrs["class"] = "form-select"
            self.fields[parameter.param] = field
        # The hidden fields last: the visible filters come first on the page.
        for name in ("figure", "key", "area"):
            self.fields[name] = self.fields.pop(name)
