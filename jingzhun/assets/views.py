"""Pages of the asset ledger: the ledger (county master, township and village detail),
printable and exportable; an asset with its rights, income, distributions and
disposal; registering the assets of an accepted project."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhun.accounts.choices import Role
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.assets import services
from jingzhun.assets.choices import AssetAction, AssetState, AssetType
from jingzhun.assets.forms import (
    ApproveForm,
    DisposalForm,
    DistributionForm,
    IncomeForm,
    ReasonForm,
    RegisterForm,
    RightsForm,
)
from jingzhun.assets.models import Asset, AssetIncome
from jingzhun.assets.selectors import (
    AssetFilters,
    asset_get,
    asset_incomes,
    asset_list,
    assets_in_scope,
    income_distributions,
    ledger_totals,
)
from jingzhun.assets.workflow import TRANSITIONS
from jingzhun.core.forms import apply_validation_error, report_errors
from jingzhun.core.http import AuthenticatedHttpRequest
from jingzhun.core.money import ZERO
from jingzhun.projects.models import Project
from jingzhun.projects.selectors import project_get
from jingzhun.registry.selectors import household_by_number

STEP_FORMS: dict[str, Any] = {
    AssetAction.PROPOSE_DISPOSAL: DisposalForm,
    AssetAction.RETURN: ReasonForm,
    AssetAction.WITHDRAW: ReasonForm,
}


def _asset_or_404(request: AuthenticatedHttpRequest, pk: int) -> Asset:
    try:
        return asset_get(user=request.user, pk=pk)
    except Asset.DoesNotExist:
        raise Http404 from None


@login_required
def ledger_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    get = request.GET
    filters = AssetFilters(
        asset_type=get.get("type", "") if get.get("type", "") in AssetType.values else "",
        state=get.get("state", "") if get.get("state", "") in AssetState.values else "",
        village=get.get("village", "")[:12],
        project=int(get["project"]) if get.get("project", "").isdigit() else None,
    )
    assets = asset_list(user=request.user, filters=filters).order_by("village_id", "asset_type", "pk")
    rows = list(assets[:1000])
    scope = assets_in_scope(user=request.user)
    if filters.village:
        scope = scope.filter(village_id=filters.village)
    if filters.project:
        scope = scope.filter(project_id=filters.project)
    query = request.GET.copy()
    query.pop("export", None)
    context = {
        "assets": rows,
        "total_count": assets.count(),
        "totals": ledger_totals(scope),
        "income": sum((getattr(a, "income_total") or ZERO for a in rows), ZERO),  # noqa: B009 (annotated)
        "distributed": sum((getattr(a, "distributed_total") or ZERO for a in rows), ZERO),  # noqa: B009
        "filters": filters,
        "types": AssetType.choices,
        "states": AssetState.choices,
        "query": query.urlencode(),
        "village": Area.objects.filter(code=filters.village).first() if filters.village else None,
        "printing": get.get("print") == "1",
    }
    return render(request, "assets/ledger.html", context)


def _render_asset(request: AuthenticatedHttpRequest, asset: Asset, **forms: Any) -> HttpResponse:
    user = request.user
    keeper = (
        user.area is not None
        and user.area.contains(asset.village_id)
        and (
            (user.role == Role.VILLAGE_CADRE and user.area.level == AreaLevel.VILLAGE)
            or (user.role == Role.COUNTY_OFFICER and user.area.level == AreaLevel.COUNTY)
        )
    )
    incomes = list(asset_incomes(asset=asset))
    # ``distributed`` is annotated by asset_incomes.
    left = {i.pk: i.amount - i.distributed for i in incomes}  # type: ignore[attr-defined]
    open_incomes = [
        (str(i.pk), f"{i.year} {i.period} ({left[i.pk]:,.2f})") for i in incomes if left[i.pk] > 0
    ]
    step_forms = forms.pop("step_forms", None) or [
        (t, STEP_FORMS.get(t.action, ApproveForm)(prefix=t.action))
        for t in TRANSITIONS.available(user, asset.state)
    ]
    context = {
        "asset": asset,
        "incomes": incomes,
        "distributions": income_distributions(asset=asset),
        "events": asset.events.select_related("actor"),
        "keeper": keeper and asset.state != AssetState.DISPOSED,
        "earns": asset.asset_type != AssetType.PUBLIC_BENEFIT,
        "rights_form": forms.get("rights_form") or RightsForm(instance=asset),
        "income_form": forms.get("income_form") or IncomeForm(prefix="income"),
        "distribution_form": forms.get("distribution_form")
        or DistributionForm(incomes=open_incomes, prefix="distribution"),
        "step_forms": step_forms,
    }
    return render(request, "assets/asset_detail.html", context)


@login_required
def asset_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_asset(request, _asset_or_404(request, pk))


@login_required
@require_POST
def rights_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    asset = _asset_or_404(request, pk)
    form = RightsForm(request.POST, instance=Asset.objects.get(pk=asset.pk))
    if form.is_valid():
        try:
            services.asset_rights_save(user=request.user, asset=asset, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            report_errors(request, error)
            return redirect("assets:detail", pk=pk)
        else:
            messages.success(request, _("Saved."))
            return redirect("assets:detail", pk=pk)
    return _render_asset(request, asset, rights_form=form)


@login_required
@require_POST
def income_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    asset = _asset_or_404(request, pk)
    form = IncomeForm(request.POST, prefix="income")
    if form.is_valid():
        try:
            services.income_record(user=request.user, asset=asset, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            report_errors(request, error)
            return redirect("assets:detail", pk=pk)
        else:
            messages.success(request, _("Income recorded."))
            return redirect("assets:detail", pk=pk)
    return _render_asset(request, asset, income_form=form)


@login_required
@require_POST
def distribute_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    asset = _asset_or_404(request, pk)
    incomes = [(str(i.pk), str(i.pk)) for i in asset.incomes.all()]
    form = DistributionForm(request.POST, incomes=incomes, prefix="distribution")
    if form.is_valid():
        income = AssetIncome.objects.get(pk=int(form.cleaned_data["income"]), asset=asset)
        household = household_by_number(user=request.user, number=form.cleaned_data["household_number"])
        if household is None:
            form.add_error("household_number", _("No household with this number in your area."))
        else:
            try:
                services.distribute(
                    user=request.user,
                    income=income,
                    household=household,
                    amount=form.cleaned_data["amount"],
                    paid_on=form.cleaned_data["paid_on"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied as error:
                report_errors(request, error)
                return redirect("assets:detail", pk=pk)
            else:
                messages.success(request, _("Distribution recorded."))
                return redirect("assets:detail", pk=pk)
    return _render_asset(request, asset, distribution_form=form)


@login_required
@require_POST
def act_view(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    asset = _asset_or_404(request, pk)
    if action not in AssetAction.values:
        raise Http404
    form = STEP_FORMS.get(action, ApproveForm)(request.POST, prefix=action)
    if form.is_valid():
        data = dict(form.cleaned_data)
        comment = data.pop("comment", "")
        try:
            services.asset_transition(
                user=request.user, asset=asset, action=action, comment=comment, data=data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            report_errors(request, error)
            return redirect("assets:detail", pk=pk)
        else:
            messages.success(request, _("Recorded: %(action)s.") % {"action": AssetAction(action).label})
            return redirect("assets:detail", pk=pk)
    step_forms = [
        (t, form if t.action == action else STEP_FORMS.get(t.action, ApproveForm)(prefix=t.action))
        for t in TRANSITIONS.available(request.user, asset.state)
    ]
    return _render_asset(request, asset, step_forms=step_forms)


@login_required
def register_view(request: AuthenticatedHttpRequest, project_pk: int) -> HttpResponse:
    """The county registers the assets of an accepted project, one at a time."""
    try:
        project = project_get(user=request.user, pk=project_pk)
    except Project.DoesNotExist:
        raise Http404 from None
    villages = [(project.area_id, project.area.name), *((v.code, v.name) for v in project.villages.all())]
    form = RegisterForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        owner = None
        number = form.cleaned_data.get("owner_household_number", "").strip()
        if number:
            owner = household_by_number(user=request.user, number=number)
            if owner is None:
                form.add_error("owner_household_number", _("No household with this number in your area."))
        if not form.errors:
            try:
                asset = services.asset_register(
                    user=request.user,
                    project=project,
                    village_code=form.cleaned_data["village"],
                    owner_household=owner,
                    **form.asset_fields(),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied as error:
                report_errors(request, error)
                return redirect("projects:detail", pk=project.pk)
            else:
                messages.success(request, _("Asset registered."))
                return redirect("assets:detail", pk=asset.pk)
    registered = Asset.objects.filter(project=project).aggregate(total=Sum("value"))["total"]
    context = {"form": form, "project": project, "registered": registered, "assets": project.assets.all()}
    return render(request, "assets/register.html", context)
