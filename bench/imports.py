"""Import benchmark: the national household-and-member sheet into a fresh register.

Contenders, each in its own process on the same file (peak memory is its own):

- jingzhun: ``household_import`` with every check (ID checksums, codes, one head,
  duplicates across the register, data-quality rules) into SQLite and PostgreSQL;
- record-at-a-time Django (``full_clean()`` and ``save()`` per household and member,
  as generic spreadsheet-import add-ons do), on the first BENCH_ORM_MEMBERS members;
- PostgreSQL ``COPY`` of the raw file with no checks at all: the floor.

Files: BENCH_XLSX_MEMBERS (default 100,000) members as .xlsx and BENCH_CSV_MEMBERS
(default 1,000,000) as CSV, ~3.3 members per household, one village per 300 households.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import itertools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
COUNTY = "150124"
HEADER = [
    "行政村代码", "户编号", "姓名", "证件号码", "与户主关系", "民族", "文化程度", "健康状况",
    "劳动技能", "务工时间(月)", "是否参加城乡居民基本医疗保险", "是否享受低保", "贫困户属性",
    "工资性收入", "生产经营性收入", "危房等级",
]  # fmt: skip
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _check_digit(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def village_codes(count: int) -> list[str]:
    return [
        f"{COUNTY}{100 + township:03d}{200 + village:03d}"
        for township in range(10)
        for village in range(count // 10 + 1)
    ][:count]


def rows(members: int, seed: int = 7) -> list[list[Any]]:
    rng = random.Random(seed)
    households = members * 10 // 33
    villages = village_codes(max(households // 300, 1))
    out: list[list[Any]] = []
    serial = 0
    household = 0
    start = datetime.date(1940, 1, 1)
    while len(out) < members:
        village = villages[household % len(villages)]
        number = f"{village}{household:05d}"
        size = min(rng.choice((1, 2, 3, 3, 4, 4, 5)), members - len(out))
        for position in range(size):
            birth = start + datetime.timedelta(days=(serial // 1000) % 25000)
            first17 = f"{COUNTY}{birth:%Y%m%d}{serial % 1000:03d}"
            relation = "户主" if position == 0 else ("配偶" if position == 1 else "之子")
            out.append(
                [
                    village, number, f"成员{serial}", first17 + _check_digit(first17), relation,
                    "汉族", "初中",
                    rng.choice(("健康", "健康", "长期慢性病")), "普通劳动力", rng.randint(0, 12), "是",
                    rng.choice(("是", "否", "否")), "一般贫困户" if position == 0 else None,
                    rng.randint(0, 30000) if position == 0 else None, 2000 if position == 0 else None,
                    rng.choice(("A级", "B级", "C级")) if position == 0 else None,
                ]
            )  # fmt: skip
            serial += 1
        household += 1
    return out


def write_csv(path: Path, members: int) -> None:
    records = rows(members)
    _villages_file(path).write_text("\n".join(sorted({row[0] for row in records})))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(records)


def write_next_year_csv(base: Path, path: Path, members: int) -> None:
    """The same sheet a year on, every household changed: the head's wage income rises
    and the head is now a skilled labourer (``base`` is the sheet as first imported)."""
    write_csv(base, members)
    records = rows(members)
    for record in records:
        if record[4] == "户主":
            record[8] = "技能劳动力"
            record[13] += 100
    _villages_file(path).write_text(_villages_file(base).read_text())
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(records)


def _base_of(path: Path) -> Path:
    return path.with_name(path.name.replace("next", "base"))


def write_xlsx(path: Path, members: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["建档立卡户家庭成员信息表"])
    sheet.write_row(1, 0, HEADER)
    records = rows(members)
    _villages_file(path).write_text("\n".join(sorted({row[0] for row in records})))
    for index, row in enumerate(records, start=2):
        for column, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(index, column, value)
            elif value is not None:
                sheet.write_number(index, column, value)
    book.close()


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- contenders (each runs in a child process: ``imports.py contender NAME FILE``) ---------


def _villages_file(path: Path) -> Path:
    return path.with_name(path.name + ".villages")


def _django(database_url: str, path: Path) -> None:
    os.environ["JINGZHUN_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("JINGZHUN_DEBUG", "true")
    # The benchmark's files are a province's, past the per-file limits of a county's sheet.
    os.environ.setdefault("JINGZHUN_SHEET_MAX_ROWS", "5000000")
    os.environ.setdefault("JINGZHUN_SHEET_MAX_UNPACKED_MB", "4096")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from jingzhun.areas.models import Area
    from jingzhun.areas.services import areas_load_national
    from jingzhun.codelists.services import load_seed, national_seed

    areas_load_national()
    load_seed(national_seed())
    county = Area.objects.get(code=f"{COUNTY}000000")
    for township in range(10):
        code = f"{COUNTY}{100 + township:03d}000"
        Area.objects.get_or_create(
            code=code, defaults={"name": f"乡{township}", "level": 4, "parent": county}
        )
    codes = set(_villages_file(path).read_text().split())
    Area.objects.bulk_create(
        [
            Area(code=code, name=f"村{code[-6:]}", level=5, parent_id=code[:9] + "000")
            for code in sorted(codes)
        ],
        ignore_conflicts=True,
    )


def contender_jingzhun(path: Path, database_url: str) -> dict[str, Any]:
    _django(database_url, path)
    from jingzhun.imports.services import household_import

    data = path.read_bytes()
    started = time.perf_counter()
    report = household_import(user=None, file_name=path.name, data=data)
    elapsed = time.perf_counter() - started
    assert report.ok, report.errors[:5]
    assert report.written
    return {"seconds": elapsed, "members": report.members, "households": report.households}


def _orm_records(path: Path) -> list[list[str]]:
    """The first BENCH_ORM_MEMBERS rows of the CSV file under its header (the record-by-record
    peers are timed on fewer rows: a million would take an hour)."""
    with path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        return list(itertools.islice(reader, int(os.environ["BENCH_ORM_MEMBERS"])))


def contender_jingzhun_update(path: Path, database_url: str) -> dict[str, Any]:
    """The register holds the base sheet; the next year's sheet is imported over it."""
    _django(database_url, path)
    from jingzhun.imports.services import household_import

    household_import(user=None, file_name="base.csv", data=_base_of(path).read_bytes())
    data = path.read_bytes()
    started = time.perf_counter()
    report = household_import(user=None, file_name=path.name, data=data)
    elapsed = time.perf_counter() - started
    assert report.ok, report.errors[:5]
    assert report.written
    assert report.households_updated == report.households, report.households_unchanged
    return {"seconds": elapsed, "members": report.members, "households": report.households}


def contender_orm_update(path: Path, database_url: str) -> dict[str, Any]:
    """What a generic import add-on does for rows already registered: fetch the record
    by its key, set the values, full_clean() and save(), row by row (no audit)."""
    _django(database_url, path)
    from django.db import transaction

    from jingzhun.imports.services import household_import
    from jingzhun.registry.income import TRANSFER_FIELDS, compute_income
    from jingzhun.registry.models import IncomeRecord, Member

    household_import(user=None, file_name="base.csv", data=_base_of(path).read_bytes())
    records = _orm_records(path)
    skills = {"技能劳动力": "1", "普通劳动力": "2"}
    households = set()
    started = time.perf_counter()
    with transaction.atomic():
        for row in records:
            member = Member.objects.get(id_number=row[3])
            member.labour_skill = skills[row[8]]
            member.full_clean()
            member.save()
            if row[13]:
                income = IncomeRecord.objects.filter(household_id=member.household_id).latest("year")
                income.wage_income = Decimal(row[13])
                figures = compute_income(
                    wage_income=income.wage_income, business_income=income.business_income,
                    property_income=income.property_income,
                    transfers={name: getattr(income, name) for name in TRANSFER_FIELDS},
                    production_costs=income.production_costs, resident_members=income.resident_members,
                )  # fmt: skip
                income.annual_income = figures.annual_income
                income.net_income = figures.net_income
                income.per_capita_net_income = figures.per_capita_net_income
                income.full_clean()
                income.save()
                households.add(member.household_id)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "members": len(records), "households": len(households)}


def contender_orm(path: Path, database_url: str) -> dict[str, Any]:
    """What a generic import add-on does: one model instance, full_clean() and save() per row."""
    _django(database_url, path)
    from django.db import transaction

    from jingzhun.registry.idnumbers import check_id_number
    from jingzhun.registry.models import Household, Member

    records = _orm_records(path)
    labels = {"户主": "01", "配偶": "02", "之子": "03", "汉族": "01", "初中": "3", "普通劳动力": "2"}
    started = time.perf_counter()
    with transaction.atomic():
        households: dict[str, Household] = {}
        for row in records:
            household = households.get(row[1])
            if household is None:
                household = Household(household_number=row[1], village_id=row[0], attribute="01")
                household.full_clean()
                household.save()
                households[row[1]] = household
            checked = check_id_number(row[3])
            member = Member(
                household=household, id_number=checked.number, name=row[2], sex=checked.sex,
                birth_date=checked.birth_date, relation_to_head=labels[row[4]], ethnicity="01",
                education="3", labour_skill="2", migrant_work_months=int(row[9]),
            )  # fmt: skip
            member.full_clean()
            member.save()
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "members": len(records), "households": len(households)}


def contender_copy(path: Path, database_url: str) -> dict[str, Any]:
    """The floor: the raw file into an unconstrained table with COPY, no checks at all."""
    import psycopg

    url = database_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS raw_members")
        connection.execute(
            f"CREATE TABLE raw_members ({', '.join(f'c{i} text' for i in range(len(HEADER)))})"
        )
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY raw_members FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        count = connection.execute("SELECT count(*) FROM raw_members").fetchone()[0]  # type: ignore[index]
    return {"seconds": elapsed, "members": count, "households": None}


CONTENDERS = {
    "jingzhun": contender_jingzhun,
    "orm": contender_orm,
    "copy": contender_copy,
    "jingzhun_update": contender_jingzhun_update,
    "orm_update": contender_orm_update,
}


def run_contender(name: str, path: Path, database_url: str, members: int) -> dict[str, Any]:
    env = {**os.environ, "BENCH_MEMBERS": str(members), "PYTHONPATH": str(ROOT)}
    output = subprocess.run(
        [sys.executable, __file__, "contender", name, str(path), database_url],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if output.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def fresh_sqlite(directory: Path, label: str) -> str:
    path = directory / f"{label}.sqlite3"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def machine_meta() -> dict[str, Any]:
    """Where and when a benchmark ran, for its results file."""
    return {
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
    }


def postgres_url(script: str) -> str:
    """The PostgreSQL server to benchmark against: JINGZHUN_DATABASE_URL when it names
    one; otherwise the script runs again inside a throw-away server (never returns)."""
    postgres = os.environ.get("JINGZHUN_DATABASE_URL", "")
    if not postgres.startswith(("postgres://", "postgresql://")):
        command = [sys.executable, str(ROOT / "scripts" / "with_postgres.py"), "--", sys.executable, script]
        os.execv(sys.executable, [*command, *sys.argv[1:]])
    return postgres


def fresh_postgres(base_url: str, label: str) -> str:
    import psycopg

    # The URL names a database that need not exist: administer through "postgres".
    path, _sep, query = base_url.partition("?")
    server = path.rsplit("/", 1)[0]
    admin = f"{server}/postgres?{query}".replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS bench_{label}")
        connection.execute(f"CREATE DATABASE bench_{label}")
    return f"{server}/bench_{label}?{query}"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "contender":
        _name, path, url = sys.argv[2:5]
        result = CONTENDERS[_name](Path(path), url)
        result["peak_mib"] = peak_rss_mib()
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--xlsx-members", type=int, default=int(os.environ.get("BENCH_XLSX_MEMBERS", 100_000))
    )
    parser.add_argument(
        "--csv-members", type=int, default=int(os.environ.get("BENCH_CSV_MEMBERS", 1_000_000))
    )
    parser.add_argument("--orm-members", type=int, default=int(os.environ.get("BENCH_ORM_MEMBERS", 20_000)))
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", 1)))
    args = parser.parse_args()
    os.environ["BENCH_ORM_MEMBERS"] = str(args.orm_members)
    postgres = postgres_url(__file__)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as work:
        directory = Path(work)
        xlsx = directory / "members.xlsx"
        csv_path = directory / "members.csv"
        write_xlsx(xlsx, args.xlsx_members)
        write_csv(csv_path, args.csv_members)
        next_year = directory / "update-next.csv"
        write_next_year_csv(_base_of(next_year), next_year, args.xlsx_members)
        plan = [
            ("jingzhun", xlsx, "sqlite", args.xlsx_members),
            ("jingzhun", xlsx, "postgresql", args.xlsx_members),
            ("jingzhun", csv_path, "sqlite", args.csv_members),
            ("jingzhun", csv_path, "postgresql", args.csv_members),
            ("orm", csv_path, "postgresql", args.orm_members),
            ("copy", csv_path, "postgresql", args.csv_members),
            ("jingzhun_update", next_year, "sqlite", args.xlsx_members),
            ("jingzhun_update", next_year, "postgresql", args.xlsx_members),
            ("orm_update", next_year, "postgresql", args.orm_members),
        ]
        for name, path, database, members in plan:
            timings = []
            for repeat in range(args.repeats):
                label = f"{name}_{path.suffix[1:]}_{repeat}"
                url = (
                    fresh_sqlite(directory, label)
                    if database == "sqlite"
                    else fresh_postgres(postgres, label)
                )
                timings.append(run_contender(name, path, url, members))
            median = statistics.median(t["seconds"] for t in timings)
            entry = {
                "contender": name, "file": path.suffix[1:], "database": database,
                "members": timings[0]["members"], "households": timings[0]["households"],
                "median_seconds": round(median, 2),
                "members_per_second": round(timings[0]["members"] / median),
                "peak_mib": round(max(t["peak_mib"] for t in timings)),
            }  # fmt: skip
            results.append(entry)
            print(json.dumps(entry, ensure_ascii=False), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = machine_meta()
    (RESULTS / "imports.json").write_text(
        json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=1)
    )
    print(f"written {RESULTS / 'imports.json'}")


if __name__ == "__main__":
    main()
