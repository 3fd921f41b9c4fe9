"""Pages of the evaluation: plans (supervisors), the sample with its results, and the
questionnaire of a sampled household (its evaluator)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.codelists.selectors import code_choices
from jingzhun.core.forms import apply_validation_error, report_errors
from jingzhun.core.http import AuthenticatedHttpRequest
from jingzhun.core.uploads import serve_upload
from jingzhun.oversight import phone_checks, rectification, services
from jingzhun.oversight.choices import CallOutcome, FindingSource, RectificationAction, RectificationState
from jingzhun.oversight.forms import (
    FindingForm,
    InspectionForm,
    InspectionVisitForm,
    PlanForm,
    QuestionnaireForm,
    RectificationForm,
)
from jingzhun.oversight.models import (
    EvaluationSample,
    Finding,
    FindingPhoto,
    Inspection,
    InspectionVisit,
    PhoneCheck,
    SamplingPlan,
)
from jingzhun.oversight.notices import notice_pdf, rectification_notice
from jingzhun.oversight.quality_findings import quality_findings_run
from jingzhun.oversight.selectors import (
    LedgerFilters,
    evaluation_leads,
    finding_get,
    inspection_visits,
    inspections,
    ledger,
    overdue_by_child_area,
    plan_get,
    plan_list,
    plan_results,
    repeated_problems,
    sample_of,
    sampled_get,
    visit_choices,
)
from jingzhun.registry.display import rows
from jingzhun.registry.models import Member
from jingzhun.registry.selectors import household_by_number


def _plan_or_404(request: AuthenticatedHttpRequest, pk: int) -> SamplingPlan:
    try:
        return plan_get(user=request.user, pk=pk)
    except SamplingPlan.DoesNotExist:
        raise Http404 from None


def _is_planner(request: AuthenticatedHttpRequest) -> bool:
    return request.user.role in services.PLANNERS and request.user.area is not None


@login_required
def plans_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None) if _is_planner(request) else None
    if request.method == "POST":
        if form is None or request.user.area is None:
            raise PermissionDenied(_("Only the supervisors of the area commission an evaluation."))
        if form.is_valid():
            try:
                plan = services.plan_create(user=request.user, area=request.user.area, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                return redirect("oversight:plan", pk=plan.pk)
    return render(request, "oversight/plans.html", {"plans": plan_list(user=request.user), "form": form})


@login_required
def plan_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    sample = sample_of(user=request.user, plan=plan)
    planner = _is_planner(request)
    context = {
        "plan": plan,
        "sample": sample[:2000],
        "sample_count": sample.count(),
        "entered": sample.filter(questionnaire__isnull=False).count(),
        "results": plan_results(plan=plan) if planner else [],
        "can_draw": planner and plan.state == "draft",
        "can_assign": planner and plan.state == "drawn",
        "evaluators": User.objects.filter(role=Role.EVALUATOR, is_active=True).order_by("username")
        if planner
        else [],
        "sampled_villages": plan.villages.select_related("village") if planner else [],
    }
    return render(request, "oversight/plan.html", context)


@login_required
@require_POST
def plan_draw_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    try:
        services.plan_draw(user=request.user, plan=plan)
    except (ValidationError, PermissionDenied) as error:
        report_errors(request, error)
    else:
        messages.success(request, _("The sample is drawn and frozen."))
    return redirect("oversight:plan", pk=pk)


@login_required
@require_POST
def plan_assign_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    evaluator = User.objects.filter(pk=request.POST.get("evaluator") or 0, role=Role.EVALUATOR).first()
    if evaluator is None:
        messages.error(request, _("Choose an evaluator."))
        return redirect("oversight:plan", pk=pk)
    try:
        count = services.plan_assign(
            user=request.user, plan=plan, evaluator=evaluator, villages=request.POST.getlist("villages")
        )
    except (ValidationError, PermissionDenied) as error:
        report_errors(request, error)
    else:
        messages.success(request, _("%(count)s households assigned.") % {"count": count})
    return redirect("oversight:plan", pk=pk)


@login_required
def questionnaire_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        sampled = sampled_get(user=request.user, pk=pk)
    except EvaluationSample.DoesNotExist:
        raise Http404 from None
    existing = getattr(sampled, "questionnaire", None)
    form = QuestionnaireForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.questionnaire_save(user=request.user, sampled=sampled, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            report_errors(request, error)
        else:
            messages.success(request, _("Questionnaire saved."))
            return redirect("oversight:plan", pk=sampled.plan_id)
    province = sampled.village_id[:2]
    household = sampled.household
    members = Member.objects.filter(household=household).order_by("relation_to_head", "birth_date")
    context = {
        "sampled": sampled,
        "form": form,
        # As every role that may not reveal sees them: masked, no health details.
        "household_rows": rows(
            household, ("household_number", "attribute", "poverty_status"), province=province
        ),
        "members": [
            rows(m, ("name", "id_number", "relation_to_head", "sex"), province=province, show_health=False)
            for m in members
        ],
    }
    return render(request, "oversight/questionnaire.html", context)


@login_required
def leads_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Households the evaluation found missed or wrongly exited: the village opens a case."""
    if request.method == "POST":
        try:
            questionnaire = (
                evaluation_leads(user=request.user).get(pk=request.POST.get("sampled") or 0).questionnaire
            )
        except EvaluationSample.DoesNotExist:
            raise Http404 from None
        try:
            case = services.case_from_evaluation(user=request.user, questionnaire=questionnaire)
        except (ValidationError, PermissionDenied) as error:
            report_errors(request, error)
        else:
            messages.success(request, _("Case opened."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "oversight/leads.html", {"leads": evaluation_leads(user=request.user)})


# --- the rectification ledger -------------------------------------------------------------


@login_required
def ledger_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    get = request.GET
    filters = LedgerFilters(
        state=get.get("state", "") if get.get("state", "") in RectificationState.values else "",
        overdue=get.get("overdue") == "1",
        problem_type=get.get("problem_type", "")[:20],
        include_closed=get.get("all") == "1",
        inspection=int(get["inspection"]) if get.get("inspection", "").isdigit() else None,
        source=get.get("source", "") if get.get("source", "") in FindingSource.values else "",
        area=get.get("area", "")[:12] if get.get("area", "").isdigit() else "",
    )
    user = request.user
    province = user.area.code[:2] if user.area else ""
    can_raise = user.role in rectification.RAISERS and user.area is not None
    form = None
    if can_raise and user.area is not None:
        below = (
            Area.objects.filter(
                code_range_q(user.area, "code"), level__in=list(rectification.RESPONSIBLE_ROLE)
            )
            .exclude(code=user.area.code)
            .order_by("code")
        )
        own = [
            (str(i.pk), f"{i.starts_on:%Y-%m-%d} {i.title}")
            for i in inspections(user=user).filter(created_by__area=user.area)[:100]
        ]
        form = FindingForm(
            request.POST or None,
            request.FILES or None,
            areas=[(a.code, a.name) for a in below[:5000]],
            problem_types=code_choices("problem_type", province=province),
            inspections=own,
            visits=visit_choices(user=user),
            initial={"visit": request.GET.get("visit", ""), "inspection": request.GET.get("inspection", "")},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            household = None
            if data["household_number"]:
                household = household_by_number(user=user, number=data["household_number"])
                if household is None:
                    form.add_error("household_number", _("No household with this number in your area."))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                finding = rectification.finding_raise(
                    user=user,
                    area=Area.objects.get(code=data["area"]),
                    source=FindingSource.INSPECTION,
                    problem_type=data["problem_type"],
                    severity=data["severity"],
                    description=data["description"],
                    evidence=data["evidence"],
                    household=household,
                    delegate_sign_off=data["delegate_sign_off"],
                    inspection=Inspection.objects.filter(pk=data["inspection"] or 0).first(),
                    visit=InspectionVisit.objects.filter(
                        pk=data["visit"] or 0, inspection__created_by__area=user.area
                    ).first(),
                    photos=data["photos"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied as error:
                report_errors(request, error)
            else:
                messages.success(request, _("Finding recorded."))
                return redirect("oversight:finding", pk=finding.pk)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "findings": ledger(user=user, filters=filters)[:1000],
        "filters": filters,
        "repeated": repeated_problems(user=user),
        "by_area": overdue_by_child_area(user=user),
        "states": RectificationState.choices,
        "sources": FindingSource.choices,
        "can_raise": can_raise,
        "form": form,
        "province": province,
    }
    return render(request, "oversight/ledger.html", context)


@login_required
def finding_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        finding = finding_get(user=request.user, pk=pk)
    except Finding.DoesNotExist:
        raise Http404 from None
    form = RectificationForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in RectificationAction.values:
            raise Http404
        if form.is_valid():
            try:
                rectification.finding_transition(
                    user=request.user,
                    finding=finding,
                    action=action,
                    comment=form.cleaned_data["comment"],
                    measures=form.cleaned_data["measures"],
                    photos=form.cleaned_data["photos"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied as error:
                report_errors(request, error)
                return redirect("oversight:finding", pk=pk)
            else:
                messages.success(
                    request, _("Recorded: %(action)s.") % {"action": RectificationAction(action).label}
                )
                return redirect("oversight:finding", pk=pk)
    moves = rectification.moves_for(request.user, finding)
    context = {
        "finding": finding,
        "photos": finding.photos.all(),
        "events": finding.events.select_related("actor"),
        "moves": moves,
        "form": form,
        "province": finding.area_id[:2],
    }
    return render(request, "oversight/finding.html", context)


# --- phone spot-checks ---------------------------------------------------------------------


@login_required
def phone_checks_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Today's call list of the user's area (drawn on first opening), with each call's outcome."""
    user = request.user
    if user.role not in phone_checks.CALLERS or user.area is None:
        raise PermissionDenied(_("Phone spot-checks are made by the supervisors of the area."))
    area = user.area
    if request.method == "POST":
        check = PhoneCheck.objects.filter(pk=request.POST.get("check") or 0, area=area).first()
        if check is None:
            raise Http404
        try:
            if request.POST.get("reveal"):
                phone = phone_checks.phone_for_call(user=user, check=check)
                messages.info(
                    request,
                    _("Phone of %(number)s: %(phone)s")
                    % {"number": check.household.household_number, "phone": phone or "—"},
                )
            else:
                phone_checks.phone_check_record(
                    user=user,
                    check=check,
                    outcome=request.POST.get("outcome", ""),
                    note=request.POST.get("note", "")[:300],
                )
                messages.success(request, _("Call recorded."))
        except (ValidationError, PermissionDenied) as error:
            report_errors(request, error)
        return redirect("oversight:phone_checks")
    calls = phone_checks.phone_checks_draw(user=user, area=area)
    context = {
        "calls": calls,
        "outcomes": [c for c in CallOutcome.choices if c[0] != CallOutcome.PENDING],
        "area": area,
    }
    return render(request, "oversight/phone_checks.html", context)


@login_required
def rectification_notice_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The day's or the week's notice (通报) of the user's area: counts, no personal data."""
    area = request.user.area
    if area is None or request.user.role == Role.EVALUATOR:
        raise Http404
    days = 1 if request.GET.get("period") == "day" else 7
    notice = rectification_notice(area=area, days=days)
    if request.GET.get("format") == "pdf":
        return notice_pdf(notice, area)
    return render(request, "oversight/rectification_notice.html", {"notice": notice, "days": days})


@login_required
def inspections_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Inspection plans and undercover visits of the user's level, with their findings."""
    user = request.user
    can_plan = user.role in rectification.RAISERS and user.area is not None
    form = None
    if can_plan and user.area is not None:
        below = Area.objects.filter(
            code_range_q(user.area, "code"), level__in=list(rectification.RESPONSIBLE_ROLE)
        )
        form = InspectionForm(
            request.POST or None, areas=[(a.code, a.name) for a in below.order_by("code")[:5000]]
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                rectification.inspection_create(
                    user=user, area=Area.objects.get(code=data.pop("area")), **data
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied as error:
                report_errors(request, error)
            else:
                messages.success(
                    request, _("Inspection recorded; its findings are entered in the rectification ledger.")
                )
                return redirect("oversight:inspections")
    return render(
        request, "oversight/inspections.html", {"inspections": inspections(user=user)[:500], "form": form}
    )


@login_required
def inspection_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One inspection: its visits (recorded by the inspecting level) and what they found."""
    user = request.user
    inspection = inspections(user=user).filter(pk=pk).first()
    if inspection is None:
        raise Http404
    form = None
    if user.area_id is not None and user.area_id == inspection.created_by.area_id:
        villages = Area.objects.filter(code_range_q(inspection.area, "code"), level=AreaLevel.VILLAGE)
        form = InspectionVisitForm(
            request.POST or None, villages=[(a.code, a.name) for a in villages.order_by("code")[:5000]]
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            number = data.pop("household_number")
            household = household_by_number(user=user, number=number) if number else None
            try:
                if number and household is None:
                    raise ValidationError(
                        {"household_number": [_("No household with this number in your area.")]}
                    )
                rectification.inspection_visit_record(
                    user=user,
                    inspection=inspection,
                    village=Area.objects.get(code=data.pop("village")),
                    household=household,
                    **data,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied as error:
                report_errors(request, error)
            else:
                messages.success(request, _("Visit recorded."))
                return redirect("oversight:inspection", pk=pk)
    context = {
        "inspection": inspection,
        "visits": inspection_visits(inspection=inspection),
        "findings": ledger(user=user, filters=LedgerFilters(include_closed=True, inspection=pk))[:500],
        "form": form,
    }
    return render(request, "oversight/inspection.html", context)


@login_required
def finding_photo_view(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    photo = FindingPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404
    try:
        finding_get(user=request.user, pk=photo.finding_id)
    except Finding.DoesNotExist:
        raise Http404 from None
    return serve_upload(photo.file, download_name=photo.original_name, inline_image=True)


@login_required
@require_POST
def quality_findings_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Run the data-quality catalogue over the user's area and enter its errors in the ledger."""
    if request.user.area is None:
        raise Http404
    try:
        run = quality_findings_run(area=request.user.area, user=request.user)
    except PermissionDenied as error:
        report_errors(request, error)
    else:
        messages.success(
            request,
            _("Data-quality catalogue checked: %(raised)s findings raised, %(open)s still open.")
            % {"raised": run.raised, "open": run.still_open},
        )
    return redirect(f"{reverse('oversight:ledger')}?source={FindingSource.DATA_QUALITY}")
