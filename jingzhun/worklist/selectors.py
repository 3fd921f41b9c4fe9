"""What is waiting for me: every user's home page, built from the other apps'
selectors so that it shows exactly what their lists show, scoped the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.accounts.roles import Capability
from jingzhun.assistance.selectors import AssistanceFilters, assisted_households
from jingzhun.cases.choices import CaseState
from jingzhun.cases.selectors import CaseFilters, case_list, declaration_list, overdue_q
from jingzhun.monitoring.selectors import WarningFilters, warning_list
from jingzhun.monitoring.selectors import overdue_q as warning_overdue_q

LISTED = 10


@dataclass
class Worklist:
    my_cases: list[Any] = field(default_factory=list)
    my_case_count: int = 0
    my_overdue: int = 0
    area_overdue: int = 0
    notices: list[Any] = field(default_factory=list)
    declarations: list[Any] = field(default_factory=list)
    declaration_count: int = 0
    warning_count: int | None = None
    warning_overdue: int = 0
    to_visit: list[Any] = field(default_factory=list)
    to_visit_count: int | None = None


def worklist_for(*, user: User) -> Worklist:
    work = Worklist()
    mine = case_list(user=user, filters=CaseFilters(mine=True)).order_by("deadline", "pk")
    work.my_case_count = mine.count()
    work.my_overdue = mine.filter(overdue_q()).count()
    work.my_cases = list(mine[:LISTED])
    work.area_overdue = case_list(user=user).filter(overdue_q()).count()
    if user.role == Role.VILLAGE_CADRE:
        notices = case_list(user=user, filters=CaseFilters(state=CaseState.PUBLIC_NOTICE)).order_by(
            "notice_ends_on"
        )
        today = timezone.localdate()
        work.notices = [
            (case, case.notice_ends_on is not None and case.notice_ends_on < today)
            for case in notices[:LISTED]
        ]
        declarations = declaration_list(user=user)
        work.declaration_count = declarations.count()
        work.declarations = list(declarations[:LISTED])
    if user.can(Capability.VERIFY_WARNINGS) or user.role == Role.DEPARTMENT_USER:
        warnings = warning_list(user=user, filters=WarningFilters())
        work.warning_count = warnings.count()
        work.warning_overdue = warnings.filter(warning_overdue_q()).count()
    if user.role in (Role.ASSISTANCE_CADRE, Role.VILLAGE_CADRE):
        due = assisted_households(user=user, filters=AssistanceFilters(mine=True, not_visited=True))
        work.to_visit_count = due.count()
        work.to_visit = list(due[:LISTED])
    return work
