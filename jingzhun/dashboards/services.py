"""Refreshing the household facts and area figures: a recorded, all-or-nothing batch job."""

from __future__ import annotations

import datetime
import logging
import math
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef, Q, QuerySet
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
from jingzhun.codelists.selectors import basis_digest, code_map, codes_with
from jingzhun.core.bulk import analyse, arrow_stage, insert_arrow, selective_statements
from jingzhun.core.runs import (
    Progress,
    RunStatus,
    progress_reporter,
    run_begin,
    run_enqueue,
    run_failed,
    run_succeed,
    runs_record_failure,
)
from jingzhun.dashboards.choices import RefreshTrigger
from jingzhun.dashboards.engine import (
    FactParameters,
    counted_out,
    figure_changes,
    household_facts,
    rolled_up,
    village_figures,
)
from jingzhun.dashboards.figures import FIGURES
from jingzhun.dashboards.models import AggregateRun, AreaFigure, FactChange, HouseholdFact
from jingzhun.dashboards.tables import SCHEMAS
from jingzhun.monitoring.choices import OPEN_STATUSES, Engine
from jingzhun.monitoring.engine.runner import duckdb_tables, spark_tables
from jingzhun.monitoring.engine.tables import SCHEMAS as REGISTER_SCHEMAS
from jingzhun.monitoring.models import RiskWarning, ScreeningRule
from jingzhun.monitoring.services import spark_session
from jingzhun.monitoring.snapshot import of_households, snapshot_querysets, write_parquets
from jingzhun.projects.models import Beneficiary
from jingzhun.quality.registry import RULES
from jingzhun.quality.selectors import IssueFlags, issue_flag_queries
from jingzhun.registry.choices import CodeListKey
from jingzhun.registry.conditions import birthday_between, condition_terms
from jingzhun.registry.models import Household, Member, MonitoringObject

logger = logging.getLogger(__name__)

# Histogram of per-capita net income: bands of 1,000 yuan, the last one open-ended.
INCOME_BAND_WIDTH = 1000
INCOME_BAND_COUNT = 21
# Raised whenever the facts or figures are computed differently in code: the next refresh
# of every area then counts the whole area again.
FACTS_VERSION = 1


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


def refresh_basis(parameters: FactParameters) -> str:
    """What the facts depend on besides the records and the day, as a digest: the year,
    thresholds and code sets, the figures' definitions, the data-quality catalogue. Facts
    counted on one basis are continued on the same basis only."""
    return basis_digest(
        parameters,
        version=FACTS_VERSION,
        year=parameters.as_of.year,
        figures=[(f.key, f.where, f.group_by, f.multi, f.measure) for f in FIGURES],
        quality_rules=sorted(RULES),
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
    incremental: bool = False,
) -> AggregateRun:
    """Record a refresh (committed at once, so that its progress can be watched).
    ``incremental``: count again only the households changed since the area's facts were
    last counted (the whole area when they cannot be continued)."""
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
        incremental=incremental,
    )


def aggregate_run_enqueue(
    *, area: Area, user: User | None, trigger: str, incremental: bool = False
) -> AggregateRun:
    """Record a refresh and hand it to the background worker once the caller's transaction commits."""
    from jingzhun.dashboards.tasks import aggregate_run_task  # the task module imports this one

    run = aggregate_run_start(area=area, user=user, trigger=trigger, incremental=incremental)
    run_enqueue(run, aggregate_run_task)
    return run


def figures_refresh_after(*, area: Area, trigger: str) -> AggregateRun | None:
    """After a screening or an import changed what the figures count: queue a refresh of the area
    (unless FIGURES_REFRESH_AFTER_CHANGES is off, as in most tests), counting only what changed."""
    if not settings.FIGURES_REFRESH_AFTER_CHANGES:
        return None
    return aggregate_run_enqueue(area=area, user=None, trigger=trigger, incremental=True)


QUALITY_SCHEMA = pa.schema([("household_id", pa.int64()), ("rule", pa.string())])


def _export(
    area: Area,
    directory: Path,
    *,
    as_of: datetime.date,
    household_ids: QuerySet | None = None,
    report: Progress | None = None,
) -> dict[str, Path]:
    """The area's records the facts are counted from (only those of the households whose ids
    ``household_ids`` selects, when given: one level of subquery everywhere, which the
    planner joins well) into Parquet files."""
    chosen = None if household_ids is None else Household.objects.filter(pk__in=household_ids)
    register = snapshot_querysets(area, chosen)
    of_chosen = of_households(area, household_ids)
    querysets = {
        **{name: register[name] for name in ("households", "members", "incomes", "conditions")},
        "episodes": MonitoringObject.objects.filter(of_chosen),
        "warnings": RiskWarning.objects.filter(of_chosen, status__in=OPEN_STATUSES),
        "cases": Case.objects.filter(of_chosen, state__in=OPEN_STATES),
        "measures": Measure.objects.filter(of_chosen),
        "visits": Visit.objects.filter(of_chosen),
        "benefits": Beneficiary.objects.filter(of_chosen),
        "distributions": Distribution.objects.filter(of_chosen),
    }
    paths = {name: directory / f"{name}.parquet" for name in querysets}
    schemas = {**REGISTER_SCHEMAS, **SCHEMAS}
    selective = household_ids is not None
    write_parquets(
        ((queryset, schemas[name], paths[name]) for name, queryset in querysets.items()), selective=selective
    )
    # The data-quality catalogue is SQL (one query per rule), not Ibis: each rule's
    # (household, rule) rows stream out into a file of their own, read together as one table.
    checked = Household.objects.filter(code_range_q(area, "village_id"), is_active=True)
    if household_ids is not None:
        checked = checked.filter(pk__in=household_ids)
    if report:
        report(20, _("Checking data quality"))
    quality, flagged = directory / "quality", directory / "quality-flags"
    quality.mkdir()
    flagged.mkdir()
    queries = issue_flag_queries(checked, province=area.code[:2], today=as_of)
    files = [flagged / f"{index}.parquet" for index in range(len(queries))]
    write_parquets(
        ((query.rows, _flag_schema(query), path) for query, path in zip(queries, files, strict=True)),
        selective=selective,
    )
    for index, (query, path) in enumerate(zip(queries, files, strict=True)):
        _issue_rows(path, query.rules, quality / f"{index}.parquet")
    paths["quality"] = quality / "*.parquet"
    return paths


def _flag_schema(query: IssueFlags) -> pa.Schema:
    return pa.schema(
        [("household_id", pa.int64())] + [(f"flag_{index}", pa.bool_()) for index in range(len(query.rules))]
    )


def _issue_rows(flags: Path, rules: tuple[str, ...], path: Path) -> None:
    """A (household, flag per rule) file as the (household, rule) rows the facts read, a
    batch at a time."""
    with pq.ParquetWriter(path, QUALITY_SCHEMA) as writer:
        writer.write_table(QUALITY_SCHEMA.empty_table())
        for batch in pq.ParquetFile(flags).iter_batches():
            for index, rule in enumerate(rules):
                households = batch.column(0).filter(batch.column(index + 1))
                rows = [households, pa.repeat(pa.scalar(rule), len(households))]
                writer.write_table(pa.Table.from_arrays(rows, schema=QUALITY_SCHEMA))


def _levels(area: Area) -> dict[int, int]:
    """The levels from the area itself down to its villages, with their code-prefix lengths."""
    return {level: PREFIX_LENGTH[AreaLevel(level)] for level in range(area.level, AreaLevel.VILLAGE + 1)}


def _province(area: Area) -> Area:
    return area if area.level == AreaLevel.PROVINCE else area.ancestors()[0]


def _continues_from(run: AggregateRun) -> datetime.date | None:
    """The earliest day the area's stored facts may have been counted on, when they can be
    continued: counted in full by a refresh of the area or of one above it, and every
    refresh of the province since then on this run's basis (so this year's thresholds and
    definitions) and for no later day. None when the area must be counted in full."""
    area = run.area
    done = AggregateRun.objects.filter(status=RunStatus.SUCCEEDED).exclude(pk=run.pk)
    covering = [ancestor.code for ancestor in area.ancestors()] + [area.code]
    last = done.filter(area_id__in=covering).order_by("-started_at", "-id").first()
    if last is None:
        return None
    since_then = done.filter(code_range_q(_province(area), "area_id"), started_at__gte=last.started_at)
    if since_then.exclude(basis=run.basis).exists():
        return None
    earliest = since_then.aggregate(day=Min("as_of"))["day"]
    return earliest if earliest is not None and earliest <= run.as_of else None


def _take_marks(run: AggregateRun, *, counted_here: bool) -> None:
    """Take the marks of every household the area's register holds (``counted_here``: or its
    stored facts, as an incremental refresh counts a household that moved out wherever it is
    now; a full count leaves those for the area it moved to), and of households neither
    holds any more: committed before anything is read, so that a change committed later
    stays marked for the next refresh. Marks taken by a refresh that never finished are
    taken again."""
    low, high = run.area.subtree_bounds
    registered = Household.objects.filter(pk=OuterRef("household_id"))
    counted = HouseholdFact.objects.filter(household_id=OuterRef("household_id"))
    here = Q(Exists(registered.filter(village_id__gte=low, village_id__lte=high)))
    if counted_here:
        here |= Q(Exists(counted.filter(village_id__gte=low, village_id__lte=high)))
    FactChange.objects.filter(here | ~Exists(registered) & ~Exists(counted)).update(run=run)


def _mark_dated(run: AggregateRun, parameters: FactParameters, since: datetime.date) -> None:
    """Mark the households of the area whose facts the days from ``since`` to the run's day
    change without any record changing: a warning or a case passing its deadline, a visit
    leaving the visit interval, a member a year older (ages, in the conditions and the
    data-quality rules alike, change only on birthdays)."""
    if since >= run.as_of:
        return
    in_area = code_range_q(run.area, "household__village_id")
    interval = datetime.timedelta(days=parameters.visit_interval_days)
    # Overdue means a deadline before the day: those in [since, day) passed in between.
    passed = {"deadline__gte": since, "deadline__lt": run.as_of}
    dated = [
        RiskWarning.objects.filter(in_area, status__in=OPEN_STATUSES, **passed),
        Case.objects.filter(in_area, state__in=OPEN_STATES, **passed),
        Visit.objects.filter(in_area, visited_on__gte=since - interval, visited_on__lt=run.as_of - interval),
        Member.objects.filter(in_area, birthday_between(since, run.as_of)),
    ]
    first, *rest = (queryset.order_by().values("household_id") for queryset in dated)
    sql, params = first.union(*rest).query.sql_with_params()
    table = FactChange._meta.db_table
    with selective_statements(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (household_id, run_id) SELECT household_id, %s FROM ({sql}) AS dated",
            [run.pk, *params],
        )


def aggregate_run_execute(run: AggregateRun, *, progress: Progress | None = None) -> AggregateRun:
    """Compute the area's facts and figures and replace the stored ones in one transaction
    (with the ancestors' sums), or mark the run failed and change nothing. An incremental
    run that can continue the stored facts counts only the households marked changed (and
    those the passing days change) and corrects the figures by the difference."""

    report = progress_reporter(run, progress)
    if not run_begin(run, _("Extracting the register")):
        return run
    try:
        area = run.area
        parameters = fact_parameters(province=area.code[:2], as_of=run.as_of, income_year=run.income_year)
        run.basis = refresh_basis(parameters)
        AggregateRun.objects.filter(pk=run.pk).update(basis=run.basis)
        since = _continues_from(run) if run.incremental else None
        _take_marks(run, counted_here=since is not None)
        if since is not None:
            _mark_dated(run, parameters, since)
        # The planner's idea of how many marks this run holds, before the extraction joins them.
        analyse(FactChange._meta.db_table)
        work_dir = Path(settings.VAR_DIR) / "dashboards"
        work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f"figures-{run.pk}-", dir=work_dir) as work:
            if since is None:
                _count_all(run, parameters, Path(work), report)
            else:
                _count_changed(run, parameters, Path(work), report)
    except Exception as error:
        logger.exception("figure refresh %s failed", run.pk)
        run_failed(run, error)
        raise
    if progress:
        progress(100, _("Done"))
    return run


@contextmanager
def _engine(run: AggregateRun, paths: dict[str, Path]) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The snapshot's tables on the run's engine: DuckDB in this process (closed after), or the
    Spark session (which outlives the run)."""
    if run.engine == Engine.SPARK:
        yield spark_tables(paths, spark_session())
        return
    duck, tables = duckdb_tables(paths, memory_limit=settings.SCREENING_DUCKDB_MEMORY_LIMIT)
    try:
        yield duck, tables
    finally:
        duck.disconnect()


def _kept(run: AggregateRun, backend: Any, name: str, expression: Any) -> Any:
    """The expression computed once (a DuckDB temporary table) where it is read more than
    once; Spark plans it where it is read."""
    return expression if run.engine == Engine.SPARK else backend.create_table(name, expression, temp=True)


def _facts(run: AggregateRun, backend: Any, tables: dict[str, Any], parameters: FactParameters) -> Any:
    """The households' facts, computed once into a DuckDB temporary table, a chunk of about
    FIGURES_CHUNK_HOUSEHOLDS households at a time: while a chunk's records are summed up per
    household its lists of codes are held in memory, which DuckDB cannot spill (a million
    households' did not fit in 1 GB), and the table they go into can. Spark plans them whole
    where they are read."""
    if run.engine == Engine.SPARK:
        return household_facts(tables, parameters)
    households = int(tables["households"].count().execute())
    chunks = max(1, math.ceil(households / settings.FIGURES_CHUNK_HOUSEHOLDS))
    facts = backend.create_table("facts", household_facts(_chunk(tables, 0, chunks), parameters), temp=True)
    for chunk in range(1, chunks):
        backend.insert("facts", household_facts(_chunk(tables, chunk, chunks), parameters))
    return facts


def _chunk(tables: dict[str, Any], chunk: int, chunks: int) -> dict[str, Any]:
    """The rows of the households whose id is ``chunk`` modulo ``chunks`` (all when one)."""
    if chunks == 1:
        return tables

    def key(table: Any) -> Any:
        return table["household_id" if "household_id" in table.columns else "id"]

    return {name: table.filter(key(table) % chunks == chunk) for name, table in tables.items()}


def _stored_facts(backend: Any, stored: QuerySet, like: Any, path: Path, *, selective: bool) -> Any:
    """Stored household facts (``stored``) read back into the engine, shaped as ``like``
    (``selective``: a few households' of many, as write_parquets)."""
    write_parquets([(stored, like.schema().to_pyarrow(), path)], selective=selective)
    return backend.read_parquet(str(path), table_name=path.stem)


def _count_all(run: AggregateRun, parameters: FactParameters, work: Path, report: Progress) -> None:
    area = run.area
    report(5, _("Extracting the register"))
    paths = _export(area, work, as_of=run.as_of, report=report)
    report(40, _("Counting"))
    with _engine(run, paths) as (backend, tables):
        facts = _facts(run, backend, tables, parameters)
        villages = _kept(run, backend, "villages", village_figures(facts, FIGURES))
        figures = rolled_up(villages, _levels(area))
        # Households of the area whose stored facts lie in a village outside it (they moved in):
        # counted out of that village, at every level, before they are counted here.
        moved_in = HouseholdFact.objects.filter(
            ~code_range_q(area, "village_id"), code_range_q(area, "household__village_id")
        )
        moved = _stored_facts(backend, moved_in, facts, work / "moved_in_facts.parquet", selective=False)
        moved_out = rolled_up(counted_out(moved, FIGURES), _levels(_province(area)))
        report(70, _("Writing the figures"))
        # Streamed from the engine into the database in one transaction: never all facts
        # in memory, and the previous figures stay if anything fails.
        with transaction.atomic():
            _add_to_figures(run, _stream(moved_out))
            moved_in.delete()
            households, written = _replace(run, area, _stream(facts), _stream(figures))
            FactChange.objects.filter(run=run).delete()
            run_succeed(run, households=households, figures_written=written, incremental=False)


def _count_changed(run: AggregateRun, parameters: FactParameters, work: Path, report: Progress) -> None:
    """Count the marked households again and correct every level's figures by what their
    new facts add and their stored facts no longer do (a household that moved counts out of
    its old village and into its new one, wherever they lie)."""
    province = _province(run.area)
    marked = FactChange.objects.filter(run=run).values("household_id")
    if not marked.exists():
        # Nothing changed and no day's passing changed anything: the figures stand as they are.
        run_succeed(run, households=0, figures_written=0, incremental=True)
        return
    report(5, _("Extracting the register"))
    paths = _export(province, work, as_of=run.as_of, household_ids=marked, report=report)
    report(40, _("Counting"))
    with _engine(run, paths) as (backend, tables):
        facts = _facts(run, backend, tables, parameters)
        stored = HouseholdFact.objects.filter(household_id__in=marked)
        previous = _stored_facts(backend, stored, facts, work / "previous_facts.parquet", selective=True)
        changes = figure_changes(village_figures(facts, FIGURES), village_figures(previous, FIGURES))
        rolled = rolled_up(changes, _levels(province))
        report(70, _("Writing the figures"))
        with selective_statements():  # a transaction: all the corrections, or none
            stored.delete()
            households = insert_arrow(HouseholdFact, _stream(facts), constants={"run_id": run.pk})
            written = _add_to_figures(run, _stream(rolled.filter(rolled.value != 0)))
            FactChange.objects.filter(run=run).delete()
            run_succeed(run, households=households, figures_written=written, incremental=True)


def _stream(expression: Any) -> Iterator[Any]:
    """The expression's rows as record batches, its query started only when first read (one
    DuckDB connection streams one result at a time)."""
    yield from expression.to_pyarrow_batches(chunk_size=settings.SCREENING_BATCH_ROWS)


# The stage of figure changes: the columns of AreaFigure they add to.
CHANGE_COLUMNS = (
    ("area_code", "varchar(12)"),
    ("level", "smallint"),
    ("figure", "varchar(40)"),
    ("key", "varchar(40)"),
    ("value", "bigint"),
)


def _add_to_figures(run: AggregateRun, changes: Iterable[Any]) -> int:
    """Add each (area, figure, key) change to the stored value (a new row where there was
    none), and remove the rows it brings to zero (no figure is stored as zero): staged,
    then one upsert and one delete."""
    quote = connection.ops.quote_name
    table, key = quote(AreaFigure._meta.db_table), quote("key")
    names = [name for name, _type in CHANGE_COLUMNS]
    columns = ", ".join(quote(name) for name in names)
    ordered = (batch.select(names) for batch in changes)
    with arrow_stage(CHANGE_COLUMNS, ordered) as (stage, written), connection.cursor() as cursor:
        # "WHERE true": SQLite's upsert after a SELECT needs it to parse.
        cursor.execute(
            f"INSERT INTO {table} ({columns}, run_id) SELECT {columns}, %s FROM {stage} WHERE true"
            f" ON CONFLICT (area_code, figure, {key}) DO UPDATE"
            f" SET value = {table}.value + excluded.value, run_id = excluded.run_id",
            [run.pk],
        )
        cursor.execute(
            f"DELETE FROM {table} WHERE value = 0 AND EXISTS (SELECT 1 FROM {stage} AS s"
            f" WHERE s.area_code = {table}.area_code AND s.figure = {table}.figure"
            f" AND s.{key} = {table}.{key})"
        )
    return written


def _replace(run: AggregateRun, area: Area, facts: Iterable[Any], figures: Iterable[Any]) -> tuple[int, int]:
    """Replace the area's facts and figures with the batches given, and sum its ancestors'
    figures again; returns how many facts and figures were written."""
    # Straight from Arrow: COPY on PostgreSQL, no Python object per fact or figure.
    HouseholdFact.objects.filter(code_range_q(area, "village_id")).delete()
    households = insert_arrow(HouseholdFact, facts, constants={"run_id": run.pk})
    AreaFigure.objects.filter(code_range_q(area, "area_code")).delete()
    written = insert_arrow(AreaFigure, figures, constants={"run_id": run.pk})
    # The areas above the refreshed one: sums of all their villages, fresh and older alike,
    # one INSERT … SELECT each (no figure is stored as zero).
    table = connection.ops.quote_name(AreaFigure._meta.db_table)
    key = connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        for ancestor in area.ancestors():
            AreaFigure.objects.filter(area_code=ancestor.code).delete()
            low, high = ancestor.subtree_bounds
            cursor.execute(
                f"INSERT INTO {table} (area_code, level, figure, {key}, value, run_id)"
                f" SELECT %s, %s, figure, {key}, SUM(value), %s FROM {table}"
                f" WHERE area_code BETWEEN %s AND %s AND level = %s GROUP BY figure, {key}"
                " HAVING SUM(value) <> 0",
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
    incremental: bool = False,
) -> AggregateRun:
    """Start and run a refresh in this process (commands, the demo, tests)."""
    run = aggregate_run_start(
        area=area, user=user, trigger=trigger, as_of=as_of, engine=engine, incremental=incremental
    )
    return aggregate_run_execute(run, progress=progress)
