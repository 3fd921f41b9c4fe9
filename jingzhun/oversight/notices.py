"""Notices (通报) of findings and rectification progress per area over a day or a week:
counts only — found, rectified, overdue, by problem type — never a household or a name.
HTML and PDF are built from the same ``RectificationNotice``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.areas.models import Area
from jingzhun.areas.selectors import areas_by_prefix, child_prefix, code_range_q
from jingzhun.codelists.selectors import code_label
from jingzhun.core.http import pdf_response
from jingzhun.core.pdf import cjk_font, landscape_pdf, paragraph
from jingzhun.oversight.choices import OPEN_RECTIFICATION_STATES, RectificationState
from jingzhun.oversight.models import Finding


@dataclass(frozen=True)
class NoticeRow:
    area: str
    found: int
    rectified: int
    open: int
    overdue: int


@dataclass(frozen=True)
class RectificationNotice:
    title: str
    since: datetime.date
    until: datetime.date
    rows: list[NoticeRow]
    by_type: list[tuple[str, int]]


def rectification_notice(*, area: Area, days: int) -> RectificationNotice:
    until = timezone.localdate()
    since = until - datetime.timedelta(days=days - 1)
    findings = Finding.objects.filter(code_range_q(area, "area_id")).exclude(
        state=RectificationState.WITHDRAWN
    )
    prefix = child_prefix(area, "area_id")
    rows = sorted(
        findings.order_by()
        .values(prefix=prefix)
        .annotate(
            found=Count("pk", filter=Q(raised_on__gte=since, raised_on__lte=until)),
            rectified=Count("pk", filter=Q(signed_off_on__gte=since, signed_off_on__lte=until)),
            open=Count("pk", filter=Q(state__in=sorted(OPEN_RECTIFICATION_STATES))),
            overdue=Count("pk", filter=Q(state__in=sorted(OPEN_RECTIFICATION_STATES), deadline__lt=until)),
        )
        .values_list("prefix", "found", "rectified", "open", "overdue")
    )
    areas = areas_by_prefix(prefix for prefix, *_counts in rows)
    province = area.code[:2]
    by_type = [
        (code_label("problem_type", code, province=province), count)
        for code, count in findings.filter(raised_on__gte=since, raised_on__lte=until)
        .order_by()
        .values_list("problem_type")
        .annotate(n=Count("pk"))
        .values_list("problem_type", "n")
    ]
    title = (
        _("Daily notice of findings and rectification, %(area)s")
        if days == 1
        else _("Weekly notice of findings and rectification, %(area)s")
    ) % {"area": area.name}
    return RectificationNotice(
        title,
        since,
        until,
        [NoticeRow(areas[p].name, *counts) for p, *counts in rows if p in areas],
        sorted(by_type, key=lambda pair: -pair[1]),
    )


def notice_pdf(notice: RectificationNotice, area: Area) -> HttpResponse:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Spacer, Table, TableStyle

    font = cjk_font()
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14)
    header = [_("Area"), _("Found"), _("Rectified"), _("Open"), _("Overdue")]
    data = [[paragraph(cell, body) for cell in header]] + [
        [paragraph(cell, body) for cell in (r.area, r.found, r.rectified, r.open, r.overdue)]
        for r in notice.rows
    ]
    table = Table(data, repeatRows=1, colWidths=[240, 100, 100, 100, 100])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    period = f"{notice.since:%Y-%m-%d} – {notice.until:%Y-%m-%d}"
    story = [paragraph(notice.title, heading), Spacer(1, 8), paragraph(period, body), Spacer(1, 8), table]
    if notice.by_type:
        story += [
            Spacer(1, 8),
            paragraph("；".join(f"{label} {count}" for label, count in notice.by_type), body),
        ]
    return pdf_response(landscape_pdf(story, title=notice.title), f"rectification-notice-{area.code}.pdf")
