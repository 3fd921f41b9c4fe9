"""Copying the register of an area out into Parquet files, one query per table.

The columns are those of monitoring.engine.tables.SCHEMAS; JSON columns are
read as their text (CAST in SQL) so that the file holds what the database holds.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.departments.models import DepartmentRecord
from jingzhun.monitoring.engine.tables import SCHEMAS
from jingzhun.registry.models import Household, IncomeRecord, LivingConditions, Member

CHUNK = 50_000
_JSON_COLUMNS = {"health", "flags", "risk_types"}


def write_parquet(queryset: QuerySet, schema: pa.Schema, path: Path) -> int:
    """The queryset's columns named by ``schema`` into a Parquet file, a chunk at a time."""
    names = schema.names
    annotations = {f"{column}_text": Cast(column, TextField()) for column in names if column in _JSON_COLUMNS}
    fields = [f"{column}_text" if column in _JSON_COLUMNS else column for column in names]
    rows = queryset.annotate(**annotations).values_list(*fields).order_by()
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


def export_snapshot(
    directory: Path, *, area: Area, tables: tuple[str, ...] = tuple(SCHEMAS)
) -> dict[str, Path]:
    """Write the area's households, members, incomes, conditions and department records
    (or only the ``tables`` named)."""
    directory.mkdir(parents=True, exist_ok=True)
    in_area = code_range_q(area, "household__village_id")
    querysets = {
        "households": Household.objects.filter(code_range_q(area, "village_id")),
        "members": Member.objects.filter(in_area),
        "incomes": IncomeRecord.objects.filter(in_area),
        "conditions": LivingConditions.objects.filter(in_area),
        "records": DepartmentRecord.objects.filter(
            Q(
                household__isnull=False,
                household_id__in=Household.objects.filter(code_range_q(area, "village_id")).values("pk"),
            )
            | Q(household__isnull=True) & code_range_q(area, "village_code")
        ),
    }
    paths = {}
    for name in tables:
        queryset = querysets[name]
        paths[name] = directory / f"{name}.parquet"
        write_parquet(queryset, SCHEMAS[name], paths[name])
    return paths
