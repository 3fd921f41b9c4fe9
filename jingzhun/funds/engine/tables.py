"""The columnar snapshot the fund rules read: funds, the ledger, projects, their
beneficiaries and assets, and the register's people (by the keyed digest of their ID
number, to recognise a payee). Column names are the database's, so that on PostgreSQL
the rules run on the live tables; DuckDB and Spark read the same columns from Parquet.
Money is whole fen (int64), as the database holds it."""

from __future__ import annotations

import pyarrow as pa

SCHEMAS: dict[str, pa.Schema] = {
    "funds": pa.schema(
        [
            ("id", pa.int64()),
            ("area_id", pa.string()),
            ("level", pa.string()),
            ("fund_type", pa.string()),
            ("year", pa.int32()),
            ("amount", pa.int64()),
            ("issued_on", pa.date32()),
        ]
    ),
    "movements": pa.schema(
        [
            ("id", pa.int64()),
            ("kind", pa.string()),
            ("fund_id", pa.int64()),
            ("project_id", pa.int64()),
            ("amount", pa.int64()),
            ("occurred_on", pa.date32()),
            ("reverses_id", pa.int64()),
            ("payee_id_index", pa.string()),
            ("beneficiary_id", pa.int64()),
        ]
    ),
    "projects": pa.schema(
        [
            ("id", pa.int64()),
            ("area_id", pa.string()),
            ("state", pa.string()),
            ("category", pa.string()),
            ("year", pa.int32()),
            ("planned_start", pa.date32()),
            ("started_on", pa.date32()),
            ("accepted_on", pa.date32()),
        ]
    ),
    "beneficiaries": pa.schema(
        [
            ("id", pa.int64()),
            ("project_id", pa.int64()),
            ("household_id", pa.int64()),
            ("benefit_type", pa.string()),
        ]
    ),
    "households": pa.schema([("id", pa.int64()), ("village_id", pa.string())]),
    "people": pa.schema([("household_id", pa.int64()), ("id_number_index", pa.string())]),
    "assets": pa.schema([("id", pa.int64()), ("project_id", pa.int64())]),
}

DATABASE_TABLES = {
    "funds": "funds_fund",
    "movements": "funds_fundmovement",
    "projects": "projects_project",
    "beneficiaries": "projects_beneficiary",
    "households": "registry_household",
    "people": "registry_member",
    "assets": "assets_asset",
}

# What every rule returns: the subject it found (the columns that do not apply are null)
# and the evidence. Amounts in yuan and shares as decimals, never floats.
EVIDENCE = pa.decimal128(18, 4)
RESULT_COLUMNS = (
    "rule",
    "area_id",
    "fund_id",
    "project_id",
    "movement_id",
    "household_id",
    "value",
    "threshold",
    "detail",
)
