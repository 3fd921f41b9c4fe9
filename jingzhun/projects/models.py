"""The project library (项目库): projects proposed by villages, reviewed by the township,
approved by the county after a joint review, each step publicly noticed; then planned,
carried out and accepted. Money is Decimal yuan with two decimals throughout."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.codelists.fields import CodeField, CodeListField
from jingzhun.core.money import MoneyField
from jingzhun.core.workflow import TransitionEvent
from jingzhun.projects.choices import (
    LIBRARY_STATES,
    NOTICE_STATES,
    AttachmentKind,
    Comparison,
    FundLevel,
    ProjectAction,
    ProjectEventKind,
    ProjectState,
    TargetDimension,
    TargetLevel,
)


def money_field(verbose_name: Any, **kwargs: Any) -> MoneyField:
    """Yuan with two decimals, never negative (a correction is a separate entry, not a minus sign)."""
    return MoneyField(verbose_name, validators=[MinValueValidator(Decimal("0"))], **kwargs)


class Project(models.Model):
    name = models.CharField(_("project name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("library year"))
    category = CodeField(_("project category"), code_list="project_category", blank=False)
    construction_type = CodeField(_("construction type"), code_list="construction_type", blank=False)
    # The area that proposed the project and answers for it: a village, or a township for a
    # project across several villages (those are listed in ``villages``).
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("proposing area"), on_delete=models.PROTECT, related_name="+"
    )
    villages = models.ManyToManyField(
        "areas.Area", verbose_name=_("villages covered"), blank=True, related_name="+"
    )
    responsible_unit = models.CharField(_("responsible unit"), max_length=100)
    content = models.TextField(_("content and scale"))
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned completion"))
    benefit_mechanisms = CodeListField(_("benefit link to households"), code_list="benefit_mechanism")
    benefit_note = models.TextField(_("how households benefit"), blank=True)
    households_planned = models.PositiveIntegerField(_("households to benefit"), default=0)
    people_planned = models.PositiveIntegerField(_("people to benefit"), default=0)

    state = models.CharField(
        _("step"), max_length=24, choices=ProjectState.choices, default=ProjectState.DRAFT, db_index=True
    )
    meeting_on = models.DateField(_("villagers' meeting held on"), null=True, blank=True)
    notice_starts_on = models.DateField(_("notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice until"), null=True, blank=True)
    review_conclusion = models.TextField(_("joint review conclusion"), blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    entered_library_on = models.DateField(_("entered the library on"), null=True, blank=True)
    plan_year = models.PositiveSmallIntegerField(_("implementation plan year"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completion_percent = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    self_evaluation_score = models.DecimalField(
        _("self-evaluation score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    acceptance_note = models.TextField(_("acceptance result"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        ordering = ["-year", "area", "id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [models.Index(fields=["area", "state"], name="project_area_state_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def number(self) -> str:
        """The project's number in the library: year, county and sequence."""
        return f"XM{self.year}{self.area_id[:6]}{self.pk or 0:06d}"

    @property
    def in_library(self) -> bool:
        return self.state in LIBRARY_STATES

    @property
    def in_notice(self) -> bool:
        return self.state in NOTICE_STATES

    @property
    def budget_total(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines.all()), Decimal("0"))


class BudgetLine(models.Model):
    """The planned money of a project from one source (level and type of fund)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    level = models.CharField(_("fund level"), max_length=12, choices=FundLevel.choices)
    fund_type = CodeField(_("fund type"), code_list="fund_type", blank=False)
    amount = money_field(_("amount (yuan)"))

    class Meta:
        ordering = ["project", "level", "fund_type"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget")
        constraints = [
            models.UniqueConstraint(fields=["project", "level", "fund_type"], name="budget_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.level} {self.fund_type} {self.amount}"


class PerformanceTarget(models.Model):
    """One performance target (绩效目标): an indicator with its planned value, and the
    achieved value recorded at completion, from which the self-evaluation scores it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="targets")
    level = models.CharField(_("target level"), max_length=12, choices=TargetLevel.choices)
    dimension = models.CharField(_("dimension"), max_length=24, choices=TargetDimension.choices)
    indicator = models.CharField(_("indicator"), max_length=200)
    comparison = models.CharField(
        _("comparison"), max_length=10, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    planned_value = models.DecimalField(_("planned value"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    weight = models.DecimalField(
        _("weight (points)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    achieved_value = models.DecimalField(
        _("achieved value"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["project", "level", "id"]
        verbose_name = _("performance target")
        verbose_name_plural = _("performance targets")

    def __str__(self) -> str:
        return f"{self.indicator} {self.get_comparison_display()} {self.planned_value}{self.unit}"

    @property
    def achievement(self) -> Decimal | None:
        """The share of the target achieved, from 0 to 1 (None until the value is recorded)."""
        if self.achieved_value is None:
            return None
        planned, achieved = self.planned_value, self.achieved_value
        if self.comparison == Comparison.EQUAL:
            return Decimal("1") if achieved == planned else Decimal("0")
        if self.comparison == Comparison.AT_MOST:
            if achieved <= planned:
                return Decimal("1")
            return max(Decimal("0"), planned / achieved) if achieved > 0 else Decimal("0")
        if achieved >= planned:
            return Decimal("1")
        return max(Decimal("0"), achieved / planned) if planned > 0 else Decimal("1")


class Beneficiary(models.Model):
    """A household of the register that benefits from a project, and how."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beneficiaries")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="project_benefits"
    )
    benefit_type = CodeField(_("benefit"), code_list="benefit_mechanism", blank=False)
    expected_amount = money_field(_("expected amount (yuan)"), default=Decimal("0"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["project", "household"]
        verbose_name = _("beneficiary household")
        verbose_name_plural = _("beneficiary households")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "household", "benefit_type"], name="beneficiary_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.household_id} {self.benefit_type}"


class ProjectEvent(TransitionEvent):
    """The audit trail of a project: one row per move or change, written in its transaction."""

    ACTION_CHOICES = (ProjectAction, ProjectEventKind)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=24, choices=ProjectState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=24, choices=ProjectState.choices)

    class Meta:
        ordering = ["project", "at", "id"]
        verbose_name = _("project event")
        verbose_name_plural = _("project events")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_state} → {self.to_state}"


def _attachment_path(instance: ProjectAttachment, filename: str) -> str:
    return f"projects/{instance.project_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class ProjectAttachment(models.Model):
    """A file kept as evidence of a step (meeting minutes, notice photo, acceptance report)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        ProjectEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["project", "uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
