"""Third-party evaluation (第三方评估): sampling plans, their frozen two-stage samples with
design weights, and the questionnaire of each sampled household."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.codelists.fields import CodeField
from jingzhun.core.money import MoneyField
from jingzhun.core.runs import RecordedRun
from jingzhun.core.workflow import TransitionEvent
from jingzhun.oversight.choices import (
    OPEN_RECTIFICATION_STATES,
    CallOutcome,
    FindingSource,
    PhotoStage,
    PlanState,
    RectificationAction,
    RectificationEventKind,
    RectificationState,
    SamplingMethod,
    Severity,
    Stratum,
    Verdict,
)


class SamplingPlan(models.Model):
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area evaluated"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    method = models.CharField(
        _("first stage"), max_length=12, choices=SamplingMethod.choices, default=SamplingMethod.PPS
    )
    villages_wanted = models.PositiveSmallIntegerField(_("villages"), validators=[MinValueValidator(1)])
    registered_per_village = models.PositiveSmallIntegerField(_("registered households per village"))
    unregistered_per_village = models.PositiveSmallIntegerField(_("other households per village"))
    # The same seed always draws the same sample (recorded with the plan).
    seed = models.BigIntegerField(_("seed"))
    state = models.CharField(_("state"), max_length=8, choices=PlanState.choices, default=PlanState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    frame_villages = models.PositiveIntegerField(_("villages in the frame"), default=0)
    frame_households = models.PositiveIntegerField(_("households in the frame"), default=0)

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = _("sampling plan")
        verbose_name_plural = _("sampling plans")

    def __str__(self) -> str:
        return self.name


class SampledVillage(models.Model):
    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="villages")
    village = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField(_("inclusion probability"))
    households = models.PositiveIntegerField(_("households"))

    class Meta:
        ordering = ["plan", "village"]
        constraints = [models.UniqueConstraint(fields=["plan", "village"], name="sampled_village_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.village_id}"


class EvaluationSample(models.Model):
    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="households")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField(_("stratum"), max_length=12, choices=Stratum.choices)
    village_probability = models.FloatField()
    household_probability = models.FloatField()
    weight = models.FloatField(_("design weight"))
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluations"
    )

    class Meta:
        ordering = ["plan", "village", "stratum", "household"]
        verbose_name = _("sampled household")
        verbose_name_plural = _("sampled households")
        constraints = [models.UniqueConstraint(fields=["plan", "household"], name="sampled_household_once")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.household_id}"


def _yuan(label: Any) -> MoneyField:
    return MoneyField(label, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])


class Questionnaire(models.Model):
    """The interview of a sampled household: income, the guarantees, satisfaction, the verdict."""

    sampled = models.OneToOneField(EvaluationSample, on_delete=models.CASCADE, related_name="questionnaire")
    interviewed_on = models.DateField(_("interviewed on"))
    resident_members = models.PositiveSmallIntegerField(
        _("resident members"), validators=[MinValueValidator(1)]
    )
    wage_income = _yuan(_("wage income"))
    business_income = _yuan(_("production and business income"))
    property_income = _yuan(_("property income"))
    transfer_income = _yuan(_("transfer income"))
    production_costs = _yuan(_("production costs"))
    per_capita_net_income = models.DecimalField(_("per-capita net income"), max_digits=14, decimal_places=2)
    food_and_clothing = models.BooleanField(_("no worry about food and clothing"), default=True)
    schooling = models.BooleanField(_("compulsory education secured"), default=True)
    medical = models.BooleanField(_("basic medical care secured"), default=True)
    housing = models.BooleanField(_("housing safe"), default=True)
    water = models.BooleanField(_("drinking water safe"), default=True)
    satisfied = models.BooleanField(_("satisfied with the assistance and its result (认可)"), default=True)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)
    # The identification case a missed or wrongly exited household led to.
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluations"
    )
    # The rectification ledger's entry of a verdict that is not "correct".
    finding = models.ForeignKey(
        "oversight.Finding", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return f"{self.sampled_id} {self.verdict}"


class Inspection(models.Model):
    """An inspection or undercover visit (督查巡查 / 暗访) by a small team."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area inspected"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=100)
    team = models.CharField(_("team members"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    undercover = models.BooleanField(_("undercover (unannounced)"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return self.title


class InspectionVisit(models.Model):
    """One visit of an inspection: a village (and a household in it) seen on a day."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="visits")
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visited_on = models.DateField(_("visited on"))
    notes = models.TextField(_("what was seen"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["inspection", "visited_on", "id"]
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.village_id} {self.visited_on}"


class Finding(models.Model):
    """A problem found by anyone (an inspection, the evaluation, a phone check, the data-quality
    catalogue, fund monitoring, an auditor): one ledger of rectification (问题整改台账)."""

    source = models.CharField(_("source"), max_length=20, choices=FindingSource.choices)
    # What a procedure raised it for (the data-quality rule, …): while a finding is open, a
    # procedure never raises a second one for the same key.
    source_key = models.CharField(_("raised for"), max_length=80, blank=True)
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    problem_type = CodeField(_("problem type"), code_list="problem_type", blank=False)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM
    )
    # Who must rectify: the area (a village, township or county) and its unit.
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("responsible area"), on_delete=models.PROTECT, related_name="+"
    )
    responsible_unit = models.CharField(_("responsible unit"), max_length=100, blank=True)
    # Who raised it: the area that signs the rectification off.
    issuing_area = models.ForeignKey(
        "areas.Area", verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    # Who signs the rectification off: the issuing level, or the level it delegates to (the
    # responsible area's parent, e.g. the township for a village problem an inspection found).
    sign_off_area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("signed off by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    visit = models.ForeignKey(
        InspectionVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(_("problem"))
    evidence = models.TextField(_("evidence"), blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField(_("found on"))
    deadline = models.DateField(_("rectify by"))
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=RectificationState.choices,
        default=RectificationState.OPEN,
        db_index=True,
    )
    measures = models.TextField(_("rectification measures"), blank=True)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    signed_off_on = models.DateField(_("signed off on"), null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("rectification ledger")
        indexes = [models.Index(fields=["area", "state"], name="finding_area_state_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "source", "source_key"],
                condition=models.Q(state__in=sorted(OPEN_RECTIFICATION_STATES)) & ~models.Q(source_key=""),
                name="finding_open_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.problem_type} {self.area_id}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_RECTIFICATION_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.localdate()


def _finding_photo_path(instance: FindingPhoto, filename: str) -> str:
    return f"findings/{instance.finding_id}/{filename}"


class FindingPhoto(models.Model):
    """A photo of the problem (taken by who found it) or of its rectification (by the
    responsible area), checked and re-encoded on upload (core.uploads)."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("shows"), max_length=12, choices=PhotoStage.choices)
    file = models.FileField(_("photo"), upload_to=_finding_photo_path)
    original_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["finding", "stage", "id"]
        verbose_name = _("finding photo")
        verbose_name_plural = _("finding photos")

    def __str__(self) -> str:
        return self.original_name


class QualityFindingRun(RecordedRun):
    """One pass of the data-quality catalogue over an area that enters each village's
    persisting errors in the rectification ledger (one open finding per village and rule)."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    villages = models.PositiveIntegerField(_("villages with errors"), default=0)
    raised = models.PositiveIntegerField(_("findings raised"), default=0)
    still_open = models.PositiveIntegerField(_("findings still open"), default=0)

    class Meta(RecordedRun.Meta):
        verbose_name = _("data-quality findings run")
        verbose_name_plural = _("data-quality findings runs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.area_id} {self.status}"


class FindingEvent(TransitionEvent):
    """The trail of a finding: raised, rectification submitted, returned, signed off."""

    ACTION_CHOICES = (RectificationAction, RectificationEventKind)

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=12, choices=RectificationState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=RectificationState.choices)

    class Meta:
        ordering = ["finding", "at", "id"]
        verbose_name = _("finding event")
        verbose_name_plural = _("finding events")

    def __str__(self) -> str:
        return f"{self.finding_id}: {self.action}"


class PhoneCheck(models.Model):
    """A household drawn for a phone spot-check (电话抽查) on a day, and the call's outcome."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"), db_index=True)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="phone_checks")
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=CallOutcome.choices, default=CallOutcome.PENDING
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["day", "household"]
        verbose_name = _("phone spot-check")
        verbose_name_plural = _("phone spot-checks")
        constraints = [models.UniqueConstraint(fields=["household", "day"], name="phone_check_once_a_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.household_id}"
