from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    REGISTER = "register", _("The register")
    MONITORING = "monitoring", _("Monitoring objects")
    WARNINGS = "warnings", _("Warnings")
    CASES = "cases", _("Procedures")
    ASSISTANCE = "assistance", _("Assistance coverage")
    GUARANTEES = "guarantees", _("Three guarantees and drinking water")
    INCOME = "income", _("Income")
    QUALITY = "quality", _("Data quality")
    PROJECTS = "projects", _("Projects and assets")
    TRENDS = "trends", _("Trends")


class Dimension(models.TextChoices):
    """What the keys of a breakdown are, i.e. where their labels come from."""

    POVERTY_STATUS = "poverty_status", _("Poverty status")
    HOUSEHOLD_ATTRIBUTE = "household_attribute", _("Household attribute")
    MONITORING_CATEGORY = "monitoring_category", _("Monitoring category")
    RISK_TYPE = "risk_type", _("Risk type")
    ELIMINATION = "elimination", _("Risk eliminated")
    RULE = "rule", _("Rule")
    QUALITY_RULE = "quality_rule", _("Data-quality rule")
    DEPARTMENT = "department", _("Department")
    CASE_STEP = "case_step", _("Step")
    INCOME_BAND = "income_band", _("Income band")
    MONTH = "month", _("Month")


class Chart(models.TextChoices):
    PIE = "pie", _("Pie")
    BAR = "bar", _("Bar")
    LINE = "line", _("Line")
    HISTOGRAM = "histogram", _("Histogram")


class RefreshTrigger(models.TextChoices):
    MANUAL = "manual", _("On demand")
    SCREENING = "screening", _("After a screening")
    IMPORT = "import", _("After an import")
    DEMO = "demo", _("Demo data")
