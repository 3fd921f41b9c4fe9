"""The asset ledger and the distribution of asset income to households."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from jingzhun.api import schemas
from jingzhun.api.common import AREA_CODE, ERRORS, STATE_ERRORS, Paging, page_of, request_user
from jingzhun.assets.choices import AssetState, AssetType
from jingzhun.assets.models import AssetIncome
from jingzhun.assets.selectors import AssetFilters, asset_get, asset_list, income_distributions
from jingzhun.assets.services import distribute
from jingzhun.registry.selectors import households_in_scope

router = Router(tags=["assets"])


@router.get("/", response={200: schemas.AssetPage, **ERRORS})
def list_assets(
    request: HttpRequest,
    paging: Query[Paging],
    asset_type: AssetType | None = None,
    state: AssetState | None = None,
    village: str = Query("", max_length=12, pattern=AREA_CODE),
) -> Any:
    filters = AssetFilters(asset_type=asset_type or "", state=state or "", village=village)
    return page_of(
        asset_list(user=request_user(request), filters=filters).order_by("pk"), paging.page, paging.page_size
    )


@router.get("/{asset_id}", response={200: schemas.AssetOut, **ERRORS})
def get_asset(request: HttpRequest, asset_id: int) -> Any:
    return asset_get(user=request_user(request), pk=asset_id)


@router.get("/{asset_id}/distributions", response={200: list[schemas.DistributionOut], **ERRORS})
def list_distributions(request: HttpRequest, asset_id: int) -> Any:
    return list(income_distributions(asset=asset_get(user=request_user(request), pk=asset_id)))


@router.post("/{asset_id}/distributions", response={201: schemas.DistributionOut, **STATE_ERRORS})
def create_distribution(request: HttpRequest, asset_id: int, body: schemas.DistributionIn) -> Any:
    """Pay part of an income of the asset to a household that benefits from its project."""
    user = request_user(request)
    asset = asset_get(user=user, pk=asset_id)
    income = AssetIncome.objects.get(pk=body.income, asset=asset)
    household = households_in_scope(user=user).get(pk=body.household)
    row = distribute(user=user, income=income, household=household, amount=body.amount, paid_on=body.paid_on)
    return 201, row
