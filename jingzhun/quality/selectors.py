"""Running the data-quality catalogue over an area or one household."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.db.models import QuerySet
from django.utils import timezone

from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.quality import rules as _rules  # noqa: F401  (registers the catalogue)
from jingzhun.quality.choices import Subject
from jingzhun.quality.registry import RULES, RuleContext
from jingzhun.registry.models import Household
from jingzhun.registry.selectors import household_list


@dataclass(frozen=True)
class QualityIssue:
    household: str
    household_id: int
    member: str | None
    member_id: int | None
    rule: str
    severity: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def find_issues(
    households: QuerySet[Household], *, province: str, codes: Iterable[str] | None = None
) -> list[QualityIssue]:
    """Every issue in ``households``: one query per rule, whatever the number of households."""
    context = RuleContext(today=timezone.localdate(), province=province)
    issues: list[QualityIssue] = []
    for code in codes or RULES:
        rule = RULES[code]
        offenders = rule.find(households, context)
        if rule.subject == Subject.MEMBER:
            for member_id, household_id, household_number, name in offenders.values_list(
                "pk", "household_id", "household__household_number", "name"
            ):
                issues.append(
                    QualityIssue(
                        household_number,
                        household_id,
                        name,
                        member_id,
                        rule.code,
                        rule.severity,
                        rule.message,
                    )
                )
        else:
            for household_id, household_number in offenders.values_list("pk", "household_number"):
                issues.append(
                    QualityIssue(
                        household_number, household_id, None, None, rule.code, rule.severity, rule.message
                    )
                )
    issues.sort(key=lambda issue: (issue.household, issue.rule, issue.member or ""))
    return issues


def quality_issues_for_area(*, area: Area) -> list[QualityIssue]:
    households = Household.objects.filter(code_range_q(area, "village_id"), is_active=True)
    return find_issues(households, province=area.code[:2])


def _unannotated(households: QuerySet[Household]) -> QuerySet[Household]:
    return Household.objects.filter(pk__in=households.values("pk"))


def quality_issue_list(*, user: User, area: Area | None = None) -> list[QualityIssue]:
    households = _unannotated(household_list(user=user))
    if area is not None:
        households = households.filter(code_range_q(area, "village_id"))
    scope = area or user.area
    province = scope.code[:2] if scope is not None else ""
    return find_issues(households, province=province)


def household_quality_issues(*, user: User, household: Household) -> list[QualityIssue]:
    households = _unannotated(household_list(user=user).filter(pk=household.pk))
    return find_issues(households, province=household.village_id[:2])
