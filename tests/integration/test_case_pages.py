"""The procedures' pages: notices without sensitive data, step forms by role,
scoped files, and the public self-declaration with its limits."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from jingzhun.cases import services
from jingzhun.cases.choices import CaseState, Channel, DeclarationStatus
from jingzhun.cases.models import Case, Declaration
from tests import factories
from tests.case_steps import act, case_in_notice, people, signed_form

pytestmark = pytest.mark.django_db


def client_for(user=None):
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def staff(village, other_village):
    return people(village, other_village)


@pytest.fixture
def household(village):
    household = factories.household(
        village, attribute="09", phone="13912345678", bank_account="6228480012345678901", group_name="三组"
    )
    factories.member(household, name="王大山", phone="13800001111", health=["3"])
    return household


def _case_in_notice(staff, household) -> Case:
    return case_in_notice(staff, household, lead="住院花费大，肺癌化疗")


def test_public_notice_shows_names_and_reasons_but_never_ids_phones_bank_or_health(staff, household, village):
    case = _case_in_notice(staff, household)
    head = household.members.get()
    secrets = [
        head.id_number,
        head.id_number[-6:],
        "13912345678",
        "13800001111",
        "6228480012345678901",
        "肺癌",
        "化疗",
    ]
    page = client_for(staff.village).get(f"/cases/notices/{village.code}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "王大山" in html
    assert "三组" in html
    for secret in secrets:
        assert secret not in html
    pdf = client_for(staff.village).get(f"/cases/notices/{village.code}/", {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "王大山" in text
    for secret in secrets:
        assert secret not in text
    # The county's announcement after approval follows the same rule.
    Case.objects.filter(pk=case.pk).update(notice_ends_on=timezone.localdate() - datetime.timedelta(days=1))
    case = act(staff.village, Case.objects.get(pk=case.pk), "close_notice")
    case = act(staff.township, case, "township_approve")
    case = act(staff.county, case, "county_approve")
    announcement = client_for(staff.county).get(f"/cases/announcements/{factories.COUNTY}/").content.decode()
    assert "王大山" in announcement
    for secret in secrets:
        assert secret not in announcement


def test_a_village_sees_only_its_own_notice_cases_and_files(staff, household, other_village):
    case = _case_in_notice(staff, household)
    other = client_for(staff.other_village)
    assert other.get(f"/cases/{case.pk}/").status_code == 404
    assert other.get(f"/cases/attachments/{case.attachments.get().pk}/").status_code == 404
    assert other.get(f"/cases/notices/{household.village_id}/").status_code == 404
    own = client_for(staff.village).get(f"/cases/attachments/{case.attachments.get().pk}/")
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == b"%PDF-1.4 signed\n%%EOF\n"


def test_case_page_offers_only_the_users_moves_and_refuses_forged_posts(staff, household):
    case = services.identification_open(user=staff.village, household=household, lead="x")
    village_page = client_for(staff.village).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="step-submit_application"' in village_page
    assert 'data-testid="step-withdraw"' in village_page
    township_page = client_for(staff.township).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="step-' not in township_page
    forged = client_for(staff.township).post(
        f"/cases/{case.pk}/act/submit_application/", {"submit_application-file": signed_form()}, follow=True
    )
    assert "Only Village cadre at Village level may do this." in forged.content.decode()
    assert Case.objects.get(pk=case.pk).state == CaseState.APPLICATION
    done = client_for(staff.village).post(
        f"/cases/{case.pk}/act/submit_application/", {"submit_application-file": signed_form()}
    )
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).state == CaseState.HOME_VISIT


def test_step_form_errors_name_the_field_and_change_nothing(staff, household):
    case = act(
        staff.village,
        services.identification_open(user=staff.village, household=household, lead="x"),
        "submit_application",
    )
    response = client_for(staff.village).post(
        f"/cases/{case.pk}/act/record_visit/",
        {
            "record_visit-visited_on": "2099-01-01",
            "record_visit-visited_by": "张三",
            "record_visit-income_last_12_months": "100",
            "record_visit-per_capita_net_income": "50",
            "record_visit-eligible_out_of_pocket": "0",
            "record_visit-household_type": "2",
            "record_visit-category": "2",
            "record_visit-risk_types": ["04"],
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The date cannot be in the future." in html or "Name the kind of natural disaster." in html
    assert Case.objects.get(pk=case.pk).state == CaseState.HOME_VISIT
    assert Case.objects.get(pk=case.pk).visited_on is None


def _declare(client, village, address="10.0.0.1", **changes):
    data = {
        "name": "李四",
        "id_number": factories.id_number(datetime.date(1980, 5, 1)),
        "phone": "13700001234",
        "township": village.parent_id,
        "village": village.code,
        "what_happened": "家里房子被洪水冲垮",
    }
    data.update(changes)
    return client.post("/declare/", data, REMOTE_ADDR=address), data


def test_self_declaration_reaches_the_village_and_its_status_reveals_nothing_else(staff, village, household):
    client = client_for()
    form_page = client.get("/declare/")
    assert form_page.status_code == 200
    response, data = _declare(client, village, id_number=household.members.get().id_number)
    assert response.status_code == 302
    declaration = Declaration.objects.get()
    assert declaration.household == household
    assert declaration.client_key != "10.0.0.1"
    # Only the right ID number and phone together find it; the answer is the status only.
    wrong = client.post(
        "/declare/status/", {"id_number": data["id_number"], "phone": "13700009999"}
    ).content.decode()
    assert "No report matches" in wrong
    right = client.post(
        "/declare/status/", {"id_number": data["id_number"], "phone": data["phone"]}
    ).content.decode()
    assert "Received" in right
    assert "洪水" not in right
    assert "李四" not in right
    listing = client_for(staff.village).get("/cases/declarations/").content.decode()
    assert "李四" in listing
    assert "李四" not in client_for(staff.other_village).get("/cases/declarations/").content.decode()
    accepted = client_for(staff.village).post(
        f"/cases/declarations/{declaration.pk}/",
        {"do": "accept", "household_number": household.household_number},
    )
    case = Case.objects.get()
    assert accepted.status_code == 302
    assert (case.channel, case.declaration, case.household) == (
        Channel.SELF_DECLARATION,
        declaration,
        household,
    )
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.ACCEPTED
    again = client.post(
        "/declare/status/", {"id_number": data["id_number"], "phone": data["phone"]}
    ).content.decode()
    assert "Being handled" in again


def test_self_declaration_validates_the_id_number(village):
    response, _data = _declare(client_for(), village, id_number="150124198005011234")
    assert response.status_code == 200
    assert (
        "check digit" in response.content.decode().lower() or "checksum" in response.content.decode().lower()
    )
    assert not Declaration.objects.exists()


def test_self_declarations_are_rate_limited_per_id_number_and_per_address(village):
    client = client_for()
    number = factories.id_number(datetime.date(1975, 3, 3))
    statuses = [
        _declare(client, village, id_number=number, address=f"10.0.1.{i}")[0].status_code for i in range(3)
    ]
    assert statuses == [302, 302, 200]
    statuses = [
        _declare(
            client, village, id_number=factories.id_number(datetime.date(1970, 1, i + 1)), address="10.0.2.1"
        )[0].status_code
        for i in range(6)
    ]
    assert statuses == [302] * 5 + [200]
    assert Declaration.objects.count() == 7


def test_supervisors_see_the_case_without_its_health_details(staff, household):
    case = _case_in_notice(staff, household)
    page = client_for(staff.supervisor).get(f"/cases/{case.pk}/").content.decode()
    assert "Withheld (may contain health details)" in page
    assert "肺癌" not in page
    assert "18000" not in page
    assert "肺癌" in client_for(staff.county).get(f"/cases/{case.pk}/").content.decode()


def test_exit_indicators_count_poor_people_per_village(staff, village, other_village):
    poor = factories.household(village, attribute="01", poverty_status="1")
    for age in (40, 38, 12):
        factories.member(poor, age=age, relation="01" if age == 40 else "03")
    lifted = factories.household(village, attribute="05", poverty_status="2")
    factories.member(lifted)
    for _ in range(46):
        factories.member(factories.household(village, attribute="09"))
    factories.member(factories.household(other_village, attribute="09"))
    page = client_for(staff.county).get(f"/dashboards/{factories.COUNTY}/exit/").content.decode()
    from jingzhun.cases.selectors import exit_indicators

    whole, children = exit_indicators(user=staff.county)
    by_area = {row.area.code: (row.people, row.poor_people, row.meets) for row in children}
    # Townships under the county: 3 poor of 50 people in the first one (6% ≥ 3%), 0 of 1 in the other.
    assert by_area[village.parent_id] == (50, 3, False)
    assert by_area[other_village.parent_id] == (1, 0, True)
    assert (whole.people, whole.poor_people) == (51, 3)
    assert "0.06" in page
    assert 'data-testid="exit-no-evaluation"' in page
    # Drill-down: the township's page counts its villages.
    township = client_for(staff.county).get(f"/dashboards/{village.parent_id}/exit/").content.decode()
    assert village.name in township


def test_the_public_form_asks_for_the_township_then_lists_its_villages(village, other_village):
    client = client_for()
    page = client.get("/declare/").content.decode()
    assert village.parent.name in page
    assert village.name not in page  # no village list before a township is chosen
    options = client.get(f"/declare/villages/?township={village.parent_id}").content.decode()
    assert f'value="{village.code}"' in options
    assert other_village.code not in options
    # A village of another township is not among the choices, whatever the browser sent.
    response, _data = _declare(client, other_village, township=village.parent_id)
    assert "Select a valid choice" in response.content.decode()
    assert not Declaration.objects.exists()
