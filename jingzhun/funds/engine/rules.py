"""The dynamic fund-monitoring rules (资金动态监控), each one Ibis expression over the
fund snapshot, compiled alike to DuckDB, PostgreSQL and Spark SQL (the household
warnings' way: monitoring.engine). A rule returns its subjects with the evidence:
``value`` (what was measured), ``threshold`` (what it was held against), ``detail``.
Adding a rule is one function here plus a row of the catalogue (data)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import ibis
import ibis.expr.types as ir

from jingzhun.funds.engine.tables import RESULT_COLUMNS

EVIDENCE_TYPE = "decimal(18, 4)"
# The ledger's kinds (funds.choices.MovementKind), as the engine sees them: plain text.
ALLOCATION, ALLOCATION_REVERSAL = "allocation", "allocation_reversal"
PAYMENT, PAYMENT_REVERSAL = "payment", "payment_reversal"


@dataclass(frozen=True)
class FundParameters:
    """Thresholds in force for one province and year (Decimal), and the code sets the rules need."""

    values: dict[str, Decimal]
    industry_categories: tuple[str, ...] = ("01",)
    planned_states: tuple[str, ...] = ("planned",)
    accepted_state: str = "accepted"
    central_level: str = "central"

    def __getitem__(self, key: str) -> Decimal:
        return self.values[key]


@dataclass(frozen=True)
class FundSnapshot:
    funds: ir.Table
    movements: ir.Table
    projects: ir.Table
    beneficiaries: ir.Table
    people: ir.Table
    assets: ir.Table
    as_of: datetime.date

    # Built once and shared by the rules: one common table expression in the compiled
    # query instead of a copy per rule.
    @cached_property
    def standing(self) -> ir.Table:
        return standing(self.movements)

    @cached_property
    def net(self) -> ir.Table:
        return net_by_fund_and_project(self.standing)


FundRuleFunction = Callable[[FundSnapshot, FundParameters], ir.Table]
FUND_RULE_FUNCTIONS: dict[str, FundRuleFunction] = {}


def fund_rule(code: str) -> Callable[[FundRuleFunction], FundRuleFunction]:
    def register(function: FundRuleFunction) -> FundRuleFunction:
        if code in FUND_RULE_FUNCTIONS:
            raise ValueError(f"fund rule {code} registered twice")
        FUND_RULE_FUNCTIONS[code] = function
        return function

    return register


def _yuan(fen: ir.Value) -> ir.Value:
    return (fen.cast("decimal(20, 0)") / 100).cast(EVIDENCE_TYPE)


def _evidence(value: object) -> ir.Value:
    return ibis.literal(value).cast(EVIDENCE_TYPE)


def _null(kind: str) -> ir.Value:
    return ibis.null().cast(kind)


def _result(table: ir.Table, **columns: ir.Value) -> ir.Table:
    """The rule's rows in the common shape; subject columns not given are null."""
    defaults = {
        "area_id": _null("string"),
        "fund_id": _null("int64"),
        "project_id": _null("int64"),
        "movement_id": _null("int64"),
        "household_id": _null("int64"),
        "detail": ibis.literal(""),
    }
    values = {**defaults, **columns}
    return table.select(**{name: values[name] for name in RESULT_COLUMNS if name != "rule"})


def standing(movements: ir.Table) -> ir.Table:
    """Allocations and payments not reversed since."""
    reversed_ids = movements.filter(movements.reverses_id.notnull()).select(reversed_id=movements.reverses_id)
    originals = movements.filter(movements.kind.isin([ALLOCATION, PAYMENT]))
    return originals.filter(~originals.id.isin(reversed_ids.reversed_id))


def net_by_fund_and_project(kept: ir.Table) -> ir.Table:
    """Per fund and project: allocated and paid (fen, net of reversals: ``kept`` is the
    standing movements) and the last movement's date."""
    return kept.group_by(["fund_id", "project_id"]).aggregate(
        allocated=(kept.kind == ALLOCATION).ifelse(kept.amount, 0).sum(),
        paid=(kept.kind == PAYMENT).ifelse(kept.amount, 0).sum(),
        last_movement=kept.occurred_on.max(),
    )


def _days_before(day: datetime.date, days: Decimal | int) -> datetime.date:
    return day - datetime.timedelta(days=int(days))


@fund_rule("FUND_IDLE")
def fund_idle(snapshot: FundSnapshot, parameters: FundParameters) -> ir.Table:
    """Money allocated to a project but not paid, with nothing moved for more than N days."""
    days = parameters["fund_idle_days"]
    net = snapshot.net
    idle = net.filter((net.allocated > net.paid) & (net.last_movement < _days_before(snapshot.as_of, days)))
    projects = snapshot.projects
    idle = idle.join(projects, idle.project_id == projects.id)
    return _result(
        idle,
        area_id=idle.area_id,
        fund_id=idle.fund_id,
        project_id=idle.project_id,
        value=_yuan(idle.allocated - idle.paid),
        threshold=_evidence(days),
        detail=idle.last_movement.cast("string"),
    )


@fund_rule("PROJECT_NOT_STARTED")
def project_not_started(snapshot: FundSnapshot, parameters: FundParameters) -> ir.Table:
    """A project in the year's plan whose works have not started some days after the planned start."""
    grace = parameters["project_start_grace_days"]
    projects = snapshot.projects
    late = projects.filter(
        projects.state.isin(list(parameters.planned_states))
        & projects.started_on.isnull()
        & (projects.planned_start < _days_before(snapshot.as_of, grace))
    )
    return _result(
        late,
        area_id=late.area_id,
        project_id=late.id,
        value=_evidence(0),
        threshold=_evidence(grace),
        detail=late.planned_start.cast("string"),
    )


def spending_target(as_of: datetime.date, parameters: FundParameters) -> Decimal:
    """The share of this year's funds that must be paid by ``as_of``: the target of the
    last quarter that has ended (none before the end of the first quarter)."""
    ended = [q for q in (1, 2, 3, 4) if as_of >= datetime.date(as_of.year, 3 * q, 28 if q == 1 else 30)]
    return parameters[f"fund_spending_target_q{ended[-1]}"] if ended else Decimal("0")


@fund_rule("SPENDING_BEHIND")
def spending_behind(snapshot: FundSnapshot, parameters: FundParameters) -> ir.Table:
    """A fund whose paid share is below the target for the date (last year's funds: all of it)."""
    target_now = spending_target(snapshot.as_of, parameters)
    funds = snapshot.funds
    net = snapshot.net
    paid = net.group_by("fund_id").aggregate(paid=net.paid.sum())
    joined = funds.left_join(paid, funds.id == paid.fund_id)
    paid_fen = joined.paid.fill_null(0)
    target = ibis.cases(
        (joined.year < snapshot.as_of.year, _evidence(1)),
        (joined.year == snapshot.as_of.year, _evidence(target_now)),
        else_=_evidence(0),
    )
    # Compared in whole numbers: paid × 10,000 against the target in basis points × amount.
    basis_points = (target * 10000).cast("int64")
    behind = joined.mutate(target=target, basis_points=basis_points, paid_fen=paid_fen).filter(
        lambda t: (t.basis_points > 0) & (t.paid_fen * 10000 < t.basis_points * t.amount)
    )
    return _result(
        behind,
        area_id=behind.area_id,
        fund_id=behind.id,
        value=((behind.paid_fen.cast("decimal(24, 4)") / behind.amount).cast(EVIDENCE_TYPE)),
        threshold=behind.target.cast(EVIDENCE_TYPE),
    )


@fund_rule("PAYEE_NOT_BENEFICIARY")
def payee_not_beneficiary(snapshot: FundSnapshot, parameters: FundParameters) -> ir.Table:
    """A payment to a person of the register whose household does not benefit from the project."""
    payments = snapshot.standing
    payments = payments.filter((payments.kind == PAYMENT) & (payments.payee_id_index != ""))
    people = snapshot.people.filter(snapshot.people.id_number_index != "").distinct()
    paid = payments.join(people, payments.payee_id_index == people.id_number_index)
    beneficiaries = snapshot.beneficiaries.select(
        b_project=snapshot.beneficiaries.project_id, b_household=snapshot.beneficiaries.household_id
    ).distinct()
    matched = paid.left_join(
        beneficiaries,
        (paid.project_id == beneficiaries.b_project) & (paid.household_id == beneficiaries.b_household),
    )
    strangers = matched.filter(matched.b_project.isnull())
    projects = snapshot.projects.select(p_id=snapshot.projects.id, p_area=snapshot.projects.area_id)
    strangers = strangers.join(projects, strangers.project_id == projects.p_id)
    return _result(
        strangers,
        area_id=strangers.p_area,
        fund_id=strangers.fund_id,
        project_id=strangers.project_id,
        movement_id=strangers.id,
        household_id=strangers.household_id,
        value=_yuan(strangers.amount),
        threshold=_evidence(0),
        detail=strangers.occurred_on.cast("string"),
    )


@fund_rule("PAID_TWICE")
def paid_twice(snapshot: FundSnapshot, parameters: FundParameters) -> ir.Table:
    """The same household paid more than once for one benefit of one project."""
    payments = snapshot.standing
    payments = payments.filter((payments.kind == PAYMENT) & payments.beneficiary_id.notnull())
    beneficiaries = snapshot.beneficiaries
    joined = payments.join(beneficiaries, payments.beneficiary_id == beneficiaries.id)
    groups = joined.group_by([joined.project_id, joined.household_id, joined.benefit_type]).aggregate(
        times=joined.id.count(), total=joined.amount.sum()
    )
    twice = groups.filter(groups.times > 1)
    projects = snapshot.projects.select(p_id=snapshot.projects.id, p_area=snapshot.projects.area_id)
    twice = twice.join(projects, twice.project_id == projects.p_id)
    return _result(
        twice,
        area_id=twice.p_area,
        project_id=twice.project_id,
        household_id=twice.household_id,
        value=_evidence_of_count(twice.times),
        threshold=_evidence(1),
        detail=twice.benefit_type,
    )


def _evidence_of_count(count: ir.Value) -> ir.Value:
    return count.cast("int64").cast(EVIDENCE_TYPE)


@fund_rule("ACCEPTED_WITHOUT_ASSETS")
def accepted_without_assets(snapshot: FundSnapshot, parameters: FundParameters) -> ir.Table:
    """A project accepted some days ago with no asset registered in the ledger."""
    grace = parameters["asset_registration_days"]
    projects = snapshot.projects
    with_assets = snapshot.assets.select(asset_project=snapshot.assets.project_id)
    missing = projects.filter(
        (projects.state == parameters.accepted_state)
        & (projects.accepted_on < _days_before(snapshot.as_of, grace))
        & ~projects.id.isin(with_assets.asset_project)
    )
    return _result(
        missing,
        area_id=missing.area_id,
        project_id=missing.id,
        value=_evidence(0),
        threshold=_evidence(grace),
        detail=missing.accepted_on.cast("string"),
    )


@fund_rule("INDUSTRY_SHARE_LOW")
def industry_share_low(snapshot: FundSnapshot, parameters: FundParameters) -> ir.Table:
    """Less than the required share of an area's central funds of a year allocated to industry projects."""
    minimum = parameters["central_industry_share_min"]
    funds = snapshot.funds.filter(snapshot.funds.level == parameters.central_level)
    net = snapshot.net
    projects = snapshot.projects.select(p_id=snapshot.projects.id, category=snapshot.projects.category)
    rows = net.join(funds, net.fund_id == funds.id).join(projects, net.project_id == projects.p_id)
    industry = rows.category.isin(list(parameters.industry_categories))
    shares = rows.group_by([rows.area_id, rows.year]).aggregate(
        total=rows.allocated.sum(), to_industry=industry.ifelse(rows.allocated, 0).sum()
    )
    basis_points = int(minimum * 10000)
    low = shares.filter((shares.total > 0) & (shares.to_industry * 10000 < shares.total * basis_points))
    return _result(
        low,
        area_id=low.area_id,
        value=(low.to_industry.cast("decimal(24, 4)") / low.total).cast(EVIDENCE_TYPE),
        threshold=_evidence(minimum),
        detail=low.year.cast("string"),
    )
