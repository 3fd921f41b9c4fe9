"""Funds (资金指标文件) and their ledger: allocations to projects and payments, each a row
that is never changed. Totals are sums of the rows, never stored figures."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.codelists.fields import CodeField
from jingzhun.core.audit import AuditEntry
from jingzhun.core.crypto import BlindIndexField, EncryptedCharField
from jingzhun.funds.choices import MovementKind, PayeeKind
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
