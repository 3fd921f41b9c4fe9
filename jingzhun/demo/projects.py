"""A year of projects, funds and assets for the demo county, made through the real
services so that every step has its trail: projects at every step of the library,
funds allocated and paid at various stages (one allocation left idle, one project late
to start, one accepted without its assets), an asset whose income has been distributed
to the beneficiary households, and a check of the funds by the fund rules."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.assets.models import Asset, AssetEvent, AssetIncome, Distribution
from jingzhun.assets.services import asset_register, distribute, income_record
from jingzhun.funds import services as funds
from jingzhun.funds.choices import PayeeKind
from jingzhun.funds.models import Fund, FundFinding, FundMonitoringRun, FundMovement
from jingzhun.funds.monitoring import fund_monitoring_execute, fund_monitoring_start
from jingzhun.projects import services as projects
from jingzhun.projects.choices import (
    AttachmentKind,
    FundLevel,
    ProjectAction,
    ProjectState,
    TargetDimension,
    TargetLevel,
)
from jingzhun.projects.models import Project
from jingzhun.registry.models import Household

A = ProjectAction
MAIN_LINE = [
    (A.SUBMIT_PROPOSAL, "village"),
    (A.CLOSE_VILLAGE_NOTICE, "village"),
    (A.TOWNSHIP_APPROVE, "township"),
    (A.CLOSE_TOWNSHIP_NOTICE, "township"),
    (A.RECORD_REVIEW, "county"),
    (A.COUNTY_APPROVE, "county"),
    (A.CLOSE_ANNOUNCEMENT, "county"),
    (A.SELECT_FOR_PLAN, "county"),
    (A.START, "county"),
    (A.COMPLETE, "county"),
    (A.ACCEPT, "county"),
]


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% demo\n%%EOF\n")


@dataclass(frozen=True)
class DemoProject:
    name: str
    category: str
    construction: str
    content: str
    budget: Decimal
    mechanisms: tuple[str, ...]
    target: ProjectState
    start_days_ago: int = 0


PLAN = (
    DemoProject(
        "肉牛养殖小区建设",
        "01",
        "1",
        "新建标准化牛舍2栋1,200平方米，配套青贮窖1座",
        Decimal("1200000"),
        ("01", "02"),
        ProjectState.ACCEPTED,
        300,
    ),
    DemoProject(
        "村组道路硬化",
        "03",
        "1",
        "硬化村组道路3.2公里，宽4.5米",
        Decimal("960000"),
        ("01", "06"),
        ProjectState.UNDER_WAY,
        120,
    ),
    DemoProject(
        "分布式光伏电站",
        "01",
        "1",
        "建设村级光伏电站300千瓦",
        Decimal("1500000"),
        ("02",),
        ProjectState.PLANNED,
        75,
    ),
    DemoProject(
        "人居环境整治",
        "04",
        "3",
        "改造户厕60座，新建垃圾收集点8处",
        Decimal("420000"),
        ("06",),
        ProjectState.IN_LIBRARY,
    ),
    DemoProject(
        "饮水安全巩固提升",
        "06",
        "2",
        "新建蓄水池1座，更换供水管网5公里",
        Decimal("380000"),
        ("06",),
        ProjectState.VILLAGE_NOTICE,
    ),
    DemoProject(
        "致富带头人技能培训",
        "02",
        "1",
        "开展种养殖技能培训4期200人次",
        Decimal("80000"),
        ("04",),
        ProjectState.DRAFT,
    ),
    DemoProject(
        "庭院经济到户扶持",
        "01",
        "1",
        "为30户脱贫户发放母羊及棚圈补助",
        Decimal("300000"),
        ("02",),
        ProjectState.ACCEPTED,
        240,
    ),
)


def _end_notice(project: Project, today: datetime.date) -> None:
    # The demo's notices have run their course (the time a real notice takes).
    Project.objects.filter(pk=project.pk).update(
        notice_starts_on=today - datetime.timedelta(days=20),
        notice_ends_on=today - datetime.timedelta(days=1),
    )


def _step_input(action: str, project: Project, today: datetime.date) -> dict[str, Any]:
    if action == A.SUBMIT_PROPOSAL:
        return {
            "data": {"meeting_on": today - datetime.timedelta(days=3)},
            "uploads": [projects.Upload(AttachmentKind.MEETING_MINUTES, _pdf("村民代表大会会议记录.pdf"))],
        }
    if action == A.RECORD_REVIEW:
        return {"data": {"review_conclusion": "经行业部门联合论证，项目建设内容合理、效益明显，同意入库。"}}
    if action == A.SELECT_FOR_PLAN:
        return {"data": {"plan_year": today.year}}
    if action == A.START:
        return {"data": {"started_on": today}}
    if action == A.COMPLETE:
        achieved = {t.pk: t.planned_value for t in project.targets.all()}
        return {"data": {"completed_on": today, "achieved": achieved}}
    if action == A.ACCEPT:
        return {
            "data": {"accepted_on": today, "acceptance_note": "工程质量合格，资料齐全，验收通过。"},
            "uploads": [projects.Upload(AttachmentKind.ACCEPTANCE_REPORT, _pdf("验收报告.pdf"))],
        }
    return {}


def _walk(project: Project, target: ProjectState, people: dict[str, User], today: datetime.date) -> Project:
    for action, who in MAIN_LINE:
        if project.state == target:
            break
        if project.in_notice:
            _end_notice(project, today)
            project.refresh_from_db()
        project = projects.project_transition(
            user=people[who], project=project, action=action, **_step_input(action, project, today)
        )
    return project


def demo_projects(*, county: Area, village: Area, today: datetime.date) -> dict[str, int]:
    """Projects of the first village, the county's funds, the ledger, assets and a fund check."""
    people = {role: User.objects.get(username=role) for role in ("village", "township", "county", "finance")}
    households = list(
        Household.objects.filter(village=village, is_active=True).order_by("household_number")[:12]
    )
    neighbours = [
        a.code
        for a in Area.objects.filter(parent_id=village.parent_id)
        .exclude(code=village.code)
        .order_by("code")[:2]
    ]
    central = funds.fund_create(
        user=people["finance"],
        area=county,
        document_number=f"财农〔{today.year}〕8号",
        title=f"{today.year}年中央财政衔接推进乡村振兴补助资金（第一批）",
        issued_on=today - datetime.timedelta(days=320),
        year=today.year,
        level=FundLevel.CENTRAL,
        fund_type="01",
        amount="3000000.00",
    )
    provincial = funds.fund_create(
        user=people["finance"],
        area=county,
        document_number=f"省财农〔{today.year}〕21号",
        title=f"{today.year}年省级衔接资金",
        issued_on=today - datetime.timedelta(days=300),
        year=today.year,
        level=FundLevel.PROVINCIAL,
        fund_type="01",
        amount="1200000.00",
    )
    made: list[Project] = []
    for index, plan in enumerate(PLAN):
        project = projects.project_create(
            user=people["village"],
            name=f"{village.name}{plan.name}",
            year=today.year,
            category=plan.category,
            construction_type=plan.construction,
            responsible_unit=f"{village.name}股份经济合作社",
            content=plan.content,
            planned_start=today - datetime.timedelta(days=plan.start_days_ago),
            planned_end=today + datetime.timedelta(days=120),
            benefit_mechanisms=list(plan.mechanisms),
            benefit_note="脱贫户和监测户优先务工，资产收益按股分红",
            households_planned=len(households),
            people_planned=len(households) * 3,
            villages=neighbours if index == 1 else [],
            budget=[projects.BudgetInput(FundLevel.CENTRAL, "01", plan.budget)],
            targets=[
                projects.TargetInput(
                    TargetLevel.OUTPUT, TargetDimension.QUANTITY, "完成建设内容", Decimal("100"), "%"
                ),
                projects.TargetInput(
                    TargetLevel.BENEFIT, TargetDimension.ECONOMIC, "带动户均增收", Decimal("1000"), "元"
                ),
            ],
        )
        for household in households[: 6 + index]:
            projects.beneficiary_add(
                user=people["village"],
                project=project,
                household=household,
                benefit_type=plan.mechanisms[-1],
                expected_amount=Decimal("800"),
            )
        made.append(_walk(project, plan.target, people, today))
    cattle, road, solar, _env, _water, _training, courtyard = made
    finance = people["finance"]
    # (fund, project, allocated, days ago, paid or None, days ago, payee). The solar plant's
    # money was allocated long ago and never paid: the fund rules find it idle.
    ledger = (
        (central, cattle, "1200000.00", 280, "1200000.00", 200, "清水河县建筑工程公司"),
        (central, road, "900000.00", 110, "360000.00", 40, "县交通建设公司"),
        (provincial, solar, "800000.00", 130, None, 0, ""),
        (provincial, courtyard, "300000.00", 250, "300000.00", 230, "县畜牧服务中心"),
    )
    for fund, project, allocated, allocated_ago, paid, paid_ago, payee in ledger:
        funds.allocate(
            user=finance,
            fund=fund,
            project=project,
            amount=allocated,
            occurred_on=today - datetime.timedelta(days=allocated_ago),
        )
        if paid is not None:
            funds.pay(
                user=finance,
                fund=fund,
                project=project,
                amount=paid,
                occurred_on=today - datetime.timedelta(days=paid_ago),
                payee_kind=PayeeKind.UNIT,
                payee_name=payee,
                voucher=_pdf("支付凭证.pdf"),
            )
    Project.objects.filter(pk__in=[cattle.pk, courtyard.pk]).update(
        accepted_on=today - datetime.timedelta(days=60)
    )
    asset = asset_register(
        user=people["county"],
        project=cattle,
        village_code=village.code,
        name="肉牛养殖小区牛舍及附属设施",
        asset_type="operating",
        quantity=Decimal("2"),
        unit="栋",
        value="1200000.00",
        year_formed=today.year,
        owner_kind="village_collective",
        owner_name=f"{village.name}股份经济合作社",
        operator="清水河县丰源养殖专业合作社",
        contract_number=f"ZL{today.year}-017",
        contract_start=today - datetime.timedelta(days=150),
        contract_end=today + datetime.timedelta(days=365 * 5),
        income_rule="按资产总额6%收取年租金，提取10%管护费后向受益户按股分红",
        supervisor="乡镇人民政府",
        custodian=f"{village.name}村民委员会",
    )
    income = income_record(
        user=people["village"],
        asset=asset,
        year=today.year,
        period="上半年租金",
        received_on=today - datetime.timedelta(days=30),
        amount="36000.00",
    )
    for household in households[:6]:
        distribute(
            user=people["village"],
            income=income,
            household=household,
            amount="900.00",
            paid_on=today - datetime.timedelta(days=20),
        )
    run = fund_monitoring_execute(fund_monitoring_start(area=county, as_of=today))
    return {"projects": len(made), "funds": 2, "findings": run.findings}


def clear_money(county: Area) -> None:
    """Remove the county's projects, funds and assets (demo data only). The fund ledger is
    append-only: on PostgreSQL its trigger lets a purge through, as the audit log's does."""
    in_area = code_range_q(county, "area_id")
    with transaction.atomic():
        FundFinding.objects.filter(in_area).delete()
        FundMonitoringRun.objects.filter(in_area).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jingzhun.audit_purge = 'on'")
        movements = FundMovement.objects.filter(code_range_q(county, "fund__area_id"))
        movements.filter(reverses__isnull=False)._raw_delete("default")
        movements._raw_delete("default")
        Fund.objects.filter(in_area).delete()
        Distribution.objects.filter(code_range_q(county, "income__asset__village_id")).delete()
        AssetIncome.objects.filter(code_range_q(county, "asset__village_id")).delete()
        AssetEvent.objects.filter(code_range_q(county, "asset__village_id")).delete()
        Asset.objects.filter(code_range_q(county, "village_id")).delete()
        Project.objects.filter(in_area).delete()
