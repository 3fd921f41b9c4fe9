"""ID numbers, phones and bank accounts are ciphertext in the database, in the audit log
and after a bulk import; ID numbers are still found, matched and kept unique through
their blind index; keys rotate while the application reads either."""

from __future__ import annotations

import base64
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from jingzhun.cases.declarations import declaration_lookup, declaration_submit
from jingzhun.cases.models import Declaration
from jingzhun.core.bulk import insert_rows
from jingzhun.core.crypto import DecryptionError
from jingzhun.departments.models import DepartmentRecord
from jingzhun.departments.services import department_import
from jingzhun.registry import services as register
from jingzhun.registry.models import Household, HouseholdChange, Member
from jingzhun.registry.selectors import HouseholdFilters, household_rows
from tests import factories

pytestmark = pytest.mark.django_db

PHONE, ACCOUNT = "13912345678", "6228480012345678901"


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _key(byte: int) -> str:
    return base64.b64encode(bytes([byte]) * 32).decode()


def test_phones_and_accounts_are_ciphertext_in_the_database_and_the_history(cadre, village):
    household = register.household_create(
        user=cadre, village=village, household_number="1501241002019001", phone=PHONE, bank_account=ACCOUNT
    )
    stored = _raw("registry_household", "phone", household.pk)
    assert stored.startswith("enc1:")
    assert PHONE not in stored
    assert ACCOUNT not in _raw("registry_household", "bank_account", household.pk)
    assert Household.objects.get(pk=household.pk).phone == PHONE
    assert Household.objects.filter(pk=household.pk).values_list("bank_account", flat=True).get() == ACCOUNT
    register.household_update(user=cadre, household=household, phone="13800000000")
    for change in HouseholdChange.objects.filter(household_id=household.pk):
        text = str(change.changes)
        assert PHONE not in text
        assert ACCOUNT not in text
        assert "13800000000" not in text


def test_the_bulk_import_encrypts_too(village):
    from jingzhun.imports.services import household_import

    head = factories.id_number(datetime.date(1975, 6, 1), "1")
    sheet = (
        "行政村代码,户编号,姓名,证件号码,与户主关系,联系电话,银行卡号,本人联系电话\n"
        f"150124100201,150124777,张三,{head},户主,{PHONE},{ACCOUNT},13700000000\n"
    ).encode()
    report = household_import(user=None, file_name="a.csv", data=sheet)
    assert report.ok, report.errors
    household = Household.objects.get(household_number="150124777")
    member = household.members.get()
    assert (household.phone, household.bank_account, member.phone) == (PHONE, ACCOUNT, "13700000000")
    for table, column, pk in (
        ("registry_household", "phone", household.pk),
        ("registry_household", "bank_account", household.pk),
        ("registry_member", "phone", member.pk),
    ):
        assert _raw(table, column, pk).startswith("enc1:")
    for change in HouseholdChange.objects.filter(household_id=household.pk):
        assert PHONE not in str(change.changes)
        assert ACCOUNT not in str(change.changes)
    # Importing the same sheet again finds nothing changed (the comparison reads plain text).
    again = household_import(user=None, file_name="a.csv", data=sheet)
    assert again.households_unchanged == 1


def test_a_value_copied_into_another_column_does_not_decrypt(cadre, village):
    household = factories.household(village, phone=PHONE)
    head = factories.member(household, relation="01", phone="13700000000")
    stolen = _raw("registry_household", "phone", household.pk)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_member SET phone = %s WHERE id = %s", [stolen, head.pk])
    with pytest.raises(DecryptionError, match="another column"):
        Member.objects.get(pk=head.pk)


def test_keys_rotate_while_both_read(village, settings):
    settings.FIELD_ENCRYPTION_KEYS = f"k1:{_key(1)}"
    household = factories.household(village, phone=PHONE, bank_account=ACCOUNT)
    head = factories.member(household, relation="01", phone="13700000000")
    assert _raw("registry_household", "phone", household.pk).startswith("enc1:k1:")
    # A row written before the column was encrypted is read as it is, and encrypted by the rotation.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_member SET phone = %s WHERE id = %s", ["13611112222", head.pk])
    assert Member.objects.get(pk=head.pk).phone == "13611112222"
    settings.FIELD_ENCRYPTION_KEYS = f"k2:{_key(2)},k1:{_key(1)}"
    assert Household.objects.get(pk=household.pk).phone == PHONE  # the old key still reads
    call_command("rotate_field_keys", no_progress=True, stdout=io.StringIO())
    assert _raw("registry_household", "phone", household.pk).startswith("enc1:k2:")
    assert _raw("registry_household", "bank_account", household.pk).startswith("enc1:k2:")
    assert _raw("registry_member", "phone", head.pk).startswith("enc1:k2:")
    settings.FIELD_ENCRYPTION_KEYS = f"k2:{_key(2)}"  # the old key removed
    assert Household.objects.get(pk=household.pk).bank_account == ACCOUNT
    assert Member.objects.get(pk=head.pk).phone == "13611112222"


def _all_text(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return repr(cursor.fetchall())


def test_id_numbers_are_ciphertext_everywhere_and_still_found(cadre, village):
    household = register.household_create(user=cadre, village=village, household_number="1501241002019002")
    number = factories.id_number(datetime.date(1975, 6, 1), "1")
    other = factories.id_number(datetime.date(1980, 2, 3), "2")
    head, _warnings = register.member_create(
        user=cadre, household=household, id_number=number, name="张三", relation_to_head="01", ethnicity="01"
    )
    assert number not in _all_text("registry_member")
    assert _raw("registry_member", "id_number", head.pk).startswith("enc1:")
    assert Member.objects.get(pk=head.pk).id_number == number
    # Exact lookups compare the blind index; anything else on ciphertext is refused loudly.
    assert Member.objects.get(id_number=number) == head
    assert list(Member.objects.filter(id_number__in=[number, other])) == [head]
    assert not Member.objects.filter(id_number=other).exists()
    with pytest.raises(TypeError, match="encrypted"):
        Member.objects.filter(id_number__endswith=number[-4:]).exists()
    with pytest.raises(TypeError, match="encrypted"):
        Household.objects.filter(phone=PHONE).exists()
    # Search: the whole number, its last four or six characters.
    for term in (number, number[-4:], number[-6:]):
        found = household_rows(user=cadre, filters=HouseholdFilters(search=term))
        assert list(found) == [household], term
    assert not household_rows(user=cadre, filters=HouseholdFilters(search=other[-6:])).exists()
    # The change history names that the number changed, never the numbers.
    register.member_update(
        user=cadre, member=head, id_number=other, sex="2", birth_date=datetime.date(1980, 2, 3)
    )
    assert number not in _all_text("registry_householdchange")
    assert other not in _all_text("registry_householdchange")


def test_one_number_one_person_by_the_service_and_by_the_database(cadre, village):
    household = factories.household(village)
    head = factories.member(household, relation="01")
    with pytest.raises(ValidationError, match="already registered"):
        register.member_create(
            user=cadre,
            household=household,
            id_number=head.id_number,
            name="李四",
            relation_to_head="02",
            ethnicity="01",
        )
    # A writer that skips the services still meets the unique blind index.
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(
            Member,
            [
                {
                    "household_id": household.pk,
                    "id_number": head.id_number,
                    "name": "王五",
                    "birth_date": head.birth_date,
                }
            ],
        )


def test_department_records_and_declarations_are_matched_by_digest(village):
    household = factories.household(village)
    head = factories.member(household, relation="01")
    sheet = (
        "身份证号码,结算日期,就诊类型,医疗总费用,基金支付,政策范围内自付\n"
        f"{head.id_number},2025-10-01,住院,100,50,50\n"
    )
    report = department_import(user=None, dataset_type="medical", file_name="医保.csv", data=sheet.encode())
    assert report.matched == 1, report.errors
    record = DepartmentRecord.objects.get()
    assert (record.member, record.id_number) == (head, head.id_number)
    assert head.id_number not in _all_text("departments_departmentrecord")
    declaration = declaration_submit(
        name="张三",
        id_number=head.id_number,
        phone=PHONE,
        village=village,
        what_happened="生病住院",
        client_address="10.0.0.1",
    )
    assert declaration.household == household
    stored = _all_text("cases_declaration")
    assert head.id_number not in stored
    assert PHONE not in stored
    assert declaration_lookup(id_number=head.id_number, phone=PHONE, client_address="10.0.0.2") == [
        Declaration.objects.get()
    ]
    assert declaration_lookup(id_number=head.id_number, phone="13000000000", client_address="10.0.0.2") == []


def test_a_new_index_key_is_applied_by_reindexing(village, settings):
    household = factories.household(village)
    head = factories.member(household, relation="01")
    settings.FIELD_INDEX_KEY = _key(7)
    assert not Member.objects.filter(id_number=head.id_number).exists()  # digests under the old key
    call_command("rotate_field_keys", reindex=True, no_progress=True, stdout=io.StringIO())
    assert Member.objects.get(id_number=head.id_number) == head


def test_sm4_keys_encrypt_and_rotate_with_aes_keys(village, settings):
    """Installations that must use the national algorithms: SM4-GCM values and an
    HMAC-SM3 index, readable beside AES values while a rotation runs."""
    settings.FIELD_ENCRYPTION_KEYS = f"a1:{_key(1)}"
    household = factories.household(village, phone=PHONE)
    head = factories.member(household, relation="01")
    settings.FIELD_ENCRYPTION_KEYS = f"g1:sm4:{base64.b64encode(bytes(16)).decode()},a1:{_key(1)}"
    settings.FIELD_INDEX_KEY = f"sm3:{_key(3)}"
    call_command("rotate_field_keys", reindex=True, no_progress=True, stdout=io.StringIO())
    assert _raw("registry_household", "phone", household.pk).startswith("enc1:g1:")
    assert _raw("registry_member", "id_number", head.pk).startswith("enc1:g1:")
    assert Member.objects.get(id_number=head.id_number).pk == head.pk
    assert Household.objects.get(pk=household.pk).phone == PHONE
    # A changed byte is refused as with AES-GCM.
    stored = _raw("registry_household", "phone", household.pk)
    tampered = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_household SET phone = %s WHERE id = %s", [tampered, household.pk])
    with pytest.raises(DecryptionError):
        Household.objects.get(pk=household.pk)
