"""The figures of the dashboards and reports: one definition each.

A figure counts households (or sums their people) among the household facts
(dashboards.engine.household_facts) that satisfy every column of ``where``,
broken down by ``group_by`` when it names a fact column. The refresh counts
them set-wise; the click-through list filters the same facts with ``facts_q``,
so the list behind a figure is exactly what was counted. docs/figures.md
describes each one for its readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jingzhun.dashboards.choices import Chart, Dimension, Section
from jingzhun.dashboards.engine import BLANK_KEY, LIST_SEPARATOR, TOTAL_KEY

HOUSEHOLDS = "households"
PEOPLE = "people"


@dataclass(frozen=True)
class Figure:
    key: str
    section: Section
    label: Promise | str
    where: tuple[str, ...] = ()
    group_by: str = ""
    multi: bool = False
    measure: str = HOUSEHOLDS
    dimension: Dimension | None = None
    chart: Chart | None = None
    # The figure a breakdown is a share of (drawn as a percentage of it in reports).
    of: str = ""

    def facts_q(self, key: str = TOTAL_KEY) -> Q:
        """The household facts behind the figure (for one key of a breakdown)."""
        q = Q(**dict.fromkeys(self.where, True))
        if self.group_by and key != TOTAL_KEY:
            if self.multi:
                q &= Q(**{f"{self.group_by}__contains": f"{LIST_SEPARATOR}{key}{LIST_SEPARATOR}"})
            elif key == BLANK_KEY:
                q &= Q(**{self.group_by: ""})
            else:
                q &= Q(**{self.group_by: int(key) if self.dimension == Dimension.INCOME_BAND else key})
        return q


FIGURES: tuple[Figure, ...] = (
    # The register
    Figure("households", Section.REGISTER, _("Households in the register")),
    Figure("people", Section.REGISTER, _("People in the register"), measure=PEOPLE),
    Figure(
        "households_by_status",
        Section.REGISTER,
        _("Households by poverty status"),
        group_by="poverty_status",
        dimension=Dimension.POVERTY_STATUS,
        chart=Chart.PIE,
    ),
    Figure(
        "households_by_attribute",
        Section.REGISTER,
        _("Households by attribute"),
        group_by="attribute",
        dimension=Dimension.HOUSEHOLD_ATTRIBUTE,
        chart=Chart.BAR,
    ),
    Figure(
        "people_by_attribute",
        Section.REGISTER,
        _("People by household attribute"),
        group_by="attribute",
        measure=PEOPLE,
        dimension=Dimension.HOUSEHOLD_ATTRIBUTE,
    ),
    # Monitoring objects
    Figure("monitored", Section.MONITORING, _("Monitoring objects"), where=("monitored",)),
    Figure(
        "monitored_open",
        Section.MONITORING,
        _("Monitoring objects with risk not eliminated"),
        where=("monitored_open",),
        of="monitored",
    ),
    Figure(
        "monitored_by_elimination",
        Section.MONITORING,
        _("Risk eliminated or not"),
        where=("monitored",),
        group_by="elimination",
        dimension=Dimension.ELIMINATION,
        chart=Chart.PIE,
    ),
    Figure(
        "monitored_by_category",
        Section.MONITORING,
        _("Monitoring objects by category"),
        where=("monitored",),
        group_by="monitoring_category",
        dimension=Dimension.MONITORING_CATEGORY,
        chart=Chart.PIE,
    ),
    Figure(
        "monitored_by_risk",
        Section.MONITORING,
        _("Monitoring objects by risk type"),
        where=("monitored",),
        group_by="risk_types",
        multi=True,
        dimension=Dimension.RISK_TYPE,
        chart=Chart.BAR,
    ),
    # Warnings
    Figure(
        "warned",
        Section.WARNINGS,
        _("Households with open warnings"),
        where=("has_open_warning",),
    ),
    Figure(
        "warned_overdue",
        Section.WARNINGS,
        _("Households with overdue warnings"),
        where=("has_overdue_warning",),
        of="warned",
    ),
    Figure(
        "warned_by_rule",
        Section.WARNINGS,
        _("Open warnings by rule (households)"),
        group_by="open_warning_rules",
        multi=True,
        dimension=Dimension.RULE,
        chart=Chart.BAR,
    ),
    Figure(
        "warned_overdue_by_rule",
        Section.WARNINGS,
        _("Overdue warnings by rule (households)"),
        group_by="overdue_warning_rules",
        multi=True,
        dimension=Dimension.RULE,
    ),
    Figure(
        "warned_by_department",
        Section.WARNINGS,
        _("Open warnings by department (households)"),
        group_by="open_warning_departments",
        multi=True,
        dimension=Dimension.DEPARTMENT,
        chart=Chart.BAR,
    ),
    Figure(
        "warned_overdue_by_department",
        Section.WARNINGS,
        _("Overdue warnings by department (households)"),
        group_by="overdue_warning_departments",
        multi=True,
        dimension=Dimension.DEPARTMENT,
    ),
    # Cases
    Figure("in_procedure", Section.CASES, _("Households with an open case"), where=("has_open_case",)),
    Figure(
        "in_procedure_overdue",
        Section.CASES,
        _("Households with an overdue case"),
        where=("has_overdue_case",),
        of="in_procedure",
    ),
    Figure(
        "in_procedure_by_step",
        Section.CASES,
        _("Open cases by step (households)"),
        group_by="open_case_steps",
        multi=True,
        dimension=Dimension.CASE_STEP,
        chart=Chart.BAR,
    ),
    Figure(
        "in_procedure_overdue_by_step",
        Section.CASES,
        _("Overdue cases by step (households)"),
        group_by="overdue_case_steps",
        multi=True,
        dimension=Dimension.CASE_STEP,
    ),
    # Assistance coverage, among monitoring objects whose risk is not eliminated
    Figure(
        "covered_by_measure",
        Section.ASSISTANCE,
        _("With a measure for every risk"),
        where=("has_matching_measure",),
        of="monitored_open",
    ),
    Figure(
        "with_development_measure",
        Section.ASSISTANCE,
        _("With a development-type measure"),
        where=("has_development_measure",),
        of="monitored_open",
    ),
    Figure(
        "visited_recently",
        Section.ASSISTANCE,
        _("Visited within the visit interval"),
        where=("visited_recently",),
        of="monitored_open",
    ),
    # Three guarantees and drinking water
    Figure(
        "with_dropout",
        Section.GUARANTEES,
        _("With a school-age child out of school"),
        where=("has_dropout",),
        of="households",
    ),
    Figure(
        "with_uninsured",
        Section.GUARANTEES,
        _("With a member without basic medical insurance"),
        where=("has_uninsured",),
        of="households",
    ),
    Figure(
        "unsafe_house",
        Section.GUARANTEES,
        _("Living in a C or D (dangerous) house"),
        where=("unsafe_house",),
        of="households",
    ),
    Figure(
        "unsafe_water",
        Section.GUARANTEES,
        _("Without safe drinking water"),
        where=("unsafe_water",),
        of="households",
    ),
    # Income
    Figure(
        "below_monitoring_line",
        Section.INCOME,
        _("Per-capita net income below the monitoring line"),
        where=("below_monitoring_line",),
        of="households",
    ),
    Figure(
        "income_distribution",
        Section.INCOME,
        _("Households by per-capita net income"),
        group_by="income_band",
        dimension=Dimension.INCOME_BAND,
        chart=Chart.HISTOGRAM,
    ),
    # Data quality
    Figure(
        "with_quality_issue",
        Section.QUALITY,
        _("With a data-quality issue"),
        where=("has_quality_issue",),
        of="households",
    ),
    Figure(
        "quality_by_rule",
        Section.QUALITY,
        _("Data-quality issues by rule (households)"),
        group_by="quality_rules",
        multi=True,
        dimension=Dimension.QUALITY_RULE,
        chart=Chart.BAR,
    ),
    # Projects and assets
    Figure(
        "households_with_project_benefit",
        Section.PROJECTS,
        _("Households benefiting from a project"),
        where=("has_project_benefit",),
        of="households",
    ),
    Figure(
        "monitored_with_project_benefit",
        Section.PROJECTS,
        _("Monitoring objects benefiting from a project"),
        where=("monitored_with_project_benefit",),
        of="monitored",
    ),
    Figure(
        "households_with_asset_income",
        Section.PROJECTS,
        _("Households paid income from project assets"),
        where=("has_asset_income",),
        of="households",
    ),
    # Trends
    Figure(
        "identified_by_month",
        Section.TRENDS,
        _("Monitoring objects by month identified"),
        where=("monitored",),
        group_by="identified_month",
        dimension=Dimension.MONTH,
        chart=Chart.LINE,
    ),
    Figure(
        "eliminated_by_month",
        Section.TRENDS,
        _("Risk eliminated, by month"),
        where=("monitored",),
        group_by="eliminated_month",
        dimension=Dimension.MONTH,
        chart=Chart.LINE,
    ),
)

FIGURES_BY_KEY: dict[str, Figure] = {figure.key: figure for figure in FIGURES}


def figure_get(key: str) -> Figure:
    """Raises KeyError for an unknown figure."""
    return FIGURES_BY_KEY[key]


def figures_in(section: Section) -> list[Figure]:
    return [figure for figure in FIGURES if figure.section == section]
