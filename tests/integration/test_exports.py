"""Spreadsheets derived from the register, and the web import flow."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from jingzhun.accounts.choices import Role
from jingzhun.exports.models import ExportRecord
from jingzhun.imports.models import ImportRun
from jingzhun.imports.services import household_import
from jingzhun.registry.models import Household, HouseholdChange, Member, MonitoringObject
from tests import factories
from tests.integration.test_household_import import HEAD_ID, _rows, _sheet_bytes

pytestmark = pytest.mark.django_db


def _sheet(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


@pytest.fixture
def registered(village):
    household_import(user=None, file_name="a.xlsx", data=_sheet_bytes(_rows()))
    household = Household.objects.get(household_number="150124001")
    MonitoringObject.objects.create(
        household=household,
        household_type="1",
        category="1",
        identified_on=datetime.date(2026, 3, 1),
        risk_types=["01", "02"],
    )
    return household


@pytest.fixture
def outsider(other_village):
    household = factories.household(other_village, "150124777")
    factories.member(household, relation="01", name="外村人")
    return household


def test_household_list_exports_what_it_shows_within_scope(client, cadre, registered, outsider):
    client.force_login(cadre)
    rows = _sheet(client.get("/households/?export=xlsx&attribute=01"))
    assert rows[0][0] == "户编号"  # Chinese headers by default
    assert [row[0] for row in rows[1:]] == ["150124001"]
    assert rows[1][4] == HEAD_ID  # a village cadre may see the ID in full, as text
    record = ExportRecord.objects.get()
    assert (record.what, record.rows, record.sensitive_in_full) == ("households", 1, True)
    members = _sheet(client.get("/households/?export=members"))
    assert len(members) == 1 + 4
    assert "外村人" not in {row[1] for row in members}


def test_sensitive_columns_are_masked_for_supervisors(client, village, registered):
    inspector = factories.user("inspector", Role.SUPERVISOR, village.parent.parent)
    client.force_login(inspector)
    rows = _sheet(client.get("/households/?export=members"))
    ids = [row[2] for row in rows[1:]]
    assert HEAD_ID not in ids
    assert all("*" in value for value in ids)
    health = [row[8] for row in rows[1:] if row[8]]
    assert health
    assert all(value == "***" for value in health)


def test_warning_case_and_measure_lists_export(client, cadre, registered):
    client.force_login(cadre)
    for url in ("/warnings/?export=xlsx", "/cases/?export=xlsx", "/assistance/?export=xlsx"):
        rows = _sheet(client.get(url))
        assert rows[0][0]
    assert ExportRecord.objects.count() == 3


def test_the_roster_is_in_the_national_layout_and_reimports_cleanly(client, cadre, registered):
    client.force_login(cadre)
    response = client.get("/imports/roster.xlsx")
    rows = _sheet(response)
    headers = rows[0]
    assert headers[:7] == [
        "省(区、市)",
        "市(地、州)",
        "县(市、区、旗)",
        "乡(镇)",
        "行政村",
        "行政村代码",
        "户编号",
    ]
    by_header = [dict(zip(headers, row, strict=True)) for row in rows[1:]]
    assert {row["户编号"] for row in by_header} == {"150124001"}  # monitoring objects only
    head = next(row for row in by_header if row["证件号码"] == HEAD_ID)
    assert head["与户主关系"] == "户主"
    assert head["监测对象类别"] == "脱贫不稳定户"
    assert head["风险类型"] == "因病、因残"
    assert head["家庭人口数"] == 3
    changes = HouseholdChange.objects.count()
    report = household_import(user=cadre, file_name="roster.xlsx", data=response.content)
    assert report.ok, report.errors
    assert (report.households_unchanged, report.households_created, report.households_updated) == (1, 0, 0)
    assert HouseholdChange.objects.count() == changes
    everyone = client.get("/imports/roster.xlsx?all=1")
    again = household_import(user=cadre, file_name="register.xlsx", data=everyone.content)
    assert again.ok
    assert again.households_unchanged == 2


def test_area_summary_on_screen_and_as_xlsx(client, cadre, registered, outsider):
    township = registered.village.parent
    Household.objects.filter(pk=registered.pk).update(poverty_status="1")
    Household.objects.filter(pk=outsider.pk).update(poverty_status="2")
    county_user = factories.user("county", Role.COUNTY_OFFICER, township.parent)
    client.force_login(county_user)
    page = client.get(f"/imports/summary/?area={township.code}")
    assert page.status_code == 200
    rows = _sheet(client.get(f"/imports/summary/?area={township.code}&export=xlsx"))
    total = rows[-1]
    assert total[2:6] == [3, 5, 1, 1]  # households, people, not lifted out, lifted out (both villages)
    village_row = next(row for row in rows if row[0] == registered.village_id)
    assert village_row[2:4] == [2, 4]
    assert village_row[6] == 1
    client.force_login(cadre)
    assert client.get(f"/imports/summary/?area={township.code}").status_code == 404


def test_household_form_as_xlsx_and_pdf(client, cadre, registered, outsider):
    client.force_login(cadre)
    rows = _sheet(client.get(f"/imports/households/{registered.pk}/form.xlsx"))
    text = " ".join(str(cell) for row in rows for cell in row if cell)
    assert "150124001" in text
    assert "王大" in text
    assert HEAD_ID in text
    pdf = client.get(f"/imports/households/{registered.pk}/form.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    extracted = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "150124001" in extracted
    assert client.get(f"/imports/households/{outsider.pk}/form.pdf").status_code == 404


def test_upload_check_confirm_from_the_web(client, cadre, village, django_capture_on_commit_callbacks):
    client.force_login(cadre)
    upload = SimpleUploadedFile("村表.xlsx", _sheet_bytes(_rows()))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/", {"file": upload})
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert run.state == "checked"
    assert Household.objects.count() == 0  # checked, not written
    page = client.get(f"/imports/{run.pk}/")
    assert run.report["households_created"] == 2
    assert 'data-state="checked"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{run.pk}/confirm/")
    run.refresh_from_db()
    assert run.state == "done"
    assert Member.objects.count() == 4
    assert HouseholdChange.objects.filter(actor=cadre).exists()


def test_a_file_with_errors_is_rejected_with_its_report(
    client, cadre, village, django_capture_on_commit_callbacks
):
    client.force_login(cadre)
    rows = _rows()
    rows[0][5] = "1.50124E+17"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/", {"file": SimpleUploadedFile("bad.xlsx", _sheet_bytes(rows))})
    run = ImportRun.objects.get()
    assert run.state == "rejected"
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "1.50124E+17" in page
    assert client.post(f"/imports/{run.pk}/confirm/").status_code == 302
    run.refresh_from_db()
    assert run.state == "rejected"
    assert Household.objects.count() == 0


def test_another_user_cannot_see_or_confirm_an_upload(
    client, cadre, other_cadre, village, django_capture_on_commit_callbacks
):
    client.force_login(cadre)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/", {"file": SimpleUploadedFile("a.xlsx", _sheet_bytes(_rows()))})
    run = ImportRun.objects.get()
    client.force_login(other_cadre)
    assert client.get(f"/imports/{run.pk}/").status_code == 404
    assert client.post(f"/imports/{run.pk}/confirm/").status_code == 404
