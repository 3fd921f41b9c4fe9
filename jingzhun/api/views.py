"""The token page: a user's API tokens, a new one shown once, revocation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhun.api.selectors import token_list
from jingzhun.api.services import token_create, token_revoke
from jingzhun.core.forms import report_errors
from jingzhun.core.http import AuthenticatedHttpRequest


@login_required
def token_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    new_key = None
    if request.method == "POST":
        try:
            _token, new_key = token_create(
                actor=request.user, owner=request.user, name=request.POST.get("name", "")
            )
        except (PermissionDenied, ValidationError) as error:
            report_errors(request, error)
    tokens = token_list(user=request.user)
    return render(request, "api/tokens.html", {"tokens": tokens, "new_key": new_key})


@login_required
@require_POST
def token_revoke_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(token_list(user=request.user), pk=pk)
    token_revoke(actor=request.user, token=token)
    messages.info(request, _("The token was revoked."))
    return redirect("api_tokens")
