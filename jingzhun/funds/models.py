"""Funds (资金指标文件) and their ledger: allocations to projects and payments, each a row
that is never changed. Totals are sums of the rows, never stored figures."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jingzhun.codelists.fields import CodeField
from jingzhun.core.audit import AuditEntry
from jingzhun.core.crypto import BlindIndexField, EncryptedCharField
from jingzhun.core.runs import RecordedRun
from jingzhun.funds.choices import OPEN_FINDING_STATUSES, FindingStatus, FundEngine, MovementKind, PayeeKind
from jingzhun.projects.choices import FundLevel
from jingzhun.projects.models import money_field
from jingzhun.registry.idnumbers import ID_NUMBER_PURPOSE


class Fund(models.Model):
    """A fund allocation document: an amount from one source, for one area and year."""

    document_number = models.CharField(_("document number"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("fund level"), max_length=12, choices=FundLevel.choices)
    fund_type = CodeField(_("fund type"), code_list="fund_type", blank=False)
    amount = money_field(_("amount (yuan)"))
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("receiving area"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-year", "-issued_on", "id"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fund_amount_positive"),
            models.UniqueConstraint(
                fields=["area", "document_number", "level", "fund_type"], name="fund_document_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_number} {self.title}"


def _voucher_path(instance: FundMovement, filename: str) -> str:
    return f"funds/{instance.fund_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class FundMovement(AuditEntry):
    """One movement of money: allocation of a fund to a project, a payment from it, or
    the reversal of one of those. Append-only and chained like the audit log, and
    kept for good (an accounting record)."""

    PURGEABLE: ClassVar[bool] = False

    kind = models.CharField(_("movement"), max_length=20, choices=MovementKind.choices)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="movements")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="fund_movements")
    amount = money_field(_("amount (yuan)"))
    occurred_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A reversal names the row it reverses; a row is reversed at most once.
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    # Payments: who received the money, and for which household's benefit if it went to one.
    payee_kind = models.CharField(_("payee kind"), max_length=10, choices=PayeeKind.choices, blank=True)
    payee_name = models.CharField(_("payee"), max_length=100, blank=True)
    payee_id_number = EncryptedCharField(
        _("payee's ID number"), max_length=18, blank=True, blind_index="payee_id_index"
    )
    payee_id_index = BlindIndexField(source="payee_id_number", purpose=ID_NUMBER_PURPOSE, db_index=True)
    beneficiary = models.ForeignKey(
        "projects.Beneficiary", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    voucher = models.FileField(_("voucher"), upload_to=_voucher_path, blank=True)
    voucher_name = models.CharField(_("voucher file name"), max_length=200, blank=True)

    class Meta:
        ordering = ["fund", "at", "id"]
        verbose_name = _("fund movement")
        verbose_name_plural = _("fund movements")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fund_movement_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["fund", "project", "kind"], name="fund_movement_fund_project_idx"),
            models.Index(fields=["project", "kind"], name="fund_movement_project_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.occurred_on}"

    @property
    def signed_amount(self) -> Decimal:
        return (
            -self.amount
            if self.kind in (MovementKind.ALLOCATION_REVERSAL, MovementKind.PAYMENT_REVERSAL)
            else self.amount
        )


class FundRule(models.Model):
    """An entry of the fund-monitoring catalogue. The logic is the registered Ibis function
    of the same code (funds.engine.rules); names, messages and whether it is active are
    data, and its thresholds are codelists.Parameter values per province and year."""

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    message_zh = models.CharField(_("message (Chinese)"), max_length=200)
    message_en = models.CharField(_("message (English)"), max_length=200)
    parameters = models.JSONField(_("parameters"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("fund rule")
        verbose_name_plural = _("fund rules")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "zh").startswith("zh") else self.name_en

    def message(self, evidence: dict[str, str]) -> str:
        template = self.message_zh if (get_language() or "zh").startswith("zh") else self.message_en
        return template.format(**{"value": "", "threshold": "", "detail": "", **evidence})


class FundMonitoringRun(RecordedRun):
    """One evaluation of the fund rules over an area, recorded with its progress."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    engine = models.CharField(
        _("engine"), max_length=10, choices=FundEngine.choices, default=FundEngine.DUCKDB
    )
    as_of = models.DateField(_("as of"))
    findings = models.PositiveIntegerField(_("findings"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    resolved = models.PositiveIntegerField(_("no longer found"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("fund monitoring run")
        verbose_name_plural = _("fund monitoring runs")

    def __str__(self) -> str:
        return f"{self.area_id} {self.as_of} {self.status}"


class FundFinding(models.Model):
    """What a fund rule found: a fund, a project, a payment, a household or an area, with the
    evidence; verified (confirmed) or dismissed with a reason, like the household warnings."""

    rule = models.ForeignKey(FundRule, on_delete=models.PROTECT, related_name="findings")
    # The area that answers for it (the project's or the fund's): scopes who sees it.
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.PROTECT, related_name="findings")
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="fund_findings"
    )
    movement = models.ForeignKey(
        FundMovement, null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="fund_findings"
    )
    # The subject as one string (rule and ids), so that a run finds "the same" finding again.
    subject_key = models.CharField(max_length=120)
    evidence = models.JSONField(_("evidence"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN, db_index=True
    )
    first_run = models.ForeignKey(FundMonitoringRun, on_delete=models.PROTECT, related_name="+")
    last_run = models.ForeignKey(FundMonitoringRun, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["status", "rule", "-id"]
        verbose_name = _("fund finding")
        verbose_name_plural = _("fund findings")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_key"],
                condition=models.Q(status__in=["open", "confirmed"]),
                name="fund_finding_one_open_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.subject_key}"

    @property
    def message(self) -> str:
        return self.rule.message(self.evidence)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_FINDING_STATUSES
