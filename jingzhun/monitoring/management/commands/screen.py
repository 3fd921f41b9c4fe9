from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jingzhun.areas.arguments import add_area_argument, area_from_options
from jingzhun.monitoring.choices import Engine
from jingzhun.monitoring.models import RiskWarning
from jingzhun.monitoring.services import screening_run_execute, screening_run_start


class Command(BaseCommand):
    help = "Screen an area for return-to-poverty risk with the rule catalogue and write warnings."

    def add_arguments(self, parser: CommandParser) -> None:
        add_area_argument(parser)
        parser.add_argument("--engine", choices=Engine.values, default=Engine.DUCKDB)
        parser.add_argument("--year", type=int, help="income year to screen (default: last year)")
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="only households changed or touched by department data since the last run",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        area = area_from_options(options)
        assert area is not None  # required
        run = screening_run_start(
            area=area,
            engine=options["engine"],
            income_year=options["year"],
            incremental=options["incremental"],
        )
        with tqdm(
            total=100,
            unit="%",
            desc=f"{area.name} [{options['engine']}]",
            disable=options["no_progress"] or options["format"] == "json",
        ) as bar:

            def progress(percent: int, stage: str) -> None:
                bar.set_postfix_str(stage)
                bar.update(percent - bar.n)

            try:
                run = screening_run_execute(run, progress=progress)
            except Exception as error:
                raise CommandError(f"screening run {run.pk} failed: {error}") from error
        warnings = (
            RiskWarning.objects.filter(last_run=run)
            .select_related("household")
            .order_by("rule_id", "household__household_number", "member_key")
        )
        if options["format"] == "json":
            rows = [
                {
                    "household": w.household.household_number,
                    "member": w.member_id,
                    "rule": w.rule_id,
                    "risk_type": w.risk_type,
                    "evidence": w.evidence,
                }
                for w in warnings
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        self.stdout.write(
            f"run {run.pk}: {run.households_screened} households screened, {run.findings} findings, "
            f"{run.warnings_created} new warnings, {run.warnings_refreshed} open warnings found again"
        )
