"""Evaluation plans, their samples and questionnaires, and the rectification ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from jingzhun.api import schemas
from jingzhun.api.common import ERRORS, STATE_ERRORS, Paging, page_of, request_user
from jingzhun.oversight.choices import RectificationState
from jingzhun.oversight.rectification import finding_transition
from jingzhun.oversight.selectors import (
    LedgerFilters,
    finding_get,
    ledger,
    plan_get,
    plan_list,
    sample_of,
    sampled_get,
)
from jingzhun.oversight.services import questionnaire_save

router = Router(tags=["oversight"])


@router.get("/plans/", response={200: list[schemas.PlanOut], **ERRORS})
def list_plans(request: HttpRequest) -> Any:
    return list(plan_list(user=request_user(request)).order_by("pk")[:500])


@router.get("/plans/{plan_id}/sample", response={200: list[schemas.SampledOut], **ERRORS})
def list_sample(request: HttpRequest, plan_id: int) -> Any:
    """The plan's sampled households the user may see (an evaluator: those assigned to them)."""
    user = request_user(request)
    return list(sample_of(user=user, plan=plan_get(user=user, pk=plan_id)).order_by("pk")[:5000])


@router.put("/sample/{sampled_id}/questionnaire", response={200: schemas.QuestionnaireOut, **STATE_ERRORS})
def put_questionnaire(request: HttpRequest, sampled_id: int, body: schemas.QuestionnaireIn) -> Any:
    """The interview of a sampled household, by its evaluator; income recomputed the register's way."""
    user = request_user(request)
    sampled = sampled_get(user=user, pk=sampled_id)
    data = body.dict()
    for name in ("wage_income", "business_income", "property_income", "transfer_income", "production_costs"):
        data[name] = Decimal(data[name])
    return questionnaire_save(user=user, sampled=sampled, **data)


@router.get("/findings/", response={200: schemas.FindingPage, **ERRORS})
def list_findings(
    request: HttpRequest,
    paging: Query[Paging],
    state: RectificationState | None = None,
    overdue: bool = False,
    include_closed: bool = False,
) -> Any:
    filters = LedgerFilters(state=state or "", overdue=overdue, include_closed=include_closed)
    return page_of(ledger(user=request_user(request), filters=filters), paging.page, paging.page_size)


@router.get("/findings/{finding_id}", response={200: schemas.FindingOut, **ERRORS})
def get_finding(request: HttpRequest, finding_id: int) -> Any:
    return finding_get(user=request_user(request), pk=finding_id)


@router.post("/findings/{finding_id}/transitions", response={200: schemas.FindingOut, **STATE_ERRORS})
def transition_finding(request: HttpRequest, finding_id: int, body: schemas.RectificationIn) -> Any:
    """Submit the rectification (the responsible area), sign it off or return it (the issuing level)."""
    user = request_user(request)
    finding = finding_get(user=user, pk=finding_id)
    finding_transition(
        user=user, finding=finding, action=body.action, comment=body.comment, measures=body.measures
    )
    return finding_get(user=user, pk=finding_id)
