from __future__ import annotations

import datetime
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.codes import InvalidAreaCode, normalise_code
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.dashboards.assessment import assessment_run
from jingzhun.dashboards.choices import RefreshTrigger
from jingzhun.dashboards.services import aggregate_refresh
from jingzhun.demo.generator import CountyGenerator, clear_county
from jingzhun.demo.oversight import demo_oversight
from jingzhun.demo.procedures import demo_procedures
from jingzhun.demo.projects import demo_projects
from jingzhun.monitoring.services import screening_run_execute, screening_run_start
from jingzhun.registry.models import Household


class Command(BaseCommand):
    help = "Generate a reproducible demo county: townships, villages, households, members and demo users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--county", default="150124", help="6-digit county code (default 150124 清水河县)"
        )
        parser.add_argument("--households", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reference-date",
            type=datetime.date.fromisoformat,
            default=None,
            help="date ages and incomes are relative to (default: 1 January of this year)",
        )
        parser.add_argument("--replace", action="store_true", help="remove the county's register first")
        parser.add_argument(
            "--screen", action="store_true", help="then screen the county with the rule catalogue"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            county = Area.objects.get(code=normalise_code(options["county"]), level=AreaLevel.COUNTY)
        except (InvalidAreaCode, Area.DoesNotExist):
            raise CommandError(f"{options['county']} is not a known county code") from None
        if options["households"] < 1:
            raise CommandError("--households must be at least 1")
        if Household.objects.filter(code_range_q(county, "village_id")).exists():
            if not options["replace"]:
                raise CommandError(f"{county} already has households; pass --replace to generate it anew")
            clear_county(county)
        reference = options["reference_date"] or timezone.localdate()
        started = time.perf_counter()
        with tqdm(
            total=options["households"], unit="户", disable=options["no_progress"], desc=str(county)
        ) as bar:
            report = CountyGenerator(
                county=county,
                households=options["households"],
                seed=options["seed"],
                reference=reference,
                progress=bar.update,
            ).generate()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{county}: {report.townships} townships, {report.villages} villages, "
            f"{report.households} households, {report.members} members, "
            f"{report.monitoring_objects} monitoring objects, {report.department_records} department records "
            f"in {elapsed:.1f} s"
        )
        if options["screen"]:
            self._screen(county, reference, quiet=options["no_progress"])
        village = (
            Area.objects.filter(code_range_q(county, "code"), level=AreaLevel.VILLAGE)
            .order_by("code")
            .first()
        )
        if village is not None:
            work = demo_procedures(county=county, village=village, today=timezone.localdate())
            self.stdout.write(
                f"procedures in {village.name}: {work['cases']} cases under way, "
                f"{work['paired']} households paired"
            )
            money = demo_projects(county=county, village=village, today=timezone.localdate())
            self.stdout.write(
                f"projects in {village.name}: {money['projects']} projects, {money['funds']} funds, "
                f"{money['findings']} fund findings"
            )
            checks = demo_oversight(county=county, village=village, today=timezone.localdate())
            self.stdout.write(
                f"oversight: {checks['sampled']} households sampled, "
                f"{checks['questionnaires']} questionnaires, {checks['findings']} findings, "
                f"{checks['calls']} phone checks"
            )
        self._figures(county, quiet=options["no_progress"])
        assessment = assessment_run(area=county)
        self.stdout.write(f"assessment: {assessment.areas} townships scored")
        self.stdout.write("Demo accounts (user / password / role / area):")
        for username, password, role, area in report.users:
            self.stdout.write(f"  {username:<10} {password:<14} {role:<12} {area}")
        if settings.TWO_FACTOR_REQUIRED:
            self.stdout.write(
                "County officers, supervisors and administrators set up an authenticator app "
                "(TOTP) at their first log-in."
            )

    def _figures(self, county: Area, *, quiet: bool) -> None:
        started = time.perf_counter()
        with tqdm(total=100, unit="%", desc="统计 figures", disable=quiet) as bar:
            run = aggregate_refresh(
                area=county,
                trigger=RefreshTrigger.DEMO,
                progress=lambda percent, _stage: bar.update(percent - bar.n),
            )
        self.stdout.write(
            f"figures: {run.households} households, {run.figures_written} figures "
            f"in {time.perf_counter() - started:.1f} s"
        )

    def _screen(self, county: Area, reference: datetime.date, *, quiet: bool) -> None:
        run = screening_run_start(area=county, as_of=reference)
        started = time.perf_counter()
        with tqdm(total=100, unit="%", desc="筛查 screening", disable=quiet) as bar:
            run = screening_run_execute(run, progress=lambda percent, _stage: bar.update(percent - bar.n))
        self.stdout.write(
            f"screening run {run.pk}: {run.households_screened} households, "
            f"{run.warnings_created} warnings in {time.perf_counter() - started:.1f} s"
        )
