"""Dynamic fund monitoring (资金动态监控): runs of the fund rules over an area, on DuckDB
(Parquet snapshot), PostgreSQL (in-database) or Spark, and the findings' worklist.

A run writes its findings in one transaction: a subject found for the first time gets a
new finding, one found again is refreshed, and an open finding no longer found is
marked resolved. A finding is confirmed (to be rectified) or dismissed with a reason.
"""

from __future__ import annotations

import datetime
import json
import logging
import tempfile
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.assets.models import Asset
from jingzhun.codelists.models import Parameter
from jingzhun.codelists.selectors import codes_with, parameter_value
from jingzhun.codelists.services import load_seed
from jingzhun.core.runs import (
    Progress,
    progress_reporter,
    run_begin,
    run_enqueue,
    run_failed,
    run_succeed,
    runs_record_failure,
)
from jingzhun.funds.choices import OPEN_FINDING_STATUSES, FindingStatus, FundEngine
from jingzhun.funds.engine import runner
from jingzhun.funds.engine.rules import FUND_RULE_FUNCTIONS, FundParameters
from jingzhun.funds.engine.tables import DATABASE_TABLES, SCHEMAS
from jingzhun.funds.models import Fund, FundFinding, FundMonitoringRun, FundMovement, FundRule
from jingzhun.funds.signals import fund_finding_confirmed
from jingzhun.monitoring.engine.runner import duckdb_tables, postgres_tables, spark_tables
from jingzhun.monitoring.services import postgres_connection, spark_session
from jingzhun.projects.models import Beneficiary, Project
from jingzhun.registry.models import Household, Member

logger = logging.getLogger(__name__)
CHUNK = 50_000
# Who runs the fund rules and decides on findings: the county office and its finance office.
MONITORING_ROLES = frozenset({Role.COUNTY_OFFICER, Role.FINANCE_OFFICER, Role.SYSTEM_ADMIN})


# --- the catalogue ----------------------------------------------------------------


def fund_rule_seed() -> dict[str, Any]:
    return json.loads(resources.files("jingzhun.funds").joinpath("data/fund_rules.json").read_text("utf-8"))


def load_fund_rules(*, rule_model: Any = FundRule, parameter_model: Any = Parameter) -> None:
    """Upsert the catalogue and its default parameters (a data migration passes its models)."""
    seed = fund_rule_seed()
    for order, rule in enumerate(seed["rules"]):
        rule_model.objects.update_or_create(code=rule["code"], defaults={**rule, "sort_order": order})
    load_seed({"lists": [], "parameters": seed["parameters"]}, parameter_model=parameter_model)


def fund_parameters(*, province: str, as_of: datetime.date) -> FundParameters:
    names = {name for rule in fund_rule_seed()["rules"] for name in rule["parameters"]}
    values = {name: Decimal(str(parameter_value(name, year=as_of.year, province=province))) for name in names}
    industry = codes_with("project_category", "industry", province=province)
    return FundParameters(values=values, industry_categories=tuple(sorted(industry)) or ("01",))


# --- the snapshot -------------------------------------------------------------------


def _fen(column: str) -> Cast:
    # The stored fen as they are: Cast to a plain integer skips the yuan conversion.
    return Cast(column, BigIntegerField())


def _write(queryset: QuerySet, schema: pa.Schema, path: Path) -> None:
    names = schema.names
    money = {"amount"} & set(names)
    rows = queryset.annotate(**{f"{name}_fen": _fen(name) for name in money}).values_list(
        *[f"{name}_fen" if name in money else name for name in names]
    )
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[tuple[Any, ...]] = []
        for row in rows.order_by().iterator(chunk_size=CHUNK):
            batch.append(row)
            if len(batch) >= CHUNK:
                writer.write_table(_table(batch, schema))
                batch = []
        writer.write_table(_table(batch, schema))


def _table(rows: list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in schema.names]
    return pa.Table.from_arrays(
        [pa.array(list(c), t) for c, t in zip(columns, schema.types, strict=True)], schema=schema
    )


def export_fund_snapshot(directory: Path, *, area: Area) -> dict[str, Path]:
    in_area = code_range_q(area, "area_id")
    querysets = {
        "funds": Fund.objects.filter(in_area),
        "movements": FundMovement.objects.filter(code_range_q(area, "fund__area_id")),
        "projects": Project.objects.filter(in_area),
        "beneficiaries": Beneficiary.objects.filter(code_range_q(area, "project__area_id")),
        "households": Household.objects.filter(code_range_q(area, "village_id")),
        "people": Member.objects.filter(code_range_q(area, "household__village_id")),
        "assets": Asset.objects.filter(code_range_q(area, "project__area_id")),
    }
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, queryset in querysets.items():
        paths[name] = directory / f"{name}.parquet"
        _write(queryset, SCHEMAS[name], paths[name])
    return paths


def evaluate_fund_rules(
    engine: str, *, area: Area, as_of: datetime.date, codes: list[str], work: Path, progress: Progress
) -> pa.Table:
    parameters = fund_parameters(province=area.code[:2], as_of=as_of)
    low, high = area.subtree_bounds
    if engine == FundEngine.POSTGRES:
        backend = postgres_connection()
        try:
            tables = postgres_tables(backend, SCHEMAS, DATABASE_TABLES)
            progress(40, _("Checking in PostgreSQL"))
            snapshot = runner.scoped_snapshot(tables, area_low=low, area_high=high, as_of=as_of)
            return runner.evaluate(snapshot, parameters, codes)
        finally:
            backend.disconnect()
    progress(10, _("Extracting the snapshot"))
    paths = export_fund_snapshot(work, area=area)
    progress(40, _("Checking the rules"))
    if engine == FundEngine.SPARK:
        backend, tables = spark_tables(paths, spark_session())
    else:
        backend, tables = duckdb_tables(paths, memory_limit=settings.SCREENING_DUCKDB_MEMORY_LIMIT)
    try:
        # The export holds only the area's rows: no need to scope them again.
        return runner.evaluate(runner.whole_snapshot(tables, as_of=as_of), parameters, codes)
    finally:
        if engine == FundEngine.DUCKDB:
            backend.disconnect()


# --- runs ---------------------------------------------------------------------------


def _require_monitoring(user: User | None, area: Area) -> None:
    if user is None:
        return  # the command line and the nightly timer
    if user.role not in MONITORING_ROLES or user.area is None or not user.area.contains(area.code):
        raise PermissionDenied(_("Only the county office or its finance office checks the funds."))


def fund_monitoring_start(
    *,
    area: Area,
    engine: str = FundEngine.DUCKDB,
    as_of: datetime.date | None = None,
    user: User | None = None,
) -> FundMonitoringRun:
    _require_monitoring(user, area)
    runs_record_failure(
        FundMonitoringRun.objects.filter(area=area),
        _("Interrupted or superseded before it finished; no findings were written."),
    )
    return FundMonitoringRun.objects.create(
        area=area, engine=engine, as_of=as_of or timezone.localdate(), started_by=user
    )


def _subject_key(row: dict[str, Any]) -> str:
    parts = [row["rule"]] + [
        str(row[name] or "") for name in ("area_id", "fund_id", "project_id", "movement_id", "household_id")
    ]
    # An area's finding is one per year (the detail): next year's is another finding.
    if row["fund_id"] is None and row["project_id"] is None:
        parts.append(str(row["detail"]))
    return ":".join(parts)


def _evidence(row: dict[str, Any]) -> dict[str, str]:
    def text(value: Any) -> str:
        return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)

    return {key: text(row[key]) for key in ("value", "threshold", "detail") if row[key] not in (None, "")}


def _write_findings(run: FundMonitoringRun, findings: pa.Table) -> tuple[int, int]:
    rows = findings.to_pylist()
    open_findings = {
        f.subject_key: f
        for f in FundFinding.objects.filter(
            code_range_q(run.area, "area_id"), status__in=OPEN_FINDING_STATUSES
        )
    }
    new, again, seen = [], [], set()
    for row in rows:
        key = _subject_key(row)
        seen.add(key)
        existing = open_findings.get(key)
        if existing is not None:
            existing.last_run, existing.evidence = run, _evidence(row)
            again.append(existing)
            continue
        new.append(
            FundFinding(
                rule_id=row["rule"],
                area_id=row["area_id"],
                fund_id=row["fund_id"],
                project_id=row["project_id"],
                movement_id=row["movement_id"],
                household_id=row["household_id"],
                subject_key=key,
                evidence=_evidence(row),
                first_run=run,
                last_run=run,
            )
        )
    FundFinding.objects.bulk_create(new, batch_size=2000)
    FundFinding.objects.bulk_update(again, ["last_run", "evidence"], batch_size=2000)
    gone = [f.pk for key, f in open_findings.items() if key not in seen and f.status == FindingStatus.OPEN]
    FundFinding.objects.filter(pk__in=gone).update(status=FindingStatus.RESOLVED, decided_at=timezone.now())
    return len(new), len(gone)


def fund_monitoring_execute(run: FundMonitoringRun, *, progress: Progress | None = None) -> FundMonitoringRun:
    """Evaluate every active fund rule and write the findings in one transaction, or mark the run failed."""
    report = progress_reporter(run, progress)
    if not run_begin(run, _("Reading the funds")):
        return run
    try:
        codes = sorted(
            set(FundRule.objects.filter(is_active=True).values_list("code", flat=True))
            & set(FUND_RULE_FUNCTIONS)
        )
        work_root = Path(settings.VAR_DIR) / "screening"
        work_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f"funds-{run.pk}-", dir=work_root) as work:
            findings = evaluate_fund_rules(
                run.engine, area=run.area, as_of=run.as_of, codes=codes, work=Path(work), progress=report
            )
        report(80, _("Writing findings"))
        with transaction.atomic():
            created, resolved = _write_findings(run, findings)
            run_succeed(run, findings=findings.num_rows, created=created, resolved=resolved)
    except Exception as error:
        logger.exception("fund monitoring run %s failed", run.pk)
        run_failed(run, error)
        raise
    return run


def fund_monitoring_enqueue(*, user: User, area: Area, engine: str = FundEngine.DUCKDB) -> FundMonitoringRun:
    """Record a run started from the web and hand it to the background worker."""
    from jingzhun.funds.tasks import fund_monitoring_task  # the task module imports this one

    run = fund_monitoring_start(area=area, engine=engine, user=user)
    run_enqueue(run, fund_monitoring_task)
    return run


# --- the worklist -------------------------------------------------------------------

FINDING_TRANSITIONS = {FindingStatus.OPEN: {FindingStatus.CONFIRMED, FindingStatus.DISMISSED}}


def finding_decide(*, user: User, finding: FundFinding, to: str, note: str = "") -> FundFinding:
    """Confirm a finding (it goes to rectification) or dismiss it with a reason."""
    if user.role not in MONITORING_ROLES or user.area is None or not user.area.contains(finding.area_id):
        raise PermissionDenied(_("Only the county office or its finance office decides on fund findings."))
    with transaction.atomic():
        locked = FundFinding.objects.select_for_update().get(pk=finding.pk)
        if to not in FINDING_TRANSITIONS.get(FindingStatus(locked.status), set()):
            raise ValidationError(
                _("A finding that is %(current)s cannot become %(target)s.")
                % {"current": locked.get_status_display(), "target": FindingStatus(to).label}
            )
        if to == FindingStatus.DISMISSED and not note.strip():
            raise ValidationError({"note": [_("Dismissing a finding needs a reason.")]})
        locked.status, locked.decided_by, locked.decided_at, locked.decision_note = (
            to,
            user,
            timezone.now(),
            note,
        )
        locked.save()
        if to == FindingStatus.CONFIRMED:
            # A confirmed finding is to be rectified: the rectification ledger (oversight) listens.
            fund_finding_confirmed.send(sender=FundFinding, finding=locked, user=user)
    return locked
