"""Pages of the procedures. A case outside the user's area is a 404; a move the
user may not make is never offered, and refused by the service if tried."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhun.accounts.roles import Capability
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import area_list
from jingzhun.cases import services, steps
from jingzhun.cases.choices import CaseAction, CaseKind, CaseState
from jingzhun.cases.conditions import elimination_conditions
from jingzhun.cases.exports import case_columns
from jingzhun.cases.forms import (
    CaseFilterForm,
    ObjectionForm,
    OpenCaseForm,
    PeriodForm,
    ResolutionForm,
    form_class_for,
)
from jingzhun.cases.models import Case, CaseAttachment, Objection
from jingzhun.cases.notices import notice_pdf, notice_rows
from jingzhun.cases.selectors import (
    CaseFilters,
    announcement_cases,
    case_counts_by_state,
    case_evidence_text,
    case_list,
    cases_in_scope,
    notice_cases,
    overdue_by_area,
    overdue_q,
)
from jingzhun.cases.workflow import TRANSITIONS, is_village_cadre
from jingzhun.core.forms import apply_validation_error, report_errors
from jingzhun.core.http import AuthenticatedHttpRequest
from jingzhun.core.uploads import serve_upload
from jingzhun.exports.views import list_export
from jingzhun.registry.selectors import households_in_scope

PAGE_SIZE = 50


def _case_or_404(request: AuthenticatedHttpRequest, pk: int) -> Case:
    return get_object_or_404(cases_in_scope(user=request.user), pk=pk)


@login_required
def case_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = CaseFilterForm(request.GET or None, user=user)
    filters = CaseFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = CaseFilters(
            kind=data["kind"],
            state=data["state"],
            village=data["village"],
            mine=data["mine"],
            overdue=data["overdue"],
            include_closed=data["closed"],
        )
    cases = case_list(user=user, filters=filters).order_by("deadline", "pk")
    if request.GET.get("export") == "xlsx":
        return list_export(
            request,
            what="cases",
            title=_("Cases"),
            columns=case_columns(),
            objects=cases.select_related("household__village").iterator(chunk_size=2000),
        )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "overdue": cases.filter(overdue_q()).count(),
        "by_state": case_counts_by_state(cases),
        "by_area": overdue_by_area(user=user),
    }
    return render(request, "cases/case_list.html", context)


def _step_forms(request: AuthenticatedHttpRequest, case: Case) -> list[tuple[Any, Any]]:
    user = request.user
    if user.area is None or not case.is_open:
        return []
    forms = []
    for transition in TRANSITIONS.available(user, case.state, kind=case.kind):
        form_class = form_class_for(case.kind, transition.action)
        forms.append((transition, form_class(case=case, prefix=transition.action)))
    return forms


@login_required
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    return _render_case(request, case, _step_forms(request, case))


def _render_case(
    request: AuthenticatedHttpRequest, case: Case, step_forms: list[tuple[Any, Any]]
) -> HttpResponse:
    user = request.user
    context = {
        "case": case,
        "province": case.household.village_id[:2],
        "events": case.events.select_related("actor"),
        "attachments": case.attachments.select_related("uploaded_by"),
        "objections": case.objections.all(),
        "step_forms": step_forms,
        "conditions": (
            elimination_conditions(case.household, today=timezone.localdate())
            if case.kind == CaseKind.ELIMINATION and case.is_open
            else None
        ),
        "can_object": is_village_cadre(user) and case.state == CaseState.PUBLIC_NOTICE,
        # The county sees what the comparison will find before recording it.
        "findings": (steps.exclusion_findings(case) if case.state == CaseState.DATA_COMPARISON else []),
        # The lead, the evidence and medical spending are health details: shown to the
        # roles that may see sensitive data, withheld from supervisors and evaluators.
        "can_reveal": user.can(Capability.REVEAL_SENSITIVE),
        "evidence_text": case_evidence_text(case),
        "objection_form": ObjectionForm(initial={"raised_on": timezone.localdate()}),
        "resolution_form": ResolutionForm(),
    }
    return render(request, "cases/case_detail.html", context)


@login_required
@require_POST
def case_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    case = _case_or_404(request, pk)
    if action not in CaseAction.values:
        raise Http404
    form_class = form_class_for(case.kind, action)
    form = form_class(request.POST, request.FILES, case=case, prefix=action)
    if form.is_valid():
        try:
            services.case_transition(
                user=request.user,
                case=case,
                action=action,
                comment=form.cleaned_data.get("comment", ""),
                data=form.step_data(),
                uploads=form.uploads(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            report_errors(request, error)
            return redirect("cases:case_detail", pk=pk)
        else:
            messages.success(request, _("Recorded: %(action)s.") % {"action": CaseAction(action).label})
            return redirect("cases:case_detail", pk=pk)
    # Show the page again with this step's form and its errors, the other forms blank.
    step_forms = [
        (transition, form if transition.action == action else other)
        for transition, other in _step_forms(request, case)
    ]
    return _render_case(request, case, step_forms)


@login_required
def case_open(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    """Open a procedure for a household: cadre screening, risk elimination or exit."""
    household = get_object_or_404(households_in_scope(user=request.user), pk=pk)
    if kind not in CaseKind.values:
        raise Http404
    form = OpenCaseForm(request.POST or None)
    conditions = (
        elimination_conditions(household, today=timezone.localdate())
        if kind == CaseKind.ELIMINATION
        else None
    )
    if request.method == "POST":
        needs_lead = kind == CaseKind.IDENTIFICATION
        if not needs_lead or form.is_valid():
            try:
                if kind == CaseKind.IDENTIFICATION:
                    case = services.identification_open(
                        user=request.user, household=household, lead=form.cleaned_data["lead"]
                    )
                elif kind == CaseKind.ELIMINATION:
                    case = services.elimination_open(user=request.user, household=household)
                else:
                    case = services.exit_open(user=request.user, household=household)
            except (ValidationError, PermissionDenied) as error:
                report_errors(request, error)
            else:
                messages.success(request, _("Case opened."))
                return redirect("cases:case_detail", pk=case.pk)
    context = {"household": household, "kind": CaseKind(kind), "form": form, "conditions": conditions}
    return render(request, "cases/case_open.html", context)


@login_required
@require_POST
def objection_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date and the objection."))
        return redirect("cases:case_detail", pk=pk)
    try:
        services.objection_record(user=request.user, case=case, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        report_errors(request, error)
    else:
        messages.success(request, _("Objection recorded."))
    return redirect("cases:case_detail", pk=pk)


@login_required
@require_POST
def objection_resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(
        Objection.objects.select_related("case"), pk=pk, case__in=cases_in_scope(user=request.user)
    )
    form = ResolutionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say how the objection was resolved."))
        services.objection_resolve(user=request.user, objection=objection, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        report_errors(request, error)
    else:
        messages.success(request, _("Objection resolved."))
    return redirect("cases:case_detail", pk=objection.case_id)


@login_required
def attachment_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Files are served through the case's scope, never from a public media URL."""
    attachment = get_object_or_404(CaseAttachment, pk=pk, case__in=cases_in_scope(user=request.user))
    return serve_upload(attachment.file, download_name=attachment.original_name)


# --- public notices and announcements -----------------------------------------------


def _area_or_404(request: AuthenticatedHttpRequest, code: str, level: AreaLevel | None = None) -> Area:
    area = area_list(user=request.user).filter(code=code).first()
    if area is None or (level is not None and area.level != level):
        raise Http404
    return area


@login_required
def notice_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The village board's public notice (公示): printable, and as PDF."""
    village = _area_or_404(request, code, AreaLevel.VILLAGE)
    cases = list(notice_cases(user=request.user, village=village))
    title = _("Public notice of %(village)s") % {"village": village.name}
    if request.GET.get("format") == "pdf":
        return notice_pdf(title=title, area=village, cases=cases, announcement=False)
    return render(
        request,
        "cases/notice.html",
        {
            "title": title,
            "area": village,
            "rows": notice_rows(cases),
            "announcement": False,
            "today": timezone.localdate(),
        },
    )


@login_required
def announcement_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The county's announcement (公告) of approved cases in a period."""
    area = _area_or_404(request, code)
    today = timezone.localdate()
    period = PeriodForm(request.GET)
    if not period.is_valid():
        messages.error(request, _("Dates are written as YYYY-MM-DD."))
    since = period.cleaned_data.get("since") or today.replace(day=1)
    until = period.cleaned_data.get("until") or today
    cases = list(announcement_cases(user=request.user, area=area, since=since, until=until))
    title = _("Announcement of %(area)s, %(since)s to %(until)s") % {
        "area": area.name,
        "since": since.isoformat(),
        "until": until.isoformat(),
    }
    if request.GET.get("format") == "pdf":
        return notice_pdf(title=title, area=area, cases=cases, announcement=True)
    context = {
        "title": title,
        "area": area,
        "rows": notice_rows(cases),
        "announcement": True,
        "since": since,
        "until": until,
        "today": today,
    }
    return render(request, "cases/notice.html", context)
