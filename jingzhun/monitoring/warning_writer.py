"""Writing a screening's findings as warnings, set-wise and streamed.

The engine's findings arrive as Arrow record batches, never as one table and never as a
Python object per warning. Each batch is loaded into a temporary staging table
(``core.bulk.write_arrow``: COPY on PostgreSQL, executemany on SQLite), and then two
statements do what the worklist needs:

- an open warning found again (same household, rule and member) gets this run and the
  new evidence;
- a finding with no open warning becomes a new warning, due after the verification period.

Warnings no longer found stay open: a village closes a warning by verifying it, not by the
rule falling silent (the evidence may simply not have been re-sent this month).

The caller holds the transaction: an interrupted write leaves the previous warnings as they
were. Evidence is built in SQL as the JSON object of the non-empty value, threshold and
detail (``jsonb_strip_nulls`` on PostgreSQL, a JSON merge patch on SQLite, which drops
nulls alike).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection
from django.utils import timezone

from jingzhun.core.bulk import analyse, arrow_stage
from jingzhun.monitoring.choices import OPEN_STATUSES, WarningStatus
from jingzhun.monitoring.models import RiskWarning, ScreeningRule, ScreeningRun
from jingzhun.registry.models import Household

STAGE_COLUMNS = (
    ("rule", "text NOT NULL"),
    ("household_id", "bigint NOT NULL"),
    ("member_key", "bigint NOT NULL"),
    ("value", "text"),
    ("threshold", "text"),
    ("detail", "text"),
)


@dataclass(frozen=True)
class WriteCounts:
    findings: int
    created: int
    refreshed: int


def _staged(batch: pa.RecordBatch) -> pa.Table:
    """A batch of findings shaped as the staging table: text evidence, 0 for no member."""
    member = batch.column("member_id")
    return pa.table(
        {
            "rule": batch.column("rule"),
            "household_id": batch.column("household_id"),
            "member_key": pc.fill_null(member, 0),
            "value": pc.cast(batch.column("value"), pa.string()),
            "threshold": pc.cast(batch.column("threshold"), pa.string()),
            "detail": pc.cast(batch.column("detail"), pa.string()),
        }
    )


def _evidence_sql(alias: str) -> str:
    parts = ", ".join(f"'{key}', NULLIF({alias}.{key}, '')" for key in ("value", "threshold", "detail"))
    if connection.vendor == "postgresql":
        return f"jsonb_strip_nulls(jsonb_build_object({parts}))"
    return f"json_patch('{{}}', json_object({parts}))"


def write_warnings(
    run: ScreeningRun, batches: Iterable[pa.RecordBatch], *, deadline: datetime.date
) -> WriteCounts:
    """Stage every batch, refresh the open warnings found again, create the rest. Runs inside
    the caller's transaction."""
    warnings = RiskWarning._meta.db_table
    rules = ScreeningRule._meta.db_table
    households = Household._meta.db_table
    open_statuses = ", ".join(f"'{status}'" for status in sorted(OPEN_STATUSES))
    same_subject = (
        "w.household_id = s.household_id AND w.rule_id = s.rule AND w.member_key = s.member_key"
        f" AND w.status IN ({open_statuses})"
    )
    with (
        arrow_stage(STAGE_COLUMNS, (_staged(batch) for batch in batches)) as (stage, findings),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"CREATE INDEX {stage}_subject ON {stage} (household_id, rule, member_key)")
        # Else a night's few thousand findings were matched by scanning every warning.
        analyse(stage)
        cursor.execute(
            f"UPDATE {warnings} AS w SET last_run_id = %s, evidence = {_evidence_sql('s')}"
            f" FROM {stage} AS s WHERE {same_subject}",
            [run.pk],
        )
        refreshed = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {warnings} (household_id, member_id, member_key, rule_id, risk_type, evidence,"
            " first_run_id, last_run_id, status, created_at, deadline, decision_note)"
            " SELECT s.household_id, NULLIF(s.member_key, 0), s.member_key, s.rule, r.risk_type,"
            f" {_evidence_sql('s')}, %s, %s, %s, %s, %s, ''"
            f" FROM {stage} AS s JOIN {rules} AS r ON r.code = s.rule"
            # The references the database does not check (models.RiskWarning), checked here
            # for the whole batch: a household gone since the snapshot gets no warning.
            f" JOIN {households} AS h ON h.id = s.household_id"
            f" WHERE NOT EXISTS (SELECT 1 FROM {warnings} AS w WHERE {same_subject})"
            # In the order of the staging index: no sort, and the household's indexes are
            # written in order; the warnings of a household, and of a village, lie together.
            " ORDER BY s.household_id, s.rule, s.member_key",
            [
                run.pk,
                run.pk,
                WarningStatus.NEW.value,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                connection.ops.adapt_datefield_value(deadline),
            ],
        )
        created = cursor.rowcount
    return WriteCounts(findings=findings, created=created, refreshed=refreshed)
