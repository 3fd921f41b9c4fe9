"""Reads of the asset ledger, scoped by the village each asset lies in: the village's
detail ledger, the township's and the county's master ledger."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from jingzhun.accounts.models import User
from jingzhun.areas.selectors import area_scope_q
from jingzhun.assets.choices import AssetType
from jingzhun.assets.models import Asset, AssetIncome, Distribution
from jingzhun.core.money import MoneyField
from jingzhun.projects.models import Project
from jingzhun.registry.selectors import head_name_of


@dataclass(frozen=True)
class AssetFilters:
    asset_type: str = ""
    state: str = ""
    village: str = ""
    project: int | None = None


def _sum_of(queryset: QuerySet, field: str = "amount") -> Coalesce:
    return Coalesce(Subquery(queryset.values(field)[:1]), 0, output_field=MoneyField())


def assets_in_scope(*, user: User) -> QuerySet[Asset]:
    return Asset.objects.filter(area_scope_q(user, "village_id"))


def asset_list(*, user: User, filters: AssetFilters | None = None) -> QuerySet[Asset]:
    """The ledger: each asset with the income it earned and what of it was distributed."""
    filters = filters or AssetFilters()
    assets = assets_in_scope(user=user)
    if filters.asset_type:
        assets = assets.filter(asset_type=filters.asset_type)
    if filters.state:
        assets = assets.filter(state=filters.state)
    if filters.village:
        assets = assets.filter(village_id=filters.village)
    if filters.project:
        assets = assets.filter(project_id=filters.project)
    earned = (
        AssetIncome.objects.filter(asset=OuterRef("pk"))
        .order_by()
        .values("asset")
        .annotate(total=Sum("amount"))
    )
    paid_out = (
        Distribution.objects.filter(income__asset=OuterRef("pk"))
        .order_by()
        .values("income__asset")
        .annotate(total=Sum("amount"))
    )
    return assets.select_related("village", "village__parent", "project").annotate(
        income_total=_sum_of(earned, "total"), distributed_total=_sum_of(paid_out, "total")
    )


def asset_get(*, user: User, pk: int) -> Asset:
    return asset_list(user=user).get(pk=pk)


def asset_incomes(*, asset: Asset) -> QuerySet[AssetIncome]:
    return asset.incomes.annotate(
        distributed=Coalesce(Sum("distributions__amount"), 0, output_field=MoneyField())
    )


def income_distributions(*, asset: Asset) -> QuerySet[Distribution]:
    return (
        Distribution.objects.filter(income__asset=asset)
        .select_related("household", "income")
        .annotate(head_name=head_name_of("household"))
        .order_by("-paid_on", "id")
    )


def household_distributions(*, user: User, household_id: int) -> QuerySet[Distribution]:
    """What project assets paid a household (for its page and form)."""
    return (
        Distribution.objects.filter(area_scope_q(user, "household__village_id"), household_id=household_id)
        .select_related("income__asset")
        .order_by("-paid_on", "id")
    )


def project_assets(*, user: User, project: Project) -> QuerySet[Asset]:
    return asset_list(user=user, filters=AssetFilters(project=project.pk))


@dataclass(frozen=True)
class LedgerTotal:
    asset_type: AssetType
    count: int
    value: Decimal


def ledger_totals(assets: QuerySet[Asset]) -> list[LedgerTotal]:
    """Count and value by asset type (for the ledger's head and the dashboards)."""
    rows = assets.order_by().values("asset_type").annotate(count=Count("pk"), value=Sum("value"))
    by_type = {row["asset_type"]: row for row in rows}
    return [
        LedgerTotal(kind, by_type[kind]["count"], by_type[kind]["value"] or Decimal("0"))
        for kind in AssetType
        if kind in by_type
    ]
