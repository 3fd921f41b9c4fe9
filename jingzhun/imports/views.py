"""Uploading household files, and the spreadsheets and forms derived from the register."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhun.accounts.roles import Capability
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import area_list
from jingzhun.assets.selectors import AssetFilters, asset_list
from jingzhun.core.forms import report_errors
from jingzhun.core.http import AuthenticatedHttpRequest, pdf_response, xlsx_response
from jingzhun.exports.services import dated_file_name, export_list
from jingzhun.imports.exports import area_summary, area_summary_columns, roster_export
from jingzhun.imports.forms import HouseholdUploadForm, LedgerUploadForm
from jingzhun.imports.household_form import household_form, household_form_pdf, household_form_xlsx
from jingzhun.imports.ledgers import (
    ASSET_COLUMNS,
    PROJECT_COLUMNS,
    QUESTIONNAIRE_COLUMNS,
    asset_ledger_import,
    export_columns,
    project_library_import,
    questionnaire_import,
)
from jingzhun.imports.runs import import_run_cancel, import_run_confirm, import_run_upload
from jingzhun.imports.selectors import import_run_list
from jingzhun.oversight.models import SamplingPlan
from jingzhun.oversight.selectors import plan_get, sample_of
from jingzhun.projects.selectors import ProjectFilters, project_list
from jingzhun.registry.selectors import HouseholdFilters, household_list, households_in_scope


@login_required
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not user.can(Capability.EDIT_REGISTER):
        raise PermissionDenied(_("Your role may not change the register."))
    form = HouseholdUploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        village = form.cleaned_data["village"]
        area = get_object_or_404(area_list(user=user), code=village) if village else None
        try:
            run = import_run_upload(
                user=user,
                file_name=upload_file.name,
                data=upload_file.read(),
                area=area,
                partial=form.cleaned_data["partial"],
            )
        except (PermissionDenied, ValidationError) as error:
            report_errors(request, error)
        else:
            return redirect("imports:run_detail", pk=run.pk)
    runs = import_run_list(user=user)[:20]
    return render(request, "imports/upload.html", {"form": form, "runs": runs})


@login_required
def run_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(import_run_list(user=request.user), pk=pk)
    context = {"run": run, "busy": run.is_unfinished, "report": run.report}
    template = "imports/_run_status.html" if request.htmx else "imports/run_detail.html"
    return render(request, template, context)


@login_required
@require_POST
def run_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(import_run_list(user=request.user), pk=pk)
    try:
        import_run_confirm(user=request.user, run=run)
    except (PermissionDenied, ValidationError) as error:
        report_errors(request, error)
    return redirect("imports:run_detail", pk=run.pk)


@login_required
@require_POST
def run_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(import_run_list(user=request.user), pk=pk)
    import_run_cancel(user=request.user, run=run)
    messages.info(request, _("The import was cancelled; nothing was written."))
    return redirect("imports:upload")


@login_required
def roster(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The monitoring-object roster (``?all=1``: every household) in the national layout."""
    village = request.GET.get("village", "")
    households = household_list(user=request.user, filters=HouseholdFilters(village=village))
    everyone = request.GET.get("all") == "1"
    data = roster_export(
        households, user=request.user, parameters=request.GET.urlencode(), monitored_only=not everyone
    )
    return xlsx_response(data, dated_file_name("register" if everyone else "monitoring-roster"))


@login_required
def summary(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    code = request.GET.get("area") or (user.area.code if user.area else "")
    area = get_object_or_404(area_list(user=user), code=code)
    rows = area_summary(area=area, households=households_in_scope(user=user))
    if request.GET.get("export") == "xlsx":
        data = export_list(
            user=user,
            what="area_summary",
            title=_("Area summary"),
            columns=area_summary_columns(),
            objects=rows,
            parameters=request.GET.urlencode(),
        )
        return xlsx_response(data, dated_file_name(f"summary-{area.code}"))
    children = {child.code for child in Area.objects.filter(parent=area)}
    return render(
        request,
        "imports/summary.html",
        {"area": area, "rows": rows, "children": children, "ancestors": area.ancestors()},
    )


@login_required
def household_form_view(request: AuthenticatedHttpRequest, pk: int, file_format: str) -> HttpResponse:
    household = get_object_or_404(households_in_scope(user=request.user).select_related("village"), pk=pk)
    sections = household_form(user=request.user, household=household)
    title = _("Household information form · %(number)s") % {"number": household.household_number}
    if file_format == "pdf":
        return pdf_response(
            household_form_pdf(sections, title=title), f"household-{household.household_number}.pdf"
        )
    return xlsx_response(
        household_form_xlsx(sections, title=title), f"household-{household.household_number}.xlsx"
    )


# --- the project library and the asset ledger as sheets ----------------------------------

LEDGERS = {
    "projects": (PROJECT_COLUMNS, project_library_import, "project-library"),
    "assets": (ASSET_COLUMNS, asset_ledger_import, "asset-ledger"),
}


@login_required
def ledger_sheet(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """The project library or the asset ledger of the user's area as .xlsx, in the columns
    the import reads back (filters as on the list page)."""
    if kind not in LEDGERS:
        raise Http404
    columns, _import, stem = LEDGERS[kind]
    get = request.GET
    if kind == "projects":
        objects: Any = (
            project_list(
                user=request.user,
                filters=ProjectFilters(
                    state=get.get("state", "")[:24], category=get.get("category", "")[:20]
                ),
            )
            .prefetch_related("villages", "budget_lines")
            .order_by("area_id", "pk")
        )
        title = _("Project library")
    else:
        filters = AssetFilters(
            asset_type=get.get("type", "")[:20],
            state=get.get("state", "")[:20],
            village=get.get("village", "")[:12],
        )
        objects = asset_list(user=request.user, filters=filters).order_by("village_id", "pk")
        title = _("Asset ledger")
    data = export_list(
        user=request.user,
        what=stem,
        title=title,
        columns=export_columns(columns),
        objects=objects.iterator(chunk_size=2000),
        parameters=get.urlencode(),
    )
    return xlsx_response(data, dated_file_name(stem))


@login_required
def ledger_import(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    if kind not in LEDGERS:
        raise Http404
    columns, run_import, _stem = LEDGERS[kind]
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = run_import(user=request.user, file_name=upload.name, data=upload.read())
        except PermissionDenied as error:
            report_errors(request, error)
        else:
            if report.ok:
                messages.success(
                    request,
                    _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                    % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
                )
    context = {
        "form": form,
        "report": report,
        "kind": kind,
        "title": _("Import the project library") if kind == "projects" else _("Import the asset ledger"),
        "headers": [c.header for c in columns if c.field is not None or c.required],
        "template_url": reverse("imports:ledger_sheet", args=[kind]),
    }
    return render(request, "imports/ledger_import.html", context)


@login_required
def questionnaire_sheet(request: AuthenticatedHttpRequest, plan_pk: int) -> HttpResponse:
    """The plan's questionnaires (an evaluator: their households) as .xlsx, for teams on paper."""
    try:
        plan = plan_get(user=request.user, pk=plan_pk)
    except SamplingPlan.DoesNotExist:
        raise Http404 from None
    data = export_list(
        user=request.user,
        what="questionnaires",
        title=_("Evaluation questionnaires"),
        columns=export_columns(QUESTIONNAIRE_COLUMNS),
        objects=sample_of(user=request.user, plan=plan).order_by("village_id", "pk"),
        parameters=f"plan={plan.pk}",
    )
    return xlsx_response(data, dated_file_name(f"questionnaires-{plan.pk}"))


@login_required
def questionnaire_upload(request: AuthenticatedHttpRequest, plan_pk: int) -> HttpResponse:
    try:
        plan = plan_get(user=request.user, pk=plan_pk)
    except SamplingPlan.DoesNotExist:
        raise Http404 from None
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = questionnaire_import(user=request.user, plan=plan, file_name=upload.name, data=upload.read())
        if report.ok:
            messages.success(request, _("%(count)s questionnaires imported.") % {"count": report.updated})
            return redirect("oversight:plan", pk=plan.pk)
    context = {
        "form": form,
        "report": report,
        "title": _("Import questionnaires"),
        "headers": [c.header for c in QUESTIONNAIRE_COLUMNS if c.field is not None or c.required],
        "template_url": reverse("imports:questionnaire_sheet", args=[plan.pk]),
    }
    return render(request, "imports/ledger_import.html", context)
