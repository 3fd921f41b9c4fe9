"""Shared by the project tests: a complete proposal and valid input for each step."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jingzhun.accounts.models import User
from jingzhun.projects import services
from jingzhun.projects.choices import AttachmentKind, FundLevel, ProjectAction, TargetDimension, TargetLevel
from jingzhun.projects.models import Project
from jingzhun.projects.services import BudgetInput, TargetInput, Upload
from jingzhun.projects.workflow import TRANSITIONS
from tests.case_steps import People


def pdf(name: str = "minutes.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 minutes\n%%EOF\n", content_type="application/pdf")


def proposal(user: User, **overrides: Any) -> Project:
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "name": "榆树营村肉牛养殖小区",
        "year": today.year,
        "category": "01",
        "construction_type": "1",
        "responsible_unit": "榆树营村股份经济合作社",
        "content": "新建牛舍 2 栋 1,200 平方米，购置基础母牛 60 头",
        "planned_start": today,
        "planned_end": today + datetime.timedelta(days=180),
        "benefit_mechanisms": ["01", "02"],
        "benefit_note": "脱贫户务工与资产收益分红",
        "households_planned": 40,
        "people_planned": 110,
        "budget": [BudgetInput(FundLevel.CENTRAL, "01", Decimal("800000.00"))],
        "targets": [
            TargetInput(
                TargetLevel.OUTPUT, TargetDimension.QUANTITY, "新建牛舍面积", Decimal("1200"), "平方米"
            ),
            TargetInput(
                TargetLevel.BENEFIT, TargetDimension.ECONOMIC, "带动脱贫户户均增收", Decimal("1500"), "元"
            ),
        ],
    }
    fields.update(overrides)
    return services.project_create(user=user, **fields)


def step_input(action: str, project: Project) -> dict[str, Any]:
    today = timezone.localdate()
    if action == ProjectAction.SUBMIT_PROPOSAL:
        return {
            "data": {"meeting_on": today - datetime.timedelta(days=3)},
            "uploads": [Upload(AttachmentKind.MEETING_MINUTES, pdf())],
        }
    if action == ProjectAction.RECORD_REVIEW:
        return {"data": {"review_conclusion": "项目可行，建议入库"}}
    if action == ProjectAction.SELECT_FOR_PLAN:
        return {"data": {"plan_year": today.year}}
    if action == ProjectAction.START:
        return {"data": {"started_on": today}}
    if action == ProjectAction.COMPLETE:
        achieved = {target.pk: target.planned_value for target in project.targets.all()}
        return {"data": {"completed_on": today, "achieved": achieved}}
    if action == ProjectAction.ACCEPT:
        return {
            "data": {"accepted_on": today, "acceptance_note": "验收合格"},
            "uploads": [Upload(AttachmentKind.ACCEPTANCE_REPORT, pdf("report.pdf"))],
        }
    if action in (ProjectAction.RETURN, ProjectAction.REMOVE, ProjectAction.WITHDRAW):
        return {"comment": "材料不全"}
    if action == ProjectAction.FAIL_ACCEPTANCE:
        return {"comment": "部分工程未完工"}
    return {}


def end_notice(project: Project) -> None:
    """Let the running notice end (its dates moved into the past)."""
    today = timezone.localdate()
    Project.objects.filter(pk=project.pk).update(
        notice_starts_on=today - datetime.timedelta(days=20),
        notice_ends_on=today - datetime.timedelta(days=1),
    )


MAIN_LINE = [
    ProjectAction.SUBMIT_PROPOSAL,
    ProjectAction.CLOSE_VILLAGE_NOTICE,
    ProjectAction.TOWNSHIP_APPROVE,
    ProjectAction.CLOSE_TOWNSHIP_NOTICE,
    ProjectAction.RECORD_REVIEW,
    ProjectAction.COUNTY_APPROVE,
    ProjectAction.CLOSE_ANNOUNCEMENT,
    ProjectAction.SELECT_FOR_PLAN,
    ProjectAction.START,
    ProjectAction.COMPLETE,
    ProjectAction.ACCEPT,
]


def actor_for(staff: People, level: int) -> User:
    return {5: staff.village, 4: staff.township, 3: staff.county}[level]


def act(staff: People, project: Project, action: str) -> Project:
    """Make one move as the user the table names, letting a running notice end first."""
    transition = TRANSITIONS.find(action, project.state)
    assert transition is not None, (action, project.state)
    if project.in_notice and action != ProjectAction.WITHDRAW:
        end_notice(project)
    return services.project_transition(
        user=actor_for(staff, transition.level), project=project, action=action, **step_input(action, project)
    )


def walk_to(staff: People, project: Project, state: str) -> Project:
    for action in MAIN_LINE:
        if project.state == state:
            return project
        project = act(staff, project, action)
    assert project.state == state
    return project
