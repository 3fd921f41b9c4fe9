"""Pages of the project library. A project outside the user's area is a 404; a move the
user may not make is never offered, and refused by the service if tried."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhun.accounts.choices import Role
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.codelists.selectors import code_choices
from jingzhun.core.forms import apply_validation_error, report_errors
from jingzhun.core.http import AuthenticatedHttpRequest
from jingzhun.core.uploads import serve_upload
from jingzhun.projects import services
from jingzhun.projects.choices import FUNDABLE_STATES, NOTICE_STATES, ProjectAction, ProjectState
from jingzhun.projects.forms import (
    BeneficiaryForm,
    ProgressForm,
    ProjectForm,
    RemoveBeneficiaryForm,
    TargetForm,
    form_class_for,
)
from jingzhun.projects.models import Beneficiary, PerformanceTarget, Project, ProjectAttachment
from jingzhun.projects.notices import notice_pdf, project_notice
from jingzhun.projects.selectors import (
    ProjectFilters,
    counts_by_state,
    project_attachment_get,
    project_beneficiaries,
    project_get,
    project_list,
    project_scope_q,
)
from jingzhun.projects.workflow import TRANSITIONS
from jingzhun.registry.selectors import household_by_number

PAGE_SIZE = 50


def _project_or_404(request: AuthenticatedHttpRequest, pk: int) -> Project:
    try:
        return project_get(user=request.user, pk=pk)
    except Project.DoesNotExist:
        raise Http404 from None


def _is_village_cadre(request: AuthenticatedHttpRequest) -> bool:
    user = request.user
    return user.role == Role.VILLAGE_CADRE and user.area is not None and user.area.level == AreaLevel.VILLAGE


@login_required
def project_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    get = request.GET
    year = get.get("year", "")
    filters = ProjectFilters(
        state=get.get("state", "") if get.get("state", "") in ProjectState.values else "",
        category=get.get("category", ""),
        year=int(year) if year.isdigit() else None,
        mine=get.get("mine") == "1",
        search=get.get("q", "").strip()[:50],
    )
    projects = project_list(user=request.user, filters=filters)
    page = Paginator(projects, PAGE_SIZE).get_page(get.get("page"))
    province = request.user.area.code[:2] if request.user.area else ""
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": query.urlencode(),
        "filters": filters,
        "states": ProjectState.choices,
        "categories": code_choices("project_category", province=province),
        "by_state": counts_by_state(Project.objects.filter(project_scope_q(request.user))),
        "can_propose": _is_village_cadre(request),
    }
    return render(request, "projects/project_list.html", context)


def _project_form(request: AuthenticatedHttpRequest, instance: Project | None) -> ProjectForm:
    area = instance.area if instance else request.user.area
    assert area is not None
    neighbours = list(
        Area.objects.filter(parent_id=area.parent_id, level=AreaLevel.VILLAGE).exclude(code=area.code)
    )
    return ProjectForm(
        request.POST or None,
        instance=instance,
        province=area.code[:2],
        fund_types=code_choices("fund_type", province=area.code[:2]),
        neighbours=neighbours,
    )


@login_required
def project_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not _is_village_cadre(request):
        raise PermissionDenied(_("Only the village's cadres may do this."))
    form = _project_form(request, None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                user=request.user,
                budget=form.budget(),
                villages=form.cleaned_data["villages"],
                **form.project_fields(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("Project entered. Add its targets and beneficiaries, then submit it.")
            )
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
def project_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    form = _project_form(request, project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                user=request.user,
                project=project,
                budget=form.budget(),
                villages=form.cleaned_data["villages"],
                **form.project_fields(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            report_errors(request, error)
            return redirect("projects:detail", pk=pk)
        else:
            messages.success(request, _("Saved."))
            return redirect("projects:detail", pk=pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


def _step_forms(request: AuthenticatedHttpRequest, project: Project) -> list[tuple[Any, Any]]:
    return [
        (transition, form_class_for(transition.action)(project=project, prefix=transition.action))
        for transition in TRANSITIONS.available(request.user, project.state)
    ]


def _render_project(
    request: AuthenticatedHttpRequest,
    project: Project,
    step_forms: list[tuple[Any, Any]],
    *,
    target_form: TargetForm | None = None,
    beneficiary_form: BeneficiaryForm | None = None,
) -> HttpResponse:
    user = request.user
    can_edit = _is_village_cadre(request) and user.area is not None and user.area.code == project.area_id
    draft = project.state in services.EDITABLE_STATES
    context = {
        "project": project,
        "province": project.area_id[:2],
        "step_forms": step_forms,
        "targets": project.targets.all(),
        "beneficiaries": project_beneficiaries(project=project),
        "events": project.events.select_related("actor"),
        "attachments": project.attachments.select_related("uploaded_by"),
        "entry_problems": services.entry_problems(project) if draft else [],
        "can_edit": can_edit and draft,
        "can_name_beneficiaries": _is_village_cadre(request)
        and project.state not in (ProjectState.ACCEPTED, ProjectState.REMOVED, ProjectState.WITHDRAWN),
        "target_form": target_form or TargetForm(),
        "beneficiary_form": beneficiary_form or BeneficiaryForm(project=project),
        "remove_form": RemoveBeneficiaryForm(),
        "progress_form": ProgressForm(initial={"progress": project.completion_percent}),
        "can_record_progress": project.state == ProjectState.UNDER_WAY
        and user.role in (Role.COUNTY_OFFICER, Role.TOWNSHIP_REVIEWER),
        "has_notice": project.state in NOTICE_STATES,
        "fundable": project.state in FUNDABLE_STATES,
        "can_register_assets": user.role == Role.COUNTY_OFFICER,
    }
    return render(request, "projects/project_detail.html", context)


@login_required
def project_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    return _render_project(request, project, _step_forms(request, project))


@login_required
@require_POST
def project_act_view(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    project = _project_or_404(request, pk)
    if action not in ProjectAction.values:
        raise Http404
    form = form_class_for(action)(request.POST, request.FILES, project=project, prefix=action)
    if form.is_valid():
        try:
            services.project_transition(
                user=request.user,
                project=project,
                action=action,
                comment=form.cleaned_data.get("comment", ""),
                data=form.step_data(),
                uploads=form.uploads(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            report_errors(request, error)
            return redirect("projects:detail", pk=pk)
        else:
            messages.success(request, _("Recorded: %(action)s.") % {"action": ProjectAction(action).label})
            return redirect("projects:detail", pk=pk)
    step_forms = [
        (transition, form if transition.action == action else other)
        for transition, other in _step_forms(request, project)
    ]
    return _render_project(request, project, step_forms)


@login_required
@require_POST
def target_add_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            services.target_add(user=request.user, project=project, target=form.target())
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            report_errors(request, error)
            return redirect("projects:detail", pk=pk)
        else:
            messages.success(request, _("Target added."))
            return redirect("projects:detail", pk=pk)
    return _render_project(request, project, _step_forms(request, project), target_form=form)


@login_required
@require_POST
def target_remove_view(request: AuthenticatedHttpRequest, pk: int, target: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    row = get_object_or_404(PerformanceTarget, pk=target, project=project)
    try:
        services.target_remove(user=request.user, target=row)
    except (ValidationError, PermissionDenied) as error:
        report_errors(request, error)
    return redirect("projects:detail", pk=pk)


@login_required
@require_POST
def beneficiary_add_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    form = BeneficiaryForm(request.POST, project=project)
    if form.is_valid():
        household = household_by_number(user=request.user, number=form.cleaned_data["household_number"])
        if household is None:
            form.add_error("household_number", _("No household with this number in your area."))
        else:
            try:
                services.beneficiary_add(
                    user=request.user,
                    project=project,
                    household=household,
                    benefit_type=form.cleaned_data["benefit_type"],
                    expected_amount=form.cleaned_data["expected_amount"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied as error:
                report_errors(request, error)
                return redirect("projects:detail", pk=pk)
            else:
                messages.success(request, _("Beneficiary household added."))
                return redirect("projects:detail", pk=pk)
    return _render_project(request, project, _step_forms(request, project), beneficiary_form=form)


@login_required
@require_POST
def beneficiary_remove_view(request: AuthenticatedHttpRequest, pk: int, beneficiary: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    row = get_object_or_404(
        Beneficiary.objects.select_related("household", "project"), pk=beneficiary, project=project
    )
    form = RemoveBeneficiaryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason."))
        return redirect("projects:detail", pk=pk)
    try:
        services.beneficiary_remove(user=request.user, beneficiary=row, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        report_errors(request, error)
    return redirect("projects:detail", pk=pk)


@login_required
@require_POST
def progress_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Progress is a percentage from 0 to 100."))
        return redirect("projects:detail", pk=pk)
    try:
        services.progress_record(user=request.user, project=project, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        report_errors(request, error)
    else:
        messages.success(request, _("Progress recorded."))
    return redirect("projects:detail", pk=pk)


@login_required
def notice_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The printable notice of the project's current notice step (HTML, or PDF)."""
    project = _project_or_404(request, pk)
    if request.GET.get("format") == "pdf":
        return notice_pdf(project)
    return render(request, "projects/notice.html", {"project": project, "notice": project_notice(project)})


@login_required
def attachment_view(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    try:
        attachment = project_attachment_get(user=request.user, pk=pk)
    except ProjectAttachment.DoesNotExist:
        raise Http404 from None
    return serve_upload(attachment.file, download_name=attachment.original_name)
