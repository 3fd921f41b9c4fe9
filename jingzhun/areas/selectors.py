from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr

from jingzhun.accounts.choices import Role
from jingzhun.areas.choices import CODE_LENGTH, PREFIX_LENGTH, AreaLevel
from jingzhun.areas.models import Area

if TYPE_CHECKING:
    from jingzhun.accounts.models import User


def area_scope_q(user: User, field: str) -> Q:
    """A filter keeping rows whose area code ``field`` lies in the user's subtree.

    A user without an area sees nothing; this is the single place the rule lives. A
    third-party evaluator reads by sample, not by area: only the households of their
    evaluation sample, through the oversight pages (``oversight.selectors``), so here
    nothing at all.
    """
    if user.area is None or user.role == Role.EVALUATOR:
        return Q(pk__in=[])
    return code_range_q(user.area, field)


def code_range_q(area: Area, field: str) -> Q:
    """Rows whose area code ``field`` lies under ``area``: a prefix test written as a
    range so that both SQLite and PostgreSQL answer it from a plain B-tree index."""
    low, high = area.subtree_bounds
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


def area_list(*, user: User, level: AreaLevel | None = None, parent: str | None = None) -> QuerySet[Area]:
    areas = Area.objects.filter(area_scope_q(user, "code"))
    if level is not None:
        areas = areas.filter(level=level)
    if parent is not None:
        areas = areas.filter(parent_id=parent)
    return areas


def villages_for(*, user: User) -> QuerySet[Area]:
    return area_list(user=user, level=AreaLevel.VILLAGE).filter(is_valid=True)


def village_choices(*, user: User) -> list[tuple[str, str]]:
    """The user's villages as form choices (code, name)."""
    return [(area.code, area.name) for area in villages_for(user=user)]


def child_prefix(area: Area, field: str) -> Substr:
    """The code prefix naming ``area``'s child area (a village names itself), for grouping
    rows by child area in SQL."""
    level = AreaLevel(min(area.level + 1, AreaLevel.VILLAGE))
    return Substr(field, 1, PREFIX_LENGTH[level])


def areas_by_prefix(prefixes: Iterable[str]) -> dict[str, Area]:
    """The areas named by code prefixes (as grouped by ``child_prefix``)."""
    areas = Area.objects.filter(code__in=[prefix.ljust(CODE_LENGTH, "0") for prefix in prefixes])
    return {area.short_code: area for area in areas}
