"""Evaluating the rule catalogue over a snapshot on any Ibis backend."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from jingzhun.monitoring.engine.rules import RULE_FUNCTIONS, Parameters, Snapshot
from jingzhun.monitoring.engine.tables import DATABASE_TABLES, RESULT_SCHEMA, SCHEMAS

STATUS_DATASETS = ("civil_affairs", "disability", "housing", "water", "exclusion")


def months_before(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, 28))


def scoped_snapshot(
    tables: dict[str, ir.Table],
    *,
    village_low: str,
    village_high: str,
    as_of: datetime.date,
    income_year: int,
    lookback_months: int,
    household_ids: Iterable[int] | None = None,
) -> Snapshot:
    """The households of an area (optionally only some of them) with their members,
    incomes, conditions and the department records of the look-back window."""
    households = tables["households"]
    households = households.filter(
        households.is_active & households.village_id.between(village_low, village_high)
    )
    if household_ids is not None:
        households = households.filter(households.id.isin(list(household_ids)))
    ids = households.select(scoped_id=households.id)

    def of_scope(table: ir.Table) -> ir.Table:
        # IN (subquery) rather than a semi-join: PostgreSQL has no SEMI JOIN syntax.
        return table.filter(table.household_id.isin(ids.scoped_id))

    records = tables["records"]
    start = months_before(as_of, lookback_months)
    # Events (a hospital stay, a death) count inside the look-back window; a status
    # (an allowance, a subsidy, an appraisal) counts while it is valid, however old.
    is_event = records.event_date.between(start, as_of)
    is_valid_status = (
        records.dataset_type.isin(STATUS_DATASETS)
        & (records.event_date <= as_of)
        & (records.end_date.isnull() | (records.end_date >= start))
    )
    records = records.filter(is_event | is_valid_status)
    household_records = of_scope(records.filter(records.household_id.notnull()))
    area_records = records.filter(
        records.household_id.isnull() & records.village_code.between(village_low, village_high)
    )
    return Snapshot(
        households=households,
        members=of_scope(tables["members"]),
        incomes=of_scope(tables["incomes"]),
        conditions=of_scope(tables["conditions"]),
        records=household_records.union(area_records),
        as_of=as_of,
        income_year=income_year,
    )


def warnings_expression(snapshot: Snapshot, parameters: Parameters, codes: Iterable[str]) -> ir.Table:
    parts = [RULE_FUNCTIONS[code](snapshot, parameters).mutate(rule=ibis.literal(code)) for code in codes]
    combined = ibis.union(*parts) if len(parts) > 1 else parts[0]
    return combined.select("rule", "household_id", "member_id", "value", "threshold", "detail")


def evaluate(snapshot: Snapshot, parameters: Parameters, codes: Iterable[str]) -> pa.Table:
    """Run the rules and return their findings sorted, so that every engine's answer compares equal."""
    codes = list(codes)
    if not codes:
        return RESULT_SCHEMA.empty_table().append_column("detail", pa.array([], pa.string()))
    # Sorted by the engine (in parallel, and before the transfer), not afterwards in Arrow.
    ordered = warnings_expression(snapshot, parameters, codes).order_by(["rule", "household_id", "member_id"])
    return ordered.to_pyarrow()


def evaluate_batches(
    snapshot: Snapshot, parameters: Parameters, codes: Iterable[str], *, batch_rows: int
) -> Iterator[pa.RecordBatch]:
    """The rules' findings as a stream of record batches of at most ``batch_rows``, in no
    particular order: what the warning writer stages, without the whole set in memory."""
    codes = list(codes)
    if not codes:
        return
    reader = warnings_expression(snapshot, parameters, codes).to_pyarrow_batches(chunk_size=batch_rows)
    yield from reader


# --- backends -------------------------------------------------------------------


def duckdb_tables(
    paths: dict[str, Path], *, threads: int | None = None, memory_limit: str = ""
) -> tuple[Any, dict[str, ir.Table]]:
    # A memory limit makes DuckDB spill to disk rather than grow (a province on a small server).
    # No result depends on the order rows were read in: without that guarantee DuckDB
    # materialises large results (a province's facts) in far less memory.
    config: dict[str, Any] = {"preserve_insertion_order": False}
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    connection = ibis.duckdb.connect(**config)
    return connection, {
        name: connection.read_parquet(str(path), table_name=name) for name, path in paths.items()
    }


def spark_tables(paths: dict[str, Path], session: Any) -> tuple[Any, dict[str, ir.Table]]:
    connection = ibis.pyspark.connect(session)
    return connection, {
        name: connection.read_parquet(str(path), table_name=f"snapshot_{name}")
        for name, path in paths.items()
    }


def postgres_tables(
    connection: Any,
    schemas: dict[str, pa.Schema] = SCHEMAS,
    database_tables: dict[str, str] = DATABASE_TABLES,
) -> dict[str, ir.Table]:
    """The live tables, shaped like the snapshot: the rules run in-database."""
    tables = {}
    for name, schema in schemas.items():
        table = connection.table(database_tables[name])
        # The snapshot's types exactly (varchar(30) NOT NULL becomes a nullable string,
        # jsonb its text), so that expressions see what they see on DuckDB and Spark.
        target = ibis.Schema.from_pyarrow(schema)
        tables[name] = table.select(**{column: table[column].cast(target[column]) for column in schema.names})
    return tables
