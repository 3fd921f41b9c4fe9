"""Assistance: measures with their checks, pairing by village, visits, and the worklist."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.assistance import services
from jingzhun.assistance.models import Measure, Pairing, Visit
from jingzhun.assistance.selectors import AssistanceFilters, assistance_issues, assisted_households
from jingzhun.registry.models import HouseholdChange, MonitoringObject
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def client_for(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def township_reviewer(village):
    return factories.user("town", Role.TOWNSHIP_REVIEWER, village.parent)


@pytest.fixture
def helper(village):
    return factories.user("helper", Role.ASSISTANCE_CADRE, village)


def monitored(village, *, risks=("01",), days_ago=40, worker=True):
    household = factories.household(village, attribute="09")
    factories.member(household, labour_skill="2" if worker else "5")
    MonitoringObject.objects.create(
        household=household,
        household_type="2",
        category="2",
        identified_on=TODAY - datetime.timedelta(days=days_ago),
        risk_types=list(risks),
    )
    return household


def _rules(household):
    return sorted(issue.rule for issue in assistance_issues([household], province="15").get(household.pk, []))


def test_checks_follow_the_measures(cadre, village):
    household = monitored(village)
    assert _rules(household) == ["LATE_FIRST_MEASURE", "NO_DEVELOPMENT_MEASURE", "RISK_WITHOUT_MEASURE"]
    # A health measure started in time answers the illness risk, but it is not development-type.
    services.measure_save(
        user=cadre,
        household=household,
        measure_type="07",
        start_date=TODAY - datetime.timedelta(days=30),
        amount=Decimal("300"),
        status="ongoing",
    )
    assert _rules(household) == ["NO_DEVELOPMENT_MEASURE"]
    services.measure_save(
        user=cadre, household=household, measure_type="05", start_date=TODAY, status="ongoing"
    )
    assert _rules(household) == []
    assert HouseholdChange.objects.filter(household_id=household.pk, record_type="measure").count() == 2


def test_a_first_measure_after_the_set_days_is_late(cadre, village):
    household = monitored(village, risks=("07",))
    services.measure_save(
        user=cadre, household=household, measure_type="02", start_date=TODAY, status="ongoing"
    )
    assert _rules(household) == ["LATE_FIRST_MEASURE"]
    # A household identified only a week ago still has time.
    recent = monitored(village, risks=("07",), days_ago=7)
    assert _rules(recent) == ["NO_DEVELOPMENT_MEASURE", "RISK_WITHOUT_MEASURE"]


def test_measure_errors_name_the_field_and_save_nothing(cadre, village):
    household = monitored(village)
    with pytest.raises(ValidationError) as refused:
        services.measure_save(
            user=cadre,
            household=household,
            measure_type="77",
            start_date=TODAY,
            end_date=TODAY - datetime.timedelta(days=1),
            amount=Decimal("-5"),
        )
    assert set(refused.value.message_dict) == {"measure_type", "end_date", "amount"}
    assert not Measure.objects.exists()


def test_pairing_by_village_then_only_the_paired_cadre_records(
    cadre, village, other_village, helper, township_reviewer
):
    first, second = monitored(village), monitored(village)
    ordinary = factories.household(village, attribute="09")
    poor = factories.household(village, attribute="01")
    elsewhere = monitored(other_village)
    assert services.pairing_assign_village(user=township_reviewer, cadre=helper, village=village) == 3
    assert set(Pairing.objects.values_list("household_id", flat=True)) == {first.pk, second.pk, poor.pk}
    assert ordinary.pk not in set(Pairing.objects.values_list("household_id", flat=True))
    # Assigning again pairs nobody twice.
    assert services.pairing_assign_village(user=township_reviewer, cadre=helper, village=village) == 0
    with pytest.raises(PermissionDenied):
        services.pairing_assign_village(user=helper, cadre=helper, village=village)
    services.visit_record(user=helper, household=first, visited_on=TODAY, notes="了解看病报销情况")
    with pytest.raises(PermissionDenied, match="not paired"):
        services.visit_record(user=helper, household=ordinary, visited_on=TODAY, notes="x")
    with pytest.raises(PermissionDenied):
        services.visit_record(user=helper, household=elsewhere, visited_on=TODAY, notes="x")
    mine = assisted_households(user=helper)
    assert set(mine.values_list("pk", flat=True)) == {first.pk, second.pk, poor.pk}
    due = assisted_households(user=helper, filters=AssistanceFilters(not_visited=True))
    assert set(due.values_list("pk", flat=True)) == {second.pk, poor.pk}


def test_a_visit_keeps_its_photos_and_location_and_refuses_bad_input(cadre, village):
    household = monitored(village)
    with pytest.raises(ValidationError) as refused:
        services.visit_record(
            user=cadre,
            household=household,
            visited_on=TODAY + datetime.timedelta(days=1),
            notes=" ",
            latitude=Decimal("95"),
        )
    assert set(refused.value.message_dict) == {"visited_on", "notes", "latitude"}
    photo = factories.photo("door.jpg")
    visit = services.visit_record(
        user=cadre,
        household=household,
        visited_on=TODAY,
        notes="房屋已修缮",
        photos=[photo],
        latitude=Decimal("39.9"),
        longitude=Decimal("111.6"),
    )
    assert visit.photos.get().original_name == "door.jpg"
    assert Visit.objects.count() == 1
    page = client_for(cadre).get(f"/households/{household.pk}/").content.decode()
    assert "房屋已修缮" in page
    assert "door.jpg" in page


def test_assistance_list_is_scoped_and_flags_what_is_missing(cadre, other_cadre, village):
    household = monitored(village)
    page = client_for(cadre).get("/assistance/").content.decode()
    assert household.household_number in page
    assert "No development-type measure" in page or "development-type" in page
    assert household.household_number not in client_for(other_cadre).get("/assistance/").content.decode()


def test_home_page_lists_what_is_waiting_for_each_role(cadre, village, township_reviewer):
    from jingzhun.cases import services as case_services
    from tests.case_steps import act

    household = factories.household(village, attribute="09")
    factories.member(household)
    case = case_services.identification_open(user=cadre, household=household, lead="突发重病")
    village_home = client_for(cadre).get("/").content.decode()
    assert f"/cases/{case.pk}/" in village_home
    assert f"/cases/{case.pk}/" not in client_for(township_reviewer).get("/").content.decode()
    act(cadre, case, "submit_application")
    from jingzhun.cases.models import Case

    Case.objects.filter(pk=case.pk).update(
        state="township_review", deadline=TODAY - datetime.timedelta(days=1)
    )
    township_home = client_for(township_reviewer).get("/").content.decode()
    assert f"/cases/{case.pk}/" in township_home
    assert 'data-testid="count-my-cases">1<' in township_home
    assert 'data-testid="count-area-overdue">1<' in township_home


@pytest.mark.parametrize("role", list(Role))
def test_every_worklist_link_reaches_its_filtered_page(village, role):
    """Each link on the home page, read as a browser reads the attribute, opens a page
    and keeps its filters (an unescaped ``&not_visited`` became ``¬_visited``)."""
    import html
    import re
    from urllib.parse import parse_qs, urlsplit

    extra = {"department": "health"} if role == Role.DEPARTMENT_USER else {}
    person = factories.user(f"home-{role}", role, village, **extra)
    household = monitored(village)
    if role == Role.ASSISTANCE_CADRE:
        organiser = factories.village_cadre(village, username="organiser")
        services.pairing_assign_village(user=organiser, cadre=person, village=village)
    client = client_for(person)
    page = client.get("/").content.decode()
    links = {html.unescape(href) for href in re.findall(r'href="([^"]+)"', page)}
    assert household  # the worklist has something to show
    for link in sorted(links):
        parts = urlsplit(link)
        if (
            parts.scheme
            or not parts.path.startswith("/")
            or parts.path.startswith(("/static/", "/accounts/"))
        ):
            continue
        assert "¬" not in link, link
        response = client.get(link)
        assert response.status_code == 200, link
        for name in parse_qs(parts.query):
            assert name.isidentifier(), link


def test_households_are_named_by_their_head_first_on_the_worklist_warnings_and_cases(cadre, village):
    from jingzhun.cases import services as case_services

    household = factories.household(village, attribute="09")
    factories.member(household, name="赵春花")
    case = case_services.identification_open(user=cadre, household=household, lead="突发重病")
    client = client_for(cadre)
    number = household.household_number
    label = f'<span class="fw-semibold">赵春花</span> <small class="text-muted">{number}</small>'
    assert label in client.get("/").content.decode()
    assert label in client.get("/cases/").content.decode()
    assert label in client.get(f"/cases/{case.pk}/").content.decode()
