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
    ids = dict(Member.objects.filter(household__in=[h.pk for h in households]).values_list("id_number", "pk"))
    village_of = {h.pk: h.village_id for h in households}
    month = reference.replace(day=1) - datetime.timedelta(days=1)
    batches = {
        dataset: DepartmentBatch.objects.create(
            dataset_type=dataset,
            period=month.replace(day=1),
            source="demo",
            file_name=f"demo-{dataset}.xlsx",
            file_sha256=f"demo-{dataset}-{reference.isoformat()}-{rnd.random()}",
        )
        for dataset in DatasetType.values
    }
    records: list[DepartmentRecord] = []

    def day() -> datetime.date:
        return reference - datetime.timedelta(days=rnd.randint(5, 330))

    def add(
        dataset: str,
        member: Member | None,
        household_id: int,
        *,
        event_date: datetime.date | None = None,
        **fields: object,
    ) -> None:
        member_id = ids.get(member.id_number) if member is not None else None
        records.append(
            DepartmentRecord(
                batch=batches[dataset],
                dataset_type=dataset,
                row_number=len(records) + 2,
                id_number=member.id_number if member is not None else "",
                member_id=member_id,
                household_id=household_id,
                village_code=village_of[household_id],
                match_status=MatchStatus.MATCHED if member_id else MatchStatus.NOT_IN_REGISTER,
                event_date=event_date or day(),
                **fields,
            )
        )

    for member in members:
        household_id = member.household.pk
        if "3" in member.health or (rnd.random() < 0.02):
            total = rnd.uniform(8000, 60000) if "3" in member.health else rnd.uniform(1000, 8000)
            out_of_pocket = total * rnd.uniform(0.08, 0.35)
            add(
                DatasetType.MEDICAL,
                member,
                household_id,
                kind="inpatient",
                amount_total=_money(total),
                amount_fund=_money(total - out_of_pocket),
                amount_out_of_pocket=_money(out_of_pocket),
            )
        if "2" in member.health:
            for _ in range(rnd.randint(1, 4)):
                spent = rnd.uniform(520, 900) if rnd.random() < 0.04 else rnd.uniform(40, 380)
                add(
                    DatasetType.MEDICAL,
                    member,
                    household_id,
                    kind="outpatient",
                    amount_total=_money(spent * 2),
                    amount_fund=_money(spent),
                    amount_out_of_pocket=_money(spent),
                )
        if member.school_status not in ("", "00"):
            higher = member.school_status in ("51", "61", "71")
            add(
                DatasetType.EDUCATION,
                member,
                household_id,
                kind="enrolled",
                category=member.school_status,
                amount=_money(rnd.uniform(500, 3000)),
                amount_out_of_pocket=_money(rnd.uniform(6000, 14000) if higher else rnd.uniform(200, 2500)),
            )
        if member.has_minimum_allowance:
            add(
                DatasetType.CIVIL_AFFAIRS,
                member,
                household_id,
                kind="minimum_allowance",
                amount=_money(rnd.uniform(300, 600)),
            )
        if member.has_extreme_poverty_support:
            add(
                DatasetType.CIVIL_AFFAIRS,
                member,
                household_id,
                kind="extreme_poverty",
                amount=_money(rnd.uniform(600, 900)),
            )
        if "4" in member.health:
            add(
                DatasetType.DISABILITY,
                member,
                household_id,
                category=member.disability_category or "4",
                grade=member.disability_grade or "3",
                kind=rnd.choices(["living", "nursing", "none"], weights=[60, 28, 12])[0],
                amount=_money(rnd.uniform(60, 120)),
            )
        if member.labour_skill in ("1", "2"):
            roll = rnd.random()
            if roll < 0.012:
                add(
                    DatasetType.HUMAN_RESOURCES,
                    member,
                    household_id,
                    kind="migrant_end",
                    text="鄂尔多斯",
                    event_date=reference - datetime.timedelta(days=rnd.randint(40, 120)),
                )
                add(
                    DatasetType.HUMAN_RESOURCES,
                    member,
                    household_id,
                    kind="unemployed",
                    event_date=reference - datetime.timedelta(days=rnd.randint(5, 35)),
                )
            elif roll < 0.014:
                add(DatasetType.PUBLIC_SECURITY, member, household_id, kind="death")
            elif roll < 0.02:
                add(
                    DatasetType.EXCLUSION,
                    member,
                    household_id,
                    kind="vehicle",
                    text="蒙A·小型汽车",
                    amount=_money(rnd.uniform(30000, 150000)),
                )
    for condition in conditions:
        household_id = condition.household.pk
        if condition.house_grade in ("C", "D"):
            add(DatasetType.HOUSING, None, household_id, kind="appraisal", grade=condition.house_grade)
        if not condition.water_quality_ok:
            add(
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
        if rnd.random() < 0.01:
            add(
                DatasetType.DISASTER,
                None,
                household_id,
                kind=rnd.choice(["hail", "flood", "drought"]),
                amount=_money(rnd.uniform(300, 9000)),
            )
    # Household-level rows carry no person; they match by household.
    for record in records:
        if record.dataset_type in (DatasetType.HOUSING, DatasetType.WATER, DatasetType.DISASTER):
            record.match_status = MatchStatus.MATCHED
    bulk_insert(DepartmentRecord, records)
    for dataset, batch in batches.items():
        rows = [r for r in records if r.dataset_type == dataset]
        batch.row_count = batch.matched_count = len(rows)
        batch.save(update_fields=["row_count", "matched_count"])
    return len(records)
