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
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Path, Query, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from jingzhun.accounts.models import User
from jingzhun.accounts.services import log_in_complete
from jingzhun.api import schemas
from jingzhun.api.schemas import TEXT
from jingzhun.api.selectors import token_list
from jingzhun.api.services import token_create, token_revoke, token_user
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.selectors import area_list
from jingzhun.assistance.models import Measure
from jingzhun.assistance.selectors import household_visits
from jingzhun.cases.choices import CaseKind, CaseState
from jingzhun.cases.selectors import CaseFilters, case_list, cases_in_scope
from jingzhun.cases.services import case_transition
from jingzhun.core.errors import StateConflict
from jingzhun.departments.choices import DatasetType
from jingzhun.departments.selectors import batch_list
from jingzhun.monitoring.selectors import STATUS_ALL, WarningFilters, warning_list
from jingzhun.quality.selectors import find_issues
from jingzhun.registry import services as registry
from jingzhun.registry.selectors import (
    HouseholdFilters,
    household_rows,
    households_in_scope,
    income_list,
    living_conditions_of,
    member_list,
)


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
# Filters as the database can compare them: codes are digits; text never holds a NUL byte.
AREA_CODE = r"^[0-9]*$"
_LOCATIONS = {"body", "query", "path", "header", "paging"}
ERRORS: dict[int, Any] = dict.fromkeys((400, 401, 403, 404, 422), schemas.ErrorOut)
# Operations that change a record's state may also find it no longer in that state.
STATE_ERRORS: dict[int, Any] = {**ERRORS, 409: schemas.ErrorOut}


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


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _page(queryset: Any, page: int, page_size: int) -> dict[str, Any]:
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


# --- areas --------------------------------------------------------------------

areas = Router(tags=["areas"])


@areas.get("/", response={200: schemas.AreaPage, **ERRORS})
def list_areas(
    request: HttpRequest,
    paging: Query[Paging],
    level: int | None = Query(None, ge=1, le=5),
    parent: str | None = Query(None, max_length=12, pattern=AREA_CODE),
) -> Any:
    chosen_level = AreaLevel(level) if level is not None else None
    queryset = area_list(user=_user(request), level=chosen_level, parent=parent).order_by("code")
    return _page(queryset, paging.page, paging.page_size)


@areas.get("/{code}", response={200: schemas.AreaOut, **ERRORS})
def get_area(request: HttpRequest, code: str = Path(..., max_length=12, pattern=AREA_CODE)) -> Any:
    return get_object_or_404(area_list(user=_user(request)), code=code)


# --- households and what belongs to them ----------------------------------------

households = Router(tags=["households"])


def _household(request: HttpRequest, pk: int) -> Any:
    return get_object_or_404(households_in_scope(user=_user(request)), pk=pk)


def _reveal(request: HttpRequest, household: Any, reveal: bool, fields: list[str]) -> None:
    if reveal:
        registry.sensitive_reveal(user=_user(request), household=household, fields=fields)
        request.reveal = True  # type: ignore[attr-defined]


@households.get("/", response={200: schemas.HouseholdPage, **ERRORS})
def list_households(
    request: HttpRequest,
    paging: Query[Paging],
    village: str = Query("", max_length=12, pattern=AREA_CODE),
    poverty_status: str = Query("", max_length=20, pattern=TEXT),
    attribute: str = Query("", max_length=20, pattern=TEXT),
    q: str = Query("", max_length=50, pattern=TEXT, description="household number, member name or ID number"),
    include_removed: bool = False,
) -> Any:
    filters = HouseholdFilters(
        search=q,
        village=village,
        poverty_status=poverty_status,
        attribute=attribute,
        include_removed=include_removed,
    )
    queryset = household_rows(user=_user(request), filters=filters).order_by("household_number")
    return _page(queryset, paging.page, paging.page_size)


@households.post("/", response={201: schemas.HouseholdOut, **ERRORS})
def create_household(request: HttpRequest, body: schemas.HouseholdIn) -> Any:
    fields = body.dict()
    village = get_object_or_404(area_list(user=_user(request)), code=fields.pop("village"))
    return Status(201, registry.household_create(user=_user(request), village=village, **fields))


@households.get("/{household_id}", response={200: schemas.HouseholdOut, **ERRORS})
def get_household(request: HttpRequest, household_id: int, reveal: bool = False) -> Any:
    household = _household(request, household_id)
    _reveal(request, household, reveal, ["phone", "bank_account"])
    return household


@households.patch("/{household_id}", response={200: schemas.HouseholdOut, **ERRORS})
def update_household(request: HttpRequest, household_id: int, body: schemas.HouseholdPatch) -> Any:
    household = _household(request, household_id)
    return registry.household_update(
        user=_user(request), household=household, **body.dict(exclude_unset=True)
    )


@households.get("/{household_id}/members", response={200: list[schemas.MemberOut], **ERRORS})
def list_members(request: HttpRequest, household_id: int, reveal: bool = False) -> Any:
    household = _household(request, household_id)
    _reveal(request, household, reveal, ["id_number", "phone", "health"])
    return list(member_list(user=_user(request), household=household))


@households.post("/{household_id}/members", response={201: schemas.MemberWritten, **ERRORS})
def create_member(request: HttpRequest, household_id: int, body: schemas.MemberIn) -> Any:
    household = _household(request, household_id)
    member, warnings = registry.member_create(user=_user(request), household=household, **body.dict())
    return Status(201, {"member": member, "warnings": warnings})


@households.get("/{household_id}/incomes", response={200: list[schemas.IncomeOut], **ERRORS})
def list_incomes(request: HttpRequest, household_id: int) -> Any:
    household = _household(request, household_id)
    return list(income_list(user=_user(request), household=household))


@households.put("/{household_id}/incomes/{year}", response={200: schemas.IncomeOut, **ERRORS})
def save_income(
    request: HttpRequest, household_id: int, body: schemas.IncomeIn, year: int = Path(..., ge=2010, le=2100)
) -> Any:
    household = _household(request, household_id)
    return registry.income_record_save(user=_user(request), household=household, year=year, **body.dict())


@households.get("/{household_id}/conditions", response={200: schemas.ConditionsOut, **ERRORS})
def get_conditions(request: HttpRequest, household_id: int) -> Any:
    household = _household(request, household_id)
    return living_conditions_of(user=_user(request), household=household)


@households.patch("/{household_id}/conditions", response={200: schemas.ConditionsOut, **ERRORS})
def update_conditions(request: HttpRequest, household_id: int, body: schemas.ConditionsPatch) -> Any:
    household = _household(request, household_id)
    return registry.living_conditions_save(
        user=_user(request), household=household, **body.dict(exclude_unset=True)
    )


@households.get("/{household_id}/measures", response={200: list[schemas.MeasureOut], **ERRORS})
def household_measures(request: HttpRequest, household_id: int) -> Any:
    household = _household(request, household_id)
    return list(Measure.objects.filter(household=household).order_by("-start_date", "-pk"))


@households.get("/{household_id}/visits", response={200: list[schemas.VisitOut], **ERRORS})
def household_visit_list(request: HttpRequest, household_id: int) -> Any:
    household = _household(request, household_id)
    return list(household_visits(user=_user(request), household=household))


members = Router(tags=["households"])


@members.patch("/{member_id}", response={200: schemas.MemberWritten, **ERRORS})
def update_member(request: HttpRequest, member_id: int, body: schemas.MemberPatch) -> Any:
    member = get_object_or_404(member_list(user=_user(request)).select_related("household"), pk=member_id)
    member, warnings = registry.member_update(
        user=_user(request), member=member, **body.dict(exclude_unset=True)
    )
    return {"member": member, "warnings": warnings}


# --- data quality, warnings, cases, measures, department batches ------------------

quality = Router(tags=["data quality"])


@quality.get("/", response={200: schemas.QualityIssuePage, **ERRORS})
def list_quality_issues(
    request: HttpRequest, paging: Query[Paging], village: str = Query(..., max_length=12, pattern=AREA_CODE)
) -> Any:
    area = get_object_or_404(area_list(user=_user(request)), code=village)
    scoped = household_rows(user=_user(request), filters=HouseholdFilters(village=area.code))
    return _page(find_issues(scoped, province=area.code[:2]), paging.page, paging.page_size)


warnings = Router(tags=["warnings"])


@warnings.get("/", response={200: schemas.WarningPage, **ERRORS})
def list_warnings(
    request: HttpRequest,
    paging: Query[Paging],
    village: str = Query("", max_length=12, pattern=AREA_CODE),
    rule: str = Query("", max_length=40, pattern=TEXT),
    status: schemas.WarningStatusFilter = schemas.WarningStatusFilter.ALL,
    overdue: bool = False,
) -> Any:
    filters = WarningFilters(village=village, rule=rule, status=str(status), overdue=overdue)
    queryset = (
        warning_list(user=_user(request), filters=filters)
        .select_related("household")
        .order_by("deadline", "pk")
    )
    return _page(queryset, paging.page, paging.page_size)


@warnings.get("/{warning_id}", response={200: schemas.WarningOut, **ERRORS})
def get_warning(request: HttpRequest, warning_id: int) -> Any:
    filters = WarningFilters(status=STATUS_ALL)
    return get_object_or_404(
        warning_list(user=_user(request), filters=filters).select_related("household"), pk=warning_id
    )


cases = Router(tags=["cases"])


@cases.get("/", response={200: schemas.CasePage, **ERRORS})
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
        case_list(user=_user(request), filters=filters).select_related("household").order_by("deadline", "pk")
    )
    return _page(queryset, paging.page, paging.page_size)


@cases.get("/{case_id}", response={200: schemas.CaseOut, **ERRORS})
def get_case(request: HttpRequest, case_id: int) -> Any:
    return get_object_or_404(cases_in_scope(user=_user(request)).select_related("household"), pk=case_id)


@cases.post("/{case_id}/transitions", response={200: schemas.CaseOut, **STATE_ERRORS})
def transition_case(request: HttpRequest, case_id: int, body: schemas.TransitionIn) -> Any:
    """One step of the procedure (the actions of ``cases/workflow.py``), checked as on the web page;
    steps that need a signed document take it on the web page."""
    case = get_object_or_404(cases_in_scope(user=_user(request)), pk=case_id)
    case_transition(user=_user(request), case=case, action=body.action, comment=body.comment, data=body.data)
    return get_object_or_404(cases_in_scope(user=_user(request)).select_related("household"), pk=case_id)


measures = Router(tags=["assistance"])


@measures.get("/", response={200: schemas.MeasurePage, **ERRORS})
def list_measures(
    request: HttpRequest, paging: Query[Paging], village: str = Query("", max_length=12, pattern=AREA_CODE)
) -> Any:
    scoped = household_rows(
        user=_user(request), filters=HouseholdFilters(village=village, include_removed=True)
    )
    queryset = Measure.objects.filter(household__in=scoped.values("pk")).order_by("-start_date", "-pk")
    return _page(queryset, paging.page, paging.page_size)


batches = Router(tags=["department data"])


@batches.get("/", response={200: schemas.BatchPage, **ERRORS})
def list_batches(request: HttpRequest, paging: Query[Paging], dataset_type: DatasetType | None = None) -> Any:
    queryset = batch_list(user=_user(request)).order_by("-uploaded_at", "-pk")
    if dataset_type:
        queryset = queryset.filter(dataset_type=dataset_type)
    return _page(queryset, paging.page, paging.page_size)


# --- tokens ---------------------------------------------------------------------

tokens = Router(tags=["tokens"])


@tokens.get("/", response={200: list[schemas.TokenOut], **ERRORS})
def list_tokens(request: HttpRequest) -> Any:
    return list(token_list(user=_user(request)))


@tokens.post("/", response={201: schemas.TokenCreated, **ERRORS})
def create_token(request: HttpRequest, body: schemas.TokenIn) -> Any:
    actor = _user(request)
    owner = actor if body.user in (None, actor.pk) else get_object_or_404(User, pk=body.user)
    token, key = token_create(actor=actor, owner=owner, name=body.name)
    token.key = key  # type: ignore[attr-defined]  # shown this once, never stored
    return Status(201, token)


@tokens.delete("/{token_id}", response={200: schemas.TokenOut, **ERRORS})
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    token = get_object_or_404(token_list(user=_user(request)), pk=token_id)
    return token_revoke(actor=_user(request), token=token)


api.add_router("/areas/", areas)
api.add_router("/households/", households)
api.add_router("/members/", members)
api.add_router("/quality-issues/", quality)
api.add_router("/warnings/", warnings)
api.add_router("/cases/", cases)
api.add_router("/measures/", measures)
api.add_router("/department-batches/", batches)
api.add_router("/tokens/", tokens)
