"""Oversight under way in the demo county, made through the real services: an evaluation
with part of its questionnaires entered (a missed and a wrongly exited household among
them), findings at every step of rectification (one overdue), and today's phone checks."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.oversight import phone_checks, rectification, services
from jingzhun.oversight.choices import CallOutcome, FindingSource, RectificationAction, Severity, Verdict
from jingzhun.oversight.models import (
    EvaluationSample,
    Finding,
    FindingEvent,
    Inspection,
    PhoneCheck,
    QualityFindingRun,
    Questionnaire,
    SamplingPlan,
)
from jingzhun.oversight.quality_findings import quality_findings_run


def demo_oversight(*, county: Area, village: Area, today: datetime.date) -> dict[str, int]:
    inspector = User.objects.get(username="inspector")
    evaluator = User.objects.get(username="evaluator")
    township_user = User.objects.get(username="township")
    village_user = User.objects.get(username="village")
    plan = services.plan_create(
        user=inspector,
        area=county,
        name=f"{today.year}年{county.name}第三方评估",
        year=today.year,
        villages_wanted=6,
        registered_per_village=8,
        unregistered_per_village=8,
        seed=today.year,
    )
    plan = services.plan_draw(user=inspector, plan=plan)
    services.plan_assign(
        user=inspector,
        plan=plan,
        evaluator=evaluator,
        villages=list(plan.villages.values_list("village_id", flat=True)),
    )
    sampled = list(EvaluationSample.objects.filter(plan=plan).order_by("village_id", "pk"))
    entered = 0
    for index, row in enumerate(sampled[: len(sampled) * 2 // 3]):
        verdict = Verdict.CORRECT
        if index == 3 and row.stratum == "unregistered":
            verdict = Verdict.MISSED
        elif index == 5 and row.stratum == "registered":
            verdict = Verdict.WRONGLY_EXITED
        services.questionnaire_save(
            user=evaluator,
            sampled=row,
            interviewed_on=today - datetime.timedelta(days=2),
            resident_members=3,
            wage_income=Decimal(14000 + 900 * (index % 7)),
            business_income=Decimal(2000),
            production_costs=Decimal(800),
            satisfied=index % 17 != 0,
            verdict=verdict,
            note="家中主要劳动力患病，收入骤降" if verdict != Verdict.CORRECT else "",
        )
        entered += 1
    inspection = rectification.inspection_create(
        user=township_user,
        area=township_user.area or village,
        title=f"{today:%m}月帮扶工作督查",
        team="乡镇督查组：李明、王芳",
        starts_on=today - datetime.timedelta(days=6),
        ends_on=today - datetime.timedelta(days=5),
    )
    visit = rectification.inspection_visit_record(
        user=township_user,
        inspection=inspection,
        village=village,
        visited_on=today - datetime.timedelta(days=6),
        notes="查阅村级台账，入户核实监测户帮扶措施落实情况",
    )
    findings = []
    for problem_type, text in (
        ("02", "监测户未落实产业帮扶措施"),
        ("05", "户籍人口与实际居住人口不符"),
        ("08", "帮扶责任人走访记录不实"),
        ("01", "教育资助政策未落实到户"),
    ):
        findings.append(
            rectification.finding_raise(
                user=township_user,
                area=village,
                source=FindingSource.INSPECTION,
                problem_type=problem_type,
                severity=Severity.MEDIUM,
                description=text,
                visit=visit,
            )
        )
    submitted, signed, returned, late = findings
    rectification.finding_transition(
        user=village_user,
        finding=submitted,
        action=RectificationAction.SUBMIT,
        measures="已补充落实产业奖补资金",
    )
    rectification.finding_transition(
        user=village_user, finding=signed, action=RectificationAction.SUBMIT, measures="已更正人口信息"
    )
    rectification.finding_transition(user=township_user, finding=signed, action=RectificationAction.SIGN_OFF)
    rectification.finding_transition(
        user=village_user, finding=returned, action=RectificationAction.SUBMIT, measures="已补录"
    )
    rectification.finding_transition(
        user=township_user, finding=returned, action=RectificationAction.RETURN, comment="缺少走访照片"
    )
    Finding.objects.filter(pk=late.pk).update(deadline=today - datetime.timedelta(days=3))
    quality = quality_findings_run(area=county, user=inspector)
    # A week of phone checks: the past six days' lists called through, today's begun.
    outcomes = (CallOutcome.CONFIRMED, CallOutcome.NOT_REACHED, CallOutcome.CONFIRMED, CallOutcome.CONFIRMED)
    calls = []
    for days_ago in range(6, -1, -1):
        calls = phone_checks.phone_checks_draw(
            user=inspector, area=county, day=today - datetime.timedelta(days=days_ago)
        )
        for index, call in enumerate(calls if days_ago else calls[:3]):
            if days_ago == 3 and index == 0:  # one call finds a problem: it enters the ledger
                phone_checks.phone_check_record(
                    user=inspector, check=call, outcome=CallOutcome.PROBLEM, note="反映低保金未按月发放"
                )
                continue
            phone_checks.phone_check_record(
                user=inspector, check=call, outcome=outcomes[index % len(outcomes)]
            )
    return {
        "sampled": len(sampled),
        "questionnaires": entered,
        "findings": len(findings) + quality.raised,
        "calls": len(calls),
    }


def clear_oversight(county: Area) -> None:
    """Remove the county's evaluation, findings and phone checks (demo data only)."""
    with transaction.atomic():
        PhoneCheck.objects.filter(code_range_q(county, "area_id")).delete()
        Questionnaire.objects.filter(code_range_q(county, "sampled__plan__area_id")).delete()
        SamplingPlan.objects.filter(code_range_q(county, "area_id")).delete()
        FindingEvent.objects.filter(code_range_q(county, "finding__area_id")).delete()
        Finding.objects.filter(code_range_q(county, "area_id")).delete()
        Inspection.objects.filter(code_range_q(county, "area_id")).delete()
        QualityFindingRun.objects.filter(code_range_q(county, "area_id")).delete()
