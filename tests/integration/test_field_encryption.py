"""Phones and bank accounts are ciphertext in the database, in the audit log and after a
bulk import; keys rotate while the application reads either."""

from __future__ import annotations

import base64
import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection

from jingzhun.core.crypto import DecryptionError
from jingzhun.registry import services as register
from jingzhun.registry.models import Household, HouseholdChange, Member
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
