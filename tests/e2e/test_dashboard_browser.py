"""The county opens its dashboard, drills down to a village and opens the households behind a figure."""

import pytest
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.areas.models import Area
from jingzhun.dashboards.models import AreaFigure
from jingzhun.dashboards.services import aggregate_refresh
from jingzhun.demo.generator import CountyGenerator
from jingzhun.demo.projects import demo_projects
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(reference_data):
    county = Area.objects.get(code="150124000000")
    CountyGenerator(county=county, households=150, seed=11, reference=timezone.localdate()).generate()
    village = Area.objects.filter(parent__parent=county).order_by("code").first()
    demo_projects(county=county, village=village, today=timezone.localdate())
    aggregate_refresh(area=county)
    factories.user("leader", Role.COUNTY_OFFICER, county)
    return county


def test_drill_down_from_county_to_the_households_behind_a_figure(page, live_server, county, screenshot):
    log_in(page, live_server, "leader")
    page.click('nav >> text="统计看板"')
    page.wait_for_selector("#chart-households_by_status[data-ready='1']")
    page.wait_for_selector("#chart-map[data-ready='1']")
    assert page.inner_text("[data-testid=dashboard-area]").startswith(county.name)
    shown = int(page.get_attribute("[data-testid=figure-households]", "data-value"))
    assert shown == AreaFigure.objects.get(area_code=county.code, figure="households", key="").value == 150
    page.wait_for_selector("#chart-funds[data-ready='1']")
    screenshot("dashboard-county")

    township = Area.objects.filter(parent=county).order_by("code").first()
    page.click(f"[data-testid=children] tr[data-code='{township.code}'] [data-testid=child-link]")
    page.wait_for_selector(f"[data-testid=dashboard-area][data-code='{township.code}']")
    assert county.name in page.inner_text("[data-testid=breadcrumbs]")
    village = (
        Area.objects.filter(
            parent=township, code__in=AreaFigure.objects.filter(figure="monitored").values("area_code")
        )
        .order_by("code")
        .first()
    )
    page.click(f"[data-testid=children] tr[data-code='{village.code}'] [data-testid=child-link]")
    page.wait_for_selector(f"[data-testid=dashboard-area][data-code='{village.code}']")
    figure = page.locator("[data-testid=figure-monitored]")
    expected = int(figure.get_attribute("data-value"))
    assert expected == AreaFigure.objects.get(area_code=village.code, figure="monitored", key="").value > 0
    screenshot("dashboard-village")
    figure.click()
    page.wait_for_selector("[data-testid=figure-filter]")
    assert int(page.get_attribute("[data-testid=result-count]", "data-count")) == expected
    assert village.name in page.inner_text("[data-testid=figure-filter]")
