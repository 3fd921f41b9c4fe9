"""Set-based writes agree with the ORM's record-by-record ones, on both databases."""

import datetime
from decimal import Decimal

import pytest

from jingzhun.core.bulk import update_rows
from jingzhun.registry.models import Household, Member
from tests import factories

pytestmark = pytest.mark.django_db


def test_update_rows_writes_the_listed_fields_of_every_record_and_nothing_else(village):
    household = factories.household(village)
    members = [
        factories.member(household, name=f"成员{n}", relation="01" if n == 0 else "10") for n in range(3)
    ]
    untouched = factories.member(household, name="不变", relation="10")
    before = {member.pk: Member.objects.get(pk=member.pk) for member in [*members, untouched]}
    members[0].health = ["2", "3"]  # a list, stored as JSON
    members[0].migrant_monthly_income = Decimal("3456.78")
    members[1].birth_date = datetime.date(1999, 12, 31)
    members[1].health = []
    members[2].migrant_monthly_income = None
    members[2].name = "改名不写"  # changed in memory, not listed: stays as stored

    count = update_rows(members, ["health", "migrant_monthly_income", "birth_date", "updated_at"])

    assert count == 3
    stored = {member.pk: member for member in Member.objects.filter(household=household)}
    assert stored[members[0].pk].health == ["2", "3"]
    assert stored[members[0].pk].migrant_monthly_income == Decimal("3456.78")
    assert stored[members[1].pk].birth_date == datetime.date(1999, 12, 31)
    assert stored[members[1].pk].health == []
    assert stored[members[2].pk].migrant_monthly_income is None
    assert stored[members[2].pk].name == before[members[2].pk].name
    for member in members:
        assert stored[member.pk].updated_at > before[member.pk].updated_at
    assert stored[untouched.pk].updated_at == before[untouched.pk].updated_at
    assert update_rows([], ["name"]) == 0
    assert Household.objects.count() == 1


def test_an_arrow_table_is_written_as_the_orm_reads_it(village):
    """Text with commas, quotes, line breaks and nothing at all; nulls; booleans; decimals;
    a constant column and defaults — through COPY on PostgreSQL and executemany on SQLite."""
    import pyarrow as pa

    from jingzhun.core.bulk import insert_arrow
    from jingzhun.dashboards.models import AggregateRun, HouseholdFact

    households = [factories.household(village) for _ in range(3)]
    run = AggregateRun.objects.create(area=village, as_of=datetime.date(2026, 1, 1), income_year=2025)
    tricky = ['a,"b"\nc', "", "榆树营村，'引号'\\"]
    table = pa.table(
        {
            "household_id": pa.array([h.pk for h in households], pa.int64()),
            "village_id": pa.array([village.code] * 3),
            "risk_types": pa.array(tricky),
            "monitoring_category": pa.array(["1", None, ""]),
            "monitored": pa.array([True, False, True]),
            "people": pa.array([3, 0, 7], pa.int64()),
            "per_capita_net_income": pa.array(
                [Decimal("1234.50"), None, Decimal("-0.01")], pa.decimal128(14, 2)
            ),
        }
    )
    assert insert_arrow(HouseholdFact, table, constants={"run_id": run.pk}) == 3
    stored = {fact.household_id: fact for fact in HouseholdFact.objects.all()}
    for index, household in enumerate(households):
        fact = stored[household.pk]
        assert fact.risk_types == tricky[index]
        assert fact.run_id == run.pk
        assert fact.has_open_warning is False  # a default
    assert [stored[h.pk].monitoring_category for h in households] == ["1", None, ""]
    assert [stored[h.pk].monitored for h in households] == [True, False, True]
    assert [stored[h.pk].per_capita_net_income for h in households] == [
        Decimal("1234.50"),
        None,
        Decimal("-0.01"),
    ]
    with pytest.raises(KeyError):
        insert_arrow(HouseholdFact, table.slice(0, 0), constants={"no_such_field": 1})


def test_an_arrow_load_seals_and_indexes_id_numbers_as_a_save_does(village):
    import pyarrow as pa

    from jingzhun.core.bulk import insert_arrow
    from jingzhun.registry.idnumbers import id_number_digest

    household = factories.household(village)
    saved = factories.member(household, name="对照")
    numbers = ["15012419800101001X", "150124199002020024"]
    table = pa.table(
        {
            "id": pa.array([saved.pk + 100, saved.pk + 101], pa.int64()),
            "household_id": pa.array([household.pk] * 2, pa.int64()),
            "id_number": pa.array(numbers),
            "name": pa.array(["甲", "乙"]),
            "birth_date": pa.array([datetime.date(1980, 1, 1), datetime.date(1990, 2, 2)], pa.date32()),
            "health": pa.array(['["2"]', "[]"]),
        }
    )
    assert insert_arrow(Member, table, with_primary_key=True) == 2
    loaded = Member.objects.get(pk=saved.pk + 100)
    assert loaded.id_number == numbers[0]  # decrypted on read: it was sealed on the way in
    assert loaded.health == ["2"]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM registry_member WHERE id = %s", [saved.pk + 100])
        assert numbers[0] not in cursor.fetchone()[0]  # what the table holds is sealed
    assert Member.objects.get(id_number_index=id_number_digest(numbers[1])).name == "乙"
