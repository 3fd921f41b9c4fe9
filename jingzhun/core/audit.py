"""The audit log: append-only, tamper-evident, kept for its retention period.

Every audit table (the register's change history with its reveals, the export
record) derives from ``AuditEntry``:

- **Append-only.** The application has no path to change or remove an entry:
  saving an existing one, ``delete()`` and queryset ``update()``/``delete()``
  raise. On PostgreSQL a trigger refuses UPDATE and DELETE as well, whoever
  sends them, except the two the log itself makes: sealing (filling an empty
  hash) and purging past the retention period (``SET LOCAL jingzhun.audit_purge``).
- **Tamper-evident.** Sealing puts the entries in a chain: each gets the next
  sequence number and ``sha256(previous hash + the entry's content)``. Changing,
  removing or inserting an entry afterwards breaks the chain at that point,
  which ``jingzhun audit verify`` reports. Entries are sealed in batches (by the
  timer of docs/deployment.md, and before every verify, export and purge), so
  concurrent writers never wait on one another.
- **Retained.** ``jingzhun audit purge --before DATE`` removes only entries older
  than JINGZHUN_AUDIT_RETENTION_DAYS (at least 180) and keeps the last removed
  entry's hash as the chain's new anchor, so what remains still verifies.
  Ledgers of money (``PURGEABLE = False``: the fund movements) are never purged.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64
_BATCH = 5000


class AuditImmutable(RuntimeError):
    """Raised on any attempt to change or remove an audit entry."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutable("audit entries cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutable("audit entries cannot be removed (see jingzhun audit purge)")


class AuditEntry(models.Model):
    """An entry of an audit table; see the module docstring."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    chain_seq = models.BigIntegerField(null=True, blank=True, editable=False, db_index=True)
    chain_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = AuditQuerySet.as_manager()
    # The fields that make an entry's content (all concrete fields but the chain's own).
    CHAIN_EXCLUDED: ClassVar[frozenset[str]] = frozenset({"chain_seq", "chain_hash"})
    # A ledger of money is an accounting record: kept for good, never purged.
    PURGEABLE: ClassVar[bool] = True

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutable("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutable("audit entries cannot be removed (see jingzhun audit purge)")


def audit_models() -> list[type[AuditEntry]]:
    return sorted(
        (model for model in apps.get_models() if issubclass(model, AuditEntry)),
        key=lambda model: model._meta.label,
    )


def append_only_sql(table: str) -> tuple[str, str]:
    """(forward, reverse) SQL of the PostgreSQL trigger that keeps ``table`` append-only."""
    function = f"{table}_append_only"
    forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('jingzhun.audit_purge', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit entries of {table} cannot be removed';
    END IF;
    -- Sealing fills the chain of an entry not yet sealed; nothing else may change.
    IF OLD.chain_hash = '' AND (to_jsonb(NEW) - 'chain_seq' - 'chain_hash')
            = (to_jsonb(OLD) - 'chain_seq' - 'chain_hash') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries of {table} cannot be changed';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {function} BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    reverse = f"DROP TRIGGER IF EXISTS {function} ON {table}; DROP FUNCTION IF EXISTS {function}();"
    return forward, reverse


def install_append_only(table: str) -> Any:
    """A migration operation installing the trigger on PostgreSQL (SQLite has none:
    an embedded file is only as safe as the machine it lies on)."""
    from django.db import migrations

    forward, reverse = append_only_sql(table)

    def apply(apps_: Any, schema_editor: Any, sql: str) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return migrations.RunPython(
        lambda a, s: apply(a, s, forward), lambda a, s: apply(a, s, reverse), elidable=False
    )


# --- the chain ----------------------------------------------------------------------


class _Canonical(DjangoJSONEncoder):
    """Django's encoder, but times in full (it cuts microseconds to milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            return o.astimezone(datetime.UTC).isoformat()
        return super().default(o)


def _content(model: type[AuditEntry], row: dict[str, Any]) -> bytes:
    return json.dumps(row, cls=_Canonical, sort_keys=True, ensure_ascii=False).encode()


def _content_fields(model: type[AuditEntry]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields if field.name not in model.CHAIN_EXCLUDED]


def entry_hash(previous: str, model: type[AuditEntry], row: dict[str, Any]) -> str:
    return hashlib.sha256(previous.encode() + _content(model, row)).hexdigest()


def _anchor(model: type[AuditEntry]) -> tuple[int, str]:
    from jingzhun.core.models import AuditAnchor

    anchor = AuditAnchor.objects.filter(table=model._meta.db_table).first()
    return (anchor.last_seq, anchor.last_hash) if anchor else (0, GENESIS)


def _rows(model: type[AuditEntry], queryset: models.QuerySet, order: str) -> Iterator[dict[str, Any]]:
    fields = _content_fields(model)
    # Rows as the database returns them, in batches by key: JSON and dates as read back.
    yield from queryset.order_by(order).values(*fields, "chain_seq", "chain_hash").iterator(chunk_size=_BATCH)


def audit_seal(model: type[AuditEntry]) -> int:
    """Chain the entries written since the last seal; returns how many."""
    from jingzhun.core.bulk import update_rows
    from jingzhun.core.models import AuditAnchor

    sealed = 0
    with transaction.atomic():
        # One sealer at a time per table (the anchor row is the lock).
        AuditAnchor.objects.select_for_update().get_or_create(table=model._meta.db_table)
        last = (
            model.objects.exclude(chain_hash="")
            .order_by("-chain_seq")
            .values("chain_seq", "chain_hash")
            .first()
        )
        seq, previous = (int(last["chain_seq"] or 0), str(last["chain_hash"])) if last else _anchor(model)
        fields = _content_fields(model)
        pending: list[AuditEntry] = []
        for row in _rows(model, model.objects.filter(chain_hash=""), "pk"):
            seq += 1
            previous = entry_hash(previous, model, {name: row[name] for name in fields})
            entry = model(chain_seq=seq, chain_hash=previous)
            entry.pk = row[model._meta.pk.attname]
            pending.append(entry)
            if len(pending) >= _BATCH:
                sealed += update_rows(pending, ["chain_seq", "chain_hash"])
                pending = []
        sealed += update_rows(pending, ["chain_seq", "chain_hash"])
    return sealed


@dataclass(frozen=True)
class Verification:
    table: str
    checked: int
    unsealed: int
    broken_at: int | None  # the sequence number where the chain first fails
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def audit_verify(model: type[AuditEntry]) -> Verification:
    """Recompute the chain from its anchor; the first entry whose hash or place does not fit breaks it."""
    seq, previous = _anchor(model)
    fields = _content_fields(model)
    checked = 0
    for row in _rows(model, model.objects.exclude(chain_hash=""), "chain_seq"):
        seq += 1
        if row["chain_seq"] != seq:
            return Verification(model._meta.db_table, checked, 0, seq, "an entry is missing or was inserted")
        previous = entry_hash(previous, model, {name: row[name] for name in fields})
        if previous != row["chain_hash"]:
            return Verification(model._meta.db_table, checked, 0, seq, "an entry was changed")
        checked += 1
    unsealed = model.objects.filter(chain_hash="").count()
    return Verification(model._meta.db_table, checked, unsealed, None)


def retention_cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)


def audit_purge(model: type[AuditEntry], *, before: datetime.datetime) -> int:
    """Remove the chain's oldest entries written before ``before``, which must lie
    outside the retention period; the last removed entry anchors the rest."""
    from jingzhun.core.models import AuditAnchor

    if not model.PURGEABLE:
        raise AuditImmutable(f"{model._meta.db_table} is an accounting record and is kept for good")
    if before > retention_cutoff():
        raise AuditImmutable(
            f"entries are kept {settings.AUDIT_RETENTION_DAYS} days: "
            f"only those before {retention_cutoff():%Y-%m-%d} may be removed"
        )
    audit_seal(model)
    with transaction.atomic():
        anchor, _created = AuditAnchor.objects.select_for_update().get_or_create(table=model._meta.db_table)
        # Only a prefix of the chain goes, so that what stays begins where the anchor ends.
        first_kept = model.objects.exclude(chain_hash="").filter(at__gte=before).order_by("chain_seq").first()
        removable = model.objects.exclude(chain_hash="")
        if first_kept is not None:
            removable = removable.filter(chain_seq__lt=first_kept.chain_seq)
        last = removable.order_by("-chain_seq").values("chain_seq", "chain_hash").first()
        if last is None:
            return 0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jingzhun.audit_purge = 'on'")
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE chain_seq <= %s", [last["chain_seq"]])
            removed = cursor.rowcount or 0
        anchor.last_seq, anchor.last_hash = int(last["chain_seq"] or 0), str(last["chain_hash"])
        anchor.purged_at = timezone.now()
        anchor.save()
    return removed
