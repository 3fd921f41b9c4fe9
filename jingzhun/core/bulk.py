"""Set-based insertion for batch jobs (demo county, imports).

Django's ``bulk_create`` prepares every value through the field API and, on
SQLite, splits inserts into statements of at most 999 parameters: for a county
of 70,000 members that is thousands of statements and most of the run time.
``bulk_insert`` builds the rows once and hands them to the driver's
``executemany``, which SQLite and psycopg execute as prepared statements.
Callers pass model instances, so the rows have the same defaults and the
same columns as with ``bulk_create``; no signals are sent (none are used).
``insert_rows`` takes plain dicts (an import of a million members would spend
more time building model instances than writing them) and fills the model's
defaults; on PostgreSQL both write with ``COPY``. ``insert_columns`` takes the
rows column by column (an import holds its sheet that way): the tuples are
zipped in C, with no Python work per value on PostgreSQL. ``update_rows``
writes changed fields of many saved records with one ``UPDATE … FROM`` a
temporary table. ``any_of`` puts a long list of values into one query
parameter, where ``__in=[...]`` would make Django prepare one parameter per
value. Derived columns (``core.crypto.DerivedField``: blind indexes) are always
computed from their source's value, as a save would, never taken from the input.
"""

from __future__ import annotations

import datetime
import gc
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast
from uuid import uuid4

from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL

from jingzhun.core.crypto import DerivedField, EncryptedCharField, encrypter


def _json_text() -> Any:
    """JSON text of a value. A column converted value by value holds the same list
    object wherever the cell was the same: each list is dumped once. (Other values, such
    as a history entry's changes, are each their own: they are dumped without keeping.)"""
    dumped: dict[int, tuple[Any, str]] = {}  # id → (the object, kept alive so the id stays its own; text)

    def text(value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, list):
            return json.dumps(value, ensure_ascii=False)
        known = dumped.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        result = json.dumps(value, ensure_ascii=False)
        if len(dumped) < 100_000:
            dumped[id(value)] = (value, result)
        return result

    return text


def _repeating(convert: Any) -> Any:
    """``convert``, done once for a run of the same object: a batch's timestamps are one
    "now", and adapting a datetime costs more than comparing it."""
    last: list[Any] = [object(), None]

    def once(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return once


def _converter(field: models.Field) -> Any:
    ops = connection.ops
    if isinstance(field, EncryptedCharField):
        return encrypter(field.label)  # encrypted here, as a save would
    if isinstance(field, models.JSONField):
        return _json_text()
    if isinstance(field, models.DateTimeField):
        return _repeating(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField) and connection.vendor == "sqlite":
        return _repeating(lambda value: None if value is None else value.isoformat())
    if isinstance(field, models.DecimalField) and connection.vendor == "sqlite":
        return lambda value: None if value is None else str(value)
    return None


def _stamped(field: models.Field) -> bool:
    """Whether the field takes "now" when a record is saved (auto_now / auto_now_add)."""
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _default(field: models.Field, now: datetime.datetime) -> Any:
    """What an insert writes for a field given no value: now for a timestamp, else as
    Django's own, the declared default, "" for text fields and None for the rest."""
    return now if _stamped(field) else field.get_default()


def bulk_insert(model: type[models.Model], objects: Sequence[models.Model], *, batch_size: int = 5000) -> int:
    """Insert ``objects`` (without primary keys) in large batches. Returns the row count."""
    # Timestamp fields are left out so that insert_rows gives them "now", as save() would.
    names = [
        field.attname
        for field in model._meta.concrete_fields
        if not field.primary_key and not _stamped(field)
    ]
    return insert_rows(
        model, ({name: getattr(obj, name) for name in names} for obj in objects), batch_size=batch_size
    )


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]], *, batch_size: int = 5000) -> int:
    """Insert dicts of attribute names to values; missing fields take the model's
    default (auto_now fields: now). Returns the row count."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    now = datetime.datetime.now(datetime.UTC)
    # Defaults are converted once, not once per row (most rows leave most fields out).
    columns: list[tuple[str, Any, Any]] = []  # (key read from a row, converter or None, default)
    for field in fields:
        if isinstance(field, DerivedField):  # read from its source's key, computed from that value
            default = _default(cast(models.Field, model._meta.get_field(field.source)), now)
            derive = field.deriver()
            columns.append((field.source, derive, derive(default)))
            continue
        convert = _converter(field)
        default = _default(field, now)
        columns.append((field.attname, convert, convert(default) if convert else default))
    count = 0
    missing = object()

    def tuples() -> Iterable[tuple[Any, ...]]:
        nonlocal count
        for row in rows:
            count += 1
            yield tuple(
                converted_default
                if (value := row.get(attname, missing)) is missing
                else (convert(value) if convert else value)
                for attname, convert, converted_default in columns
            )

    _write(model, fields, tuples(), batch_size=batch_size)
    return count


def insert_columns(
    model: type[models.Model], columns: Mapping[str, Sequence[Any]], *, count: int, batch_size: int = 5000
) -> int:
    """Insert ``count`` rows given column by column: attribute name → one value per row.
    Fields without a column, and None values in a column, take the model's default
    (auto_now fields: now), as missing keys do in ``insert_rows``. Returns the row count."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    now = datetime.datetime.now(datetime.UTC)
    prepared: list[tuple[Any, Sequence[Any] | None]] = []  # (converted default, converted values)
    for field in fields:
        default = _default(field, now)
        convert = _converter(field)
        values = columns.get(field.attname)
        if isinstance(field, DerivedField):  # computed from its source's column
            source, derive = columns.get(field.source), field.deriver()
            default = derive(_default(cast(models.Field, model._meta.get_field(field.source)), now))
            prepared.append((default, None if source is None else list(map(derive, source))))
            continue
        if values is not None:
            if len(values) != count:
                raise ValueError(f"column {field.attname} has {len(values)} values for {count} rows")
            if default is not None:
                values = [default if value is None else value for value in values]
            if convert:
                values = list(map(convert, values))
        prepared.append((convert(default) if convert else default, values))
    if connection.vendor == "postgresql" and count:
        document = _csv_document(fields, prepared, count)
        if document is not None:
            _copy_csv(model, fields, document)
            return count
    rows = zip(
        *(values if values is not None else itertools.repeat(default, count) for default, values in prepared),
        strict=True,
    )
    _write(model, fields, rows, batch_size=batch_size)
    return count


def _csv_document(
    fields: list[models.Field], columns: list[tuple[Any, Sequence[Any] | None]], count: int
) -> Any:
    """The columns as one CSV document, written by Arrow in C++: COPY then parses it
    without a Python call per row. None where a column's values have no single Arrow
    type (the caller then writes row by row)."""
    import pyarrow as pa
    from pyarrow import csv

    arrays = []
    try:
        for field, (default, values) in zip(fields, columns, strict=True):
            decimal = isinstance(field, models.DecimalField)
            if values is None:
                value = str(default) if decimal and default is not None else default
                arrays.append(pa.nulls(count) if value is None else pa.repeat(pa.scalar(value), count))
                continue
            if decimal:  # Arrow converts Decimal objects slowly; PostgreSQL parses the text exactly
                values = [None if value is None else str(value) for value in values]
            arrays.append(pa.array(values))
        table = pa.table(arrays, names=[field.column for field in fields])
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    sink = pa.BufferOutputStream()
    # "needed" quoting writes an empty string as "" and a null as nothing, which COPY reads as NULL.
    csv.write_csv(table, sink, csv.WriteOptions(include_header=False, quoting_style="needed"))
    return sink.getvalue()


def _copy_csv(model: type[models.Model], fields: list[models.Field], document: Any) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    view = memoryview(document)
    with (
        connection.wrap_database_errors,  # COPY bypasses Django's cursor: its errors are wrapped here
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        for start in range(0, len(view), 1 << 20):
            copy.write(view[start : start + (1 << 20)])


def any_of(values: Sequence[Any], *, kind: str = "text") -> RawSQL:
    """A subquery yielding ``values``, for ``field__in=any_of(...)`` with one query
    parameter however many values there are: a JSON array, which both databases
    unpack in C (a PostgreSQL array parameter would be built value by value in
    Python). ``kind`` is "text" or "bigint"."""
    document = json.dumps(list(values), ensure_ascii=False)
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT (jsonb_array_elements_text(%s::jsonb))::{kind}", [document])
    return RawSQL("SELECT value FROM json_each(%s)", [document])


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector for a batch job (also usable as a decorator).
    A job that holds millions of lists and records until it ends makes the
    collector rescan all of them each time their number grows by a quarter: 13%
    of a 200,000-member import. Reference counting still frees everything else."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def analyse(table: str) -> None:
    """Give the planner ``table``'s statistics now (PostgreSQL), rather than when autovacuum
    gets to it: a table just filled (a temporary one never gets them otherwise) is joined
    by a guess of its size, and a few thousand rows were matched by scanning millions.
    SQLite plans without them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")


@contextmanager
def id_table(ids: Sequence[int]) -> Iterator[RawSQL]:
    """A temporary table of ``ids`` for several queries that filter by them
    (``pk__in=table``): filled once and analysed, so that the planner knows its
    size. For use inside a transaction; dropped at the end of the block (a
    rollback drops it too)."""
    name = f"scratch_ids_{uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {name} (id bigint PRIMARY KEY)")
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {name} (id) FROM STDIN") as copy:
                copy.write("".join(f"{value}\n" for value in ids))
        else:
            cursor.executemany(f"INSERT INTO {name} (id) VALUES (%s)", [(value,) for value in ids])
    analyse(name)
    yield RawSQL(f"SELECT id FROM {name}", [])
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {name}")


def update_rows(
    objects: Sequence[models.Model], field_names: Sequence[str], *, batch_size: int = 5000
) -> int:
    """Write ``field_names`` of saved ``objects`` (all of one model) with one UPDATE:
    the values go into a temporary table (COPY on PostgreSQL) that the UPDATE joins
    by primary key. Each field's ``pre_save`` runs as in ``save(update_fields=...)``
    (an auto_now field listed takes "now"); no signals are sent. Django's
    ``bulk_update`` instead builds a CASE expression per field with parameters for
    every object, and a per-object ``save()`` is a statement each: both cost about
    a millisecond per record. Returns the row count."""
    if not objects:
        return 0
    meta = objects[0]._meta
    fields = [cast(models.Field, meta.get_field(name)) for name in field_names]  # a name or an attname
    written = {field.attname for field in fields}
    # A derived column follows its source: written whenever the source is (pre_save computes it).
    fields += [
        field
        for field in meta.concrete_fields
        if isinstance(field, DerivedField) and field.source in written and field.attname not in written
    ]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    primary_key = quote(str(meta.pk.column))
    columns = [quote(str(field.column)) for field in fields]
    converters = [_converter(field) for field in fields]

    def rows() -> Iterator[tuple[Any, ...]]:
        for obj in objects:
            values = (field.pre_save(obj, add=False) for field in fields)
            yield (
                obj.pk,
                *(
                    convert(value) if convert else value
                    for convert, value in zip(converters, values, strict=True)
                ),
            )

    scratch = f"scratch_rows_{uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        selected = ", ".join([primary_key, *columns])
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} AS SELECT {selected} FROM {table} WHERE 1 = 0")
        _write_table(scratch, [primary_key, *columns], rows(), batch_size=batch_size)
        assignments = ", ".join(f"{column} = {scratch}.{column}" for column in columns)
        matched = f"{table}.{primary_key} = {scratch}.{primary_key}"
        cursor.execute(f"UPDATE {table} SET {assignments} FROM {scratch} WHERE {matched}")
        count = cursor.rowcount
        cursor.execute(f"DROP TABLE {scratch}")
    return count


def rewrite_rows(
    rows: models.QuerySet,
    field_names: Sequence[str],
    *,
    batch_size: int = 2000,
    done: Callable[[int], None] | None = None,
) -> int:
    """Read ``field_names`` of ``rows`` and write them back, a short transaction per batch:
    encrypted fields come back encrypted under the current key and derived columns
    recomputed (``update_rows``), while the application keeps running. ``done`` is told
    each batch's size. Returns the number of rows."""
    keys = list(rows.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(keys), batch_size):
        batch = keys[start : start + batch_size]
        with transaction.atomic():
            records = list(rows.model._base_manager.filter(pk__in=batch).only("pk", *field_names))
            update_rows(records, field_names)
        if done:
            done(len(batch))
    return len(keys)


def _write(
    model: type[models.Model],
    fields: list[models.Field],
    rows: Iterable[tuple[Any, ...]],
    *,
    batch_size: int,
) -> None:
    quote = connection.ops.quote_name
    _write_table(
        quote(model._meta.db_table),
        [quote(str(field.column)) for field in fields],
        rows,
        batch_size=batch_size,
    )


def _write_table(table: str, columns: list[str], rows: Iterable[tuple[Any, ...]], *, batch_size: int) -> None:
    """Rows into ``table`` (its name and columns already quoted): COPY on PostgreSQL,
    prepared inserts in batches elsewhere."""
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with connection.wrap_database_errors, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = "INSERT INTO {} ({}) VALUES ({})".format(table, names, ", ".join(["%s"] * len(columns)))
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


# --- Arrow tables straight into the database ---------------------------------------------


def write_arrow(table: str, columns: Sequence[str], data: Any, *, batch_rows: int = 100_000) -> int:
    """Rows of an Arrow table (or record batches) into ``table`` (its name and ``columns``,
    the Arrow column names, already quoted as the database needs): on PostgreSQL a COPY of
    CSV written by Arrow, on SQLite prepared inserts of columns zipped in C. No Python work
    per value on PostgreSQL, no dict per row anywhere. Returns the row count."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    batches = data.to_batches(max_chunksize=batch_rows) if isinstance(data, pa.Table) else data
    names = ", ".join(columns)
    count = 0
    with connection.cursor() as cursor, connection.wrap_database_errors:
        for batch in batches:
            if not batch.num_rows:
                continue
            count += batch.num_rows
            if connection.vendor == "postgresql":
                buffer = io.BytesIO()
                # Nulls unquoted, strings quoted: COPY's CSV reads back NULL and '' apart.
                pa_csv.write_csv(
                    batch, buffer, pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
                )
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
                    copy.write(buffer.getbuffer())
                continue
            placeholders = ", ".join(["%s"] * batch.num_columns)
            rows = list(zip(*(column.to_pylist() for column in batch.columns), strict=True))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)
    return count


@contextmanager
def arrow_stage(columns: Sequence[tuple[str, str]], data: Any) -> Iterator[tuple[str, int]]:
    """A temporary table of ``columns`` ((name, SQL type) pairs) filled from Arrow batches
    whose columns come in that order (``write_arrow``), for statements that join it; yields
    its name and row count, dropped at the end of the block. A fresh name each time, so that
    two stages in one transaction never meet."""
    name = f"scratch_stage_{uuid4().hex[:12]}"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        definition = ", ".join(f"{quote(column)} {sql_type}" for column, sql_type in columns)
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({definition})")
        count = write_arrow(name, [quote(column) for column, _type in columns], data)
        yield name, count
        cursor.execute(f"DROP TABLE {name}")


def insert_arrow(
    model: type[models.Model],
    data: Any,
    *,
    constants: Mapping[str, Any] | None = None,
    with_primary_key: bool = False,
    batch_rows: int = 100_000,
) -> int:
    """Rows of ``model`` from an Arrow table or a stream of record batches: columns named by
    attribute, ``constants`` for the same value in every row (a run's id); other fields take
    the model's default (timestamps: now). Only an encrypted column (and the digests derived
    from it) costs Python per value, as a save would; everything else goes through
    ``write_arrow`` untouched. ``with_primary_key``: the data carries the ids (a bulk load
    whose tables refer to each other)."""
    import pyarrow as pa

    unknown = set(constants or {}) - {field.attname for field in model._meta.concrete_fields}
    if unknown:
        raise KeyError(f"{model.__name__} has no field {sorted(unknown)}")
    batches = iter(data.to_batches(max_chunksize=batch_rows) if isinstance(data, pa.Table) else data)
    first = next(batches, None)
    if first is None:
        return 0
    now = datetime.datetime.now(datetime.UTC)
    pk_name = model._meta.pk.attname if model._meta.pk else ""
    # The ids from the data when asked for and present; the database's sequence otherwise.
    keep_pk = with_primary_key and pk_name in first.schema.names
    fields = [f for f in model._meta.concrete_fields if keep_pk or not f.primary_key]
    columns = [connection.ops.quote_name(str(field.column)) for field in fields]
    table_name = connection.ops.quote_name(model._meta.db_table)
    count = 0
    for batch in itertools.chain([first], batches):
        arrays = [_arrow_column(field, batch, constants or {}, now) for field in fields]
        table = pa.Table.from_arrays(arrays, names=[f"c{index}" for index in range(len(arrays))])
        count += write_arrow(table_name, columns, table, batch_rows=batch_rows)
    return count


def _arrow_column(
    field: models.Field, batch: Any, constants: Mapping[str, Any], now: datetime.datetime
) -> Any:
    """One field's values for a batch: its column, a constant or its default, sealed or
    derived where the field says so."""
    import pyarrow as pa

    count, names = batch.num_rows, batch.schema.names
    if isinstance(field, DerivedField):
        source = cast(models.Field, field.model._meta.get_field(field.source))
        derive = field.deriver()
        if source.attname in names:
            return pa.array([derive(v) for v in batch.column(source.attname).to_pylist()])
        return pa.array([derive(_default(source, now))] * count)
    name = field.attname
    if name in names:
        column = batch.column(name)
        if isinstance(field, EncryptedCharField):
            seal = encrypter(field.label)
            return pa.array([seal(v) for v in column.to_pylist()], pa.string())
        return column
    value = constants[name] if name in constants else _default(field, now)
    if isinstance(value, datetime.datetime):
        value = connection.ops.adapt_datetimefield_value(value)
    elif isinstance(value, dict | list):
        value = json.dumps(value)
    return pa.array([value] * count) if count and value is not None else pa.nulls(count)


# PostgreSQL's default cost of a random read (4 sequential ones) assumes a spinning disk; on
# an SSD or a register held in memory, a few thousand households of a province are reached
# faster through their indexes than by scanning every row, and the planner must be told so.
SELECTIVE_RANDOM_PAGE_COST = 1.1


@contextmanager
def selective_statements() -> Iterator[None]:
    """Statements that read a few rows of large tables (an incremental run's households),
    planned on PostgreSQL with random reads costed as on an SSD or a cached register: in a
    transaction, whose end ends the setting (SET LOCAL)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL random_page_cost = {SELECTIVE_RANDOM_PAGE_COST}")
        yield
