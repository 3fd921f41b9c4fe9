from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jingzhun.areas.services import areas_import_csv


class Command(BaseCommand):
    help = "Import townships and villages from a CSV file of code,name rows (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        report = areas_import_csv(text=text)
        if report.errors:
            for message in report.errors:
                self.stderr.write(f"{path}: {message}")
            raise CommandError(f"{len(report.errors)} errors; nothing was imported")
        self.stdout.write(f"{report.created} areas created, {report.updated} updated")
