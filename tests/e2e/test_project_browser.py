"""A project's way from the village's proposal to the income its asset pays a household,
each step by another person in their own browser: the village proposes, the township
and the county take it into the library, finance allocates and pays, the county
accepts it and registers an asset, the village distributes the asset's income, and
the household's page shows the project and the income."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.areas.models import Area
from jingzhun.assets.models import Asset
from jingzhun.funds.services import fund_project_totals
from jingzhun.projects.models import Project
from jingzhun.registry.models import IncomeRecord
from tests import factories
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_case_browser import Desks
from tests.project_steps import end_notice

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(reference_data):
    village = factories.area("150124100201", "榆树营村")
    county = Area.objects.get(code=factories.COUNTY)
    household = factories.household(village, attribute="09", group_name="二组")
    factories.member(household, name="王秀兰", age=58)
    factories.user("cadre", Role.VILLAGE_CADRE, village)
    factories.user("township", Role.TOWNSHIP_REVIEWER, village.parent)
    factories.user("county", Role.COUNTY_OFFICER, county)
    factories.user("finance", Role.FINANCE_OFFICER, county)
    return {"village": village, "household": household}


@pytest.fixture
def desks(browser, live_server):
    desks = Desks(browser, live_server)
    yield desks
    desks.close()


def _pdf(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4 scan\n%%EOF\n")
    return str(path)


def _step(page, action):
    page.click(f"[data-testid=step-{action}] button[type=submit]")
    page.wait_for_load_state()


def test_from_proposal_to_asset_income_on_the_household_page(live_server, people, desks, tmp_path):
    url, household = live_server.url, people["household"]
    today = timezone.localdate().isoformat()

    # 1. The village proposes the project with its budget, targets and beneficiary.
    cadre = desks("cadre")
    cadre.goto(f"{url}/projects/")
    cadre.click("[data-testid=project-new]")
    for field, value in [
        ("name", "榆树营村肉牛养殖小区"),
        ("responsible_unit", "榆树营村股份经济合作社"),
        ("planned_start", today),
        ("planned_end", today),
        ("households_planned", "40"),
        ("people_planned", "110"),
        ("content", "新建牛舍2栋1200平方米"),
        ("benefit_note", "资产收益分红"),
        ("budget_central_01", "800000"),
    ]:
        cadre.fill(f"#id_{field}", value)
    cadre.select_option("#id_category", "01")
    cadre.select_option("#id_construction_type", "1")
    cadre.check("[data-testid=project-form] input[name=benefit_mechanisms][value='02']")
    cadre.click("[data-testid=project-form] button[type=submit]")
    cadre.wait_for_selector("[data-testid=entry-problems]")
    project = Project.objects.get()
    for level, dimension, indicator, value in [
        ("output", "quantity", "新建牛舍面积", "1200"),
        ("benefit", "economic", "户均分红", "1000"),
    ]:
        cadre.select_option("#id_level", level)
        cadre.select_option("#id_dimension", dimension)
        cadre.fill("#id_indicator", indicator)
        cadre.fill("#id_planned_value", value)
        cadre.click("[data-testid=target-form] button")
        cadre.wait_for_load_state()
    cadre.fill("#id_household_number", household.household_number)
    cadre.fill("#id_expected_amount", "1000")
    cadre.click("[data-testid=beneficiary-form] button")
    cadre.wait_for_selector("[data-testid=beneficiaries] >> text=王秀兰")
    cadre.fill("#id_submit_proposal-meeting_on", today)
    cadre.set_input_files("#id_submit_proposal-file", _pdf(tmp_path, "会议记录.pdf"))
    _step(cadre, "submit_proposal")
    cadre.wait_for_selector("[data-testid=project-state]:has-text('村级公示中')")
    cadre.screenshot(path=str(ARTIFACTS / "project-proposed.png"), full_page=True)
    cadre.click("[data-testid=project-notice]")
    # The click starts a navigation; read the page once the notice has arrived.
    cadre.wait_for_selector("[data-testid=notice] >> text=王秀兰")
    assert household.members.get().id_number not in cadre.content()

    # 2. The notices run their course; the village, township and county move it on.
    end_notice(project)
    cadre.goto(f"{url}/projects/{project.pk}/")
    _step(cadre, "close_village_notice")
    township = desks("township")
    township.goto(f"{url}/projects/{project.pk}/")
    _step(township, "township_approve")
    end_notice(project)
    township.reload()
    _step(township, "close_township_notice")
    county = desks("county")
    county.goto(f"{url}/projects/{project.pk}/")
    county.fill("#id_record_review-review_conclusion", "项目可行，同意入库")
    _step(county, "record_review")
    _step(county, "county_approve")
    end_notice(project)
    county.reload()
    _step(county, "close_announcement")
    _step(county, "select_for_plan")
    county.wait_for_selector("[data-testid=project-state]:has-text('已纳入年度实施计划')")

    # 3. Finance records the fund, allocates it to the project and pays.
    finance = desks("finance")
    finance.goto(f"{url}/funds/")
    finance.click("[data-testid=fund-new]")
    finance.fill("#id_document_number", "清财农〔2026〕12号")
    finance.fill("#id_title", "2026年中央衔接资金（第一批）")
    finance.fill("#id_amount", "1000000.00")
    finance.select_option("#id_level", "central")
    finance.click("[data-testid=fund-form] button[type=submit]")
    finance.wait_for_selector("[data-testid=allocation-form]")
    finance.select_option("#id_project", str(project.pk))
    finance.fill("#id_amount", "800000.00")
    finance.click("[data-testid=allocation-form] button")
    finance.wait_for_selector("[data-testid=fund-unallocated]:has-text('200000.00')")
    finance.goto(f"{url}/funds/projects/{project.pk}/")
    finance.fill("#id_amount", "300000.00")
    finance.select_option("#id_payee_kind", "unit")
    finance.fill("#id_payee_name", "清水河县建筑公司")
    finance.set_input_files("#id_voucher", _pdf(tmp_path, "凭证.pdf"))
    finance.click("[data-testid=payment-form] button")
    finance.wait_for_selector("[data-testid=project-paid]:has-text('300000.00')")
    finance.screenshot(path=str(ARTIFACTS / "project-funds.png"), full_page=True)
    assert fund_project_totals(project.fund_movements.first().fund, project) == (
        Decimal("800000.00"),
        Decimal("300000.00"),
    )

    # 4. The county records the works, accepts them and registers the asset.
    county.goto(f"{url}/projects/{project.pk}/")
    county.fill("#id_start-started_on", today)
    _step(county, "start")
    for target in project.targets.all():
        county.fill(f"#id_complete-achieved_{target.pk}", str(target.planned_value))
    county.fill("#id_complete-completed_on", today)
    _step(county, "complete")
    county.fill("#id_accept-accepted_on", today)
    county.fill("#id_accept-acceptance_note", "工程质量合格，验收通过")
    county.set_input_files("#id_accept-file", _pdf(tmp_path, "验收报告.pdf"))
    _step(county, "accept")
    county.click("[data-testid=register-assets]")
    for field, value in [
        ("name", "肉牛养殖小区牛舍"),
        ("quantity", "2"),
        ("unit", "栋"),
        ("value", "800000.00"),
        ("owner_name", "榆树营村股份经济合作社"),
        ("operator", "清水河县丰源养殖公司"),
        ("custodian", "榆树营村村委会"),
    ]:
        county.fill(f"#id_{field}", value)
    county.select_option("#id_asset_type", "operating")
    county.select_option("#id_owner_kind", "village_collective")
    county.click("[data-testid=asset-form] button[type=submit]")
    county.wait_for_selector("[data-testid=asset-state]")
    asset = Asset.objects.get()

    # 5. The village records the asset's income and distributes it to the household.
    cadre.goto(f"{url}/assets/{asset.pk}/")
    cadre.fill("#id_income-period", "上半年租金")
    cadre.fill("#id_income-amount", "24000.00")
    cadre.click("[data-testid=income-form] button")
    cadre.wait_for_selector("[data-testid=distribution-form]")
    cadre.fill("#id_distribution-household_number", household.household_number)
    cadre.fill("#id_distribution-amount", "1200.00")
    cadre.click("[data-testid=distribution-form] button")
    cadre.wait_for_selector("[data-testid=distributions] >> text=王秀兰")
    cadre.screenshot(path=str(ARTIFACTS / "asset-income.png"), full_page=True)

    # 6. The household's page shows the project and the income it brought.
    cadre.goto(f"{url}/households/{household.pk}/")
    cadre.wait_for_selector("[data-testid=household-projects] >> text=榆树营村肉牛养殖小区")
    assert "1200" in cadre.text_content("[data-testid=asset-income]").replace(",", "")
    assert IncomeRecord.objects.get(household=household).asset_income == Decimal("1200.00")
    cadre.screenshot(path=str(ARTIFACTS / "household-project-income.png"), full_page=True)
