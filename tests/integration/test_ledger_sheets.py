"""The project library and the asset ledger as sheets: the export re-imports unchanged, a
changed sheet updates what changed, and a refused row writes nothing and is named by
row, column and reason."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from jingzhun.assets.models import Asset
from jingzhun.assets.services import asset_register
from jingzhun.imports.ledgers import asset_ledger_import, project_library_import
from jingzhun.projects.choices import ProjectState
from jingzhun.projects.models import Project
from tests.case_steps import people
from tests.project_steps import proposal, walk_to

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def staff(village, other_village):
    return people(village, other_village)


def _download(user, url) -> openpyxl.Workbook:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _bytes(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _column(sheet, header: str) -> int:
    return [cell.value for cell in sheet[1]].index(header) + 1


def test_the_project_library_round_trips_and_updates_what_changed(staff):
    project = proposal(staff.village)
    book = _download(staff.village, "/imports/ledgers/projects.xlsx")
    sheet = book.active
    assert sheet.cell(2, _column(sheet, "项目编号")).value == project.number
    assert sheet.cell(2, _column(sheet, "中央资金(元)")).value == 800000
    report = project_library_import(user=staff.village, file_name="库.xlsx", data=_bytes(book))
    assert (report.ok, report.created, report.updated, report.unchanged) == (True, 0, 0, 1)
    sheet.cell(2, _column(sheet, "项目名称")).value = "榆树营村肉牛养殖小区（扩建）"
    sheet.cell(2, _column(sheet, "中央资金(元)")).value = "900000.50"
    new_row = [cell.value for cell in sheet[2]]
    new_row[_column(sheet, "项目编号") - 1] = ""
    new_row[_column(sheet, "项目名称") - 1] = "村道硬化"
    sheet.append(new_row)
    report = project_library_import(user=staff.village, file_name="库.xlsx", data=_bytes(book))
    assert (report.ok, report.created, report.updated) == (True, 1, 1)
    project.refresh_from_db()
    assert project.name == "榆树营村肉牛养殖小区（扩建）"
    assert project.budget_total == Decimal("900000.50")
    assert Project.objects.filter(name="村道硬化", state=ProjectState.DRAFT).exists()


def test_a_refused_row_writes_nothing_and_is_named(staff):
    proposal(staff.village)
    book = _download(staff.village, "/imports/ledgers/projects.xlsx")
    sheet = book.active
    good = [cell.value for cell in sheet[2]]
    good[_column(sheet, "项目编号") - 1] = ""
    sheet.append(good)
    bad = list(good)
    bad[_column(sheet, "项目类别") - 1] = "养鸡"
    bad[_column(sheet, "计划开工日期") - 1] = "去年"
    bad[_column(sheet, "中央资金(元)") - 1] = "12.345"
    sheet.append(bad)
    before = Project.objects.count()
    report = project_library_import(user=staff.village, file_name="库.xlsx", data=_bytes(book))
    assert not report.ok
    assert {(p.row, p.column) for p in report.problems} == {
        (4, "项目类别"),
        (4, "计划开工日期"),
        (4, "中央资金(元)"),
    }
    assert Project.objects.count() == before
    # Another village's cadre may not import this village's rows.
    sheet.delete_rows(4)
    other = project_library_import(user=staff.other_village, file_name="库.xlsx", data=_bytes(book))
    assert {p.column for p in other.problems} == {"实施村代码"}
    assert Project.objects.count() == before


def test_the_asset_ledger_round_trips_and_registers_from_a_sheet(staff):
    project = walk_to(staff, proposal(staff.village), ProjectState.ACCEPTED)
    asset = asset_register(
        user=staff.county,
        project=project,
        village_code=project.area_id,
        name="牛舍",
        asset_type="operating",
        quantity=Decimal("2"),
        unit="栋",
        value="800000.00",
        year_formed=timezone.localdate().year,
        owner_kind="village_collective",
        owner_name="村集体",
    )
    book = _download(staff.county, "/imports/ledgers/assets.xlsx")
    sheet = book.active
    assert sheet.cell(2, _column(sheet, "资产类别")).value == "经营性资产"
    report = asset_ledger_import(user=staff.county, file_name="台账.xlsx", data=_bytes(book))
    assert (report.ok, report.unchanged) == (True, 1)
    sheet.cell(2, _column(sheet, "管护责任人")).value = "村委会"
    row = [cell.value for cell in sheet[2]]
    row[_column(sheet, "资产编号") - 1] = ""
    row[_column(sheet, "资产名称") - 1] = "青贮窖"
    row[_column(sheet, "资产类别") - 1] = "公益性资产"
    sheet.append(row)
    report = asset_ledger_import(user=staff.county, file_name="台账.xlsx", data=_bytes(book))
    assert (report.ok, report.created, report.updated) == (True, 1, 1)
    asset.refresh_from_db()
    assert asset.custodian == "村委会"
    assert Asset.objects.get(name="青贮窖").asset_type == "public_benefit"
    refused = asset_ledger_import(user=staff.village, file_name="台账.xlsx", data=_bytes(book))
    assert not refused.ok
    assert Asset.objects.count() == 2


def test_the_import_page_lists_the_problems(staff):
    client = Client()
    client.force_login(staff.village)
    page = client.post(
        "/imports/ledgers/projects/",
        {"file": io.BytesIO(b"\xe9\xa1\xb9\xe7\x9b\xae\xe5\x90\x8d\xe7\xa7\xb0,x\n")},
    )
    assert page.status_code == 200
    assert 'data-testid="ledger-problems"' in page.content.decode()
