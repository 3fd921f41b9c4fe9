from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from jingzhun.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is a real User."""

    user: User
    htmx: HtmxDetails
