import pytest
from django.test import Client

from jingzhun.accounts.choices import Role
from jingzhun.registry.models import Household
from jingzhun.registry.selectors import HouseholdFilters, household_get, household_list, member_list
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_villages(village, other_village):
    mine = factories.household(village)
    factories.member(mine, name="张三")
    theirs = factories.household(other_village)
    factories.member(theirs, name="李四")
    return mine, theirs


def test_selectors_keep_to_the_users_subtree(cadre, two_villages):
    mine, theirs = two_villages
    assert list(household_list(user=cadre)) == [mine]
    assert [m.name for m in member_list(user=cadre)] == ["张三"]
    with pytest.raises(Household.DoesNotExist):
        household_get(user=cadre, pk=theirs.pk)


def test_township_and_county_see_their_subtrees(village, two_villages):
    mine, theirs = two_villages
    township = factories.user("town", Role.TOWNSHIP_REVIEWER, village.parent)
    county = factories.user("county", Role.COUNTY_OFFICER, village.parent.parent)
    assert list(household_list(user=township)) == [mine]
    assert set(household_list(user=county)) == {mine, theirs}


def test_user_without_area_sees_nothing(two_villages):
    from jingzhun.accounts.models import User

    nobody = User.objects.create_user(username="loose", password=factories.PASSWORD, role=Role.COUNTY_OFFICER)
    assert household_list(user=nobody).count() == 0


def test_search_by_name_id_and_household_number(cadre, two_villages):
    mine, _ = two_villages
    head = mine.members.get()
    assert list(household_list(user=cadre, filters=HouseholdFilters(search="张三"))) == [mine]
    assert list(household_list(user=cadre, filters=HouseholdFilters(search=head.id_number.lower()))) == [mine]
    assert list(household_list(user=cadre, filters=HouseholdFilters(search=mine.household_number))) == [mine]
    assert list(household_list(user=cadre, filters=HouseholdFilters(search="李四"))) == []
    # As people ask for a household: the given name alone, the last digits of an ID
    # number, the household's short number in its village.
    assert list(household_list(user=cadre, filters=HouseholdFilters(search="三"))) == [mine]
    assert list(household_list(user=cadre, filters=HouseholdFilters(search=head.id_number[-6:]))) == [mine]
    short = mine.household_number[-4:]
    assert mine in household_list(user=cadre, filters=HouseholdFilters(search=short))


def test_other_villages_household_is_404_on_every_url(cadre, two_villages):
    _, theirs = two_villages
    member = theirs.members.get()
    client = Client()
    client.force_login(cadre)
    urls = [
        f"/households/{theirs.pk}/",
        f"/households/{theirs.pk}/edit/",
        f"/households/{theirs.pk}/income/2025/",
        f"/households/{theirs.pk}/conditions/",
        f"/households/{theirs.pk}/members/new/",
        f"/members/{member.pk}/edit/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/households/{theirs.pk}/edit/", {"household_number": "stolen"}).status_code == 404
    assert client.post(f"/households/{theirs.pk}/reveal/").status_code == 404
    assert client.post(f"/members/{member.pk}/delete/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.household_number != "stolen"
    assert theirs.members.count() == 1
    # A household that does not exist answers exactly the same.
    assert client.get("/households/999999/").status_code == 404


def test_list_page_masks_ids_and_phones(cadre, two_villages):
    mine, _ = two_villages
    Household.objects.filter(pk=mine.pk).update(phone="13812345678")
    head = mine.members.get()
    client = Client()
    client.force_login(cadre)
    page = client.get("/households/").content.decode()
    assert head.id_number not in page
    assert head.id_number[:6] + "********" + head.id_number[-4:] in page
    assert "13812345678" not in page
    assert "138****5678" in page
    detail = client.get(f"/households/{mine.pk}/").content.decode()
    assert head.id_number not in detail
    revealed = client.post(f"/households/{mine.pk}/reveal/").content.decode()
    assert head.id_number in revealed


def test_department_user_sees_masked_health_and_cannot_reveal(village, two_villages):
    mine, _ = two_villages
    mine.members.update(health=["3"])
    department_user = factories.user(
        "dept", Role.DEPARTMENT_USER, village.parent.parent, department="education"
    )
    client = Client()
    client.force_login(department_user)
    detail = client.get(f"/households/{mine.pk}/").content.decode()
    assert "患有大病" not in detail
    assert "Serious illness" not in detail
    assert client.post(f"/households/{mine.pk}/reveal/").status_code == 403


def test_list_shows_latest_per_capita_income_as_money(cadre, two_villages):
    from decimal import Decimal

    from jingzhun.registry import services

    mine, _ = two_villages
    services.income_record_save(user=cadre, household=mine, year=2024, wage_income=Decimal("5000"))
    services.income_record_save(user=cadre, household=mine, year=2025, wage_income=Decimal("12345.6"))
    client = Client()
    client.force_login(cadre)
    page = client.get("/households/").content.decode()
    # zh-hans writes numbers without thousands separators; English groups them.
    assert '<td class="text-end">12345.60</td>' in page
    assert "5000.00" not in page
    english = client.get("/households/", headers={"accept-language": "en"}).content.decode()
    assert "12,345.60" in english


def test_quality_page_counts_and_chart_stay_in_scope(cadre, two_villages):
    mine, theirs = two_villages
    mine.members.update(resident_medical_insurance=False)
    theirs.members.update(resident_medical_insurance=False)
    client = Client()
    client.force_login(cadre)
    response = client.get("/quality/")
    bars = response.context["bars"]
    assert [(rule.code, count) for rule, count, _width in bars] == [("MEDICAL_INSURANCE", 1)]
    assert theirs.household_number not in response.content.decode()
    assert 'data-testid="rule-chart"' in response.content.decode()
