"""The asset ledger (扶贫项目资产台账): what the projects left behind, who owns, runs,
earns from, supervises and keeps each asset (四权分置 and upkeep), the income each
asset earns and its distribution to households. A disposed asset stays in the ledger."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.assets.choices import (
    AssetAction,
    AssetEventKind,
    AssetState,
    AssetType,
    DisposalMode,
    OwnerKind,
)
from jingzhun.core.workflow import TransitionEvent
from jingzhun.projects.models import money_field


class Asset(models.Model):
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("formed by project"),
        on_delete=models.PROTECT,
        related_name="assets",
    )
    name = models.CharField(_("asset name"), max_length=200)
    asset_type = models.CharField(_("asset type"), max_length=20, choices=AssetType.choices)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    unit = models.CharField(_("unit"), max_length=20)
    value = money_field(_("value (yuan)"))
    # Where the asset lies: the village whose ledger holds it (and scopes who sees it).
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    year_formed = models.PositiveSmallIntegerField(_("year formed"))

    # Ownership (所有权).
    owner_kind = models.CharField(_("owner"), max_length=20, choices=OwnerKind.choices)
    owner_name = models.CharField(_("owner's name"), max_length=100)
    owner_household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("owning household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
    )
    # Operation (经营权): who runs it, under which contract, until when.
    operator = models.CharField(_("operated by"), max_length=100, blank=True)
    contract_number = models.CharField(_("operating contract"), max_length=60, blank=True)
    contract_start = models.DateField(_("contract from"), null=True, blank=True)
    contract_end = models.DateField(_("contract until"), null=True, blank=True)
    # Income and distribution (收益权): how income is fixed and shared.
    income_rule = models.TextField(_("income and distribution rule"), blank=True)
    # Supervision (监督权) and upkeep (管护).
    supervisor = models.CharField(_("supervised by"), max_length=100, blank=True)
    custodian = models.CharField(_("kept up by"), max_length=100, blank=True)

    state = models.CharField(
        _("state"), max_length=20, choices=AssetState.choices, default=AssetState.IN_USE, db_index=True
    )
    # Disposal (处置权).
    disposal_mode = models.CharField(_("disposal"), max_length=10, choices=DisposalMode.choices, blank=True)
    disposal_reason = models.TextField(_("reason for disposal"), blank=True)
    disposal_value = money_field(_("disposal proceeds (yuan)"), null=True, blank=True)
    disposed_on = models.DateField(_("disposed on"), null=True, blank=True)

    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        ordering = ["village", "asset_type", "id"]
        verbose_name = _("project asset")
        verbose_name_plural = _("project assets")
        indexes = [models.Index(fields=["village", "state"], name="asset_village_state_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def number(self) -> str:
        return f"ZC{self.year_formed}{self.village_id[:6]}{self.pk or 0:06d}"


class AssetEvent(TransitionEvent):
    """The audit trail of an asset: registration, changes of rights, income, distributions, disposal."""

    ACTION_CHOICES = (AssetAction, AssetEventKind)

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, choices=AssetState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=AssetState.choices)

    class Meta:
        ordering = ["asset", "at", "id"]
        verbose_name = _("asset event")
        verbose_name_plural = _("asset events")

    def __str__(self) -> str:
        return f"{self.asset_id}: {self.action}"


class AssetIncome(models.Model):
    """Income an asset earned in a period (rent, dividends, sales)."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="incomes")
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=40)
    received_on = models.DateField(_("received on"))
    amount = money_field(_("amount (yuan)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["asset", "-received_on", "id"]
        verbose_name = _("asset income")
        verbose_name_plural = _("asset income")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="asset_income_positive")]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.period} {self.amount}"


class Distribution(models.Model):
    """Part of an income paid to one household; never more in all than the income."""

    income = models.ForeignKey(AssetIncome, on_delete=models.PROTECT, related_name="distributions")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="asset_distributions"
    )
    amount = money_field(_("amount (yuan)"))
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["income", "household", "id"]
        verbose_name = _("income distribution")
        verbose_name_plural = _("income distributions")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="distribution_positive")]

    def __str__(self) -> str:
        return f"{self.income_id} {self.household_id} {self.amount}"
