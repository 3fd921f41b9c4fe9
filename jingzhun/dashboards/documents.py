"""Reports as files: .xlsx (recorded like every export) and a printable PDF with a bar chart."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.core.pdf import cjk_font, column_widths, landscape_pdf, landscape_width, paragraph
from jingzhun.dashboards.assessment import INDICATORS, AreaScore, IndicatorValue
from jingzhun.dashboards.models import AssessmentRun
from jingzhun.dashboards.reports import Column, Report, ReportRow
from jingzhun.exports.services import ExportColumn, export_list


def _value(column: Column) -> Any:
    return lambda row: row.values[column.name]


def _title(report: Report) -> str:
    return f"{report.area.name} · {report.kind.title} · {report.month}"


def report_xlsx(report: Report, *, user: User, parameters: str) -> bytes:
    columns = [
        ExportColumn(_("Rank"), lambda row: row.rank, width=6),
        ExportColumn(_("Area code"), lambda row: row.area.code, width=14),
        ExportColumn(_("Area"), lambda row: row.area.name, width=18),
    ] + [ExportColumn(str(column.header), _value(column)) for column in report.kind.columns]
    total = ReportRow(area=report.total.area, values=report.total.values)
    return export_list(
        user=user,
        what=f"report_{report.kind.key}",
        title=str(report.kind.title),
        columns=columns,
        objects=[*report.rows, total],
        parameters=parameters,
    )


def _bar_chart(report: Report, font: str) -> Any:
    """The ranking column (or the first) per area, as a horizontal bar chart."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    name = report.kind.rank_by or report.kind.columns[0].name
    rows = report.rows[:30]
    height = 40 + 14 * len(rows)
    drawing = Drawing(700, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 20, 520, height - 30
    chart.data = [[float(row.values[name] or 0) for row in reversed(rows)]]
    chart.categoryAxis.categoryNames = [row.area.name for row in reversed(rows)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = colors.HexColor("#c0392b")
    drawing.add(chart)
    return drawing


def _ranking_style() -> Any:
    """A ranking's table as printed: ruled, a shaded header, numbers from the third column
    right-aligned."""
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
            ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
        ]
    )


def report_pdf(report: Report) -> bytes:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Spacer, Table

    font = cjk_font()
    heading = ParagraphStyle("heading", fontName=font, fontSize=15, leading=20, alignment=1)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=10)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    headers = [_("Rank"), _("Area")] + [str(column.header) for column in report.kind.columns]

    def cells(row: ReportRow, rank: str) -> list[object]:
        values = ["" if row.values[c.name] is None else f"{row.values[c.name]}" for c in report.kind.columns]
        return [rank, row.area.name, *values]

    texts = [cells(row, str(row.rank or "")) for row in report.rows] + [cells(report.total, _("Total"))]
    table_rows = [[paragraph(text, small) for text in headers]]
    table_rows += [[paragraph(text, body) for text in row] for row in texts]
    widths = column_widths([list(headers), *texts], landscape_width(), font_size=body.fontSize)
    table = Table(table_rows, repeatRows=1, colWidths=widths)
    table.setStyle(_ranking_style())
    printed = _("Printed %(when)s") % {"when": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    story: list[Any] = [
        paragraph(_title(report), heading),
        Spacer(1, 6),
        paragraph(printed, small),
        Spacer(1, 8),
    ]
    if report.rows:
        story += [_bar_chart(report, font), Spacer(1, 8)]
    story.append(table)
    return landscape_pdf(story, title=_title(report))


def assessment_pdf(run: AssessmentRun, scores: list[AreaScore]) -> bytes:
    """The ranking as printed for a meeting: score, each indicator's value and points, and
    the method (definition and weight of each indicator) below it."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Spacer, Table, TableStyle

    font = cjk_font()
    heading = ParagraphStyle("heading", fontName=font, fontSize=15, leading=20, alignment=1)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=10)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    headers = [_("Rank"), _("Area"), _("Score")] + [str(i.label) for i in INDICATORS]

    def shown(value: IndicatorValue) -> str:
        if value.raw is None or value.points is None:
            return _("n/a")
        raw = f"{value.raw:.1f}‰" if value.indicator.unit == "‰" else f"{value.raw * 100:.1f}%"
        return f"{raw} · {value.points:.1f}"

    texts = [
        [str(s.rank or "—"), s.area.name, "—" if s.score is None else f"{s.score:.2f}", *map(shown, s.values)]
        for s in scores
    ]
    table_rows = [[paragraph(text, small) for text in headers]]
    table_rows += [[paragraph(text, body) for text in row] for row in texts]
    widths = column_widths([list(headers), *texts], landscape_width(), font_size=body.fontSize)
    table = Table(table_rows, repeatRows=1, colWidths=widths)
    table.setStyle(_ranking_style())
    title = _("Assessment of the areas of %(area)s") % {"area": run.area.name}
    computed = _("Computed %(when)s; figures as of %(figures)s") % {
        "when": f"{timezone.localtime(run.finished_at or run.started_at):%Y-%m-%d %H:%M}",
        "figures": f"{timezone.localtime(run.figures_as_of):%Y-%m-%d %H:%M}" if run.figures_as_of else "—",
    }
    method = [
        [
            paragraph(_("Indicator"), small),
            paragraph(_("Definition and data"), small),
            paragraph(_("Weight"), small),
        ]
    ]
    weights_used = scores[0].values if scores else []
    method += [
        [
            paragraph(v.indicator.label, body),
            paragraph(v.indicator.definition, body),
            paragraph(f"{v.weight:g}", body),
        ]
        for v in weights_used
    ]
    method_table = Table(
        method,
        repeatRows=1,
        colWidths=[landscape_width() * 0.25, landscape_width() * 0.65, landscape_width() * 0.1],
    )
    method_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey)]))
    story: list[Any] = [
        paragraph(title, heading),
        Spacer(1, 6),
        paragraph(computed, small),
        Spacer(1, 8),
        table,
        Spacer(1, 12),
        paragraph(_("How the score is computed"), body),
        Spacer(1, 4),
        method_table,
    ]
    return landscape_pdf(story, title=title)
