"""What every router of the API shares: the request's user, paging, the error responses."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from jingzhun.accounts.models import User
from jingzhun.api import schemas

# Filters as the database can compare them: codes are digits; text never holds a NUL byte.
AREA_CODE = r"^[0-9]*$"
ERRORS: dict[int, Any] = dict.fromkeys((400, 401, 403, 404, 422), schemas.ErrorOut)
# Operations that change a record's state may also find it no longer in that state.
STATE_ERRORS: dict[int, Any] = {**ERRORS, 409: schemas.ErrorOut}


def request_user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def page_of(queryset: Any, page: int, page_size: int) -> dict[str, Any]:
    count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
    start = (page - 1) * page_size
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "items": list(queryset[start : start + page_size]),
    }


class Paging(schemas.Schema):
    page: int = schemas.Field(1, ge=1, le=100_000)
    page_size: int = schemas.Field(50, ge=1, le=500)
