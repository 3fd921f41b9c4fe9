"""``jingzhun rotate-field-keys``: re-encrypt every encrypted value with the current key.

Put the new key first in JINGZHUN_FIELD_KEYS (keeping the old one after it), restart
the services, run this, then remove the old key. The application keeps running: each
batch is its own short transaction and reads accept either key meanwhile.

After JINGZHUN_INDEX_KEY has changed, ``--reindex`` rewrites every row so that the
blind indexes (exact search by ID number, its uniqueness) are digests under the new
key; until it has finished, exact search misses the rows not yet rewritten."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from jingzhun.core.bulk import rewrite_rows
from jingzhun.core.crypto import PREFIX, current_keys, derived_fields, encrypted_fields


class Command(BaseCommand):
    help = (
        "Re-encrypt the encrypted columns (ID numbers, phones, bank accounts) with the first key of "
        "JINGZHUN_FIELD_KEYS; with --reindex, also recompute their blind indexes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--reindex", action="store_true", help="Rewrite every row: the index key has changed."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        current = f"{PREFIX}{current_keys()[0]}:"
        for model, field in encrypted_fields():
            rows = model._base_manager.exclude(**{field.attname: ""})
            indexed = any(derived.source == field.attname for derived in derived_fields(model))
            if not (options["reindex"] and indexed):
                # Rows not yet under the current key: another key's, or plain text from before.
                rows = rows.exclude(**{f"{field.attname}__startswith": current})
            with tqdm(
                total=rows.count(), desc=field.label, disable=options["no_progress"], unit="row"
            ) as bar:
                count = rewrite_rows(rows, [field.name], batch_size=options["batch_size"], done=bar.update)
            self.stdout.write(f"{field.label}: {count} values re-encrypted")
