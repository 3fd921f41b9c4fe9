"""Reads of the funds, scoped to the user's area: a fund is seen in the area that
received it and above; a project's money wherever the project is seen."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from jingzhun.accounts.models import User
from jingzhun.areas.selectors import area_scope_q, code_range_q
from jingzhun.funds.choices import OPEN_FINDING_STATUSES, MovementKind
from jingzhun.funds.models import Fund, FundFinding, FundMonitoringRun, FundMovement
from jingzhun.funds.services import signed_sum
from jingzhun.projects.choices import FUNDABLE_STATES
from jingzhun.projects.models import Project
from jingzhun.projects.selectors import project_scope_q

K = MovementKind


def fund_list(*, user: User, year: int | None = None) -> QuerySet[Fund]:
    """Funds with their allocated and paid totals, summed from the ledger."""
    funds = Fund.objects.filter(area_scope_q(user, "area_id"))
    if year:
        funds = funds.filter(year=year)
    return funds.select_related("area").annotate(
        allocated=signed_sum(K.ALLOCATION, K.ALLOCATION_REVERSAL, "movements__"),
        paid=signed_sum(K.PAYMENT, K.PAYMENT_REVERSAL, "movements__"),
    )


def fund_get(*, user: User, pk: int) -> Fund:
    return fund_list(user=user).get(pk=pk)


def fund_movements(*, fund: Fund) -> QuerySet[FundMovement]:
    return fund.movements.select_related("project", "recorded_by", "reverses").order_by("at", "id")


def movement_get(*, user: User, pk: int) -> FundMovement:
    return FundMovement.objects.select_related("fund", "project").get(
        area_scope_q(user, "fund__area_id"), pk=pk
    )


@dataclass(frozen=True)
class ProjectMoney:
    fund: Fund
    allocated: Decimal
    paid: Decimal

    @property
    def unpaid(self) -> Decimal:
        return self.allocated - self.paid


def project_money(*, user: User, project: Project) -> list[ProjectMoney]:
    """What each fund allocated to and paid for a project the user may see."""
    if not Project.objects.filter(project_scope_q(user), pk=project.pk).exists():
        return []
    rows = (
        FundMovement.objects.filter(project=project)
        .values("fund")
        .annotate(
            allocated=signed_sum(K.ALLOCATION, K.ALLOCATION_REVERSAL),
            paid=signed_sum(K.PAYMENT, K.PAYMENT_REVERSAL),
        )
        .order_by("fund")
    )
    funds = Fund.objects.in_bulk([row["fund"] for row in rows])
    return [ProjectMoney(funds[row["fund"]], row["allocated"], row["paid"]) for row in rows]


def project_movements(*, user: User, project: Project) -> QuerySet[FundMovement]:
    return (
        FundMovement.objects.filter(project_scope_q(user, "project__"), project=project)
        .select_related("fund", "recorded_by", "beneficiary__household")
        .order_by("at", "id")
    )


def fundable_projects(*, fund: Fund) -> QuerySet[Project]:
    """The projects of the fund's area that may receive money now."""
    return Project.objects.filter(code_range_q(fund.area, "area_id"), state__in=sorted(FUNDABLE_STATES))


@dataclass(frozen=True)
class FindingFilters:
    rule: str = ""
    status: str = ""


def finding_list(*, user: User, filters: FindingFilters | None = None) -> QuerySet[FundFinding]:
    """Fund findings of the user's area; open ones unless a status is asked for."""
    filters = filters or FindingFilters()
    findings = FundFinding.objects.filter(area_scope_q(user, "area_id"))
    if filters.status:
        findings = findings.filter(status=filters.status)
    else:
        findings = findings.filter(status__in=sorted(OPEN_FINDING_STATUSES))
    if filters.rule:
        findings = findings.filter(rule_id=filters.rule)
    return findings.select_related("rule", "area", "fund", "project", "household", "decided_by").order_by(
        "rule__sort_order", "area_id", "-id"
    )


def finding_get(*, user: User, pk: int) -> FundFinding:
    return FundFinding.objects.select_related("rule").get(area_scope_q(user, "area_id"), pk=pk)


def monitoring_runs(*, user: User) -> QuerySet[FundMonitoringRun]:
    return FundMonitoringRun.objects.filter(area_scope_q(user, "area_id")).select_related("area")
