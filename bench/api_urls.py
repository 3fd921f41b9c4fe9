"""The URLs the API benchmark serves: jingzhun's, plus the peer — plain Django
views that return the same JSON as the API from the same table, with the same
token and the same area scoping, but without django-ninja and its schemas.
Used only by bench/api.py (settings: bench/api_settings.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from jingzhun.api.services import token_user
from jingzhun.registry.idnumbers import mask_account, mask_phone
from jingzhun.registry.selectors import HouseholdFilters, household_rows

FIELDS = (
    "id", "household_number", "village_id", "group_name", "address", "phone", "bank_name", "bank_account",
    "identification_standard", "attribute", "main_cause", "other_causes", "poverty_status",
    "registered_year", "lifted_out_year", "is_active", "updated_at",
)  # fmt: skip


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    row["village"] = row.pop("village_id")
    row["phone"] = mask_phone(row["phone"]) if row["phone"] else row["phone"]
    row["bank_account"] = mask_account(row["bank_account"]) if row["bank_account"] else row["bank_account"]
    return row


def _user(request: HttpRequest) -> Any:
    header = request.headers.get("Authorization", "")
    return token_user(header.removeprefix("Bearer ")) if header.startswith("Bearer ") else None


def plain_household(request: HttpRequest, household_id: int) -> JsonResponse:
    user = _user(request)
    if user is None:
        return JsonResponse({"error": "unauthorised"}, status=401)
    scope = household_rows(user=user, filters=HouseholdFilters(include_removed=True))
    row = scope.filter(pk=household_id).values(*FIELDS).first()
    if row is None:
        return JsonResponse({"error": "not_found"}, status=404)
    return JsonResponse(_plain(row))


def plain_households(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    if user is None:
        return JsonResponse({"error": "unauthorised"}, status=401)
    page, page_size = int(request.GET.get("page", 1)), int(request.GET.get("page_size", 20))
    households = household_rows(user=user).order_by("household_number")
    start = (page - 1) * page_size
    return JsonResponse(
        {
            "count": households.count(),
            "page": page,
            "page_size": page_size,
            "items": [_plain(row) for row in households.values(*FIELDS)[start : start + page_size]],
        }
    )


urlpatterns = [
    path("plain/households/<int:household_id>", plain_household),
    path("plain/households/", plain_households),
    path("", include("config.urls")),
]
