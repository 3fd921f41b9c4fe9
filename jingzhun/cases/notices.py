"""Public notices (公示) and announcements (公告) for the village board.

Both the HTML page and the PDF are built from ``notice_rows``, which carries
only what a notice may show: names, group, household size and the reasons.
ID numbers, phones, bank accounts and health details never reach it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.areas.models import Area
from jingzhun.cases.choices import CaseKind
from jingzhun.cases.models import Case
from jingzhun.codelists.selectors import code_label
from jingzhun.core.http import pdf_response
from jingzhun.core.pdf import cjk_font, landscape_pdf, paragraph
from jingzhun.registry.choices import HEAD_RELATION, CodeListKey


@dataclass(frozen=True)
class NoticeRow:
    village: str
    group: str
    head: str
    people: int
    procedure: str
    reason: str
    period: str


def _reason(case: Case, province: str) -> str:
    if case.kind == CaseKind.IDENTIFICATION:
        risks = "、".join(
            code_label(CodeListKey.RISK_TYPE, code, province=province) for code in case.risk_types
        )
        category = code_label(CodeListKey.MONITORING_CATEGORY, case.category, province=province)
        return f"{category}（{risks}）" if risks else category
    if case.kind == CaseKind.ELIMINATION:
        return code_label(CodeListKey.ELIMINATION_MODE, case.elimination_mode, province=province)
    return _("Income above the poverty line; food, clothing, schooling, medical care and housing secured")


def notice_rows(cases: list[Case]) -> list[NoticeRow]:
    rows = []
    for case in cases:
        household = case.household
        province = household.village_id[:2]
        # Members come prefetched with the cases (see cases.selectors).
        members = [member for member in household.members.all() if member.is_resident]
        head = next((m.name for m in members if m.relation_to_head == HEAD_RELATION), "")
        period = (
            f"{case.notice_starts_on:%Y-%m-%d} – {case.notice_ends_on:%Y-%m-%d}"
            if case.notice_starts_on and case.notice_ends_on
            else (f"{case.decided_on:%Y-%m-%d}" if case.decided_on else "")
        )
        rows.append(
            NoticeRow(
                village=household.village.name,
                group=household.group_name,
                head=head,
                people=len(members),
                procedure=str(CaseKind(case.kind).label),
                reason=_reason(case, province),
                period=period,
            )
        )
    return rows


def notice_pdf(*, title: str, area: Area, cases: list[Case], announcement: bool) -> HttpResponse:
    """The same notice as a PDF, in the Song typeface every Chinese PDF reader has."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Spacer, Table, TableStyle

    font = cjk_font()
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14)
    header = [
        _("Village"),
        _("Group"),
        _("Head of household"),
        _("People"),
        _("Procedure"),
        _("Reason"),
        _("Decided on") if announcement else _("Notice period"),
    ]
    table_rows = [[paragraph(text, body) for text in header]]
    for row in notice_rows(cases):
        cells = [row.village, row.group, row.head, str(row.people), row.procedure, row.reason, row.period]
        table_rows.append([paragraph(cell, body) for cell in cells])
    table = Table(table_rows, repeatRows=1, colWidths=[70, 60, 70, 40, 110, 260, 130])
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    closing = (
        _("Announced by the county office on %(date)s.")
        if announcement
        else _(
            "Anyone with an objection may raise it with the village committee or the township "
            "during the notice period. Posted on %(date)s."
        )
    ) % {"date": timezone.localdate().isoformat()}
    story = [paragraph(title, heading), Spacer(1, 12), table, Spacer(1, 12), paragraph(closing, body)]
    return pdf_response(landscape_pdf(story, title=title), f"notice-{area.code}.pdf")
