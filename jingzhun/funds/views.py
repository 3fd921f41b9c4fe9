"""Pages of the funds: the fund list with what is allocated and paid, a fund's ledger
with allocations and reversals, and a project's money with its payments. Only the
area's finance office is offered the forms; the services refuse everyone else."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhun.accounts.choices import Role
from jingzhun.core.forms import apply_validation_error, report_errors
from jingzhun.core.http import AuthenticatedHttpRequest
from jingzhun.core.money import ZERO
from jingzhun.core.runs import UNFINISHED
from jingzhun.core.uploads import serve_upload
from jingzhun.funds import services
from jingzhun.funds.choices import FindingStatus, FundEngine
from jingzhun.funds.forms import AllocationForm, FundForm, PaymentForm, ReversalForm
from jingzhun.funds.models import Fund, FundFinding, FundMonitoringRun, FundMovement, FundRule
from jingzhun.funds.monitoring import MONITORING_ROLES, finding_decide, fund_monitoring_enqueue
from jingzhun.funds.selectors import (
    FindingFilters,
    finding_get,
    finding_list,
    fund_get,
    fund_list,
    fund_movements,
    fundable_projects,
    monitoring_runs,
    movement_get,
    project_money,
    project_movements,
)
from jingzhun.projects.models import Beneficiary, Project
from jingzhun.projects.selectors import project_beneficiaries, project_get


def _is_finance(request: AuthenticatedHttpRequest) -> bool:
    return request.user.role == Role.FINANCE_OFFICER and request.user.area is not None


def _fund_or_404(request: AuthenticatedHttpRequest, pk: int) -> Fund:
    try:
        return fund_get(user=request.user, pk=pk)
    except Fund.DoesNotExist:
        raise Http404 from None


def _project_or_404(request: AuthenticatedHttpRequest, pk: int) -> Project:
    try:
        return project_get(user=request.user, pk=pk)
    except Project.DoesNotExist:
        raise Http404 from None


@login_required
def fund_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    funds = list(fund_list(user=request.user, year=int(year) if year.isdigit() else None))
    totals = {
        "amount": sum((f.amount for f in funds), ZERO),
        "allocated": sum((getattr(f, "allocated") for f in funds), ZERO),  # noqa: B009 (annotated)
        "paid": sum((getattr(f, "paid") for f in funds), ZERO),  # noqa: B009
    }
    context = {"funds": funds, "totals": totals, "year": year, "can_record": _is_finance(request)}
    return render(request, "funds/fund_list.html", context)


@login_required
def fund_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not _is_finance(request):
        raise PermissionDenied(_("Only the finance office of the area records funds and payments."))
    area = request.user.area
    assert area is not None
    form = FundForm(request.POST or None, province=area.code[:2])
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_create(user=request.user, area=area, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Fund recorded."))
            return redirect("funds:detail", pk=fund.pk)
    return render(request, "funds/fund_form.html", {"form": form})


def _render_fund(
    request: AuthenticatedHttpRequest, fund: Fund, form: AllocationForm | None = None
) -> HttpResponse:
    movements = list(fund_movements(fund=fund))
    context = {
        "fund": fund,
        "unallocated": fund.amount - getattr(fund, "allocated"),  # noqa: B009 (annotated by fund_list)
        "movements": movements,
        "reversed": {m.reverses_id for m in movements if m.reverses_id},
        "can_record": _is_finance(request)
        and request.user.area is not None
        and request.user.area.contains(fund.area_id),
        "form": form or AllocationForm(projects=fundable_projects(fund=fund)),
        "reversal_form": ReversalForm(),
    }
    return render(request, "funds/fund_detail.html", context)


@login_required
def fund_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_fund(request, _fund_or_404(request, pk))


@login_required
@require_POST
def allocate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    fund = _fund_or_404(request, pk)
    form = AllocationForm(request.POST, projects=fundable_projects(fund=fund))
    if form.is_valid():
        try:
            services.allocate(user=request.user, fund=fund, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            report_errors(request, error)
            return redirect("funds:detail", pk=pk)
        else:
            messages.success(request, _("Allocation recorded."))
            return redirect("funds:detail", pk=pk)
    return _render_fund(request, fund_get(user=request.user, pk=pk), form)


@login_required
@require_POST
def reverse_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        movement = movement_get(user=request.user, pk=pk)
    except FundMovement.DoesNotExist:
        raise Http404 from None
    form = ReversalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason and the date."))
    else:
        try:
            services.reverse(user=request.user, movement=movement, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            report_errors(request, error)
        else:
            messages.success(request, _("Reversal recorded."))
    back = request.POST.get("back") == "project"
    return (
        redirect("funds:project", pk=movement.project_id)
        if back
        else redirect("funds:detail", pk=movement.fund_id)
    )


def _payment_form(
    request: AuthenticatedHttpRequest, project: Project, data: Any = None, files: Any = None
) -> PaymentForm:
    funds = [
        (str(row.fund.pk), f"{row.fund.document_number} · {row.fund.title} ({row.unpaid:,.2f})")
        for row in project_money(user=request.user, project=project)
        if row.unpaid > 0
    ]
    return PaymentForm(data, files, funds=funds, beneficiaries=project_beneficiaries(project=project))


def _render_project(
    request: AuthenticatedHttpRequest, project: Project, form: PaymentForm | None = None
) -> HttpResponse:
    money = project_money(user=request.user, project=project)
    movements = list(project_movements(user=request.user, project=project))
    context = {
        "project": project,
        "money": money,
        "allocated": sum((row.allocated for row in money), ZERO),
        "paid": sum((row.paid for row in money), ZERO),
        "movements": movements,
        "reversed": {m.reverses_id for m in movements if m.reverses_id},
        "can_pay": _is_finance(request) and any(row.unpaid > 0 for row in money),
        "can_reverse": _is_finance(request),
        "form": form or _payment_form(request, project),
        "reversal_form": ReversalForm(),
        "expected": Beneficiary.objects.filter(project=project).aggregate(total=Sum("expected_amount"))[
            "total"
        ],
    }
    return render(request, "funds/project_money.html", context)


@login_required
def project_money_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_project(request, _project_or_404(request, pk))


@login_required
@require_POST
def pay_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    form = _payment_form(request, project, request.POST, request.FILES)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            fund = fund_get(user=request.user, pk=int(data.pop("fund")))
        except Fund.DoesNotExist:
            raise Http404 from None
        try:
            services.pay(user=request.user, fund=fund, project=project, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            report_errors(request, error)
            return redirect("funds:project", pk=pk)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("funds:project", pk=pk)
    return _render_project(request, project, form)


@login_required
def voucher_view(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    try:
        movement = movement_get(user=request.user, pk=pk)
    except FundMovement.DoesNotExist:
        raise Http404 from None
    if not movement.voucher:
        raise Http404
    return serve_upload(movement.voucher, download_name=movement.voucher_name or "voucher")


# --- dynamic fund monitoring ----------------------------------------------------------


def _can_monitor(request: AuthenticatedHttpRequest) -> bool:
    return request.user.role in MONITORING_ROLES and request.user.area is not None


@login_required
def findings_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    get = request.GET
    filters = FindingFilters(
        rule=get.get("rule", "")[:40],
        status=get.get("status", "") if get.get("status", "") in FindingStatus.values else "",
    )
    findings = finding_list(user=request.user, filters=filters)
    page = Paginator(findings, 50).get_page(get.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": query.urlencode(),
        "filters": filters,
        "rules": FundRule.objects.all(),
        "statuses": FindingStatus.choices,
        "run": (run := monitoring_runs(user=request.user).first()),
        "running": run is not None and run.status in UNFINISHED,
        "can_monitor": _can_monitor(request),
        "engines": FundEngine.choices,
    }
    return render(request, "funds/findings.html", context)


@login_required
@require_POST
def monitoring_start_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    area = request.user.area
    if area is None:
        raise PermissionDenied
    engine = request.POST.get("engine", FundEngine.DUCKDB)
    if engine not in FundEngine.values:
        engine = FundEngine.DUCKDB
    try:
        fund_monitoring_enqueue(user=request.user, area=area, engine=engine)
    except (ValidationError, PermissionDenied) as error:
        report_errors(request, error)
    else:
        messages.success(request, _("The funds are being checked; the findings appear when it is done."))
    return redirect("funds:findings")


@login_required
def monitoring_run_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        run = monitoring_runs(user=request.user).get(pk=pk)
    except FundMonitoringRun.DoesNotExist:
        raise Http404 from None
    return render(request, "funds/_run_status.html", {"run": run, "running": run.status in UNFINISHED})


@login_required
@require_POST
def finding_decide_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        finding = finding_get(user=request.user, pk=pk)
    except FundFinding.DoesNotExist:
        raise Http404 from None
    to = request.POST.get("to", "")
    if to not in (FindingStatus.CONFIRMED, FindingStatus.DISMISSED):
        raise Http404
    try:
        finding_decide(user=request.user, finding=finding, to=to, note=request.POST.get("note", "")[:2000])
    except (ValidationError, PermissionDenied) as error:
        report_errors(request, error)
    else:
        messages.success(request, _("Recorded."))
    return redirect("funds:findings")
