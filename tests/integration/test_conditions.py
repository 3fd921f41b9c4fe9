"""Each household condition gives the same households through every consumer, on a
generated county: its three forms (Ibis, Django Q, one record), the screening rules, the
dashboard facts, the data-quality rules and the risk-elimination check."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jingzhun.areas.models import Area
from jingzhun.cases.conditions import elimination_conditions
from jingzhun.dashboards.models import HouseholdFact
from jingzhun.dashboards.services import aggregate_refresh
from jingzhun.demo.generator import CountyGenerator
from jingzhun.monitoring import services
from jingzhun.monitoring.engine import runner
from jingzhun.monitoring.engine.rules import RULE_FUNCTIONS
from jingzhun.monitoring.snapshot import export_snapshot
from jingzhun.quality.selectors import find_issues
from jingzhun.registry.conditions import (
    CONDITIONS,
    INCOME_AT_OR_BELOW_LINE,
    INSURANCE_NOT_EXACTLY_ONE,
    OUT_OF_SCHOOL,
    UNINSURED,
    UNSAFE_HOUSE,
    UNSAFE_WATER,
    condition_terms,
)
from jingzhun.registry.models import Household, IncomeRecord, LivingConditions, Member, MonitoringObject

pytestmark = pytest.mark.django_db

MODELS = {"member": Member, "conditions": LivingConditions, "income": IncomeRecord}
SNAPSHOT_TABLES = {"member": "members", "conditions": "conditions", "income": "incomes"}


@pytest.fixture
def county(tmp_path):
    county = Area.objects.get(code="150124000000")
    today = timezone.localdate()
    CountyGenerator(county=county, households=300, seed=23, reference=today).generate()
    # A few households at the edges: income exactly on the line, a grade not yet appraised.
    terms = condition_terms(province="15", as_of=today)
    on_the_line = IncomeRecord.objects.filter(year=today.year - 1).order_by("pk")[:3]
    IncomeRecord.objects.filter(pk__in=[r.pk for r in on_the_line]).update(
        per_capita_net_income=terms.income_line
    )
    LivingConditions.objects.filter(pk__in=LivingConditions.objects.order_by("pk")[:4]).update(house_grade="")
    # The generated county insures everyone: a few members of monitored households lapsed.
    monitored = MonitoringObject.objects.filter(risk_eliminated=False).values("household_id")
    lapsed = Member.objects.filter(household_id__in=monitored).order_by("pk")[:3]
    Member.objects.filter(pk__in=[m.pk for m in lapsed]).update(
        resident_medical_insurance=False, employee_medical_insurance=False
    )
    connection, tables = runner.duckdb_tables(export_snapshot(tmp_path, area=county))
    yield county, today, tables
    connection.disconnect()


def _household_of(record_kind: str, ids: set[int]) -> set[int]:
    if record_kind == "member":
        return set(Member.objects.filter(pk__in=ids).values_list("household_id", flat=True))
    return set(MODELS[record_kind].objects.filter(pk__in=ids).values_list("household_id", flat=True))


# How a record is named in the register and in the snapshot (which has no key of its own
# for living conditions and incomes).
KEYS = {"member": ("id",), "conditions": ("household_id",), "income": ("household_id", "year")}


def test_the_three_forms_of_every_condition_agree(county):
    _county, today, tables = county
    terms = condition_terms(province="15", as_of=today)
    for condition in CONDITIONS.values():
        model, key = MODELS[condition.record], KEYS[condition.record]

        def named(record, key=key):
            return tuple(getattr(record, name) for name in key)

        by_q = {named(record) for record in model.objects.filter(condition.q(terms))}
        by_record = {named(record) for record in model.objects.all() if condition.holds(record, terms)}
        table = tables[SNAPSHOT_TABLES[condition.record]]
        rows = table.filter(condition.ibis(table, terms)).select(*key).to_pyarrow().to_pylist()
        by_ibis = {tuple(row[name] for name in key) for row in rows}
        assert by_q == by_record == by_ibis, condition.code
        assert by_q, f"{condition.code} holds for no record of the county: the test would prove nothing"
        assert len(by_q) < model.objects.count(), condition.code


def test_every_consumer_finds_the_same_households(county):
    area, today, tables = county
    terms = condition_terms(province="15", as_of=today)

    def households(condition, **extra):
        ids = set(
            MODELS[condition.record].objects.filter(condition.q(terms), **extra).values_list("pk", flat=True)
        )
        return _household_of(condition.record, ids)

    def members(condition):
        return set(Member.objects.filter(condition.q(terms)).values_list("pk", flat=True))

    income_year = today.year - 1
    # The screening rules.
    low, high = area.subtree_bounds
    snapshot = runner.scoped_snapshot(
        tables, village_low=low, village_high=high, as_of=today, income_year=income_year, lookback_months=12
    )
    parameters = services.screening_parameters(province="15", as_of=today, codes=sorted(RULE_FUNCTIONS))

    def findings(code, *, column="household_id", detail=None):
        table = RULE_FUNCTIONS[code](snapshot, parameters)
        if detail is not None:
            table = table.filter(table.detail == detail)
        return set(table.select(column).to_pyarrow().column(0).to_pylist())

    assert findings("NO_MEDICAL_INSURANCE", column="member_id") == members(UNINSURED)
    assert findings("CHILD_NOT_ENROLLED", column="member_id", detail="register") == members(OUT_OF_SCHOOL)
    assert findings("INCOME_BELOW_LINE") == households(INCOME_AT_OR_BELOW_LINE, year=income_year)
    # These two also take departments' data; the register's share is the condition.
    assert findings("UNSAFE_WATER", detail="register") == households(UNSAFE_WATER)
    assert households(UNSAFE_HOUSE) <= findings("HOUSING_UNSAFE")

    # The dashboard facts.
    aggregate_refresh(area=area)
    facts = HouseholdFact.objects.all()
    assert set(facts.filter(has_uninsured=True).values_list("household_id", flat=True)) == households(
        UNINSURED
    )
    assert set(facts.filter(has_dropout=True).values_list("household_id", flat=True)) == households(
        OUT_OF_SCHOOL
    )
    assert set(facts.filter(unsafe_house=True).values_list("household_id", flat=True)) == households(
        UNSAFE_HOUSE
    )
    assert set(facts.filter(unsafe_water=True).values_list("household_id", flat=True)) == households(
        UNSAFE_WATER
    )
    below = set(facts.filter(below_monitoring_line=True).values_list("household_id", flat=True))
    assert below == households(INCOME_AT_OR_BELOW_LINE, year=income_year)

    # The data-quality rules: the schooling check is the risk itself; the insurance check
    # is the data error (both or neither), deliberately not the risk (neither).
    everyone = Household.objects.filter(village__code__startswith="150124")
    issues = find_issues(everyone, province="15", codes=["COMPULSORY_SCHOOLING", "MEDICAL_INSURANCE"])
    by_rule = {
        code: {issue.member_id for issue in issues if issue.rule == code}
        for code in ("COMPULSORY_SCHOOLING", "MEDICAL_INSURANCE")
    }
    assert by_rule["COMPULSORY_SCHOOLING"] == members(OUT_OF_SCHOOL)
    assert by_rule["MEDICAL_INSURANCE"] == members(INSURANCE_NOT_EXACTLY_ONE)
    assert members(UNINSURED) < members(INSURANCE_NOT_EXACTLY_ONE)

    # Risk elimination: the guarantees hold exactly where none of the four conditions does.
    failing = (
        households(UNINSURED)
        | households(OUT_OF_SCHOOL)
        | households(UNSAFE_HOUSE)
        | households(UNSAFE_WATER)
    )
    monitored = set(
        MonitoringObject.objects.filter(risk_eliminated=False).values_list("household_id", flat=True)
    )
    assert monitored & failing
    assert monitored - failing
    for household in Household.objects.filter(pk__in=monitored):
        guarantees = next(c for c in elimination_conditions(household, today=today) if c.code == "guarantees")
        assert guarantees.met == (household.pk not in failing), household.household_number
