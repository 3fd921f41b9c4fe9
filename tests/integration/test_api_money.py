"""The API of projects, funds and assets: the same scoping, services and error body as
the pages; money as text, never a JSON number."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.api.services import token_create
from jingzhun.areas.models import Area
from jingzhun.assets.services import asset_register, income_record
from jingzhun.funds import services as fund_services
from jingzhun.funds.models import FundMovement
from jingzhun.projects.choices import FundLevel, ProjectState
from jingzhun.projects.services import beneficiary_add
from jingzhun.registry.models import IncomeRecord
from tests import factories
from tests.case_steps import people
from tests.project_steps import proposal, walk_to

pytestmark = pytest.mark.usefixtures("reference_data")
TODAY = timezone.localdate().isoformat()


@pytest.fixture
def world(village, other_village, client):
    staff = people(village, other_village)
    county = Area.objects.get(code=factories.COUNTY)
    finance = factories.user("finance", Role.FINANCE_OFFICER, county)
    household = factories.household(village)
    factories.member(household, relation="01")
    project = proposal(staff.village)
    beneficiary_add(user=staff.village, project=project, household=household, benefit_type="02")
    fund = fund_services.fund_create(
        user=finance,
        area=county,
        document_number="清财〔2026〕1号",
        title="衔接资金",
        issued_on=timezone.localdate(),
        year=2026,
        level=FundLevel.CENTRAL,
        fund_type="01",
        amount="1000.00",
    )

    def call(user, method, url, body=None):
        key = token_create(actor=user, owner=user, name="app")[1]
        headers = {"Authorization": f"Bearer {key}"}
        if body is None:
            return getattr(client, method)(url, headers=headers)
        return getattr(client, method)(url, body, content_type="application/json", headers=headers)

    return {
        "staff": staff,
        "finance": finance,
        "household": household,
        "project": project,
        "fund": fund,
        "call": call,
    }


def test_projects_are_read_within_the_area(world):
    staff, project, call = world["staff"], world["project"], world["call"]
    listed = call(staff.village, "get", "/api/v1/projects/").json()
    assert [item["id"] for item in listed["items"]] == [project.pk]
    assert call(staff.other_village, "get", "/api/v1/projects/").json()["count"] == 0
    assert call(staff.other_village, "get", f"/api/v1/projects/{project.pk}").status_code == 404
    beneficiaries = call(staff.village, "get", f"/api/v1/projects/{project.pk}/beneficiaries").json()
    assert [b["household"] for b in beneficiaries] == [world["household"].pk]


def test_project_moves_follow_the_table(world):
    staff, project, call = world["staff"], world["project"], world["call"]
    refused = call(
        staff.county, "post", f"/api/v1/projects/{project.pk}/transitions", {"action": "county_approve"}
    )
    assert refused.status_code == 409
    assert refused.json()["error"] == "conflict"
    # The proposal's minutes are a document: taken on the web page, named in the error.
    missing = call(
        staff.village,
        "post",
        f"/api/v1/projects/{project.pk}/transitions",
        {"action": "submit_proposal", "data": {"meeting_on": TODAY}},
    )
    assert missing.status_code == 422
    assert "file" in missing.json()["fields"]


def test_allocations_only_by_finance_and_never_beyond_the_fund(world):
    staff, project, fund, call = world["staff"], world["project"], world["fund"], world["call"]
    walk_to(staff, project, ProjectState.PLANNED)
    url = f"/api/v1/funds/{fund.pk}/allocations"
    body = {"project": project.pk, "amount": "600.00", "occurred_on": TODAY}
    assert call(staff.county, "post", url, body).status_code == 403
    created = call(world["finance"], "post", url, body)
    assert created.status_code == 201
    assert created.json()["amount"] == "600.00"
    over = call(world["finance"], "post", url, {**body, "amount": "400.01"})
    assert over.status_code == 422
    assert "amount" in over.json()["fields"]
    assert call(world["finance"], "post", url, {**body, "amount": 1.5}).status_code == 422  # a number
    funds = call(staff.county, "get", "/api/v1/funds/").json()
    assert funds["items"][0]["allocated"] == "600.00"
    assert FundMovement.objects.count() == 1
    ledger = call(staff.village, "get", f"/api/v1/funds/projects/{project.pk}/payments").json()
    assert ledger["count"] == 1
    assert "payee_id_number" not in ledger["items"][0]


def test_distributions_through_the_api_reach_the_households_income(world):
    staff, project, household, call = world["staff"], world["project"], world["household"], world["call"]
    project = walk_to(staff, project, ProjectState.ACCEPTED)
    asset = asset_register(
        user=staff.county,
        project=project,
        village_code=project.area_id,
        name="牛舍",
        asset_type="operating",
        quantity=Decimal("1"),
        unit="栋",
        value="1000.00",
        year_formed=2026,
        owner_kind="village_collective",
        owner_name="村集体",
    )
    income = income_record(
        user=staff.village,
        asset=asset,
        year=2026,
        period="2026",
        received_on=timezone.localdate(),
        amount="100",
    )
    url = f"/api/v1/assets/{asset.pk}/distributions"
    body = {"income": income.pk, "household": household.pk, "amount": "40.00", "paid_on": TODAY}
    assert call(staff.other_village, "post", url, body).status_code == 404
    assert call(staff.village, "post", url, body).status_code == 201
    assert call(staff.village, "post", url, {**body, "amount": "60.01"}).status_code == 422
    assert IncomeRecord.objects.get(household=household, year=2026).asset_income == Decimal("40.00")
    assets = call(staff.county, "get", "/api/v1/assets/").json()
    assert assets["items"][0]["distributed_total"] == "40.00"
