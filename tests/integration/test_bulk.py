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
