"""Copying the register of an area out into Parquet files, one query per table.

The columns are those of monitoring.engine.tables.SCHEMAS; JSON columns are
read as their text (CAST in SQL) so that the file holds what the database holds.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.core.bulk import SELECTIVE_RANDOM_PAGE_COST
from jingzhun.departments.models import DepartmentRecord
from jingzhun.monitoring.engine.tables import SCHEMAS
from jingzhun.registry.models import Household, IncomeRecord, LivingConditions, Member

CHUNK = 50_000
# What libpq reads from Django's connection parameters.
_LIBPQ_KEYS = {"host", "port", "dbname", "user", "password", "sslmode", "sslrootcert", "sslcert", "sslkey"}
COPY_BLOCK_BYTES = 16 << 20
_JSON_COLUMNS = {"health", "flags", "risk_types"}


def snapshot_rows(queryset: QuerySet, schema: pa.Schema) -> QuerySet:
    """The queryset's columns named by ``schema``, JSON read as its text: the query a
    snapshot table is copied out by."""
    names = schema.names
    annotations = {f"{column}_text": Cast(column, TextField()) for column in names if column in _JSON_COLUMNS}
    fields = [f"{column}_text" if column in _JSON_COLUMNS else column for column in names]
    return queryset.annotate(**annotations).values_list(*fields).order_by()


def of_households(area: Area, household_ids: QuerySet | None = None) -> Q:
    """Rows (with a ``household``) of the area's households, or of those whose ids
    ``household_ids`` selects. The whole area by a join on the household's village (never
    `IN (subquery)` beside an OR: PostgreSQL cannot hash a subquery of a million ids there and
    rescans it per row); a subset by its own ids, no subquery nested in another, which the
    planner would join badly where statistics are scarce."""
    if household_ids is None:
        return code_range_q(area, "household__village_id")
    return Q(household_id__in=household_ids)


def snapshot_querysets(area: Area, households: QuerySet[Household] | None = None) -> dict[str, QuerySet]:
    """The area's register and department records, table by table (only those of
    ``households``, a subset of the area's, when given)."""
    chosen = Household.objects.filter(code_range_q(area, "village_id"))
    ids = None if households is None else households.values("pk")
    if ids is not None:
        chosen = chosen.filter(pk__in=ids)
    of_chosen = of_households(area, ids)
    return {
        "households": chosen,
        "members": Member.objects.filter(of_chosen),
        "incomes": IncomeRecord.objects.filter(of_chosen),
        "conditions": LivingConditions.objects.filter(of_chosen),
        "records": DepartmentRecord.objects.filter(
            Q(household__isnull=False) & of_chosen
            | Q(household__isnull=True) & code_range_q(area, "village_code")
        ),
    }


def write_parquet(queryset: QuerySet, schema: pa.Schema, path: Path) -> int:
    """The queryset's columns named by ``schema`` into a Parquet file, a chunk at a time. On
    PostgreSQL outside a transaction (a nightly job) through ADBC, whose driver reads COPY's
    binary rows straight into Arrow batches: no Python per row. Inside a transaction (which
    another connection could not see into) by COPY streamed through Arrow's CSV reader; on
    SQLite through the ORM's cursor."""
    rows = snapshot_rows(queryset, schema)
    if connection.vendor == "postgresql":
        if not connection.in_atomic_block:
            return _adbc_to_parquet(_adbc_statement(rows), _adbc_conninfo(), schema, path)
        return _copy_to_parquet(rows, schema, path)
    return _orm_to_parquet(rows, schema, path)


def _orm_to_parquet(rows: QuerySet, schema: pa.Schema, path: Path) -> int:
    names = schema.names
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        columns: list[list[object]] = [[] for _ in names]
        for row in rows.iterator(chunk_size=CHUNK):
            for index, value in enumerate(row):
                columns[index].append(value)
            count += 1
            if len(columns[0]) >= CHUNK:
                writer.write_table(
                    pa.Table.from_arrays(
                        [pa.array(c, t) for c, t in zip(columns, schema.types, strict=True)], schema=schema
                    )
                )
                columns = [[] for _ in names]
        writer.write_table(
            pa.Table.from_arrays(
                [pa.array(c, t) for c, t in zip(columns, schema.types, strict=True)], schema=schema
            )
        )
    return count


def write_parquets(
    jobs: Iterable[tuple[QuerySet, pa.Schema, Path]], *, selective: bool = False
) -> dict[Path, int]:
    """Each (queryset, schema, path) as write_parquet writes it; on PostgreSQL outside a
    transaction several at once, each on its own ADBC connection (SNAPSHOT_EXTRACT_WORKERS):
    a subset's many small queries wait on the server one after the other otherwise. The
    statements are bound here; the workers touch nothing of Django's. ``selective``: the
    queries read a few households' rows of large tables (an incremental run's)."""
    jobs = list(jobs)
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return {path: write_parquet(queryset, schema, path) for queryset, schema, path in jobs}
    conninfo = _adbc_conninfo(alongside_others=settings.SNAPSHOT_EXTRACT_WORKERS > 1, selective=selective)
    bound = [(_adbc_statement(snapshot_rows(rows, schema)), schema, path) for rows, schema, path in jobs]
    with ThreadPoolExecutor(max_workers=settings.SNAPSHOT_EXTRACT_WORKERS) as pool:
        counts = pool.map(lambda job: _adbc_to_parquet(job[0], conninfo, job[1], job[2]), bound)
        return {path: count for (_, _, path), count in zip(bound, counts, strict=True)}


def export_snapshot(
    directory: Path,
    *,
    area: Area,
    tables: tuple[str, ...] = tuple(SCHEMAS),
    households: QuerySet[Household] | None = None,
) -> dict[str, Path]:
    """Write the area's households, members, incomes, conditions and department records
    (or only the ``tables`` named; only those of ``households``, a subset of the area's, when
    given: an incremental run copies out what changed, not the province)."""
    directory.mkdir(parents=True, exist_ok=True)
    querysets = snapshot_querysets(area, households)
    paths = {name: directory / f"{name}.parquet" for name in tables}
    write_parquets(
        ((querysets[name], SCHEMAS[name], paths[name]) for name in tables), selective=households is not None
    )
    return paths


def _copy_to_parquet(rows: QuerySet, schema: pa.Schema, path: Path) -> int:
    """``COPY (query) TO STDOUT`` as CSV into a spool file, read back by Arrow in blocks into
    Parquet: memory stays one block, whatever the size of the table."""
    import pyarrow.csv as pa_csv

    sql, params = rows.query.sql_with_params()
    count = 0
    with tempfile.TemporaryFile(dir=path.parent) as spool:
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy,
        ):
            for chunk in copy:
                spool.write(chunk)
        if not spool.tell():  # no rows: Arrow reads no CSV out of nothing
            pq.write_table(schema.empty_table(), path)
            return 0
        spool.seek(0)
        reader = pa_csv.open_csv(
            spool,
            read_options=pa_csv.ReadOptions(column_names=schema.names, block_size=COPY_BLOCK_BYTES),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            # COPY writes NULL unquoted and an empty text as "": told apart here alike.
            convert_options=pa_csv.ConvertOptions(
                column_types=schema,
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
                true_values=["t"],
                false_values=["f"],
            ),
        )
        with pq.ParquetWriter(path, schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                count += batch.num_rows
    return count


def _adbc_statement(rows: QuerySet) -> str:
    """The query as ADBC takes it: text, bound by psycopg's own quoting."""
    import psycopg

    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        return psycopg.ClientCursor(cursor.connection).mogrify(sql, params)


def _adbc_conninfo(*, alongside_others: bool = False, selective: bool = False) -> str:
    """Django's connection parameters for libpq; without JIT compilation, which a batch
    job's many mid-sized queries pay for (costed high by their per-row subqueries, one took
    0.8 s to compile and 0.2 s to run) and never win back; for a query that runs
    ``alongside_others``, without parallel workers, which would only compete with the other
    queries for the same cores; and for ``selective`` ones, with random reads costed as an
    SSD or a cached register has them (PostgreSQL's default assumes a spinning disk), so that
    a few thousand households are reached through their indexes rather than by scanning a
    province's (measured: a subset's data-quality queries in 4.1 s instead of 6.6 s)."""
    import psycopg

    options = "-c jit=off"
    if alongside_others:
        options += " -c max_parallel_workers_per_gather=0"
    if selective:
        options += f" -c random_page_cost={SELECTIVE_RANDOM_PAGE_COST}"
    parameters = connection.get_connection_params()
    return psycopg.conninfo.make_conninfo(
        **{key: value for key, value in parameters.items() if key in _LIBPQ_KEYS and value},
        options=options,
    )


def _adbc_to_parquet(statement: str, conninfo: str, schema: pa.Schema, path: Path) -> int:
    """The statement through ADBC's PostgreSQL driver (its own connection, so committed
    data only), each batch cast to the snapshot's types (numeric arrives as text) into
    Parquet. Touches nothing of Django's: safe in a worker thread."""
    import adbc_driver_postgresql.dbapi as adbc
    import pyarrow.compute as pc

    count = 0
    with adbc.connect(conninfo) as adbc_connection, adbc_connection.cursor() as adbc_cursor:
        adbc_cursor.execute(statement)
        with pq.ParquetWriter(path, schema) as writer:
            for batch in adbc_cursor.fetch_record_batch():
                columns = []
                for index, target in enumerate(schema.types):
                    column = batch.column(index)
                    if isinstance(column.type, pa.ExtensionType):
                        column = column.storage
                    columns.append(column if column.type == target else pc.cast(column, target))
                writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=schema))
                count += batch.num_rows
            if not count:
                writer.write_table(schema.empty_table())
    return count
