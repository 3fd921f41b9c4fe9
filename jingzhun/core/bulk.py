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
defaults; on PostgreSQL both write with ``COPY``.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def _converter(field: models.Field) -> Any:
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return lambda value: (
            None if value is None else (value.isoformat() if connection.vendor == "sqlite" else value)
        )
    if isinstance(field, models.DecimalField) and connection.vendor == "sqlite":
        return lambda value: None if value is None else str(value)
    return None


def bulk_insert(model: type[models.Model], objects: Sequence[models.Model], *, batch_size: int = 5000) -> int:
    """Insert ``objects`` (without primary keys) in large batches. Returns the row count."""
    # auto_now / auto_now_add fields are left out so that insert_rows gives them "now", as save() would.
    names = [
        field.attname
        for field in model._meta.concrete_fields
        if not field.primary_key
        and not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    ]
    return insert_rows(
        model, ({name: getattr(obj, name) for name in names} for obj in objects), batch_size=batch_size
    )


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]], *, batch_size: int = 5000) -> int:
    """Insert dicts of attribute names to values; missing fields take the model's
    default (auto_now fields: now). Returns the row count."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    now = datetime.datetime.now(datetime.UTC)
    defaults: dict[str, Any] = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:
            # As Django's own: the declared default, else "" for text fields and None for the rest.
            defaults[field.attname] = field.get_default()
    # Defaults are converted once, not once per row (most rows leave most fields out).
    columns = []
    for field in fields:
        convert = _converter(field)
        default = defaults[field.attname]
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


def _write(
    model: type[models.Model],
    fields: list[models.Field],
    rows: Iterable[tuple[Any, ...]],
    *,
    batch_size: int,
) -> None:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(str(field.column)) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = "INSERT INTO {} ({}) VALUES ({})".format(table, columns, ", ".join(["%s"] * len(fields)))
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
