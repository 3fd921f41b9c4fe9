"""Spreadsheets derived from the register: list exports, the monitoring-object
roster in the national layout, the household information form and the area
summary. Nothing here is entered twice: every cell is read from the register.

Sensitive columns (ID numbers, phones, bank accounts, health) are masked
unless the user's role may see them in full; each export is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import translation
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.areas.choices import CODE_LENGTH, AreaLevel
from jingzhun.areas.codes import prefix_of
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import areas_by_prefix, child_prefix
from jingzhun.codelists.fields import CodeField, CodeListField
from jingzhun.exports.models import ExportRecord
from jingzhun.exports.services import (
    ExportColumn,
    Labels,
    cell,
    label_of,
    masked,
    shows_sensitive,
    workbook,
)
from jingzhun.imports.layouts import ROSTER_COLUMNS, Column, Record
from jingzhun.registry.choices import HEAD_RELATION, LIFTED_OUT_STATUSES, NOT_LIFTED_OUT_STATUSES
from jingzhun.registry.display import Sensitivity
from jingzhun.registry.models import Household, IncomeRecord, Member, MonitoringObject

# --- list exports --------------------------------------------------------------


def household_columns(labels: Labels) -> list[ExportColumn]:
    return [
        ExportColumn(_("Household number"), lambda h: h.household_number, width=16),
        ExportColumn(_("Village"), lambda h: h.village.name, width=14),
        ExportColumn(_("Village group"), lambda h: h.group_name),
        ExportColumn(_("Head of household"), lambda h: h.head_name or "", width=10),
        ExportColumn(_("ID number of the head"), lambda h: h.head_id_number or "", Sensitivity.ID_NUMBER, 22),
        ExportColumn(_("Phone"), lambda h: h.phone, Sensitivity.PHONE),
        ExportColumn(_("Household attribute"), label_of(labels, Household, "attribute"), width=18),
        ExportColumn(_("Poverty status"), label_of(labels, Household, "poverty_status"), width=18),
        ExportColumn(_("Main cause of poverty"), label_of(labels, Household, "main_cause")),
        ExportColumn(_("Per-capita net income"), lambda h: h.per_capita),
        ExportColumn(_("In the register"), lambda h: h.is_active, width=8),
    ]


def annotate_household_rows(households: QuerySet[Household]) -> QuerySet[Household]:
    """The head's ID number and the latest per-capita income, as the list page shows them."""
    latest = IncomeRecord.objects.filter(household=OuterRef("pk")).order_by("-year")
    head = Member.objects.filter(household=OuterRef("pk"), relation_to_head=HEAD_RELATION)
    return households.annotate(
        head_id_number=Subquery(head.values("id_number")[:1]),
        per_capita=Subquery(latest.values("per_capita_net_income")[:1]),
    )


def member_columns(labels: Labels) -> list[ExportColumn]:
    def label(field: str) -> Callable[[Any], Any]:
        return label_of(labels, Member, field)

    return [
        ExportColumn(_("Household number"), lambda m: m.household.household_number, width=16),
        ExportColumn(_("Name"), lambda m: m.name, width=10),
        ExportColumn(_("ID number"), lambda m: m.id_number, Sensitivity.ID_NUMBER, 22),
        ExportColumn(_("Relation to head"), label("relation_to_head")),
        ExportColumn(_("Sex"), label("sex"), width=6),
        ExportColumn(_("Birth date"), lambda m: m.birth_date, Sensitivity.BIRTH_DATE, 12),
        ExportColumn(_("Education"), label("education")),
        ExportColumn(_("School status"), label("school_status")),
        ExportColumn(_("Health"), label("health"), Sensitivity.HEALTH),
        ExportColumn(_("Labour skill"), label("labour_skill")),
        ExportColumn(_("Months of migrant work"), lambda m: m.migrant_work_months),
        ExportColumn(_("Resident basic medical insurance"), lambda m: m.resident_medical_insurance),
        ExportColumn(_("Minimum living allowance (低保)"), lambda m: m.has_minimum_allowance),
        ExportColumn(_("Phone"), lambda m: m.phone, Sensitivity.PHONE),
    ]


# --- the roster in the national layout -------------------------------------------


def _area_names(codes: set[str]) -> dict[str, str]:
    """Names of the given villages and of every area above them, by code."""
    wanted = {prefix_of(code, level).ljust(CODE_LENGTH, "0") for code in codes for level in AreaLevel}
    return dict(Area.objects.filter(code__in=wanted).values_list("code", "name"))


def roster_rows(
    households: QuerySet[Household], *, user: User | None, monitored_only: bool = False
) -> tuple[list[str], Iterable[list[Any]]]:
    """One row per member in the national monitoring-object export layout, with
    Chinese headers and labels whatever the user's language (the national layout
    is Chinese; the importer reads it back)."""
    latest_episode = MonitoringObject.objects.filter(household=OuterRef("pk")).order_by(
        "-identified_on", "-pk"
    )
    latest_income = IncomeRecord.objects.filter(household=OuterRef("pk")).order_by("-year")
    households = households.annotate(
        episode_id=Subquery(latest_episode.values("pk")[:1]),
        per_capita=Subquery(latest_income.values("per_capita_net_income")[:1]),
        size=Count("members"),
    )
    if monitored_only:
        households = households.filter(episode_id__isnull=False)
    full = shows_sensitive(user)
    headers = [column.header for column in ROSTER_COLUMNS]

    def rows() -> Iterable[list[Any]]:
        with translation.override("zh-hans"):
            chosen = list(households.order_by("village_id", "household_number"))
            episodes = MonitoringObject.objects.in_bulk([h.episode_id for h in chosen if h.episode_id])
            names = _area_names({h.village_id for h in chosen})
            labels = Labels(chosen[0].village_id[:2] if chosen else "")
            by_household = {h.pk: h for h in chosen}
            members = Member.objects.filter(household__in=[h.pk for h in chosen]).order_by(
                "household__village_id", "household__household_number", "relation_to_head", "birth_date"
            )
            for member in members.iterator(chunk_size=5000):
                household = by_household[member.household_id]
                episode = episodes.get(household.episode_id) if household.episode_id else None
                info = _roster_info(household, names)
                yield [
                    _roster_value(column, household, member, episode, info, labels, full)
                    for column in ROSTER_COLUMNS
                ]

    return headers, rows()


_NAME_COLUMNS = {
    AreaLevel.PROVINCE: "province_name",
    AreaLevel.CITY: "city_name",
    AreaLevel.COUNTY: "county_name",
    AreaLevel.TOWNSHIP: "township_name",
    AreaLevel.VILLAGE: "village_name",
}


def _roster_info(household: Any, names: dict[str, str]) -> dict[str, Any]:
    """The household's roster-only values: area names, size, latest per-capita income."""
    code = household.village_id
    info: dict[str, Any] = {
        column: names.get(prefix_of(code, level).ljust(CODE_LENGTH, "0"), "")
        for level, column in _NAME_COLUMNS.items()
    }
    info["household_size"] = household.size
    info["per_capita_net_income"] = household.per_capita
    return info


def _roster_value(
    column: Column,
    household: Any,
    member: Member,
    episode: MonitoringObject | None,
    info: dict[str, Any],
    labels: Labels,
    full: bool,
) -> Any:
    if column.record == Record.INFO:
        if column.field in info:
            value = info[column.field]
        elif episode is None:
            value = None
        else:
            field = column.field.replace("monitoring_category", "category")
            value = getattr(episode, field)
            episode_field = MonitoringObject._meta.get_field(field)
            if isinstance(episode_field, CodeField | CodeListField):
                value = labels(episode_field.code_list, value)
    else:
        source = household if column.record == Record.HOUSEHOLD else member
        attname = "village_id" if column.field == "village" else column.field
        value = getattr(source, attname)
        model_field = column.model_field()
        if isinstance(model_field, CodeField | CodeListField):
            value = labels(model_field.code_list, value)
    if not full and value:
        value = masked(column.sensitivity, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return cell(value)


def roster_export(
    households: QuerySet[Household], *, user: User | None, parameters: str = "", monitored_only: bool = False
) -> bytes:
    headers, rows = roster_rows(households, user=user, monitored_only=monitored_only)
    counted = 0

    def counting() -> Iterable[list[Any]]:
        nonlocal counted
        for row in rows:
            counted += 1
            yield row

    widths = [22 if c.sensitivity == Sensitivity.ID_NUMBER else 12 for c in ROSTER_COLUMNS]
    data = workbook([("监测对象花名册", headers, counting(), widths)])
    ExportRecord.objects.create(
        what="roster",
        parameters=parameters[:500],
        rows=counted,
        sensitive_in_full=shows_sensitive(user),
        user=user,
    )
    return data


# --- the area summary ---------------------------------------------------------------


@dataclass
class AreaSummaryRow:
    code: str
    name: str
    households: int = 0
    people: int = 0
    not_lifted_out: int = 0
    lifted_out: int = 0
    monitored: int = 0
    monitored_not_eliminated: int = 0


def area_summary(*, area: Area, households: QuerySet[Household]) -> list[AreaSummaryRow]:
    """Households, people and monitoring objects per child area of ``area``, with a total row.
    ``households`` is the user's scoped household list (the summary never reaches beyond it)."""
    child_code = child_prefix(area, "village_id")
    open_episode = MonitoringObject.objects.filter(household=OuterRef("pk"), risk_eliminated=False)
    counts = (
        households.filter(is_active=True)
        .annotate(prefix=child_code, has_open=Subquery(open_episode.values("pk")[:1]))
        .values("prefix")
        .annotate(
            households=Count("pk", distinct=True),
            not_lifted_out=Count("pk", filter=Q(poverty_status__in=NOT_LIFTED_OUT_STATUSES), distinct=True),
            lifted_out=Count("pk", filter=Q(poverty_status__in=LIFTED_OUT_STATUSES), distinct=True),
            monitored_not_eliminated=Count("pk", filter=Q(has_open__isnull=False), distinct=True),
        )
    )
    people = dict(
        Member.objects.filter(household__in=households.filter(is_active=True))
        .annotate(prefix=child_prefix(area, "household__village_id"))
        .values("prefix")
        .annotate(total=Count("pk"))
        .values_list("prefix", "total")
    )
    monitored = dict(
        MonitoringObject.objects.filter(household__in=households.filter(is_active=True))
        .annotate(prefix=child_prefix(area, "household__village_id"))
        .values("prefix")
        .annotate(total=Count("household", distinct=True))
        .values_list("prefix", "total")
    )
    counted = {entry["prefix"]: entry for entry in counts}
    prefixes = set(counted) | set(people) | set(monitored)
    prefixes |= {child.short_code for child in Area.objects.filter(parent=area)}
    rows = {
        prefix: AreaSummaryRow(code=child.code, name=child.name)
        for prefix, child in areas_by_prefix(prefixes).items()
    }
    for prefix in prefixes - set(rows):
        rows[prefix] = AreaSummaryRow(code=prefix, name=prefix)
    for prefix, entry in counted.items():
        row = rows[prefix]
        row.households = entry["households"]
        row.not_lifted_out = entry["not_lifted_out"]
        row.lifted_out = entry["lifted_out"]
        row.monitored_not_eliminated = entry["monitored_not_eliminated"]
    for prefix, count in people.items():
        rows[prefix].people = count
    for prefix, count in monitored.items():
        rows[prefix].monitored = count
    ordered = sorted(rows.values(), key=lambda row: row.code)
    total = AreaSummaryRow(code=area.code, name=_("Total"))
    for row in ordered:
        for name in (
            "households",
            "people",
            "not_lifted_out",
            "lifted_out",
            "monitored",
            "monitored_not_eliminated",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return [*ordered, total]


def area_summary_columns() -> list[ExportColumn]:
    return [
        ExportColumn(_("Area code"), lambda r: r.code, width=14),
        ExportColumn(_("Area"), lambda r: r.name, width=16),
        ExportColumn(_("Households"), lambda r: r.households),
        ExportColumn(_("People"), lambda r: r.people),
        ExportColumn(_("Not lifted out or returned"), lambda r: r.not_lifted_out),
        ExportColumn(_("Lifted out"), lambda r: r.lifted_out),
        ExportColumn(_("Monitoring objects (ever)"), lambda r: r.monitored),
        ExportColumn(_("Monitoring objects with risk not eliminated"), lambda r: r.monitored_not_eliminated),
    ]
