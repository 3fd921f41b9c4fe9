"""Request and response bodies of the API.

Response schemas resolve sensitive fields through ``masked``: ID numbers,
phones, bank accounts and health are masked unless the user's role may see
them *and* the request asked for them (``reveal=true``, recorded like the
web page's reveal button).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from ninja import Field, ModelSchema, Schema
from pydantic import WithJsonSchema, create_model

from jingzhun.accounts.roles import Capability
from jingzhun.cases.choices import CaseAction
from jingzhun.monitoring.choices import WarningStatus
from jingzhun.monitoring.selectors import STATUS_ALL, STATUS_OPEN
from jingzhun.oversight.choices import RectificationAction, Verdict
from jingzhun.projects.choices import ProjectAction
from jingzhun.registry.display import MASKERS
from jingzhun.registry.models import IncomeRecord, LivingConditions
from jingzhun.registry.selectors import HOUSEHOLD_FILTERS, FilterParameter


def reveals(context: Any) -> bool:
    request = context["request"] if context else None
    if request is None:
        return False
    return bool(getattr(request, "reveal", False)) and request.user.can(Capability.REVEAL_SENSITIVE)


def masked(obj: Any, field: str, context: Any) -> Any:
    value = getattr(obj, field)
    if reveals(context) or not value:
        return value
    if field == "health":
        return None
    return MASKERS[field](value)


class WarningStatusFilter(StrEnum):
    """The warning list's status filter: open ones, all, or one status."""

    OPEN = STATUS_OPEN
    ALL = STATUS_ALL
    NEW = WarningStatus.NEW.value
    VERIFYING = WarningStatus.VERIFYING.value
    CONFIRMED = WarningStatus.CONFIRMED.value
    DISMISSED = WarningStatus.DISMISSED.value


# Text the database can store: PostgreSQL refuses NUL bytes.
TEXT = r"^[^\x00]*$"


class ErrorOut(Schema):
    """Every error has this body: a code, a message and, for invalid input, the fields."""

    error: str
    message: str
    fields: dict[str, list[str]] = {}


class PageOut(Schema):
    count: int
    page: int
    page_size: int


class AreaOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None = Field(None, alias="parent_id")


class AreaPage(PageOut):
    items: list[AreaOut]


class HouseholdOut(Schema):
    id: int
    household_number: str
    village: str = Field(..., alias="village_id")
    group_name: str
    address: str
    phone: str
    bank_name: str
    bank_account: str
    identification_standard: str
    attribute: str
    main_cause: str
    other_causes: list[str]
    poverty_status: str
    registered_year: int | None
    lifted_out_year: int | None
    is_active: bool
    updated_at: datetime.datetime

    @staticmethod
    def resolve_phone(obj: Any, context: Any) -> str:
        return masked(obj, "phone", context)

    @staticmethod
    def resolve_bank_account(obj: Any, context: Any) -> str:
        return masked(obj, "bank_account", context)


def _query_field(parameter: FilterParameter) -> Any:
    if parameter.kind == "flag":
        return (bool, False)
    pattern = r"^[0-9]*$" if parameter.kind == "village" else TEXT
    description = "household number, member name or ID number" if parameter.param == "q" else None
    return (str, Field("", max_length=parameter.max_length, pattern=pattern, description=description))


# The household list's filters as query parameters: the page's, declared once (registry.selectors).
HouseholdQuery = create_model(
    "HouseholdQuery",
    __base__=Schema,
    **{parameter.param: _query_field(parameter) for parameter in HOUSEHOLD_FILTERS},
)


class HouseholdPage(PageOut):
    items: list[HouseholdOut]


class HouseholdIn(Schema):
    household_number: str = Field(..., min_length=1, max_length=30, pattern=TEXT)
    village: str = Field(..., min_length=12, max_length=12, pattern=TEXT)
    group_name: str = Field("", max_length=50, pattern=TEXT)
    address: str = Field("", max_length=200, pattern=TEXT)
    phone: str = Field("", max_length=20, pattern=TEXT)
    bank_name: str = Field("", max_length=100, pattern=TEXT)
    bank_account: str = Field("", max_length=40, pattern=TEXT)
    identification_standard: str = Field("", max_length=20, pattern=TEXT)
    attribute: str = Field("", max_length=20, pattern=TEXT)
    main_cause: str = Field("", max_length=20, pattern=TEXT)
    other_causes: list[str] = []
    poverty_status: str = Field("", max_length=20, pattern=TEXT)
    registered_year: int | None = Field(None, ge=2010, le=2100)


class HouseholdPatch(Schema):
    group_name: str | None = Field(None, max_length=50, pattern=TEXT)
    address: str | None = Field(None, max_length=200, pattern=TEXT)
    phone: str | None = Field(None, max_length=20, pattern=TEXT)
    bank_name: str | None = Field(None, max_length=100, pattern=TEXT)
    bank_account: str | None = Field(None, max_length=40, pattern=TEXT)
    identification_standard: str | None = Field(None, max_length=20, pattern=TEXT)
    attribute: str | None = Field(None, max_length=20, pattern=TEXT)
    main_cause: str | None = Field(None, max_length=20, pattern=TEXT)
    other_causes: list[str] | None = None
    poverty_status: str | None = Field(None, max_length=20, pattern=TEXT)
    registered_year: int | None = Field(None, ge=2010, le=2100)


class MemberOut(Schema):
    id: int
    household: int = Field(..., alias="household_id")
    name: str
    id_type: str
    id_number: str
    sex: str
    birth_date: datetime.date | None = Field(
        None, description="In full only with the ID number (reveal=true); otherwise null, see birth_year."
    )
    birth_year: int
    ethnicity: str
    relation_to_head: str
    is_resident: bool
    education: str
    school_status: str
    labour_skill: str
    migrant_work_months: int
    health: list[str] | None
    has_minimum_allowance: bool
    has_extreme_poverty_support: bool
    resident_medical_insurance: bool
    employee_medical_insurance: bool
    phone: str

    @staticmethod
    def resolve_id_number(obj: Any, context: Any) -> str:
        return masked(obj, "id_number", context)

    @staticmethod
    def resolve_birth_date(obj: Any, context: Any) -> datetime.date | None:
        # The masked ID number hides exactly the birth date (registry.display).
        return obj.birth_date if reveals(context) else None

    @staticmethod
    def resolve_birth_year(obj: Any) -> int:
        return obj.birth_date.year

    @staticmethod
    def resolve_phone(obj: Any, context: Any) -> str:
        return masked(obj, "phone", context)

    @staticmethod
    def resolve_health(obj: Any, context: Any) -> list[str] | None:
        return masked(obj, "health", context)


class MemberIn(Schema):
    name: str = Field(..., min_length=1, max_length=50, pattern=TEXT)
    id_type: str = Field("1", max_length=20, pattern=TEXT)
    id_number: str = Field(..., min_length=1, max_length=22, pattern=TEXT)
    sex: str = Field("", max_length=20, pattern=TEXT)
    birth_date: datetime.date | None = None
    ethnicity: str = Field("", max_length=20, pattern=TEXT)
    relation_to_head: str = Field(..., min_length=1, max_length=20, pattern=TEXT)
    is_resident: bool = True
    education: str = Field("", max_length=20, pattern=TEXT)
    school_status: str = Field("", max_length=20, pattern=TEXT)
    labour_skill: str = Field("", max_length=20, pattern=TEXT)
    migrant_work_months: int = Field(0, ge=0, le=12)
    health: list[str] = []
    has_minimum_allowance: bool = False
    has_extreme_poverty_support: bool = False
    resident_medical_insurance: bool = False
    employee_medical_insurance: bool = False
    phone: str = Field("", max_length=20, pattern=TEXT)


class MemberPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=50, pattern=TEXT)
    relation_to_head: str | None = Field(None, min_length=1, max_length=20, pattern=TEXT)
    is_resident: bool | None = None
    education: str | None = Field(None, max_length=20, pattern=TEXT)
    school_status: str | None = Field(None, max_length=20, pattern=TEXT)
    labour_skill: str | None = Field(None, max_length=20, pattern=TEXT)
    migrant_work_months: int | None = Field(None, ge=0, le=12)
    health: list[str] | None = None
    has_minimum_allowance: bool | None = None
    has_extreme_poverty_support: bool | None = None
    resident_medical_insurance: bool | None = None
    employee_medical_insurance: bool | None = None
    phone: str | None = Field(None, max_length=20, pattern=TEXT)


class MemberWritten(Schema):
    member: MemberOut
    warnings: list[str]


class IncomeOut(ModelSchema):
    class Meta:
        model = IncomeRecord
        exclude = ["id", "household", "updated_at"]


def _decimal_schema(digits: int, places: int) -> WithJsonSchema:
    """A non-negative decimal documented as exactly what is accepted: a whole number or
    a string with at most ``places`` decimals (pydantic would document any string)."""
    whole = digits - places
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 10**whole - 1},
                {"type": "string", "pattern": rf"^[0-9]{{1,{whole}}}(\.[0-9]{{1,{places}}})?$"},
            ]
        }
    )


Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), _decimal_schema(14, 2)]
LandArea = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2), _decimal_schema(10, 2)]
Distance = Annotated[Decimal, Field(ge=0, max_digits=6, decimal_places=2), _decimal_schema(6, 2)]
FloorArea = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2), _decimal_schema(8, 2)]
_AMOUNT = Field(Decimal("0"))


class IncomeIn(Schema):
    wage_income: Money = _AMOUNT
    business_income: Money = _AMOUNT
    property_income: Money = _AMOUNT
    family_planning_subsidy: Money = _AMOUNT
    minimum_allowance_income: Money = _AMOUNT
    ecological_compensation: Money = _AMOUNT
    extreme_poverty_support_income: Money = _AMOUNT
    pension_income: Money = _AMOUNT
    other_transfer_income: Money = _AMOUNT
    production_costs: Money = _AMOUNT


class ConditionsOut(ModelSchema):
    class Meta:
        model = LivingConditions
        exclude = ["id", "household", "updated_at"]


class ConditionsPatch(ModelSchema):
    cultivated_land_mu: LandArea | None = None
    irrigated_land_mu: LandArea | None = None
    forest_land_mu: LandArea | None = None
    returned_forest_mu: LandArea | None = None
    orchard_mu: LandArea | None = None
    pasture_mu: LandArea | None = None
    water_surface_mu: LandArea | None = None
    distance_to_main_road_km: Distance | None = None
    housing_area_m2: FloorArea | None = None

    class Meta:
        model = LivingConditions
        exclude = ["id", "household", "updated_at"]
        fields_optional = "__all__"


class QualityIssueOut(Schema):
    household: str
    household_id: int
    member: str | None
    rule: str
    severity: str
    message: str


class QualityIssuePage(PageOut):
    items: list[QualityIssueOut]


class WarningOut(Schema):
    id: int
    household: int = Field(..., alias="household_id")
    household_number: str = Field(..., alias="household.household_number")
    member: int | None = Field(None, alias="member_id")
    rule: str = Field(..., alias="rule_id")
    status: str
    created_at: datetime.datetime
    deadline: datetime.date
    is_overdue: bool


class WarningPage(PageOut):
    items: list[WarningOut]


class CaseOut(Schema):
    id: int
    kind: str
    household: int = Field(..., alias="household_id")
    household_number: str = Field(..., alias="household.household_number")
    state: str
    channel: str
    opened_on: datetime.date
    deadline: datetime.date | None
    closed_on: datetime.date | None
    is_open: bool
    is_overdue: bool


class CasePage(PageOut):
    items: list[CaseOut]


class TransitionIn(Schema):
    action: CaseAction
    comment: str = Field("", max_length=2000, pattern=TEXT)
    data: dict[str, Any] = {}


class MeasureOut(Schema):
    id: int
    household: int = Field(..., alias="household_id")
    measure_type: str
    start_date: datetime.date
    end_date: datetime.date | None
    amount: Decimal
    responsible_unit: str
    status: str


class MeasurePage(PageOut):
    items: list[MeasureOut]


class VisitOut(Schema):
    id: int
    household: int = Field(..., alias="household_id")
    visited_on: datetime.date
    notes: str
    latitude: Decimal | None
    longitude: Decimal | None


class BatchOut(Schema):
    id: int
    dataset_type: str
    period: datetime.date
    source: str
    file_name: str
    uploaded_at: datetime.datetime
    row_count: int
    matched_count: int
    not_in_register_count: int
    invalid_id_count: int


class BatchPage(PageOut):
    items: list[BatchOut]


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, pattern=TEXT)
    user: int | None = Field(None, description="an administrator may create a token for another user")


class TokenOut(Schema):
    id: int
    user: int = Field(..., alias="user_id")
    name: str
    prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class TokenCreated(TokenOut):
    key: str = Field(..., description="shown once; only its fingerprint is stored")


# --- projects, funds and assets --------------------------------------------------------

# Money travels as text: "1234.50" (yuan, at most two decimals), never a JSON number.
YUAN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"


class ProjectOut(Schema):
    id: int
    number: str
    name: str
    year: int
    category: str
    construction_type: str
    area: str = Field(..., alias="area_id")
    state: str
    responsible_unit: str
    planned_start: datetime.date
    planned_end: datetime.date
    benefit_mechanisms: list[str]
    households_planned: int
    people_planned: int
    plan_year: int | None
    completion_percent: int
    notice_starts_on: datetime.date | None
    notice_ends_on: datetime.date | None
    accepted_on: datetime.date | None
    self_evaluation_score: Decimal | None


class ProjectPage(PageOut):
    items: list[ProjectOut]


class ProjectTransitionIn(Schema):
    action: ProjectAction
    comment: str = Field("", max_length=2000, pattern=TEXT)
    # Dates as YYYY-MM-DD; achieved values of targets as {"target id": "value"}.
    data: dict[str, Any] = {}


class BeneficiaryOut(Schema):
    id: int
    project: int = Field(..., alias="project_id")
    household: int = Field(..., alias="household_id")
    benefit_type: str
    expected_amount: Decimal


class FundOut(Schema):
    id: int
    document_number: str
    title: str
    issued_on: datetime.date
    year: int
    level: str
    fund_type: str
    area: str = Field(..., alias="area_id")
    amount: Decimal
    allocated: Decimal
    paid: Decimal


class FundPage(PageOut):
    items: list[FundOut]


class MovementOut(Schema):
    """A row of the fund ledger; the payee's ID number is never given out."""

    id: int
    kind: str
    fund: int = Field(..., alias="fund_id")
    project: int = Field(..., alias="project_id")
    amount: Decimal
    occurred_on: datetime.date
    reason: str
    reverses: int | None = Field(None, alias="reverses_id")
    payee_kind: str
    payee_name: str
    beneficiary: int | None = Field(None, alias="beneficiary_id")


class MovementPage(PageOut):
    items: list[MovementOut]


class AllocationIn(Schema):
    project: int
    amount: str = Field(..., pattern=YUAN)
    occurred_on: datetime.date
    reason: str = Field("", max_length=500, pattern=TEXT)


class AssetOut(Schema):
    id: int
    number: str
    name: str
    asset_type: str
    project: int = Field(..., alias="project_id")
    village: str = Field(..., alias="village_id")
    quantity: Decimal
    unit: str
    value: Decimal
    year_formed: int
    owner_kind: str
    owner_name: str
    operator: str
    custodian: str
    state: str
    income_total: Decimal
    distributed_total: Decimal


class AssetPage(PageOut):
    items: list[AssetOut]


class DistributionOut(Schema):
    id: int
    income: int = Field(..., alias="income_id")
    household: int = Field(..., alias="household_id")
    amount: Decimal
    paid_on: datetime.date


class DistributionIn(Schema):
    income: int
    household: int
    amount: str = Field(..., pattern=YUAN)
    paid_on: datetime.date


# --- oversight -----------------------------------------------------------------------------


class PlanOut(Schema):
    id: int
    name: str
    area: str = Field(..., alias="area_id")
    year: int
    method: str
    villages_wanted: int
    registered_per_village: int
    unregistered_per_village: int
    seed: int
    state: str


class SampledOut(Schema):
    id: int
    household: int = Field(..., alias="household_id")
    village: str = Field(..., alias="village_id")
    stratum: str
    weight: float
    evaluator: int | None = Field(None, alias="evaluator_id")


class QuestionnaireIn(Schema):
    interviewed_on: datetime.date
    resident_members: int = Field(..., ge=1, le=50)
    wage_income: str = Field("0", pattern=YUAN)
    business_income: str = Field("0", pattern=YUAN)
    property_income: str = Field("0", pattern=YUAN)
    transfer_income: str = Field("0", pattern=YUAN)
    production_costs: str = Field("0", pattern=YUAN)
    food_and_clothing: bool = True
    schooling: bool = True
    medical: bool = True
    housing: bool = True
    water: bool = True
    satisfied: bool = True
    verdict: Verdict
    note: str = Field("", max_length=2000, pattern=TEXT)


class QuestionnaireOut(Schema):
    id: int
    sampled: int = Field(..., alias="sampled_id")
    interviewed_on: datetime.date
    per_capita_net_income: Decimal
    satisfied: bool
    verdict: str


class FindingOut(Schema):
    id: int
    source: str
    problem_type: str
    severity: str
    area: str = Field(..., alias="area_id")
    issuing_area: str = Field(..., alias="issuing_area_id")
    household: int | None = Field(None, alias="household_id")
    description: str
    raised_on: datetime.date
    deadline: datetime.date
    state: str
    measures: str
    is_overdue: bool


class FindingPage(PageOut):
    items: list[FindingOut]


class RectificationIn(Schema):
    action: RectificationAction
    comment: str = Field("", max_length=2000, pattern=TEXT)
    measures: str = Field("", max_length=4000, pattern=TEXT)
