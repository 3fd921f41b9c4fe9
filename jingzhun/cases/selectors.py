"""Reads of the procedures, always scoped to the user's area."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import area_scope_q, areas_by_prefix, child_prefix, code_range_q
from jingzhun.cases.choices import OPEN_STATES, CaseAction, CaseState, DeclarationStatus
from jingzhun.cases.models import Case, Declaration
from jingzhun.cases.workflow import TRANSITIONS, Transition
from jingzhun.codelists.selectors import codes_with, parameter_value
from jingzhun.registry.choices import CodeListKey
from jingzhun.registry.models import Member
from jingzhun.registry.selectors import head_name_of


@dataclass(frozen=True)
class CaseFilters:
    kind: str = ""
    state: str = ""
    village: str = ""
    mine: bool = False
    overdue: bool = False
    include_closed: bool = False


def overdue_q(today: datetime.date | None = None) -> Q:
    return Q(state__in=OPEN_STATES, deadline__lt=today or timezone.localdate())


def moves_for(user: User) -> list[Transition]:
    """The moves (other than withdrawing) the user's role and level may make."""
    return TRANSITIONS.for_user(user, excluding={CaseAction.WITHDRAW})


def waiting_for_q(user: User) -> Q:
    """Cases at a step the user may complete."""
    query = Q(pk__in=[])
    for transition in moves_for(user):
        query |= Q(kind=transition.kind, state__in=sorted(transition.sources))
    return query


def case_list(*, user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    filters = filters or CaseFilters()
    cases = Case.objects.filter(area_scope_q(user, "household__village_id"))
    if not filters.include_closed and not filters.state:
        cases = cases.filter(state__in=OPEN_STATES)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.village:
        cases = cases.filter(household__village_id=filters.village)
    if filters.mine:
        cases = cases.filter(waiting_for_q(user))
    if filters.overdue:
        cases = cases.filter(overdue_q())
    return cases.select_related("household", "household__village").annotate(
        head_name=head_name_of("household")
    )


def cases_in_scope(*, user: User) -> QuerySet[Case]:
    """Every case the user may open, closed ones included."""
    return case_list(user=user, filters=CaseFilters(include_closed=True))


def household_cases(*, user: User, household_id: int) -> QuerySet[Case]:
    return cases_in_scope(user=user).filter(household_id=household_id)


def overdue_by_area(*, user: User) -> list[tuple[Area, int, int]]:
    """Open and overdue cases per child area of the user's area (village users: their village)."""
    if user.area is None:
        return []
    counts = (
        case_list(user=user)
        .order_by()
        .values(prefix=child_prefix(user.area, "household__village_id"))
        .annotate(total=Count("pk"), late=Count("pk", filter=overdue_q()))
        .values_list("prefix", "total", "late")
    )
    rows = sorted(counts)
    areas = areas_by_prefix(prefix for prefix, _total, _late in rows)
    return [(areas[prefix], total, late) for prefix, total, late in rows if prefix in areas]


def case_counts_by_state(cases: QuerySet[Case]) -> list[tuple[CaseState, int]]:
    counts = dict(cases.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    return [(state, counts[state]) for state in CaseState if state in counts]


def declaration_list(*, user: User, include_handled: bool = False) -> QuerySet[Declaration]:
    declarations = Declaration.objects.filter(area_scope_q(user, "village_id")).select_related("village")
    if not include_handled:
        declarations = declarations.filter(status=DeclarationStatus.RECEIVED)
    return declarations


def notice_cases(*, user: User, village: Area) -> QuerySet[Case]:
    """What the village board shows now: the cases whose public notice is running or due."""
    return (
        case_list(user=user, filters=CaseFilters(state=CaseState.PUBLIC_NOTICE))
        .filter(household__village=village)
        .prefetch_related("household__members")
        .order_by("kind", "notice_starts_on", "pk")
    )


def announcement_cases(
    *, user: User, area: Area, since: datetime.date, until: datetime.date, kind: str = ""
) -> QuerySet[Case]:
    """Cases the county approved in a period: the announcement (公告)."""
    cases = case_list(user=user, filters=CaseFilters(state=CaseState.APPROVED)).filter(
        code_range_q(area, "household__village_id"), decided_on__gte=since, decided_on__lte=until
    )
    if kind:
        cases = cases.filter(kind=kind)
    return cases.prefetch_related("household__members").order_by("kind", "household__village_id", "pk")


@dataclass(frozen=True)
class ExitIndicator:
    """Poverty incidence of an area against the exit threshold (domain.md §5)."""

    area: Area
    people: int
    poor_people: int
    threshold: Decimal

    @property
    def incidence(self) -> Decimal | None:
        return Decimal(self.poor_people) / Decimal(self.people) if self.people else None

    @property
    def meets(self) -> bool | None:
        return None if self.incidence is None else self.incidence < self.threshold


def exit_indicators(
    *, user: User, area: Area | None = None
) -> tuple[ExitIndicator | None, list[ExitIndicator]]:
    """Poverty incidence of ``area`` (the user's own by default; one in their scope) and of
    each child area: people of registered poor households not lifted out, over the people
    in the register. Wrong-exit and missed-identification rates come from the third-party
    evaluation (oversight), shown beside these."""
    area = area or user.area
    if area is None:
        return None, []
    province = area.code[:2]
    poor_attributes = codes_with(CodeListKey.HOUSEHOLD_ATTRIBUTE, "registered_poor", province=province)
    lifted = codes_with(CodeListKey.HOUSEHOLD_ATTRIBUTE, "lifted_out", province=province)
    rows = sorted(
        Member.objects.filter(
            area_scope_q(user, "household__village_id"),
            code_range_q(area, "household__village_id"),
            household__is_active=True,
        )
        .values(prefix=child_prefix(area, "household__village_id"))
        .annotate(
            people=Count("pk"),
            poor=Count("pk", filter=Q(household__attribute__in=poor_attributes - lifted)),
        )
        .values_list("prefix", "people", "poor")
    )
    threshold = parameter_value("exit_incidence_max", province=province)
    areas = areas_by_prefix(prefix for prefix, _people, _poor in rows)
    children = [
        ExitIndicator(areas[prefix], people, poor, threshold)
        for prefix, people, poor in rows
        if prefix in areas
    ]
    whole = ExitIndicator(
        area, sum(c.people for c in children), sum(c.poor_people for c in children), threshold
    )
    return whole, children


def case_evidence_text(case: Case) -> str:
    """The evidence a case was opened with, as its warning's message reads it."""
    from jingzhun.monitoring.models import ScreeningRule

    evidence = case.evidence or {}
    rule = ScreeningRule.objects.filter(pk=evidence.get("rule")).first() if evidence.get("rule") else None
    return rule.message({k: v for k, v in evidence.items() if k not in ("rule", "rule_name")}) if rule else ""
