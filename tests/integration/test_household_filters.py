"""The household list's filters are declared once (registry.selectors.HOUSEHOLD_FILTERS):
the page's form and the API take the same parameters and give the same households."""

from __future__ import annotations

import pytest
from django.test import Client

from jingzhun.api.services import token_create
from jingzhun.registry.forms import HouseholdFilterForm
from jingzhun.registry.selectors import HOUSEHOLD_FILTERS
from tests import factories

pytestmark = pytest.mark.django_db
PARAMETERS = {parameter.param for parameter in HOUSEHOLD_FILTERS}


def test_the_page_and_the_api_take_the_same_parameters(client, cadre):
    form = HouseholdFilterForm(user=cadre)
    assert {field.name for field in form.visible_fields()} == PARAMETERS
    listing = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/households/"]["get"]
    assert {parameter["name"] for parameter in listing["parameters"]} == PARAMETERS | {"page", "page_size"}


@pytest.mark.parametrize(
    "query",
    [{"cause": "02"}, {"attribute": "06"}, {"q": "王"}, {"include_removed": "true", "cause": "01"}],
)
def test_the_same_query_gives_the_same_households_on_the_page_and_in_the_api(cadre, village, query):
    for number, cause, attribute, active in (
        ("A1", "01", "05", True),
        ("A2", "02", "06", True),
        ("A3", "01", "06", False),
    ):
        household = factories.household(
            village, number=f"{village.code}{number}", main_cause=cause, attribute=attribute, is_active=active
        )
        factories.member(household, relation="01", name=f"王{number}")
    page = Client()
    page.force_login(cadre)
    shown = page.get("/households/", {**query, "include_removed": query.get("include_removed") == "true"})
    on_page = sorted(household.pk for household in shown.context["page"])
    token = token_create(actor=cadre, owner=cadre, name="app")[1]
    answer = Client().get("/api/v1/households/", query, headers={"Authorization": f"Bearer {token}"})
    in_api = sorted(row["id"] for row in answer.json()["items"])
    assert on_page == in_api
    assert 0 < len(in_api) < 3, query
