"""The province's night, end to end, in PostgreSQL: extract, screen with all rules, write the
warnings, refresh the figures, serve the county dashboard — then the next nights.

A synthetic province register (BENCH_HOUSEHOLDS, default 1,000,000 households in 3,000
villages; BENCH_SCALE=10m for ten million) is generated set-wise in DuckDB (the dashboard
benchmark's generator: members, two income years, living conditions, department records,
monitoring episodes) and loaded into a migrated PostgreSQL register by COPY
(``core.bulk.insert_arrow``: ID numbers sealed and indexed as a save would). The loading
time is reported but not counted.

Each step runs in its own process, through jingzhun's own services as the nightly job does,
and reports its time and its peak memory (VmHWM); the PostgreSQL server's largest backend
is reported too. Steps:

- extraction of the snapshot (register → Parquet by COPY), against the floor: PostgreSQL's
  own ``COPY (…) TO STDOUT`` of the same five queries, read and thrown away;
- the first night: a full screening (all rules; findings streamed into the warning writer);
- the next night: a full screening again (the open warnings refreshed);
- the figure refresh of the province, and the county dashboard page after it;
- an incremental night: 1 % of households edited and a new department batch touching
  another 0.5 %, screened incrementally, and the figures of those households (and of those
  the next day changes) counted again; and an incremental night with nothing changed;
- peers on the extracted snapshot (the screening benchmark's contenders): jingzhun's engine
  alone, hand-written DuckDB SQL and Polars, for the six rules every peer writes and for all
  fifteen; and the write floor: a COPY of the findings into a plain table.

Results in bench/results/night-<households>.json and bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
AS_OF = datetime.date(2026, 6, 30)
# The incremental nights count the figures a day later: what the passing day changes
# (deadlines, visit intervals, birthdays) is counted with what was edited.
NEXT_DAY = AS_OF + datetime.timedelta(days=1)
INCOME_YEAR = 2025
PROVINCE = "150000000000"
COUNTY = "150102000000"
BATCH_ROWS = 200_000


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def postgres_peak_mib() -> float:
    """The largest high-water mark among the PostgreSQL server's processes (one backend does
    a session's work; shared buffers are counted in each, so this is not a sum)."""
    peak = 0.0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if "\nName:\tpostgres" not in f"\n{text}":
            continue
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]) / 1024)
    return peak


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


# --- loading (reported, not counted) -----------------------------------------------------


def step_load(data: Path, households: int) -> dict[str, Any]:
    _setup()
    import duckdb
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from bench.dashboards import _make_areas, generate
    from jingzhun.accounts.choices import Role
    from jingzhun.accounts.models import User
    from jingzhun.areas.choices import AreaLevel
    from jingzhun.areas.models import Area
    from jingzhun.core.bulk import insert_arrow
    from jingzhun.departments.choices import DatasetType
    from jingzhun.departments.models import DepartmentBatch, DepartmentRecord
    from jingzhun.registry.models import Household, IncomeRecord, LivingConditions, Member, MonitoringObject

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    paths = generate(data, households)
    records = data / "records.parquet"
    generated = time.perf_counter() - started
    started = time.perf_counter()
    _make_areas(Area, AreaLevel, Area.objects.get(code=PROVINCE))
    batches = {
        dataset: DepartmentBatch.objects.create(
            dataset_type=dataset,
            period=AS_OF.replace(day=1),
            file_name=f"{dataset}.csv",
            file_sha256=f"bench-{dataset}",
        ).pk
        for dataset in DatasetType.values
    }
    batch_case = " ".join(f"WHEN '{dataset}' THEN {pk}" for dataset, pk in batches.items())
    con = duckdb.connect()
    con.execute(f"SET threads TO {os.cpu_count() or 2}")

    def stream(sql: str) -> Any:
        return con.execute(sql).fetch_record_batch(BATCH_ROWS)

    loads = [
        (
            Household,
            f"""SELECT id, village_id, attribute, poverty_status, is_active, updated_at,
                       'B' || lpad(CAST(id AS VARCHAR), 14, '0') AS household_number
                FROM read_parquet('{paths["households"]}')""",
        ),
        (
            Member,
            f"""SELECT id, household_id, birth_date, relation_to_head, school_status, dropout_reason,
                       labour_skill, health, has_minimum_allowance, has_extreme_poverty_support,
                       resident_medical_insurance, employee_medical_insurance,
                       '成员' || CAST(id AS VARCHAR) AS name,
                       '15' || lpad(CAST(id AS VARCHAR), 16, '0') AS id_number
                FROM read_parquet('{paths["members"]}')""",
        ),
        (IncomeRecord, f"SELECT * FROM read_parquet('{paths['incomes']}')"),
        (LivingConditions, f"SELECT * FROM read_parquet('{paths['conditions']}')"),
        (
            DepartmentRecord,
            f"""SELECT r.id, r.dataset_type, r.member_id, r.household_id, r.event_date, r.end_date,
                       r.kind, r.grade, r.amount, r.amount_out_of_pocket,
                       COALESCE(NULLIF(r.flags, ''), '[]') AS flags,
                       CASE WHEN r.household_id IS NULL THEN r.village_code ELSE h.village_id END
                           AS village_code,
                       CASE r.dataset_type {batch_case} END AS batch_id,
                       CAST(r.id % 2000000000 AS INTEGER) AS row_number,
                       CASE WHEN r.household_id IS NULL THEN 'area' ELSE 'matched' END AS match_status
                FROM read_parquet('{records}') r
                LEFT JOIN read_parquet('{paths["households"]}') h ON h.id = r.household_id
                WHERE r.dataset_type IN ({", ".join(f"'{d}'" for d in batches)})""",
        ),
        (
            MonitoringObject,
            f"""SELECT id, household_id, category, risk_types, identified_on, risk_eliminated,
                       eliminated_on, '1' AS household_type
                FROM read_parquet('{paths["episodes"]}')""",
        ),
    ]
    counts = {}
    with transaction.atomic(), _indexes_built_after([model._meta.db_table for model, _sql in loads]):
        for model, sql in loads:
            counts[model.__name__] = insert_arrow(model, stream(sql), with_primary_key=True)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [m for m, _sql in loads]):
                cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    con.close()
    province = Area.objects.get(code=PROVINCE)
    User.objects.create_user("night", password="x", role=Role.SUPERVISOR, area=province)
    return {
        "generation_s": round(generated, 1),
        "loading_s": round(time.perf_counter() - started, 1),
        "rows": counts,
        "peak_rss_mib": round(peak_rss_mib()),
    }


@contextmanager
def _indexes_built_after(tables: list[str]) -> Iterator[None]:
    """A bulk load's usual course (pg_restore's): the tables' secondary indexes and foreign
    keys dropped before the COPY and built once after it, not kept up row by row (ten million
    households' took over an hour that way). Inside the load's transaction: all or nothing."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i"
            " WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


# --- the night's steps -------------------------------------------------------------------


def _timed_progress() -> tuple[list[tuple[float, int, str]], Any]:
    marks: list[tuple[float, int, str]] = []

    def progress(percent: int, stage: str) -> None:
        marks.append((time.perf_counter(), percent, stage))

    return marks, progress


def step_extract(work: Path) -> dict[str, Any]:
    _setup()
    import pyarrow.parquet as pq
    from django.db import connection

    from jingzhun.areas.models import Area
    from jingzhun.monitoring.engine.tables import SCHEMAS
    from jingzhun.monitoring.snapshot import export_snapshot, snapshot_querysets, snapshot_rows

    area = Area.objects.get(code=PROVINCE)
    started = time.perf_counter()
    paths = export_snapshot(work / "snapshot", area=area)
    ours = time.perf_counter() - started
    rows = {name: pq.read_metadata(path).num_rows for name, path in paths.items()}
    # The floor: the same queries copied out by PostgreSQL and thrown away.
    started = time.perf_counter()
    copied = 0
    with connection.cursor() as cursor:
        for name, queryset in snapshot_querysets(area).items():
            sql, params = snapshot_rows(queryset, SCHEMAS[name]).query.sql_with_params()
            with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
                for chunk in copy:
                    copied += len(chunk)
    floor = time.perf_counter() - started
    total_rows = sum(rows.values())
    return {
        "extraction_s": round(ours, 2),
        "copy_floor_s": round(floor, 2),
        "rows": rows,
        "rows_per_s": round(total_rows / ours),
        "floor_rows_per_s": round(total_rows / floor),
        "csv_mib": round(copied / 2**20),
        "peak_rss_mib": round(peak_rss_mib()),
        "paths": {name: str(path) for name, path in paths.items()},
    }


def step_screen(incremental: bool = False) -> dict[str, Any]:
    _setup()
    from jingzhun.areas.models import Area
    from jingzhun.monitoring.services import screening_run_execute, screening_run_start

    marks, progress = _timed_progress()
    started = time.perf_counter()
    # The incremental night is the next day's, as the figures' (the day's birthdays count too).
    run = screening_run_start(
        area=Area.objects.get(code=PROVINCE),
        as_of=NEXT_DAY if incremental else AS_OF,
        income_year=INCOME_YEAR,
        incremental=incremental,
    )
    run = screening_run_execute(run, progress=progress)
    total = time.perf_counter() - started
    by_percent = {percent: moment for moment, percent, _stage in marks}
    extraction = by_percent.get(40, started) - by_percent.get(10, started) if 10 in by_percent else 0.0
    return {
        "total_s": round(total, 2),
        "extraction_s": round(extraction, 2),
        "screening_and_writing_s": round(total - extraction, 2),
        "households_screened": run.households_screened,
        "findings": run.findings,
        "warnings_created": run.warnings_created,
        "warnings_refreshed": run.warnings_refreshed,
        "status": run.status,
        "peak_rss_mib": round(peak_rss_mib()),
    }


def step_figures(incremental: bool = False) -> dict[str, Any]:
    _setup()
    from django.test import Client

    from jingzhun.accounts.models import User
    from jingzhun.areas.models import Area
    from jingzhun.dashboards.services import aggregate_refresh

    marks, progress = _timed_progress()
    started = time.perf_counter()
    run = aggregate_refresh(
        area=Area.objects.get(code=PROVINCE),
        as_of=NEXT_DAY if incremental else AS_OF,
        incremental=incremental,
        progress=progress,
    )
    assert run.incremental == incremental, "an incremental refresh counted the whole province"
    total = time.perf_counter() - started
    by_percent = {percent: moment for moment, percent, _stage in marks}
    stages = {
        # Until the extraction starts: the basis, the marks taken, the days' marks.
        "marking_s": by_percent.get(5, started) - started,
        "register_s": by_percent.get(20, started) - by_percent.get(5, started),
        "quality_s": by_percent.get(40, started) - by_percent.get(20, started),
        "extraction_s": by_percent.get(40, started) - by_percent.get(5, started),
        "counting_s": by_percent.get(70, started) - by_percent.get(40, started),
        "writing_s": by_percent[100] - by_percent.get(70, by_percent[100]),
    }
    client = Client()
    client.force_login(User.objects.get(username="night"))
    times = []
    for _ in range(6):
        begun = time.perf_counter()
        response = client.get(f"/dashboards/{COUNTY}/", secure=True)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        times.append(time.perf_counter() - begun)
    return {
        "total_s": round(total, 2),
        **{key: round(value, 2) for key, value in stages.items()},
        "households": run.households,
        "figures_written": run.figures_written,
        "incremental": run.incremental,
        "county_page_ms": round(statistics.median(times[1:]) * 1000),
        "peak_rss_mib": round(peak_rss_mib()),
    }


def step_change(share_edited: float, share_touched: float) -> dict[str, Any]:
    """The day's work between two nights: some households edited, a department batch in."""
    _setup()
    from django.db import connection, transaction

    from jingzhun.departments.models import DepartmentBatch

    edited_every, touched_every = round(1 / share_edited), round(1 / share_touched)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE registry_household SET updated_at = now() WHERE id %% %s = 0", [edited_every])
        edited = cursor.rowcount
        cursor.execute(
            "UPDATE registry_incomerecord SET per_capita_net_income = per_capita_net_income / 2"
            " WHERE household_id %% %s = 0 AND year = %s",
            [edited_every, INCOME_YEAR],
        )
        batch = DepartmentBatch.objects.create(
            dataset_type="medical",
            period=AS_OF.replace(day=1),
            file_name="medical-next.csv",
            file_sha256=f"bench-next-{time.time()}",
        )
        cursor.execute(
            "INSERT INTO departments_departmentrecord (batch_id, dataset_type, row_number, id_number,"
            " id_number_index, match_status, member_id, household_id, village_code, event_date, kind,"
            " category, grade, text, amount, amount_out_of_pocket, flags)"
            " SELECT %s, 'medical', 2, '', '', 'matched', m.id, m.household_id, h.village_id, %s,"
            " 'inpatient', '', '', '', 30000, 12000, '[]'"
            " FROM registry_member m JOIN registry_household h ON h.id = m.household_id"
            " WHERE m.relation_to_head = '01' AND (m.household_id + 7) %% %s = 0",
            [batch.pk, AS_OF - datetime.timedelta(days=10), touched_every],
        )
        touched = cursor.rowcount
    return {"households_edited": edited, "households_touched": touched}


# Screening alone on the extracted snapshot: jingzhun's engine and the peers, on the six
# rules every peer writes and on all fifteen (bench.screening.ALL_COMPARED_RULES).
PEERS = ("jingzhun-6", "duckdb-sql", "polars", "jingzhun-15", "duckdb-sql-15", "polars-15")


def step_peers(paths: dict[str, str], repeats: int) -> dict[str, Any]:
    """One contender of the screening benchmark on the extracted snapshot (own process)."""
    from bench.screening import (
        ALL_COMPARED_RULES,
        COMPARED_RULES,
        contender_jingzhun,
        contender_polars,
        contender_sql,
    )

    _setup()
    spec = _spec()
    files = {name: Path(path) for name, path in paths.items()}
    contender = os.environ["NIGHT_CONTENDER"]
    functions = {
        "jingzhun-6": lambda: contender_jingzhun(files, spec, COMPARED_RULES),
        "duckdb-sql": lambda: contender_sql(files, spec),
        "polars": lambda: contender_polars(files, spec),
        "jingzhun-15": lambda: contender_jingzhun(files, spec, sorted(ALL_COMPARED_RULES)),
        "duckdb-sql-15": lambda: contender_sql(files, spec, ALL_COMPARED_RULES),
        "polars-15": lambda: contender_polars(files, spec, ALL_COMPARED_RULES),
    }
    times, counts = [], {}
    for round_number in range(repeats + 1):
        started = time.perf_counter()
        counts = functions[contender]()
        if round_number:
            times.append(time.perf_counter() - started)
    return {
        "median_s": round(statistics.median(times), 3),
        "findings": counts,
        "peak_rss_mib": round(peak_rss_mib()),
    }


def _spec() -> dict[str, Any]:
    import dataclasses

    from jingzhun.monitoring import services
    from jingzhun.monitoring.engine.rules import RULE_FUNCTIONS

    codes = sorted(RULE_FUNCTIONS)
    p = services.screening_parameters(province="15", as_of=AS_OF, codes=codes)
    return json.loads(
        json.dumps(
            {
                "values": {k: str(v) for k, v in p.values.items()},
                "worker_skills": p.worker_skills,
                "lifted_out_attributes": p.lifted_out_attributes,
                "conditions": dataclasses.asdict(p.conditions),
                "all_rules": codes,
            },
            default=str,
        )
    )


def step_write_floor() -> dict[str, Any]:
    """PostgreSQL's floor for writing the night's findings: the warnings table's rows as they
    stand, copied out and COPYed into a plain table of the same columns."""
    _setup()
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM monitoring_riskwarning")
        (rows,) = cursor.fetchone()
        buffer = bytearray()
        columns = "household_id, member_id, member_key, rule_id, risk_type, evidence, deadline"
        with cursor.copy(f"COPY (SELECT {columns} FROM monitoring_riskwarning) TO STDOUT") as copy:
            for chunk in copy:
                buffer += chunk
        with transaction.atomic():
            cursor.execute(
                "CREATE TEMP TABLE floor_warnings (household_id bigint, member_id bigint, member_key bigint,"
                " rule_id varchar(40), risk_type varchar(20), evidence jsonb, deadline date)"
            )
            started = time.perf_counter()
            with cursor.copy(f"COPY floor_warnings ({columns}) FROM STDIN") as copy:
                copy.write(bytes(buffer))
            elapsed = time.perf_counter() - started
    return {"rows": rows, "copy_in_s": round(elapsed, 2), "peak_rss_mib": round(peak_rss_mib())}


# --- orchestration ------------------------------------------------------------------------


def _child(step: str, *arguments: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one step in its own process; meanwhile sample the PostgreSQL server's processes
    (a session's backend ends with the step, and its high-water mark with it)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            [sys.executable, __file__, "--step", step, *arguments],
            stdout=out,
            stderr=err,
            text=True,
            env={**os.environ, **(env or {})},
        )
        server_peak = 0.0
        while process.poll() is None:
            server_peak = max(server_peak, postgres_peak_mib())
            time.sleep(0.5)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"step {step} failed:\n{err.read()[-6000:]}")
        result = json.loads(out.read().strip().splitlines()[-1])
    result["postgres_peak_mib"] = round(max(server_peak, postgres_peak_mib()))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    from bench.screening import _default_households  # BENCH_HOUSEHOLDS or BENCH_SCALE, as there

    parser.add_argument("--households", type=int, default=_default_households())
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", 3)))
    parser.add_argument("--step")
    parser.add_argument("--work", type=Path)
    parser.add_argument("--paths")
    args = parser.parse_args()
    if args.step:
        steps = {
            "load": lambda: step_load(args.work, args.households),
            "extract": lambda: step_extract(args.work),
            "screen": lambda: step_screen(),
            "screen-incremental": lambda: step_screen(incremental=True),
            "figures": step_figures,
            "figures-incremental": lambda: step_figures(incremental=True),
            "change": lambda: step_change(0.01, 0.005),
            "peers": lambda: step_peers(json.loads(args.paths), args.repeats),
            "write-floor": step_write_floor,
        }
        print(json.dumps(steps[args.step](), default=str))
        return
    if "JINGZHUN_DATABASE_URL" not in os.environ or "postgres" not in os.environ["JINGZHUN_DATABASE_URL"]:
        # The night runs against PostgreSQL: start a throw-away server and come back under it.
        raise SystemExit(
            subprocess.run(
                [sys.executable, str(ROOT / "scripts" / "with_postgres.py"), "--", sys.executable, *sys.argv],
                check=False,
            ).returncode
        )
    run(args)


def _create_database() -> None:
    """The throw-away server starts with no ``jingzhun`` database: make an empty one."""
    import psycopg

    url = os.environ["JINGZHUN_DATABASE_URL"]
    with psycopg.connect(url.replace("/jingzhun?", "/postgres?"), autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS jingzhun")
        admin.execute("CREATE DATABASE jingzhun")


def run(args: Any) -> None:
    from tqdm import tqdm

    _create_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("JINGZHUN_SECRET_KEY", "benchmark-secret-key-not-used-for-anything-0123456789")
    os.environ.setdefault("JINGZHUN_DEBUG", "false")
    os.environ.setdefault("JINGZHUN_ALLOWED_HOSTS", "testserver")
    # The page is timed as a signed-in user sees it; the second factor is not what is measured.
    os.environ.setdefault("JINGZHUN_TWO_FACTOR_REQUIRED", "false")
    # The night as a province would configure it: DuckDB spills past its limit rather than grow
    # (the facts' per-household lists, which it cannot spill, are summed up a chunk at a time).
    os.environ.setdefault("JINGZHUN_DUCKDB_MEMORY_LIMIT", "1GB")
    os.environ["PYTHONPATH"] = str(ROOT)
    RESULTS.mkdir(parents=True, exist_ok=True)
    base = ROOT / "var" if (ROOT / "var").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="jingzhun-night-", dir=base) as work_dir:
        work = Path(work_dir)
        os.environ["JINGZHUN_VAR_DIR"] = str(work)
        steps = tqdm(total=11 + len(PEERS), desc="night benchmark", unit="step")
        results: dict[str, Any] = {}

        def step(name: str, *arguments: str, env: dict[str, str] | None = None) -> dict[str, Any]:
            steps.set_postfix_str(name)
            result = _child(name.split(":")[0], *arguments, env=env)
            steps.update()
            results[name] = result
            # Each step's result as it comes, so a run stopped late still tells what it measured.
            steps.write(f"{name}: {json.dumps(result, default=str)}")
            return result

        step("load", "--work", str(work / "data"), "--households", str(args.households))
        extracted = step("extract", "--work", str(work))
        step("screen:first")
        step("screen:next")
        step("figures")
        step("change")
        step("screen-incremental:changed")
        step("figures-incremental:changed")
        step("screen-incremental:nothing")
        step("figures-incremental:nothing")
        step("write-floor")
        paths = json.dumps(extracted["paths"])
        for contender in PEERS:
            step(
                f"peers:{contender}",
                "--paths",
                paths,
                "--repeats",
                str(args.repeats),
                env={"NIGHT_CONTENDER": contender},
            )
        steps.close()
    write_results(args, results)


def write_results(args: Any, results: dict[str, Any]) -> None:
    first = results["screen:first"]
    figures, page = results["figures"], results["figures"]["county_page_ms"]
    night = first["total_s"] + figures["total_s"]
    incremental = (
        results["screen-incremental:changed"]["total_s"] + results["figures-incremental:changed"]["total_s"]
    )
    unchanged = (
        results["screen-incremental:nothing"]["total_s"] + results["figures-incremental:nothing"]["total_s"]
    )
    for suffix in ("", "-15"):
        reference = results[f"peers:jingzhun{suffix or '-6'}"]["findings"]
        for name in ("duckdb-sql", "polars"):
            found = results[f"peers:{name}{suffix}"]["findings"]
            if found != reference:
                raise SystemExit(f"{name}{suffix} disagrees with jingzhun: {found}")
    report = {
        "benchmark": "night",
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "households": args.households,
        "duckdb_memory_limit": os.environ.get("JINGZHUN_DUCKDB_MEMORY_LIMIT", ""),
        "night_s": round(night, 1),
        "incremental_night_s": round(incremental, 1),
        "incremental_share": round(incremental / night, 3),
        "unchanged_night_s": round(unchanged, 1),
        "steps": results,
    }
    path = RESULTS / f"night-{args.households}.json"
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(f"\nThe night at {args.households:,} households in PostgreSQL (2 cores):")
    load, extract = results["load"], results["extract"]
    print(f"  loading (not counted): generation {load['generation_s']} s, COPY {load['loading_s']} s")
    print(
        f"  extraction: {extract['extraction_s']} s ({extract['rows_per_s']:,} rows/s);"
        f" COPY floor {extract['copy_floor_s']} s ({extract['floor_rows_per_s']:,} rows/s)"
    )
    for name, label in (
        ("screen:first", "first night"),
        ("screen:next", "next night"),
        ("screen-incremental:changed", "incremental, 1 % changed and a day later"),
        ("screen-incremental:nothing", "incremental, nothing changed"),
    ):
        r = results[name]
        print(
            f"  screening {label}: {r['total_s']} s (extraction {r['extraction_s']} s),"
            f" {r['findings']:,} findings, {r['warnings_created']:,} created,"
            f" {r['warnings_refreshed']:,} refreshed, peak {r['peak_rss_mib']} MiB"
        )
    print(
        f"  figures: {figures['total_s']} s (extraction {figures['extraction_s']:.1f},"
        f" counting {figures['counting_s']:.1f}, writing {figures['writing_s']:.1f}),"
        f" peak {figures['peak_rss_mib']} MiB; county page {page} ms"
    )
    for name, label in (
        ("figures-incremental:changed", "1 % changed and a day later"),
        ("figures-incremental:nothing", "nothing changed"),
    ):
        r = results[name]
        print(
            f"  figures incremental, {label}: {r['total_s']} s (marking {r['marking_s']:.1f},"
            f" register {r['register_s']:.1f}, data quality {r['quality_s']:.1f},"
            f" counting {r['counting_s']:.1f}, writing {r['writing_s']:.1f}), {r['households']:,} households"
            f" counted, {r['figures_written']:,} figures corrected, peak {r['peak_rss_mib']} MiB"
        )
    floor = results["write-floor"]
    print(f"  write floor: COPY of {floor['rows']:,} warnings in {floor['copy_in_s']} s")
    for rules, names in (("six", PEERS[:3]), ("fifteen", PEERS[3:])):
        ours = results[f"peers:{names[0]}"]["median_s"]
        for name in names:
            r = results[f"peers:{name}"]
            ratio = r["median_s"] / ours
            print(f"  {rules} rules, {name}: {r['median_s']} s ({ratio:.2f}×), peak {r['peak_rss_mib']} MiB")
    print(
        f"  the night: {night:.1f} s; incremental night: {incremental:.1f} s"
        f" ({incremental / night:.0%} of it); nothing changed: {unchanged:.1f} s. Results in {path}"
    )


if __name__ == "__main__":
    main()
