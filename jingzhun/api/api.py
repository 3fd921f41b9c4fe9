"""The REST API, ``/api/v1/`` (OpenAPI at ``/api/v1/openapi.json``).

Endpoints are thin, as the views are: they parse, call the same selectors
(scoped to the token's user) and services (which check role and area) and
serialise. A record outside the user's area is a 404, as on the web pages.
Errors share one body: ``{"error": code, "message": text, "fields": {...}}``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from jingzhun.accounts.models import User
from jingzhun.accounts.services import log_in_complete
from jingzhun.api import routers
from jingzhun.api.services import token_user
from jingzhun.core.errors import StateConflict


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class CompletedSessionAuth(SessionAuth):
    """The web session, once its log-in is complete (second factor included where needed)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and log_in_complete(request) else None


api = NinjaAPI(
    title="jingzhun",
    version="1",
    description="Register, warnings, cases and assistance of 精准, scoped to the token's user.",
    auth=[TokenAuth(), CompletedSessionAuth()],
    urls_namespace="api",
)
_LOCATIONS = {"body", "query", "path", "header", "paging"}


def _error(request: HttpRequest, status: int, code: str, message: str, fields: Any = None) -> HttpResponse:
    return api.create_response(
        request, {"error": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    fields = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return _error(request, 422, "invalid", _("The data is not valid."), fields)


@api.exception_handler(StateConflict)
def _conflict(request: HttpRequest, error: StateConflict) -> HttpResponse:
    return _error(request, 409, "conflict", " ".join(error.messages))


# Pydantic's messages by error type, in the installation's language (pydantic's own are English).
_VALIDATION_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "string_type": gettext_lazy("Give text."),
    "string_too_short": gettext_lazy("Give at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Give at most %(max_length)s characters."),
    "string_pattern_mismatch": gettext_lazy("The value contains characters that are not allowed here."),
    "int_type": gettext_lazy("Give a whole number."),
    "int_parsing": gettext_lazy("Give a whole number."),
    "int_from_float": gettext_lazy("Give a whole number."),
    "decimal_type": gettext_lazy("Give a number."),
    "decimal_parsing": gettext_lazy("Give a number."),
    "decimal_max_digits": gettext_lazy("Give at most %(max_digits)s digits."),
    "decimal_max_places": gettext_lazy("Give at most %(decimal_places)s decimal places."),
    "float_parsing": gettext_lazy("Give a number."),
    "bool_type": gettext_lazy("Give true or false."),
    "bool_parsing": gettext_lazy("Give true or false."),
    "date_type": gettext_lazy("Give a date as YYYY-MM-DD."),
    "date_parsing": gettext_lazy("Give a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Give a date as YYYY-MM-DD."),
    "greater_than_equal": gettext_lazy("Give %(ge)s or more."),
    "greater_than": gettext_lazy("Give more than %(gt)s."),
    "less_than_equal": gettext_lazy("Give %(le)s or less."),
    "less_than": gettext_lazy("Give less than %(lt)s."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "list_type": gettext_lazy("Give a list."),
    "dict_type": gettext_lazy("Give an object."),
    "model_attributes_type": gettext_lazy("Give an object."),
    "json_invalid": gettext_lazy("The body is not valid JSON."),
    "extra_forbidden": gettext_lazy("This field is not known."),
}


def _validation_message(item: dict[str, Any]) -> str:
    template = _VALIDATION_MESSAGES.get(str(item.get("type", "")))
    if template is None:
        return str(item.get("msg", ""))
    try:
        return str(template) % {key: str(value) for key, value in (item.get("ctx") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return str(item.get("msg", ""))


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for item in error.errors:
        location = list(item.get("loc", ()))
        # ("body", "body", "registered_year") → "registered_year": the field, not where ninja put it.
        while location and location[0] in _LOCATIONS:
            location.pop(0)
        name = ".".join(str(part) for part in location) or "__all__"
        fields.setdefault(name, []).append(_validation_message(item))
    return _error(request, 422, "invalid", _("The request is not valid."), fields)


@api.exception_handler(DataError)
def _refused_by_database(request: HttpRequest, error: DataError) -> HttpResponse:
    # A value the database cannot hold or compare (a NUL byte, an out-of-range number) in a
    # filter or a field: the request's fault, reported as such instead of a server error.
    return _error(request, 422, "invalid", _("The request contains a value the database cannot accept."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(error) or _("Your role may not do this."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found (or outside your area)."))


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request: HttpRequest, error: ObjectDoesNotExist) -> HttpResponse:
    return _not_found(request, Http404())


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthorised", _("A valid token is required (Authorization: Bearer …)."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    code = {400: "bad_request", 405: "method_not_allowed"}.get(error.status_code, "error")
    return _error(request, error.status_code, code, str(error))


# One router per app: each reads through its app's selectors and writes through its services.
api.add_router("/areas/", routers.areas.router)
api.add_router("/households/", routers.registry.households)
api.add_router("/members/", routers.registry.members)
api.add_router("/quality-issues/", routers.quality.router)
api.add_router("/warnings/", routers.monitoring.router)
api.add_router("/cases/", routers.cases.router)
api.add_router("/measures/", routers.assistance.router)
api.add_router("/department-batches/", routers.departments.router)
api.add_router("/projects/", routers.projects.router)
api.add_router("/funds/", routers.funds.router)
api.add_router("/assets/", routers.assets.router)
api.add_router("/oversight/", routers.oversight.router)
api.add_router("/tokens/", routers.tokens.router)
