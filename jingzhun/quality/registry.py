"""The data-quality rule catalogue (疑点数据规则).

A rule is one function, registered with its code, severity and message, that
receives the households to check and returns a queryset of the offending
households or members. Being a queryset, it runs as one SQL statement over a
whole county, and the same function checks a single household on save.

Most rules are a condition on their subject's own rows (a member's fields, a household's
related records through EXISTS): those are registered as the condition
(``quality_condition``), their finder derived from it, so that a batch job can check all the
conditions of one subject in a single pass over its rows (``selectors.issue_flag_queries``)
instead of one pass per rule.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, QuerySet
from django.utils.translation import get_language

from jingzhun.codelists.selectors import parameter_value
from jingzhun.quality.choices import Severity, Subject
from jingzhun.registry.conditions import ConditionTerms, condition_terms, years_before
from jingzhun.registry.models import Household, Member, MonitoringObject


@dataclass(frozen=True)
class RuleContext:
    """What a rule may depend on besides the data: the date and the thresholds in force."""

    today: datetime.date
    province: str

    @property
    def year(self) -> int:
        return self.today.year

    def parameter(self, key: str) -> Decimal:
        return parameter_value(key, year=self.year, province=self.province)

    def years_ago(self, years: int) -> datetime.date:
        """The date ``years`` before today (29 February falls back to the 28th)."""
        return years_before(self.today, years)

    @functools.cached_property
    def conditions(self) -> ConditionTerms:
        """The household conditions' terms in force (registry.conditions)."""
        return condition_terms(province=self.province, as_of=self.today)


def json_has(field: str, code: str) -> Q:
    """A coded-list field holds ``code``. The lists are JSON arrays of strings; matching
    the quoted code in the JSON text works identically on SQLite and PostgreSQL."""
    return Q(**{f"{field}__icontains": f'"{code}"'})


def open_episodes() -> QuerySet[MonitoringObject]:
    """Inside a household subquery: its monitoring episodes whose risk is not eliminated."""
    return MonitoringObject.objects.filter(household=OuterRef("pk"), risk_eliminated=False)


RuleFinder = Callable[[QuerySet[Household], RuleContext], QuerySet]
RuleCondition = Callable[[RuleContext], Q]


def subject_rows(subject: Subject, households: QuerySet[Household]) -> QuerySet:
    """The rows a rule about ``subject`` judges: the households, or their members."""
    return Member.objects.filter(household__in=households) if subject == Subject.MEMBER else households


@dataclass(frozen=True)
class QualityRule:
    code: str
    subject: Subject
    severity: Severity
    message_zh: str
    message_en: str
    find: RuleFinder
    # Set for a rule that is a condition on its subject's rows (quality_condition).
    condition: RuleCondition | None = None

    @property
    def message(self) -> str:
        return self.message_zh if (get_language() or "zh").startswith("zh") else self.message_en


RULES: dict[str, QualityRule] = {}


def _register(rule: QualityRule) -> None:
    if rule.code in RULES:
        raise ValueError(f"quality rule {rule.code} registered twice")
    RULES[rule.code] = rule


def quality_rule(
    code: str, *, subject: Subject, severity: Severity, zh: str, en: str
) -> Callable[[RuleFinder], RuleFinder]:
    """A rule that needs a query of its own (it counts or groups its subject's rows)."""

    def register(find: RuleFinder) -> RuleFinder:
        _register(QualityRule(code, subject, severity, zh, en, find))
        return find

    return register


def quality_condition(
    code: str, *, subject: Subject, severity: Severity, zh: str, en: str
) -> Callable[[RuleCondition], RuleCondition]:
    """A rule that is a condition on one row of its subject (a member, a household)."""

    def register(condition: RuleCondition) -> RuleCondition:
        def find(households: QuerySet[Household], context: RuleContext) -> QuerySet:
            return subject_rows(subject, households).filter(condition(context))

        _register(QualityRule(code, subject, severity, zh, en, find, condition))
        return condition

    return register
