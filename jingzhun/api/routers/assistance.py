"""Assistance measures."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from jingzhun.api import schemas
from jingzhun.api.common import AREA_CODE, ERRORS, Paging, page_of, request_user
from jingzhun.assistance.selectors import measure_list

router = Router(tags=["assistance"])


@router.get("/", response={200: schemas.MeasurePage, **ERRORS})
def list_measures(
    request: HttpRequest, paging: Query[Paging], village: str = Query("", max_length=12, pattern=AREA_CODE)
) -> Any:
    queryset = measure_list(user=request_user(request), village=village)
    return page_of(queryset, paging.page, paging.page_size)
