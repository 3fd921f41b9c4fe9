from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jingzhun.areas.codes import InvalidAreaCode, normalise_code
from jingzhun.areas.models import Area
from jingzhun.quality.selectors import quality_issues_for_area


class Command(BaseCommand):
    help = "List the data-quality issues (疑点数据) of every household in an area."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="area code (2, 4, 6, 9 or 12 digits)")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            area = Area.objects.get(code=normalise_code(options["area"]))
        except (InvalidAreaCode, Area.DoesNotExist) as error:
            raise CommandError(f"unknown area {options['area']}: {error}") from None
        issues = quality_issues_for_area(area=area)
        if options["format"] == "json":
            rows = [
                {
                    "household": i.household,
                    "member": i.member,
                    "rule": i.rule,
                    "message": i.message,
                    "severity": i.severity,
                }
                for i in issues
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"{'household':<22} {'member':<10} {'rule':<24} message")
        for issue in issues:
            self.stdout.write(
                f"{issue.household:<22} {issue.member or '-':<10} {issue.rule:<24} {issue.message}"
            )
        self.stdout.write(f"{len(issues)} issues in {area}")
