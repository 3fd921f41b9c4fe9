"""One household's way from self-declaration to county approval, each step by another
person in their own browser, then through risk elimination."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.areas.models import Area
from jingzhun.cases.models import Case
from jingzhun.registry.models import MonitoringObject
from jingzhun.registry.services import income_record_save
from tests import factories
from tests.e2e.conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(reference_data):
    village = factories.area("150124100201", "榆树营村")
    county = Area.objects.get(code=factories.COUNTY)
    household = factories.household(village, attribute="09", group_name="二组")
    head = factories.member(household, name="刘长河", age=52)
    return {
        "village": village,
        "household": household,
        "head": head,
        "cadre_a": factories.user("cadre-a", Role.VILLAGE_CADRE, village),
        "cadre_b": factories.user("cadre-b", Role.VILLAGE_CADRE, village),
        "township": factories.user("township", Role.TOWNSHIP_REVIEWER, village.parent),
        "county": factories.user("county", Role.COUNTY_OFFICER, county),
    }


class Desks:
    """One logged-in browser context per person, as at their own desks."""

    def __init__(self, browser, live_server):
        self.browser, self.live_server, self.pages = browser, live_server, {}

    def __call__(self, username):
        if username not in self.pages:
            context = self.browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(15_000)
            log_in(page, self.live_server, username)
            self.pages[username] = page
        return self.pages[username]

    def close(self):
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def desks(browser, live_server):
    desks = Desks(browser, live_server)
    yield desks
    desks.close()


def _open_case(page, live_server, case):
    page.goto(f"{live_server.url}/cases/{case.pk}/")


def _state(case):
    return Case.objects.get(pk=case.pk).state


def test_from_self_declaration_to_county_approval_then_risk_elimination(
    page, live_server, people, desks, tmp_path
):
    household, head = people["household"], people["head"]
    past = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()

    # 1. The household declares on the public page, without an account.
    page.goto(f"{live_server.url}/declare/")
    page.fill("#id_name", "刘长河")
    page.fill("#id_id_number", head.id_number)
    page.fill("#id_phone", "13700001234")
    # The township first; its villages then fill the village list.
    page.select_option("#id_township", people["village"].parent_id)
    page.wait_for_selector(f"#id_village option[value='{people['village'].code}']", state="attached")
    page.select_option("#id_village", people["village"].code)
    page.fill("#id_what_happened", "老伴突发脑梗住院，花了八万多")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=declare-thanks]")

    # 2. Village cadre A finds it on the home page and opens a case.
    cadre_a = desks("cadre-a")
    cadre_a.click("[data-testid=worklist-declarations] a")
    cadre_a.click("[data-testid=accept] button")
    cadre_a.wait_for_selector("[data-testid=case-state]")
    case = Case.objects.get(household=household)
    assert case.channel == "self_declaration"

    # 3. Cadre B records the signed application.
    signed = tmp_path / "申请书.pdf"
    signed.write_bytes(b"%PDF-1.4 signed application\n%%EOF\n")
    cadre_b = desks("cadre-b")
    _open_case(cadre_b, live_server, case)
    cadre_b.set_input_files("#id_submit_application-file", str(signed))
    cadre_b.click("[data-testid=step-submit_application] button[type=submit]")
    cadre_b.wait_for_selector("text=待入户核实")

    # 4. Cadre A visits and fills in the monitoring information form.
    _open_case(cadre_a, live_server, case)
    form = "[data-testid=step-record_visit]"
    cadre_a.fill("#id_record_visit-visited_on", past)
    cadre_a.fill("#id_record_visit-visited_by", "cadre-a")
    cadre_a.fill("#id_record_visit-income_last_12_months", "18000")
    cadre_a.fill("#id_record_visit-per_capita_net_income", "4500")
    cadre_a.fill("#id_record_visit-eligible_out_of_pocket", "62000")
    cadre_a.select_option("#id_record_visit-household_type", "2")
    cadre_a.select_option("#id_record_visit-category", "3")
    cadre_a.check(f"{form} input[value='01']")
    cadre_a.click(f"{form} button[type=submit]")
    cadre_a.wait_for_selector("text=待县级数据比对")

    # 5. The county compares the data.
    county = desks("county")
    _open_case(county, live_server, case)
    county.click("[data-testid=step-record_comparison] button[type=submit]")
    county.wait_for_selector("text=待村民主评议")

    # 6. Cadre B records the appraisal and the notice already posted; cadre A closes it.
    _open_case(cadre_b, live_server, case)
    for field, value in [
        ("appraised_on", past),
        ("representatives", "15"),
        ("attendance", "13"),
        ("votes_for", "12"),
        ("votes_against", "1"),
        ("notice_starts_on", past),
    ]:
        cadre_b.fill(f"#id_record_appraisal-{field}", value)
    cadre_b.click("[data-testid=step-record_appraisal] button[type=submit]")
    cadre_b.wait_for_selector("[data-testid=notice-period]")
    notice = cadre_b.goto(f"{live_server.url}/cases/notices/{people['village'].code}/")
    assert notice.status == 200
    assert "刘长河" in cadre_b.content()
    assert head.id_number not in cadre_b.content()
    _open_case(cadre_a, live_server, case)
    cadre_a.click("[data-testid=step-close_notice] button[type=submit]")
    cadre_a.wait_for_selector("text=待乡镇审核")

    # 7. The township reviews; 8. the county approves.
    township = desks("township")
    township.click("[data-testid=my-cases] a")
    township.click("[data-testid=step-township_approve] button[type=submit]")
    township.wait_for_selector("text=待县级审定")
    county.goto(f"{live_server.url}/")
    county.click("[data-testid=my-cases] a")
    county.click("[data-testid=step-county_approve] button[type=submit]")
    county.wait_for_selector("[data-testid=case-state]:has-text('已审定')")
    ARTIFACTS.mkdir(exist_ok=True)
    county.screenshot(path=str(ARTIFACTS / "case-approved.png"), full_page=True)
    actors = list(Case.objects.get(pk=case.pk).events.values_list("actor__username", flat=True))
    assert actors == ["cadre-a", "cadre-b", "cadre-a", "county", "cadre-b", "cadre-a", "township", "county"]
    episode = MonitoringObject.objects.get(household=household)
    assert (episode.category, episode.risk_types) == ("3", ["01"])

    # Months later: income has recovered and a health measure is in place.
    MonitoringObject.objects.filter(pk=episode.pk).update(
        identified_on=timezone.localdate() - datetime.timedelta(days=220)
    )
    this_year = timezone.localdate().year
    for year in (this_year - 1, this_year):
        income_record_save(
            user=people["cadre_a"], household=household, year=year, wage_income=Decimal("15000")
        )
    cadre_a.goto(f"{live_server.url}/households/{household.pk}/")
    cadre_a.click("[data-testid=add-measure]")
    cadre_a.select_option("#id_measure_type", "07")
    cadre_a.fill("#id_start_date", past)
    cadre_a.fill("#id_amount", "380")
    cadre_a.click("button[type=submit]")
    cadre_a.wait_for_selector("[data-testid=measures] >> text=380")

    # Risk elimination: the conditions hold, the same ladder follows.
    cadre_a.click("[data-testid=open-elimination]")
    assert "✗" not in cadre_a.inner_text("[data-testid=conditions]")
    cadre_a.click("[data-testid=open-case] button")
    cadre_a.wait_for_selector("text=待入户核实")
    elimination = Case.objects.get(household=household, kind="elimination")
    cadre_a.fill("#id_record_visit-visited_on", past)
    cadre_a.fill("#id_record_visit-visited_by", "cadre-a")
    cadre_a.fill("#id_record_visit-per_capita_net_income", "15000")
    cadre_a.select_option("#id_record_visit-elimination_mode", "1")
    cadre_a.click("[data-testid=step-record_visit] button[type=submit]")
    cadre_a.wait_for_selector("text=待村民主评议")
    _open_case(cadre_b, live_server, elimination)
    for field, value in [
        ("appraised_on", past),
        ("representatives", "15"),
        ("attendance", "12"),
        ("votes_for", "12"),
        ("votes_against", "0"),
        ("notice_starts_on", past),
    ]:
        cadre_b.fill(f"#id_record_appraisal-{field}", value)
    cadre_b.click("[data-testid=step-record_appraisal] button[type=submit]")
    cadre_b.wait_for_selector("[data-testid=step-close_notice]")
    cadre_b.click("[data-testid=step-close_notice] button[type=submit]")
    cadre_b.wait_for_selector("text=待乡镇审核")
    _open_case(township, live_server, elimination)
    township.click("[data-testid=step-township_approve] button[type=submit]")
    township.wait_for_selector("text=待县级审定")
    _open_case(county, live_server, elimination)
    county.click("[data-testid=step-county_approve] button[type=submit]")
    county.wait_for_selector("[data-testid=case-state]:has-text('已审定')")
    episode.refresh_from_db()
    assert episode.risk_eliminated
    assert episode.elimination_mode == "1"
    assert _state(elimination) == "approved"
