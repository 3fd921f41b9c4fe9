"""One register, one set of rules: the same household entered through the form's
services, the REST API and a spreadsheet import ends up identical in the register,
with an equivalent history; what one path refuses, the others refuse with the same
reason."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from jingzhun.api.services import token_create
from jingzhun.imports.services import household_import
from jingzhun.registry import services as register
from jingzhun.registry.models import Household, HouseholdChange, IncomeRecord, LivingConditions, Member
from tests import factories

pytestmark = pytest.mark.django_db

NUMBER = "1501241002010777"
YEAR = 2025
HEAD = factories.id_number(datetime.date(1970, 3, 4), "1")
SPOUSE = factories.id_number(datetime.date(1972, 8, 9), "2")
CHILD = factories.id_number(datetime.date(2016, 5, 6), "1")
WRONG_CHECK_DIGIT = HEAD[:-1] + ("0" if HEAD[-1] != "0" else "1")

HOUSEHOLD = {
    "group_name": "3组",
    "address": "榆树营村12号",
    "phone": "13912345678",
    "attribute": "05",
    "main_cause": "01",
    "poverty_status": "2",
    "registered_year": 2015,
}
MEMBERS = [
    {"id_number": HEAD, "name": "王大山", "relation_to_head": "01", "labour_skill": "2", "education": "3"},
    {"id_number": SPOUSE, "name": "李秀英", "relation_to_head": "02", "labour_skill": "2", "education": "2"},
    {
        "id_number": CHILD,
        "name": "王小宝",
        "relation_to_head": "03",
        "labour_skill": "5",
        "school_status": "14",
    },
]
MEMBER_DEFAULTS = {"ethnicity": "01", "health": ["1"], "resident_medical_insurance": True}
CONDITIONS = {"house_grade": "B", "cultivated_land_mu": Decimal("12.50"), "housing_area_m2": Decimal("86.00")}
INCOME = {
    "wage_income": Decimal("20000.00"),
    "business_income": Decimal("5000.00"),
    "pension_income": Decimal("1200.00"),
    "production_costs": Decimal("1000.00"),
}

SHEET_HEADERS = {
    "village": "行政村代码",
    "household_number": "户编号",
    "group_name": "村民小组",
    "address": "家庭住址",
    "phone": "联系电话",
    "attribute": "贫困户属性",
    "main_cause": "主要致贫原因",
    "poverty_status": "脱贫标志",
    "registered_year": "识别年度",
    "name": "姓名",
    "id_number": "证件号码",
    "birth_date": "出生日期",
    "relation_to_head": "与户主关系",
    "ethnicity": "民族",
    "education": "文化程度",
    "school_status": "在校生状况",
    "labour_skill": "劳动技能",
    "health": "健康状况",
    "resident_medical_insurance": "是否参加城乡居民基本医疗保险",
    "year": "收入年度",
    "wage_income": "工资性收入",
    "business_income": "生产经营性收入",
    "pension_income": "养老金",
    "production_costs": "生产经营性支出",
    "house_grade": "危房等级",
    "cultivated_land_mu": "耕地面积(亩)",
    "housing_area_m2": "住房面积(平方米)",
}


# --- the three paths ------------------------------------------------------------------


def _by_services(user, village, members) -> Household:
    household = register.household_create(user=user, village=village, household_number=NUMBER, **HOUSEHOLD)
    for member in members:
        register.member_create(user=user, household=household, **MEMBER_DEFAULTS, **member)
    register.living_conditions_save(user=user, household=household, **CONDITIONS)
    register.income_record_save(user=user, household=household, year=YEAR, **INCOME)
    return household


def _by_api(client, token) -> Callable[[Any, Any, list[dict[str, Any]]], Household]:
    def send(method: str, url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = getattr(client, method)(
            f"/api/v1/households/{url}",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code >= 400:
            raise ValidationError(response.json()["fields"])
        return response.json()

    def enter(user, village, members) -> Household:
        created = send("post", "", {"household_number": NUMBER, "village": village.code, **HOUSEHOLD})
        for member in members:
            send("post", f"{created['id']}/members", {**MEMBER_DEFAULTS, **member})
        send("patch", f"{created['id']}/conditions", {key: str(value) for key, value in CONDITIONS.items()})
        send("put", f"{created['id']}/incomes/{YEAR}", {key: str(value) for key, value in INCOME.items()})
        return Household.objects.get(pk=created["id"])

    return enter


def _by_import(user, village, members) -> Household:
    columns = list(SHEET_HEADERS)
    rows = []
    for member in members:
        values = {
            **HOUSEHOLD,
            **MEMBER_DEFAULTS,
            **CONDITIONS,
            **INCOME,
            **member,
            "village": village.code,
            "household_number": NUMBER,
            "year": YEAR,
        }
        cells = []
        for name in columns:
            value = values.get(name, "")
            if isinstance(value, list):
                value = ",".join(value)
            elif isinstance(value, bool):
                value = "是" if value else "否"
            cells.append(str(value))
        rows.append(",".join(cells))
    sheet = "\n".join([",".join(SHEET_HEADERS[name] for name in columns), *rows]) + "\n"
    report = household_import(user=user, file_name="户.csv", data=sheet.encode())
    if report.errors:
        raise ValidationError({"sheet": [problem.reason for problem in report.errors]})
    return Household.objects.get(household_number=NUMBER)


@pytest.fixture
def paths(client, cadre):
    token = token_create(actor=cadre, owner=cadre, name="app")[1]
    return {"services": _by_services, "api": _by_api(client, token), "import": _by_import}


# --- what the register holds afterwards -----------------------------------------------

_BOOKKEEPING = {"id", "household", "created_at", "updated_at"}


def _fields(record: Any) -> dict[str, Any]:
    return {
        field.attname: getattr(record, field.attname)
        for field in record._meta.concrete_fields
        if field.name not in _BOOKKEEPING
    }


def _register(household: Household, user: Any) -> dict[str, Any]:
    members = {member.id_number: member for member in Member.objects.filter(household=household)}
    return {
        "household": _fields(household),
        "members": {number: _fields(member) for number, member in sorted(members.items())},
        "conditions": _fields(LivingConditions.objects.get(household=household)),
        "incomes": [_fields(income) for income in IncomeRecord.objects.filter(household=household)],
        # The history: which records were created and changed, by whom.
        "created": sorted(
            (change.record_type, _identity(change, members))
            for change in HouseholdChange.objects.filter(household=household, action="create")
        ),
        "by_someone_else": HouseholdChange.objects.filter(household=household).exclude(actor=user).count(),
    }


def _identity(change: HouseholdChange, members: dict[str, Member]) -> str:
    if change.record_type == "member":
        return next(number for number, member in members.items() if member.pk == change.record_id)
    if change.record_type == "incomerecord":
        return str(IncomeRecord.objects.get(pk=change.record_id).year)
    return change.record_type


def _entered(path, user, village, members) -> dict[str, Any]:
    with transaction.atomic():
        household = path(user, village, members)
        held = _register(household, user)
        transaction.set_rollback(True)  # the next path enters the same people
    return held


def _refusal(path, user, village, members) -> list[str]:
    # In the users' language, as the API answers by default.
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused, transaction.atomic():
        path(user, village, members)
    return sorted(reason for reasons in refused.value.message_dict.values() for reason in reasons)


def test_the_three_paths_leave_the_same_register_and_history(paths, cadre, village):
    held = {name: _entered(path, cadre, village, MEMBERS) for name, path in paths.items()}
    assert held["services"]["members"][HEAD]["birth_date"] == datetime.date(1970, 3, 4)
    assert held["services"]["incomes"][0]["per_capita_net_income"] == Decimal("8400.00")
    assert (
        len(held["services"]["created"]) == 1 + len(MEMBERS) + 2
    )  # every record's creation is in the history
    for name in ("api", "import"):
        assert held[name] == held["services"], name


@pytest.mark.parametrize(
    ("case", "members"),
    [
        ("a second head", [MEMBERS[0], {**MEMBERS[1], "relation_to_head": "01"}]),
        ("a wrong check digit", [{**MEMBERS[0], "id_number": WRONG_CHECK_DIGIT}]),
        ("a birth date the number contradicts", [{**MEMBERS[0], "birth_date": datetime.date(1971, 3, 4)}]),
    ],
)
def test_what_one_path_refuses_every_path_refuses_with_the_same_reason(paths, cadre, village, case, members):
    reasons = {name: _refusal(path, cadre, village, members) for name, path in paths.items()}
    assert reasons["services"], case
    assert reasons["api"] == reasons["services"], case
    assert reasons["import"] == reasons["services"], case
