"""The register: households and what belongs to them, through the register's selectors and services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Status

from jingzhun.api import schemas
from jingzhun.api.common import ERRORS, Paging, page_of, request_user
from jingzhun.areas.selectors import area_list
from jingzhun.assistance.selectors import household_measures as measures_of_household
from jingzhun.assistance.selectors import household_visits
from jingzhun.registry import services as registry
from jingzhun.registry.selectors import (
    household_filters,
    household_rows,
    households_in_scope,
    income_list,
    living_conditions_of,
    member_list,
)

households = Router(tags=["households"])


def _household(request: HttpRequest, pk: int) -> Any:
    return get_object_or_404(households_in_scope(user=request_user(request)), pk=pk)


def _reveal(request: HttpRequest, household: Any, reveal: bool, fields: list[str]) -> None:
    if reveal:
        registry.sensitive_reveal(user=request_user(request), household=household, fields=fields)
        request.reveal = True  # type: ignore[attr-defined]


@households.get("/", response={200: schemas.HouseholdPage, **ERRORS})
def list_households(
    request: HttpRequest,
    paging: Query[Paging],
    filters: Query[schemas.HouseholdQuery],  # type: ignore[valid-type]
) -> Any:
    chosen = household_filters(filters.dict())  # type: ignore[attr-defined]
    queryset = household_rows(user=request_user(request), filters=chosen).order_by("household_number")
    return page_of(queryset, paging.page, paging.page_size)


@households.post("/", response={201: schemas.HouseholdOut, **ERRORS})
def create_household(request: HttpRequest, body: schemas.HouseholdIn) -> Any:
    fields = body.dict()
    village = get_object_or_404(area_list(user=request_user(request)), code=fields.pop("village"))
    return Status(201, registry.household_create(user=request_user(request), village=village, **fields))


@households.get("/{household_id}", response={200: schemas.HouseholdOut, **ERRORS})
def get_household(request: HttpRequest, household_id: int, reveal: bool = False) -> Any:
    household = _household(request, household_id)
    _reveal(request, household, reveal, ["phone", "bank_account"])
    return household


@households.patch("/{household_id}", response={200: schemas.HouseholdOut, **ERRORS})
def update_household(request: HttpRequest, household_id: int, body: schemas.HouseholdPatch) -> Any:
    household = _household(request, household_id)
    return registry.household_update(
        user=request_user(request), household=household, **body.dict(exclude_unset=True)
    )


@households.get("/{household_id}/members", response={200: list[schemas.MemberOut], **ERRORS})
def list_members(request: HttpRequest, household_id: int, reveal: bool = False) -> Any:
    household = _household(request, household_id)
    _reveal(request, household, reveal, ["id_number", "phone", "health"])
    return list(member_list(user=request_user(request), household=household))


@households.post("/{household_id}/members", response={201: schemas.MemberWritten, **ERRORS})
def create_member(request: HttpRequest, household_id: int, body: schemas.MemberIn) -> Any:
    household = _household(request, household_id)
    member, warnings = registry.member_create(user=request_user(request), household=household, **body.dict())
    return Status(201, {"member": member, "warnings": warnings})


@households.get("/{household_id}/incomes", response={200: list[schemas.IncomeOut], **ERRORS})
def list_incomes(request: HttpRequest, household_id: int) -> Any:
    household = _household(request, household_id)
    return list(income_list(user=request_user(request), household=household))


@households.put("/{household_id}/incomes/{year}", response={200: schemas.IncomeOut, **ERRORS})
def save_income(
    request: HttpRequest, household_id: int, body: schemas.IncomeIn, year: int = Path(..., ge=2010, le=2100)
) -> Any:
    household = _household(request, household_id)
    return registry.income_record_save(
        user=request_user(request), household=household, year=year, **body.dict()
    )


@households.get("/{household_id}/conditions", response={200: schemas.ConditionsOut, **ERRORS})
def get_conditions(request: HttpRequest, household_id: int) -> Any:
    household = _household(request, household_id)
    return living_conditions_of(user=request_user(request), household=household)


@households.patch("/{household_id}/conditions", response={200: schemas.ConditionsOut, **ERRORS})
def update_conditions(request: HttpRequest, household_id: int, body: schemas.ConditionsPatch) -> Any:
    household = _household(request, household_id)
    return registry.living_conditions_save(
        user=request_user(request), household=household, **body.dict(exclude_unset=True)
    )


@households.get("/{household_id}/measures", response={200: list[schemas.MeasureOut], **ERRORS})
def household_measures(request: HttpRequest, household_id: int) -> Any:
    household = _household(request, household_id)
    return list(measures_of_household(user=request_user(request), household=household))


@households.get("/{household_id}/visits", response={200: list[schemas.VisitOut], **ERRORS})
def household_visit_list(request: HttpRequest, household_id: int) -> Any:
    household = _household(request, household_id)
    return list(household_visits(user=request_user(request), household=household))


members = Router(tags=["households"])


@members.patch("/{member_id}", response={200: schemas.MemberWritten, **ERRORS})
def update_member(request: HttpRequest, member_id: int, body: schemas.MemberPatch) -> Any:
    member = get_object_or_404(
        member_list(user=request_user(request)).select_related("household"), pk=member_id
    )
    member, warnings = registry.member_update(
        user=request_user(request), member=member, **body.dict(exclude_unset=True)
    )
    return {"member": member, "warnings": warnings}
