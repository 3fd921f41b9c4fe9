"""The rules of domain.md §6 ("Data-quality rules") over the register. Thresholds come
from codelists.Parameter; codes with a meaning (worker, development-type measure...)
from code-list attributes. Rules about another app's records are that app's
(``assistance/quality_rules.py``): the quality app knows only the register."""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from jingzhun.codelists.selectors import code_map, codes_with
from jingzhun.quality.choices import Severity, Subject
from jingzhun.quality.registry import RuleContext, json_has, quality_condition, quality_rule
from jingzhun.registry.choices import (
    HEAD_RELATION,
    RESIDENT_ID_TYPE,
    SPOUSE_RELATION,
    CodeListKey,
)
from jingzhun.registry.conditions import INSURANCE_NOT_EXACTLY_ONE, OUT_OF_SCHOOL
from jingzhun.registry.models import LAND_FIELDS, Household, LivingConditions, Member, MonitoringObject


@quality_condition(
    "ID_CHECKSUM",
    subject=Subject.MEMBER,
    severity=Severity.ERROR,
    zh="身份证号码格式或校验位错误",
    en="ID number malformed or with a wrong check digit",
)
def id_checksum(context: RuleContext) -> Q:
    # ID numbers are encrypted: the check ran in Python as the number was written
    # (``registry.idnumbers.is_well_formed``) and is stored beside it.
    return Q(id_type=RESIDENT_ID_TYPE, id_number_well_formed=False)


@quality_rule(
    "ONE_HEAD",
    subject=Subject.HOUSEHOLD,
    severity=Severity.ERROR,
    zh="户主人数不为1",
    en="The household does not have exactly one head",
)
def one_head(households: QuerySet[Household], context: RuleContext) -> QuerySet:
    return households.alias(
        heads=Count("members", filter=Q(members__relation_to_head=HEAD_RELATION))
    ).exclude(heads=1)


@quality_condition(
    "SPOUSE_SEX",
    subject=Subject.MEMBER,
    severity=Severity.WARNING,
    zh="配偶与户主性别相同",
    en="The spouse has the same sex as the head",
)
def spouse_sex(context: RuleContext) -> Q:
    same_sex_head = Member.objects.filter(
        household=OuterRef("household"), relation_to_head=HEAD_RELATION, sex=OuterRef("sex")
    )
    return Q(relation_to_head=SPOUSE_RELATION) & Q(Exists(same_sex_head))


@quality_condition(
    "MEDICAL_INSURANCE",
    subject=Subject.MEMBER,
    severity=Severity.ERROR,
    zh="城乡居民医保与职工医保须参加且只参加一项",
    en="Exactly one of resident and employee basic medical insurance is required",
)
def medical_insurance(context: RuleContext) -> Q:
    # The data error (both or neither); the risk of having none is UNINSURED, screened apart.
    return INSURANCE_NOT_EXACTLY_ONE.q(context.conditions)


@quality_condition(
    "UNDER_16_LABOUR",
    subject=Subject.MEMBER,
    severity=Severity.ERROR,
    zh="16周岁以下人员劳动技能应为无劳动力",
    en="A member under 16 must be recorded as having no labour",
)
def under_16_labour(context: RuleContext) -> Q:
    none = codes_with(CodeListKey.LABOUR_SKILL, "none", year=context.year, province=context.province)
    return Q(birth_date__gt=context.years_ago(16)) & ~Q(labour_skill__in=none)


@quality_condition(
    "OVER_60_LABOUR",
    subject=Subject.MEMBER,
    severity=Severity.WARNING,
    zh="60周岁及以上人员不应为普通或技能劳动力",
    en="A member aged 60 or over should not be ordinary or skilled labour",
)
def over_60_labour(context: RuleContext) -> Q:
    workers = codes_with(CodeListKey.LABOUR_SKILL, "worker", year=context.year, province=context.province)
    return Q(birth_date__lte=context.years_ago(60), labour_skill__in=workers)


@quality_condition(
    "HEALTHY_ADULT_LABOUR",
    subject=Subject.MEMBER,
    severity=Severity.WARNING,
    zh="16至59周岁健康非在校人员不应为弱劳动力或无劳动力",
    en="A healthy member aged 16-59 not in school should not be weak or without labour",
)
def healthy_adult_labour(context: RuleContext) -> Q:
    weak_or_none = codes_with(
        CodeListKey.LABOUR_SKILL, "weak", year=context.year, province=context.province
    ) | (codes_with(CodeListKey.LABOUR_SKILL, "none", year=context.year, province=context.province))
    healthy_only = Q(health=["1"])
    return (
        healthy_only
        & Q(labour_skill__in=weak_or_none)
        & Q(birth_date__lte=context.years_ago(16), birth_date__gt=context.years_ago(60))
        & ~Q(school_status__in=context.conditions.in_school_statuses)
    )


@quality_condition(
    "GRADE_AGE",
    subject=Subject.MEMBER,
    severity=Severity.WARNING,
    zh="在校生年级与年龄不符",
    en="The school grade does not fit the member's age",
)
def grade_age(context: RuleContext) -> Q:
    mismatch = Q(pk__in=[])
    for code, item in code_map(
        CodeListKey.SCHOOL_STATUS, year=context.year, province=context.province
    ).items():
        low, high = item.attributes.get("min_age"), item.attributes.get("max_age")
        if low is None or high is None:
            continue
        too_young = Q(birth_date__gt=context.years_ago(low))
        too_old = Q(birth_date__lte=context.years_ago(high + 1))
        mismatch |= Q(school_status=code) & (too_young | too_old)
    return mismatch


@quality_condition(
    "COMPULSORY_SCHOOLING",
    subject=Subject.MEMBER,
    severity=Severity.ERROR,
    zh="义务教育阶段（6至16周岁）人员未在校且未登记原因",
    en="A member aged 6-16 is not in school and no reason is recorded",
)
def compulsory_schooling(context: RuleContext) -> Q:
    return OUT_OF_SCHOOL.q(context.conditions)


@quality_condition(
    "LAND_AREA",
    subject=Subject.HOUSEHOLD,
    severity=Severity.WARNING,
    zh="土地面积超出合理范围",
    en="A land area is outside plausible bounds",
)
def land_area(context: RuleContext) -> Q:
    limit = context.parameter("land_max_mu")
    too_large = Q(pk__in=[])
    for name in LAND_FIELDS:
        too_large |= Q(**{f"{name}__gt": limit})
    # Irrigated land is part of cultivated land.
    too_large |= Q(irrigated_land_mu__gt=F("cultivated_land_mu"))
    return Q(Exists(LivingConditions.objects.filter(too_large, household=OuterRef("pk"))))


@quality_condition(
    "MIGRANT_INCOME",
    subject=Subject.MEMBER,
    severity=Severity.WARNING,
    zh="月务工收入不在100元至30000元之间",
    en="Monthly migrant-work income outside 100-30,000 yuan",
)
def migrant_income(context: RuleContext) -> Q:
    low = context.parameter("migrant_monthly_income_min")
    high = context.parameter("migrant_monthly_income_max")
    return Q(migrant_work_months__gt=0, migrant_monthly_income__isnull=False) & (
        Q(migrant_monthly_income__lt=low) | Q(migrant_monthly_income__gt=high)
    )


@quality_condition(
    "IDENTIFICATION_INCOME",
    subject=Subject.HOUSEHOLD,
    severity=Severity.WARNING,
    zh="识别为监测对象时人均纯收入超过20000元",
    en="Per-capita net income above 20,000 yuan at identification",
)
def identification_income(context: RuleContext) -> Q:
    limit = context.parameter("identification_income_max")
    high = MonitoringObject.objects.filter(household=OuterRef("pk"), per_capita_net_income__gt=limit)
    return Q(Exists(high))


@quality_condition(
    "ELIMINATION_TOO_SOON",
    subject=Subject.HOUSEHOLD,
    severity=Severity.WARNING,
    zh="识别后不足6个月即标注风险消除",
    en="Risk marked eliminated less than 6 months after identification",
)
def elimination_too_soon(context: RuleContext) -> Q:
    minimum = int(context.parameter("elimination_min_months"))
    # Whole months between the two dates, in SQL that SQLite and PostgreSQL share.
    months = (
        (ExtractYear("eliminated_on") - ExtractYear("identified_on")) * 12
        + ExtractMonth("eliminated_on")
        - ExtractMonth("identified_on")
        - Case(When(Q(eliminated_on__day__lt=ExtractDay("identified_on")), then=1), default=0)
    )
    early = (
        MonitoringObject.objects.filter(
            household=OuterRef("pk"), risk_eliminated=True, eliminated_on__isnull=False
        )
        .alias(months=months)
        .filter(months__lt=minimum)
    )
    return Q(Exists(early))


@quality_rule(
    "LACK_OF_LABOUR_CAUSE",
    subject=Subject.HOUSEHOLD,
    severity=Severity.WARNING,
    zh="致贫原因为缺劳力，但劳动力占比超过四分之一",
    en="Cause 'lack of labour' although more than a quarter of members are workers",
)
def lack_of_labour_cause(households: QuerySet[Household], context: RuleContext) -> QuerySet:
    lack_codes = codes_with(
        CodeListKey.CAUSE_OF_POVERTY, "lack_of_labour", year=context.year, province=context.province
    )
    workers = codes_with(CodeListKey.LABOUR_SKILL, "worker", year=context.year, province=context.province)
    share = context.parameter("lack_of_labour_worker_share")
    cause = Q(main_cause__in=lack_codes)
    for code in lack_codes:
        cause |= json_has("other_causes", code)
    return (
        households.filter(cause)
        .alias(
            member_count=Count("members"),
            worker_count=Count("members", filter=Q(members__labour_skill__in=workers)),
        )
        .filter(worker_count__gt=F("member_count") * Value(share))
    )
