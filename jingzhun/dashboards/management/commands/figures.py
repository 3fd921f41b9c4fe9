"""Recount the dashboard figures of an area: `jingzhun figures --area CODE`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jingzhun.areas.arguments import add_area_argument, area_from_options
from jingzhun.dashboards.services import aggregate_refresh


class Command(BaseCommand):
    help = "Recompute the household facts and area figures of an area (and its ancestors' sums)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_area_argument(parser)
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="count again only the households changed since the last refresh (the nightly job)",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        area = area_from_options(options)
        assert area is not None  # required
        with tqdm(total=100, unit="%", desc=f"统计 {area.name}", disable=options["no_progress"]) as bar:
            try:
                run = aggregate_refresh(
                    area=area,
                    engine=options["engine"],
                    incremental=options["incremental"],
                    progress=lambda percent, _stage: bar.update(percent - bar.n),
                )
            except Exception as error:
                raise CommandError(f"refresh failed, the previous figures stay: {error}") from error
        counted = "changed households" if run.incremental else "households"
        self.stdout.write(f"{area}: {run.households} {counted}, {run.figures_written} figures (run {run.pk})")
