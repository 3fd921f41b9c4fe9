"""Batches of department data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from jingzhun.api import schemas
from jingzhun.api.common import ERRORS, Paging, page_of, request_user
from jingzhun.departments.choices import DatasetType
from jingzhun.departments.selectors import batch_list

router = Router(tags=["department data"])


@router.get("/", response={200: schemas.BatchPage, **ERRORS})
def list_batches(request: HttpRequest, paging: Query[Paging], dataset_type: DatasetType | None = None) -> Any:
    queryset = batch_list(user=request_user(request), dataset_type=dataset_type or "")
    return page_of(queryset.order_by("-uploaded_at", "-pk"), paging.page, paging.page_size)
