"""Reads of the project library, always scoped to the user's area: a project is seen
by the users of the area that proposed it and of the villages it covers, and by
everyone above them (township, county, finance, supervisors)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from jingzhun.accounts.models import User
from jingzhun.areas.selectors import area_scope_q
from jingzhun.projects.choices import ProjectAction, ProjectState
from jingzhun.projects.models import Beneficiary, Project, ProjectAttachment
from jingzhun.projects.workflow import TRANSITIONS
from jingzhun.registry.selectors import head_name_of


@dataclass(frozen=True)
class ProjectFilters:
    state: str = ""
    category: str = ""
    year: int | None = None
    village: str = ""
    mine: bool = False
    search: str = ""


def project_scope_q(user: User, prefix: str = "") -> Q:
    """Projects proposed in the user's area or covering one of its villages."""
    covered = Project.villages.through.objects.filter(
        area_scope_q(user, "area_id"), project_id=OuterRef(f"{prefix}pk" if prefix else "pk")
    )
    return area_scope_q(user, f"{prefix}area_id") | Q(Exists(covered))


def waiting_for_q(user: User) -> Q:
    """Projects at a step the user may complete (withdrawing aside)."""
    query = Q(pk__in=[])
    for transition in TRANSITIONS.for_user(user, excluding={ProjectAction.WITHDRAW, ProjectAction.REMOVE}):
        query |= Q(state__in=sorted(transition.sources))
    return query


def project_list(*, user: User, filters: ProjectFilters | None = None) -> QuerySet[Project]:
    filters = filters or ProjectFilters()
    projects = Project.objects.filter(project_scope_q(user))
    if filters.state:
        projects = projects.filter(state=filters.state)
    if filters.category:
        projects = projects.filter(category=filters.category)
    if filters.year:
        projects = projects.filter(year=filters.year)
    if filters.village:
        projects = projects.filter(Q(area_id=filters.village) | Q(villages__code=filters.village)).distinct()
    if filters.mine:
        projects = projects.filter(waiting_for_q(user))
    if filters.search:
        projects = projects.filter(
            Q(name__icontains=filters.search) | Q(responsible_unit__icontains=filters.search)
        )
    # An aggregating query drops Meta.ordering, and the list is paginated: order it again.
    return (
        projects.select_related("area", "area__parent")
        .annotate(budget=Sum("budget_lines__amount"), beneficiary_count=Count("beneficiaries", distinct=True))
        .order_by("-year", "area", "id")
    )


def project_get(*, user: User, pk: int) -> Project:
    """One project the user may see (``Project.DoesNotExist`` otherwise, also for another area's)."""
    return (
        Project.objects.filter(project_scope_q(user))
        .select_related("area", "area__parent", "created_by")
        .prefetch_related("villages", "budget_lines", "targets")
        .get(pk=pk)
    )


def project_beneficiaries(*, project: Project) -> QuerySet[Beneficiary]:
    return (
        project.beneficiaries.select_related("household", "household__village")
        .annotate(head_name=head_name_of("household"))
        .order_by("household__village_id", "household__household_number")
    )


def project_attachment_get(*, user: User, pk: int) -> ProjectAttachment:
    return ProjectAttachment.objects.select_related("project").get(project_scope_q(user, "project__"), pk=pk)


def household_projects(*, user: User, household_id: int) -> QuerySet[Beneficiary]:
    """The projects a household benefits from (for the household page and form)."""
    return (
        Beneficiary.objects.filter(project_scope_q(user, "project__"), household_id=household_id)
        .select_related("project")
        .order_by("-project__year", "project_id")
    )


def counts_by_state(projects: QuerySet[Project]) -> list[tuple[ProjectState, int]]:
    counts = dict(projects.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    return [(state, counts[state]) for state in ProjectState if state in counts]
