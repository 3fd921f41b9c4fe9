"""The county starts a screening from the web; the village verifies what it found."""

import pytest

from jingzhun.accounts.choices import Role
from jingzhun.core.runs import RunStatus
from jingzhun.monitoring.choices import WarningStatus
from jingzhun.monitoring.models import RiskWarning, ScreeningRun
from tests import factories, screening_scenario
from tests.e2e.conftest import log_in
from tests.screening_scenario import AS_OF, INCOME_YEAR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(reference_data):
    village = factories.area("150124100201", "榆树营村")
    screening_scenario.build(village)
    county = village.parent.parent
    factories.user("county", Role.COUNTY_OFFICER, county)
    factories.village_cadre(village)
    return village, county


def test_county_runs_screening_and_village_dismisses_a_warning(page, live_server, scene, screenshot):
    _village, county = scene
    log_in(page, live_server, "county")
    page.click("nav >> text=预警筛查")
    page.select_option("#id_area", county.code)
    page.fill("#id_income_year", str(INCOME_YEAR))
    page.click("[data-testid=start-screening] button[type=submit]")
    page.wait_for_selector("[data-testid=run-status][data-status=succeeded]")
    run = ScreeningRun.objects.get()
    assert page.inner_text("[data-testid=run-created]") == str(run.warnings_created)
    assert run.warnings_created == RiskWarning.objects.count() > 15
    page.click("text=本次筛查的预警")
    page.wait_for_selector("[data-testid=warnings]")
    assert page.get_attribute("[data-testid=rule-chart]", "aria-label") == "各规则预警数"
    screenshot("warning-list")
    page.click("[data-testid=current-user]")
    page.click("text=退出")

    log_in(page, live_server, "cadre")
    page.click('nav >> text="预警"')
    water = RiskWarning.objects.filter(rule_id="UNSAFE_WATER").first()
    page.goto(f"{live_server.url}/warnings/{water.pk}/")
    assert "饮水安全不达标" in page.inner_text("[data-testid=evidence]")
    page.click("[data-testid=to-dismissed]")
    assert "排除预警必须填写理由" in page.inner_text(".alert-danger")
    page.fill("#id_note", "已通自来水，入户核实安全")
    page.click("[data-testid=to-dismissed]")
    assert page.inner_text("[data-testid=warning-status]") == "已排除"
    assert "已通自来水" in page.inner_text("[data-testid=warning-events]")
    water.refresh_from_db()
    assert water.status == WarningStatus.DISMISSED


def test_run_page_shows_progress_until_the_run_finishes(page, live_server, scene):
    _village, county = scene
    run = ScreeningRun.objects.create(
        area=county, engine="duckdb", income_year=INCOME_YEAR, as_of=AS_OF, progress=40
    )
    log_in(page, live_server, "county")
    page.goto(f"{live_server.url}/warnings/screening/{run.pk}/")
    assert page.get_attribute("[role=progressbar]", "aria-valuenow") == "40"
    ScreeningRun.objects.filter(pk=run.pk).update(progress=80)
    page.wait_for_selector("[role=progressbar][aria-valuenow='80']")
    ScreeningRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED, progress=100, households_screened=7
    )
    page.wait_for_selector("[data-testid=run-status][data-status=succeeded]")
    assert page.inner_text("[data-testid=run-screened]") == "7"
