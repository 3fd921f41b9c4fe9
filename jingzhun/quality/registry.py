"""The data-quality rule catalogue (疑点数据规则).

A rule is one function, registered with its code, severity and message, that
receives the households to check and returns a queryset of the offending
households or members. Being a queryset, it runs as one SQL statement over a
whole county, and the same function checks a single household on save.
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
from jingzhun.registry.models import Household, MonitoringObject


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


@dataclass(frozen=True)
class QualityRule:
    code: str
    subject: Subject
    severity: Severity
    message_zh: str
    message_en: str
    find: RuleFinder

    @property
    def message(self) -> str:
        return self.message_zh if (get_language() or "zh").startswith("zh") else self.message_en


RULES: dict[str, QualityRule] = {}


def quality_rule(
    code: str, *, subject: Subject, severity: Severity, zh: str, en: str
) -> Callable[[RuleFinder], RuleFinder]:
    def register(find: RuleFinder) -> RuleFinder:
        if code in RULES:
            raise ValueError(f"quality rule {code} registered twice")
        RULES[code] = QualityRule(code, subject, severity, zh, en, find)
        return find

    return register
