from __future__ import annotations

import importlib.util
from typing import Any

from django import forms
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import area_list, village_choices
from jingzhun.monitoring.choices import Engine, WarningStatus
from jingzhun.monitoring.models import ScreeningRule
from jingzhun.monitoring.selectors import STATUS_ALL, STATUS_OPEN, health_rules_withheld


class WarningFilterForm(forms.Form):
    village = forms.ChoiceField(label=_("Village"), required=False)
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["village"].choices = everything + village_choices(user=user)  # type: ignore[attr-defined]
        rules = ScreeningRule.objects.all()
        if health_rules_withheld(user):
            rules = rules.exclude(health_data=True)
        self.fields["rule"].choices = everything + [  # type: ignore[attr-defined]
            (rule.code, f"{rule.code} · {rule.name}") for rule in rules
        ]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (STATUS_OPEN, _("Open (new or verifying)")),
            *WarningStatus.choices,
            (STATUS_ALL, _("All")),
        ]
        for name in ("village", "rule", "status"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"


class WarningDecisionForm(forms.Form):
    to = forms.ChoiceField(choices=WarningStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Reason / findings of the home visit"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


def available_engines() -> list[tuple[str, str]]:
    """The engines this installation can run: PostgreSQL only when the register lives
    there, Spark only when PySpark is installed."""
    engines = [(Engine.DUCKDB.value, Engine.DUCKDB.label)]
    if connection.vendor == "postgresql":
        engines.append((Engine.POSTGRES.value, Engine.POSTGRES.label))
    if importlib.util.find_spec("pyspark") is not None:
        engines.append((Engine.SPARK.value, Engine.SPARK.label))
    return engines


class ScreeningStartForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none(), empty_label=None)
    engine = forms.ChoiceField(label=_("Engine"))
    income_year = forms.IntegerField(label=_("Income year"), min_value=2014)
    incremental = forms.BooleanField(label=_("Only households changed since the last run"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The user's own area and the areas one level down: enough to start any run
        # without listing every village of a province.
        own = area_list(user=user).filter(pk=user.area_id) if user.area_id else Area.objects.none()
        children = area_list(user=user, parent=user.area_id)
        self.fields["area"].queryset = (own | children).order_by("code")  # type: ignore[attr-defined]
        self.fields["engine"].choices = available_engines()  # type: ignore[attr-defined]
        self.fields["income_year"].initial = timezone.localdate().year - 1
        for name in ("area", "engine"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["income_year"].widget.attrs["class"] = "form-control"
        self.fields["incremental"].widget.attrs["class"] = "form-check-input"

    def clean_income_year(self) -> int:
        year: int = self.cleaned_data["income_year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The income year cannot be in the future."))
        return year
