"""Phone spot-checks: a reproducible daily share of monitored and lifted-out households,
not drawn again for a while; showing a number is recorded; a problem becomes a finding."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.areas.models import Area
from jingzhun.codelists.services import parameter_set
from jingzhun.demo.generator import CountyGenerator
from jingzhun.oversight import phone_checks
from jingzhun.oversight.choices import CallOutcome, FindingSource
from jingzhun.oversight.models import Finding, PhoneCheck
from jingzhun.registry.models import HouseholdChange
from tests import factories

pytestmark = pytest.mark.usefixtures("reference_data")
TODAY = timezone.localdate()


@pytest.fixture
def county():
    county = Area.objects.get(code=factories.COUNTY)
    CountyGenerator(county=county, households=300, seed=4, reference=TODAY).generate()
    parameter_set(key="phone_check_share", province="", year=2014, value=Decimal("0.2"))
    return county


@pytest.fixture
def supervisor(county):
    return factories.user("caller", Role.SUPERVISOR, county.parent)


def test_the_daily_list_is_reproducible_and_not_repeated(county, supervisor):
    first = {c.household_id for c in phone_checks.phone_checks_draw(user=supervisor, area=county, day=TODAY)}
    assert first
    assert {
        c.household_id for c in phone_checks.phone_checks_draw(user=supervisor, area=county, day=TODAY)
    } == first
    tomorrow = {
        c.household_id
        for c in phone_checks.phone_checks_draw(
            user=supervisor, area=county, day=TODAY + datetime.timedelta(days=1)
        )
    }
    assert not first & tomorrow  # not drawn again within the quiet period
    # The same area and day draw the same households, whoever draws them.
    PhoneCheck.objects.filter(day=TODAY).delete()
    assert {
        c.household_id for c in phone_checks.phone_checks_draw(user=supervisor, area=county, day=TODAY)
    } == first


def test_calls_are_recorded_and_a_problem_becomes_a_finding(county, supervisor):
    calls = phone_checks.phone_checks_draw(user=supervisor, area=county)
    phone_checks.phone_for_call(user=supervisor, check=calls[0])
    reveal = HouseholdChange.objects.filter(household=calls[0].household, action="reveal").get()
    assert reveal.changes["purpose"] == "phone_check"
    phone_checks.phone_check_record(user=supervisor, check=calls[0], outcome=CallOutcome.CONFIRMED)
    problem = phone_checks.phone_check_record(
        user=supervisor, check=calls[1], outcome=CallOutcome.PROBLEM, note="帮扶干部半年未入户"
    )
    finding = Finding.objects.get(pk=problem.finding_id)
    assert (finding.source, finding.household_id) == (FindingSource.PHONE_CHECK, calls[1].household_id)
    cadre = factories.village_cadre(calls[0].household.village, username="no-calls")
    with pytest.raises(PermissionDenied):
        phone_checks.phone_checks_draw(user=cadre, area=county)


def test_the_call_list_page(county, supervisor):
    client = Client()
    client.force_login(supervisor)
    page = client.get("/oversight/phone-checks/").content.decode()
    check = PhoneCheck.objects.filter(area=supervisor.area).first()
    assert f'data-testid="call-{check.pk}"' in page
    client.post("/oversight/phone-checks/", {"check": check.pk, "outcome": "not_reached"})
    check.refresh_from_db()
    assert check.outcome == CallOutcome.NOT_REACHED
