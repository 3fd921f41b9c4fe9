"""``jingzhun import households FILE``: the household-and-member sheet into the register."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jingzhun.areas.arguments import AREA_HELP, add_area_argument, area_from_options
from jingzhun.imports.services import HouseholdImportReport, household_import


class Command(BaseCommand):
    help = "Import a spreadsheet (.xlsx, .xls, .csv) in the national layout into the register."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["households"], help="what the file holds")
        parser.add_argument("file", type=Path)
        add_area_argument(
            parser,
            required=False,
            help=f"{AREA_HELP}: every household must lie in it (a village: the default village)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument(
            "--partial", action="store_true", help="write the households without errors, report the others"
        )
        parser.add_argument("--year", type=int, help="year of the income columns (default: last year)")
        parser.add_argument(
            "--mapping",
            type=Path,
            help="JSON file renaming a local layout's headers: {header in the file: national header}",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        area = area_from_options(options)
        path: Path = options["file"]
        try:
            data = path.read_bytes()
            mapping = (
                json.loads(options["mapping"].read_text(encoding="utf-8")) if options["mapping"] else None
            )
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        bars: dict[str, tqdm] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if options["format"] == "json" or options["verbosity"] == 0:
                return
            bar = bars.get(phase)
            if bar is None:
                # Reading goes column by column; writing household by household.
                unit = "column" if phase == "read" else "household"
                bar = bars[phase] = tqdm(total=total, desc=phase, unit=unit, file=self.stderr._out)
            bar.update(done - bar.n)

        report = household_import(
            user=None,
            file_name=path.name,
            data=data,
            area=area,
            dry_run=options["dry_run"],
            partial=options["partial"],
            mapping=mapping,
            income_year=options["year"],
            progress=progress,
        )
        for bar in bars.values():
            bar.close()
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1, default=str))
        else:
            self._print(report)
        if not report.ok and not (options["partial"] and report.written):
            raise CommandError(f"{report.error_count} errors; nothing was written")

    def _print(self, report: HouseholdImportReport) -> None:
        for problem in report.errors:
            self.stderr.write(
                f"row {problem.row}, {problem.column} = {problem.value!r}: {problem.reason}"
                + (f" [{problem.household}]" if problem.household else "")
            )
        for problem in report.warnings[:200]:
            self.stdout.write(
                f"warning: row {problem.row}, {problem.column} {problem.value}: {problem.reason}"
                + (f" [{problem.household}]" if problem.household else "")
            )
        if report.ignored_columns:
            self.stdout.write("columns not imported: " + ", ".join(report.ignored_columns))
        state = (
            "checked (dry run, nothing written)"
            if report.dry_run
            else ("written" if report.written else "not written")
        )
        self.stdout.write(
            f"{report.file_name}: {report.rows} rows, {report.households} households, "
            f"{report.members} members; "
            f"{state}: {report.households_created} households created, {report.households_updated} updated, "
            f"{report.households_unchanged} unchanged, {report.households_skipped} with errors; "
            f"{report.members_created} members created, {report.members_updated} updated; "
            f"{report.error_count} errors, {report.warning_count} warnings"
        )
