"""Refreshing the household facts and area figures: a recorded, all-or-nothing batch job."""

from __future__ import annotations

import datetime
import logging
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.accounts.roles import Capability
from jingzhun.areas.choices import PREFIX_LENGTH, AreaLevel
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.assets.models import Distribution
from jingzhun.assistance.choices import MeasureStatus
from jingzhun.assistance.models import Measure, Visit
from jingzhun.assistance.selectors import visit_interval_days
from jingzhun.cases.choices import OPEN_STATES
from jingzhun.cases.models import Case
from jingzhun.codelists.selectors import code_map, codes_with
from jingzhun.core.bulk import insert_arrow
from jingzhun.core.runs import (
    Progress,
    progress_reporter,
    run_begin,
    run_enqueue,
    run_failed,
    run_succeed,
    runs_record_failure,
)
from jingzhun.dashboards.choices import RefreshTrigger
from jingzhun.dashboards.engine import FactParameters, household_facts, rolled_up, village_figures
from jingzhun.dashboards.figures import FIGURES
from jingzhun.dashboards.models import AggregateRun, AreaFigure, HouseholdFact
from jingzhun.dashboards.tables import SCHEMAS
from jingzhun.monitoring.choices import OPEN_STATUSES, Engine
from jingzhun.monitoring.engine.runner import duckdb_tables, spark_tables
from jingzhun.monitoring.models import RiskWarning, ScreeningRule
from jingzhun.monitoring.services import spark_session
from jingzhun.monitoring.snapshot import export_snapshot, write_parquet
from jingzhun.projects.models import Beneficiary
from jingzhun.quality.selectors import issue_household_querysets
from jingzhun.registry.choices import CodeListKey
from jingzhun.registry.conditions import condition_terms
from jingzhun.registry.models import Household, MonitoringObject

logger = logging.getLogger(__name__)

# Histogram of per-capita net income: bands of 1,000 yuan, the last one open-ended.
INCOME_BAND_WIDTH = 1000
INCOME_BAND_COUNT = 21


def fact_parameters(*, province: str, as_of: datetime.date, income_year: int) -> FactParameters:
    """The thresholds and code sets in force for the province and year, as the engine needs them."""
    year = as_of.year
    measures = code_map(CodeListKey.ASSISTANCE_MEASURE, year=year, province=province)
    return FactParameters(
        as_of=as_of,
        income_year=income_year,
        conditions=condition_terms(province=province, as_of=as_of),
        income_band_width=INCOME_BAND_WIDTH,
        income_band_count=INCOME_BAND_COUNT,
        development_measures=tuple(
            sorted(codes_with(CodeListKey.ASSISTANCE_MEASURE, "development", year=year, province=province))
        ),
        measure_answers=tuple(
            sorted(
                (code, risk)
                for code, item in measures.items()
                for risk in item.attributes.get("risk_types", [])
            )
        ),
        rule_departments=tuple(ScreeningRule.objects.order_by("code").values_list("code", "department")),
        open_warning_statuses=tuple(str(status) for status in OPEN_STATUSES),
        open_case_states=tuple(sorted(str(state) for state in OPEN_STATES)),
        cancelled_measure_status=str(MeasureStatus.CANCELLED),
        visit_interval_days=visit_interval_days(province),
    )


def _require_refresh(user: User | None, area: Area) -> None:
    if user is None:
        return
    if not user.can(Capability.REFRESH_FIGURES) or user.area is None or not user.area.contains(area.code):
        raise PermissionDenied(_("You may not refresh the figures of this area."))


def aggregate_run_start(
    *,
    area: Area,
    user: User | None = None,
    trigger: str = RefreshTrigger.MANUAL,
    as_of: datetime.date | None = None,
    income_year: int | None = None,
    engine: str = Engine.DUCKDB,
) -> AggregateRun:
    """Record a refresh (committed at once, so that its progress can be watched)."""
    _require_refresh(user, area)
    if engine not in (Engine.DUCKDB, Engine.SPARK):
        raise ValidationError(_("Figures are counted on DuckDB or Spark."))
    as_of = as_of or timezone.localdate()
    # A refresh of this area still unfinished was interrupted or is superseded by this one:
    # none of it was written.
    runs_record_failure(
        AggregateRun.objects.filter(area=area),
        _("Interrupted or superseded before it finished; no figures were written."),
    )
    return AggregateRun.objects.create(
        area=area,
        as_of=as_of,
        income_year=income_year or as_of.year - 1,
        trigger=trigger,
        started_by=user,
        engine=engine,
    )


def aggregate_run_enqueue(*, area: Area, user: User | None, trigger: str) -> AggregateRun:
    """Record a refresh and hand it to the background worker once the caller's transaction commits."""
    from jingzhun.dashboards.tasks import aggregate_run_task  # the task module imports this one

    run = aggregate_run_start(area=area, user=user, trigger=trigger)
    run_enqueue(run, aggregate_run_task)
    return run


def figures_refresh_after(*, area: Area, trigger: str) -> AggregateRun | None:
    """After a screening or an import changed what the figures count: queue a refresh of the area
    (unless FIGURES_REFRESH_AFTER_CHANGES is off, as in most tests)."""
    if not settings.FIGURES_REFRESH_AFTER_CHANGES:
        return None
    return aggregate_run_enqueue(area=area, user=None, trigger=trigger)


QUALITY_SCHEMA = pa.schema([("household_id", pa.int64()), ("rule", pa.string())])


def _export(area: Area, directory: Path) -> dict[str, Path]:
    paths = export_snapshot(directory, area=area, tables=("households", "members", "incomes", "conditions"))
    in_area = code_range_q(area, "household__village_id")
    querysets = {
        "episodes": MonitoringObject.objects.filter(in_area),
        "warnings": RiskWarning.objects.filter(in_area, status__in=OPEN_STATUSES),
        "cases": Case.objects.filter(in_area, state__in=OPEN_STATES),
        "measures": Measure.objects.filter(in_area),
        "visits": Visit.objects.filter(in_area),
        "benefits": Beneficiary.objects.filter(in_area),
        "distributions": Distribution.objects.filter(in_area),
    }
    for name, queryset in querysets.items():
        paths[name] = directory / f"{name}.parquet"
        write_parquet(queryset, SCHEMAS[name], paths[name])
    # The data-quality catalogue is SQL (one query per rule), not Ibis: each rule's
    # (household, rule) rows stream out into a file of their own, read together as one table.
    households = Household.objects.filter(code_range_q(area, "village_id"), is_active=True)
    quality = directory / "quality"
    quality.mkdir()
    for code, queryset in issue_household_querysets(households, province=area.code[:2]).items():
        write_parquet(queryset, QUALITY_SCHEMA, quality / f"{code}.parquet")
    paths["quality"] = quality / "*.parquet"
    return paths


def _levels(area: Area) -> dict[int, int]:
    """The levels from the area itself down to its villages, with their code-prefix lengths."""
    return {level: PREFIX_LENGTH[AreaLevel(level)] for level in range(area.level, AreaLevel.VILLAGE + 1)}


def aggregate_run_execute(run: AggregateRun, *, progress: Progress | None = None) -> AggregateRun:
    """Compute the area's facts and figures in DuckDB and replace the stored ones in one
    transaction (with the ancestors' sums), or mark the run failed and change nothing."""

    report = progress_reporter(run, progress)
    if not run_begin(run, _("Extracting the register")):
        return run
    try:
        area = run.area
        parameters = fact_parameters(province=area.code[:2], as_of=run.as_of, income_year=run.income_year)
        work_dir = Path(settings.VAR_DIR) / "dashboards"
        work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f"figures-{run.pk}-", dir=work_dir) as work:
            report(5, _("Extracting the register"))
            paths = _export(area, Path(work))
            report(40, _("Counting"))
            if run.engine == Engine.SPARK:
                duck, tables = spark_tables(paths, spark_session())
                facts = household_facts(tables, parameters)
                villages = village_figures(facts, FIGURES)
            else:
                duck, tables = duckdb_tables(paths, memory_limit=settings.SCREENING_DUCKDB_MEMORY_LIMIT)
                facts = duck.create_table("facts", household_facts(tables, parameters), temp=True)
                villages = duck.create_table("villages", village_figures(facts, FIGURES), temp=True)
            try:
                figures = rolled_up(villages, _levels(area))
                report(70, _("Writing the figures"))
                # Streamed from DuckDB into the database in one transaction: never all facts
                # in memory, and the previous figures stay if anything fails.
                with transaction.atomic():
                    households, written = _replace(run, area, _stream(facts), _stream(figures))
                    run_succeed(run, households=households, figures_written=written)
            finally:
                if run.engine == Engine.DUCKDB:  # a Spark session outlives the run
                    duck.disconnect()
    except Exception as error:
        logger.exception("figure refresh %s failed", run.pk)
        run_failed(run, error)
        raise
    if progress:
        progress(100, _("Done"))
    return run


def _stream(expression: Any) -> Iterator[Any]:
    """The expression's rows as record batches, its query started only when first read (one
    DuckDB connection streams one result at a time)."""
    yield from expression.to_pyarrow_batches(chunk_size=settings.SCREENING_BATCH_ROWS)


def _replace(run: AggregateRun, area: Area, facts: Iterable[Any], figures: Iterable[Any]) -> tuple[int, int]:
    """Replace the area's facts and figures with the batches given, and sum its ancestors'
    figures again; returns how many facts and figures were written."""
    # Straight from Arrow: COPY on PostgreSQL, no Python object per fact or figure.
    HouseholdFact.objects.filter(code_range_q(area, "village_id")).delete()
    households = insert_arrow(HouseholdFact, facts, constants={"run_id": run.pk})
    AreaFigure.objects.filter(code_range_q(area, "area_code")).delete()
    written = insert_arrow(AreaFigure, figures, constants={"run_id": run.pk})
    # The areas above the refreshed one: sums of all their villages, fresh and older alike.
    # The areas above the refreshed one: sums of all their villages, fresh and older alike,
    # one INSERT … SELECT each.
    table = connection.ops.quote_name(AreaFigure._meta.db_table)
    key = connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        for ancestor in area.ancestors():
            AreaFigure.objects.filter(area_code=ancestor.code).delete()
            low, high = ancestor.subtree_bounds
            cursor.execute(
                f"INSERT INTO {table} (area_code, level, figure, {key}, value, run_id)"
                f" SELECT %s, %s, figure, {key}, SUM(value), %s FROM {table}"
                f" WHERE area_code BETWEEN %s AND %s AND level = %s GROUP BY figure, {key}",
                [ancestor.code, ancestor.level, run.pk, low, high, AreaLevel.VILLAGE],
            )
    return households, written


def aggregate_refresh(
    *,
    area: Area,
    user: User | None = None,
    trigger: str = RefreshTrigger.MANUAL,
    as_of: datetime.date | None = None,
    progress: Progress | None = None,
    engine: str = Engine.DUCKDB,
) -> AggregateRun:
    """Start and run a refresh in this process (commands, the demo, tests)."""
    run = aggregate_run_start(area=area, user=user, trigger=trigger, as_of=as_of, engine=engine)
    return aggregate_run_execute(run, progress=progress)
