from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jingzhun.areas.arguments import add_area_argument, area_from_options
from jingzhun.quality.selectors import quality_issues_for_area


class Command(BaseCommand):
    help = "List the data-quality issues (疑点数据) of every household in an area."

    def add_arguments(self, parser: CommandParser) -> None:
        add_area_argument(parser)
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        area = area_from_options(options)
        assert area is not None  # required
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
