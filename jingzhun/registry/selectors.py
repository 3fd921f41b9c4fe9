"""Reads of the register. Every function takes the user and returns only rows
inside the user's area; a household outside it is simply not found."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy

from jingzhun.accounts.models import User
from jingzhun.areas.selectors import area_scope_q
from jingzhun.registry.choices import HEAD_RELATION, CodeListKey
from jingzhun.registry.idnumbers import (
    ID_TAIL_LENGTH,
    InvalidIdNumber,
    check_id_number,
    id_number_digest,
    id_tail_digest,
)
from jingzhun.registry.models import Household, HouseholdChange, IncomeRecord, LivingConditions, Member


@dataclass(frozen=True)
class HouseholdFilters:
    search: str = ""
    village: str = ""
    poverty_status: str = ""
    attribute: str = ""
    cause: str = ""
    include_removed: bool = False
    # Only these households (a subquery of primary keys), e.g. those behind a dashboard figure.
    among: QuerySet | None = None


@dataclass(frozen=True)
class FilterParameter:
    """One filter of the household list as a request names it: the same query parameter
    on the page (``HouseholdFilterForm``) and in the API (``schemas.HouseholdQuery``)."""

    param: str
    field: str  # of HouseholdFilters
    label: Any
    kind: str  # "text", "village" (a village code of the user's area), "code" (of ``code_list``), "flag"
    code_list: str = ""
    max_length: int = 20


# The household list's filters, declared once for the page form, the API and the selector.
HOUSEHOLD_FILTERS = (
    FilterParameter("q", "search", gettext_lazy("Search"), "text", max_length=50),
    FilterParameter("village", "village", gettext_lazy("Village"), "village", max_length=12),
    FilterParameter(
        "poverty_status", "poverty_status", gettext_lazy("Poverty status"), "code", CodeListKey.POVERTY_STATUS
    ),
    FilterParameter(
        "attribute", "attribute", gettext_lazy("Household attribute"), "code", CodeListKey.HOUSEHOLD_ATTRIBUTE
    ),
    FilterParameter("cause", "cause", gettext_lazy("Main cause"), "code", CodeListKey.CAUSE_OF_POVERTY),
    FilterParameter("include_removed", "include_removed", gettext_lazy("Removed households too"), "flag"),
)


def household_filters(values: Mapping[str, Any], **extra: Any) -> HouseholdFilters:
    """The filters a request gives by ``HOUSEHOLD_FILTERS``' parameter names (absent ones
    left as they are), with ``extra`` filters that are not parameters (``among``)."""
    given = {p.field: values[p.param] for p in HOUSEHOLD_FILTERS if values.get(p.param) is not None}
    return HouseholdFilters(**given, **extra)


def head_name_of(household: str = "pk") -> Subquery:
    """The name of the head (户主) of the household at ``household``, to annotate rows with:
    people know a household by its head's name first and its number second."""
    heads = Member.objects.filter(household=OuterRef(household), relation_to_head=HEAD_RELATION)
    return Subquery(heads.values("name")[:1])


def household_list(*, user: User, filters: HouseholdFilters | None = None) -> QuerySet[Household]:
    """The households of the list page: with their village and the head's name."""
    return (
        household_rows(user=user, filters=filters)
        .select_related("village")
        .annotate(head_name=head_name_of())
    )


def household_rows(*, user: User, filters: HouseholdFilters | None = None) -> QuerySet[Household]:
    """The households in the user's area matching ``filters``, their own columns only
    (without the list page's village join and head-name subquery)."""
    filters = filters or HouseholdFilters()
    households = Household.objects.filter(area_scope_q(user, "village_id"))
    if not filters.include_removed:
        households = households.filter(is_active=True)
    if filters.among is not None:
        households = households.filter(pk__in=filters.among)
    if filters.village:
        households = households.filter(village_id=filters.village)
    if filters.poverty_status:
        households = households.filter(poverty_status=filters.poverty_status)
    if filters.attribute:
        households = households.filter(attribute=filters.attribute)
    if filters.cause:
        households = households.filter(main_cause=filters.cause)
    if filters.search:
        households = households.filter(_search_q(filters.search.strip()))
    return households


# A digit string this short is the end of a number: the household's short number in
# its village (the last digits of 1501241002010021) or the last digits of an ID number.
_SHORT_NUMBER = 8


def _search_q(term: str) -> Q:
    """Household number (whole, its start, or its short end), any member's name (also
    the given name alone), or an ID number (whole, normalised as on entry, or its last
    four to eight characters)."""
    members = Member.objects.filter(household=OuterRef("pk"))
    query = Q(household_number=term) | Q(household_number__startswith=term)
    query |= Q(Exists(members.filter(name__contains=term)))
    try:
        number = check_id_number(term).number
    except InvalidIdNumber:
        number = term.upper()
    query |= Q(Exists(members.filter(id_number_index=id_number_digest(number))))
    digits = term.upper()
    if 3 <= len(digits) <= _SHORT_NUMBER and digits.rstrip("X").isdigit():
        query |= Q(household_number__endswith=digits)
        if len(digits) >= ID_TAIL_LENGTH:
            query |= Q(pk__in=_households_with_id_ending(digits))
    return query


def _households_with_id_ending(digits: str) -> list[int]:
    """The numbers are encrypted: members whose last four characters match are found by
    their digest (about one in ten thousand), and only those are decrypted to compare
    a longer ending."""
    candidates = Member.objects.filter(id_number_tail=id_tail_digest(digits))
    return sorted(
        {
            household
            for household, number in candidates.values_list("household_id", "id_number")
            if number.endswith(digits)
        }
    )


def households_in_scope(*, user: User) -> QuerySet[Household]:
    """Every household the user may open, removed ones included."""
    return household_rows(user=user, filters=HouseholdFilters(include_removed=True))


def household_by_number(*, user: User, number: str) -> Household | None:
    """The household a form names by its number, or None when there is none in the user's area
    (one outside it reads exactly like one that does not exist)."""
    return households_in_scope(user=user).filter(household_number=number.strip()).first()


def household_get(*, user: User, pk: int) -> Household:
    """Raises Household.DoesNotExist for a household outside the user's area, exactly
    as for one that does not exist."""
    return households_in_scope(user=user).get(pk=pk)


def member_list(*, user: User, household: Household | None = None) -> QuerySet[Member]:
    members = Member.objects.filter(area_scope_q(user, "household__village_id"))
    if household is not None:
        members = members.filter(household=household)
    return members.order_by("relation_to_head", "birth_date")


def income_list(*, user: User, household: Household) -> QuerySet[IncomeRecord]:
    return IncomeRecord.objects.filter(area_scope_q(user, "household__village_id"), household=household)


def change_list(*, user: User, household: Household) -> QuerySet[HouseholdChange]:
    # The household itself was fetched through the user's scope; its history follows.
    household_get(user=user, pk=household.pk)
    return HouseholdChange.objects.filter(household_id=household.pk).select_related("actor")


def living_conditions_of(*, user: User, household: Household) -> LivingConditions:
    """The household's living conditions, or (for one registered without them) an unsaved
    empty record: reading never writes."""
    household_get(user=user, pk=household.pk)
    return LivingConditions.objects.filter(household=household).first() or LivingConditions(
        household=household
    )
