"""Reads of the pre-computed figures, scoped to the user's area."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from jingzhun.accounts.choices import Department
from jingzhun.accounts.models import User
from jingzhun.areas.choices import PREFIX_LENGTH, AreaLevel
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import area_scope_q, code_range_q
from jingzhun.cases.choices import CaseState
from jingzhun.codelists.selectors import code_label
from jingzhun.core.runs import RunStatus
from jingzhun.dashboards.choices import Dimension, Section
from jingzhun.dashboards.engine import BLANK_KEY, TOTAL_KEY
from jingzhun.dashboards.figures import FIGURES, Figure, figure_get
from jingzhun.dashboards.models import AggregateRun, AreaFigure, HouseholdFact
from jingzhun.monitoring.models import ScreeningRule
from jingzhun.quality.registry import RULES as QUALITY_RULES
from jingzhun.registry.choices import CodeListKey

MAPS = Path(__file__).resolve().parent / "static" / "dashboards" / "maps"

# Figures in the table of child areas, in this order.
CHILD_COLUMNS = (
    "households",
    "people",
    "monitored",
    "monitored_open",
    "warned",
    "warned_overdue",
    "in_procedure",
    "in_procedure_overdue",
    "covered_by_measure",
    "below_monitoring_line",
)


def area_in_scope(*, user: User, code: str | None = None) -> Area:
    """The area ``code`` (the user's own area by default); Area.DoesNotExist outside the user's scope."""
    if user.area is None:
        raise Area.DoesNotExist
    return Area.objects.filter(area_scope_q(user, "code")).get(code=code or user.area.code)


def breadcrumbs(*, user: User, area: Area) -> list[Area]:
    """The area's ancestors the user may open, then the area itself."""
    return [ancestor for ancestor in area.ancestors() if user.area and user.area.contains(ancestor.code)] + [
        area
    ]


@dataclass
class KeyValue:
    key: str
    label: str
    value: int
    url: str


@dataclass
class FigureValues:
    figure: Figure
    total: int
    url: str
    keys: list[KeyValue] = field(default_factory=list)
    share_of: int | None = None

    @property
    def share(self) -> float | None:
        if not self.share_of:
            return None
        return round(100 * self.total / self.share_of, 1)


@dataclass
class ChildRow:
    area: Area
    values: dict[str, int]
    urls: dict[str, str]

    @property
    def cells(self) -> list[tuple[str, int, str]]:
        return [(column, self.values[column], self.urls[column]) for column in CHILD_COLUMNS]


@dataclass
class Dashboard:
    area: Area
    crumbs: list[Area]
    run: AggregateRun | None
    newer_part: AggregateRun | None
    figures: dict[str, FigureValues]
    children: list[ChildRow]
    child_level: int | None
    map_name: str = ""
    map_file: str = ""

    def section(self, section: Section) -> list[FigureValues]:
        return [values for key, values in self.figures.items() if values.figure.section == section]


def households_url(area: Area, figure: Figure, key: str = TOTAL_KEY) -> str:
    query = {"figure": figure.key, "area": area.code}
    if key != TOTAL_KEY:
        query["key"] = key
    return f"{reverse('household_list')}?{urlencode(query)}"


CODE_LIST_DIMENSIONS = {
    Dimension.POVERTY_STATUS: CodeListKey.POVERTY_STATUS,
    Dimension.HOUSEHOLD_ATTRIBUTE: CodeListKey.HOUSEHOLD_ATTRIBUTE,
    Dimension.MONITORING_CATEGORY: CodeListKey.MONITORING_CATEGORY,
    Dimension.RISK_TYPE: CodeListKey.RISK_TYPE,
}


class KeyLabels:
    """What the keys of breakdowns mean, in the user's language, for one province
    (the screening rules' names read once, when first needed)."""

    def __init__(self, province: str) -> None:
        self.province = province
        self._rules: dict[str, ScreeningRule] | None = None

    def __call__(self, dimension: Dimension | None, key: str) -> str:
        if dimension == Dimension.RULE and key != BLANK_KEY:
            if self._rules is None:
                self._rules = {rule.code: rule for rule in ScreeningRule.objects.all()}
            rule = self._rules.get(key)
            return rule.name if rule else key
        return key_label(dimension, key, province=self.province)


def key_label(dimension: Dimension | None, key: str, *, province: str) -> str:
    """What a key of a breakdown means, in the user's language."""
    if key == BLANK_KEY:
        return _("Not recorded")
    if dimension in CODE_LIST_DIMENSIONS:
        return code_label(CODE_LIST_DIMENSIONS[dimension], key, province=province)
    if dimension == Dimension.RULE:
        rule = ScreeningRule.objects.filter(code=key).first()
        return rule.name if rule else key
    if dimension == Dimension.QUALITY_RULE:
        quality_rule = QUALITY_RULES.get(key)
        return quality_rule.message if quality_rule else key
    if dimension == Dimension.DEPARTMENT:
        return str(Department(key).label) if key in Department.values else key
    if dimension == Dimension.CASE_STEP:
        return str(CaseState(key).label) if key in CaseState.values else key
    if dimension == Dimension.ELIMINATION:
        return _("Risk eliminated") if key == "eliminated" else _("Risk not eliminated")
    if dimension == Dimension.INCOME_BAND:
        return f"{int(key):,}+"
    return key


def _ordered_keys(figure: Figure, keys: dict[str, int]) -> list[str]:
    if figure.dimension == Dimension.INCOME_BAND:
        return sorted(keys, key=int)
    if figure.dimension == Dimension.MONTH:
        return sorted(keys)
    if figure.multi or figure.dimension in (Dimension.RULE, Dimension.DEPARTMENT):
        return sorted(keys, key=lambda key: (-keys[key], key))
    return sorted(keys)


@cache
def map_index() -> dict[str, str]:
    path = MAPS / "index.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def last_run(area: Area) -> AggregateRun | None:
    """The latest finished refresh that covered the whole of ``area``."""
    covering = [ancestor.code for ancestor in area.ancestors()] + [area.code]
    return (
        AggregateRun.objects.filter(area_id__in=covering, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .first()
    )


def dashboard_get(*, user: User, area: Area) -> Dashboard:
    """The figures of ``area`` (which the caller found through ``area_in_scope``) and of its children."""
    labels = KeyLabels(area.code[:2])
    rows = AreaFigure.objects.filter(area_code=area.code).values_list("figure", "key", "value")
    by_figure: dict[str, dict[str, int]] = defaultdict(dict)
    for figure_key, key, value in rows:
        by_figure[figure_key][key] = value
    figures: dict[str, FigureValues] = {}
    for figure in FIGURES:
        keys = by_figure.get(figure.key, {})
        total = keys.get(TOTAL_KEY, 0) if not figure.group_by else sum(keys.values())
        values = FigureValues(figure=figure, total=total, url=households_url(area, figure))
        for key in _ordered_keys(figure, keys) if figure.group_by else []:
            values.keys.append(
                KeyValue(
                    key=key,
                    label=labels(figure.dimension, key),
                    value=keys[key],
                    url=households_url(area, figure, key),
                )
            )
        figures[figure.key] = values
    for values in figures.values():
        if values.figure.of:
            values.share_of = figures[values.figure.of].total

    children: list[ChildRow] = []
    child_level = None
    if area.level < AreaLevel.VILLAGE:
        child_level = area.level + 1
        child_areas = list(Area.objects.filter(parent=area).filter(area_scope_q(user, "code")))
        child_values: dict[str, dict[str, int]] = defaultdict(dict)
        for code, figure_key, value in AreaFigure.objects.filter(
            area_code__in=[child.code for child in child_areas], figure__in=CHILD_COLUMNS, key=TOTAL_KEY
        ).values_list("area_code", "figure", "value"):
            child_values[code][figure_key] = value
        for child in child_areas:
            children.append(
                ChildRow(
                    area=child,
                    values={column: child_values[child.code].get(column, 0) for column in CHILD_COLUMNS},
                    urls={column: households_url(child, figure_get(column)) for column in CHILD_COLUMNS},
                )
            )
    run = last_run(area)
    if run is None and by_figure:
        # Figures summed from refreshes of its parts (a city whose counties were refreshed
        # one by one): say when the latest part was counted, not that nothing was.
        low, high = area.subtree_bounds
        run = (
            AggregateRun.objects.filter(status=RunStatus.SUCCEEDED, area_id__gte=low, area_id__lte=high)
            .order_by("-finished_at", "-id")
            .first()
        )
    newer_part = None
    if run is not None:
        low, high = area.subtree_bounds
        newer_part = (
            AggregateRun.objects.filter(
                status=RunStatus.SUCCEEDED,
                area_id__gte=low,
                area_id__lte=high,
                finished_at__gt=run.finished_at,
            )
            .exclude(area_id=area.code)
            .order_by("-finished_at")
            .first()
        )
    city = area.code[:4]
    # The map shows an area's parts; a village has none to show.
    map_name = map_index().get(city, "") if AreaLevel.CITY <= area.level < AreaLevel.VILLAGE else ""
    return Dashboard(
        area=area,
        crumbs=breadcrumbs(user=user, area=area),
        run=run,
        newer_part=newer_part,
        figures=figures,
        children=children,
        child_level=child_level,
        map_name=map_name,
        map_file=f"dashboards/maps/{city}.js" if map_name else "",
    )


@dataclass
class MapArea:
    code: str
    name: str
    value: int
    url: str


def county_map_values(*, user: User, area: Area, figure_key: str) -> list[MapArea]:
    """The figure for each county of ``area``'s city that the user may see (the map's colours)."""
    city = Area.objects.filter(code=area.code[:4].ljust(12, "0")).first()
    if city is None:
        return []
    counties = Area.objects.filter(parent=city).filter(area_scope_q(user, "code"))
    values = dict(
        AreaFigure.objects.filter(
            area_code__in=[county.code for county in counties], figure=figure_key, key=TOTAL_KEY
        ).values_list("area_code", "value")
    )
    return [
        MapArea(
            code=county.code[: PREFIX_LENGTH[AreaLevel.COUNTY]],
            name=county.name,
            value=values.get(county.code, 0),
            url=reverse("dashboards:dashboard", args=[county.code]),
        )
        for county in counties
    ]


def figure_facts(*, area: Area, figure_key: str, key: str) -> QuerySet[HouseholdFact]:
    """The household facts behind a figure in ``area`` (which the caller found through
    ``area_in_scope``). Raises KeyError for an unknown figure."""
    figure = figure_get(figure_key)
    return HouseholdFact.objects.filter(code_range_q(area, "village_id")).filter(figure.facts_q(key))


def people_behind(facts: QuerySet[HouseholdFact]) -> int:
    return facts.aggregate(total=Sum("people"))["total"] or 0
