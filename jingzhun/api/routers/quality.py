"""Data-quality findings of a village."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from jingzhun.api import schemas
from jingzhun.api.common import AREA_CODE, ERRORS, Paging, page_of, request_user
from jingzhun.areas.selectors import area_list
from jingzhun.quality.selectors import find_issues
from jingzhun.registry.selectors import HouseholdFilters, household_rows

router = Router(tags=["data quality"])


@router.get("/", response={200: schemas.QualityIssuePage, **ERRORS})
def list_quality_issues(
    request: HttpRequest, paging: Query[Paging], village: str = Query(..., max_length=12, pattern=AREA_CODE)
) -> Any:
    area = get_object_or_404(area_list(user=request_user(request)), code=village)
    scoped = household_rows(user=request_user(request), filters=HouseholdFilters(village=area.code))
    return page_of(find_issues(scoped, province=area.code[:2]), paging.page, paging.page_size)
