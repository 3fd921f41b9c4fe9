"""Fund-monitoring benchmark: jingzhun's fund rules against a hand-written DuckDB query for
the same rules and a Django ORM loop.

Province scale (synthetic, written straight to the fund snapshot's Parquet layout):
3,000 villages in 30 counties, 100,000 projects, 100,000 allocations and 1,000,000
payments (1 % reversed), 500,000 beneficiary households, 300,000 registered households
with 900,000 people, 50,000 assets, 600 funds (BENCH_FUND_SCALE multiplies it all).

- jingzhun: the seven fund rules as Ibis expressions compiled to DuckDB;
- hand-written DuckDB SQL for the same seven rules over the same files (the floor);
- county scale (BENCH_FUND_ORM_PROJECTS projects, default 1,000, in a real SQLite
  database): the Django ORM computing the same rules project by project and fund by
  fund, against jingzhun's whole path on the same database (snapshot extraction included).

Every contender runs in its own process (peak memory is its own), ``--repeats`` times
after an untimed warm-up; medians are compared. Findings per rule are checked equal
before any time is reported.
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
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.screening import _django_env, peak_rss_mib  # noqa: E402

RESULTS = ROOT / "bench" / "results"
AS_OF = datetime.date(2026, 6, 30)
PROVINCE_LOW, PROVINCE_HIGH = "150000000000", "159999999999"


def catalogue_parameters() -> dict[str, Decimal]:
    seed = json.loads((ROOT / "jingzhun" / "funds" / "data" / "fund_rules.json").read_text("utf-8"))
    return {
        key: Decimal(str(value)) for key, province, _year, value, _text in seed["parameters"] if not province
    }


# --- synthetic province ----------------------------------------------------------------


def generate(directory: Path, scale: int) -> dict[str, Path]:
    import duckdb

    directory.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("CREATE MACRO h(x) AS CAST(hash(x) % 1000000007 AS BIGINT)")
    projects, payments, people = 100_000 * scale, 1_000_000 * scale, 900_000 * scale
    households, beneficiaries, assets, funds = 300_000 * scale, 500_000 * scale, 50_000 * scale, 600 * scale
    # Villages: 3,000 in 30 counties; county c is 15cccc000000, village v of county c is 15cccc + v.
    village = "'15' || lpad(CAST(1 + ({v}) % 30 AS VARCHAR), 4, '0') || lpad(CAST({v} AS VARCHAR), 6, '0')"
    statements = {
        "funds": f"""
            SELECT i AS id, '15' || lpad(CAST(1 + i % 30 AS VARCHAR), 4, '0') || '000000' AS area_id,
                   ['central', 'provincial', 'city', 'county'][1 + i % 4] AS level, '01' AS fund_type,
                   CAST(2025 + i % 2 AS INTEGER) AS year, CAST(40000000000 AS BIGINT) AS amount,
                   DATE '2025-01-15' AS issued_on
            FROM range(1, {funds} + 1) t(i)""",
        "projects": f"""
            SELECT i AS id, {village.format(v="1 + i % 3000")} AS area_id,
                   ['planned', 'under_way', 'accepted', 'in_library', 'completed', 'accepted'][1 + h(i) % 6]
                       AS state,
                   ['01', '01', '03', '04', '02', '06'][1 + h(i * 3) % 6] AS category,
                   CAST(2026 AS INTEGER) AS year,
                   DATE '2025-10-01' + CAST(h(i * 5) % 300 AS INTEGER) AS planned_start,
                   CASE WHEN h(i * 7) % 3 = 0 THEN NULL ELSE DATE '2026-01-01' END AS started_on,
                   DATE '2026-01-01' + CAST(h(i * 11) % 170 AS INTEGER) AS accepted_on
            FROM range(1, {projects} + 1) t(i)""",
        "households": f"""
            SELECT i AS id, {village.format(v="1 + i % 3000")} AS village_id
            FROM range(1, {households} + 1) t(i)""",
        "people": f"""
            SELECT 1 + i % {households} AS household_id, 'P' || CAST(i AS VARCHAR) AS id_number_index
            FROM range(1, {people} + 1) t(i)""",
        "beneficiaries": f"""
            SELECT i AS id, 1 + h(i) % {projects} AS project_id, 1 + h(i * 13) % {households} AS household_id,
                   ['01', '02', '04'][1 + i % 3] AS benefit_type
            FROM range(1, {beneficiaries} + 1) t(i)""",
        "assets": f"""
            SELECT i AS id, 1 + h(i * 17) % {projects} AS project_id FROM range(1, {assets} + 1) t(i)""",
    }
    for name, sql in statements.items():
        con.execute(f"CREATE TABLE {name} AS {sql}")
    # The fund of a project: one of its county's funds.
    con.execute(
        f"""
        CREATE TABLE movements AS
        WITH allocations AS (
            SELECT p.id AS id, 'allocation' AS kind,
                   1 + ((CAST(substr(p.area_id, 3, 4) AS BIGINT) - 1) + 30 * (h(p.id) % {funds // 30}))
                       AS fund_id,
                   p.id AS project_id, CAST(100000000 AS BIGINT) AS amount,
                   DATE '2025-09-01' + CAST(h(p.id * 19) % 280 AS INTEGER) AS occurred_on,
                   CAST(NULL AS BIGINT) AS reverses_id, '' AS payee_id_index,
                   CAST(NULL AS BIGINT) AS beneficiary_id
            FROM projects p
        ),
        chosen AS (
            SELECT i, CASE WHEN h(i * 11) % 4 = 0 THEN 1 + h(i * 13) % {beneficiaries} ELSE NULL END
                          AS beneficiary_id
            FROM range(1, {payments} + 1) t(i)
        ),
        paid AS (
            SELECT {projects} + c.i AS id, 'payment' AS kind, a.fund_id, a.project_id,
                   CAST(1000000 + h(c.i) % 5000000 AS BIGINT) AS amount,
                   a.occurred_on + CAST(h(c.i * 3) % 60 AS INTEGER) AS occurred_on,
                   CAST(NULL AS BIGINT) AS reverses_id,
                   CASE WHEN h(c.i * 5) % 5 = 0 THEN 'P' || CAST(1 + h(c.i * 7) % {people} AS VARCHAR) ELSE ''
                   END AS payee_id_index,
                   c.beneficiary_id
            FROM chosen c LEFT JOIN beneficiaries b ON b.id = c.beneficiary_id
            -- A payment for a household's benefit is a payment of that benefit's project.
            JOIN allocations a ON a.project_id = coalesce(b.project_id, 1 + h(c.i * 23) % {projects})
        ),
        reversals AS (
            SELECT {projects} + {payments} + row_number() OVER (ORDER BY id) AS id,
                   'payment_reversal' AS kind,
                   fund_id, project_id, amount, occurred_on + 1 AS occurred_on, id AS reverses_id,
                   payee_id_index, beneficiary_id
            FROM paid WHERE h(id * 29) % 100 = 0
        )
        SELECT * FROM allocations UNION ALL SELECT * FROM paid UNION ALL SELECT * FROM reversals
        """
    )
    paths = {}
    for name in ("funds", "movements", "projects", "beneficiaries", "households", "people", "assets"):
        paths[name] = directory / f"{name}.parquet"
        con.execute(f"COPY (SELECT * FROM {name} ORDER BY 1) TO '{paths[name]}' (FORMAT parquet)")
    con.close()
    return paths


# --- contenders ----------------------------------------------------------------------


def contender_jingzhun(paths: dict[str, Path]) -> dict[str, int]:
    from jingzhun.funds.engine import runner
    from jingzhun.funds.engine.rules import FUND_RULE_FUNCTIONS, FundParameters
    from jingzhun.monitoring.engine.runner import duckdb_tables

    connection, tables = duckdb_tables(paths)
    try:
        # As jingzhun runs on an export: the files hold the province's rows only.
        snapshot = runner.whole_snapshot(tables, as_of=AS_OF)
        found = runner.evaluate(
            snapshot, FundParameters(values=catalogue_parameters()), sorted(FUND_RULE_FUNCTIONS)
        )
    finally:
        connection.disconnect()
    counts: dict[str, int] = {}
    for rule in found.column("rule").to_pylist():
        counts[rule] = counts.get(rule, 0) + 1
    return dict(sorted(counts.items()))


def hand_written_sql(as_of: datetime.date, p: dict[str, Decimal]) -> str:
    """The seven rules as an engineer would write them by hand against the same columns:
    the same subjects and evidence as jingzhun's, in one query, scoped to the province."""
    from jingzhun.funds.engine.rules import FundParameters, spending_target

    target = int(spending_target(as_of, FundParameters(values=p)) * 10000)
    day = f"DATE '{as_of.isoformat()}'"
    idle, grace, assets_days = (
        int(p["fund_idle_days"]),
        int(p["project_start_grace_days"]),
        int(p["asset_registration_days"]),
    )
    industry = int(p["central_industry_share_min"] * 10000)
    d = "CAST({} AS DECIMAL(18, 4))"
    return f"""
    WITH f AS (SELECT * FROM funds WHERE area_id BETWEEN '{PROVINCE_LOW}' AND '{PROVINCE_HIGH}'),
    pr AS (SELECT * FROM projects WHERE area_id BETWEEN '{PROVINCE_LOW}' AND '{PROVINCE_HIGH}'),
    mv AS (SELECT * FROM movements WHERE fund_id IN (SELECT id FROM f)),
    standing AS (SELECT * FROM mv WHERE kind IN ('allocation', 'payment')
                 AND id NOT IN (SELECT reverses_id FROM mv WHERE reverses_id IS NOT NULL)),
    net AS (SELECT fund_id, project_id,
                   sum(CASE WHEN kind = 'allocation' THEN amount ELSE 0 END) AS allocated,
                   sum(CASE WHEN kind = 'payment' THEN amount ELSE 0 END) AS paid,
                   max(occurred_on) AS last_movement
            FROM standing GROUP BY ALL),
    hh AS (SELECT id FROM households WHERE village_id BETWEEN '{PROVINCE_LOW}' AND '{PROVINCE_HIGH}'),
    pp AS (SELECT DISTINCT household_id, id_number_index FROM people
           WHERE household_id IN (SELECT id FROM hh) AND id_number_index <> ''),
    bf AS (SELECT * FROM beneficiaries WHERE project_id IN (SELECT id FROM pr))
    SELECT 'ACCEPTED_WITHOUT_ASSETS' AS rule, area_id, NULL::BIGINT AS fund_id, id AS project_id,
           NULL::BIGINT AS movement_id, NULL::BIGINT AS household_id, {d.format(0)} AS value,
           {d.format(assets_days)} AS threshold, CAST(accepted_on AS VARCHAR) AS detail
    FROM pr WHERE state = 'accepted' AND accepted_on < {day} - {assets_days}
      AND id NOT IN (SELECT project_id FROM assets)
    UNION ALL
    SELECT 'FUND_IDLE', pr.area_id, net.fund_id, net.project_id, NULL, NULL,
           {d.format("(allocated - paid) / 100")}, {d.format(idle)}, CAST(last_movement AS VARCHAR)
    FROM net JOIN pr ON pr.id = net.project_id
    WHERE allocated > paid AND last_movement < {day} - {idle}
    UNION ALL
    SELECT 'INDUSTRY_SHARE_LOW', area_id, NULL, NULL, NULL, NULL,
           {d.format("CAST(industry AS DECIMAL(24, 4)) / total")},
           {d.format(p["central_industry_share_min"])},
           CAST(year AS VARCHAR)
    FROM (SELECT f.area_id, f.year, sum(allocated) AS total,
                 sum(CASE WHEN pr.category IN ('01') THEN allocated ELSE 0 END) AS industry
          FROM net JOIN f ON f.id = net.fund_id JOIN pr ON pr.id = net.project_id
          WHERE f.level = 'central' GROUP BY ALL)
    WHERE total > 0 AND industry * 10000 < total * {industry}
    UNION ALL
    SELECT 'PAID_TWICE', pr.area_id, NULL, t.project_id, NULL, t.household_id,
           {d.format("times")}, {d.format(1)}, t.benefit_type
    FROM (SELECT s.project_id, b.household_id, b.benefit_type, count(*) AS times FROM standing s
          JOIN bf b ON b.id = s.beneficiary_id WHERE s.kind = 'payment' GROUP BY ALL HAVING count(*) > 1) t
    JOIN pr ON pr.id = t.project_id
    UNION ALL
    SELECT 'PAYEE_NOT_BENEFICIARY', pr.area_id, s.fund_id, s.project_id, s.id, pp.household_id,
           {d.format("s.amount / 100")}, {d.format(0)}, CAST(s.occurred_on AS VARCHAR)
    FROM standing s JOIN pp ON pp.id_number_index = s.payee_id_index JOIN pr ON pr.id = s.project_id
    WHERE s.kind = 'payment' AND s.payee_id_index <> ''
      AND NOT EXISTS (SELECT 1 FROM bf b
                      WHERE b.project_id = s.project_id AND b.household_id = pp.household_id)
    UNION ALL
    SELECT 'PROJECT_NOT_STARTED', area_id, NULL, id, NULL, NULL, {d.format(0)}, {d.format(grace)},
           CAST(planned_start AS VARCHAR)
    FROM pr WHERE state = 'planned' AND started_on IS NULL AND planned_start < {day} - {grace}
    UNION ALL
    SELECT 'SPENDING_BEHIND', area_id, id, NULL, NULL, NULL,
           {d.format("CAST(paid AS DECIMAL(24, 4)) / amount")}, {d.format("basis / 10000")}, ''
    FROM (SELECT f.id, f.area_id, f.amount, coalesce(n.paid, 0) AS paid,
                 CASE WHEN f.year < {as_of.year} THEN 10000
                      WHEN f.year = {as_of.year} THEN {target} ELSE 0 END
                     AS basis
          FROM f LEFT JOIN (SELECT fund_id, sum(paid) AS paid FROM net GROUP BY fund_id) n
                 ON n.fund_id = f.id)
    WHERE basis > 0 AND paid * 10000 < basis * amount
    ORDER BY rule, area_id, fund_id, project_id, movement_id, household_id
    """


def contender_sql(paths: dict[str, Path]) -> dict[str, int]:
    import duckdb

    con = duckdb.connect()
    for name, path in paths.items():
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
    found = con.execute(hand_written_sql(AS_OF, catalogue_parameters())).fetch_arrow_table()
    con.close()
    counts: dict[str, int] = {}
    for rule in found.column("rule").to_pylist():
        counts[rule] = counts.get(rule, 0) + 1
    return dict(sorted(counts.items()))


# --- county scale: the Django ORM, record by record ------------------------------------


def county_benchmark(projects: int, repeats: int) -> dict[str, Any]:
    """In a fresh SQLite register: a county's projects and ledger, then the ORM loop and
    jingzhun's whole path (extraction included) on the same database."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from jingzhun.funds.choices import FundEngine
    from jingzhun.funds.monitoring import evaluate_fund_rules

    county = _county_data(projects)
    times_orm, times_jingzhun, orm_counts, jingzhun_counts = [], [], {}, {}
    for round_number in range(repeats + 1):
        started = time.perf_counter()
        orm_counts = _orm_rules(county)
        if round_number:
            times_orm.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as work:
            started = time.perf_counter()
            found = evaluate_fund_rules(
                FundEngine.DUCKDB,
                area=county,
                as_of=AS_OF,
                codes=sorted(_rules()),
                work=Path(work),
                progress=lambda *_: None,
            )
            if round_number:
                times_jingzhun.append(time.perf_counter() - started)
        jingzhun_counts = {}
        for rule in found.column("rule").to_pylist():
            jingzhun_counts[rule] = jingzhun_counts.get(rule, 0) + 1
    if dict(sorted(jingzhun_counts.items())) != dict(sorted(orm_counts.items())):
        raise SystemExit(f"the ORM loop disagrees with jingzhun: {orm_counts} != {jingzhun_counts}")
    return {
        "projects": projects,
        "orm_s": times_orm,
        "jingzhun_s": times_jingzhun,
        "findings": dict(sorted(jingzhun_counts.items())),
    }


def _rules() -> list[str]:
    from jingzhun.funds.engine.rules import FUND_RULE_FUNCTIONS

    return sorted(FUND_RULE_FUNCTIONS)


def _county_data(count: int) -> Any:
    """A county of 30 villages with ``count`` projects, ten payments each, beneficiaries,
    registered people and assets, bulk-written (the services' checks are not what is timed)."""
    from jingzhun.accounts.choices import Role
    from jingzhun.accounts.models import User
    from jingzhun.areas.choices import AreaLevel
    from jingzhun.areas.models import Area
    from jingzhun.areas.services import areas_load_national
    from jingzhun.assets.models import Asset
    from jingzhun.funds.models import Fund, FundMovement
    from jingzhun.projects.models import Beneficiary, Project
    from jingzhun.registry.idnumbers import id_number_digest
    from jingzhun.registry.models import Household, Member

    areas_load_national()
    county = Area.objects.get(code="150124000000")
    township = Area.objects.create(
        code="150124100000", name="城关镇", level=AreaLevel.TOWNSHIP, parent=county
    )
    villages = [
        Area.objects.create(code=f"150124100{v:03d}", name=f"村{v}", level=AreaLevel.VILLAGE, parent=township)
        for v in range(1, 31)
    ]
    user = User.objects.create_user(username="bench", password="x", role=Role.FINANCE_OFFICER, area=county)
    households = Household.objects.bulk_create(
        Household(household_number=f"{villages[i % 30].code}{i:04d}", village=villages[i % 30])
        for i in range(count * 3)
    )
    Member.objects.bulk_create(
        Member(
            household=h,
            name="成员",
            sex="1",
            birth_date=datetime.date(1970, 1, 1),
            relation_to_head="01",
            id_number=f"1501241970010{i:05d}"[:18],
            id_number_index=id_number_digest(f"1501241970010{i:05d}"[:18]),
        )
        for i, h in enumerate(households)
    )
    states = ["planned", "under_way", "accepted", "in_library", "completed", "accepted"]
    projects = Project.objects.bulk_create(
        Project(
            name=f"项目{i}",
            year=2026,
            category=["01", "01", "03", "04", "02", "06"][i % 6],
            construction_type="1",
            area=villages[i % 30],
            responsible_unit="x",
            content="x",
            planned_start=datetime.date(2025, 10, 1) + datetime.timedelta(days=(i * 37) % 300),
            planned_end=datetime.date(2026, 12, 31),
            benefit_mechanisms=["01"],
            state=states[(i * 7) % 6],
            started_on=None if i % 3 == 0 else datetime.date(2026, 1, 1),
            accepted_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=(i * 11) % 170),
        )
        for i in range(count)
    )
    seen: set[tuple[int, int, str]] = set()
    rows = []
    for i in range(count * 5):
        key = (i % count, (i * 13) % len(households), ["01", "02", "04"][i % 3])
        if key not in seen:
            seen.add(key)
            rows.append(
                Beneficiary(project=projects[key[0]], household=households[key[1]], benefit_type=key[2])
            )
    beneficiaries = Beneficiary.objects.bulk_create(rows)
    funds = Fund.objects.bulk_create(
        Fund(
            document_number=f"F{i}",
            title="x",
            issued_on=datetime.date(2025, 1, 15),
            year=2025 + i % 2,
            level=["central", "provincial", "city", "county"][i % 4],
            fund_type="01",
            amount=Decimal("400000000.00"),
            area=county,
            recorded_by=user,
        )
        for i in range(20)
    )
    movements = [
        FundMovement(
            kind="allocation",
            fund=funds[i % 20],
            project=p,
            amount=Decimal("1000000.00"),
            occurred_on=datetime.date(2025, 9, 1) + datetime.timedelta(days=(i * 19) % 280),
            recorded_by=user,
        )
        for i, p in enumerate(projects)
    ]
    FundMovement.objects.bulk_create(movements)
    payments = []
    for i in range(count * 10):
        project_index = (i * 23) % count
        member_index = (i * 7) % len(households)
        number = f"1501241970010{member_index:05d}"[:18] if i % 5 == 0 else ""
        payments.append(
            FundMovement(
                kind="payment",
                fund=funds[project_index % 20],
                project=projects[project_index],
                amount=Decimal(10000 + (i * 31) % 50000) / 100,
                recorded_by=user,
                occurred_on=datetime.date(2025, 10, 1) + datetime.timedelta(days=(i * 3) % 200),
                payee_kind="person" if number else "unit",
                payee_name="x",
                payee_id_number=number,
                payee_id_index=id_number_digest(number) if number else "",
                beneficiary=beneficiaries[(i * 13) % len(beneficiaries)] if i % 4 == 0 else None,
            )
        )
    payments = FundMovement.objects.bulk_create(payments)
    FundMovement.objects.bulk_create(
        FundMovement(
            kind="payment_reversal",
            fund=m.fund,
            project=m.project,
            amount=m.amount,
            recorded_by=user,
            occurred_on=m.occurred_on,
            reverses=m,
            payee_kind=m.payee_kind,
            payee_name="x",
            payee_id_number=m.payee_id_number,
            payee_id_index=m.payee_id_index,
            beneficiary=m.beneficiary,
        )
        for m in payments[::100]
    )
    Asset.objects.bulk_create(
        Asset(
            project=projects[(i * 17) % count],
            name="x",
            asset_type="operating",
            quantity=1,
            unit="x",
            value=Decimal("1.00"),
            village=villages[0],
            year_formed=2026,
            owner_kind="village_collective",
            owner_name="x",
            registered_by=user,
        )
        for i in range(count // 2)
    )
    return county


def _orm_rules(county: Any) -> dict[str, int]:
    """The seven rules, object by object with the ORM (related rows prefetched)."""
    from collections import defaultdict

    from jingzhun.funds.engine.rules import FundParameters, spending_target
    from jingzhun.funds.models import Fund, FundMovement
    from jingzhun.projects.models import Beneficiary, Project
    from jingzhun.registry.models import Member

    p = catalogue_parameters()
    counts: dict[str, int] = defaultdict(int)
    projects = {project.pk: project for project in Project.objects.prefetch_related("assets")}
    reversed_ids = set(
        FundMovement.objects.filter(reverses__isnull=False).values_list("reverses_id", flat=True)
    )
    standing = [
        m for m in FundMovement.objects.filter(kind__in=["allocation", "payment"]) if m.pk not in reversed_ids
    ]
    net: dict[tuple[int, int], list[Any]] = {}
    for m in standing:
        row = net.setdefault((m.fund_id, m.project_id), [Decimal(0), Decimal(0), m.occurred_on])
        row[0 if m.kind == "allocation" else 1] += m.amount
        row[2] = max(row[2], m.occurred_on)
    for (_fund, _project), (allocated, paid, last) in net.items():
        if allocated > paid and last < AS_OF - datetime.timedelta(days=int(p["fund_idle_days"])):
            counts["FUND_IDLE"] += 1
    for project in projects.values():
        if (
            project.state == "planned"
            and project.started_on is None
            and project.planned_start < AS_OF - datetime.timedelta(days=int(p["project_start_grace_days"]))
        ):
            counts["PROJECT_NOT_STARTED"] += 1
        if (
            project.state == "accepted"
            and project.accepted_on < AS_OF - datetime.timedelta(days=int(p["asset_registration_days"]))
            and not project.assets.all()
        ):
            counts["ACCEPTED_WITHOUT_ASSETS"] += 1
    target = spending_target(AS_OF, FundParameters(values=p))
    paid_by_fund: dict[int, Decimal] = defaultdict(Decimal)
    for (fund, _project), (_allocated, paid, _last) in net.items():
        paid_by_fund[fund] += paid
    for fund in Fund.objects.all():
        share = Decimal(1) if fund.year < AS_OF.year else target if fund.year == AS_OF.year else Decimal(0)
        if share > 0 and paid_by_fund[fund.pk] < share * fund.amount:
            counts["SPENDING_BEHIND"] += 1
    people = dict(Member.objects.exclude(id_number_index="").values_list("id_number_index", "household_id"))
    benefits = set(Beneficiary.objects.values_list("project_id", "household_id"))
    beneficiary_rows = {b.pk: b for b in Beneficiary.objects.all()}
    paid_for: dict[tuple[int, int, str], int] = defaultdict(int)
    for m in standing:
        if m.kind != "payment":
            continue
        if (
            m.payee_id_index
            and m.payee_id_index in people
            and (m.project_id, people[m.payee_id_index]) not in benefits
        ):
            counts["PAYEE_NOT_BENEFICIARY"] += 1
        if m.beneficiary_id:
            b = beneficiary_rows[m.beneficiary_id]
            paid_for[(m.project_id, b.household_id, b.benefit_type)] += 1
    counts["PAID_TWICE"] = sum(1 for times in paid_for.values() if times > 1)
    shares: dict[tuple[str, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    funds = {f.pk: f for f in Fund.objects.filter(level="central")}
    for (fund, project), (allocated, _paid, _last) in net.items():
        if fund in funds:
            row = shares[(funds[fund].area_id, funds[fund].year)]
            row[0] += allocated
            if projects[project].category == "01":
                row[1] += allocated
    counts["INDUSTRY_SHARE_LOW"] = sum(
        1
        for total, industry in shares.values()
        if total > 0 and industry < total * p["central_industry_share_min"]
    )
    return {rule: count for rule, count in sorted(counts.items()) if count}


# --- running -----------------------------------------------------------------------------


def run_contender(name: str, data: Path, repeats: int) -> None:
    paths = {path.stem: path for path in data.glob("*.parquet")}
    times, counts = [], {}
    for round_number in range(repeats + 1):
        started = time.perf_counter()
        counts = contender_jingzhun(paths) if name == "jingzhun" else contender_sql(paths)
        if round_number:
            times.append(time.perf_counter() - started)
    print(json.dumps({"times_s": times, "findings": counts, "peak_rss_mib": peak_rss_mib()}))


def _child(arguments: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, __file__, *arguments],
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=int(os.environ.get("BENCH_FUND_SCALE", 1)))
    parser.add_argument(
        "--orm-projects", type=int, default=int(os.environ.get("BENCH_FUND_ORM_PROJECTS", 1000))
    )
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", 3)))
    parser.add_argument("--contender")
    parser.add_argument("--county", action="store_true")
    parser.add_argument("--data", type=Path)
    args = parser.parse_args()
    if args.contender:
        run_contender(args.contender, args.data, args.repeats)
        return
    if args.county:
        print(json.dumps(county_benchmark(args.orm_projects, args.repeats), default=str))
        return
    from tqdm import tqdm

    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        prefix="jingzhun-funds-", dir=ROOT / "var" if (ROOT / "var").is_dir() else None
    ) as work:
        work_dir = Path(work)
        steps = tqdm(total=4, desc="fund monitoring benchmark", unit="step")
        started = time.perf_counter()
        generate(work_dir / "province", args.scale)
        generation_s = time.perf_counter() - started
        steps.update()
        contenders = {}
        for name in ("jingzhun", "duckdb-sql"):
            steps.set_postfix_str(name)
            contenders[name] = _child(
                ["--contender", name, "--data", str(work_dir / "province"), "--repeats", str(args.repeats)]
            )
            steps.update()
        steps.set_postfix_str("county (Django ORM)")
        county = _child(
            ["--county", "--orm-projects", str(args.orm_projects), "--repeats", str(args.repeats)],
            _django_env(work_dir / "bench.sqlite3"),
        )
        steps.update()
        steps.close()
    if contenders["duckdb-sql"]["findings"] != contenders["jingzhun"]["findings"]:
        raise SystemExit(
            f"hand-written SQL disagrees: {contenders['duckdb-sql']['findings']}"
            f" != {contenders['jingzhun']['findings']}"
        )
    jingzhun = statistics.median(contenders["jingzhun"]["times_s"])
    sql = statistics.median(contenders["duckdb-sql"]["times_s"])
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "as_of": AS_OF.isoformat(),
        "scale": args.scale,
        "generation_s": round(generation_s, 2),
        "province": {
            name: {
                "median_s": round(statistics.median(c["times_s"]), 3),
                "ratio": round(statistics.median(c["times_s"]) / jingzhun, 3),
                "peak_rss_mib": round(c["peak_rss_mib"]),
                "findings": c["findings"],
            }
            for name, c in contenders.items()
        },
        "jingzhun_vs_hand_written": round(jingzhun / sql, 3),
        "county": {
            "projects": county["projects"],
            "orm_median_s": round(statistics.median(county["orm_s"]), 3),
            "jingzhun_median_s": round(statistics.median(county["jingzhun_s"]), 3),
            "findings": county["findings"],
        },
    }
    (RESULTS / "funds.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
