"""A reproducible synthetic county for demonstrations, tests and benchmarks.

Everything is drawn from one ``random.Random(seed)`` relative to a reference
date, so the same seed and date give the same county. Rows are built in memory
and written with bulk inserts: 20,000 households take seconds, not minutes.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from stdnum.cn import ric

from jingzhun.accounts.choices import Department, Role
from jingzhun.accounts.models import User
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.assistance.models import Measure, Pairing, Visit, VisitPhoto
from jingzhun.cases.models import Case, Declaration
from jingzhun.core.bulk import any_of, bulk_insert, update_rows
from jingzhun.dashboards.models import HouseholdFact
from jingzhun.demo import names
from jingzhun.demo.departments import generate_department_data
from jingzhun.departments.models import DepartmentBatch, DepartmentRecord
from jingzhun.monitoring.models import RiskWarning, ScreeningRun, WarningEvent
from jingzhun.registry.choices import HEAD_RELATION, SPOUSE_RELATION
from jingzhun.registry.income import AMOUNT_FIELDS, TRANSFER_FIELDS, income_record_values
from jingzhun.registry.models import (
    Household,
    IncomeRecord,
    LivingConditions,
    Member,
    MonitoringObject,
    StatusChange,
)
from jingzhun.registry.rules import MemberBatch, check_members
from jingzhun.registry.writes import HouseholdEntry, RegisterWriter

DEMO_PASSWORD = "Jingzhun2026"
BATCH = 5000
DEMO_SOURCE = "演示县（生成）"


def _editable(model: type[Any], *, skip: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The fields a writer sets for a new record: not its key, its timestamps or derived
    columns (Django marks timestamps not editable, as the derived columns are)."""
    return [
        field.attname
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in skip
    ]


def _amounts(record: IncomeRecord) -> dict[str, Any]:
    return {"year": record.year, **{name: getattr(record, name) for name in AMOUNT_FIELDS}}


class _GeneratorBug:
    """The sink of the register's rules for generated members: a refusal is a bug here."""

    def fail_at(self, index: int, key: str, value: object, reason: str) -> None:
        raise AssertionError(f"generated member {index} breaks a register rule: {key} {value!r}: {reason}")

    def warn_at(self, index: int, key: str, value: object, reason: str) -> None:
        pass  # e.g. a historical county code for an older person: accepted, as on entry

    def fail_household(self, number: str, key: str, value: object, reason: str) -> None:
        raise AssertionError(f"generated household {number} breaks a register rule: {key}: {reason}")


TWO = Decimal("0.01")


@dataclass
class DemoReport:
    townships: int = 0
    villages: int = 0
    households: int = 0
    members: int = 0
    monitoring_objects: int = 0
    department_records: int = 0
    users: list[tuple[str, str, str, str]] = field(default_factory=list)  # username, password, role, area


def _money(value: float) -> Decimal:
    return Decimal(str(max(0.0, value))).quantize(TWO)


class CountyGenerator:
    def __init__(
        self,
        *,
        county: Area,
        households: int,
        seed: int,
        reference: datetime.date,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.county = county
        self.household_count = households
        self.random = random.Random(seed)
        self.reference = reference
        self.progress = progress or (lambda _n: None)
        self.serials: dict[str, int] = {}

    # --- people ---------------------------------------------------------------

    def _birth_date(self, age: int) -> datetime.date:
        start = datetime.date(self.reference.year - age - 1, self.reference.month, 1)
        return start + datetime.timedelta(days=self.random.randrange(1, 365))

    def _id_number(self, birth: datetime.date, sex: str, *, area_code: str | None = None) -> str:
        # Numbers issued before 1995 carry 清水河县's earlier code 152623 (乌兰察布盟).
        place = area_code or (self.county.code[:6] if birth.year >= 1995 else "152623")
        key = place + birth.strftime("%Y%m%d")
        serial = self.serials.get(key, self.random.randrange(0, 40)) + 1
        self.serials[key] = serial
        sequence = serial * 2 + (1 if sex == "1" else 0)
        seventeen = f"{key}{sequence:03d}"
        return seventeen + ric.calc_check_digit(seventeen + "0")

    def _name(self, sex: str, surname: str | None = None) -> str:
        pool = names.GIVEN_MALE if sex == "1" else names.GIVEN_FEMALE
        given = self.random.choice(pool) + (self.random.choice(pool) if self.random.random() < 0.7 else "")
        return (surname or self.random.choice(names.SURNAMES)) + given

    def _member(
        self, household: Household, *, relation: str, age: int, sex: str, surname: str | None
    ) -> Member:
        rnd = self.random
        birth = self._birth_date(age)
        health = ["1"]
        roll = rnd.random()
        if roll < 0.10 + age / 400:
            health = ["2"]
        elif roll < 0.13 + age / 300:
            health = ["3"]
        elif roll < 0.17 + age / 300:
            health = ["4"]
        member = Member(
            household=household,
            id_type="1",
            id_number=self._id_number(birth, sex),
            name=self._name(sex, surname),
            sex=sex,
            birth_date=birth,
            ethnicity="01" if rnd.random() < 0.85 else "02",
            relation_to_head=relation,
            health=health,
            political_status="3" if rnd.random() < 0.93 else "1",
            resident_medical_insurance=True,
            speaks_mandarin=rnd.random() < 0.97,
        )
        if "4" in health:
            member.disability_category = rnd.choice("1234567")
            member.disability_grade = rnd.choice("1234")
            member.disability_certificate_year = rnd.randint(2010, self.reference.year - 1)
        if rnd.random() < 0.02 and age >= 18:
            member.resident_medical_insurance, member.employee_medical_insurance = False, True
        member.serious_illness_insurance = member.resident_medical_insurance
        member.resident_pension_insurance = age >= 16 and rnd.random() < 0.9
        self._schooling(member, age)
        self._labour(member, age)
        return member

    def _schooling(self, member: Member, age: int) -> None:
        if age < 3:
            member.education, member.school_status = "7", ""
        elif age < 6:
            member.education, member.school_status = "7", "01"
        elif age <= 11:
            member.education, member.school_status = "2", f"1{min(age - 5, 6)}"
        elif age <= 14:
            member.education, member.school_status = "2", f"2{age - 11}"
        elif age <= 17:
            member.education, member.school_status = (
                "3",
                f"3{age - 14}" if self.random.random() < 0.7 else "00",
            )
            if member.school_status == "00":
                member.dropout_reason = "已完成义务教育"
        elif age <= 21 and self.random.random() < 0.3:
            member.education, member.school_status = "4", self.random.choice(["51", "61"])
        else:
            member.education = self.random.choices("123456", weights=[15, 35, 35, 8, 4, 3])[0]
            member.school_status = "00"

    def _labour(self, member: Member, age: int) -> None:
        rnd = self.random
        if age < 16 or member.school_status not in ("", "00"):
            member.labour_skill = "5"
            return
        if age >= 60:
            member.labour_skill = rnd.choice("345")
            return
        if member.health != ["1"]:
            member.labour_skill = rnd.choice("34") if "3" in member.health or "4" in member.health else "2"
        else:
            member.labour_skill = "1" if rnd.random() < 0.15 else "2"
        if member.labour_skill in "12" and rnd.random() < 0.45:
            member.migrant_work_months = rnd.randint(3, 11)
            member.migrant_work_place = rnd.choice("12345"[:4])
            member.migrant_monthly_income = _money(rnd.gauss(3500, 900))
            member.employer = rnd.choice(["呼和浩特建筑公司", "鄂尔多斯煤矿", "包头钢铁配套厂", "县城服务业"])
        elif member.labour_skill in "12" and rnd.random() < 0.08:
            member.public_welfare_job = rnd.choice("1234")
            member.public_welfare_job_months = 12

    def _family(self, household: Household) -> list[Member]:
        rnd = self.random
        head_sex = "1" if rnd.random() < 0.82 else "2"
        head_age = int(min(88, max(24, rnd.gauss(56, 13))))
        surname = rnd.choice(names.SURNAMES)
        head = self._member(household, relation=HEAD_RELATION, age=head_age, sex=head_sex, surname=surname)
        members = [head]
        if rnd.random() < 0.78:
            spouse_sex = "2" if head_sex == "1" else "1"
            members.append(
                self._member(
                    household,
                    relation=SPOUSE_RELATION,
                    age=max(20, head_age + rnd.randint(-5, 3)),
                    sex=spouse_sex,
                    surname=None,
                )
            )
        children = rnd.choices([0, 1, 2, 3], weights=[25, 35, 30, 10])[0] if head_age < 70 else 0
        for _ in range(children):
            child_age = max(0, head_age - rnd.randint(22, 36))
            sex = rnd.choice("12")
            members.append(
                self._member(
                    household,
                    relation="03" if sex == "1" else "04",
                    age=child_age,
                    sex=sex,
                    surname=surname,
                )
            )
        if head_age < 55 and rnd.random() < 0.2:
            members.append(
                self._member(
                    household,
                    relation=rnd.choice(["11", "12"]),
                    age=head_age + rnd.randint(22, 32),
                    sex=rnd.choice("12"),
                    surname=surname,
                )
            )
        return members

    # --- households -----------------------------------------------------------

    def _income(self, household: Household, year: int, residents: int, level: float) -> IncomeRecord:
        rnd = self.random
        net_total = level * residents * rnd.uniform(0.9, 1.1)
        wage = net_total * rnd.uniform(0.3, 0.7)
        business = net_total * rnd.uniform(0.1, 0.4)
        costs = business * rnd.uniform(0.2, 0.5)
        transfers = {name: Decimal("0") for name in TRANSFER_FIELDS}
        rest = max(0.0, net_total - wage - business + costs)
        transfers["pension_income"] = _money(rest * 0.5)
        transfers["ecological_compensation"] = _money(rest * 0.2)
        transfers["minimum_allowance_income"] = _money(rest * 0.3)
        amounts = {
            "wage_income": _money(wage),
            "business_income": _money(business),
            "property_income": _money(rnd.uniform(0, 300)),
            "production_costs": _money(costs),
            **transfers,
        }
        return IncomeRecord(household=household, year=year, **income_record_values(amounts, residents))

    def _conditions(self, household: Household) -> LivingConditions:
        rnd = self.random
        grade = rnd.choices("ABCD", weights=[55, 41, 3, 1])[0]
        unsafe_water = rnd.random() < 0.02
        cultivated = _money(rnd.uniform(2, 40))
        return LivingConditions(
            household=household,
            cultivated_land_mu=cultivated,
            irrigated_land_mu=_money(float(cultivated) * rnd.uniform(0, 0.5)),
            forest_land_mu=_money(rnd.uniform(0, 20) if rnd.random() < 0.3 else 0),
            returned_forest_mu=_money(rnd.uniform(0, 15) if rnd.random() < 0.25 else 0),
            pasture_mu=_money(rnd.uniform(0, 50) if rnd.random() < 0.2 else 0),
            water_source=rnd.choice("1112"),
            water_quality_ok=not unsafe_water,
            water_reliability_ok=not (unsafe_water and rnd.random() < 0.5),
            distance_to_main_road_km=_money(rnd.uniform(0.1, 8)),
            road_type=rnd.choice("1233"),
            housing_area_m2=_money(rnd.uniform(40, 130)),
            housing_structure=rnd.choice("1223344"),
            housing_year_built=rnd.randint(1975, self.reference.year - 1),
            house_grade=grade,
            toilet_type=rnd.choice("1112"),
            fuel_type=rnd.choice("13334"),
            in_cooperative=rnd.random() < 0.3,
        )

    def build_areas(self) -> list[Area]:
        townships, villages = [], []
        prefix = self.county.code[:6]
        for suffix, name in names.TOWNSHIPS:
            township = Area(
                code=f"{prefix}{suffix}000", name=name, level=AreaLevel.TOWNSHIP, parent=self.county
            )
            townships.append(township)
            used: set[str] = set()
            for index in range(self.random.randint(8, 14)):
                while True:
                    village_name = self.random.choice(names.VILLAGE_STEMS) + self.random.choice(
                        names.VILLAGE_SUFFIXES
                    )
                    if village_name not in used:
                        used.add(village_name)
                        break
                villages.append(
                    Area(
                        code=f"{prefix}{suffix}{200 + index:03d}",
                        name=village_name,
                        level=AreaLevel.VILLAGE,
                        parent=township,
                    )
                )
        Area.objects.bulk_create(
            townships + villages,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent"],
        )
        return villages

    def generate(self) -> DemoReport:
        report = DemoReport()
        villages = self.build_areas()
        report.townships, report.villages = len(names.TOWNSHIPS), len(villages)
        rnd = self.random
        line = 7500.0
        year = self.reference.year - 1
        sequence: dict[str, int] = {}
        households: list[Household] = []
        for _ in range(self.household_count):
            village = rnd.choice(villages)
            sequence[village.code] = sequence.get(village.code, 0) + 1
            registered = rnd.random() < 0.35
            attribute = (
                rnd.choices(["05", "06", "07", "08"], weights=[70, 20, 3, 7])[0] if registered else "09"
            )
            households.append(
                Household(
                    household_number=f"{village.code}{sequence[village.code]:04d}",
                    village=village,
                    group_name=f"{rnd.randint(1, 6)}组",
                    address=f"{village.name}{rnd.randint(1, 200)}号",
                    phone=f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}",
                    bank_name="清水河县农村信用合作联社" if registered else "",
                    bank_account=f"6221{rnd.randrange(10**15):015d}" if registered else "",
                    identification_standard="1" if registered else "",
                    attribute=attribute,
                    main_cause=rnd.choices(
                        ["01", "02", "03", "04", "07", "08", "09", "10", "12"],
                        weights=[30, 12, 8, 6, 4, 15, 12, 8, 5],
                    )[0]
                    if registered
                    else "",
                    poverty_status=("2" if rnd.random() < 0.9 else "4") if registered else "",
                    registered_year=rnd.randint(2014, 2016) if registered else None,
                    lifted_out_year=rnd.randint(2016, 2020) if registered else None,
                )
            )
        with transaction.atomic():
            members: list[Member] = []
            families: list[list[Member]] = []
            incomes: list[tuple[IncomeRecord, IncomeRecord]] = []
            conditions: list[LivingConditions] = []
            episodes: list[MonitoringObject] = []
            measures: list[Measure] = []
            for index, household in enumerate(households):
                family = self._family(household)
                self._social_assistance(household, family)
                members.extend(family)
                families.append(family)
                residents = sum(1 for m in family if m.is_resident)
                # Income level per person: most households well above the line, some near or below it.
                level = rnd.lognormvariate(9.45, 0.38)
                if rnd.random() < 0.03:
                    level = rnd.uniform(4200, 7600)
                earlier = self._income(household, year - 1, residents, level * rnd.uniform(0.85, 1.05))
                incomes.append((self._income(household, year, residents, level), earlier))
                conditions.append(self._conditions(household))
                if level < line * 1.1 and rnd.random() < 0.6:
                    episode, given = self._episode(household, level)
                    episodes.append(episode)
                    measures.extend(given)
                if index % 1000 == 999:
                    self.progress(1000)
            self._register(households, families, incomes, conditions)
            for episode in episodes:  # the households have their keys now
                episode.household = episode.household
            for measure in measures:
                measure.household = measure.household
            self._deliberate_problems(members, conditions)
            bulk_insert(MonitoringObject, episodes)
            bulk_insert(Measure, measures)
            report.department_records = generate_department_data(
                rnd=rnd,
                households=households,
                members=members,
                conditions=conditions,
                reference=self.reference,
            )
            report.users = self._users(villages)
        self.progress(self.household_count % 1000)
        report.households, report.members, report.monitoring_objects = (
            len(households),
            len(members),
            len(episodes),
        )
        return report

    def _social_assistance(self, household: Household, family: list[Member]) -> None:
        """Minimum allowance for most households without labour and for 低保 households;
        extreme-poverty support for 特困 households."""
        rnd = self.random
        head = family[0]
        without_labour = all(member.labour_skill not in ("1", "2") for member in family)
        if household.attribute in ("02", "06") or (without_labour and rnd.random() < 0.85):
            for member in family:
                member.has_minimum_allowance = True
        if household.attribute in ("04", "08"):
            head.has_extreme_poverty_support = True

    def _episode(self, household: Household, level: float) -> tuple[MonitoringObject, list[Measure]]:
        rnd = self.random
        identified = self.reference - datetime.timedelta(days=rnd.randint(20, 900))
        risks = sorted(rnd.sample(["01", "02", "03", "07", "08", "09"], rnd.randint(1, 2)))
        eliminated = rnd.random() < 0.4 and (self.reference - identified).days > 200
        episode = MonitoringObject(
            household=household,
            household_type="1" if household.attribute != "09" else "2",
            category=rnd.choice("123"),
            identified_on=identified,
            risk_types=risks,
            per_capita_net_income=_money(level),
            eligible_out_of_pocket=_money(rnd.uniform(0, 20000)),
            risk_eliminated=eliminated,
            eliminated_on=identified + datetime.timedelta(days=rnd.randint(190, 400)) if eliminated else None,
            elimination_mode=rnd.choice("12") if eliminated else "",
            collected_by="村委会",
        )
        answers = {"01": "07", "02": "14", "03": "08", "07": "04", "08": "12", "09": "10"}
        given = [
            Measure(
                household=household,
                measure_type=answers[risk],
                start_date=identified + datetime.timedelta(days=rnd.randint(3, 20)),
                amount=_money(rnd.uniform(500, 5000)),
                responsible_unit="县乡村振兴局",
            )
            for risk in risks
            if rnd.random() < 0.9
        ]
        if rnd.random() < 0.7:
            given.append(
                Measure(
                    household=household,
                    measure_type=rnd.choice(["01", "02", "04", "05"]),
                    start_date=identified + datetime.timedelta(days=rnd.randint(3, 30)),
                    amount=_money(rnd.uniform(1000, 8000)),
                    responsible_unit="乡镇人民政府",
                )
            )
        return episode, given

    def _register(
        self,
        households: list[Household],
        families: list[list[Member]],
        incomes: list[tuple[IncomeRecord, IncomeRecord]],
        conditions: list[LivingConditions],
    ) -> None:
        """Write the county as any batch enters the register: checked by the register's
        member rules, written by its writer (history included), the income figures
        computed by the one income function. Sets the records' keys."""
        member_fields = _editable(Member, skip={"household"})
        columns: dict[str, list[Any]] = {name: [] for name in member_fields}
        entries = []
        for household, family, (current, earlier), living in zip(
            households, families, incomes, conditions, strict=True
        ):
            start = len(columns["name"])
            for member in family:
                for name in member_fields:
                    columns[name].append(getattr(member, name))
            entries.append(
                HouseholdEntry(
                    number=household.household_number,
                    rows=list(range(start, start + len(family))),
                    values={name: getattr(household, name) for name in _editable(Household)},
                    conditions={name: getattr(living, name) for name in _editable(LivingConditions)},
                    income=_amounts(current),
                    earlier_incomes=[_amounts(earlier)],
                    residents=sum(1 for m in family if m.is_resident),
                )
            )
        problems = _GeneratorBug()
        check_members(
            MemberBatch(
                members=columns,
                raw_id_numbers=list(columns["id_number"]),
                numbers=[entry.number for entry in entries for _row in entry.rows],
                households={entry.number: entry.rows for entry in entries},
            ),
            problems,
        )
        ids = RegisterWriter(user=None, source=DEMO_SOURCE).write(entries, columns)
        member_keys = iter(
            Member.objects.filter(household_id__in=any_of(ids, kind="bigint"))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        condition_keys = dict(
            LivingConditions.objects.filter(household_id__in=any_of(ids, kind="bigint")).values_list(
                "household_id", "pk"
            )
        )
        for household, family, living, pk in zip(households, families, conditions, ids, strict=True):
            household.pk = pk
            # Assigned again, not by key: setting the key would drop the cached household.
            for member in family:
                member.pk, member.household = next(member_keys), household
            living.pk, living.household = condition_keys[pk], household

    def _deliberate_problems(self, members: list[Member], conditions: list[LivingConditions]) -> None:
        """A handful of the errors real registers contain, so the quality checks have work:
        records as older registers hold them, written past the register's rules on purpose
        (the register's services would refuse them)."""
        rnd = self.random
        count = max(1, len(members) // 2500)
        changed: dict[int, Member] = {}
        for member in rnd.sample(members, count):  # a mistyped check digit
            last = member.id_number[-1]
            member.id_number = member.id_number[:-1] + ("0" if last != "0" else "1")
            changed[member.pk] = member
        for member in rnd.sample([m for m in members if m.relation_to_head == SPOUSE_RELATION], count):
            member.sex = "1" if member.sex == "2" else "2"  # inconsistent with ID: entered by hand
            changed[member.pk] = member
        for member in rnd.sample(members, count):
            member.resident_medical_insurance, member.employee_medical_insurance = True, True
            changed[member.pk] = member
        children = [m for m in members if m.labour_skill == "5" and m.school_status.startswith(("1", "2"))]
        for member in rnd.sample(children, min(count, len(children))):
            member.school_status, member.dropout_reason = "00", ""
            changed[member.pk] = member
        pastures = rnd.sample(conditions, count)
        for record in pastures:
            record.pasture_mu = Decimal("900.00")
        fields = ["id_number", "sex", "resident_medical_insurance", "employee_medical_insurance"]
        update_rows(list(changed.values()), [*fields, "school_status", "dropout_reason"])
        update_rows(pastures, ["pasture_mu"])

    def _users(self, villages: list[Area]) -> list[tuple[str, str, str, str]]:
        first_village = villages[0]
        township = first_village.parent
        assert township is not None
        other_village = next(v for v in villages if v.parent_id != township.code)
        city = self.county.parent
        plan = [
            ("village", Role.VILLAGE_CADRE, first_village, ""),
            ("village2", Role.VILLAGE_CADRE, other_village, ""),
            ("helper", Role.ASSISTANCE_CADRE, first_village, ""),
            ("township", Role.TOWNSHIP_REVIEWER, township, ""),
            ("county", Role.COUNTY_OFFICER, self.county, ""),
            ("finance", Role.FINANCE_OFFICER, self.county, ""),
            ("medins", Role.DEPARTMENT_USER, self.county, Department.MEDICAL_INSURANCE),
            ("inspector", Role.SUPERVISOR, city or self.county, ""),
            ("evaluator", Role.EVALUATOR, self.county, ""),
            ("admin", Role.SYSTEM_ADMIN, self.county, ""),
        ]
        created = []
        for username, role, area, department in plan:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "role": role,
                    "area": area,
                    "department": department,
                    "is_active": True,
                    "is_staff": role == Role.SYSTEM_ADMIN,
                    "is_superuser": role == Role.SYSTEM_ADMIN,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created.append((username, DEMO_PASSWORD, str(role.label), str(area)))
        return created


def clear_county(county: Area) -> None:
    """Remove the register of a county (demo data only), children before parents."""
    from jingzhun.demo.oversight import clear_oversight  # these refer to households: they go first
    from jingzhun.demo.projects import clear_money

    clear_oversight(county)
    clear_money(county)
    households = Household.objects.filter(code_range_q(county, "village_id"))
    with transaction.atomic():
        WarningEvent.objects.filter(warning__household__in=households.values("pk")).delete()
        RiskWarning.objects.filter(household__in=households.values("pk"))._raw_delete("default")
        ScreeningRun.objects.filter(code_range_q(county, "area_id")).delete()
        DepartmentRecord.objects.filter(
            Q(household__in=households.values("pk")) | code_range_q(county, "village_code")
        )._raw_delete("default")
        DepartmentBatch.objects.filter(source="demo", records__isnull=True).delete()
        # The audit log stays: it is append-only, and its entries of the replaced
        # households (their keys are never reused) simply no longer show on a page.
        Case.objects.filter(household__in=households.values("pk")).delete()
        Declaration.objects.filter(code_range_q(county, "village_id")).delete()
        VisitPhoto.objects.filter(visit__household__in=households.values("pk")).delete()
        for assistance_model in (Visit, Pairing):
            assistance_model.objects.filter(household__in=households.values("pk"))._raw_delete("default")
        for model in (StatusChange, Measure, MonitoringObject, IncomeRecord, LivingConditions, Member):
            model.objects.filter(household__in=households.values("pk"))._raw_delete("default")
        HouseholdFact.objects.filter(code_range_q(county, "village_id"))._raw_delete("default")
        households._raw_delete("default")
