"""Risk warnings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from jingzhun.api import schemas
from jingzhun.api.common import AREA_CODE, ERRORS, Paging, page_of, request_user
from jingzhun.api.schemas import TEXT
from jingzhun.monitoring.selectors import STATUS_ALL, WarningFilters, warning_list

router = Router(tags=["warnings"])


@router.get("/", response={200: schemas.WarningPage, **ERRORS})
def list_warnings(
    request: HttpRequest,
    paging: Query[Paging],
    village: str = Query("", max_length=12, pattern=AREA_CODE),
    rule: str = Query("", max_length=40, pattern=TEXT),
    status: schemas.WarningStatusFilter = schemas.WarningStatusFilter.ALL,
    overdue: bool = False,
) -> Any:
    filters = WarningFilters(village=village, rule=rule, status=str(status), overdue=overdue)
    queryset = (
        warning_list(user=request_user(request), filters=filters)
        .select_related("household")
        .order_by("deadline", "pk")
    )
    return page_of(queryset, paging.page, paging.page_size)


@router.get("/{warning_id}", response={200: schemas.WarningOut, **ERRORS})
def get_warning(request: HttpRequest, warning_id: int) -> Any:
    filters = WarningFilters(status=STATUS_ALL)
    return get_object_or_404(
        warning_list(user=request_user(request), filters=filters).select_related("household"), pk=warning_id
    )
