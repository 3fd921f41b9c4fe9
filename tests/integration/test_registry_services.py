import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingzhun.accounts.choices import Role
from jingzhun.registry import services
from jingzhun.registry.choices import ChangeAction
from jingzhun.registry.models import Household, HouseholdChange, IncomeRecord, Member, StatusChange
from tests import factories

pytestmark = pytest.mark.django_db


def test_household_create_records_history_and_conditions(cadre, village):
    household = services.household_create(
        user=cadre,
        village=village,
        household_number="H-1",
        attribute="05",
        poverty_status="2",
        main_cause="01",
    )
    assert household.conditions is not None
    change = HouseholdChange.objects.get(household_id=household.pk, record_type="household")
    assert change.action == ChangeAction.CREATE
    conditions = HouseholdChange.objects.get(household_id=household.pk, record_type="livingconditions")
    assert (conditions.action, conditions.actor) == (ChangeAction.CREATE, cadre)
    assert change.actor == cadre
    assert change.changes["household_number"] == [None, "H-1"]


def test_unknown_code_refused_and_nothing_saved(cadre, village):
    with pytest.raises(ValidationError) as error:
        services.household_create(user=cadre, village=village, household_number="H-2", main_cause="77")
    assert "main_cause" in error.value.message_dict
    assert not Household.objects.filter(household_number="H-2").exists()
    assert not HouseholdChange.objects.exists()


def test_cadre_cannot_create_in_another_village(cadre, other_village):
    with pytest.raises(PermissionDenied):
        services.household_create(user=cadre, village=other_village, household_number="H-3")
    assert not Household.objects.exists()


def test_read_only_role_cannot_edit(village):
    household = factories.household(village)
    reviewer = factories.user("reviewer", Role.TOWNSHIP_REVIEWER, village.parent)
    with pytest.raises(PermissionDenied):
        services.household_update(user=reviewer, household=household, address="changed")
    household.refresh_from_db()
    assert household.address == ""
    assert not HouseholdChange.objects.exists()


def test_status_change_recorded(cadre, village):
    household = factories.household(village, attribute="01", poverty_status="1")
    services.household_update(user=cadre, household=household, attribute="05", poverty_status="2")
    changes = {(c.field, c.old_value, c.new_value) for c in StatusChange.objects.filter(household=household)}
    assert changes == {("attribute", "01", "05"), ("poverty_status", "1", "2")}
    history = HouseholdChange.objects.get(household_id=household.pk, action=ChangeAction.UPDATE)
    assert history.changes == {"attribute": ["01", "05"], "poverty_status": ["1", "2"]}


def test_member_create_normalises_and_derives_from_id(cadre, village):
    household = factories.household(village)
    number = factories.id_number(datetime.date(1988, 6, 1), "2")
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number[:-1]) + number[-1].lower()
    member, warnings = services.member_create(
        user=cadre,
        household=household,
        name="李芳",
        id_type="1",
        id_number=f" {full_width} ",
        relation_to_head="01",
        birth_date=None,
        sex="",
        resident_medical_insurance=True,
    )
    assert member.id_number == number
    assert member.birth_date == datetime.date(1988, 6, 1)
    assert member.sex == "2"
    assert warnings == []


def test_member_birth_date_and_sex_must_agree_with_id(cadre, village):
    household = factories.household(village)
    number = factories.id_number(datetime.date(1988, 6, 1), "2")
    with pytest.raises(ValidationError) as error:
        services.member_create(
            user=cadre,
            household=household,
            name="李芳",
            id_number=number,
            relation_to_head="01",
            birth_date=datetime.date(1988, 6, 2),
            sex="1",
        )
    assert set(error.value.message_dict) == {"birth_date", "sex"}
    assert not Member.objects.exists()


def test_duplicate_id_number_names_the_household_holding_it(cadre, village):
    first = factories.household(village, number="150124100201-0001")
    holder = factories.member(first)
    second = factories.household(village)
    with pytest.raises(ValidationError) as error:
        services.member_create(
            user=cadre,
            household=second,
            name="重复",
            id_number=holder.id_number,
            relation_to_head="01",
            birth_date=None,
            sex="",
        )
    assert "150124100201-0001" in error.value.message_dict["id_number"][0]
    assert second.members.count() == 0


def test_second_head_refused(cadre, village):
    household = factories.household(village)
    factories.member(household, relation="01")
    with pytest.raises(ValidationError) as error:
        services.member_create(
            user=cadre,
            household=household,
            name="又一户主",
            id_number=factories.id_number(datetime.date(1970, 1, 1)),
            relation_to_head="01",
            birth_date=None,
            sex="",
        )
    assert "relation_to_head" in error.value.message_dict


def test_historical_area_code_accepted_with_warning(cadre, village):
    household = factories.household(village)
    number = factories.id_number(datetime.date(1960, 5, 5), "1", place="150124")
    member, warnings = services.member_create(
        user=cadre,
        household=household,
        name="老人",
        id_number=number,
        relation_to_head="01",
        birth_date=None,
        sex="",
    )
    assert member.pk is not None
    assert len(warnings) == 1


def test_income_saved_with_formula_and_history(cadre, village):
    household = factories.household(village)
    factories.member(household, relation="01")
    factories.member(household, relation="02", sex="2")
    factories.member(household, relation="03", is_resident=False)
    record = services.income_record_save(
        user=cadre,
        household=household,
        year=2025,
        wage_income=Decimal("12000"),
        business_income=Decimal("3000"),
        pension_income=Decimal("600"),
        production_costs=Decimal("1000"),
    )
    assert record.resident_members == 2
    assert record.net_income == Decimal("14600")
    assert record.per_capita_net_income == Decimal("7300.00")
    change = HouseholdChange.objects.get(household_id=household.pk, record_type="incomerecord")
    assert change.changes["wage_income"] == [None, "12000"]
    assert "per_capita_net_income" not in change.changes


def test_member_leaving_updates_latest_per_capita_income(cadre, village):
    household = factories.household(village)
    factories.member(household, relation="01")
    child = factories.member(household, relation="03", age=20)
    services.income_record_save(user=cadre, household=household, year=2024, wage_income=Decimal("8000"))
    services.income_record_save(user=cadre, household=household, year=2025, wage_income=Decimal("10000"))
    services.member_update(user=cadre, member=child, is_resident=False)
    assert IncomeRecord.objects.get(household=household, year=2025).per_capita_net_income == Decimal(
        "10000.00"
    )
    assert IncomeRecord.objects.get(household=household, year=2024).per_capita_net_income == Decimal(
        "4000.00"
    )


def test_member_delete_kept_in_history(cadre, village):
    household = factories.household(village)
    member = factories.member(household)
    services.member_delete(user=cadre, member=member)
    change = HouseholdChange.objects.get(household_id=household.pk, action=ChangeAction.DELETE)
    assert change.changes["name"] == [member.name, None]


def test_reveal_recorded_and_refused_for_department_users(cadre, village):
    household = factories.household(village)
    services.sensitive_reveal(user=cadre, household=household, fields=["id_number"])
    assert (
        HouseholdChange.objects.filter(
            household_id=household.pk, action=ChangeAction.REVEAL, actor=cadre
        ).count()
        == 1
    )
    department_user = factories.user(
        "dept", Role.DEPARTMENT_USER, village.parent.parent, department="education"
    )
    with pytest.raises(PermissionDenied):
        services.sensitive_reveal(user=department_user, household=household, fields=["id_number"])
    assert HouseholdChange.objects.filter(action=ChangeAction.REVEAL).count() == 1


def test_living_conditions_validated(cadre, village):
    household = factories.household(village)
    with pytest.raises(ValidationError) as error:
        services.living_conditions_save(
            user=cadre, household=household, house_grade="E", cultivated_land_mu=Decimal("-1")
        )
    assert set(error.value.message_dict) == {"house_grade", "cultivated_land_mu"}
    household.conditions.refresh_from_db()
    assert household.conditions.house_grade == ""


def test_member_with_disability_certificate(cadre, village):
    household = factories.household(village)
    number = factories.id_number(datetime.date(1990, 7, 7), "1")
    member, _ = services.member_create(
        user=cadre,
        household=household,
        name="残疾证",
        id_type="2",
        id_number=number + "41",
        relation_to_head="01",
        birth_date=None,
        sex="",
    )
    assert (member.id_number, member.birth_date, member.sex) == (
        number + "41",
        datetime.date(1990, 7, 7),
        "1",
    )
    with pytest.raises(ValidationError) as error:
        services.member_create(
            user=cadre,
            household=household,
            name="坏证",
            id_type="2",
            id_number=number[:-1],
            relation_to_head="03",
            birth_date=None,
            sex="",
        )
    assert "id_number" in error.value.message_dict


def test_write_services_refuse_field_names_they_do_not_know(cadre, village):
    from jingzhun.registry import services as register

    household = factories.household(village)
    head = factories.member(household, relation="01")
    before = household.updated_at
    with pytest.raises(TypeError, match="wage"):
        register.income_record_save(user=cadre, household=household, year=2025, wage=100)
    with pytest.raises(TypeError, match="per_capita_net_income"):
        register.income_record_save(user=cadre, household=household, year=2025, per_capita_net_income=1)
    with pytest.raises(TypeError, match="adress"):
        register.household_update(user=cadre, household=household, adress="一组")
    with pytest.raises(TypeError, match="labour"):
        register.member_update(user=cadre, member=head, labour="1")
    with pytest.raises(TypeError, match="house_grades"):
        register.living_conditions_save(user=cadre, household=household, house_grades="C")
    with pytest.raises(TypeError, match="id"):
        register.household_create(user=cadre, village=village, id=5, household_number="1501241002019999")
    household.refresh_from_db()
    assert household.updated_at == before
    assert not IncomeRecord.objects.filter(household=household).exists()
