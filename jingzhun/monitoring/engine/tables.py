"""The columnar snapshot the rules read: raw register and department tables.

Column names are those of the register's database tables, so that on
PostgreSQL the rules run directly on the live tables (in-database), while for
DuckDB and Spark the same columns are copied out once into Parquet files.
"""

from __future__ import annotations

import pyarrow as pa

MONEY = pa.decimal128(14, 2)

SCHEMAS: dict[str, pa.Schema] = {
    "households": pa.schema(
        [
            ("id", pa.int64()),
            ("village_id", pa.string()),
            ("attribute", pa.string()),
            ("poverty_status", pa.string()),
            ("is_active", pa.bool_()),
            ("updated_at", pa.timestamp("us", tz="UTC")),
        ]
    ),
    "members": pa.schema(
        [
            ("id", pa.int64()),
            ("household_id", pa.int64()),
            ("birth_date", pa.date32()),
            ("relation_to_head", pa.string()),
            ("school_status", pa.string()),
            ("dropout_reason", pa.string()),
            ("labour_skill", pa.string()),
            ("health", pa.string()),
            ("has_minimum_allowance", pa.bool_()),
            ("has_extreme_poverty_support", pa.bool_()),
            ("resident_medical_insurance", pa.bool_()),
            ("employee_medical_insurance", pa.bool_()),
        ]
    ),
    "incomes": pa.schema(
        [
            ("household_id", pa.int64()),
            ("year", pa.int32()),
            ("net_income", MONEY),
            ("per_capita_net_income", MONEY),
        ]
    ),
    "conditions": pa.schema(
        [
            ("household_id", pa.int64()),
            ("house_grade", pa.string()),
            ("water_quantity_ok", pa.bool_()),
            ("water_quality_ok", pa.bool_()),
            ("water_convenience_ok", pa.bool_()),
            ("water_reliability_ok", pa.bool_()),
        ]
    ),
    "records": pa.schema(
        [
            ("id", pa.int64()),
            ("dataset_type", pa.string()),
            ("member_id", pa.int64()),
            ("household_id", pa.int64()),
            ("village_code", pa.string()),
            ("event_date", pa.date32()),
            ("end_date", pa.date32()),
            ("kind", pa.string()),
            ("grade", pa.string()),
            ("amount", MONEY),
            ("amount_out_of_pocket", MONEY),
            ("flags", pa.string()),
        ]
    ),
}

# The database table behind each snapshot table (for the in-database engine).
DATABASE_TABLES = {
    "households": "registry_household",
    "members": "registry_member",
    "incomes": "registry_incomerecord",
    "conditions": "registry_livingconditions",
    "records": "departments_departmentrecord",
}

RESULT_SCHEMA = pa.schema(
    [
        ("rule", pa.string()),
        ("household_id", pa.int64()),
        ("member_id", pa.int64()),
        ("value", MONEY),
        ("threshold", MONEY),
    ]
)
