"""Dashboard and report pages: parse, read the figures through the selectors, render."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhun.accounts.roles import Capability
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.cases.selectors import exit_indicators
from jingzhun.codelists.selectors import parameter_value
from jingzhun.core.forms import report_errors
from jingzhun.core.http import AuthenticatedHttpRequest, pdf_response, xlsx_response
from jingzhun.core.runs import UNFINISHED
from jingzhun.dashboards.assessment import ASSESSORS, INDICATORS, assessment_latest, assessment_run, weights
from jingzhun.dashboards.charts import children_chart, figure_chart, map_chart
from jingzhun.dashboards.choices import RefreshTrigger, Section
from jingzhun.dashboards.documents import assessment_pdf, report_pdf, report_xlsx
from jingzhun.dashboards.figures import FIGURES_BY_KEY
from jingzhun.dashboards.models import AggregateRun
from jingzhun.dashboards.money import funds_chart, money_children, money_summary
from jingzhun.dashboards.oversight_panel import findings_chart, oversight_summary
from jingzhun.dashboards.reports import REPORT_KINDS, report_build, report_levels
from jingzhun.dashboards.selectors import (
    CHILD_COLUMNS,
    area_in_scope,
    county_map_values,
    dashboard_get,
)
from jingzhun.dashboards.services import aggregate_run_enqueue
from jingzhun.exports.services import ExportColumn, dated_file_name, export_list
from jingzhun.oversight.selectors import evaluations_covering

MAP_FIGURES = (
    "monitored_open",
    "households",
    "warned_overdue",
    "in_procedure_overdue",
    "below_monitoring_line",
)


def _area_or_404(request: AuthenticatedHttpRequest, code: str | None) -> Area:
    try:
        return area_in_scope(user=request.user, code=code)
    except Area.DoesNotExist:
        raise Http404(_("No such area in your scope.")) from None


@login_required
def dashboard(request: AuthenticatedHttpRequest, code: str | None = None) -> HttpResponse:
    area = _area_or_404(request, code)
    board = dashboard_get(user=request.user, area=area)
    province = area.code[:2]
    income_line = parameter_value("monitoring_income_line", province=province)
    charts = [
        figure_chart(values, income_line=income_line)
        for values in board.figures.values()
        if values.figure.chart and values.keys
    ]
    if board.children:
        charts.append(children_chart(board, ("monitored_open", "warned_overdue", "in_procedure_overdue")))
    map_figure = request.GET.get("map", MAP_FIGURES[0])
    if map_figure not in MAP_FIGURES:
        map_figure = MAP_FIGURES[0]
    if board.map_name:
        areas = county_map_values(user=request.user, area=area, figure_key=map_figure)
        charts.append(map_chart(board, areas, str(FIGURES_BY_KEY[map_figure].label)))
    money = money_summary(user=request.user, area=area)
    if money.funds:
        charts.append(funds_chart(money))
    oversight = oversight_summary(area=area)
    if oversight.children:
        charts.append(findings_chart(oversight))
    running = AggregateRun.objects.filter(area=area, status__in=UNFINISHED).first()
    context = {
        "oversight": oversight,
        "money": money,
        "money_children": money_children(user=request.user, area=area) if not money.is_empty else [],
        "board": board,
        "sections": [(section, board.section(section)) for section in Section],
        "charts": charts,
        "chart_ids": {chart["id"] for chart in charts},
        "child_columns": [board.figures[column] for column in CHILD_COLUMNS],
        "map_figures": [(key, FIGURES_BY_KEY[key].label) for key in MAP_FIGURES],
        "map_figure": map_figure,
        "child_level": AreaLevel(board.child_level).label if board.child_level else "",
        "can_refresh": request.user.can(Capability.REFRESH_FIGURES),
        "running": running,
        "reports": REPORT_KINDS.values(),
    }
    return render(request, "dashboards/dashboard.html", context)


@login_required
@require_POST
def refresh(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    area = _area_or_404(request, code)
    try:
        run = aggregate_run_enqueue(area=area, user=request.user, trigger=RefreshTrigger.MANUAL)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect("dashboards:dashboard", code=area.code)
    return redirect("dashboards:run_status", pk=run.pk)


@login_required
def run_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    area = request.user.area
    if area is None:
        raise Http404
    low, high = area.subtree_bounds
    run = get_object_or_404(
        AggregateRun.objects.select_related("area"), pk=pk, area_id__gte=low, area_id__lte=high
    )
    template = "dashboards/_run_status.html" if request.htmx else "dashboards/run_status.html"
    return render(request, template, {"run": run, "running": run.is_unfinished})


@login_required
def report(request: AuthenticatedHttpRequest, code: str, kind: str) -> HttpResponse:
    area = _area_or_404(request, code)
    if kind not in REPORT_KINDS:
        raise Http404(_("No such report."))
    level_text = request.GET.get("level", "")
    level = int(level_text) if level_text.isdigit() else None
    month = request.GET.get("month", "")
    try:
        month = f"{datetime.datetime.strptime(month, '%Y-%m'):%Y-%m}" if month else ""
    except ValueError:
        month = ""
    built = report_build(user=request.user, kind=REPORT_KINDS[kind], area=area, level=level, month=month)
    export = request.GET.get("export")
    stem = f"{kind}-{area.code}-{built.month}"
    if export == "xlsx":
        return xlsx_response(
            report_xlsx(built, user=request.user, parameters=request.GET.urlencode()), f"{stem}.xlsx"
        )
    if export == "pdf":
        return pdf_response(report_pdf(built), f"{stem}.pdf")
    chart = {
        "id": "chart-report",
        "type": "bar",
        "title": "",
        "labels": [row.area.name for row in built.rows],
        "values": [row.values[built.kind.rank_by or built.kind.columns[0].name] for row in built.rows],
        "urls": [row.urls.get(built.kind.columns[0].name, "") for row in built.rows],
    }
    context = {
        "report": built,
        "charts": [chart] if built.rows else [],
        "levels": [(level, AreaLevel(level).label) for level in report_levels(area)],
        "query": request.GET.urlencode(),
        "reports": REPORT_KINDS.values(),
    }
    return render(request, "dashboards/report.html", context)


@login_required
def assessment_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The children of an area scored and ranked as last computed, with the method published
    beside them; the county, township or supervisors compute it again (POST)."""
    area = _area_or_404(request, code)
    user = request.user
    can_compute = user.role in ASSESSORS and user.area is not None and user.area.contains(area.code)
    if request.method == "POST":
        try:
            assessment_run(area=area, user=user)
        except PermissionDenied as error:
            report_errors(request, error)
        else:
            messages.success(request, _("Assessment computed."))
        return redirect("dashboards:assessment", code=area.code)
    run, scores = assessment_latest(area)
    if run is not None and request.GET.get("format") == "pdf":
        return pdf_response(assessment_pdf(run, scores), f"assessment-{area.code}-{run.as_of:%Y%m%d}.pdf")
    if request.GET.get("export") == "xlsx":
        columns = [
            ExportColumn(_("Rank"), lambda s: s.rank or None, width=6),
            ExportColumn(_("Area"), lambda s: s.area.name, width=16),
            ExportColumn(_("Score"), lambda s: s.score, width=8),
        ] + [
            ExportColumn(str(indicator.label), _value_of(position), width=14)
            for position, indicator in enumerate(INDICATORS)
        ]
        data = export_list(
            user=user,
            what="assessment",
            title=_("Assessment"),
            columns=columns,
            objects=scores,
            parameters=request.GET.urlencode(),
        )
        return xlsx_response(data, dated_file_name(f"assessment-{area.code}"))
    weight = weights(run.year if run else timezone.localdate().year, area.code[:2])
    context = {
        "area": area,
        "scores": scores,
        "indicators": [(indicator, weight[indicator.key]) for indicator in INDICATORS],
        "run": run,
        "can_compute": can_compute,
        "charts": [
            {
                "id": "chart-assessment",
                "type": "bar",
                "title": "",
                "labels": [s.area.name for s in scores if s.score is not None],
                "values": [s.score for s in scores if s.score is not None],
                # A bar opens the ranking one level down (a village's: its dashboard).
                "urls": [
                    reverse(
                        "dashboards:assessment"
                        if s.area.level < AreaLevel.VILLAGE
                        else "dashboards:dashboard",
                        args=[s.area.code],
                    )
                    for s in scores
                    if s.score is not None
                ],
            }
        ]
        if scores
        else [],
    }
    return render(request, "dashboards/assessment.html", context)


def _value_of(position: int) -> Any:
    def value(score: Any) -> Any:
        item = score.values[position]
        return None if item.raw is None else round(item.raw * (1 if item.indicator.unit == "‰" else 100), 2)

    return value


@login_required
def exit_indicator_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Whether an area meets the exit criteria: the register's poverty incidence by child area
    beside the evaluation's wrong-exit, missed-identification and satisfaction rates."""
    area = _area_or_404(request, code)
    whole, children = exit_indicators(user=request.user, area=area)
    context = {
        "area": area,
        "whole": whole,
        "children": children,
        "evaluations": evaluations_covering(area=area),
    }
    return render(request, "dashboards/exit_indicators.html", context)
