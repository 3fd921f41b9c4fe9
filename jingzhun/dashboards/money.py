"""The dashboard's money panel: funds by level (received, allocated, paid, the share paid
against the target for the date), projects by category and by step, assets by type
with their value, and the income distributed. Summed live from the ledgers of the
area (a county has hundreds of projects, not millions); every number opens its list."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import areas_by_prefix, child_prefix, code_range_q
from jingzhun.assets.models import AssetIncome, Distribution
from jingzhun.assets.selectors import LedgerTotal, assets_in_scope, ledger_totals
from jingzhun.codelists.selectors import code_label
from jingzhun.core.money import ZERO
from jingzhun.funds.choices import MovementKind
from jingzhun.funds.engine.rules import spending_target
from jingzhun.funds.models import FundMovement
from jingzhun.funds.monitoring import fund_parameters
from jingzhun.funds.selectors import fund_list
from jingzhun.funds.services import signed_sum
from jingzhun.projects.choices import FundLevel, ProjectState
from jingzhun.projects.models import BudgetLine, Project
from jingzhun.projects.selectors import project_scope_q


@dataclass(frozen=True)
class FundLevelRow:
    level: FundLevel
    amount: Decimal
    allocated: Decimal
    paid: Decimal

    @property
    def share_paid(self) -> int:
        return int(self.paid * 100 / self.amount) if self.amount else 0


@dataclass(frozen=True)
class CountLink:
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class MoneySummary:
    funds: list[FundLevelRow]
    target_percent: int
    projects_by_category: list[CountLink]
    projects_by_state: list[CountLink]
    assets: list[LedgerTotal]
    income: Decimal
    distributed: Decimal

    @property
    def is_empty(self) -> bool:
        return not (self.funds or self.projects_by_state or self.assets)


def money_summary(*, user: User, area: Area) -> MoneySummary:
    today = timezone.localdate()
    province = area.code[:2]
    rows: dict[str, list[Decimal]] = {}
    for fund in fund_list(user=user, year=today.year).filter(code_range_q(area, "area_id")):
        totals = rows.setdefault(fund.level, [ZERO, ZERO, ZERO])
        totals[0] += fund.amount
        totals[1] += fund.allocated  # type: ignore[attr-defined]
        totals[2] += fund.paid  # type: ignore[attr-defined]
    funds = [FundLevelRow(FundLevel(level), *rows[level]) for level in FundLevel if level in rows]
    target = spending_target(today, fund_parameters(province=province, as_of=today))
    projects = Project.objects.filter(project_scope_q(user), code_range_q(area, "area_id"))
    list_url = reverse("projects:list")
    by_category = [
        CountLink(
            code_label("project_category", row["category"], province=province),
            row["n"],
            f"{list_url}?{urlencode({'category': row['category']})}",
        )
        for row in projects.order_by("category").values("category").annotate(n=Count("pk"))
    ]
    counts = dict(projects.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    by_state = [
        CountLink(str(state.label), counts[state], f"{list_url}?{urlencode({'state': state.value})}")
        for state in ProjectState
        if state in counts
    ]
    assets = assets_in_scope(user=user).filter(code_range_q(area, "village_id"))
    income = AssetIncome.objects.filter(asset__in=assets).aggregate(total=Sum("amount"))["total"] or ZERO
    distributed = (
        Distribution.objects.filter(income__asset__in=assets).aggregate(total=Sum("amount"))["total"] or ZERO
    )
    return MoneySummary(
        funds=funds,
        target_percent=int(target * 100),
        projects_by_category=by_category,
        projects_by_state=by_state,
        assets=ledger_totals(assets),
        income=income,
        distributed=distributed,
    )


def funds_chart(summary: MoneySummary) -> dict[str, object]:
    """Funds by level side by side: received, allocated, paid (yuan as text: no float on the way)."""
    url = reverse("funds:list")
    return {
        "id": "chart-funds",
        "type": "grouped",
        "title": "",
        "labels": [str(row.level.label) for row in summary.funds],
        "series": [
            {
                "name": name,
                "values": [str(getattr(row, attribute)) for row in summary.funds],
                "urls": [url] * len(summary.funds),
            }
            for name, attribute in (
                (str(_("Funds received (yuan)")), "amount"),
                (str(_("Allocated to projects")), "allocated"),
                (str(_("Paid")), "paid"),
            )
        ],
    }


@dataclass(frozen=True)
class ChildMoney:
    """One child area's projects and money, a row of the drill-down."""

    area: Area
    projects: int
    budget: Decimal
    allocated: Decimal
    paid: Decimal
    assets_value: Decimal

    @property
    def url(self) -> str:
        return reverse("dashboards:dashboard", args=[self.area.code])


def money_children(*, user: User, area: Area) -> list[ChildMoney]:
    """Projects, their budget, what funds allocated to and paid for them, and asset value,
    per child area of ``area`` (a village has none): four grouped queries."""
    if area.level >= AreaLevel.VILLAGE:
        return []
    projects = Project.objects.filter(project_scope_q(user), code_range_q(area, "area_id"))
    counts = dict(
        projects.order_by()
        .values(prefix=child_prefix(area, "area_id"))
        .annotate(n=Count("pk"))
        .values_list("prefix", "n")
    )
    budgets = dict(
        BudgetLine.objects.filter(project__in=projects)
        .order_by()
        .values(prefix=child_prefix(area, "project__area_id"))
        .annotate(total=Sum("amount"))
        .values_list("prefix", "total")
    )
    money: dict[str, dict[str, Any]] = {
        row["prefix"]: dict(row)
        for row in FundMovement.objects.filter(project__in=projects)
        .order_by()
        .values(prefix=child_prefix(area, "project__area_id"))
        .annotate(
            allocated=signed_sum(MovementKind.ALLOCATION, MovementKind.ALLOCATION_REVERSAL),
            paid=signed_sum(MovementKind.PAYMENT, MovementKind.PAYMENT_REVERSAL),
        )
    }
    values = dict(
        assets_in_scope(user=user)
        .filter(code_range_q(area, "village_id"))
        .order_by()
        .values(prefix=child_prefix(area, "village_id"))
        .annotate(total=Sum("value"))
        .values_list("prefix", "total")
    )
    prefixes = sorted(set(counts) | set(values))
    areas = areas_by_prefix(prefixes)
    return [
        ChildMoney(
            area=areas[prefix],
            projects=counts.get(prefix, 0),
            budget=budgets.get(prefix) or ZERO,
            allocated=money.get(prefix, {}).get("allocated", ZERO),
            paid=money.get(prefix, {}).get("paid", ZERO),
            assets_value=values.get(prefix) or ZERO,
        )
        for prefix in prefixes
        if prefix in areas
    ]
