"""Dynamic fund monitoring: each rule fires on its crafted case and not on the clean
ones beside it, identically on DuckDB, PostgreSQL (in-database) and Spark; runs write,
refresh and resolve findings; a finding is confirmed or dismissed with a reason."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.areas.models import Area
from jingzhun.assets.services import asset_register
from jingzhun.core.runs import RunStatus
from jingzhun.funds import monitoring, services
from jingzhun.funds.choices import FindingStatus, FundEngine, PayeeKind
from jingzhun.funds.engine.rules import FUND_RULE_FUNCTIONS
from jingzhun.funds.models import FundFinding
from jingzhun.projects.choices import FundLevel, ProjectState
from jingzhun.projects.models import Project
from jingzhun.projects.services import beneficiary_add
from tests import factories
from tests.case_steps import people
from tests.project_steps import proposal, walk_to

pytestmark = pytest.mark.usefixtures("reference_data")
TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1
CODES = sorted(FUND_RULE_FUNCTIONS)


def _days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def _voucher() -> SimpleUploadedFile:
    return SimpleUploadedFile("v.pdf", b"%PDF-1.4 v\n%%EOF\n")


def _fund(finance, area, number, level, amount, year=LAST_YEAR):
    return services.fund_create(
        user=finance,
        area=area,
        document_number=number,
        title=number,
        issued_on=_days_ago(200),
        year=year,
        level=level,
        fund_type="01",
        amount=amount,
    )


def _pay(finance, fund, project, amount, *, days=5, payee=None, beneficiary=None):
    return services.pay(
        user=finance,
        fund=fund,
        project=project,
        amount=amount,
        occurred_on=_days_ago(days),
        payee_kind=PayeeKind.PERSON if payee else PayeeKind.UNIT,
        payee_name=payee.name if payee else "建筑公司",
        payee_id_number=payee.id_number if payee else "",
        beneficiary=beneficiary,
        voucher=_voucher(),
    )


@pytest.fixture
def scenario(village, other_village):
    """A county where each rule has one crafted subject, beside clean ones."""
    staff = people(village, other_village)
    county = Area.objects.get(code=factories.COUNTY)
    finance = factories.user("finance", Role.FINANCE_OFFICER, county)
    township = village.parent
    h1, h2, h3 = (factories.household(village) for _ in range(3))
    m1, m2, m3 = (factories.member(h, relation="01") for h in (h1, h2, h3))

    p1 = walk_to(staff, proposal(staff.village, name="P1 养殖", category="01"), ProjectState.PLANNED)
    Project.objects.filter(pk=p1.pk).update(planned_start=_days_ago(60))
    p2 = proposal(staff.village, name="P2 道路", category="03")
    b1 = beneficiary_add(user=staff.village, project=p2, household=h1, benefit_type="01")
    b3 = beneficiary_add(user=staff.village, project=p2, household=h3, benefit_type="01")
    p2 = walk_to(staff, p2, ProjectState.UNDER_WAY)
    p3 = walk_to(staff, proposal(staff.village, name="P3 人居", category="04"), ProjectState.PLANNED)
    p4 = walk_to(staff, proposal(staff.village, name="P4 无资产"), ProjectState.ACCEPTED)
    p5 = walk_to(staff, proposal(staff.village, name="P5 有资产"), ProjectState.ACCEPTED)
    Project.objects.filter(pk__in=[p3.pk]).update(planned_start=TODAY)
    Project.objects.filter(pk__in=[p4.pk, p5.pk]).update(accepted_on=_days_ago(60))
    asset_register(
        user=staff.county,
        project=p5,
        village_code=p5.area_id,
        name="牛舍",
        asset_type="operating",
        quantity=Decimal("1"),
        unit="栋",
        value="1000.00",
        year_formed=TODAY.year,
        owner_kind="village_collective",
        owner_name="村集体",
    )

    a = _fund(finance, county, "A", FundLevel.CENTRAL, "1000000.00")
    b = _fund(finance, township, "B", FundLevel.CENTRAL, "100000.00")
    c = _fund(finance, county, "C", FundLevel.PROVINCIAL, "200000.00")
    d = _fund(finance, county, "D", FundLevel.COUNTY, "50000.00")
    services.allocate(user=finance, fund=a, project=p1, amount="500000.00", occurred_on=_days_ago(120))
    services.allocate(user=finance, fund=a, project=p2, amount="400000.00", occurred_on=_days_ago(10))
    _pay(finance, a, p2, "100000.00")
    services.allocate(user=finance, fund=b, project=p3, amount="100000.00", occurred_on=_days_ago(10))
    services.allocate(user=finance, fund=c, project=p2, amount="200000.00", occurred_on=_days_ago(10))
    stranger = _pay(finance, c, p2, "60000.00", payee=m2)
    _pay(finance, c, p2, "20000.00", payee=m1, beneficiary=b1)
    _pay(finance, c, p2, "20000.00", payee=m1, beneficiary=b1)
    _pay(finance, c, p2, "10000.00", payee=m3, beneficiary=b3)
    wrong = _pay(finance, c, p2, "10000.00", payee=m3, beneficiary=b3)
    services.reverse(user=finance, movement=wrong, reason="重复录入", occurred_on=TODAY)
    services.allocate(user=finance, fund=d, project=p2, amount="50000.00", occurred_on=_days_ago(10))
    _pay(finance, d, p2, "50000.00")
    expected = {
        "FUND_IDLE": {("fund", a.pk, p1.pk)},
        "PROJECT_NOT_STARTED": {("project", p1.pk)},
        "SPENDING_BEHIND": {("fund", a.pk), ("fund", b.pk), ("fund", c.pk)},
        "PAYEE_NOT_BENEFICIARY": {("movement", stranger.pk, h2.pk)},
        "PAID_TWICE": {("project", p2.pk, h1.pk)},
        "ACCEPTED_WITHOUT_ASSETS": {("project", p4.pk)},
        "INDUSTRY_SHARE_LOW": {("area", township.code, str(LAST_YEAR))},
    }
    return {"county": county, "finance": finance, "staff": staff, "expected": expected}


def _subjects(table) -> dict[str, set[tuple]]:
    found: dict[str, set[tuple]] = {code: set() for code in CODES}
    for row in table.to_pylist():
        if row["movement_id"] is not None:
            subject = ("movement", row["movement_id"], row["household_id"])
        elif row["fund_id"] is not None and row["project_id"] is not None:
            subject = ("fund", row["fund_id"], row["project_id"])
        elif row["fund_id"] is not None:
            subject = ("fund", row["fund_id"])
        elif row["project_id"] is not None and row["household_id"] is not None:
            subject = ("project", row["project_id"], row["household_id"])
        elif row["project_id"] is not None:
            subject = ("project", row["project_id"])
        else:
            subject = ("area", row["area_id"], row["detail"])
        found[row["rule"]].add(subject)
    return found


def _evaluate(engine, county, tmp_path):
    return monitoring.evaluate_fund_rules(
        engine, area=county, as_of=TODAY, codes=CODES, work=tmp_path, progress=lambda *_: None
    )


def test_each_rule_fires_on_its_case_and_not_on_the_clean_ones(scenario, tmp_path):
    found = _evaluate(FundEngine.DUCKDB, scenario["county"], tmp_path)
    assert _subjects(found) == scenario["expected"]
    by_rule = {row["rule"]: row for row in found.to_pylist()}
    assert by_rule["FUND_IDLE"]["value"] == Decimal("500000.0000")
    assert by_rule["INDUSTRY_SHARE_LOW"]["value"] == Decimal("0")
    assert by_rule["PAID_TWICE"]["value"] == Decimal("2")


@pytest.mark.spark
def test_spark_finds_the_same(scenario, tmp_path):
    on_duckdb = _evaluate(FundEngine.DUCKDB, scenario["county"], tmp_path / "d")
    on_spark = _evaluate(FundEngine.SPARK, scenario["county"], tmp_path / "s")
    assert on_spark.to_pylist() == on_duckdb.to_pylist()


@pytest.mark.postgres_only
def test_postgres_in_database_finds_the_same(scenario, tmp_path):
    on_duckdb = _evaluate(FundEngine.DUCKDB, scenario["county"], tmp_path)
    in_database = _evaluate(FundEngine.POSTGRES, scenario["county"], tmp_path)
    assert in_database.to_pylist() == on_duckdb.to_pylist()


def test_runs_write_refresh_and_resolve_findings(scenario):
    county, finance = scenario["county"], scenario["finance"]
    run = monitoring.fund_monitoring_execute(monitoring.fund_monitoring_start(area=county, user=finance))
    assert run.status == RunStatus.SUCCEEDED
    total = sum(len(subjects) for subjects in scenario["expected"].values())
    assert (run.findings, run.created, FundFinding.objects.count()) == (total, total, total)
    again = monitoring.fund_monitoring_execute(monitoring.fund_monitoring_start(area=county, user=finance))
    assert (again.created, FundFinding.objects.count()) == (0, total)
    idle = FundFinding.objects.get(rule="FUND_IDLE")
    assert idle.last_run == again
    assert "500000" in idle.message
    # The idle money is paid: the next run no longer finds it.
    services._require_finance(finance, idle.fund.area_id)
    _pay(finance, idle.fund, idle.project, "500000.00", days=0)
    third = monitoring.fund_monitoring_execute(monitoring.fund_monitoring_start(area=county, user=finance))
    idle.refresh_from_db()
    assert idle.status == FindingStatus.RESOLVED
    assert third.resolved >= 1


def test_findings_are_confirmed_or_dismissed_with_a_reason(scenario):
    county, finance, staff = scenario["county"], scenario["finance"], scenario["staff"]
    monitoring.fund_monitoring_execute(monitoring.fund_monitoring_start(area=county, user=finance))
    finding = FundFinding.objects.get(rule="PAID_TWICE")
    for user in (staff.village, staff.township, staff.supervisor):
        with pytest.raises(PermissionDenied):
            monitoring.finding_decide(user=user, finding=finding, to=FindingStatus.CONFIRMED)
    with pytest.raises(ValidationError):
        monitoring.finding_decide(user=finance, finding=finding, to=FindingStatus.DISMISSED, note=" ")
    monitoring.finding_decide(user=staff.county, finding=finding, to=FindingStatus.CONFIRMED)
    with pytest.raises(ValidationError):
        monitoring.finding_decide(user=finance, finding=finding, to=FindingStatus.DISMISSED, note="x")
    with pytest.raises(PermissionDenied):
        monitoring.fund_monitoring_start(area=county, user=staff.village)


def test_the_findings_page_checks_and_decides(scenario, client):
    county, finance = scenario["county"], scenario["finance"]
    monitoring.fund_monitoring_execute(monitoring.fund_monitoring_start(area=county, user=finance))
    client.force_login(finance)
    page = client.get("/funds/monitoring/").content.decode()
    assert 'data-testid="monitoring-start"' in page
    assert "500000" in page
    finding = FundFinding.objects.get(rule="PROJECT_NOT_STARTED")
    client.post(
        f"/funds/monitoring/findings/{finding.pk}/decide/", {"to": "dismissed", "note": "已报批延期开工"}
    )
    finding.refresh_from_db()
    assert (finding.status, finding.decision_note) == (FindingStatus.DISMISSED, "已报批延期开工")
    village = scenario["staff"].village
    client.force_login(village)
    assert 'data-testid="monitoring-start"' not in client.get("/funds/monitoring/").content.decode()
    assert (
        client.post(f"/funds/monitoring/findings/{finding.pk}/decide/", {"to": "confirmed"}).status_code
        == 302
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED
