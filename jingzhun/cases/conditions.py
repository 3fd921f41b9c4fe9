"""The conditions for starting risk elimination (domain.md §5), each checked and explained.

A household's risk may be eliminated only when its income is above the year's
monitoring line and stable, enough months have passed since identification,
the three guarantees and safe water hold, and no risk is left open. A
household without labour capacity supported only by social assistance stays
monitored.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jingzhun.assistance.choices import MeasureStatus
from jingzhun.assistance.models import Measure
from jingzhun.codelists.selectors import codes_with, parameter_value
from jingzhun.monitoring.choices import OPEN_STATUSES
from jingzhun.monitoring.models import RiskWarning
from jingzhun.quality.selectors import find_issues
from jingzhun.registry.choices import CodeListKey
from jingzhun.registry.conditions import (
    INCOME_AT_OR_BELOW_LINE,
    OUT_OF_SCHOOL,
    UNINSURED,
    UNSAFE_HOUSE,
    UNSAFE_WATER,
    condition_terms,
)
from jingzhun.registry.models import Household, IncomeRecord, LivingConditions, Member, MonitoringObject


@dataclass(frozen=True)
class Condition:
    code: str
    label: str
    met: bool
    detail: str = ""


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from ``start`` to ``end`` (15 March → 14 September is 5)."""
    return (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)


def current_episode(household: Household) -> MonitoringObject | None:
    return (
        MonitoringObject.objects.filter(household=household, risk_eliminated=False)
        .order_by("-identified_on")
        .first()
    )


def elimination_conditions(household: Household, *, today: datetime.date) -> list[Condition]:
    province = household.village_id[:2]
    episode = current_episode(household)
    if episode is None:
        return [Condition("monitored", _("The household is a monitoring object"), False)]
    return [
        _income_condition(household, province=province),
        _time_condition(episode, today=today, province=province),
        _guarantees_condition(household, today=today, province=province),
        _risks_condition(household, province=province),
        _labour_condition(household, episode, province=province),
    ]


def _income_condition(household: Household, *, province: str) -> Condition:
    label = _("Per-capita net income above the monitoring line, and stable")
    records = list(IncomeRecord.objects.filter(household=household).order_by("-year")[:2])
    if not records or records[0].per_capita_net_income is None:
        return Condition("income", label, False, _("No income recorded."))
    # Stable: the latest year and the year before (when recorded) are both above their
    # lines: the opposite of the condition the screening warns from.
    below = []
    for record in records:
        terms = condition_terms(province=province, as_of=datetime.date(record.year, 12, 31))
        if record.per_capita_net_income is None or INCOME_AT_OR_BELOW_LINE.holds(record, terms):
            below.append(
                _("%(year)d: %(income)s below the line %(line)s")
                % {"year": record.year, "income": record.per_capita_net_income, "line": terms.income_line}
            )
    if below:
        return Condition("income", label, False, "; ".join(below))
    return Condition(
        "income",
        label,
        True,
        _("%(year)d: %(income)s") % {"year": records[0].year, "income": records[0].per_capita_net_income},
    )


def _time_condition(episode: MonitoringObject, *, today: datetime.date, province: str) -> Condition:
    minimum = int(parameter_value("elimination_min_months", year=today.year, province=province))
    months = months_between(episode.identified_on, today)
    return Condition(
        "time",
        _("At least %(months)d months since identification") % {"months": minimum},
        months >= minimum,
        _("Identified on %(date)s, %(months)d months ago")
        % {"date": episode.identified_on.isoformat(), "months": months},
    )


def _guarantees_condition(household: Household, *, today: datetime.date, province: str) -> Condition:
    """The guarantees as the screening judges them (registry.conditions): a member without
    basic medical insurance or a school-age child out of school, an unsafe house or water.
    A member recorded with both insurances is a data error for the quality checks, not
    a risk left open."""
    terms = condition_terms(province=province, as_of=today)
    problems = []
    for member in Member.objects.filter(household=household).order_by("pk"):
        if OUT_OF_SCHOOL.holds(member, terms):
            problems.append(
                _("%(name)s: of school age, not in school, no reason recorded") % {"name": member.name}
            )
        if UNINSURED.holds(member, terms):
            problems.append(_("%(name)s: no basic medical insurance") % {"name": member.name})
    conditions = LivingConditions.objects.filter(household=household).first()
    if conditions is None:
        problems.append(_("Living conditions not recorded."))
    else:
        if UNSAFE_HOUSE.holds(conditions, terms):
            problems.append(_("The house is graded %(grade)s.") % {"grade": conditions.house_grade})
        if UNSAFE_WATER.holds(conditions, terms):
            problems.append(_("Drinking water is not safe."))
    return Condition(
        "guarantees",
        _("Schooling, medical insurance, safe housing and safe water secured"),
        not problems,
        "; ".join(problems),
    )


def _risks_condition(household: Household, *, province: str) -> Condition:
    problems = [
        issue.message
        for issue in find_issues(
            Household.objects.filter(pk=household.pk), province=province, codes=["RISK_WITHOUT_MEASURE"]
        )
    ]
    open_warnings = RiskWarning.objects.filter(household=household, status__in=OPEN_STATUSES).count()
    if open_warnings:
        problems.append(_("%(count)d warnings not yet verified.") % {"count": open_warnings})
    return Condition("risks", _("All risks resolved"), not problems, "; ".join(problems))


def _labour_condition(household: Household, episode: MonitoringObject, *, province: str) -> Condition:
    label = _("Not a household without labour capacity supported only by social assistance")
    if not episode.without_labour_capacity:
        return Condition("labour", label, True)
    social = codes_with(CodeListKey.ASSISTANCE_MEASURE, "social_security", province=province)
    measures = set(
        Measure.objects.filter(household=household)
        .exclude(status=MeasureStatus.CANCELLED)
        .values_list("measure_type", flat=True)
    )
    only_social = measures <= social
    return Condition(
        "labour",
        label,
        not only_social,
        _("Without labour capacity and supported only by social assistance: stays monitored.")
        if only_social
        else "",
    )
