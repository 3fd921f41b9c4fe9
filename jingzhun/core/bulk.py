"""Set-based insertion for batch jobs (demo county, imports).

Django's ``bulk_create`` prepares every value through the field API and, on
SQLite, splits inserts into statements of at most 999 parameters: for a county
of 70,000 members that is thousands of statements and most of the run time.
``bulk_insert`` builds the rows once and hands them to the driver's
``executemany``, which SQLite and psycopg execute as prepared statements.
Callers pass model instances, so the rows have the same defaults and the
same columns as with ``bulk_create``; no signals are sent (none are used).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
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
    if not objects:
        return 0
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    now = datetime.datetime.now(datetime.UTC)
    for field in fields:
        # auto_now / auto_now_add fields get their value here as save() would.
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                setattr(obj, field.attname, now)
    converters = [(field.attname, _converter(field)) for field in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(str(field.column)) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            rows = [
                tuple(
                    convert(getattr(obj, attname)) if convert else getattr(obj, attname)
                    for attname, convert in converters
                )
                for obj in objects[start : start + batch_size]
            ]
            cursor.executemany(sql, rows)
    return len(objects)
