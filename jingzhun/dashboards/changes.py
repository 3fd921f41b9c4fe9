"""Which households' facts may be stale: marked by the database itself.

A household's facts (dashboards.engine.household_facts) are computed from its rows in the
tables of ``FACT_SOURCES``. Every insert, delete and relevant update of those tables,
whatever writes it (a form, an import, a set-wise batch, SQL by hand), adds the household
to ``dashboards_factchange`` through a trigger: an incremental refresh recomputes exactly
those households (and those whose facts the passing days change, see services), and
removes their marks in the transaction that writes their new facts.

A household is marked once until a refresh takes its mark. On PostgreSQL inserts and
deletes are marked once per statement from its transition table (a COPY of a million rows
adds one set-wise INSERT, not a million calls); an update is marked per row, and only when
a column the facts read changed: the nightly screening's refresh of every open warning
(last run, evidence) marks nothing. SQLite has row triggers only, which suits the size of
register it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MARKS_TABLE = "dashboards_factchange"


@dataclass(frozen=True)
class FactSource:
    """A table the facts read: where it names the household, and (when not every column
    counts) the columns whose change changes the facts."""

    table: str
    household_column: str = "household_id"
    columns: tuple[str, ...] = ()


FACT_SOURCES: tuple[FactSource, ...] = (
    FactSource("registry_household", "id"),
    FactSource("registry_member"),
    FactSource("registry_incomerecord"),
    FactSource("registry_livingconditions"),
    FactSource("registry_monitoringobject"),
    # The screening rewrites last_run and evidence of every open warning each night.
    FactSource("monitoring_riskwarning", columns=("status", "deadline", "rule_id", "household_id")),
    FactSource("cases_case"),
    FactSource("assistance_measure"),
    FactSource("assistance_visit"),
    FactSource("projects_beneficiary"),
    FactSource("assets_distribution"),
)

# A household already marked and not yet taken by a refresh is not marked again: a
# household's many members, incomes and warnings make one mark, not one each.
_UNTAKEN = (
    f"NOT EXISTS (SELECT 1 FROM {MARKS_TABLE} AS m WHERE m.household_id = {{value}} AND m.run_id IS NULL)"
)

_PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION jingzhun_mark_facts_of_statement() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'INSERT INTO {MARKS_TABLE} (household_id)'
        ' SELECT DISTINCT c.%1$I FROM changed_rows AS c'
        ' WHERE c.%1$I IS NOT NULL AND {_UNTAKEN.format(value="c.%1$I")}',
        TG_ARGV[0]
    );
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION jingzhun_mark_facts_of_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    before_change bigint := (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
    after_change bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
BEGIN
    INSERT INTO {MARKS_TABLE} (household_id) SELECT after_change
        WHERE after_change IS NOT NULL AND {_UNTAKEN.format(value="after_change")};
    INSERT INTO {MARKS_TABLE} (household_id) SELECT before_change
        WHERE before_change IS NOT NULL AND before_change IS DISTINCT FROM after_change
        AND {_UNTAKEN.format(value="before_change")};
    RETURN NULL;
END $$;
"""


def _pg_triggers(source: FactSource) -> str:
    table, column = source.table, source.household_column
    if source.columns:
        before = ", ".join(f"OLD.{name}" for name in source.columns)
        after = ", ".join(f"NEW.{name}" for name in source.columns)
        of = f"OF {', '.join(source.columns)} "
        changed = f"(({before}) IS DISTINCT FROM ({after}))"
    else:
        of, changed = "", "(OLD.* IS DISTINCT FROM NEW.*)"
    return f"""
CREATE TRIGGER {table}_facts_inserted AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT
    EXECUTE FUNCTION jingzhun_mark_facts_of_statement('{column}');
CREATE TRIGGER {table}_facts_deleted AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT
    EXECUTE FUNCTION jingzhun_mark_facts_of_statement('{column}');
CREATE TRIGGER {table}_facts_updated AFTER UPDATE {of}ON {table}
    FOR EACH ROW WHEN {changed}
    EXECUTE FUNCTION jingzhun_mark_facts_of_row('{column}');
"""


def _sqlite_triggers(source: FactSource) -> list[str]:
    table, column = source.table, source.household_column

    def mark(value: str, also: str = "") -> str:
        return (
            f"INSERT INTO {MARKS_TABLE} (household_id) SELECT {value}"
            f" WHERE {value} IS NOT NULL{also} AND {_UNTAKEN.format(value=value)};"
        )

    if source.columns:
        of = f"OF {', '.join(source.columns)} "
        when = "WHEN " + " OR ".join(f"OLD.{name} IS NOT NEW.{name}" for name in source.columns)
    else:
        of, when = "", ""
    return [
        f"CREATE TRIGGER {table}_facts_inserted AFTER INSERT ON {table} BEGIN {mark(f'NEW.{column}')} END",
        f"CREATE TRIGGER {table}_facts_deleted AFTER DELETE ON {table} BEGIN {mark(f'OLD.{column}')} END",
        f"CREATE TRIGGER {table}_facts_updated AFTER UPDATE {of}ON {table} {when} BEGIN"
        f" {mark(f'NEW.{column}')}"
        f" {mark(f'OLD.{column}', f' AND OLD.{column} IS NOT NEW.{column}')} END",
    ]


def _drop(vendor: str, source: FactSource) -> list[str]:
    on = f" ON {source.table}" if vendor == "postgresql" else ""
    events = ("inserted", "deleted", "updated")
    return [f"DROP TRIGGER IF EXISTS {source.table}_facts_{event}{on}" for event in events]


def install_fact_marks(sources: tuple[FactSource, ...] = FACT_SOURCES) -> Any:
    """A migration operation (re)installing the triggers on ``sources`` (the list as the
    migration knows it: a later change of the list is a new migration)."""
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            # Without parameters: the functions' format() strings hold % signs.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(_PG_FUNCTIONS)
        for source in sources:
            for statement in _drop(vendor, source):
                schema_editor.execute(statement)
            if vendor == "postgresql":
                schema_editor.execute(_pg_triggers(source))
            else:
                for statement in _sqlite_triggers(source):
                    schema_editor.execute(statement)

    def backward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for source in sources:
            for statement in _drop(vendor, source):
                schema_editor.execute(statement)

    return migrations.RunPython(forward, backward, elidable=False)
