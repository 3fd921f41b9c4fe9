"""Household facts and area figures, as Ibis expressions over the register snapshot.

The refresh works in two set-wise steps:

1. ``household_facts``: one row per active household with every fact a figure
   counts by (status, monitoring category, open warnings, overdue cases,
   coverage, three guarantees and water, income band, ...).
2. ``village_figures``: each figure is a filter and a grouping of the facts,
   counted per village; higher levels are sums of their villages (every figure
   counts households or sums people, and a household lies in exactly one village).

The facts are also written to the database, so that a figure's click-through
list is the very set of households it counted. This module imports nothing
from Django; the figure definitions are passed in.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import ibis
import ibis.expr.types as ir

from jingzhun.registry.conditions import (
    INCOME_AT_OR_BELOW_LINE,
    OUT_OF_SCHOOL,
    UNINSURED,
    UNSAFE_HOUSE,
    UNSAFE_WATER,
    ConditionTerms,
)

# Multi-valued facts are stored as ",a,b," so that one LIKE finds a code in them.
LIST_SEPARATOR = ","
# The key of a breakdown for households with the field left blank.
BLANK_KEY = "_"
TOTAL_KEY = ""


@dataclass(frozen=True)
class FactParameters:
    """What the facts depend on besides the register: the day, thresholds and code sets."""

    as_of: datetime.date
    income_year: int
    conditions: ConditionTerms  # the household conditions' terms (registry.conditions), on as_of
    income_band_width: int
    income_band_count: int
    development_measures: tuple[str, ...]
    # (measure type, risk type it answers)
    measure_answers: tuple[tuple[str, str], ...]
    rule_departments: tuple[tuple[str, str], ...]
    open_warning_statuses: tuple[str, ...]
    open_case_states: tuple[str, ...]
    cancelled_measure_status: str
    visit_interval_days: int


class FigureSpec(Protocol):
    """The part of a figure definition the engine needs (dashboards.figures.Figure)."""

    @property
    def key(self) -> str: ...

    @property
    def where(self) -> tuple[str, ...]: ...

    @property
    def group_by(self) -> str: ...

    @property
    def multi(self) -> bool: ...

    @property
    def measure(self) -> str: ...


def _codes(text: ir.StringValue) -> ir.ArrayValue:
    """A JSON array of codes as text ('["01", "03"]') as an array of codes."""
    return text.re_replace(r'[\[\]" ]', "").split(",").filter(lambda code: code != "")


def _joined(values: ir.ArrayValue) -> ir.StringValue:
    """An array (NULL when a household had no rows) as ",a,b," ('' when empty), sorted so that
    equal sets compare equal."""
    return ibis.ifelse(
        _any(values),
        LIST_SEPARATOR + values.sort().join(LIST_SEPARATOR) + LIST_SEPARATOR,
        "",
    )


def _any(values: ir.ArrayValue) -> ir.BooleanValue:
    """Whether an array (NULL when a household had no rows) holds anything."""
    return values.length().fill_null(0) > 0


def household_facts(tables: dict[str, ir.Table], parameters: FactParameters) -> ir.Table:
    """One row per active household of the snapshot with the facts the figures count by:
    each kind of record summed up per household (a step each), joined to the households,
    then the figures' yes/no and coded columns derived."""
    p = parameters
    households = tables["households"].filter(ibis._.is_active)
    facts = households.select(
        household_id=households.id,
        village_id=households.village_id,
        poverty_status=households.poverty_status.fill_null(""),
        attribute=households.attribute.fill_null(""),
    )
    episodes = _episode_facts(tables)
    for table in (
        _quality_facts(tables),
        _member_facts(tables, p),
        episodes,
        _warning_facts(tables, p),
        _case_facts(tables, p),
        *_measure_facts(tables, p, episodes),
        _visit_facts(tables),
        _condition_facts(tables, p),
        _income_facts(tables, p),
        _project_facts(tables),
    ):
        facts = facts.left_join(table, "household_id").drop("household_id_right")
    return _figure_columns(facts, p)


def _member_facts(tables: dict[str, ir.Table], p: FactParameters) -> ir.Table:
    members = tables["members"]
    return members.group_by(household_id=members.household_id).aggregate(
        people=members.count(),
        dropouts=OUT_OF_SCHOOL.ibis(members, p.conditions).sum(),
        uninsured=UNINSURED.ibis(members, p.conditions).sum(),
    )


def _episode_facts(tables: dict[str, ir.Table]) -> ir.Table:
    """The latest monitoring episode of each household."""
    episodes = tables["episodes"]
    latest_first = ibis.window(
        group_by=episodes.household_id, order_by=[ibis.desc(episodes.identified_on), ibis.desc(episodes.id)]
    )
    ranked = episodes.mutate(rank=ibis.row_number().over(latest_first))
    latest = ranked.filter(ranked["rank"] == 0)
    return latest.select(
        household_id=latest.household_id,
        monitored=ibis.literal(True),
        monitoring_category=latest.category.fill_null(""),
        risk_type_list=_codes(latest.risk_types),
        risk_eliminated=latest.risk_eliminated,
        identified_month=latest.identified_on.strftime("%Y-%m"),
        eliminated_month=ibis.ifelse(latest.risk_eliminated, latest.eliminated_on.strftime("%Y-%m"), None),
    )


def _warning_facts(tables: dict[str, ir.Table], p: FactParameters) -> ir.Table:
    """Open warnings: their rules and departments, and those past their deadline."""
    warnings = tables["warnings"]
    departments = ibis.memtable(
        {"rule_code": [r for r, _ in p.rule_departments], "department": [d for _, d in p.rule_departments]},
        schema={"rule_code": "string", "department": "string"},
    )
    open_warnings = warnings.filter(warnings.status.isin(p.open_warning_statuses))
    open_warnings = open_warnings.left_join(departments, open_warnings.rule_id == departments.rule_code)
    open_warnings = open_warnings.mutate(
        overdue=open_warnings.deadline < p.as_of,
        department=open_warnings.department.nullif(""),
    )
    return open_warnings.group_by("household_id").aggregate(
        warning_rules=open_warnings.rule_id.collect(distinct=True),
        warning_departments=open_warnings.department.collect(distinct=True),
        overdue_rules=open_warnings.rule_id.collect(where=open_warnings.overdue, distinct=True),
        overdue_departments=open_warnings.department.collect(where=open_warnings.overdue, distinct=True),
    )


def _case_facts(tables: dict[str, ir.Table], p: FactParameters) -> ir.Table:
    """Open cases: the steps they wait at, and those past their deadline."""
    cases = tables["cases"]
    open_cases = cases.filter(cases.state.isin(p.open_case_states))
    open_cases = open_cases.mutate(overdue=open_cases.deadline.notnull() & (open_cases.deadline < p.as_of))
    return open_cases.group_by("household_id").aggregate(
        case_steps=open_cases.state.collect(distinct=True),
        overdue_steps=open_cases.state.collect(where=open_cases.overdue, distinct=True),
    )


def _measure_facts(
    tables: dict[str, ir.Table], p: FactParameters, episodes: ir.Table
) -> tuple[ir.Table, ir.Table]:
    """Active measures (how many, how many development-type), and the risk types of an
    open episode that no active measure answers."""
    measures = tables["measures"]
    active = measures.filter(measures.status != p.cancelled_measure_status)
    counts = active.group_by("household_id").aggregate(
        measures=active.count(),
        development_measures=active.measure_type.isin(p.development_measures or ("",)).sum(),
    )
    # A risk type is answered when an active measure of a type meant for it exists.
    answers = ibis.memtable(
        {"answer_type": [m for m, _ in p.measure_answers], "answer_risk": [r for _, r in p.measure_answers]},
        schema={"answer_type": "string", "answer_risk": "string"},
    )
    answered = active.join(answers, active.measure_type == answers.answer_type).select(
        answered_household=active.household_id, answered_risk=answers.answer_risk
    )
    risks = episodes.filter(~episodes.risk_eliminated).select(
        risk_household=episodes.household_id, risk=episodes.risk_type_list.unnest()
    )
    unanswered = (
        risks.left_join(
            answered,
            (risks.risk_household == answered.answered_household) & (risks.risk == answered.answered_risk),
        )
        .filter(ibis._.answered_household.isnull())
        .group_by(household_id=ibis._.risk_household)
        .aggregate(unanswered_risks=ibis._.count())
    )
    return counts, unanswered


def _visit_facts(tables: dict[str, ir.Table]) -> ir.Table:
    visits = tables["visits"]
    return visits.group_by("household_id").aggregate(last_visit=visits.visited_on.max())


def _condition_facts(tables: dict[str, ir.Table], p: FactParameters) -> ir.Table:
    conditions = tables["conditions"]
    return conditions.select(
        household_id=conditions.household_id,
        unsafe_house=UNSAFE_HOUSE.ibis(conditions, p.conditions),
        unsafe_water=UNSAFE_WATER.ibis(conditions, p.conditions),
    )


def _income_facts(tables: dict[str, ir.Table], p: FactParameters) -> ir.Table:
    incomes = tables["incomes"]
    of_year = incomes.filter(incomes.year == p.income_year)
    return of_year.select(
        "household_id",
        per_capita=of_year.per_capita_net_income,
        below_line=INCOME_AT_OR_BELOW_LINE.ibis(of_year, p.conditions),
    )


def _project_facts(tables: dict[str, ir.Table]) -> ir.Table:
    """The projects a household benefits from, and whether project assets paid it income."""
    benefits = tables["benefits"].group_by("household_id").aggregate(projects=ibis._.project_id.nunique())
    paid = tables["distributions"].group_by("household_id").aggregate(asset_payments=ibis._.count())
    return benefits.outer_join(paid, "household_id").select(
        household_id=ibis.coalesce(ibis._.household_id, ibis._.household_id_right),
        projects=ibis._.projects,
        asset_payments=ibis._.asset_payments,
    )


def _quality_facts(tables: dict[str, ir.Table]) -> ir.Table:
    quality = tables["quality"]
    return quality.group_by("household_id").aggregate(quality_rule_list=quality.rule.collect(distinct=True))


def _figure_columns(facts: ir.Table, p: FactParameters) -> ir.Table:
    """The joined summaries as the columns the figures count by."""
    since = p.as_of - datetime.timedelta(days=p.visit_interval_days)
    monitored = facts.monitored.fill_null(False)
    monitored_open = monitored & ~facts.risk_eliminated.fill_null(True)
    has_measure = facts.measures.fill_null(0) > 0
    band_width = p.income_band_width
    top_band = band_width * (p.income_band_count - 1)
    band = (facts.per_capita.cast("float64") / band_width).floor().cast("int64") * band_width
    return facts.select(
        household_id=facts.household_id,
        village_id=facts.village_id,
        poverty_status=facts.poverty_status,
        attribute=facts.attribute,
        people=facts.people.fill_null(0),
        monitored=monitored,
        monitoring_category=ibis.ifelse(monitored, facts.monitoring_category, None),
        risk_types=_joined(facts.risk_type_list),
        elimination=ibis.ifelse(
            monitored, ibis.ifelse(facts.risk_eliminated, "eliminated", "not_eliminated"), None
        ),
        monitored_open=monitored_open,
        open_warning_rules=_joined(facts.warning_rules),
        open_warning_departments=_joined(facts.warning_departments),
        has_open_warning=_any(facts.warning_rules),
        overdue_warning_rules=_joined(facts.overdue_rules),
        overdue_warning_departments=_joined(facts.overdue_departments),
        has_overdue_warning=_any(facts.overdue_rules),
        open_case_steps=_joined(facts.case_steps),
        has_open_case=_any(facts.case_steps),
        overdue_case_steps=_joined(facts.overdue_steps),
        has_overdue_case=_any(facts.overdue_steps),
        has_matching_measure=monitored_open & has_measure & (facts.unanswered_risks.fill_null(0) == 0),
        has_development_measure=monitored_open & (facts.development_measures.fill_null(0) > 0),
        visited_recently=monitored_open & (facts.last_visit.fill_null(datetime.date(1900, 1, 1)) >= since),
        has_dropout=facts.dropouts.fill_null(0) > 0,
        has_uninsured=facts.uninsured.fill_null(0) > 0,
        unsafe_house=facts.unsafe_house.fill_null(False),
        unsafe_water=facts.unsafe_water.fill_null(False),
        per_capita_net_income=facts.per_capita,
        income_band=ibis.ifelse(band > top_band, top_band, ibis.ifelse(band < 0, 0, band)),
        below_monitoring_line=facts.below_line.fill_null(False),
        quality_rules=_joined(facts.quality_rule_list),
        has_quality_issue=_any(facts.quality_rule_list),
        identified_month=facts.identified_month,
        eliminated_month=facts.eliminated_month,
        has_project_benefit=facts.projects.fill_null(0) > 0,
        monitored_with_project_benefit=monitored & (facts.projects.fill_null(0) > 0),
        has_asset_income=facts.asset_payments.fill_null(0) > 0,
    )


def _keys(facts: ir.Table, figure: FigureSpec) -> ir.Table:
    """The figure's (village, key, weight) rows: one per household, or one per code of a list."""
    rows = facts
    for column in figure.where:
        rows = rows.filter(rows[column])
    weight = rows.people if figure.measure == "people" else ibis.literal(1, type="int64")
    if not figure.group_by:
        return rows.select(village_id=rows.village_id, key=ibis.literal(TOTAL_KEY), weight=weight)
    column = rows[figure.group_by]
    if figure.multi:
        codes = column.split(LIST_SEPARATOR).filter(lambda code: code != "")
        return rows.select(village_id=rows.village_id, key=codes.unnest(), weight=weight)
    rows = rows.filter(column.notnull())
    key = column.cast("string")
    key = ibis.ifelse(key == "", BLANK_KEY, key)
    return rows.select(village_id=rows.village_id, key=key, weight=weight)


def village_figures(facts: ir.Table, figures: Sequence[FigureSpec]) -> ir.Table:
    """Every figure counted per village: (village_id, figure, key, value). No figure is kept
    as zero (the people of households with nobody recorded): absent and zero read alike, and
    a figure corrected by differences (``figure_changes``) ends where a count would."""
    parts = [_keys(facts, figure).mutate(figure=ibis.literal(figure.key)) for figure in figures]
    rows = ibis.union(*parts) if len(parts) > 1 else parts[0]
    counted = rows.group_by(["village_id", "figure", "key"]).aggregate(value=rows.weight.sum().cast("int64"))
    return counted.filter(counted.value != 0)


def figure_changes(now: ir.Table, before: ir.Table) -> ir.Table:
    """What each village figure gains (or loses) when the households counted in ``before``
    (village figures of their stored facts) are counted as in ``now``: (village_id, figure,
    key, value), without the figures that do not change."""
    rows = ibis.union(now, before.mutate(value=-before.value))
    changes = rows.group_by(["village_id", "figure", "key"]).aggregate(value=rows.value.sum().cast("int64"))
    return changes.filter(changes.value != 0)


def counted_out(facts: ir.Table, figures: Sequence[FigureSpec]) -> ir.Table:
    """The village figures' changes when the households of ``facts`` are no longer counted
    where those facts place them: (village_id, figure, key, value), every value negative."""
    counted = village_figures(facts, figures)
    return counted.mutate(value=-counted.value)


def rolled_up(villages: ir.Table, prefix_lengths: dict[int, int], code_length: int = 12) -> ir.Table:
    """Village figures summed to each level (level: length of its code prefix):
    (area_code, level, figure, key, value)."""
    parts = []
    for level, length in prefix_lengths.items():
        area = villages.village_id.substr(0, length).rpad(code_length, "0")
        parts.append(
            villages.group_by(area_code=area, figure=villages.figure, key=villages.key)
            .aggregate(value=villages.value.sum().cast("int64"))
            .mutate(level=ibis.literal(level, type="int16"))
        )
    return ibis.union(*parts) if len(parts) > 1 else parts[0]
