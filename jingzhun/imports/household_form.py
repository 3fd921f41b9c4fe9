"""The household information form (一户一档), derived from the register.

One definition of the form — sections of labelled values and tables — is
rendered to .xlsx and to a printable PDF, so that the two never disagree.
Labels are the fields' own names; coded values show their labels; sensitive
values are masked unless the user's role may see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.assistance.models import Measure
from jingzhun.core.pdf import cjk_font, column_widths, landscape_pdf, landscape_width, paragraph
from jingzhun.exports.services import shows_sensitive, workbook
from jingzhun.projects.models import Beneficiary
from jingzhun.registry.display import display_value, rows
from jingzhun.registry.models import Household, IncomeRecord, LivingConditions, Member, MonitoringObject

_SKIPPED = {"id", "household", "created_at", "updated_at", "is_active", "removed_on"}


@dataclass
class FormSection:
    title: str
    pairs: list[tuple[str, str]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name not in _SKIPPED]


def _pairs(instance: models.Model, province: str, full: bool) -> list[tuple[str, str]]:
    return [
        (row.label, row.value)
        for row in rows(instance, _fields(type(instance)), province=province, reveal=full, show_health=full)
    ]


def _table(
    model: type[models.Model], objects: list[Any], province: str, full: bool, names: list[str]
) -> tuple[list[str], list[list[str]]]:
    headers = [str(model._meta.get_field(name).verbose_name) for name in names]  # type: ignore[union-attr]
    return headers, [
        [display_value(obj, name, province=province, reveal=full, show_health=full)[0] for name in names]
        for obj in objects
    ]


def household_form(*, user: User | None, household: Household) -> list[FormSection]:
    """The sections of the form; the caller has fetched ``household`` through the user's scope."""
    province = household.village_id[:2]
    full = shows_sensitive(user)
    household_section = FormSection(_("Household"), pairs=_pairs(household, province, full))
    household_section.pairs.insert(1, (_("Village"), f"{household.village.name} ({household.village_id})"))
    members = list(Member.objects.filter(household=household).order_by("relation_to_head", "birth_date"))
    member_headers, member_rows = _table(
        Member,
        members,
        province,
        full,
        [
            "name",
            "id_number",
            "relation_to_head",
            "sex",
            "birth_date",
            "ethnicity",
            "education",
            "school_status",
            "health",
            "labour_skill",
            "migrant_work_months",
            "resident_medical_insurance",
            "has_minimum_allowance",
            "has_extreme_poverty_support",
        ],
    )
    sections = [
        household_section,
        FormSection(_("Members"), headers=member_headers, rows=member_rows),
    ]
    incomes = list(IncomeRecord.objects.filter(household=household).order_by("-year")[:3])
    income_headers, income_rows = _table(
        IncomeRecord,
        incomes,
        province,
        full,
        [
            "year",
            "wage_income",
            "business_income",
            "property_income",
            "asset_income",
            "transfer_income",
            "production_costs",
            "net_income",
            "resident_members",
            "per_capita_net_income",
        ],
    )
    sections.append(FormSection(_("Income"), headers=income_headers, rows=income_rows))
    conditions = LivingConditions.objects.filter(household=household).first()
    if conditions is not None:
        sections.append(
            FormSection(_("Production and living conditions"), pairs=_pairs(conditions, province, full))
        )
    episodes = list(MonitoringObject.objects.filter(household=household))
    if episodes:
        episode_headers, episode_rows = _table(
            MonitoringObject,
            episodes,
            province,
            full,
            [
                "category",
                "identified_on",
                "risk_types",
                "per_capita_net_income",
                "risk_eliminated",
                "eliminated_on",
            ],
        )
        sections.append(FormSection(_("Monitoring"), headers=episode_headers, rows=episode_rows))
    measures = list(Measure.objects.filter(household=household).order_by("-start_date"))
    if measures:
        measure_headers, measure_rows = _table(
            Measure,
            measures,
            province,
            full,
            ["measure_type", "start_date", "end_date", "amount", "responsible_unit", "status"],
        )
        for row, measure in zip(measure_rows, measures, strict=True):
            row[-1] = measure.get_status_display()
        sections.append(FormSection(_("Assistance measures"), headers=measure_headers, rows=measure_rows))
    benefits = list(
        Beneficiary.objects.filter(household=household).select_related("project").order_by("-project__year")
    )
    if benefits:
        sections.append(
            FormSection(
                _("Projects benefiting the household"),
                headers=[
                    _("Project number"),
                    _("Project name"),
                    _("Benefit"),
                    _("Expected amount (yuan)"),
                    _("Step"),
                ],
                rows=[
                    [
                        b.project.number,
                        b.project.name,
                        display_value(b, "benefit_type", province=province)[0],
                        display_value(b, "expected_amount", province=province)[0],
                        b.project.get_state_display(),
                    ]
                    for b in benefits
                ],
            )
        )
    return sections


def household_form_xlsx(sections: list[FormSection], *, title: str) -> bytes:
    rows: list[list[Any]] = [[title], [_("Printed on %(date)s") % {"date": timezone.localdate().isoformat()}]]
    for section in sections:
        rows.append([])
        rows.append([f"【{section.title}】"])
        if section.pairs:
            # Two label/value pairs per line, as the paper form lays them out.
            for start in range(0, len(section.pairs), 2):
                line: list[Any] = []
                for label, value in section.pairs[start : start + 2]:
                    line += [label, value]
                rows.append(line)
        if section.headers:
            rows.append(list(section.headers))
            rows.extend(section.rows or [[_("None")]])
    return workbook(
        [(_("Household form"), [], rows, [18, 22, 18, 22, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12])]
    )


MARGINS = {"leftMargin": 24.0, "rightMargin": 24.0, "topMargin": 24.0}


def household_form_pdf(sections: list[FormSection], *, title: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Spacer, Table, TableStyle

    font = cjk_font()
    heading = ParagraphStyle("heading", fontName=font, fontSize=15, leading=20, alignment=1)
    subheading = ParagraphStyle("subheading", fontName=font, fontSize=11, leading=15, spaceBefore=6)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9)
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    story: list[Any] = [paragraph(title, heading), Spacer(1, 6)]
    for section in sections:
        story.append(paragraph(section.title, subheading))
        if section.pairs:
            lines = []
            for start in range(0, len(section.pairs), 3):
                line: list[Any] = []
                for label, value in section.pairs[start : start + 3]:
                    line += [paragraph(label, cell), paragraph(value, cell)]
                lines.append(line + [""] * (6 - len(line)))
            table = Table(lines, colWidths=[95, 165] * 3)
            table.setStyle(style)
            story.append(table)
        if section.headers:
            texts = [section.headers, *section.rows]
            data = [[paragraph(text, cell) for text in row] for row in texts]
            widths = column_widths(texts, landscape_width(**MARGINS), font_size=cell.fontSize)
            table = Table(data, repeatRows=1, colWidths=widths)
            table.setStyle(style)
            table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
            story.append(table)
    return landscape_pdf(story, title=title, **MARGINS)
