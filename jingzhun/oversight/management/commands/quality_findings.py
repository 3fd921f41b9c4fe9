"""Enter an area's persisting data-quality errors in the rectification ledger:
`jingzhun quality_findings --area CODE`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jingzhun.areas.arguments import add_area_argument, area_from_options
from jingzhun.oversight.quality_findings import quality_findings_run


class Command(BaseCommand):
    help = "Raise rectification findings for the data-quality errors of each village of an area."

    def add_arguments(self, parser: CommandParser) -> None:
        add_area_argument(parser)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        area = area_from_options(options)
        assert area is not None  # required
        with tqdm(total=100, unit="%", desc=f"数据质量 {area.name}", disable=options["no_progress"]) as bar:
            try:
                run = quality_findings_run(
                    area=area, progress=lambda percent, _stage: bar.update(percent - bar.n)
                )
            except Exception as error:
                raise CommandError(f"the run failed and wrote no findings: {error}") from error
        self.stdout.write(
            f"{area}: {run.villages} villages with errors, {run.raised} findings raised,"
            f" {run.still_open} still open (run {run.pk})"
        )
