"""``jingzhun rotate-field-keys``: re-encrypt every encrypted value with the current key.

Put the new key first in JINGZHUN_FIELD_KEYS (keeping the old one after it), restart
the services, run this, then remove the old key. The application keeps running: each
batch is its own short transaction and reads accept either key meanwhile."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from tqdm import tqdm

from jingzhun.core.bulk import update_rows
from jingzhun.core.crypto import PREFIX, current_keys, encrypted_fields


class Command(BaseCommand):
    help = (
        "Re-encrypt the encrypted columns (phones, bank accounts) with the first key of JINGZHUN_FIELD_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        current = f"{PREFIX}{current_keys()[0]}:"
        for model, field in encrypted_fields():
            # Rows not yet under the current key: another key's, or plain text from before.
            stale = model._base_manager.exclude(**{f"{field.attname}__startswith": current}).exclude(
                **{field.attname: ""}
            )
            keys = list(stale.order_by("pk").values_list("pk", flat=True))
            with tqdm(total=len(keys), desc=field.label, disable=options["no_progress"], unit="row") as bar:
                for start in range(0, len(keys), options["batch_size"]):
                    batch = keys[start : start + options["batch_size"]]
                    with transaction.atomic():
                        # Read decrypted, written back set-wise under the current key.
                        records = list(model._base_manager.filter(pk__in=batch).only("pk", field.attname))
                        update_rows(records, [field.name])
                    bar.update(len(batch))
            self.stdout.write(f"{field.label}: {len(keys)} values re-encrypted")
