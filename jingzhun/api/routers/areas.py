"""The areas the user may see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router

from jingzhun.api import schemas
from jingzhun.api.common import AREA_CODE, ERRORS, Paging, page_of, request_user
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.selectors import area_list

router = Router(tags=["areas"])


@router.get("/", response={200: schemas.AreaPage, **ERRORS})
def list_areas(
    request: HttpRequest,
    paging: Query[Paging],
    level: int | None = Query(None, ge=1, le=5),
    parent: str | None = Query(None, max_length=12, pattern=AREA_CODE),
) -> Any:
    chosen_level = AreaLevel(level) if level is not None else None
    queryset = area_list(user=request_user(request), level=chosen_level, parent=parent).order_by("code")
    return page_of(queryset, paging.page, paging.page_size)


@router.get("/{code}", response={200: schemas.AreaOut, **ERRORS})
def get_area(request: HttpRequest, code: str = Path(..., max_length=12, pattern=AREA_CODE)) -> Any:
    return get_object_or_404(area_list(user=request_user(request)), code=code)
