"""The screening rules, each one Ibis expression over the snapshot.

A rule receives the snapshot tables and the parameters in force and returns
the households (and members) that trigger it, with the evidence: ``value``
(what was measured), ``threshold`` (what it was compared with) and ``detail``.
The same expression compiles to DuckDB, PostgreSQL and Spark SQL. Adding a
rule is one function here plus a row of the rule catalogue (data).

This module and the household conditions it uses (registry.conditions) import no
model: the engine runs on tables, not the ORM.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from jingzhun.registry.conditions import (
    INCOME_AT_OR_BELOW_LINE,
    OUT_OF_SCHOOL,
    SCHOOL_AGE,
    UNINSURED,
    UNSAFE_HOUSE,
    UNSAFE_WATER,
    ConditionTerms,
    age_on,
)

MONEY_TYPE = "decimal(14, 2)"


@dataclass(frozen=True)
class Parameters:
    """Thresholds (Decimal) and code sets in force for one province and year; the
    household conditions' own terms (registry.conditions) in ``conditions``."""

    values: dict[str, Decimal]
    conditions: ConditionTerms
    worker_skills: tuple[str, ...] = ("1", "2")
    lifted_out_attributes: tuple[str, ...] = ("05", "06", "07", "08")
    extra: dict[str, object] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Decimal:
        return self.values[key]

    def terms(self, snapshot: Snapshot) -> ConditionTerms:
        """The condition terms on the snapshot's day (ages are counted on it)."""
        return replace(self.conditions, as_of=snapshot.as_of)


@dataclass(frozen=True)
class Snapshot:
    households: ir.Table
    members: ir.Table
    incomes: ir.Table
    conditions: ir.Table
    records: ir.Table  # department records inside the look-back window
    as_of: datetime.date
    income_year: int


RuleFunction = Callable[[Snapshot, Parameters], ir.Table]
RULE_FUNCTIONS: dict[str, RuleFunction] = {}


def screening_rule(code: str) -> Callable[[RuleFunction], RuleFunction]:
    def register(function: RuleFunction) -> RuleFunction:
        if code in RULE_FUNCTIONS:
            raise ValueError(f"screening rule {code} registered twice")
        RULE_FUNCTIONS[code] = function
        return function

    return register


def money(value: Decimal | int | float | str) -> ir.Value:
    return ibis.literal(Decimal(str(value)).quantize(Decimal("0.01")), type=MONEY_TYPE)


NO_MONEY = ibis.null(MONEY_TYPE)


def result(
    table: ir.Table,
    *,
    household: ir.Value,
    member: ir.Value | None = None,
    value: ir.Value | None = None,
    threshold: ir.Value | None = None,
    detail: ir.Value | str = "",
) -> ir.Table:
    """The common shape of every rule's output."""
    return table.select(
        household_id=household.cast("int64"),
        member_id=(member if member is not None else ibis.literal(0)).cast("int64"),
        value=(value if value is not None else NO_MONEY).cast(MONEY_TYPE),
        threshold=(threshold if threshold is not None else NO_MONEY).cast(MONEY_TYPE),
        detail=ibis.literal(detail) if isinstance(detail, str) else detail.cast("string"),
    )


def _records(snapshot: Snapshot, dataset: str, kinds: tuple[str, ...] | None = None) -> ir.Table:
    records = snapshot.records.filter(snapshot.records.dataset_type == dataset)
    if kinds is not None:
        records = records.filter(records.kind.isin(kinds))
    return records


def _income(snapshot: Snapshot, year: int) -> ir.Table:
    return snapshot.incomes.filter(snapshot.incomes.year == year)


@screening_rule("INCOME_BELOW_LINE")
def income_below_line(s: Snapshot, p: Parameters) -> ir.Table:
    income = _income(s, s.income_year)
    terms = p.terms(s)
    low = income.filter(INCOME_AT_OR_BELOW_LINE.ibis(income, terms))
    line = money(terms.income_line)
    return result(low, household=low.household_id, value=low.per_capita_net_income, threshold=line)


@screening_rule("RIGID_EXPENDITURE")
def rigid_expenditure(s: Snapshot, p: Parameters) -> ir.Table:
    spending = s.records.filter(s.records.dataset_type.isin(("medical", "education")))
    totals = spending.group_by("household_id").aggregate(spent=spending.amount_out_of_pocket.sum())
    income = _income(s, s.income_year)
    joined = totals.join(income, "household_id")
    over = joined.filter(joined.spent > joined.net_income)
    return result(over, household=over.household_id, value=over.spent, threshold=over.net_income)


@screening_rule("INCOME_FALL")
def income_fall(s: Snapshot, p: Parameters) -> ir.Table:
    current = _income(s, s.income_year).select("household_id", current=ibis._.per_capita_net_income)
    previous = _income(s, s.income_year - 1).select("household_id", previous=ibis._.per_capita_net_income)
    joined = current.join(previous, "household_id")
    # Exact integer arithmetic (no division) so that every engine agrees to the fen:
    # current < previous × (100 − percent) / 100  ⇔  current × 10000 < previous × kept basis points.
    kept_basis_points = int((Decimal(100) - p["income_fall_percent"]) * 100)
    fell = joined.filter(
        (joined.previous > money(0)) & (joined.current * 10000 < joined.previous * kept_basis_points)
    )
    return result(
        fell,
        household=fell.household_id,
        value=fell.current,
        threshold=fell.previous,
        detail=f"{p['income_fall_percent'].normalize():f}%",
    )


@screening_rule("HOSPITAL_OUT_OF_POCKET")
def hospital_out_of_pocket(s: Snapshot, p: Parameters) -> ir.Table:
    stays = _records(s, "medical", ("inpatient",))
    totals = stays.group_by("household_id").aggregate(spent=stays.amount_out_of_pocket.sum())
    joined = totals.join(s.households, totals.household_id == s.households.id)
    threshold = ibis.ifelse(
        joined.attribute.isin(p.lifted_out_attributes),
        money(p["hospital_oop_lifted_out"]),
        money(p["hospital_oop_ordinary"]),
    )
    over = joined.mutate(allowed=threshold)
    over = over.filter(over.spent >= over.allowed)
    return result(over, household=over.household_id, value=over.spent, threshold=over.allowed)


@screening_rule("OUTPATIENT_MONTHLY")
def outpatient_monthly(s: Snapshot, p: Parameters) -> ir.Table:
    visits = _records(s, "medical", ("outpatient",))
    visits = visits.mutate(month=visits.event_date.year() * 100 + visits.event_date.month())
    monthly = visits.group_by(["household_id", "month"]).aggregate(spent=visits.amount_out_of_pocket.sum())
    limit = money(p["outpatient_monthly"])
    over = monthly.filter(monthly.spent >= limit)
    worst = over.group_by("household_id").aggregate(spent=over.spent.max())
    return result(worst, household=worst.household_id, value=worst.spent, threshold=limit)


@screening_rule("SCHOOLING_COST")
def schooling_cost(s: Snapshot, p: Parameters) -> ir.Table:
    costs = _records(s, "education")
    totals = costs.group_by("household_id").aggregate(spent=costs.amount_out_of_pocket.sum())
    limit = money(p["schooling_cost_after_aid"])
    over = totals.filter(totals.spent > limit)
    return result(over, household=over.household_id, value=over.spent, threshold=limit)


@screening_rule("CHILD_NOT_ENROLLED")
def child_not_enrolled(s: Snapshot, p: Parameters) -> ir.Table:
    terms = p.terms(s)
    members = s.members.mutate(age=age_on(s.members.birth_date, s.as_of))
    children = members.filter(SCHOOL_AGE.ibis(members, terms))
    reported = _records(s, "education", ("not_enrolled",)).select(reported_member=ibis._.member_id).distinct()
    joined = children.left_join(reported, children.id == reported.reported_member)
    flagged = joined.filter(OUT_OF_SCHOOL.ibis(joined, terms) | joined.reported_member.notnull())
    return result(
        flagged,
        household=flagged.household_id,
        member=flagged.id,
        value=flagged.age.cast(MONEY_TYPE),
        detail=ibis.ifelse(flagged.reported_member.notnull(), "education_data", "register"),
    )


@screening_rule("NO_MEDICAL_INSURANCE")
def no_medical_insurance(s: Snapshot, p: Parameters) -> ir.Table:
    m = s.members
    uninsured = m.filter(UNINSURED.ibis(m, p.terms(s)))
    return result(uninsured, household=uninsured.household_id, member=uninsured.id)


@screening_rule("HOUSING_UNSAFE")
def housing_unsafe(s: Snapshot, p: Parameters) -> ir.Table:
    c, terms = s.conditions, p.terms(s)
    in_register = c.filter(UNSAFE_HOUSE.ibis(c, terms)).select("household_id", grade=c.house_grade)
    appraisals = _records(s, "housing")
    latest = appraisals.group_by("household_id").aggregate(last=appraisals.event_date.max())
    last = appraisals.join(
        latest, (appraisals.household_id == latest.household_id) & (appraisals.event_date == latest.last)
    ).mutate(house_grade=ibis._.grade)  # the appraisal's grade, judged as the register's
    appraised = last.filter(UNSAFE_HOUSE.ibis(last, terms)).select("household_id", grade=last.grade)
    unsafe = in_register.union(appraised).group_by("household_id").aggregate(grade=ibis._.grade.max())
    return result(unsafe, household=unsafe.household_id, detail=unsafe.grade)


@screening_rule("UNSAFE_WATER")
def unsafe_water(s: Snapshot, p: Parameters) -> ir.Table:
    c = s.conditions
    register = c.filter(UNSAFE_WATER.ibis(c, p.terms(s)))
    register = register.select("household_id", source=ibis.literal("register"))
    failed = _records(s, "water").filter(ibis._.flags.contains("false"))
    by_household = failed.filter(failed.household_id.notnull()).select(
        "household_id", source=ibis.literal("water_data")
    )
    by_village = failed.filter(failed.household_id.isnull())
    villages = s.households.join(by_village, s.households.village_id == by_village.village_code)
    by_village_households = villages.select(household_id=villages.id, source=ibis.literal("water_data"))
    unsafe = register.union(by_household).union(by_village_households)
    unsafe = unsafe.group_by("household_id").aggregate(source=unsafe.source.min())
    return result(unsafe, household=unsafe.household_id, detail=unsafe.source)


@screening_rule("DISABLED_WITHOUT_SUBSIDY")
def disabled_without_subsidy(s: Snapshot, p: Parameters) -> ir.Table:
    m = s.members
    registry = _records(s, "disability")
    registered = registry.select(disabled_member=registry.member_id).distinct()
    subsidised = (
        _records(s, "disability", ("living", "nursing")).select(subsidised=ibis._.member_id).distinct()
    )
    joined = m.left_join(registered, m.id == registered.disabled_member)
    joined = joined.left_join(subsidised, joined.id == subsidised.subsidised)
    flagged = joined.filter(
        (joined.health.contains('"4"') | joined.disabled_member.notnull()) & joined.subsidised.isnull()
    )
    return result(flagged, household=flagged.household_id, member=flagged.id)


@screening_rule("NO_LABOUR_NO_ASSISTANCE")
def no_labour_no_assistance(s: Snapshot, p: Parameters) -> ir.Table:
    m = s.members
    per_household = m.group_by("household_id").aggregate(
        workers=m.labour_skill.isin(p.worker_skills).sum(),
        assisted=(m.has_minimum_allowance | m.has_extreme_poverty_support).sum(),
    )
    assistance = _records(s, "civil_affairs", ("minimum_allowance", "extreme_poverty"))
    covered = assistance.select(covered=assistance.household_id).distinct()
    joined = per_household.left_join(covered, per_household.household_id == covered.covered)
    flagged = joined.filter((joined.workers == 0) & (joined.assisted == 0) & joined.covered.isnull())
    return result(flagged, household=flagged.household_id)


@screening_rule("MAIN_EARNER_LOSS")
def main_earner_loss(s: Snapshot, p: Parameters) -> ir.Table:
    workers = s.members.filter(s.members.labour_skill.isin(p.worker_skills))
    deaths = _records(s, "public_security", ("death",)).select(dead=ibis._.member_id).distinct()
    died = workers.join(deaths, workers.id == deaths.dead).select(
        "household_id", "id", detail=ibis.literal("death")
    )
    stays = _records(s, "medical", ("inpatient",)).select(patient=ibis._.member_id).distinct()
    ill = workers.filter(workers.health.contains('"3"'))
    ill = ill.join(stays, ill.id == stays.patient).select(
        "household_id", "id", detail=ibis.literal("serious_illness")
    )
    lost = died.union(ill).group_by(["household_id", "id"]).aggregate(detail=ibis._.detail.min())
    return result(lost, household=lost.household_id, member=lost.id, detail=lost.detail)


@screening_rule("DISASTER_LOSS")
def disaster_loss(s: Snapshot, p: Parameters) -> ir.Table:
    reports = _records(s, "disaster").filter(ibis._.household_id.notnull())
    totals = reports.group_by("household_id").aggregate(loss=reports.amount.sum(), kind=reports.kind.max())
    limit = money(p["disaster_loss_min"])
    over = totals.filter(totals.loss >= limit)
    return result(over, household=over.household_id, value=over.loss, threshold=limit, detail=over.kind)


@screening_rule("RETURNED_UNEMPLOYED")
def returned_unemployed(s: Snapshot, p: Parameters) -> ir.Table:
    hr = _records(s, "human_resources")
    events = hr.group_by(["household_id", "member_id"]).aggregate(
        returned=hr.event_date.max(where=hr.kind == "migrant_end"),
        left_again=hr.event_date.max(where=hr.kind == "migrant_start"),
        unemployed=hr.event_date.max(where=hr.kind == "unemployed"),
    )
    flagged = events.filter(
        events.returned.notnull()
        & events.unemployed.notnull()
        & (events.left_again.isnull() | (events.left_again < events.returned))
    )
    return result(flagged, household=flagged.household_id, member=flagged.member_id)
