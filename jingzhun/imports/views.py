"""Uploading household files, and the spreadsheets and forms derived from the register."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhun.accounts.roles import Capability
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import area_list
from jingzhun.core.forms import report_errors
from jingzhun.core.http import AuthenticatedHttpRequest, pdf_response, xlsx_response
from jingzhun.exports.services import dated_file_name, export_list
from jingzhun.imports.exports import area_summary, area_summary_columns, roster_export
from jingzhun.imports.forms import HouseholdUploadForm
from jingzhun.imports.household_form import household_form, household_form_pdf, household_form_xlsx
from jingzhun.imports.runs import import_run_cancel, import_run_confirm, import_run_upload
from jingzhun.imports.selectors import import_run_list
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
