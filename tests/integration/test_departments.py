import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from jingzhun.accounts.choices import Department, Role
from jingzhun.departments.models import DepartmentBatch, DepartmentRecord
from jingzhun.departments.services import department_import
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(village):
    household = factories.household(village)
    head = factories.member(household, relation="01", name="王大", age=50)
    wife = factories.member(household, relation="02", sex="2", name="李二", age=48)
    return household, head, wife


def xlsx(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_medical_xlsx_with_title_row_serial_dates_and_matching(people):
    household, head, wife = people
    outsider = factories.id_number(datetime.date(1977, 7, 7))
    data = xlsx(
        [
            ["清水河县2025年10月医保结算数据"],
            ["身份证号码", "结算日期", "就诊类型", "医疗总费用", "基金支付", "政策范围内自付"],
            [
                head.id_number.lower()[:-1] + head.id_number[-1].lower(),
                45931,
                "住院",
                "12,000.50",
                9000,
                "3000.50",
            ],
            [f" {wife.id_number} ", "2025年10月3日", "门诊", 300, 100, 200],
            [outsider, "2025.10.5", "outpatient", 100, 50, 50],
            ["1.50124E+17", "2025-10-06", "门诊", 100, 50, 50],
            [None, None, None, None, None, None],
        ]
    )
    report = department_import(user=None, dataset_type="medical", file_name="医保.xlsx", data=data)
    assert report.ok, report.errors
    assert (report.rows, report.matched, report.not_in_register, report.invalid_id) == (4, 2, 1, 1)
    assert report.period == "2025-10"
    assert report.not_in_register_ids == [outsider]
    assert report.invalid_ids[0].row == 6
    first = DepartmentRecord.objects.get(row_number=3)
    assert (first.member, first.household, first.kind) == (head, household, "inpatient")
    assert first.event_date == datetime.date(2025, 10, 1)
    assert first.amount_out_of_pocket == Decimal("3000.50")
    assert DepartmentRecord.objects.get(row_number=4).event_date == datetime.date(2025, 10, 3)


def test_same_file_twice_is_one_batch(people):
    _, head, _ = people
    data = f"身份证号,事项,日期\n{head.id_number},死亡,2025-09-01\n".encode()
    first = department_import(user=None, dataset_type="public_security", file_name="gongan.csv", data=data)
    again = department_import(
        user=None, dataset_type="public_security", file_name="gongan-copy.csv", data=data
    )
    assert first.batch_id == again.batch_id
    assert (first.already_imported, again.already_imported) == (False, True)
    assert DepartmentBatch.objects.count() == 1
    assert DepartmentRecord.objects.count() == 1


def test_row_errors_name_row_column_and_reason_and_nothing_is_written(people):
    _, head, wife = people
    data = (
        "身份证号,救助类型,开始日期,金额\n"
        f"{head.id_number},低保,2025-01-01,500\n"
        f"{wife.id_number},五保,2025-13-01,abc\n"
    ).encode("gb18030")
    report = department_import(user=None, dataset_type="civil_affairs", file_name="民政.csv", data=data)
    assert not report.ok
    problems = {(e.row, e.column, e.value) for e in report.errors}
    assert problems == {(3, "救助类型", "五保"), (3, "开始日期", "2025-13-01"), (3, "金额", "abc")}
    assert all(error.reason for error in report.errors)
    assert DepartmentBatch.objects.count() == 0
    assert DepartmentRecord.objects.count() == 0


def test_missing_required_columns_reported(people):
    report = department_import(
        user=None, dataset_type="medical", file_name="x.csv", data="身份证号,结算日期\n1,2\n".encode()
    )
    assert report.errors[0].reason == "Required columns are missing."
    assert "就诊类型" in report.errors[0].column


def test_column_mapping_and_area_level_water(people, village):
    household, head, _ = people
    data = (
        "户主身份证,村代码,水量达标,水质达标,用水方便,供水保证率达标,核查日期\n"
        f"{head.id_number},,是,否,是,是,2025-08-01\n"
        f",{village.code},√,√,√,×,2025-08-02\n"
    ).encode()
    report = department_import(
        user=None,
        dataset_type="water",
        file_name="水务.csv",
        data=data,
        mapping={"户主身份证": "id_number"},
        period="2025-08",
    )
    assert report.ok, report.errors
    assert (report.matched, report.area_level) == (1, 1)
    household_row = DepartmentRecord.objects.get(household=household)
    assert household_row.flags == {
        "quantity_ok": True,
        "quality_ok": False,
        "convenience_ok": True,
        "reliability_ok": True,
    }
    area_row = DepartmentRecord.objects.get(household__isnull=True)
    assert area_row.village_code == village.code
    assert area_row.flags["reliability_ok"] is False


def test_unknown_village_code_refused(people):
    data = "村代码,灾害类型,受灾日期,损失金额\n150124999201,洪涝,2025-07-01,5000\n".encode()
    report = department_import(user=None, dataset_type="disaster", file_name="d.csv", data=data)
    assert [(e.row, e.column) for e in report.errors] == [(2, "village_code")]


def test_only_the_owning_department_or_county_may_import(people, village):
    _, head, _ = people
    data = f"身份证号,事项,日期\n{head.id_number},死亡,2025-09-01\n".encode()
    education = factories.user(
        "edu", Role.DEPARTMENT_USER, village.parent.parent, department=Department.EDUCATION
    )
    with pytest.raises(PermissionDenied):
        department_import(user=education, dataset_type="public_security", file_name="g.csv", data=data)
    police = factories.user(
        "police", Role.DEPARTMENT_USER, village.parent.parent, department=Department.PUBLIC_SECURITY
    )
    assert department_import(user=police, dataset_type="public_security", file_name="g.csv", data=data).ok


def test_command_prints_json_report_and_fails_on_errors(people, tmp_path, capsys):
    _, head, _ = people
    good = tmp_path / "hr.csv"
    good.write_text(f"身份证号,事项,日期\n{head.id_number},返乡,2025-09-01\n", encoding="utf-8")
    call_command("department_import", "human_resources", str(good), format="json", period="2025-09")
    report = json.loads(capsys.readouterr().out)
    assert (report["rows"], report["matched"], report["period"]) == (1, 1, "2025-09")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"身份证号,事项,日期\n{head.id_number},出差,2025-09-01\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("department_import", "human_resources", str(bad))
    assert "row 2" in capsys.readouterr().err
