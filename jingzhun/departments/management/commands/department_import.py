from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jingzhun.departments.choices import DatasetType
from jingzhun.departments.services import department_import


class Command(BaseCommand):
    help = "Import a department dataset (CSV or Excel) and print the batch report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset_type", choices=DatasetType.values)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--period", help="month the data covers, YYYY-MM (default: the latest date in the file)"
        )
        parser.add_argument("--source", default="", help="where the file came from")
        parser.add_argument(
            "--mapping", type=Path, help="JSON file renaming local column headers: {header: field}"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
            mapping = (
                json.loads(options["mapping"].read_text(encoding="utf-8")) if options["mapping"] else None
            )
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        report = department_import(
            user=None,
            dataset_type=options["dataset_type"],
            file_name=path.name,
            data=data,
            period=options["period"],
            source=options["source"],
            mapping=mapping,
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1, default=str))
        else:
            self._print(report)
        if not report.ok:
            raise CommandError(f"{len(report.errors)} errors; nothing was imported")

    def _print(self, report: Any) -> None:
        for error in report.errors:
            self.stderr.write(f"row {error.row}, {error.column} = {error.value!r}: {error.reason}")
        if not report.ok:
            return
        state = "already imported as" if report.already_imported else "imported as"
        self.stdout.write(
            f"{report.file_name}: {state} batch {report.batch_id} ({report.period}): {report.rows} rows, "
            f"{report.matched} matched, {report.not_in_register} not in the register, "
            f"{report.invalid_id} invalid ID numbers, {report.area_level} area-level"
        )
        for error in report.invalid_ids[:50]:
            self.stdout.write(f"  invalid ID, row {error.row}: {error.value} ({error.reason})")
        for number in report.not_in_register_ids[:50]:
            self.stdout.write(f"  not in the register: {number}")
