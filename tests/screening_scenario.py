"""A village where each screening rule fires for exactly one household, next to
near misses that must not fire. Used by the service and the engine tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

from jingzhun.departments.choices import MatchStatus
from jingzhun.departments.models import DepartmentBatch, DepartmentRecord
from jingzhun.registry.models import IncomeRecord, LivingConditions
from tests import factories

AS_OF = datetime.date(2026, 6, 30)
INCOME_YEAR = 2025
D = Decimal

_batches: dict[str, DepartmentBatch] = {}


def record(dataset: str, household, member=None, **fields):
    batch = _batch(dataset)
    return DepartmentRecord.objects.create(
        batch=batch,
        dataset_type=dataset,
        row_number=2,
        id_number=member.id_number if member else "",
        member=member,
        household=household,
        village_code=household.village_id if household else "",
        match_status=MatchStatus.MATCHED,
        event_date=fields.pop("event_date", AS_OF - datetime.timedelta(days=30)),
        **fields,
    )


def _batch(dataset: str) -> DepartmentBatch:
    batch = DepartmentBatch.objects.filter(dataset_type=dataset, file_sha256=f"scenario-{dataset}").first()
    return batch or DepartmentBatch.objects.create(
        dataset_type=dataset,
        period=AS_OF.replace(day=1),
        file_name=f"{dataset}.csv",
        file_sha256=f"scenario-{dataset}",
    )


def income(household, *, current: str, previous: str = "12000", net: str = "30000"):
    IncomeRecord.objects.create(
        household=household,
        year=INCOME_YEAR,
        net_income=D(net),
        per_capita_net_income=D(current),
        resident_members=2,
    )
    IncomeRecord.objects.create(
        household=household,
        year=INCOME_YEAR - 1,
        net_income=D(net),
        per_capita_net_income=D(previous),
        resident_members=2,
    )


def family(village, name: str, attribute: str = "09", **head):
    household = factories.household(village, number=f"S-{name}", attribute=attribute)
    head.setdefault("labour_skill", "2")
    member = factories.member(household, relation="01", name=name, age=45, today=AS_OF, **head)
    income(household, current="12000")
    return household, member


def build(village) -> dict[str, set[tuple[str, int]]]:
    """Create the scenario; returns the expected findings as {rule: {(household number, member?)}}."""
    expected: dict[str, set] = {}

    def expect(rule, household, member=None):
        expected.setdefault(rule, set()).add((household.household_number, member.pk if member else 0))

    # A household that triggers nothing.
    family(village, "clean")

    h, _ = family(village, "low-income")
    IncomeRecord.objects.filter(household=h, year=INCOME_YEAR).update(per_capita_net_income=D("6210.00"))
    IncomeRecord.objects.filter(household=h, year=INCOME_YEAR - 1).update(per_capita_net_income=D("7000.00"))
    expect("INCOME_BELOW_LINE", h)
    # The boundary (registry.conditions.INCOME_AT_OR_BELOW_LINE): on the line warns, a cent above does not.
    h, _ = family(village, "on-the-line")
    IncomeRecord.objects.filter(household=h, year=INCOME_YEAR).update(per_capita_net_income=D("7500.00"))
    IncomeRecord.objects.filter(household=h, year=INCOME_YEAR - 1).update(per_capita_net_income=D("7600.00"))
    expect("INCOME_BELOW_LINE", h)
    h, _ = family(village, "just-above-line")
    IncomeRecord.objects.filter(household=h, year=INCOME_YEAR).update(per_capita_net_income=D("7500.01"))
    IncomeRecord.objects.filter(household=h, year=INCOME_YEAR - 1).update(per_capita_net_income=D("7600.00"))

    h, _ = family(village, "income-fall")
    IncomeRecord.objects.filter(household=h, year=INCOME_YEAR).update(per_capita_net_income=D("8399.99"))
    expect("INCOME_FALL", h)  # 12000 → 8399.99 is a fall of more than 30 %
    h, _ = family(village, "fall-exactly-30")
    IncomeRecord.objects.filter(household=h, year=INCOME_YEAR).update(per_capita_net_income=D("8400.00"))

    h, m = family(village, "hospital-lifted-out", attribute="05")
    record("medical", h, m, kind="inpatient", amount_total=D("20000"), amount_out_of_pocket=D("5000.00"))
    expect("HOSPITAL_OUT_OF_POCKET", h)
    h, m = family(village, "hospital-ordinary-below")
    record("medical", h, m, kind="inpatient", amount_total=D("40000"), amount_out_of_pocket=D("19999.99"))

    h, m = family(village, "rigid")
    IncomeRecord.objects.filter(household=h, year=INCOME_YEAR).update(net_income=D("3000.00"))
    record("medical", h, m, kind="outpatient", amount_out_of_pocket=D("200.00"))
    record("education", h, m, kind="enrolled", amount_out_of_pocket=D("2900.00"))
    expect("RIGID_EXPENDITURE", h)

    h, m = family(village, "outpatient")
    record(
        "medical",
        h,
        m,
        kind="outpatient",
        amount_out_of_pocket=D("300.00"),
        event_date=datetime.date(2026, 3, 3),
    )
    record(
        "medical",
        h,
        m,
        kind="outpatient",
        amount_out_of_pocket=D("200.00"),
        event_date=datetime.date(2026, 3, 20),
    )
    expect("OUTPATIENT_MONTHLY", h)
    h, m = family(village, "outpatient-two-months")
    record(
        "medical",
        h,
        m,
        kind="outpatient",
        amount_out_of_pocket=D("300.00"),
        event_date=datetime.date(2026, 3, 3),
    )
    record(
        "medical",
        h,
        m,
        kind="outpatient",
        amount_out_of_pocket=D("300.00"),
        event_date=datetime.date(2026, 4, 3),
    )

    h, m = family(village, "schooling")
    record("education", h, m, kind="enrolled", amount_out_of_pocket=D("10000.01"))
    expect("SCHOOLING_COST", h)
    IncomeRecord.objects.filter(household=h, year=INCOME_YEAR).update(net_income=D("50000.00"))

    h, _ = family(village, "child-out-of-school")
    child = factories.member(h, relation="03", age=12, today=AS_OF, school_status="00", labour_skill="5")
    expect("CHILD_NOT_ENROLLED", h, child)
    h, _ = family(village, "child-reported")
    pupil = factories.member(
        h, relation="04", sex="2", age=9, today=AS_OF, school_status="14", labour_skill="5"
    )
    record("education", h, pupil, kind="not_enrolled")
    expect("CHILD_NOT_ENROLLED", h, pupil)
    h, _ = family(village, "child-with-reason")
    factories.member(
        h,
        relation="03",
        age=12,
        today=AS_OF,
        school_status="00",
        labour_skill="5",
        dropout_reason="重度残疾，送教上门",
    )

    h, m = family(village, "uninsured", resident_medical_insurance=False)
    expect("NO_MEDICAL_INSURANCE", h, m)

    h, _ = family(village, "house-d")
    LivingConditions.objects.filter(household=h).update(house_grade="D")
    expect("HOUSING_UNSAFE", h)
    h, _ = family(village, "house-appraised-c")
    LivingConditions.objects.filter(household=h).update(house_grade="B")
    record("housing", h, kind="appraisal", grade="C")
    expect("HOUSING_UNSAFE", h)

    h, _ = family(village, "water")
    LivingConditions.objects.filter(household=h).update(water_reliability_ok=False)
    expect("UNSAFE_WATER", h)

    h, m = family(village, "disabled", health=["4"], labour_skill="4", has_minimum_allowance=True)
    expect("DISABLED_WITHOUT_SUBSIDY", h, m)
    h, m = family(village, "disabled-subsidised", health=["4"], labour_skill="4", has_minimum_allowance=True)
    record(
        "disability",
        h,
        m,
        kind="living",
        category="4",
        grade="2",
        amount=D("100"),
        event_date=datetime.date(2020, 5, 1),
    )

    h, _ = family(village, "no-labour", labour_skill="5")
    expect("NO_LABOUR_NO_ASSISTANCE", h)
    h, m = family(village, "no-labour-covered", labour_skill="5")
    record(
        "civil_affairs", h, m, kind="minimum_allowance", amount=D("500"), event_date=datetime.date(2022, 1, 1)
    )

    h, m = family(village, "earner-died")
    record("public_security", h, m, kind="death")
    expect("MAIN_EARNER_LOSS", h, m)

    h, _ = family(village, "disaster")
    record("disaster", h, kind="hail", amount=D("1200.00"))
    expect("DISASTER_LOSS", h)
    h, _ = family(village, "old-disaster")
    record("disaster", h, kind="flood", amount=D("9000.00"), event_date=datetime.date(2024, 7, 1))

    h, m = family(village, "returned")
    record("human_resources", h, m, kind="migrant_end", event_date=datetime.date(2026, 2, 1))
    record("human_resources", h, m, kind="unemployed", event_date=datetime.date(2026, 3, 1))
    expect("RETURNED_UNEMPLOYED", h, m)
    h, m = family(village, "returned-left-again")
    record("human_resources", h, m, kind="migrant_end", event_date=datetime.date(2026, 2, 1))
    record("human_resources", h, m, kind="unemployed", event_date=datetime.date(2026, 3, 1))
    record("human_resources", h, m, kind="migrant_start", event_date=datetime.date(2026, 4, 1))
    return expected
