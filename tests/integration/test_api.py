"""The REST API: tokens, scoping by area on every endpoint, masking, errors."""

import datetime

import pytest

from jingzhun.accounts.choices import Role
from jingzhun.api.models import ApiToken
from jingzhun.api.services import token_create
from jingzhun.assistance.models import Measure
from jingzhun.cases.services import identification_open
from jingzhun.registry.models import Household, HouseholdChange, Member
from tests import factories

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1980, 5, 6)


@pytest.fixture
def token(cadre):
    return token_create(actor=cadre, owner=cadre, name="village app")[1]


@pytest.fixture
def api(client, token):
    def call(method, url, body=None, key=token):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        send = getattr(client, method)
        if body is None:
            return send(url, headers=headers)
        return send(url, body, content_type="application/json", headers=headers)

    return call


@pytest.fixture
def own(village, cadre):
    household = factories.household(village, "150124100201001")
    head = factories.member(household, relation="01", name="本村人")
    case = identification_open(user=cadre, household=household, lead="突发大病")
    Measure.objects.create(household=household, measure_type="01", start_date=datetime.date(2026, 1, 5))
    return household, head, case


@pytest.fixture
def foreign(other_village, other_cadre):
    household = factories.household(other_village, "150124101202001")
    head = factories.member(household, relation="01", name="外村人")
    case = identification_open(user=other_cadre, household=household, lead="房屋倒塌")
    Measure.objects.create(household=household, measure_type="01", start_date=datetime.date(2026, 1, 5))
    return household, head, case


def test_the_schema_is_published(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/households/" in schema["paths"]


def test_no_or_a_revoked_token_is_refused(api, cadre, token):
    response = api("get", "/api/v1/households/", key=None)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorised"
    ApiToken.objects.update(revoked_at=datetime.datetime.now(datetime.UTC))
    assert api("get", "/api/v1/households/").status_code == 401


def test_lists_contain_only_the_users_area(api, own, foreign):
    for url, key in (
        ("/api/v1/households/", "household_number"),
        ("/api/v1/cases/", "household_number"),
        ("/api/v1/measures/", "household"),
        ("/api/v1/areas/?level=5", "code"),
    ):
        body = api("get", url).json()
        values = {str(item[key]) for item in body["items"]}
        assert values, url
        assert foreign[0].household_number not in values
        assert str(foreign[0].pk) not in values
        assert foreign[0].village_id not in values


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/v1/households/{household}", None),
        ("patch", "/api/v1/households/{household}", {"address": "改了"}),
        ("get", "/api/v1/households/{household}/members", None),
        (
            "post",
            "/api/v1/households/{household}/members",
            {"name": "新人", "id_number": "x", "relation_to_head": "03"},
        ),
        ("get", "/api/v1/households/{household}/incomes", None),
        ("put", "/api/v1/households/{household}/incomes/2025", {"wage_income": "100"}),
        ("get", "/api/v1/households/{household}/conditions", None),
        ("patch", "/api/v1/households/{household}/conditions", {"house_grade": "D"}),
        ("get", "/api/v1/households/{household}/measures", None),
        ("get", "/api/v1/households/{household}/visits", None),
        ("patch", "/api/v1/members/{member}", {"name": "改名"}),
        ("get", "/api/v1/cases/{case}", None),
        ("post", "/api/v1/cases/{case}/transitions", {"action": "withdraw", "comment": "撤销"}),
        ("get", "/api/v1/quality-issues/?village={village}", None),
        ("get", "/api/v1/areas/{village}", None),
        ("post", "/api/v1/households/", {"household_number": "150124101202999", "village": "{village}"}),
    ],
)
def test_another_villages_data_cannot_be_read_or_changed(api, own, foreign, method, url, body):
    household, head, case = foreign
    ids = {"household": household.pk, "member": head.pk, "case": case.pk, "village": household.village_id}
    before = (
        Household.objects.get(pk=household.pk).updated_at,
        Member.objects.count(),
        HouseholdChange.objects.count(),
    )
    if body is not None:
        body = {key: value.format(**ids) if isinstance(value, str) else value for key, value in body.items()}
    response = api(method, url.format(**ids), body)
    assert response.status_code == 404, response.content
    assert response.json()["error"] == "not_found"
    case.refresh_from_db()
    assert case.state == "application"
    after = (
        Household.objects.get(pk=household.pk).updated_at,
        Member.objects.count(),
        HouseholdChange.objects.count(),
    )
    assert after == before


def test_own_data_is_read_masked_and_revealed_on_request(api, own):
    household, head, _case = own
    members = api("get", f"/api/v1/households/{household.pk}/members").json()
    assert members[0]["id_number"] != head.id_number
    assert "*" in members[0]["id_number"]
    assert not HouseholdChange.objects.filter(action="reveal").exists()
    revealed = api("get", f"/api/v1/households/{household.pk}/members?reveal=true").json()
    assert revealed[0]["id_number"] == head.id_number
    assert HouseholdChange.objects.filter(action="reveal", household_id=household.pk).exists()


def test_a_supervisor_may_not_reveal(client, own, village):
    household = own[0]
    supervisor = factories.user("sup", Role.SUPERVISOR, village.parent.parent)
    key = token_create(actor=supervisor, owner=supervisor, name="check")[1]
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get(f"/api/v1/households/{household.pk}/members", headers=headers).status_code == 200
    response = client.get(f"/api/v1/households/{household.pk}/members?reveal=true", headers=headers)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_writes_go_through_the_services(api, own, village):
    created = api(
        "post", "/api/v1/households/", {"household_number": "150124100201777", "village": village.code}
    )
    assert created.status_code == 201, created.content
    household_id = created.json()["id"]
    number = factories.id_number(BIRTH)
    member = api(
        "post",
        f"/api/v1/households/{household_id}/members",
        {"name": "新户主", "id_number": number, "relation_to_head": "01"},
    )
    assert member.status_code == 201, member.content
    # Derived from the ID number; shown as its year, like the masked number itself.
    created_member = member.json()["member"]
    assert (created_member["birth_date"], created_member["birth_year"]) == (None, BIRTH.year)
    assert Member.objects.get(id_number=number).birth_date == BIRTH
    income = api("put", f"/api/v1/households/{household_id}/incomes/2025", {"wage_income": "12000"})
    assert income.json()["per_capita_net_income"] == "12000.00"
    assert HouseholdChange.objects.filter(household_id=household_id, actor__username="cadre").count() >= 3


def test_invalid_input_names_the_field(api, own):
    household = own[0]
    response = api(
        "post",
        f"/api/v1/households/{household.pk}/members",
        {"name": "错号", "id_number": "150124198005060000", "relation_to_head": "03"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert "id_number" in body["fields"]
    bad_type = api("patch", f"/api/v1/households/{household.pk}", {"registered_year": "soon"})
    assert bad_type.status_code == 422
    # In the installation's language, not pydantic's English.
    assert bad_type.json()["fields"]["registered_year"] == ["请填写整数。"]
    too_early = api("patch", f"/api/v1/households/{household.pk}", {"registered_year": 1900})
    assert too_early.json()["fields"]["registered_year"] == ["请填写大于或等于 2010 的值。"]


def test_case_transitions_follow_the_table(api, own):
    _household, _head, case = own
    # A known move that the case's step does not allow now: a conflict, not bad input.
    refused = api("post", f"/api/v1/cases/{case.pk}/transitions", {"action": "county_approve"})
    assert (refused.status_code, refused.json()["error"]) == (409, "conflict")
    unknown = api("post", f"/api/v1/cases/{case.pk}/transitions", {"action": "approve_everything"})
    assert unknown.status_code == 422
    assert "action" in unknown.json()["fields"]
    withdrawn = api(
        "post", f"/api/v1/cases/{case.pk}/transitions", {"action": "withdraw", "comment": "户主撤回"}
    )
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["state"] == "withdrawn"


def test_tokens_are_managed_by_their_user_or_an_administrator(api, cadre, other_cadre, village):
    other_key = token_create(actor=other_cadre, owner=other_cadre, name="other")[1]
    listed = api("get", "/api/v1/tokens/").json()
    assert [token["name"] for token in listed] == ["village app"]
    other_token = ApiToken.objects.get(name="other")
    assert api("delete", f"/api/v1/tokens/{other_token.pk}").status_code == 404
    # Another account is out of the user's scope, as any record outside it: not found.
    refused = api("post", "/api/v1/tokens/", {"name": "for someone", "user": other_cadre.pk})
    assert refused.status_code == 404
    admin = factories.user("admin", Role.SYSTEM_ADMIN, village.parent.parent)
    admin_key = token_create(actor=admin, owner=admin, name="ops")[1]
    revoked = api("delete", f"/api/v1/tokens/{other_token.pk}", key=admin_key)
    assert revoked.status_code == 200
    assert api("get", "/api/v1/households/", key=other_key).status_code == 401
    created = api("post", "/api/v1/tokens/", {"name": "second"})
    assert created.status_code == 201
    assert api("get", "/api/v1/areas/", key=created.json()["key"]).status_code == 200


def test_a_nul_byte_in_a_filter_is_refused_not_a_server_error(api, own):
    response = api("get", "/api/v1/measures/?village=%00")
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert response.json()["error"] == "invalid"


def test_reading_a_households_conditions_writes_nothing(api, village):
    household = factories.household(village, "150124100201009")
    factories.member(household, relation="01")
    from jingzhun.registry.models import LivingConditions

    LivingConditions.objects.filter(household=household).delete()
    response = api("get", f"/api/v1/households/{household.pk}/conditions")
    assert response.status_code == 200
    assert not LivingConditions.objects.filter(household=household).exists()
