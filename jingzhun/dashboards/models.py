"""Pre-computed figures per area, the household facts behind them, and the refresh runs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.core.runs import RecordedRun
from jingzhun.dashboards.choices import RefreshTrigger


class AggregateRun(RecordedRun):
    """One refresh of an area's facts and figures (core.runs): its rows and its success
    are written in one transaction, or it fails and nothing of it is visible."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField(_("as of"))
    income_year = models.PositiveSmallIntegerField(_("income year"))
    trigger = models.CharField(
        _("started"), max_length=10, choices=RefreshTrigger.choices, default=RefreshTrigger.MANUAL
    )
    households = models.PositiveIntegerField(_("households"), default=0)
    figures_written = models.PositiveIntegerField(_("figures written"), default=0)
    # Where the facts are counted: DuckDB in this process, or a Spark cluster.
    engine = models.CharField(_("engine"), max_length=10, default="duckdb")
    # Only the households marked changed (and those the passing days change) were counted
    # again, the figures corrected by the difference; otherwise the whole area.
    incremental = models.BooleanField(_("changed households only"), default=False)
    # What the facts depend on besides the records and the day (thresholds, code sets,
    # definitions): a refresh continues only from facts counted on the same basis.
    basis = models.CharField(max_length=64, blank=True)

    class Meta(RecordedRun.Meta):
        verbose_name = _("figure refresh")
        verbose_name_plural = _("figure refreshes")

    def __str__(self) -> str:
        return f"#{self.pk} {self.area_id} {self.status}"


class HouseholdFact(models.Model):
    """One active household as the figures see it at the last refresh of its area.

    Lists of codes are stored as ",a,b," so that one ``contains`` finds a code on
    SQLite and PostgreSQL alike. Replaced wholesale by each refresh of the area."""

    household = models.OneToOneField(
        "registry.Household", on_delete=models.DO_NOTHING, db_constraint=False, related_name="facts"
    )
    # Written by its own refresh in the refresh's transaction: a database check per fact at
    # commit would cost a province's night a lookup per household for nothing.
    run = models.ForeignKey(AggregateRun, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    village_id = models.CharField(max_length=12, db_index=True)
    poverty_status = models.CharField(max_length=20, blank=True)
    attribute = models.CharField(max_length=20, blank=True)
    people = models.PositiveIntegerField(default=0)
    monitored = models.BooleanField(default=False)
    monitoring_category = models.CharField(max_length=20, null=True, blank=True)
    risk_types = models.CharField(max_length=200, blank=True)
    elimination = models.CharField(max_length=20, null=True, blank=True)
    monitored_open = models.BooleanField(default=False)
    open_warning_rules = models.CharField(max_length=1000, blank=True)
    open_warning_departments = models.CharField(max_length=500, blank=True)
    has_open_warning = models.BooleanField(default=False)
    overdue_warning_rules = models.CharField(max_length=1000, blank=True)
    overdue_warning_departments = models.CharField(max_length=500, blank=True)
    has_overdue_warning = models.BooleanField(default=False)
    open_case_steps = models.CharField(max_length=300, blank=True)
    has_open_case = models.BooleanField(default=False)
    overdue_case_steps = models.CharField(max_length=300, blank=True)
    has_overdue_case = models.BooleanField(default=False)
    has_matching_measure = models.BooleanField(default=False)
    has_development_measure = models.BooleanField(default=False)
    visited_recently = models.BooleanField(default=False)
    has_dropout = models.BooleanField(default=False)
    has_uninsured = models.BooleanField(default=False)
    unsafe_house = models.BooleanField(default=False)
    unsafe_water = models.BooleanField(default=False)
    per_capita_net_income = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    income_band = models.IntegerField(null=True, blank=True)
    below_monitoring_line = models.BooleanField(default=False)
    quality_rules = models.CharField(max_length=1000, blank=True)
    has_quality_issue = models.BooleanField(default=False)
    identified_month = models.CharField(max_length=7, null=True, blank=True)
    eliminated_month = models.CharField(max_length=7, null=True, blank=True)
    has_project_benefit = models.BooleanField(default=False)
    monitored_with_project_benefit = models.BooleanField(default=False)
    has_asset_income = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("household facts")
        verbose_name_plural = _("household facts")

    def __str__(self) -> str:
        return f"{self.household_id}"


class FactChange(models.Model):
    """A household whose facts may no longer match its records. Written by the database
    (triggers on every table the facts read: dashboards.changes), taken by the next refresh
    of an area holding the household, removed when that refresh's facts are written."""

    id = models.BigAutoField(primary_key=True)
    household_id = models.BigIntegerField()
    # The refresh counting it now (a refresh that failed leaves it for the next one).
    run = models.ForeignKey(
        AggregateRun,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("changed household")
        verbose_name_plural = _("changed households")
        indexes = [models.Index(fields=["household_id"], name="fact_change_household_idx")]

    def __str__(self) -> str:
        return f"{self.household_id} ({self.run_id})"


class AreaFigure(models.Model):
    """The value of one figure (and one key of its breakdown, '' for the total) in one
    area. Villages are counted from the facts; every other level is the sum of its
    villages, so that the numbers of a level always add up to the level above."""

    area_code = models.CharField(max_length=12)
    level = models.PositiveSmallIntegerField()
    figure = models.CharField(max_length=40)
    key = models.CharField(max_length=40, blank=True)
    value = models.BigIntegerField()
    run = models.ForeignKey(AggregateRun, on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        verbose_name = _("area figure")
        verbose_name_plural = _("area figures")
        constraints = [
            models.UniqueConstraint(fields=["area_code", "figure", "key"], name="area_figure_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {self.figure}[{self.key}] = {self.value}"


class AssessmentRun(RecordedRun):
    """One computation of the assessment of an area's children (考核): the scores stay as
    they were computed, with the as-of time of the figures they used."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    as_of = models.DateField(_("as of"))
    figures_as_of = models.DateTimeField(_("figures as of"), null=True, blank=True)
    areas = models.PositiveIntegerField(_("areas scored"), default=0)

    class Meta(RecordedRun.Meta):
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"#{self.pk} {self.area_id} {self.status}"


class AssessmentScore(models.Model):
    """One child area's score in an assessment run, with each indicator's raw value, points
    and weight as they were (indicator key → [raw, points, weight])."""

    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="scores")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField(default=0)
    score = models.FloatField(null=True, blank=True)
    values = models.JSONField(default=dict)

    class Meta:
        ordering = ["run", "rank", "area"]
        verbose_name = _("assessment score")
        verbose_name_plural = _("assessment scores")
        constraints = [models.UniqueConstraint(fields=["run", "area"], name="assessment_score_once")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.area_id} {self.score}"
