"""Procedures (cases) and their steps."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from jingzhun.api import schemas
from jingzhun.api.common import AREA_CODE, ERRORS, STATE_ERRORS, Paging, page_of, request_user
from jingzhun.cases.choices import CaseKind, CaseState
from jingzhun.cases.selectors import CaseFilters, case_list, cases_in_scope
from jingzhun.cases.services import case_transition

router = Router(tags=["cases"])


@router.get("/", response={200: schemas.CasePage, **ERRORS})
def list_cases(
    request: HttpRequest,
    paging: Query[Paging],
    kind: CaseKind | None = None,
    state: CaseState | None = None,
    village: str = Query("", max_length=12, pattern=AREA_CODE),
    overdue: bool = False,
    include_closed: bool = False,
) -> Any:
    filters = CaseFilters(
        kind=kind or "", state=state or "", village=village, overdue=overdue, include_closed=include_closed
    )
    queryset = (
        case_list(user=request_user(request), filters=filters)
        .select_related("household")
        .order_by("deadline", "pk")
    )
    return page_of(queryset, paging.page, paging.page_size)


@router.get("/{case_id}", response={200: schemas.CaseOut, **ERRORS})
def get_case(request: HttpRequest, case_id: int) -> Any:
    return get_object_or_404(
        cases_in_scope(user=request_user(request)).select_related("household"), pk=case_id
    )


@router.post("/{case_id}/transitions", response={200: schemas.CaseOut, **STATE_ERRORS})
def transition_case(request: HttpRequest, case_id: int, body: schemas.TransitionIn) -> Any:
    """One step of the procedure (the actions of ``cases/workflow.py``), checked as on the web page;
    steps that need a signed document take it on the web page."""
    case = get_object_or_404(cases_in_scope(user=request_user(request)), pk=case_id)
    case_transition(
        user=request_user(request), case=case, action=body.action, comment=body.comment, data=body.data
    )
    return get_object_or_404(
        cases_in_scope(user=request_user(request)).select_related("household"), pk=case_id
    )
