"""Reads of assistance, scoped to the user's area (an assistance cadre: their own households)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.assistance.models import Measure, Pairing, Visit
from jingzhun.codelists.selectors import parameter_value
from jingzhun.quality.selectors import QualityIssue, find_issues
from jingzhun.registry.models import Household, MonitoringObject
from jingzhun.registry.selectors import HouseholdFilters, household_list, household_rows

# The data-quality rules that are assistance checks (domain.md §6, issue list of the plan).
ASSISTANCE_RULES = ("RISK_WITHOUT_MEASURE", "NO_DEVELOPMENT_MEASURE", "LATE_FIRST_MEASURE")


@dataclass(frozen=True)
class AssistanceFilters:
    village: str = ""
    mine: bool = False
    not_visited: bool = False


def visit_interval_days(province: str) -> int:
    return int(parameter_value("visit_interval_days", province=province))


def assisted_households(
    *, user: User, filters: AssistanceFilters | None = None, today: datetime.date | None = None
) -> QuerySet[Household]:
    """Monitoring objects and paired households in scope, with their cadre and last visit."""
    filters = filters or AssistanceFilters()
    today = today or timezone.localdate()
    current_pairing = Pairing.objects.filter(household=OuterRef("pk"), ended_on__isnull=True)
    households = household_list(user=user).filter(
        Q(Exists(MonitoringObject.objects.filter(household=OuterRef("pk"), risk_eliminated=False)))
        | Q(Exists(current_pairing))
    )
    if user.role == Role.ASSISTANCE_CADRE or filters.mine:
        households = households.filter(Exists(current_pairing.filter(cadre=user)))
    if filters.village:
        households = households.filter(village_id=filters.village)
    households = households.annotate(
        last_visit=Max("visits__visited_on"),
        cadre_name=Subquery(current_pairing.values("cadre__username")[:1]),
    )
    if filters.not_visited and user.area is not None:
        since = today - datetime.timedelta(days=visit_interval_days(user.area.code[:2]))
        households = households.filter(Q(last_visit__isnull=True) | Q(last_visit__lt=since))
    return households.order_by("village_id", "household_number")


def assistance_issues(
    households: QuerySet[Household] | list[Household], *, province: str
) -> dict[int, list[QualityIssue]]:
    """The assistance checks for the given households, one query per rule."""
    ids = [household.pk for household in households]
    found: dict[int, list[QualityIssue]] = defaultdict(list)
    for issue in find_issues(Household.objects.filter(pk__in=ids), province=province, codes=ASSISTANCE_RULES):
        found[issue.household_id].append(issue)
    return found


def is_visit_overdue(
    last_visit: datetime.date | None, *, province: str, today: datetime.date | None = None
) -> bool:
    today = today or timezone.localdate()
    return last_visit is None or last_visit < today - datetime.timedelta(days=visit_interval_days(province))


def measure_list(*, user: User, village: str = "") -> QuerySet[Measure]:
    """The measures of the households in the user's area (removed households included),
    or of one village; the newest first."""
    scoped = household_rows(user=user, filters=HouseholdFilters(village=village, include_removed=True))
    return Measure.objects.filter(household__in=scoped.values("pk")).order_by("-start_date", "-pk")


def household_measures(*, user: User, household: Household) -> QuerySet[Measure]:
    """A household's measures, the newest first (the household already found in the user's scope)."""
    return measure_list(user=user).filter(household=household)


def household_visits(*, user: User, household: Household) -> QuerySet[Visit]:
    household_list(user=user).get(pk=household.pk)
    return Visit.objects.filter(household=household).select_related("visitor").prefetch_related("photos")


def current_pairing(household: Household) -> Pairing | None:
    return Pairing.objects.filter(household=household, ended_on__isnull=True).select_related("cadre").first()


def assistance_cadres(*, user: User) -> QuerySet[User]:
    """Assistance cadres whose area overlaps the user's (theirs contains it or lies within it)."""
    if user.area is None:
        return User.objects.none()
    low, high = user.area.subtree_bounds
    cadres = User.objects.filter(role=Role.ASSISTANCE_CADRE, is_active=True).select_related("area")
    return cadres.filter(
        Q(area__code__gte=low, area__code__lte=high)
        | Q(area__code__in=[a.code for a in user.area.ancestors()])
    ).order_by("username")
