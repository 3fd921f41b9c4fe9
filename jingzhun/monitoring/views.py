"""The warning worklist and screening runs. A warning or run the user may not see is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhun.accounts.roles import Capability
from jingzhun.core.http import AuthenticatedHttpRequest
from jingzhun.exports.views import list_export
from jingzhun.monitoring import services
from jingzhun.monitoring.choices import WarningStatus
from jingzhun.monitoring.exports import warning_columns
from jingzhun.monitoring.forms import ScreeningStartForm, WarningDecisionForm, WarningFilterForm
from jingzhun.monitoring.models import RiskWarning, ScreeningRun
from jingzhun.monitoring.selectors import (
    WarningFilters,
    evidence_visible,
    overdue_q,
    screening_run_list,
    warning_counts_by_rule,
    warning_list,
    warnings_in_scope,
)

PAGE_SIZE = 50


@login_required
def warning_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = WarningFilterForm(request.GET or None, user=request.user)
    filters = WarningFilters()
    if form.is_valid():
        data = form.cleaned_data
        run = request.GET.get("run", "")
        filters = WarningFilters(
            village=data["village"],
            rule=data["rule"],
            status=data["status"] or filters.status,
            overdue=data["overdue"],
            run=int(run) if run.isdigit() else None,
        )
    warnings = warning_list(user=request.user, filters=filters)
    if request.GET.get("export") == "xlsx":
        return list_export(
            request,
            what="warnings",
            title=_("Warnings"),
            columns=warning_columns(),
            objects=warnings.select_related("household__village", "member", "rule")
            .order_by("deadline", "pk")
            .iterator(chunk_size=2000),
        )
    by_rule = warning_counts_by_rule(warnings)
    largest = max((total for _rule, total, _overdue in by_rule), default=1)
    page = Paginator(warnings.order_by("deadline", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    rows = [(warning, evidence_visible(user=request.user, rule=warning.rule)) for warning in page]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "total": page.paginator.count,
        "overdue": warnings.filter(overdue_q()).count(),
        "bars": [(rule, total, overdue, round(100 * total / largest)) for rule, total, overdue in by_rule],
    }
    return render(request, "monitoring/warning_list.html", context)


def _warning_or_404(request: AuthenticatedHttpRequest, pk: int) -> RiskWarning:
    return get_object_or_404(warnings_in_scope(user=request.user), pk=pk)


@login_required
def warning_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    warning = _warning_or_404(request, pk)
    allowed = services.TRANSITIONS.get(WarningStatus(warning.status), set())
    context = {
        "warning": warning,
        "province": warning.household.village_id[:2],
        "evidence_visible": evidence_visible(user=request.user, rule=warning.rule),
        "events": warning.events.select_related("actor"),
        "can_decide": request.user.can(Capability.VERIFY_WARNINGS) and bool(allowed),
        "targets": [status for status in WarningStatus if status in allowed],
        "form": WarningDecisionForm(),
    }
    return render(request, "monitoring/warning_detail.html", context)


@login_required
@require_POST
def warning_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    warning = _warning_or_404(request, pk)
    form = WarningDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the warning."))
        return redirect("monitoring:warning_detail", pk=pk)
    try:
        services.warning_transition(
            user=request.user,
            warning=warning,
            to=form.cleaned_data["to"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Warning is now %(status)s.") % {"status": WarningStatus(form.cleaned_data["to"]).label},
        )
    return redirect("monitoring:warning_detail", pk=pk)


@login_required
def screening_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    can_run = request.user.can(Capability.RUN_SCREENING)
    form = ScreeningStartForm(request.POST or None, user=request.user) if can_run else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Your role may not start a screening."))
        if form.is_valid():
            data = form.cleaned_data
            run = services.screening_run_enqueue(
                user=request.user,
                area=data["area"],
                engine=data["engine"],
                income_year=data["income_year"],
                incremental=data["incremental"],
            )
            return redirect("monitoring:run_detail", pk=run.pk)
    runs = Paginator(screening_run_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/screening_list.html", {"form": form, "runs": runs})


def _run_or_404(request: AuthenticatedHttpRequest, pk: int) -> ScreeningRun:
    return get_object_or_404(screening_run_list(user=request.user), pk=pk)


@login_required
def run_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(request, pk)
    template = "monitoring/_run_status.html" if request.htmx else "monitoring/run_detail.html"
    return render(request, template, {"run": run, "running": run.is_unfinished})
