"""Dashboard benchmark: refreshing the figures of a province, and serving its pages.

On a synthetic province (BENCH_HOUSEHOLDS, default 1,000,000 households in 3,000
villages of 4 cities x 5 counties x 10 townships), written straight to Parquet
in the snapshot's columns (the screening benchmark's generator, plus monitoring
episodes, warnings, cases, measures and visits):

- refresh: jingzhun's household facts and area figures in DuckDB through Ibis,
  then both written to a fresh SQLite register (``insert_rows``), as a refresh does;
- dashboard server time (Django's test client, in process) for a county and for the
  province, read from the pre-computed figures, against the peer baseline: the same
  key figures counted live with ORM GROUP BY queries over the one-million-row facts
  table, which is how a dashboard without aggregates answers.

Refresh rounds: BENCH_REPEATS (default 3); page requests: 25 each. Medians are compared.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
CITIES, COUNTIES, TOWNSHIPS, VILLAGES = 4, 5, 10, 15  # 3,000 villages
PAGE_REQUESTS = 25
AS_OF = datetime.date(2026, 6, 30)


def _village_code(index_sql: str) -> str:
    """SQL for the hierarchical 12-digit code of village number ``index_sql`` (0-based)."""
    v = f"({index_sql})"
    return (
        f"'15' || lpad(CAST(1 + {v} // {COUNTIES * TOWNSHIPS * VILLAGES} AS VARCHAR), 2, '0')"
        f" || lpad(CAST(1 + ({v} // {TOWNSHIPS * VILLAGES}) % {COUNTIES} AS VARCHAR), 2, '0')"
        f" || lpad(CAST(100 + ({v} // {VILLAGES}) % {TOWNSHIPS} AS VARCHAR), 3, '0')"
        f" || lpad(CAST(200 + {v} % {VILLAGES} AS VARCHAR), 3, '0')"
    )


def generate(directory: Path, households: int) -> dict[str, Path]:
    import duckdb

    from bench.screening import generate_register
    from jingzhun.dashboards.tables import SCHEMAS

    paths = generate_register(directory, households)
    villages = CITIES * COUNTIES * TOWNSHIPS * VILLAGES
    con = duckdb.connect()
    con.execute("CREATE MACRO h(x) AS CAST(hash(x) % 1000000007 AS BIGINT)")
    # The screening generator's village codes are flat; give the villages a real hierarchy.
    con.execute(
        f"COPY (SELECT * REPLACE ({_village_code(f'id % {villages}')} AS village_id)"
        f" FROM read_parquet('{paths['households']}')) TO '{directory / 'h.parquet'}' (FORMAT parquet)"
    )
    (directory / "h.parquet").replace(paths["households"])
    tables = {
        "episodes": f"""SELECT id, id AS household_id, ['1', '2', '3'][1 + h(id) % 3] AS category,
                   ['["01"]', '["02", "07"]', '["03"]', '["08"]'][1 + h(id * 3) % 4] AS risk_types,
                   DATE '2024-06-01' + CAST(h(id * 5) % 880 AS INTEGER) AS identified_on,
                   h(id * 7) % 3 = 0 AS risk_eliminated,
                   DATE '2025-06-01' + CAST(h(id * 11) % 500 AS INTEGER) AS eliminated_on
            FROM range(1, {households} + 1) t(id) WHERE h(id * 13) % 100 < 9""",
        "warnings": f"""SELECT id AS household_id,
                   ['INCOME_BELOW_LINE', 'HOSPITAL_OUT_OF_POCKET', 'HOUSING_UNSAFE'][1 + h(id * 17) % 3]
                       AS rule_id,
                   'new' AS status, DATE '2026-06-01' + CAST(h(id * 19) % 60 AS INTEGER) AS deadline
            FROM range(1, {households} + 1) t(id) WHERE h(id * 23) % 100 < 25""",
        "cases": f"""SELECT id AS household_id,
                   ['home_visit', 'appraisal', 'public_notice'][1 + h(id * 29) % 3] AS state,
                   DATE '2026-06-10' + CAST(h(id * 31) % 40 AS INTEGER) AS deadline
            FROM range(1, {households} + 1) t(id) WHERE h(id * 37) % 100 < 2""",
        "measures": f"""SELECT id AS household_id,
                   ['01', '02', '05', '11'][1 + h(id * 41) % 4] AS measure_type,
                   'ongoing' AS status
            FROM range(1, {households} + 1) t(id) WHERE h(id * 13) % 100 < 8""",
        "visits": f"""SELECT id AS household_id,
                   DATE '2026-01-01' + CAST(h(id * 43) % 180 AS INTEGER) AS visited_on
            FROM range(1, {households} + 1) t(id) WHERE h(id * 13) % 100 < 7""",
    }
    for name, query in tables.items():
        paths[name] = directory / f"{name}.parquet"
        columns = ", ".join(SCHEMAS[name].names)
        con.execute(f"COPY (SELECT {columns} FROM ({query})) TO '{paths[name]}' (FORMAT parquet)")
    paths["quality"] = directory / "quality.parquet"
    con.execute(
        "COPY (SELECT id AS household_id, 'LACK_OF_LABOUR_CAUSE' AS rule"
        f" FROM range(1, {households} + 1) t(id)"
        f" WHERE h(id * 47) % 100 < 3) TO '{paths['quality']}' (FORMAT parquet)"
    )
    paths.pop("records", None)
    con.close()
    return paths


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(households: int, repeats: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count, Q, Sum
    from django.test import Client

    from jingzhun.accounts.choices import Role
    from jingzhun.accounts.models import User
    from jingzhun.areas.choices import AreaLevel
    from jingzhun.areas.models import Area
    from jingzhun.areas.selectors import code_range_q
    from jingzhun.core.bulk import insert_rows
    from jingzhun.core.runs import RunStatus
    from jingzhun.dashboards.engine import household_facts, rolled_up, village_figures
    from jingzhun.dashboards.figures import FIGURES
    from jingzhun.dashboards.models import AggregateRun, AreaFigure, HouseholdFact
    from jingzhun.dashboards.services import _levels, fact_parameters
    from jingzhun.monitoring.engine.runner import duckdb_tables

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(dir=os.environ.get("JINGZHUN_VAR_DIR")) as work:
        started = time.perf_counter()
        paths = generate(Path(work), households)
        generation_s = time.perf_counter() - started
        province = Area.objects.get(code="150000000000")
        _make_areas(Area, AreaLevel, province)
        parameters = fact_parameters(province="15", as_of=AS_OF, income_year=2025)
        run = AggregateRun.objects.create(area=province, as_of=AS_OF, income_year=2025)
        engine_s, write_s = [], []
        facts_rows: list[dict[str, Any]] = []
        figure_rows: list[dict[str, Any]] = []
        for round_number in range(repeats + 1):
            started = time.perf_counter()
            con, tables = duckdb_tables(paths)
            facts = con.create_table("facts", household_facts(tables, parameters), temp=True, overwrite=True)
            villages = con.create_table(
                "villages", village_figures(facts, FIGURES), temp=True, overwrite=True
            )
            figures = rolled_up(villages, _levels(province)).to_pyarrow()
            fact_table = facts.to_pyarrow()
            con.disconnect()
            elapsed = time.perf_counter() - started
            started = time.perf_counter()
            facts_rows = fact_table.to_pylist()
            figure_rows = figures.to_pylist()
            with transaction.atomic():
                HouseholdFact.objects.all().delete()
                AreaFigure.objects.all().delete()
                insert_rows(HouseholdFact, ({**row, "run_id": run.pk} for row in facts_rows))
                insert_rows(AreaFigure, ({**row, "run_id": run.pk} for row in figure_rows))
            written = time.perf_counter() - started
            if round_number:  # the first round pays imports and compilation once
                engine_s.append(elapsed)
                write_s.append(written)
        AggregateRun.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED, finished_at=run.started_at)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    admin = User.objects.create_user("bench", password="x", role=Role.SUPERVISOR, area=province)
    client = Client()
    client.force_login(admin)
    county = Area.objects.get(code="150102000000")

    def page_times(area: Any) -> list[float]:
        times = []
        for request in range(PAGE_REQUESTS + 1):
            started = time.perf_counter()
            response = client.get(f"/dashboards/{area.code}/")
            assert response.status_code == 200
            if request:
                times.append(time.perf_counter() - started)
        return times

    def live_times(area: Any) -> list[float]:
        """The peer: the page's key figures and child-area table counted live from the facts."""
        from jingzhun.areas.selectors import child_prefix

        times = []

        for request in range(PAGE_REQUESTS + 1):
            started = time.perf_counter()
            facts = HouseholdFact.objects.filter(code_range_q(area, "village_id"))
            totals = facts.aggregate(
                households=Count("pk"),
                people=Sum("people"),
                monitored=Count("pk", filter=Q(monitored=True)),
                monitored_open=Count("pk", filter=Q(monitored_open=True)),
                warned=Count("pk", filter=Q(has_open_warning=True)),
                warned_overdue=Count("pk", filter=Q(has_overdue_warning=True)),
                in_procedure=Count("pk", filter=Q(has_open_case=True)),
                below=Count("pk", filter=Q(below_monitoring_line=True)),
            )
            by_status = list(facts.values("poverty_status").annotate(n=Count("pk")).order_by())
            by_attribute = list(facts.values("attribute").annotate(n=Count("pk")).order_by())
            by_band = list(facts.values("income_band").annotate(n=Count("pk")).order_by())
            children = list(
                facts.annotate(prefix=child_prefix(area, "village_id"))
                .values("prefix")
                .annotate(n=Count("pk"), open=Count("pk", filter=Q(monitored_open=True)))
                .order_by()
            )
            del totals, by_status, by_attribute, by_band, children
            if request:
                times.append(time.perf_counter() - started)
        return times

    pages = {
        "county": {"aggregates_s": page_times(county), "live_orm_s": live_times(county)},
        "province": {"aggregates_s": page_times(province), "live_orm_s": live_times(province)},
    }
    return {
        "households": households,
        "villages": CITIES * COUNTIES * TOWNSHIPS * VILLAGES,
        "facts": len(facts_rows),
        "figures": len(figure_rows),
        "generation_s": generation_s,
        "engine_s": engine_s,
        "write_sqlite_s": write_s,
        "pages": pages,
        "peak_rss_mib": peak_rss_mib(),
    }


def _make_areas(Area: Any, AreaLevel: Any, province: Any) -> None:
    """The synthetic province's cities, counties, townships and villages (codes as generated)."""
    rows = []
    for city in range(1, CITIES + 1):
        city_code = f"15{city:02d}"
        rows.append((f"{city_code}00000000", f"市{city}", AreaLevel.CITY, province.code))
        for county in range(1, COUNTIES + 1):
            county_code = f"{city_code}{county:02d}"
            rows.append(
                (f"{county_code}000000", f"县{city}-{county}", AreaLevel.COUNTY, f"{city_code}00000000")
            )
            for township in range(TOWNSHIPS):
                township_code = f"{county_code}{100 + township:03d}"
                rows.append(
                    (f"{township_code}000", f"乡{township}", AreaLevel.TOWNSHIP, f"{county_code}000000")
                )
                for village in range(VILLAGES):
                    rows.append(
                        (
                            f"{township_code}{200 + village:03d}",
                            f"村{village}",
                            AreaLevel.VILLAGE,
                            f"{township_code}000",
                        )
                    )
    existing = set(Area.objects.filter(code__in=[row[0] for row in rows]).values_list("code", flat=True))
    Area.objects.bulk_create(
        [Area(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in rows if c not in existing],
        batch_size=2000,
    )


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    households = int(os.environ.get("BENCH_HOUSEHOLDS", 1_000_000))
    repeats = int(os.environ.get("BENCH_REPEATS", 3))
    if "--child" in sys.argv:
        print(json.dumps(run(households, repeats)))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    var = ROOT / "var"
    var.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jingzhun-bench-", dir=var) as work:
        database = Path(work) / "bench.sqlite3"
        env = {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "JINGZHUN_DEBUG": "false",
            "JINGZHUN_SECRET_KEY": "benchmark-secret-key-not-used-for-anything-0123456789",
            "JINGZHUN_DATABASE_URL": f"sqlite:///{database}",
            "JINGZHUN_VAR_DIR": work,
            "JINGZHUN_ALLOWED_HOSTS": "testserver",
            # Pages are measured, not the log-in: plain HTTP in-process, no second factor.
            "JINGZHUN_SSL_REDIRECT": "false",
            "JINGZHUN_TWO_FACTOR_REQUIRED": "false",
            "PYTHONPATH": str(ROOT),
        }
        print(f"dashboard benchmark: {households:,} households, {repeats} rounds …", flush=True)
        completed = subprocess.run(
            [sys.executable, __file__, "--child"], env={**os.environ, **env}, capture_output=True, text=True
        )
        if completed.returncode != 0:
            raise SystemExit(completed.stderr[-4000:])
        result = json.loads(completed.stdout.strip().splitlines()[-1])
    pages = result["pages"]
    summary = {
        "refresh_engine_median_s": _median(result["engine_s"]),
        "refresh_write_sqlite_median_s": _median(result["write_sqlite_s"]),
        "households_per_s": households / (_median(result["engine_s"]) + _median(result["write_sqlite_s"])),
    }
    for name, times in pages.items():
        ours, live = sorted(times["aggregates_s"]), sorted(times["live_orm_s"])
        summary[f"{name}_page_median_ms"] = 1000 * _median(ours)
        summary[f"{name}_page_p95_ms"] = 1000 * ours[int(0.95 * (len(ours) - 1))]
        summary[f"{name}_live_orm_median_ms"] = 1000 * _median(live)
        summary[f"{name}_live_over_aggregates"] = _median(live) / _median(ours)
    output = {
        "benchmark": "dashboards",
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "result": result,
        "summary": summary,
        "target": "dashboard page under 200 ms server time from the aggregates",
    }
    path = RESULTS / "dashboards.json"
    path.write_text(json.dumps(output, indent=1) + "\n")
    for key, value in summary.items():
        print(f"{key:36} {value:12.1f}")
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
