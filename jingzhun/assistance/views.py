"""Assistance pages: the area's (or the cadre's own) households with their checks and
visits, measures, visits and pairing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.roles import Capability
from jingzhun.areas.selectors import villages_for
from jingzhun.assistance import services
from jingzhun.assistance.exports import measure_columns
from jingzhun.assistance.forms import AssistanceFilterForm, MeasureForm, PairingForm, VisitForm
from jingzhun.assistance.models import Measure, VisitPhoto
from jingzhun.assistance.selectors import (
    AssistanceFilters,
    assistance_issues,
    assisted_households,
    is_visit_overdue,
)
from jingzhun.core.forms import apply_validation_error
from jingzhun.core.http import AuthenticatedHttpRequest
from jingzhun.core.uploads import serve_upload
from jingzhun.exports.services import Labels
from jingzhun.exports.views import list_export
from jingzhun.registry.models import Household
from jingzhun.registry.selectors import household_list, households_in_scope

PAGE_SIZE = 50


def _household_or_404(request: AuthenticatedHttpRequest, pk: int) -> Household:
    return get_object_or_404(households_in_scope(user=request.user), pk=pk)


@login_required
def assistance_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = AssistanceFilterForm(request.GET or None, user=user)
    filters = AssistanceFilters()
    if form.is_valid():
        filters = AssistanceFilters(**form.cleaned_data)
    households = assisted_households(user=user, filters=filters)
    if request.GET.get("export") == "xlsx":
        measures = (
            Measure.objects.filter(household__in=households.values("pk"))
            .select_related("household__village")
            .order_by("household__household_number", "-start_date")
        )
        return list_export(
            request,
            what="measures",
            title=_("Assistance measures"),
            columns=measure_columns(Labels(user.area.code[:2] if user.area else "")),
            objects=measures.iterator(chunk_size=2000),
        )
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    province = user.area.code[:2] if user.area else ""
    issues = assistance_issues(list(page), province=province)
    rows = [
        (household, issues.get(household.pk, []), is_visit_overdue(household.last_visit, province=province))  # type: ignore[attr-defined]
        for household in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "can_pair": user.can(Capability.ASSIGN_PAIRING),
    }
    return render(request, "assistance/assistance_list.html", context)


def _measure_page(
    request: AuthenticatedHttpRequest, household: Household, measure: Measure | None
) -> HttpResponse:
    form = MeasureForm(request.POST or None, instance=measure, province=household.village_id[:2])
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_save(
                user=request.user, household=household, measure=measure, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("household_detail", pk=household.pk)
        else:
            messages.success(request, _("Measure saved."))
            return redirect("household_detail", pk=household.pk)
    title = _("New assistance measure") if measure is None else _("Edit assistance measure")
    return render(request, "registry/form.html", {"form": form, "household": household, "title": title})


@login_required
def measure_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _measure_page(request, _household_or_404(request, pk), None)


@login_required
def measure_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    measure = get_object_or_404(Measure, pk=pk, household__in=household_list(user=request.user))
    return _measure_page(request, measure.household, measure)


@login_required
def visit_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    household = _household_or_404(request, pk)
    form = VisitForm(
        request.POST or None, request.FILES or None, initial={"visited_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_record(user=request.user, household=household, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("household_detail", pk=household.pk)
        else:
            messages.success(request, _("Visit recorded."))
            return redirect("household_detail", pk=household.pk)
    return render(
        request, "registry/form.html", {"form": form, "household": household, "title": _("Record a visit")}
    )


@login_required
def visit_photo(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    photo = get_object_or_404(VisitPhoto, pk=pk, visit__household__in=household_list(user=request.user))
    return serve_upload(photo.file, download_name=photo.original_name, inline_image=True)


@login_required
def pairing_assign(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.can(Capability.ASSIGN_PAIRING):
        raise PermissionDenied(_("Your role may not pair cadres with households."))
    form = PairingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = services.pairing_assign_village(
                user=request.user,
                cadre=data["cadre"],
                village=villages_for(user=request.user).get(code=data["village"]),
                replace=data["replace"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(count)d households paired with %(cadre)s.")
                % {"count": count, "cadre": data["cadre"].username},
            )
            return redirect("assistance:list")
    return render(
        request, "registry/form.html", {"form": form, "title": _("Pair a cadre with a village's households")}
    )
