"""Pages of the register. Views parse input, call a selector or a service and
render; a household outside the user's area is a 404, never a 403, so that its
existence is not revealed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhun.accounts.roles import Capability
from jingzhun.areas.models import Area
from jingzhun.assistance.models import Measure, Visit
from jingzhun.assistance.selectors import (
    assistance_issues,
    current_pairing,
    household_visits,
    is_visit_overdue,
)
from jingzhun.cases.selectors import household_cases
from jingzhun.cases.workflow import is_village_cadre
from jingzhun.core.forms import apply_validation_error
from jingzhun.core.http import AuthenticatedHttpRequest
from jingzhun.dashboards.choices import Section
from jingzhun.dashboards.figures import figure_get
from jingzhun.dashboards.selectors import area_in_scope, figure_facts, key_label, people_behind
from jingzhun.exports.services import Labels
from jingzhun.exports.views import list_export
from jingzhun.imports.exports import household_columns, member_columns
from jingzhun.monitoring.selectors import evidence_visible, health_rules_withheld, household_warnings
from jingzhun.projects.selectors import household_projects
from jingzhun.quality.selectors import household_quality_issues
from jingzhun.registry import services
from jingzhun.registry.choices import HEAD_RELATION
from jingzhun.registry.display import change_lines, rows
from jingzhun.registry.forms import (
    CONDITIONS_FIELDS,
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    HouseholdFilterForm,
    HouseholdForm,
    IncomeForm,
    LivingConditionsForm,
    MemberForm,
)
from jingzhun.registry.models import Household, IncomeRecord, LivingConditions, Member, MonitoringObject
from jingzhun.registry.selectors import (
    HouseholdFilters,
    change_list,
    household_filters,
    household_list,
    households_in_scope,
    income_list,
    member_list,
)

PAGE_SIZE = 50


def _household_or_404(request: AuthenticatedHttpRequest, pk: int) -> Household:
    return get_object_or_404(households_in_scope(user=request.user), pk=pk)


def _require(request: AuthenticatedHttpRequest, capability: Capability) -> None:
    if not request.user.can(capability):
        raise PermissionDenied(_("Your role may not do this."))


def _report_quality(request: AuthenticatedHttpRequest, household: Household) -> None:
    """After a save, tell the user at once what the data-quality rules find in the household."""
    for issue in household_quality_issues(user=request.user, household=household):
        subject = f"{issue.member}: " if issue.member else ""
        messages.warning(request, f"{issue.rule} · {subject}{issue.message}")


@login_required
def household_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = HouseholdFilterForm(request.GET or None, user=user)
    filters = HouseholdFilters()
    figure_context = None
    if form.is_valid():
        data = form.cleaned_data
        among = None
        if data["figure"]:
            among, figure_context = _figure_households(request, data["figure"], data["key"], data["area"])
        filters = household_filters(data, among=among)
    latest_income = IncomeRecord.objects.filter(household=OuterRef("pk")).order_by("-year")
    households = household_list(user=user, filters=filters).annotate(
        head_id_number=Subquery(
            Member.objects.filter(household=OuterRef("pk"), relation_to_head=HEAD_RELATION).values(
                "id_number"
            )[:1]
        ),
        per_capita=Subquery(
            latest_income.values("per_capita_net_income")[:1],
            output_field=models.DecimalField(max_digits=14, decimal_places=2),
        ),
    )
    export = request.GET.get("export")
    if export in ("xlsx", "members"):
        return _household_list_export(request, households, members=export == "members")
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "figure_context": figure_context}
    template = "registry/_household_table.html" if request.htmx else "registry/household_list.html"
    return render(request, template, context)


def _figure_households(
    request: AuthenticatedHttpRequest, figure_key: str, key: str, area_code: str
) -> tuple[models.QuerySet, dict[str, Any] | None]:
    """The households a dashboard figure counted (none for an unknown figure or an area out of scope)."""
    user = request.user
    try:
        area = area_in_scope(user=user, code=area_code or None)
        facts = figure_facts(area=area, figure_key=figure_key, key=key)
    except (KeyError, ValueError, Area.DoesNotExist):
        messages.warning(request, _("No such figure in your area."))
        return Household.objects.none().values("pk"), None
    figure = figure_get(figure_key)
    if figure.section == Section.WARNINGS and health_rules_withheld(user):
        # Warnings include health rules': the households behind any warning figure,
        # subtracted from one another, would name whom a health rule fired on.
        messages.warning(request, _("Your role sees the warning figures as counts only."))
        return Household.objects.none().values("pk"), None
    context = {
        "label": figure.label,
        "key_label": key_label(figure.dimension, key, province=area.code[:2]) if key else "",
        "area": area,
        "people": people_behind(facts),
    }
    return facts.values("household_id"), context


def _household_list_export(
    request: AuthenticatedHttpRequest, households: models.QuerySet[Household], *, members: bool
) -> HttpResponse:
    """The list as shown (filters and area scope), households or their members, as .xlsx."""
    user = request.user
    labels = Labels(user.area.code[:2] if user.area else "")
    if members:
        rows = (
            Member.objects.filter(household__in=households.values("pk"))
            .select_related("household")
            .order_by("household__household_number", "relation_to_head", "birth_date")
        )
        return list_export(
            request,
            what="members",
            title=_("Members"),
            columns=member_columns(labels),
            objects=rows.iterator(chunk_size=2000),
        )
    return list_export(
        request,
        what="households",
        title=_("Household register"),
        columns=household_columns(labels),
        objects=households.iterator(chunk_size=2000),
    )


@login_required
def household_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    household = _household_or_404(request, pk)
    user = request.user
    province = household.village_id[:2]
    show_health = user.can(Capability.REVEAL_SENSITIVE)
    members = list(member_list(user=user, household=household))
    conditions = LivingConditions.objects.filter(household=household).first()
    warnings = [
        (warning, evidence_visible(user=user, rule=warning.rule))
        for warning in household_warnings(user=user, household=household)[:100]
    ]
    visits = list(household_visits(user=user, household=household)[:20])
    context: dict[str, Any] = {
        "household": household,
        "province": province,
        "household_rows": rows(household, HOUSEHOLD_FIELDS, province=province),
        "members": [(m, rows(m, MEMBER_FIELDS, province=province, show_health=show_health)) for m in members],
        "incomes": list(income_list(user=user, household=household)),
        "conditions_rows": rows(conditions, CONDITIONS_FIELDS, province=province) if conditions else [],
        "water_safe": conditions.water_safe if conditions else None,
        "episodes": household.monitoring_episodes.all(),
        "measures": Measure.objects.filter(household=household),
        "cases": household_cases(user=user, household_id=household.pk),
        "project_benefits": household_projects(user=user, household_id=household.pk),
        "assistance_issues": assistance_issues([household], province=province).get(household.pk, []),
        "pairing": current_pairing(household),
        "visits": visits,
        "visit_due": is_visit_overdue(visits[0].visited_on if visits else None, province=province),
        "can_assist": user.can(Capability.RECORD_ASSISTANCE),
        "can_open_cases": is_village_cadre(user),
        "warnings": warnings,
        "open_warnings": sum(1 for warning, _visible in warnings if warning.is_open),
        "issues": household_quality_issues(user=user, household=household),
        "changes": _history(user, household, province, show_health),
        "status_changes": household.status_changes.select_related("changed_by")[:50],
        "can_edit": user.can(Capability.EDIT_REGISTER),
        "can_reveal": user.can(Capability.REVEAL_SENSITIVE),
        "current_year": timezone.localdate().year,
    }
    return render(request, "registry/household_detail.html", context)


_RECORD_MODELS: dict[str, type[models.Model]] = {
    model._meta.model_name or "": model
    for model in (Household, Member, IncomeRecord, LivingConditions, Measure, Visit, MonitoringObject)
}


def _history(user: Any, household: Household, province: str, show_health: bool) -> list[tuple[Any, Any]]:
    entries = []
    for change in change_list(user=user, household=household)[:200]:
        model = _RECORD_MODELS.get(change.record_type)
        lines = change_lines(model, change.changes, province=province, reveal=show_health) if model else []
        entries.append((change, lines))
    return entries


@login_required
@require_POST
def household_reveal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show ID numbers, phones and the bank account in full, and record that they were shown."""
    household = _household_or_404(request, pk)
    services.sensitive_reveal(
        user=request.user,
        household=household,
        fields=["id_number", "phone", "bank_account"],
    )
    members = member_list(user=request.user, household=household)
    return render(request, "registry/_revealed.html", {"household": household, "members": members})


@login_required
def household_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, Capability.EDIT_REGISTER)
    if request.user.area is None:
        raise PermissionDenied(_("Your account has no area."))
    province = request.user.area.code[:2]
    form = HouseholdForm(request.POST or None, user=request.user, province=province)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("Household %(number)s created.") % {"number": household.household_number}
            )
            _report_quality(request, household)
            return redirect("household_detail", pk=household.pk)
    return render(request, "registry/form.html", {"form": form, "title": _("New household")})


@login_required
def household_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    household = _household_or_404(request, pk)
    _require(request, Capability.EDIT_REGISTER)
    form = HouseholdForm(
        request.POST or None,
        instance=household,
        user=request.user,
        province=household.village_id[:2],
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(user=request.user, household=household, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Household saved."))
            _report_quality(request, household)
            return redirect("household_detail", pk=household.pk)
    return render(
        request, "registry/form.html", {"form": form, "household": household, "title": _("Edit household")}
    )


def _member_form_page(
    request: AuthenticatedHttpRequest, household: Household, member: Member | None
) -> HttpResponse:
    _require(request, Capability.EDIT_REGISTER)
    form = MemberForm(request.POST or None, instance=member, province=household.village_id[:2])
    if request.method == "POST" and form.is_valid():
        try:
            if member is None:
                _saved, warnings = services.member_create(
                    user=request.user,
                    household=household,
                    **form.cleaned_data,
                )
            else:
                _saved, warnings = services.member_update(
                    user=request.user,
                    member=member,
                    **form.cleaned_data,
                )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            for warning in warnings:
                messages.warning(request, warning)
            messages.success(request, _("Member saved."))
            _report_quality(request, household)
            return redirect("household_detail", pk=household.pk)
    title = _("New member") if member is None else _("Edit member %(name)s") % {"name": member.name}
    return render(request, "registry/form.html", {"form": form, "household": household, "title": title})


@login_required
def member_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _member_form_page(request, _household_or_404(request, pk), None)


@login_required
def member_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(member_list(user=request.user).select_related("household"), pk=pk)
    return _member_form_page(request, member.household, member)


@login_required
@require_POST
def member_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(member_list(user=request.user).select_related("household"), pk=pk)
    _require(request, Capability.EDIT_REGISTER)
    household = member.household
    services.member_delete(user=request.user, member=member)
    messages.success(request, _("Member removed; the change is kept in the history."))
    _report_quality(request, household)
    return redirect("household_detail", pk=household.pk)


@login_required
def income_edit(request: AuthenticatedHttpRequest, pk: int, year: int) -> HttpResponse:
    household = _household_or_404(request, pk)
    _require(request, Capability.EDIT_REGISTER)
    record = IncomeRecord.objects.filter(household=household, year=year).first()
    form = IncomeForm(
        request.POST or None, instance=record, initial={"year": year}, province=household.village_id[:2]
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen_year = data.pop("year")
        try:
            services.income_record_save(user=request.user, household=household, year=chosen_year, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Income for %(year)d saved.") % {"year": chosen_year})
            _report_quality(request, household)
            return redirect("household_detail", pk=household.pk)
    return render(
        request,
        "registry/form.html",
        {"form": form, "household": household, "title": _("Income %(year)d") % {"year": year}},
    )


@login_required
def conditions_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    household = _household_or_404(request, pk)
    _require(request, Capability.EDIT_REGISTER)
    conditions = LivingConditions.objects.filter(household=household).first()
    form = LivingConditionsForm(request.POST or None, instance=conditions, province=household.village_id[:2])
    if request.method == "POST" and form.is_valid():
        try:
            services.living_conditions_save(user=request.user, household=household, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Living conditions saved."))
            _report_quality(request, household)
            return redirect("household_detail", pk=household.pk)
    return render(
        request, "registry/form.html", {"form": form, "household": household, "title": _("Living conditions")}
    )
