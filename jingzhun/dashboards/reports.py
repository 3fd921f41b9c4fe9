"""Periodic reports an office is asked for, read from the same area figures as the dashboard:
the area summary, and rankings by timeliness, assistance coverage and data quality."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jingzhun.accounts.models import User
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import area_scope_q, code_range_q
from jingzhun.dashboards.engine import TOTAL_KEY
from jingzhun.dashboards.figures import figure_get
from jingzhun.dashboards.models import AreaFigure
from jingzhun.dashboards.selectors import households_url


@dataclass(frozen=True)
class Column:
    """A count of a figure (``key`` of a breakdown, or the period's month), or a share of two columns."""

    name: str
    header: Promise | str
    figure: str = ""
    key: str = TOTAL_KEY
    numerator: str = ""
    denominator: str = ""
    per_month: bool = False

    @property
    def is_share(self) -> bool:
        return bool(self.numerator)


@dataclass(frozen=True)
class ReportKind:
    key: str
    title: Promise | str
    columns: tuple[Column, ...]
    # The column the areas are ranked by (ascending: best first), '' to list by code.
    rank_by: str = ""
    best_is_low: bool = True


def _share(name: str, header: Promise | str, numerator: str, denominator: str) -> Column:
    return Column(name, header, numerator=numerator, denominator=denominator)


REPORT_KINDS: dict[str, ReportKind] = {
    kind.key: kind
    for kind in (
        ReportKind(
            "summary",
            _("Area summary"),
            (
                Column("households", _("Households"), "households"),
                Column("people", _("People"), "people"),
                Column("lifted_out", _("Lifted out (status 2)"), "households_by_status", "2"),
                Column("monitored", _("Monitoring objects"), "monitored"),
                Column("monitored_open", _("Risk not eliminated"), "monitored_open"),
                Column("identified", _("Identified in the month"), "identified_by_month", per_month=True),
                Column(
                    "eliminated", _("Risk eliminated in the month"), "eliminated_by_month", per_month=True
                ),
                Column("warned", _("Households with open warnings"), "warned"),
                Column("in_procedure", _("Households with an open case"), "in_procedure"),
                Column("below_line", _("Below the monitoring line"), "below_monitoring_line"),
            ),
        ),
        ReportKind(
            "timeliness",
            _("Timeliness ranking"),
            (
                Column("warned", _("Households with open warnings"), "warned"),
                Column("warned_overdue", _("… overdue"), "warned_overdue"),
                Column("in_procedure", _("Households with an open case"), "in_procedure"),
                Column("in_procedure_overdue", _("… overdue"), "in_procedure_overdue"),
                _share(
                    "overdue_rate",
                    _("Overdue (%)"),
                    "warned_overdue+in_procedure_overdue",
                    "warned+in_procedure",
                ),
            ),
            rank_by="overdue_rate",
        ),
        ReportKind(
            "coverage",
            _("Assistance coverage ranking"),
            (
                Column("monitored_open", _("Risk not eliminated"), "monitored_open"),
                Column("covered", _("With a measure for every risk"), "covered_by_measure"),
                Column("development", _("With a development-type measure"), "with_development_measure"),
                Column("visited", _("Visited within the interval"), "visited_recently"),
                _share("covered_rate", _("Covered (%)"), "covered", "monitored_open"),
                _share("development_rate", _("Development-type (%)"), "development", "monitored_open"),
                _share("visited_rate", _("Visited (%)"), "visited", "monitored_open"),
            ),
            rank_by="covered_rate",
            best_is_low=False,
        ),
        ReportKind(
            "quality",
            _("Data-quality ranking"),
            (
                Column("households", _("Households"), "households"),
                Column("with_issue", _("With a data-quality issue"), "with_quality_issue"),
                _share("issue_rate", _("With an issue (%)"), "with_issue", "households"),
            ),
            rank_by="issue_rate",
        ),
    )
}


@dataclass(frozen=True)
class Cell:
    name: str
    value: float | int | None
    url: str


@dataclass
class ReportRow:
    area: Area
    values: dict[str, float | int | None]
    urls: dict[str, str] = field(default_factory=dict)
    rank: int | None = None
    columns: tuple[Column, ...] = ()

    @property
    def cells(self) -> list[Cell]:
        return [
            Cell(column.name, self.values[column.name], self.urls.get(column.name, ""))
            for column in self.columns
        ]


@dataclass
class Report:
    kind: ReportKind
    area: Area
    level: int
    month: str
    rows: list[ReportRow]
    total: ReportRow


def _sum(values: dict[str, float | int | None], names: str) -> int:
    return sum(int(values[name] or 0) for name in names.split("+"))


def _fill_shares(kind: ReportKind, values: dict[str, float | int | None]) -> None:
    for column in kind.columns:
        if column.is_share:
            denominator = _sum(values, column.denominator)
            values[column.name] = (
                round(100 * _sum(values, column.numerator) / denominator, 1) if denominator else None
            )


def report_levels(area: Area) -> list[int]:
    """The levels a report of ``area`` may list: each level below it."""
    return list(range(area.level + 1, AreaLevel.VILLAGE + 1))


def report_build(
    *, user: User, kind: ReportKind, area: Area, level: int | None = None, month: str = ""
) -> Report:
    """The report's rows: the areas of ``level`` (the children by default) inside ``area`` and
    the user's scope, ranked when the report ranks; the total row is ``area`` itself."""
    level = level if level in report_levels(area) else min(area.level + 1, AreaLevel.VILLAGE)
    month = month or f"{datetime.date.today():%Y-%m}"
    areas = list(
        Area.objects.filter(code_range_q(area, "code"), level=level)
        .filter(area_scope_q(user, "code"))
        .order_by("code")
    )
    if area.level == AreaLevel.VILLAGE:
        areas = []
    wanted = {
        (column.figure, month if column.per_month else column.key) for column in kind.columns if column.figure
    }
    stored: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    codes = [row_area.code for row_area in areas] + [area.code]
    for code, figure, key, value in AreaFigure.objects.filter(
        area_code__in=codes, figure__in={figure for figure, _key in wanted}
    ).values_list("area_code", "figure", "key", "value"):
        if (figure, key) in wanted:
            stored[code][(figure, key)] = value

    def row_for(row_area: Area) -> ReportRow:
        values: dict[str, float | int | None] = {}
        urls = {}
        for column in kind.columns:
            if column.figure:
                key = month if column.per_month else column.key
                values[column.name] = stored[row_area.code].get((column.figure, key), 0)
                urls[column.name] = households_url(row_area, figure_get(column.figure), key)
        _fill_shares(kind, values)
        return ReportRow(area=row_area, values=values, urls=urls, columns=kind.columns)

    rows = [row_for(row_area) for row_area in areas]
    if kind.rank_by:

        def rank_key(row: ReportRow) -> tuple[bool, float, str]:
            # Areas with nothing to rank by (no denominator) come last.
            value = row.values[kind.rank_by]
            return value is None, float(value or 0) * (1 if kind.best_is_low else -1), row.area.code

        rows.sort(key=rank_key)
        for position, row in enumerate(rows, start=1):
            row.rank = position
    return Report(kind=kind, area=area, level=level, month=month, rows=rows, total=row_for(area))
