"""The project library's pages: propose, fill in, submit with the minutes, notice as
HTML and PDF, beneficiaries on the household page, and another area's project a 404."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from jingzhun.projects.choices import ProjectState
from jingzhun.projects.models import Project
from tests import factories
from tests.case_steps import People, people
from tests.project_steps import pdf, proposal

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def staff(village, other_village) -> People:
    return people(village, other_village)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_village_proposes_fills_in_and_submits_a_project(staff, village):
    client = _client(staff.village)
    today = timezone.localdate()
    form = client.get("/projects/new/")
    assert form.status_code == 200
    response = client.post(
        "/projects/new/",
        {
            "name": "村道硬化",
            "year": today.year,
            "category": "03",
            "construction_type": "1",
            "responsible_unit": "乡交通站",
            "planned_start": today.isoformat(),
            "planned_end": (today + datetime.timedelta(days=90)).isoformat(),
            "households_planned": 30,
            "people_planned": 90,
            "content": "硬化村道 3 公里",
            "benefit_mechanisms": ["01", "06"],
            "benefit_note": "务工与出行",
            "budget_central_01": "450000.00",
        },
    )
    project = Project.objects.get(name="村道硬化")
    assert response.status_code == 302
    assert project.budget_total == 450000
    detail = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="entry-problems"' in detail  # the output and benefit targets are missing
    for level, dimension, indicator in (
        ("output", "quantity", "硬化里程"),
        ("benefit", "social", "受益人口"),
    ):
        client.post(
            f"/projects/{project.pk}/targets/",
            {
                "level": level,
                "dimension": dimension,
                "indicator": indicator,
                "comparison": "at_least",
                "planned_value": "3",
                "unit": "公里",
                "weight": "10",
            },
        )
    assert project.targets.count() == 3
    household = factories.household(village)
    factories.member(household, relation="01", name="赵受益")
    client.post(
        f"/projects/{project.pk}/beneficiaries/",
        {"household_number": household.household_number, "benefit_type": "01", "expected_amount": "2000"},
    )
    assert project.beneficiaries.count() == 1
    refused = client.post(f"/projects/{project.pk}/act/submit_proposal/", {"submit_proposal-meeting_on": ""})
    assert refused.status_code == 200
    client.post(
        f"/projects/{project.pk}/act/submit_proposal/",
        {"submit_proposal-meeting_on": today.isoformat(), "submit_proposal-file": pdf()},
    )
    project.refresh_from_db()
    assert project.state == ProjectState.VILLAGE_NOTICE
    notice = client.get(f"/projects/{project.pk}/notice/").content.decode()
    assert "赵受益" in notice
    assert "村道硬化" in notice
    assert household.household_number not in notice
    pdf_response = client.get(f"/projects/{project.pk}/notice/?format=pdf")
    assert pdf_response["Content-Type"] == "application/pdf"
    attachment = project.attachments.get()
    served = client.get(f"/projects/attachments/{attachment.pk}/")
    assert served["Content-Disposition"].startswith("attachment")
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "村道硬化" in page


def test_another_areas_project_is_not_found(staff):
    project = proposal(staff.village)
    client = _client(staff.other_village)
    assert client.get(f"/projects/{project.pk}/").status_code == 404
    assert client.get(f"/projects/{project.pk}/notice/").status_code == 404
    assert client.post(f"/projects/{project.pk}/act/withdraw/", {"withdraw-comment": "x"}).status_code == 404
    assert "榆树营村肉牛养殖小区" not in client.get("/projects/").content.decode()


def test_the_county_sees_only_the_moves_it_may_make(staff):
    project = proposal(staff.village)
    county = _client(staff.county).get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="step-' not in county
    village = _client(staff.village).get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="step-submit_proposal"' in village
