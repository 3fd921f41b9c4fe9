"""A log-in that needs a second factor is not complete until the code is entered:
until then every page sends the person to enter it (or to set up the app)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# Reachable half-logged-in: the second step itself, leaving, the language switch,
# the public self-declaration, static files, and the API (its tokens are their own
# credential; session calls to it are checked by the same rule in the API's auth).
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/declare/", "/static/", "/api/v1/")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from jingzhun.accounts.models import User
        from jingzhun.accounts.services import log_in_complete, second_factor_device

        user = request.user
        if (
            isinstance(user, User)
            and not request.path.startswith(_OPEN_PREFIXES)
            and not log_in_complete(request)
        ):
            step = "second_factor" if second_factor_device(user) else "second_factor_setup"
            target = f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}"
            if getattr(request, "htmx", False):
                return HttpResponse(headers={"HX-Redirect": target})
            return redirect(target)
        return self.get_response(request)
