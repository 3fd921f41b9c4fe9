"""Screening runs and the warning worklist's transitions."""

from __future__ import annotations

import datetime
import json
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.accounts.roles import Capability
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.codelists.models import Parameter
from jingzhun.codelists.selectors import basis_digest, codes_with, parameter_value
from jingzhun.codelists.services import load_seed
from jingzhun.core.bulk import analyse, selective_statements
from jingzhun.core.runs import (
    UNFINISHED,
    Progress,
    RunStatus,
    progress_reporter,
    run_begin,
    run_enqueue,
    run_failed,
    run_succeed,
    runs_record_failure,
)
from jingzhun.departments.models import DepartmentBatch, DepartmentRecord
from jingzhun.monitoring.choices import OPEN_STATUSES, Engine, WarningStatus
from jingzhun.monitoring.engine import runner
from jingzhun.monitoring.engine.rules import RULE_FUNCTIONS, Parameters
from jingzhun.monitoring.engine.runner import months_before
from jingzhun.monitoring.models import (
    RiskWarning,
    ScreenedHousehold,
    ScreeningRule,
    ScreeningRun,
    WarningEvent,
)
from jingzhun.monitoring.signals import warning_confirmed
from jingzhun.monitoring.snapshot import export_snapshot
from jingzhun.monitoring.warning_writer import write_warnings
from jingzhun.registry.choices import CodeListKey
from jingzhun.registry.conditions import birthday_between, condition_terms
from jingzhun.registry.models import Household, Member

logger = logging.getLogger(__name__)


def load_catalogue(*, rule_model: Any = ScreeningRule, parameter_model: Any = Parameter) -> None:
    """Upsert the shipped rule catalogue and its default parameters (migrations pass historical models)."""
    data = json.loads(
        resources.files("jingzhun.monitoring").joinpath("data/catalogue.json").read_text("utf-8")
    )
    # A historical model (an earlier migration) may lack fields added since.
    fields = {field.name for field in rule_model._meta.get_fields()}
    for rule in data["rules"]:
        rule_model.objects.update_or_create(
            code=rule["code"], defaults={k: v for k, v in rule.items() if k != "code" and k in fields}
        )
    load_seed({"lists": [], "parameters": data["parameters"]}, parameter_model=parameter_model)


def screening_parameters(*, province: str, as_of: datetime.date, codes: list[str]) -> Parameters:
    year = as_of.year
    keys = {"lookback_months"}
    for rule in ScreeningRule.objects.filter(code__in=codes):
        keys.update(rule.parameters)
    values = {key: parameter_value(key, year=year, province=province) for key in sorted(keys)}
    return Parameters(
        values=values,
        conditions=condition_terms(province=province, as_of=as_of),
        worker_skills=tuple(
            sorted(codes_with(CodeListKey.LABOUR_SKILL, "worker", year=year, province=province))
        ),
        lifted_out_attributes=tuple(
            sorted(codes_with(CodeListKey.HOUSEHOLD_ATTRIBUTE, "lifted_out", year=year, province=province))
        ),
    )


# --- engines ---------------------------------------------------------------------

_spark_session: Any = None


def spark_session() -> Any:
    """A local Spark (``local[2]``) unless JINGZHUN_SPARK_MASTER names a cluster."""
    global _spark_session
    if _spark_session is None:
        import os

        from pyspark.sql import SparkSession

        master = os.environ.get("JINGZHUN_SPARK_MASTER", "local[2]")
        _spark_session = (
            SparkSession.builder.master(master)
            .appName("jingzhun-screening")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            # Executors on other machines connect back to the driver at this address.
            .config("spark.driver.host", os.environ.get("JINGZHUN_SPARK_DRIVER_HOST", "127.0.0.1"))
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate()
        )
        _spark_session.sparkContext.setLogLevel("ERROR")
    return _spark_session


def postgres_connection() -> Any:
    import ibis

    if connection.vendor != "postgresql":
        raise ValidationError(_("The PostgreSQL engine needs the register in PostgreSQL."))
    params = connection.get_connection_params()
    return ibis.postgres.connect(
        host=params.get("host") or None,
        port=params.get("port") or None,
        user=params.get("user"),
        password=params.get("password"),
        database=params.get("dbname"),
    )


@contextmanager
def _findings(
    engine: str,
    *,
    area: Area,
    work: Path,
    households: QuerySet[Household] | None,
    as_of: datetime.date,
    income_year: int,
    parameters: Parameters,
    codes: list[str],
    progress: Progress,
) -> Iterator[Iterator[pa.RecordBatch]]:
    """The findings of the rules over the area as a stream of batches, read while the
    engine's connection is open."""
    low, high = area.subtree_bounds

    def snapshot_of(tables: dict[str, Any], household_ids: list[int] | None) -> Any:
        return runner.scoped_snapshot(
            tables,
            village_low=low,
            village_high=high,
            as_of=as_of,
            income_year=income_year,
            lookback_months=int(parameters["lookback_months"]),
            household_ids=household_ids,
        )

    batch_rows = settings.SCREENING_BATCH_ROWS
    if engine == Engine.POSTGRES:
        ids = None if households is None else list(households.values_list("pk", flat=True))
        backend = postgres_connection()
        tables = runner.postgres_tables(backend)
        progress(40, _("Screening in PostgreSQL"))
        try:
            yield runner.evaluate_batches(snapshot_of(tables, ids), parameters, codes, batch_rows=batch_rows)
        finally:
            backend.disconnect()
        return
    progress(10, _("Extracting the snapshot"))
    # Only the households to screen are copied out: the snapshot needs no filter after.
    paths = export_snapshot(work, area=area, households=households)
    progress(40, _("Screening"))
    if engine == Engine.SPARK:
        backend, tables = runner.spark_tables(paths, spark_session())
    else:
        backend, tables = runner.duckdb_tables(paths, memory_limit=settings.SCREENING_DUCKDB_MEMORY_LIMIT)
    try:
        yield runner.evaluate_batches(snapshot_of(tables, None), parameters, codes, batch_rows=batch_rows)
    finally:
        if engine == Engine.DUCKDB:
            backend.disconnect()


# --- runs ------------------------------------------------------------------------


def screening_basis(parameters: Parameters, codes: list[str], income_year: int) -> str:
    """What a run's findings depend on besides the records and the day, as a digest: the
    rules run, their thresholds and code sets, the income year, every code list's items."""
    return basis_digest(parameters, codes=codes, income_year=income_year)


def _continued(run: ScreeningRun) -> ScreeningRun | None:
    """The area's last successful run, when this incremental run can continue it: on the same
    basis, for an earlier or the same day of the same year. None: screen the whole area."""
    previous = (
        ScreeningRun.objects.filter(area=run.area, status=RunStatus.SUCCEEDED).exclude(pk=run.pk).first()
    )
    if previous is None or previous.basis != run.basis:
        return None
    if previous.as_of > run.as_of or previous.as_of.year != run.as_of.year:
        return None
    return previous


def _changed_households(
    area: Area, since: datetime.datetime, days: tuple[datetime.date, datetime.date], lookback_months: int
) -> QuerySet:
    """The ids (``household_id``) of the households changed since ``since`` or touched by department
    data imported since then (a record of the household, or an area-level record of its
    village), and of those whose findings the ``days`` passing from one run's day to the next
    change with no record changing: a member a year older, a department record entering or
    leaving the look-back window. One query, not a list, so that a province's changes are
    never held in Python: a union of simple queries, each reached through an index, so that
    its cost follows what changed and not the size of the register (ORs around subqueries
    PostgreSQL cannot hash; a join to the batches it misjudges, and scans every household)."""
    in_area = Household.objects.filter(code_range_q(area, "village_id")).order_by()
    # The day's batches are a few: listed, their records are estimated from the batch's own
    # statistics rather than as an average batch.
    batches = list(DepartmentBatch.objects.filter(uploaded_at__gt=since).values_list("pk", flat=True))
    parts = [in_area.filter(updated_at__gt=since)]
    if batches:
        parts += _of_records(in_area, DepartmentRecord.objects.filter(batch_id__in=batches))
    previous_day, day = days
    if previous_day < day:
        older = Member.objects.filter(birthday_between(previous_day, day)).values("household_id")
        # Events count from the window's start to the day, a status until it ended: those
        # between the two windows' starts left it, those after the previous day entered.
        previous_start, start = (
            months_before(previous_day, lookback_months),
            months_before(day, lookback_months),
        )
        moved = DepartmentRecord.objects.filter(
            Q(event_date__gte=previous_start, event_date__lt=start)
            | Q(end_date__gte=previous_start, end_date__lt=start)
            | Q(event_date__gt=previous_day, event_date__lte=day)
        )
        parts += [in_area.filter(pk__in=older), *_of_records(in_area, moved)]
    first, *rest = (part.values(household_id=F("pk")) for part in parts)
    return first.union(*rest) if rest else first


def _of_records(
    in_area: QuerySet[Household], records: QuerySet[DepartmentRecord]
) -> list[QuerySet[Household]]:
    """The households ``records`` are about: their own, or every one of their village's."""
    records = records.order_by()
    return [
        in_area.filter(pk__in=records.filter(household__isnull=False).values("household_id")),
        in_area.filter(village_id__in=records.filter(household__isnull=True).values("village_code")),
    ]


def _held_subset(run: ScreeningRun, household_ids: QuerySet) -> QuerySet[Household]:
    """The households whose ids ``household_ids`` selects, written down once
    (ScreenedHousehold, committed: the extraction reads on connections of its own), so that
    each table's extraction, the count and the writing read a short list instead of working
    out the changes again."""
    # Those of runs that ended, or died before they could remove their own.
    ScreenedHousehold.objects.exclude(run__status__in=UNFINISHED).delete()
    sql, params = household_ids.query.sql_with_params()
    table = ScreenedHousehold._meta.db_table
    with selective_statements(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (run_id, household_id) SELECT %s, household_id FROM ({sql}) AS chosen",
            [run.pk, *params],
        )
    analyse(table)
    return Household.objects.filter(pk__in=ScreenedHousehold.objects.filter(run=run).values("household_id"))


def _require_screening(user: User | None, area: Area) -> None:
    if user is None:
        return
    if not user.can(Capability.RUN_SCREENING) or user.area is None or not user.area.contains(area.code):
        raise PermissionDenied(_("Your role may not start a screening of this area."))


def screening_run_start(
    *,
    area: Area,
    engine: str = Engine.DUCKDB,
    income_year: int | None = None,
    as_of: datetime.date | None = None,
    incremental: bool = False,
    user: User | None = None,
) -> ScreeningRun:
    """Record a run (committed at once, so that its progress can be watched)."""
    _require_screening(user, area)
    as_of = as_of or timezone.localdate()
    # A run of this area still unfinished was interrupted or is superseded by this one:
    # nothing of it was written.
    runs_record_failure(
        ScreeningRun.objects.filter(area=area),
        _("Interrupted or superseded before it finished; no warnings were written."),
    )
    return ScreeningRun.objects.create(
        area=area,
        engine=engine,
        income_year=income_year or as_of.year - 1,
        as_of=as_of,
        incremental=incremental,
        started_by=user,
    )


def screening_run_enqueue(
    *,
    user: User,
    area: Area,
    engine: str = Engine.DUCKDB,
    income_year: int | None = None,
    incremental: bool = False,
) -> ScreeningRun:
    """Record a run started from the web and hand it to the background worker."""
    from jingzhun.monitoring.tasks import screening_run_task  # the task module imports this one

    run = screening_run_start(
        area=area, engine=engine, income_year=income_year, incremental=incremental, user=user
    )
    run_enqueue(run, screening_run_task)
    return run


def screening_run_execute(run: ScreeningRun, *, progress: Progress | None = None) -> ScreeningRun:
    """Evaluate every active rule and write the warnings in one transaction, or mark the run
    failed. A run no longer queued (superseded, or taken by another worker) is left alone."""

    report = progress_reporter(run, progress)
    if not run_begin(run, _("Reading the register")):
        return run
    try:
        area = run.area
        codes = sorted(
            set(ScreeningRule.objects.filter(is_active=True).values_list("code", flat=True))
            & set(RULE_FUNCTIONS)
        )
        parameters = screening_parameters(province=area.code[:2], as_of=run.as_of, codes=codes)
        run.basis = screening_basis(parameters, codes, run.income_year)
        ScreeningRun.objects.filter(pk=run.pk).update(basis=run.basis)
        households = None
        previous = _continued(run) if run.incremental else None
        if previous is not None:
            changed = _changed_households(
                area,
                previous.started_at,
                days=(previous.as_of, run.as_of),
                lookback_months=int(parameters["lookback_months"]),
            )
            households = _held_subset(run, changed)
        screened = (
            (
                households
                if households is not None
                else Household.objects.filter(code_range_q(area, "village_id"))
            )
            .filter(is_active=True)
            .count()
        )
        if households is not None and not households.exists():
            # Nothing changed since the last run: nothing to screen, nothing to write.
            run_succeed(run, households_screened=0, findings=0, warnings_created=0, warnings_refreshed=0)
            return run
        days = int(parameter_value("warning_verification_days", year=run.as_of.year, province=area.code[:2]))
        with (
            tempfile.TemporaryDirectory(prefix=f"screening-{run.pk}-", dir=_work_dir()) as work,
            _findings(
                run.engine,
                area=area,
                work=Path(work),
                households=households,
                as_of=run.as_of,
                income_year=run.income_year,
                parameters=parameters,
                codes=codes,
                progress=report,
            ) as batches,
            transaction.atomic(),
        ):
            # The findings stream from the engine into the warnings: written together, or
            # not at all (the previous warnings stay as they were).
            counts = write_warnings(run, batches, deadline=run.as_of + datetime.timedelta(days=days))
            report(90, _("Writing warnings"))
            run_succeed(
                run,
                households_screened=screened,
                findings=counts.findings,
                warnings_created=counts.created,
                warnings_refreshed=counts.refreshed,
            )
    except Exception as error:
        logger.exception("screening run %s failed", run.pk)
        run_failed(run, error)
        raise
    finally:
        ScreenedHousehold.objects.filter(run=run).delete()
    if progress:
        progress(100, _("Done"))
    return run


def _work_dir() -> str:
    path = Path(settings.VAR_DIR) / "screening"
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


# --- the worklist -------------------------------------------------------------------

# Which status may follow which; dismissing needs a reason.
TRANSITIONS = {
    WarningStatus.NEW: {WarningStatus.VERIFYING, WarningStatus.CONFIRMED, WarningStatus.DISMISSED},
    WarningStatus.VERIFYING: {WarningStatus.CONFIRMED, WarningStatus.DISMISSED},
}


def warning_transition(*, user: User, warning: RiskWarning, to: str, note: str = "") -> RiskWarning:
    """Move a warning to ``to``, locking it; anything not in TRANSITIONS is refused and changes nothing."""
    if not user.can(Capability.VERIFY_WARNINGS):
        raise PermissionDenied(_("Your role may not verify warnings."))
    if user.area is None or not user.area.contains(warning.household.village_id):
        raise PermissionDenied(_("This household is outside your area."))
    with transaction.atomic():
        locked = RiskWarning.objects.select_for_update().get(pk=warning.pk)
        if to not in TRANSITIONS.get(WarningStatus(locked.status), set()):
            raise ValidationError(
                _("A warning that is %(current)s cannot become %(target)s.")
                % {"current": locked.get_status_display(), "target": WarningStatus(to).label}
            )
        if to == WarningStatus.DISMISSED and not note.strip():
            raise ValidationError({"note": [_("Dismissing a warning needs a reason.")]})
        WarningEvent.objects.create(
            warning=locked, from_status=locked.status, to_status=to, actor=user, note=note
        )
        locked.status = to
        if to in (WarningStatus.CONFIRMED, WarningStatus.DISMISSED):
            locked.decided_by = user
            locked.decided_at = timezone.now()
            locked.decision_note = note
        locked.save()
        if to == WarningStatus.CONFIRMED:
            # A confirmed risk is a lead: identification starts, carrying the evidence
            # (the procedures app listens; monitoring does not know it).
            warning_confirmed.send(sender=RiskWarning, warning=locked, user=user)
    return locked


def open_warning_q() -> Q:
    return Q(status__in=OPEN_STATUSES)
