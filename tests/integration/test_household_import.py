"""Importing the national household-and-member sheet: real files, real mess."""

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jingzhun.imports.services import household_import
from jingzhun.registry import writes as register_writes
from jingzhun.registry.models import (
    Household,
    HouseholdChange,
    IncomeRecord,
    LivingConditions,
    Member,
    StatusChange,
)
from tests import factories

pytestmark = pytest.mark.django_db

HEAD_ID = factories.id_number(datetime.date(1970, 3, 5), "1")
WIFE_ID = factories.id_number(datetime.date(1972, 8, 1), "2")
SON_ID = factories.id_number(datetime.date(2012, 9, 10), "1")
SECOND_HEAD_ID = factories.id_number(datetime.date(1960, 1, 2), "2")

HEADER = [
    "序号",
    "行政村\n代码",
    " 户 编 号 ",
    "村民小组",
    "姓名",
    "证件号码",
    "与户主关系",
    "出生日期",
    "民族",
    "健康状况",
    "劳动技能",
    "务工时间（月）",
    "是否参加城乡居民基本医疗保险",
    "是否享受低保",
    "贫困户属性",
    "工资性收入",
    "生产经营性收入",
    "危房等级",
    "备注",
]


def _sheet_bytes(rows, *, merge_household_cells=False):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["榆树营村建档立卡户家庭成员信息表"])  # a title row above the header
    sheet.append(["填报单位：榆树营村"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    if merge_household_cells:
        # The first household's columns merged over its three member rows, as offices print them.
        for column in "BCD":
            sheet.merge_cells(f"{column}4:{column}6")
    sheet.append([None] * len(HEADER))  # blank trailing rows
    sheet.append([None] * len(HEADER))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rows(village_code="150124100201"):
    return [
        # Labels, codes, full-width digits, dates written three ways, yes/no as 是 / √ / 1 / 否.
        [
            1,
            village_code,
            "１５０１２４００１",
            "一组",
            "王大",
            HEAD_ID,
            "户主",
            "1970年3月5日",
            "汉族",
            "长期慢性病、残疾",
            "普通劳动力",
            "６",
            "是",
            "否",
            "一般贫困户",
            "１２,０００",
            3000,
            "C级",
            "x",
        ],
        [
            2,
            village_code,
            "150124001",
            "一组",
            "李二",
            WIFE_ID,
            "02",
            "1972.8.1",
            "01",
            "健康",
            "2",
            0,
            "√",
            "0",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            3,
            village_code,
            "150124001",
            "一组",
            "王小",
            SON_ID,
            "之子",
            "2012-09-10",
            "汉族",
            "1",
            "",
            None,
            1,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            4,
            village_code,
            "150124002",
            "二组",
            "赵四",
            SECOND_HEAD_ID,
            "户主",
            None,
            "回族",
            "患有大病",
            "弱劳动力或半劳动力",
            0,
            "是",
            "是",
            "低保贫困户",
            0,
            0,
            "A级",
            None,
        ],
    ]


def test_a_messy_workbook_imports_every_value(village):
    report = household_import(user=None, file_name="榆树营村.xlsx", data=_sheet_bytes(_rows()))
    assert report.ok, report.errors
    assert report.written
    assert (report.households, report.members, report.header_row) == (2, 4, 3)
    assert report.households_created == 2
    assert "备注" in report.ignored_columns
    household = Household.objects.get(household_number="150124001")
    assert household.village_id == village.code
    assert household.group_name == "一组"
    assert household.attribute == "01"
    head = Member.objects.get(id_number=HEAD_ID)
    assert head.household == household
    assert head.relation_to_head == "01"
    assert head.birth_date == datetime.date(1970, 3, 5)
    assert head.sex == "1"
    assert head.health == ["2", "4"]
    assert head.labour_skill == "2"
    assert head.migrant_work_months == 6
    assert head.resident_medical_insurance is True
    assert head.has_minimum_allowance is False
    wife = Member.objects.get(id_number=WIFE_ID)
    assert (wife.sex, wife.ethnicity, wife.birth_date) == ("2", "01", datetime.date(1972, 8, 1))
    assert wife.resident_medical_insurance is True
    assert Member.objects.get(id_number=SON_ID).relation_to_head == "03"
    second = Member.objects.get(id_number=SECOND_HEAD_ID)
    assert second.birth_date == datetime.date(1960, 1, 2)  # derived from the ID number
    assert second.has_minimum_allowance is True
    income = IncomeRecord.objects.get(household=household)
    assert income.year == report.income_year
    assert income.wage_income == Decimal("12000.00")
    assert income.per_capita_net_income == Decimal("5000.00")  # (12000 + 3000) / 3 residents
    assert LivingConditions.objects.get(household=household).house_grade == "C"
    assert HouseholdChange.objects.filter(household_id=household.pk, action="create").exists()


def test_merged_household_cells_carry_down(village):
    rows = _rows()
    for row in rows[1:3]:
        row[1:4] = [None, None, None]  # what a reader sees under merged cells
    report = household_import(
        user=None, file_name="merged.xlsx", data=_sheet_bytes(rows, merge_household_cells=True)
    )
    assert report.ok, report.errors
    assert Member.objects.filter(household__household_number="150124001").count() == 3


def test_every_problem_is_reported_and_nothing_is_written(village):
    rows = _rows()
    rows[0][5] = float(HEAD_ID[:17])  # Excel kept the ID as a number
    rows[1][6] = "户主"  # a second head in household 001
    rows[2][8] = "火星族"  # not an ethnicity
    rows[3][5] = SECOND_HEAD_ID[:17] + ("0" if SECOND_HEAD_ID[-1] != "0" else "1")  # wrong check digit
    report = household_import(user=None, file_name="bad.xlsx", data=_sheet_bytes(rows))
    assert not report.ok
    assert not report.written
    problems = {(p.row, p.column, p.reason.split(";")[0][:30]) for p in report.errors}
    by_column = {(p.row, p.column) for p in report.errors}
    assert (4, "证件号码") in by_column
    assert any("lost digits" in p.reason and p.row == 4 for p in report.errors), problems
    assert (6, "民族") in by_column
    assert any(p.row == 7 and "check digit" in p.reason for p in report.errors)
    assert any("would have 2 heads" in p.reason and p.household == "150124001" for p in report.errors)
    assert Household.objects.count() == 0
    assert Member.objects.count() == 0


def test_partial_writes_the_households_without_errors(village):
    rows = _rows()
    rows[3][8] = "火星族"
    report = household_import(user=None, file_name="half.xlsx", data=_sheet_bytes(rows), partial=True)
    assert not report.ok
    assert report.written
    assert report.households_skipped == 1
    assert list(Household.objects.values_list("household_number", flat=True)) == ["150124001"]


def test_reimporting_the_same_file_changes_nothing(village):
    data = _sheet_bytes(_rows())
    household_import(user=None, file_name="a.xlsx", data=data)
    changes = HouseholdChange.objects.count()
    again = household_import(user=None, file_name="a.xlsx", data=data)
    assert again.ok
    assert (again.households_created, again.households_updated, again.households_unchanged) == (0, 0, 2)
    assert Household.objects.count() == 2
    assert Member.objects.count() == 4
    assert HouseholdChange.objects.count() == changes


def test_a_changed_file_updates_and_audits(village):
    household_import(user=None, file_name="a.xlsx", data=_sheet_bytes(_rows()))
    rows = _rows()
    rows[0][10] = "技能劳动力"
    rows[0][15] = 18000
    report = household_import(user=None, file_name="b.xlsx", data=_sheet_bytes(rows))
    assert report.ok, report.errors
    assert (report.households_updated, report.households_unchanged, report.members_updated) == (1, 1, 1)
    head = Member.objects.get(id_number=HEAD_ID)
    assert head.labour_skill == "1"
    change = HouseholdChange.objects.filter(record_type="member", record_id=head.pk, action="update").get()
    assert change.changes == {"labour_skill": ["2", "1"]}
    income = IncomeRecord.objects.get(household=head.household)
    assert income.per_capita_net_income == Decimal("7000.00")


DAUGHTER_ID = factories.id_number(datetime.date(2015, 4, 1), "2")


def test_next_years_sheet_writes_and_audits_only_what_changed(village):
    household_import(user=None, file_name="2025.xlsx", data=_sheet_bytes(_rows()), income_year=2025)
    first, second = Household.objects.order_by("household_number")
    wife = Member.objects.get(id_number=WIFE_ID)
    second_before = Household.objects.get(pk=second.pk)
    rows = _rows()
    rows[0][14] = "低保贫困户"  # the head's row carries the household's attribute
    rows[0][17] = "A级"
    rows.insert(3, [4, rows[0][1], "150124001", "一组", "王妞", DAUGHTER_ID, "之女", None, "汉族"])
    rows[3] += [None] * (len(HEADER) - len(rows[3]))
    rows[4][16] = 500  # the second household's 2026 business income
    report = household_import(user=None, file_name="2026.xlsx", data=_sheet_bytes(rows), income_year=2026)
    assert report.ok, report.errors
    assert (report.households_created, report.households_updated, report.members_created) == (0, 2, 1)

    first.refresh_from_db()
    assert first.attribute == "02"
    assert first.updated_at > second_before.updated_at
    status = StatusChange.objects.get(household=first)
    assert (status.field, status.old_value, status.new_value) == ("attribute", "01", "02")
    assert LivingConditions.objects.get(household=first).house_grade == "A"
    daughter = Member.objects.get(id_number=DAUGHTER_ID)
    assert (daughter.household_id, daughter.name) == (first.pk, "王妞")
    assert HouseholdChange.objects.get(record_type="member", record_id=daughter.pk).action == "create"
    # Each household has its 2026 year beside 2025, audited under its own record.
    for household, business in ((first, Decimal("3000.00")), (second, Decimal("500.00"))):
        income = IncomeRecord.objects.get(household=household, year=2026)
        assert income.business_income == business
        assert IncomeRecord.objects.filter(household=household, year=2025).exists()
        assert HouseholdChange.objects.filter(record_type="incomerecord", record_id=income.pk).exists()
    assert IncomeRecord.objects.get(household=first, year=2026).resident_members == 4
    # What the file does not change stays as registered.
    second.refresh_from_db()
    assert (second.attribute, second.poverty_status) == (
        second_before.attribute,
        second_before.poverty_status,
    )
    assert Member.objects.get(pk=wife.pk).updated_at == wife.updated_at
    assert not StatusChange.objects.filter(household=second).exists()

    again = household_import(user=None, file_name="2026.xlsx", data=_sheet_bytes(rows), income_year=2026)
    assert (again.households_updated, again.households_unchanged) == (0, 2)


def test_an_interrupted_update_leaves_the_register_unchanged(village, monkeypatch):
    household_import(user=None, file_name="a.xlsx", data=_sheet_bytes(_rows()))
    changes = HouseholdChange.objects.count()
    rows = _rows()
    rows[0][10] = "技能劳动力"
    rows[0][14] = "低保贫困户"

    def fail_on_members(objects, field_names, **kwargs):
        if objects and isinstance(objects[0], Member):
            raise RuntimeError("power cut")
        return real_update(objects, field_names, **kwargs)

    real_update = register_writes.update_rows
    monkeypatch.setattr(register_writes, "update_rows", fail_on_members)
    with pytest.raises(RuntimeError):
        household_import(user=None, file_name="b.xlsx", data=_sheet_bytes(rows))
    assert Member.objects.get(id_number=HEAD_ID).labour_skill == "2"
    assert Household.objects.get(household_number="150124001").attribute == "01"
    assert HouseholdChange.objects.count() == changes
    assert not StatusChange.objects.exists()


def test_dry_run_reports_quality_warnings_and_writes_nothing(village):
    rows = _rows()
    rows[2][12] = "否"  # the son is not insured: a data-quality warning, not an error
    report = household_import(user=None, file_name="dry.xlsx", data=_sheet_bytes(rows), dry_run=True)
    assert report.ok
    assert not report.written
    assert report.households_created == 2
    assert any(p.household == "150124001" for p in report.warnings)
    # The warning names the son's own row (line 6: two title rows,
    # the header, the head, the wife, then him), not the household's first.
    uninsured = next(p for p in report.warnings if p.value == rows[2][4])
    assert uninsured.row == 6
    assert Household.objects.count() == 0


def test_an_id_number_registered_in_another_household_is_refused(village):
    other = factories.household(village, "150124999")
    factories.member(other, relation="01", id_number=WIFE_ID, name="李二")
    report = household_import(user=None, file_name="a.xlsx", data=_sheet_bytes(_rows()))
    assert any(p.row == 5 and p.column == "证件号码" and "150124999" in p.reason for p in report.errors), (
        report.errors
    )
    assert Household.objects.count() == 1


def test_an_interrupted_import_leaves_the_register_unchanged(village, monkeypatch):
    real_insert = register_writes.insert_columns

    def fail_on_incomes(model, columns, **kwargs):
        if model is IncomeRecord:
            raise RuntimeError("power cut")
        return real_insert(model, columns, **kwargs)

    monkeypatch.setattr(register_writes, "insert_columns", fail_on_incomes)
    with pytest.raises(RuntimeError):
        household_import(user=None, file_name="a.xlsx", data=_sheet_bytes(_rows()))
    assert Household.objects.count() == 0
    assert Member.objects.count() == 0
    assert HouseholdChange.objects.count() == 0


def test_a_village_cadre_cannot_import_into_another_village(village, other_village, cadre):
    report = household_import(user=cadre, file_name="a.xlsx", data=_sheet_bytes(_rows(other_village.code)))
    assert not report.ok
    assert all("outside" in p.reason for p in report.errors)
    assert Household.objects.count() == 0


def test_gbk_csv_with_a_mapping_and_the_village_from_the_area(village, tmp_path):
    lines = [
        "户号,户主姓名,身份证,关系,性别",
        f"150124001,王大,{HEAD_ID},户主,男",
        f"150124001,李二,{WIFE_ID},配偶,女",
    ]
    path = tmp_path / "local.csv"
    path.write_bytes("\n".join(lines).encode("gbk"))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"户主姓名": "member.name", "身份证": "证件号码", "关系": "与户主关系"}), encoding="utf-8"
    )
    out = io.StringIO()
    call_command(
        "import",
        "households",
        str(path),
        "--area",
        village.code,
        "--mapping",
        str(mapping),
        "--format",
        "json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["ok"]
    assert report["members_created"] == 2
    assert Member.objects.get(id_number=WIFE_ID).household.village_id == village.code


def test_the_command_fails_with_the_row_column_and_reason(village, tmp_path):
    rows = _rows()
    rows[1][5] = "1.50124E+17"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(_sheet_bytes(rows))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import", "households", str(path), stdout=io.StringIO(), stderr=err)
    assert "row 5, 证件号码 = '1.50124E+17'" in err.getvalue()
    assert Household.objects.count() == 0


def test_a_legacy_xls_workbook_imports(village):
    """tests/fixtures/household-members.xls is a BIFF8 workbook (Excel 97-2003) as old
    county offices still send: a merged title row, the household number and village
    on the head's row only, a birth date stored as a date cell, amounts as numbers."""
    data = (Path(__file__).parents[1] / "fixtures" / "household-members.xls").read_bytes()
    report = household_import(user=None, file_name="household-members.xls", data=data)
    assert report.ok, report.errors
    assert (report.header_row, report.households, report.members) == (2, 1, 3)
    household = Household.objects.get(household_number="150124990001")
    assert household.village_id == village.code
    members = {member.name: member for member in household.members.all()}
    assert members["刘一"].birth_date == datetime.date(1968, 4, 12)  # from the ID number
    assert members["刘一"].has_minimum_allowance is True
    assert members["刘一"].migrant_work_months == 6
    assert (members["张二"].birth_date, members["张二"].sex, members["张二"].ethnicity) == (
        datetime.date(1970, 9, 23),
        "2",
        "02",
    )
    assert members["刘三"].id_number == "15012420100101005X"
    assert IncomeRecord.objects.get(household=household).wage_income == Decimal("8000.00")


def _csv(lines: list[str]) -> bytes:
    header = "行政村代码,户编号,行政村,姓名,证件号码,与户主关系\n"
    return (header + "\n".join(lines) + "\n").encode()


def test_a_reimport_is_checked_as_the_household_will_be_after_the_merge(village):
    household_import(user=None, file_name="a.xlsx", data=_sheet_bytes(_rows()))
    registered = Member.objects.filter(household__household_number="150124001").count()
    # The sheet's household matches a registered one and brings another head beside 王大.
    newcomer = factories.id_number(datetime.date(1975, 6, 1), "1")
    report = household_import(
        user=None, file_name="b.csv", data=_csv([f"150124100201,150124001,榆树营村,新户主,{newcomer},户主"])
    )
    assert not report.ok
    assert "would have 2 heads" in report.errors[0].reason
    assert "王大 (registered)" in report.errors[0].value
    assert not Member.objects.filter(id_number=newcomer).exists()
    assert Member.objects.filter(household__household_number="150124001").count() == registered
    # A sheet with only a new child (no head in the file) merges into one head: accepted.
    child = factories.id_number(datetime.date(2020, 6, 1), "2")
    added = household_import(
        user=None, file_name="c.csv", data=_csv([f"150124100201,150124001,榆树营村,小女,{child},之女"])
    )
    assert added.ok, added.errors
    assert Member.objects.get(id_number=child).household.household_number == "150124001"
    # Handing the headship over in the file (old head now spouse, new head named) is one head too.
    handover = household_import(
        user=None,
        file_name="d.csv",
        data=_csv(
            [
                f"150124100201,150124001,榆树营村,王大,{HEAD_ID},配偶",
                f"150124100201,150124001,榆树营村,李二,{WIFE_ID},户主",
            ]
        ),
    )
    assert handover.ok, handover.errors
    assert Member.objects.get(id_number=WIFE_ID).relation_to_head == "01"


def test_a_village_name_that_disagrees_with_its_code_is_a_warning(village):
    child = factories.id_number(datetime.date(2020, 6, 1), "2")
    head = factories.id_number(datetime.date(1980, 6, 1), "1")
    report = household_import(
        user=None,
        file_name="a.csv",
        data=_csv(
            [
                f"150124100201,150124009,杨家营村,张三,{head},户主",
                f"150124100201,150124009,杨家营村,张女,{child},之女",
            ]
        ),
    )
    assert report.ok, report.errors
    warning = next(w for w in report.warnings if "registered as" in w.reason)
    assert "榆树营村" in warning.reason
    assert warning.row == 2
    assert Household.objects.get(household_number="150124009").village_id == "150124100201"


def _commands_with_an_area_option():
    from django.core.management import get_commands, load_command_class

    for name, app in sorted(get_commands().items()):
        if not app.startswith("jingzhun"):
            continue
        parser = load_command_class(app, name).create_parser("jingzhun", name)
        if any("--area" in action.option_strings for action in parser._actions):
            yield name


@pytest.mark.parametrize("command", list(_commands_with_an_area_option()))
def test_every_command_reads_the_area_the_same_way(command, village):
    with pytest.raises(CommandError, match="no area with code 159999"):
        call_command(command, *(["households", "x.csv"] if command == "import" else []), area="159999")
    with pytest.raises(CommandError, match="must have 2, 4, 6, 9 or 12 digits"):
        call_command(command, *(["households", "x.csv"] if command == "import" else []), area="1501241")


def test_the_import_command_takes_a_short_county_code(village, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(_sheet_bytes(_rows()))
    call_command("import", "households", str(path), area="150124", dry_run=True, verbosity=0)
