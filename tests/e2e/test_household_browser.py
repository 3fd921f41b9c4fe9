"""A village cadre at work in a real browser, and a cadre of another village kept out."""

import pytest

from jingzhun.registry.models import HouseholdChange, Member
from tests import factories
from tests.e2e.conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(reference_data):
    village = factories.area("150124100201", "榆树营村")
    other_village = factories.area("150124101202", "杨家营村")
    cadre = factories.village_cadre(village)
    factories.village_cadre(other_village, username="other-cadre")
    household = factories.household(village, attribute="05", poverty_status="2")
    head = factories.member(household, relation="01", name="王建国", labour_skill="2")
    for index in range(3):
        neighbour = factories.household(village)
        factories.member(neighbour, relation="01", name=f"邻居{index}")
    return household, head, cadre


def test_cadre_finds_household_edits_member_and_sees_history(page, live_server, scene, screenshot):
    household, head, _ = scene
    log_in(page, live_server, "cadre")
    page.click("nav >> text=农户档案")
    assert page.get_attribute("[data-testid=result-count]", "data-count") == "4"
    page.fill("input[name=q]", "王建国")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("[data-testid=result-count][data-count='1']")
    # The filtered address is pushed into the history once the table is swapped; a link followed
    # before that push would be cancelled by it.
    page.wait_for_function("location.search.includes('q=')")
    # The ID number is masked in the list.
    assert head.id_number not in page.content()
    page.click(f"text={household.household_number}")
    page.wait_for_url(f"**/households/{household.pk}/")
    page.click(f"[data-testid=edit-member-{head.pk}]")
    page.select_option("#id_labour_skill", "1")
    page.fill("#id_migrant_work_months", "6")
    page.fill("#id_phone", "13900001111")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/households/{household.pk}/")
    assert page.inner_text(".alert-success").startswith("成员信息已保存")
    members = page.inner_text("[data-testid=members]")
    assert "技能劳动力" in members
    history = page.inner_text("[data-testid=history]")
    assert "劳动技能: 普通劳动力 → 技能劳动力" in history
    assert "cadre" in history
    assert "13900001111" not in history
    screenshot("household-detail")
    head.refresh_from_db()
    assert (head.labour_skill, head.migrant_work_months, head.phone) == ("1", 6, "13900001111")
    change = HouseholdChange.objects.get(household_id=household.pk, record_type="member")
    assert change.changes["labour_skill"] == ["2", "1"]
    assert change.actor.username == "cadre"


def test_form_shows_field_errors_and_saves_nothing(page, live_server, scene):
    _household, head, _ = scene
    log_in(page, live_server, "cadre")
    page.goto(f"{live_server.url}/members/{head.pk}/edit/")
    page.fill("#id_id_number", head.id_number[:-1] + ("0" if head.id_number[-1] != "0" else "1"))
    page.click("button[type=submit]")
    # The form comes back with the error: waited for, as the submission may still be on its way.
    page.wait_for_selector("[data-testid=error-id_number]", state="visible")
    assert page.url.endswith(f"/members/{head.pk}/edit/")
    head.refresh_from_db()
    assert Member.objects.get(pk=head.pk).id_number == head.id_number


def test_cadre_of_another_village_gets_404_and_nothing_changes(page, live_server, scene):
    household, head, _ = scene
    log_in(page, live_server, "other-cadre")
    page.goto(f"{live_server.url}/households/")
    assert page.get_attribute("[data-testid=result-count]", "data-count") == "0"
    for path in (f"/households/{household.pk}/", f"/members/{head.pk}/edit/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404
        assert "王建国" not in page.content()
    assert HouseholdChange.objects.count() == 0
    head.refresh_from_db()
    assert head.labour_skill == "2"


@pytest.mark.parametrize(
    ("width", "language"), [(1400, "en"), (1400, "zh-hans"), (390, "en"), (390, "zh-hans")]
)
def test_pages_fit_a_laptop_and_a_phone_in_both_languages(browser, live_server, scene, width, language):
    """The menu keeps to one line on a laptop (folded on a phone) and no page is wider
    than the screen: wide tables scroll inside their cards."""
    household, _head, _cadre = scene
    context = browser.new_context(
        locale=language,
        viewport={"width": width, "height": 900},
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    try:
        log_in(page, live_server, "cadre")
        for path in (
            "/",
            "/households/",
            f"/households/{household.pk}/",
            "/cases/",
            "/warnings/",
            "/assistance/",
        ):
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            assert page.evaluate("document.querySelector('nav').offsetHeight") < 70, path
        page.screenshot(path=str(ARTIFACTS / f"worklist-{language}-{width}.png"))
    finally:
        context.close()
