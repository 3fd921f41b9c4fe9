"""``jingzhun audit seal|verify|purge|export``: the audit log's chain, retention and export."""

from __future__ import annotations

import csv
import datetime
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from jingzhun.core.audit import AuditImmutable, audit_models, audit_purge, audit_seal, audit_verify


def _day(text: str) -> datetime.datetime:
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text} is not a date (YYYY-MM-DD)") from None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


class Command(BaseCommand):
    help = "Seal, verify, purge (past the retention period) or export the audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seal", "verify", "purge", "export"])
        parser.add_argument("--before", help="purge: remove entries written before this date (YYYY-MM-DD)")
        parser.add_argument("--since", help="export: entries from this date on (YYYY-MM-DD)")
        parser.add_argument("--until", help="export: entries before this date (YYYY-MM-DD)")
        parser.add_argument(
            "--output", type=Path, help="export: the CSV file to write (default: standard output)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "seal":
            for model in audit_models():
                self.stdout.write(f"{model._meta.db_table}: {audit_seal(model)} entries sealed")
        elif action == "verify":
            self._verify()
        elif action == "purge":
            if not options["before"]:
                raise CommandError("give --before DATE")
            before = _day(options["before"])
            for model in audit_models():
                if not model.PURGEABLE:
                    self.stdout.write(f"{model._meta.db_table}: an accounting record, kept")
                    continue
                try:
                    removed = audit_purge(model, before=before)
                except AuditImmutable as error:
                    raise CommandError(str(error)) from None
                self.stdout.write(f"{model._meta.db_table}: {removed} entries removed")
        else:
            self._export(options)

    def _verify(self) -> None:
        broken = []
        for model in audit_models():
            audit_seal(model)
            result = audit_verify(model)
            if result.ok:
                self.stdout.write(f"{result.table}: {result.checked} entries, chain intact")
            else:
                broken.append(result.table)
                self.stdout.write(
                    f"{result.table}: chain broken at entry {result.broken_at}: {result.reason}"
                )
        if broken:
            raise CommandError(f"the audit chain is broken in {', '.join(broken)}")

    def _export(self, options: dict[str, Any]) -> None:
        output = Path(options["output"]) if options["output"] else None
        handle = output.open("w", newline="", encoding="utf-8-sig") if output else sys.stdout
        try:
            writer = csv.writer(handle)
            writer.writerow(["table", "seq", "at", "entry", "hash"])
            for model in audit_models():
                audit_seal(model)
                entries = model.objects.exclude(chain_hash="").order_by("chain_seq")
                if options["since"]:
                    entries = entries.filter(at__gte=_day(options["since"]))
                if options["until"]:
                    entries = entries.filter(at__lt=_day(options["until"]))
                for entry in entries.values().iterator(chunk_size=5000):
                    values: dict[str, Any] = dict(entry)
                    seq, digest, at = values.pop("chain_seq"), values.pop("chain_hash"), values["at"]
                    content = json.dumps(values, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
                    writer.writerow([model._meta.db_table, seq, at.isoformat(), content, digest])
        finally:
            if output:
                handle.close()
