"""The tables the figures read besides the screening snapshot's (monitoring.engine.tables)."""

from __future__ import annotations

import pyarrow as pa

SCHEMAS: dict[str, pa.Schema] = {
    "episodes": pa.schema(
        [
            ("id", pa.int64()),
            ("household_id", pa.int64()),
            ("category", pa.string()),
            ("risk_types", pa.string()),
            ("identified_on", pa.date32()),
            ("risk_eliminated", pa.bool_()),
            ("eliminated_on", pa.date32()),
        ]
    ),
    "warnings": pa.schema(
        [
            ("household_id", pa.int64()),
            ("rule_id", pa.string()),
            ("status", pa.string()),
            ("deadline", pa.date32()),
        ]
    ),
    "cases": pa.schema(
        [
            ("household_id", pa.int64()),
            ("state", pa.string()),
            ("deadline", pa.date32()),
        ]
    ),
    "measures": pa.schema(
        [
            ("household_id", pa.int64()),
            ("measure_type", pa.string()),
            ("status", pa.string()),
        ]
    ),
    "visits": pa.schema(
        [
            ("household_id", pa.int64()),
            ("visited_on", pa.date32()),
        ]
    ),
    "benefits": pa.schema([("household_id", pa.int64()), ("project_id", pa.int64())]),
    "distributions": pa.schema([("household_id", pa.int64())]),
}
