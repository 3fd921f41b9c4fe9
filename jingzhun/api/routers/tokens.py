"""API tokens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from jingzhun.api import schemas
from jingzhun.api.common import ERRORS, request_user
from jingzhun.api.selectors import token_list, token_owners
from jingzhun.api.services import token_create, token_revoke

router = Router(tags=["tokens"])


@router.get("/", response={200: list[schemas.TokenOut], **ERRORS})
def list_tokens(request: HttpRequest) -> Any:
    return list(token_list(user=request_user(request)))


@router.post("/", response={201: schemas.TokenCreated, **ERRORS})
def create_token(request: HttpRequest, body: schemas.TokenIn) -> Any:
    actor = request_user(request)
    owner = (
        actor if body.user in (None, actor.pk) else get_object_or_404(token_owners(user=actor), pk=body.user)
    )
    token, key = token_create(actor=actor, owner=owner, name=body.name)
    token.key = key  # type: ignore[attr-defined]  # shown this once, never stored
    return Status(201, token)


@router.delete("/{token_id}", response={200: schemas.TokenOut, **ERRORS})
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    token = get_object_or_404(token_list(user=request_user(request)), pk=token_id)
    return token_revoke(actor=request_user(request), token=token)
