"""The project's notices (公示) and the county's announcement (公告): what the project
is, where, what it costs by source, how households benefit, and the beneficiary
households by the head's name — no other personal data. HTML and PDF are built
from the same ``ProjectNotice``."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhun.codelists.selectors import code_label
from jingzhun.core.http import pdf_response
from jingzhun.core.pdf import cjk_font, landscape_pdf, paragraph
from jingzhun.projects.choices import FundLevel, ProjectState
from jingzhun.projects.models import Project
from jingzhun.projects.selectors import project_beneficiaries

_TITLES = {
    ProjectState.VILLAGE_NOTICE: gettext_lazy("Village notice of a proposed project"),
    ProjectState.TOWNSHIP_NOTICE: gettext_lazy("Township notice of a proposed project"),
    ProjectState.COUNTY_ANNOUNCEMENT: gettext_lazy("County announcement of a project entering the library"),
}


@dataclass(frozen=True)
class ProjectNotice:
    title: str
    lines: list[tuple[str, str]]
    budget: list[tuple[str, str, str]]
    beneficiaries: list[tuple[str, str, str]]
    period: str
    closing: str


def notice_title(project: Project) -> str:
    return str(_TITLES.get(ProjectState(project.state), _("Notice of a project")))


def project_notice(project: Project) -> ProjectNotice:
    province = project.area_id[:2]
    villages = [project.area.name, *(v.name for v in project.villages.all())]
    mechanisms = "、".join(
        code_label("benefit_mechanism", code, province=province) for code in project.benefit_mechanisms
    )
    lines = [
        (_("Project number"), project.number),
        (_("Project name"), project.name),
        (_("Project category"), code_label("project_category", project.category, province=province)),
        (
            _("Construction type"),
            code_label("construction_type", project.construction_type, province=province),
        ),
        (_("Villages"), "、".join(villages)),
        (_("Responsible unit"), project.responsible_unit),
        (_("Content and scale"), project.content),
        (_("Schedule"), f"{project.planned_start:%Y-%m-%d} – {project.planned_end:%Y-%m-%d}"),
        (_("Benefit link to households"), f"{mechanisms}。{project.benefit_note}".rstrip("。")),
        (
            _("Households and people to benefit"),
            _("%(households)s households, %(people)s people")
            % {"households": project.households_planned, "people": project.people_planned},
        ),
    ]
    budget = [
        (
            str(FundLevel(line.level).label),
            code_label("fund_type", line.fund_type, province=province),
            f"{line.amount:,.2f}",
        )
        for line in project.budget_lines.all()
    ]
    beneficiaries = [
        (
            b.household.village.name,
            getattr(b, "head_name", "") or "",
            code_label("benefit_mechanism", b.benefit_type, province=province),
        )
        for b in project_beneficiaries(project=project)
    ]
    period = (
        f"{project.notice_starts_on:%Y-%m-%d} – {project.notice_ends_on:%Y-%m-%d}"
        if project.notice_starts_on and project.notice_ends_on
        else ""
    )
    closing = _(
        "Anyone with an objection may raise it with the village committee, the township or the county "
        "office during the notice period."
    )
    return ProjectNotice(notice_title(project), lines, budget, beneficiaries, period, closing)


def notice_pdf(project: Project) -> HttpResponse:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Spacer, Table, TableStyle

    notice = project_notice(project)
    font = cjk_font()
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14)
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")])

    def table(rows: list[list[str]], widths: list[int]) -> Table:
        made = Table(
            [[paragraph(cell, body) for cell in row] for row in rows], repeatRows=1, colWidths=widths
        )
        made.setStyle(grid)
        return made

    story = [paragraph(notice.title, heading), Spacer(1, 12)]
    story.append(table([[label, value] for label, value in notice.lines], [150, 590]))
    story += [Spacer(1, 8), paragraph(_("Budget by source (yuan)"), body)]
    story.append(
        table([[_("Fund level"), _("Fund type"), _("Amount")], *map(list, notice.budget)], [150, 400, 190])
    )
    if notice.beneficiaries:
        story += [Spacer(1, 8), paragraph(_("Beneficiary households"), body)]
        rows = [[_("Village"), _("Head of household"), _("Benefit")], *map(list, notice.beneficiaries)]
        story.append(table(rows, [200, 200, 340]))
    if notice.period:
        story += [Spacer(1, 8), paragraph(_("Notice period") + ": " + notice.period, body)]
    story += [Spacer(1, 8), paragraph(notice.closing, body)]
    return pdf_response(landscape_pdf(story, title=notice.title), f"project-notice-{project.pk}.pdf")
