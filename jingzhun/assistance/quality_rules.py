"""The data-quality rules about assistance (domain.md §6): risks without a matching
measure, no development-type measure, the first measure late. They live with the
measures they read and register in the quality catalogue like every rule."""

from __future__ import annotations

import datetime

from django.db.models import DateField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from jingzhun.assistance.choices import MeasureStatus
from jingzhun.assistance.models import Measure
from jingzhun.codelists.selectors import code_map, codes_with
from jingzhun.quality.choices import Severity, Subject
from jingzhun.quality.registry import RuleContext, json_has, open_episodes, quality_condition
from jingzhun.registry.choices import CodeListKey
from jingzhun.registry.models import Member, MonitoringObject


def _active_measures() -> QuerySet[Measure]:
    return Measure.objects.filter(household=OuterRef("pk")).exclude(status=MeasureStatus.CANCELLED)


@quality_condition(
    "RISK_WITHOUT_MEASURE",
    subject=Subject.HOUSEHOLD,
    severity=Severity.WARNING,
    zh="风险类型无对应帮扶措施",
    en="A risk type has no matching assistance measure",
)
def risk_without_measure(context: RuleContext) -> Q:
    measures = code_map(CodeListKey.ASSISTANCE_MEASURE, year=context.year, province=context.province)
    unanswered = Q(pk__in=[])
    for risk in code_map(CodeListKey.RISK_TYPE, year=context.year, province=context.province):
        answering = [code for code, item in measures.items() if risk in item.attributes.get("risk_types", [])]
        has_risk = Exists(open_episodes().filter(json_has("risk_types", risk)))
        has_answer = Exists(_active_measures().filter(measure_type__in=answering))
        unanswered |= Q(has_risk) & ~Q(has_answer)
    return unanswered


@quality_condition(
    "NO_DEVELOPMENT_MEASURE",
    subject=Subject.HOUSEHOLD,
    severity=Severity.WARNING,
    zh="有劳动力的监测户没有开发式帮扶措施",
    en="A monitored household with labour has no development-type measure",
)
def no_development_measure(context: RuleContext) -> Q:
    workers = codes_with(CodeListKey.LABOUR_SKILL, "worker", year=context.year, province=context.province)
    development = codes_with(
        CodeListKey.ASSISTANCE_MEASURE, "development", year=context.year, province=context.province
    )
    has_labour = Exists(Member.objects.filter(household=OuterRef("pk"), labour_skill__in=workers))
    has_development = Exists(_active_measures().filter(measure_type__in=development))
    return Q(Exists(open_episodes())) & Q(has_labour) & ~Q(has_development)


@quality_condition(
    "LATE_FIRST_MEASURE",
    subject=Subject.HOUSEHOLD,
    severity=Severity.WARNING,
    zh="纳入监测后未在规定期限内落实帮扶措施",
    en="No assistance measure started within the set days of identification",
)
def late_first_measure(context: RuleContext) -> Q:
    days = datetime.timedelta(days=int(context.parameter("measure_start_days")))
    in_time = _active_measures_of_episode().filter(
        start_date__lte=ExpressionWrapper(OuterRef("identified_on") + days, output_field=DateField())
    )
    late = MonitoringObject.objects.filter(
        household=OuterRef("pk"), risk_eliminated=False, identified_on__lt=context.today - days
    ).exclude(Exists(in_time))
    return Q(Exists(late))


def _active_measures_of_episode() -> QuerySet[Measure]:
    # Inside an episode subquery: the episode's household's measures.
    return Measure.objects.filter(household=OuterRef("household")).exclude(status=MeasureStatus.CANCELLED)
