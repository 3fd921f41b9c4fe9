"""Funds and their ledger: allocations and payments (payments with their voucher are
recorded on the web page; here they are read)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from jingzhun.api import schemas
from jingzhun.api.common import ERRORS, STATE_ERRORS, Paging, page_of, request_user
from jingzhun.funds.selectors import fund_get, fund_list, fund_movements, project_movements
from jingzhun.funds.services import allocate
from jingzhun.projects.selectors import project_get

router = Router(tags=["funds"])


@router.get("/", response={200: schemas.FundPage, **ERRORS})
def list_funds(
    request: HttpRequest, paging: Query[Paging], year: int | None = Query(None, ge=2000, le=2100)
) -> Any:
    return page_of(
        fund_list(user=request_user(request), year=year).order_by("pk"), paging.page, paging.page_size
    )


@router.get("/{fund_id}", response={200: schemas.FundOut, **ERRORS})
def get_fund(request: HttpRequest, fund_id: int) -> Any:
    return fund_get(user=request_user(request), pk=fund_id)


@router.get("/{fund_id}/movements", response={200: schemas.MovementPage, **ERRORS})
def list_fund_movements(request: HttpRequest, fund_id: int, paging: Query[Paging]) -> Any:
    fund = fund_get(user=request_user(request), pk=fund_id)
    return page_of(fund_movements(fund=fund), paging.page, paging.page_size)


@router.post("/{fund_id}/allocations", response={201: schemas.MovementOut, **STATE_ERRORS})
def create_allocation(request: HttpRequest, fund_id: int, body: schemas.AllocationIn) -> Any:
    """Allocate part of the fund to a project (the area's finance office); never beyond the fund."""
    user = request_user(request)
    fund = fund_get(user=user, pk=fund_id)
    project = project_get(user=user, pk=body.project)
    movement = allocate(
        user=user,
        fund=fund,
        project=project,
        amount=body.amount,
        occurred_on=body.occurred_on,
        reason=body.reason,
    )
    return 201, movement


@router.get("/projects/{project_id}/payments", response={200: schemas.MovementPage, **ERRORS})
def list_project_payments(request: HttpRequest, project_id: int, paging: Query[Paging]) -> Any:
    """Every movement of money for a project: allocations, payments and reversals."""
    user = request_user(request)
    project = project_get(user=user, pk=project_id)
    return page_of(project_movements(user=user, project=project), paging.page, paging.page_size)
