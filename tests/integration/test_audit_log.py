"""The audit log is append-only for the application, tamper-evident through its
chain, kept for its retention period, and exportable."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from jingzhun.core.audit import AuditImmutable, audit_models, audit_seal, audit_verify
from jingzhun.exports.models import ExportRecord
from jingzhun.registry.models import HouseholdChange
from tests import factories

pytestmark = pytest.mark.django_db


def _entries(cadre, count=3):
    household = factories.household(cadre.area)
    for index in range(count):
        HouseholdChange.objects.create(
            household=household, action="update", record_type="household", changes={"n": [index, index + 1]}
        )
    ExportRecord.objects.create(what="households", rows=10, user=cadre)
    return household


def test_every_audit_table_is_covered():
    assert {model._meta.db_table for model in audit_models()} == {
        "registry_householdchange",
        "imports_exportrecord",
        "funds_fundmovement",
    }
    # Ledgers of money are accounting records: sealed and verified, never purged.
    assert {model._meta.db_table for model in audit_models() if not model.PURGEABLE} == {"funds_fundmovement"}


def test_the_application_cannot_change_or_remove_an_entry(cadre):
    _entries(cadre)
    entry = HouseholdChange.objects.first()
    entry.changes = {"n": ["forged", 0]}
    with pytest.raises(AuditImmutable):
        entry.save()
    with pytest.raises(AuditImmutable):
        entry.delete()
    with pytest.raises(AuditImmutable):
        HouseholdChange.objects.filter(pk=entry.pk).update(changes={})
    with pytest.raises(AuditImmutable):
        ExportRecord.objects.all().delete()
    assert HouseholdChange.objects.get(pk=entry.pk).changes != {"n": ["forged", 0]}


@pytest.mark.postgres_only
def test_the_database_refuses_changes_and_removals_too(cadre):
    _entries(cadre)
    audit_seal(HouseholdChange)
    for statement in (
        "UPDATE registry_householdchange SET changes = '{}'",
        "UPDATE registry_householdchange SET chain_hash = 'x'",
        "DELETE FROM registry_householdchange",
        "DELETE FROM imports_exportrecord",
    ):
        with pytest.raises(Exception, match="cannot be"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert HouseholdChange.objects.count() == 3


def _tamper(sql: str, params: list | None = None) -> None:
    """Change the table behind the application's back, as a database superuser could
    (on PostgreSQL switching the append-only triggers off for the statement)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_the_chain_finds_a_changed_or_removed_entry(cadre):
    _entries(cadre, count=5)
    assert audit_seal(HouseholdChange) == 5
    assert audit_verify(HouseholdChange).ok
    # Entries written later extend the chain.
    _entries(cadre, count=2)
    assert audit_seal(HouseholdChange) == 2
    assert audit_verify(HouseholdChange).checked == 7
    third = HouseholdChange.objects.get(chain_seq=3)
    _tamper(f"UPDATE registry_householdchange SET record_label = 'forged' WHERE id = {third.pk}")
    result = audit_verify(HouseholdChange)
    assert (result.ok, result.broken_at, result.reason) == (False, 3, "an entry was changed")
    with pytest.raises(CommandError, match="broken in registry_householdchange"):
        call_command("audit", "verify", stdout=io.StringIO())


def test_a_removed_entry_breaks_the_chain(cadre):
    _entries(cadre, count=4)
    audit_seal(HouseholdChange)
    second = HouseholdChange.objects.get(chain_seq=2)
    _tamper(f"DELETE FROM registry_householdchange WHERE id = {second.pk}")
    result = audit_verify(HouseholdChange)
    assert (result.broken_at, result.reason) == (2, "an entry is missing or was inserted")


def test_purging_keeps_the_retention_period_and_the_chain(cadre, settings):
    _entries(cadre, count=4)
    old = timezone.now() - datetime.timedelta(days=400)
    ids = list(HouseholdChange.objects.order_by("pk").values_list("pk", flat=True))
    # Two entries written long ago (set before sealing, as if they had been).
    _tamper("UPDATE registry_householdchange SET at = %s WHERE id IN (%s, %s)", [old, ids[0], ids[1]])
    young = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    with pytest.raises(CommandError, match="kept 180 days"):
        call_command("audit", "purge", before=young, stdout=io.StringIO())
    assert HouseholdChange.objects.count() == 4
    cutoff = (timezone.localdate() - datetime.timedelta(days=200)).isoformat()
    out = io.StringIO()
    call_command("audit", "purge", before=cutoff, stdout=out)
    assert "registry_householdchange: 2 entries removed" in out.getvalue()
    assert "funds_fundmovement: an accounting record, kept" in out.getvalue()
    assert HouseholdChange.objects.count() == 2
    result = audit_verify(HouseholdChange)
    assert result.ok
    assert result.checked == 2


def test_the_log_exports_for_auditors_with_its_hashes(cadre, tmp_path):
    _entries(cadre, count=2)
    path = tmp_path / "audit.csv"
    call_command("audit", "export", output=str(path))
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert [row["table"] for row in rows] == ["imports_exportrecord"] + ["registry_householdchange"] * 2
    assert all(len(row["hash"]) == 64 for row in rows)
    assert '"n": [0, 1]' in rows[1]["entry"]
