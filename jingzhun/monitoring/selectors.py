"""Reads of warnings and screening runs, scoped to the user's area; a department
user sees the warnings of its own department's rules only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.accounts.roles import Capability
from jingzhun.areas.selectors import area_scope_q
from jingzhun.monitoring.choices import OPEN_STATUSES
from jingzhun.monitoring.models import RiskWarning, ScreeningRule, ScreeningRun
from jingzhun.registry.models import Household
from jingzhun.registry.selectors import head_name_of

# The status filter's extra values besides the statuses themselves.
STATUS_OPEN = "open"
STATUS_ALL = "all"


@dataclass(frozen=True)
class WarningFilters:
    village: str = ""
    rule: str = ""
    status: str = STATUS_OPEN
    overdue: bool = False
    run: int | None = None


def _visible_warnings(user: User) -> QuerySet[RiskWarning]:
    warnings = RiskWarning.objects.filter(area_scope_q(user, "household__village_id"))
    if user.role == Role.DEPARTMENT_USER:
        # A department sees its own rules' warnings, health ones included: it reported the data.
        return warnings.filter(rule__department=user.department)
    if not user.can(Capability.REVEAL_SENSITIVE):
        # A health rule's name says what the person has ("main earner died or seriously
        # ill"): listing whom it fired on is health data, so those warnings are withheld
        # whole from the roles that may not see health details (supervisors, evaluators).
        warnings = warnings.exclude(rule__health_data=True)
    return warnings


def health_rules_withheld(user: User) -> bool:
    """Whether the user's warning lists leave out health rules (for pages to say so)."""
    return user.role != Role.DEPARTMENT_USER and not user.can(Capability.REVEAL_SENSITIVE)


def overdue_q() -> Q:
    return Q(status__in=OPEN_STATUSES, deadline__lt=timezone.localdate())


def warning_list(*, user: User, filters: WarningFilters | None = None) -> QuerySet[RiskWarning]:
    filters = filters or WarningFilters()
    warnings = _visible_warnings(user)
    if filters.village:
        warnings = warnings.filter(household__village_id=filters.village)
    if filters.rule:
        warnings = warnings.filter(rule_id=filters.rule)
    if filters.status == STATUS_OPEN:
        warnings = warnings.filter(status__in=OPEN_STATUSES)
    elif filters.status != STATUS_ALL:
        warnings = warnings.filter(status=filters.status)
    if filters.overdue:
        warnings = warnings.filter(overdue_q())
    if filters.run is not None:
        warnings = warnings.filter(last_run_id=filters.run)
    return warnings.select_related("household", "household__village", "rule", "member").annotate(
        head_name=head_name_of("household")
    )


def warning_counts_by_rule(warnings: QuerySet[RiskWarning]) -> list[tuple[ScreeningRule, int, int]]:
    """(rule, warnings, overdue) for the rules present, largest first."""
    counts = (
        warnings.order_by()
        .values("rule_id")
        .annotate(total=Count("pk"), overdue=Count("pk", filter=overdue_q()))
        .order_by("-total", "rule_id")
    )
    rules = ScreeningRule.objects.in_bulk([row["rule_id"] for row in counts])
    return [(rules[row["rule_id"]], row["total"], row["overdue"]) for row in counts]


def warnings_in_scope(*, user: User) -> QuerySet[RiskWarning]:
    """Every warning the user may open, decided ones included."""
    return warning_list(user=user, filters=WarningFilters(status=STATUS_ALL))


def household_warnings(*, user: User, household: Household) -> QuerySet[RiskWarning]:
    # The household was fetched through the user's scope; its warnings follow it.
    return (
        _visible_warnings(user)
        .filter(household=household)
        .select_related("rule", "member")
        .order_by("-created_at", "-id")
    )


def screening_run_list(*, user: User) -> QuerySet[ScreeningRun]:
    if user.area is None:
        return ScreeningRun.objects.none()
    # A run of a larger area than the user's (a province run seen from a county) is
    # not shown: its counts would include other areas.
    return ScreeningRun.objects.filter(area_scope_q(user, "area_id")).select_related("area", "started_by")


def evidence_visible(*, user: User, rule: ScreeningRule) -> bool:
    """Health evidence (medical costs, disability, illness) is for the roles that may
    see sensitive data and for the department that reported it."""
    if not rule.health_data or user.can(Capability.REVEAL_SENSITIVE):
        return True
    return user.role == Role.DEPARTMENT_USER and bool(rule.department) and user.department == rule.department
