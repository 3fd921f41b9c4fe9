from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jingzhun.accounts.choices import Department
from jingzhun.codelists.fields import CodeField
from jingzhun.core.runs import RecordedRun
from jingzhun.monitoring.choices import OPEN_STATUSES, Engine, Severity, WarningStatus


class ScreeningRule(models.Model):
    """An entry of the early-warning rule catalogue. The logic is the registered Ibis
    function of the same code (monitoring.engine.rules); names, the risk type, the
    owning department and whether it is active are data, and its thresholds are
    codelists.Parameter values per province and year."""

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    message_zh = models.CharField(_("message (Chinese)"), max_length=200)
    message_en = models.CharField(_("message (English)"), max_length=200)
    risk_type = CodeField(_("risk type"), code_list="risk_type", blank=False)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    department = models.CharField(_("department"), max_length=32, choices=Department.choices, blank=True)
    parameters = models.JSONField(_("parameters"), default=list, blank=True)
    # Evidence of these rules (medical costs, disability, illness) is health data:
    # shown only to roles that may see it and to the rule's own department.
    health_data = models.BooleanField(_("evidence is health data"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("screening rule")
        verbose_name_plural = _("screening rules")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "zh").startswith("zh") else self.name_en

    @property
    def description(self) -> str:
        return self.description_zh if (get_language() or "zh").startswith("zh") else self.description_en

    def message(self, evidence: dict[str, str]) -> str:
        """The rule's message with the evidence as a reader says it: 6 岁, not 6.00 岁;
        "education department data", not education_data."""
        template = self.message_zh if (get_language() or "zh").startswith("zh") else self.message_en
        values = {"value": "", "threshold": "", "detail": "", **evidence}
        values = {key: _readable(key, value) for key, value in values.items()}
        return template.format(**values)


# The engine's source and cause codes in evidence, as the messages should read them.
EVIDENCE_DETAILS = {
    "register": _("the register"),
    "education_data": _("education department data"),
    "water_data": _("water department data"),
    "death": _("died"),
    "serious_illness": _("seriously ill"),
}


def _readable(key: str, value: object) -> str:
    text = "" if value is None else str(value)
    if key == "detail":
        return str(EVIDENCE_DETAILS.get(text, text))
    try:
        number = Decimal(text)
    except ArithmeticError:
        return text
    if not number.is_finite():
        return text
    # Whole numbers (ages, counts, round amounts) without decimals; money with its cents.
    places = 0 if number == number.to_integral_value() else 2
    return number_format(number, decimal_pos=places, force_grouping=True)


class ScreeningRun(RecordedRun):
    """One screening of an area (core.runs): its warnings are written in the same
    transaction that marks it succeeded, or it fails with the reason and writes nothing."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    engine = models.CharField(_("engine"), max_length=10, choices=Engine.choices)
    income_year = models.PositiveSmallIntegerField(_("income year"))
    as_of = models.DateField(_("as of"))
    incremental = models.BooleanField(_("incremental"), default=False)
    # What the findings depend on besides the records and the day (services.screening_basis):
    # an incremental run continues only a run on the same basis.
    basis = models.CharField(max_length=64, blank=True)
    households_screened = models.PositiveIntegerField(_("households screened"), default=0)
    findings = models.PositiveIntegerField(_("findings"), default=0)
    warnings_created = models.PositiveIntegerField(_("new warnings"), default=0)
    warnings_refreshed = models.PositiveIntegerField(_("open warnings found again"), default=0)

    class Meta(RecordedRun.Meta):
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.area_id} {self.engine} {self.status}"


class ScreenedHousehold(models.Model):
    """A household an incremental screening run screens, written once when it starts and
    removed when it ends: the run's extraction and writing read this short list instead of
    working out again, query by query, which households changed since the last run."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    household_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("household to screen")
        verbose_name_plural = _("households to screen")

    def __str__(self) -> str:
        return f"{self.run_id}: {self.household_id}"


class RiskWarning(models.Model):
    """A household (or member) flagged by a rule, with the evidence, waiting for the
    village to verify it. An open warning is found again, not duplicated, by later runs."""

    # A province's night writes millions of warnings, and refreshes as many: every database
    # foreign-key check is a trigger firing once per row at commit (a quarter of the first
    # night's screening when measured), and every index is written for every new warning.
    # So the database checks no reference: the warning writer, which creates nearly all
    # warnings, joins each finding to its household and rule in the statement that inserts
    # it (a set-wise check); households and rules are never deleted but through the ORM
    # (which applies CASCADE, SET_NULL and PROTECT itself: households are deactivated, rules
    # retired); the runs are not indexed (no page looks warnings up by run), and the member
    # and the decider only where there is one (a new warning writes neither index).
    household = models.ForeignKey(
        "registry.Household", on_delete=models.CASCADE, related_name="warnings", db_constraint=False
    )
    member = models.ForeignKey(
        "registry.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    # 0 for a household-level finding: lets one unique index cover both kinds.
    member_key = models.BigIntegerField(default=0)
    # Indexed below without the text-pattern twin Django gives a text key (never searched by prefix).
    rule = models.ForeignKey(
        ScreeningRule, on_delete=models.PROTECT, related_name="warnings", db_constraint=False, db_index=False
    )
    risk_type = CodeField(_("risk type"), code_list="risk_type", blank=False)
    evidence = models.JSONField(_("evidence"), default=dict)
    first_run = models.ForeignKey(
        ScreeningRun, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    last_run = models.ForeignKey(
        ScreeningRun, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=WarningStatus.choices, default=WarningStatus.NEW
    )
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    deadline = models.DateField(_("verify by"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "rule", "member_key"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="warning_one_open_per_subject",
            )
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="warning_status_deadline_idx"),
            models.Index(fields=["rule"], name="warning_rule_idx"),
            models.Index(
                fields=["member"], name="warning_member_idx", condition=models.Q(member__isnull=False)
            ),
            models.Index(
                fields=["decided_by"],
                name="warning_decider_idx",
                condition=models.Q(decided_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.rule_id} {self.status}"

    @property
    def message(self) -> str:
        return self.rule.message(self.evidence)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.localdate()


class WarningEvent(models.Model):
    """The audit trail of a warning's status: one row per transition."""

    warning = models.ForeignKey(RiskWarning, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=10, choices=WarningStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=WarningStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["warning", "at", "id"]
        verbose_name = _("warning event")
        verbose_name_plural = _("warning events")

    def __str__(self) -> str:
        return f"{self.warning_id}: {self.from_status} → {self.to_status}"
