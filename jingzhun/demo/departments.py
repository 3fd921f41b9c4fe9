"""Department datasets for the demo county, consistent with its households:
hospital stays for the seriously ill, enrolment for pupils, allowances for the
households that receive them, subsidies for most disabled members, appraisals
of dangerous houses, and a few disasters, deaths and returned migrant workers."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from jingzhun.core.bulk import bulk_insert
from jingzhun.departments.choices import DatasetType, MatchStatus
from jingzhun.departments.models import DepartmentBatch, DepartmentRecord
from jingzhun.registry.models import Household, LivingConditions, Member

TWO = Decimal("0.01")


def _money(value: float) -> Decimal:
    return Decimal(str(max(0.0, value))).quantize(TWO)


def generate_department_data(
    *,
    rnd: random.Random,
    households: list[Household],
    members: list[Member],
    conditions: list[LivingConditions],
    reference: datetime.date,
) -> int:
    """Every dataset's rows for the generated county (its members and living conditions
    already in the register, with their keys), written with their batches."""
    datasets = _Datasets(rnd=rnd, households=households, reference=reference)
    for member in members:
        household_id = member.household.pk
        datasets.medical(member, household_id)
        datasets.education(member, household_id)
        datasets.civil_affairs(member, household_id)
        datasets.disability(member, household_id)
        datasets.labour_events(member, household_id)
    for condition in conditions:
        datasets.household_rows(condition, condition.household.pk)
    return datasets.write()


class _Datasets:
    """The rows of each department's dataset, as the departments would send them."""

    def __init__(self, *, rnd: random.Random, households: list[Household], reference: datetime.date) -> None:
        self.rnd, self.reference = rnd, reference
        self.village_of = {h.pk: h.village_id for h in households}
        month = reference.replace(day=1) - datetime.timedelta(days=1)
        self.batches = {
            dataset: DepartmentBatch.objects.create(
                dataset_type=dataset,
                period=month.replace(day=1),
                source="demo",
                file_name=f"demo-{dataset}.xlsx",
                file_sha256=f"demo-{dataset}-{reference.isoformat()}-{rnd.random()}",
            )
            for dataset in DatasetType.values
        }
        self.records: list[DepartmentRecord] = []

    def day(self) -> datetime.date:
        return self.reference - datetime.timedelta(days=self.rnd.randint(5, 330))

    def add(
        self,
        dataset: str,
        member: Member | None,
        household_id: int,
        *,
        event_date: datetime.date | None = None,
        **fields: object,
    ) -> None:
        # A member's row names the member (matched by ID number, as an import matches it);
        # a household-level row (a house, a well, a disaster) names the household only.
        member_id = member.pk if member is not None else None
        self.records.append(
            DepartmentRecord(
                batch=self.batches[dataset],
                dataset_type=dataset,
                row_number=len(self.records) + 2,
                id_number=member.id_number if member is not None else "",
                member_id=member_id,
                household_id=household_id,
                village_code=self.village_of[household_id],
                match_status=MatchStatus.MATCHED,
                event_date=event_date or self.day(),
                **fields,
            )
        )

    def medical(self, member: Member, household_id: int) -> None:
        """Hospital stays for the seriously ill (and a few others); outpatient costs for the
        chronically ill."""
        if "3" in member.health or (self.rnd.random() < 0.02):
            total = self.rnd.uniform(8000, 60000) if "3" in member.health else self.rnd.uniform(1000, 8000)
            out_of_pocket = total * self.rnd.uniform(0.08, 0.35)
            self.add(
                DatasetType.MEDICAL,
                member,
                household_id,
                kind="inpatient",
                amount_total=_money(total),
                amount_fund=_money(total - out_of_pocket),
                amount_out_of_pocket=_money(out_of_pocket),
            )
        if "2" in member.health:
            for _ in range(self.rnd.randint(1, 4)):
                spent = self.rnd.uniform(520, 900) if self.rnd.random() < 0.04 else self.rnd.uniform(40, 380)
                self.add(
                    DatasetType.MEDICAL,
                    member,
                    household_id,
                    kind="outpatient",
                    amount_total=_money(spent * 2),
                    amount_fund=_money(spent),
                    amount_out_of_pocket=_money(spent),
                )

    def education(self, member: Member, household_id: int) -> None:
        """Enrolment of pupils and students, with what schooling costs the family."""
        if member.school_status not in ("", "00"):
            higher = member.school_status in ("51", "61", "71")
            self.add(
                DatasetType.EDUCATION,
                member,
                household_id,
                kind="enrolled",
                category=member.school_status,
                amount=_money(self.rnd.uniform(500, 3000)),
                amount_out_of_pocket=_money(
                    self.rnd.uniform(6000, 14000) if higher else self.rnd.uniform(200, 2500)
                ),
            )

    def civil_affairs(self, member: Member, household_id: int) -> None:
        """Minimum allowance and extreme-poverty support as paid."""
        if member.has_minimum_allowance:
            self.add(
                DatasetType.CIVIL_AFFAIRS,
                member,
                household_id,
                kind="minimum_allowance",
                amount=_money(self.rnd.uniform(300, 600)),
            )
        if member.has_extreme_poverty_support:
            self.add(
                DatasetType.CIVIL_AFFAIRS,
                member,
                household_id,
                kind="extreme_poverty",
                amount=_money(self.rnd.uniform(600, 900)),
            )

    def disability(self, member: Member, household_id: int) -> None:
        """Disability subsidies for most disabled members."""
        if "4" in member.health:
            self.add(
                DatasetType.DISABILITY,
                member,
                household_id,
                category=member.disability_category or "4",
                grade=member.disability_grade or "3",
                kind=self.rnd.choices(["living", "nursing", "none"], weights=[60, 28, 12])[0],
                amount=_money(self.rnd.uniform(60, 120)),
            )

    def labour_events(self, member: Member, household_id: int) -> None:
        """A few returned migrant workers, deaths and vehicles bought (an exclusion criterion)."""
        if member.labour_skill in ("1", "2"):
            roll = self.rnd.random()
            if roll < 0.012:
                self.add(
                    DatasetType.HUMAN_RESOURCES,
                    member,
                    household_id,
                    kind="migrant_end",
                    text="鄂尔多斯",
                    event_date=self.reference - datetime.timedelta(days=self.rnd.randint(40, 120)),
                )
                self.add(
                    DatasetType.HUMAN_RESOURCES,
                    member,
                    household_id,
                    kind="unemployed",
                    event_date=self.reference - datetime.timedelta(days=self.rnd.randint(5, 35)),
                )
            elif roll < 0.014:
                self.add(DatasetType.PUBLIC_SECURITY, member, household_id, kind="death")
            elif roll < 0.02:
                self.add(
                    DatasetType.EXCLUSION,
                    member,
                    household_id,
                    kind="vehicle",
                    text="蒙A·小型汽车",
                    amount=_money(self.rnd.uniform(30000, 150000)),
                )

    def household_rows(self, condition: LivingConditions, household_id: int) -> None:
        """Appraisals of dangerous houses, failed water inspections, a few disasters."""
        if condition.house_grade in ("C", "D"):
            self.add(DatasetType.HOUSING, None, household_id, kind="appraisal", grade=condition.house_grade)
        if not condition.water_quality_ok:
            self.add(
                DatasetType.WATER,
                None,
                household_id,
                kind="inspection",
                flags={
                    "quantity_ok": True,
                    "quality_ok": False,
                    "convenience_ok": True,
                    "reliability_ok": True,
                },
            )
        if self.rnd.random() < 0.01:
            self.add(
                DatasetType.DISASTER,
                None,
                household_id,
                kind=self.rnd.choice(["hail", "flood", "drought"]),
                amount=_money(self.rnd.uniform(300, 9000)),
            )

    def write(self) -> int:
        bulk_insert(DepartmentRecord, self.records)
        for dataset, batch in self.batches.items():
            rows = [r for r in self.records if r.dataset_type == dataset]
            batch.row_count = batch.matched_count = len(rows)
            batch.save(update_fields=["row_count", "matched_count"])
        return len(self.records)
