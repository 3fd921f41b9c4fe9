"""The project library and the asset ledger as spreadsheets: one table of Chinese-headed
columns per sheet, written by the export and read back by the import, so that an
exported sheet re-imports unchanged and a changed one updates what changed.

An import is all or nothing: every row is parsed and written through the services (the
same checks as the pages) inside one transaction; one refused row and nothing is kept,
and the report names each row, column and reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.assets import services as asset_services
from jingzhun.assets.models import Asset
from jingzhun.assets.services import RIGHTS_FIELDS
from jingzhun.codelists.fields import CodeField
from jingzhun.codelists.selectors import code_label
from jingzhun.core.money import ZERO
from jingzhun.core.spreadsheets import CellError, FileFormatError, clean_text, normalise_header, read_sheet
from jingzhun.exports.services import ExportColumn
from jingzhun.imports.converters import field_converter
from jingzhun.oversight.models import Questionnaire, SamplingPlan
from jingzhun.oversight.selectors import sample_of
from jingzhun.oversight.services import questionnaire_save
from jingzhun.projects import services as project_services
from jingzhun.projects.choices import FundLevel
from jingzhun.projects.models import Project

Converter = Callable[[object], Any]


@dataclass(frozen=True)
class LedgerColumn:
    header: str
    name: str
    # The model field whose converter reads the cell; None: written only (read back as nothing).
    field: models.Field | None
    value: Callable[[Any], Any]
    required: bool = False
    width: int = 14


@dataclass
class RowProblem:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class LedgerImport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Refused(Exception):
    """Rolls the transaction back once every row has been tried."""


def _f(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)  # type: ignore[return-value]


def _number_pk(number: str, prefix: str) -> int | None:
    """The key inside a number of the form XM/ZC + year + county + sequence."""
    text = clean_text(number).upper()
    if not text:
        return None
    if not text.startswith(prefix) or len(text) < 13 or not text[12:].isdigit():
        raise CellError(_("“%(value)s” is not a number of this ledger.") % {"value": text})
    return int(text[12:])


def _codes_text(codes: Iterable[str], code_list: str, province: str) -> str:
    return "、".join(code_label(code_list, code, province=province) for code in codes)


def _budget_of(project: Project, level: str) -> Decimal | None:
    total = sum((line.amount for line in project.budget_lines.all() if line.level == level), ZERO)
    return total or None


def _budget_column(level: str) -> Callable[[Project], Decimal | None]:
    return lambda project: _budget_of(project, level)


P = Project
PROJECT_COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("项目编号", "number", None, lambda p: p.number, width=22),
    LedgerColumn("项目名称", "name", _f(P, "name"), lambda p: p.name, True, 28),
    LedgerColumn("入库年度", "year", _f(P, "year"), lambda p: p.year, True, 10),
    LedgerColumn(
        "项目类别",
        "category",
        _f(P, "category"),
        lambda p: code_label("project_category", p.category, province=p.area_id[:2]),
        True,
    ),
    LedgerColumn(
        "建设性质",
        "construction_type",
        _f(P, "construction_type"),
        lambda p: code_label("construction_type", p.construction_type, province=p.area_id[:2]),
        True,
        10,
    ),
    LedgerColumn("实施村代码", "village", None, lambda p: p.area_id, True, 16),
    LedgerColumn(
        "覆盖其他村代码", "villages", None, lambda p: "、".join(v.code for v in p.villages.all()), width=20
    ),
    LedgerColumn(
        "实施单位", "responsible_unit", _f(P, "responsible_unit"), lambda p: p.responsible_unit, True, 20
    ),
    LedgerColumn("建设内容及规模", "content", _f(P, "content"), lambda p: p.content, True, 36),
    LedgerColumn(
        "计划开工日期", "planned_start", _f(P, "planned_start"), lambda p: p.planned_start, True, 12
    ),
    LedgerColumn("计划完工日期", "planned_end", _f(P, "planned_end"), lambda p: p.planned_end, True, 12),
    LedgerColumn(
        "联农带农机制",
        "benefit_mechanisms",
        _f(P, "benefit_mechanisms"),
        lambda p: _codes_text(p.benefit_mechanisms, "benefit_mechanism", p.area_id[:2]),
        True,
        24,
    ),
    LedgerColumn("带动方式说明", "benefit_note", _f(P, "benefit_note"), lambda p: p.benefit_note, width=28),
    LedgerColumn(
        "受益户数",
        "households_planned",
        _f(P, "households_planned"),
        lambda p: p.households_planned,
        width=10,
    ),
    LedgerColumn("受益人数", "people_planned", _f(P, "people_planned"), lambda p: p.people_planned, width=10),
    *(
        LedgerColumn(header, f"budget_{level}", _f(Asset, "value"), _budget_column(level))
        for header, level in (
            ("中央资金(元)", FundLevel.CENTRAL),
            ("省级资金(元)", FundLevel.PROVINCIAL),
            ("市级资金(元)", FundLevel.CITY),
            ("县级资金(元)", FundLevel.COUNTY),
        )
    ),
    LedgerColumn("项目状态", "state", None, lambda p: p.get_state_display(), width=16),
)

A = Asset
ASSET_COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("资产编号", "number", None, lambda a: a.number, width=22),
    LedgerColumn("资产名称", "name", _f(A, "name"), lambda a: a.name, True, 24),
    LedgerColumn(
        "资产类别", "asset_type", _f(A, "asset_type"), lambda a: a.get_asset_type_display(), True, 12
    ),
    LedgerColumn("乡镇", "township_name", None, lambda a: a.village.parent.name if a.village.parent else ""),
    LedgerColumn("行政村", "village_name", None, lambda a: a.village.name),
    LedgerColumn("行政村代码", "village", None, lambda a: a.village_id, True, 16),
    LedgerColumn("坐落位置", "location", _f(A, "location"), lambda a: a.location, width=18),
    LedgerColumn("形成资产的项目编号", "project", None, lambda a: a.project.number, True, 22),
    LedgerColumn("形成资产的项目", "project_name", None, lambda a: a.project.name, width=24),
    LedgerColumn("形成年度", "year_formed", _f(A, "year_formed"), lambda a: a.year_formed, True, 10),
    LedgerColumn("数量", "quantity", _f(A, "quantity"), lambda a: a.quantity, True, 10),
    LedgerColumn("单位", "unit", _f(A, "unit"), lambda a: a.unit, True, 8),
    LedgerColumn("资产价值(元)", "value", _f(A, "value"), lambda a: a.value, True),
    LedgerColumn(
        "所有权人类型", "owner_kind", _f(A, "owner_kind"), lambda a: a.get_owner_kind_display(), True
    ),
    LedgerColumn("所有权人名称", "owner_name", _f(A, "owner_name"), lambda a: a.owner_name, True, 20),
    LedgerColumn("经营主体", "operator", _f(A, "operator"), lambda a: a.operator, width=20),
    LedgerColumn("经营合同编号", "contract_number", _f(A, "contract_number"), lambda a: a.contract_number),
    LedgerColumn(
        "合同起始日期", "contract_start", _f(A, "contract_start"), lambda a: a.contract_start, width=12
    ),
    LedgerColumn("合同截止日期", "contract_end", _f(A, "contract_end"), lambda a: a.contract_end, width=12),
    LedgerColumn("收益分配方案", "income_rule", _f(A, "income_rule"), lambda a: a.income_rule, width=30),
    LedgerColumn("监管单位", "supervisor", _f(A, "supervisor"), lambda a: a.supervisor, width=16),
    LedgerColumn("管护责任人", "custodian", _f(A, "custodian"), lambda a: a.custodian, width=16),
    LedgerColumn("累计收益(元)", "income_total", None, lambda a: getattr(a, "income_total", None)),
    LedgerColumn("已分配(元)", "distributed_total", None, lambda a: getattr(a, "distributed_total", None)),
    LedgerColumn("资产状态", "state", None, lambda a: a.get_state_display(), width=10),
    LedgerColumn("处置日期", "disposed_on", None, lambda a: a.disposed_on, width=12),
)


def export_columns(columns: tuple[LedgerColumn, ...]) -> list[ExportColumn]:
    """The sheet's columns for ``exports.export_list`` (which records who exported what)."""
    return [ExportColumn(c.header, c.value, width=c.width) for c in columns]


def _read(
    file_name: str, data: bytes, columns: tuple[LedgerColumn, ...], *, province: str, report: LedgerImport
) -> list[tuple[int, dict[str, Any]]]:
    """Every row as {name: value}; problems of any cell go to the report."""
    by_header = {normalise_header(c.header): c for c in columns}
    try:
        sheet = read_sheet(Path(file_name), data, known_headers=set(by_header), minimum_matches=3)
    except (FileFormatError, CellError) as error:
        report.problems.append(RowProblem(0, "", "", str(error)))
        return []
    found = {index: by_header[h] for index, h in enumerate(sheet.headers) if h in by_header}
    missing = [c.header for c in columns if c.required and c not in found.values()]
    for header in missing:
        report.problems.append(RowProblem(sheet.header_row, header, "", _("This column is missing.")))
    if missing:
        return []
    year = datetime.date.today().year
    converters: dict[str, Converter] = {c.name: _converter(c, year=year, province=province) for c in columns}
    rows = []
    for offset, cells in enumerate(sheet.rows):
        line = sheet.header_row + 1 + offset
        if all(clean_text(cell) == "" for cell in cells):
            continue
        values: dict[str, Any] = {}
        for index, column in found.items():
            raw = cells[index] if index < len(cells) else None
            try:
                value = converters[column.name](raw)
            except (CellError, ValidationError) as error:
                reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                report.problems.append(RowProblem(line, column.header, clean_text(raw), reason))
                continue
            if column.required and (value is None or value == "" or value == []):
                report.problems.append(RowProblem(line, column.header, "", _("This column is required.")))
                continue
            values[column.name] = value
        rows.append((line, values))
    return rows


def _free_text(raw: object) -> str:
    """Names and descriptions as written: full-width punctuation (，。) is part of Chinese text."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def _converter(column: LedgerColumn, *, year: int, province: str) -> Converter:
    model_field = column.field
    if model_field is None:
        return clean_text
    if (
        isinstance(model_field, models.CharField | models.TextField)
        and not isinstance(model_field, CodeField)
        and not model_field.choices
    ):
        return _free_text
    return field_converter(model_field, year=year, province=province)


def _problems_of(error: ValidationError, line: int, columns: tuple[LedgerColumn, ...]) -> list[RowProblem]:
    headers = {c.name: c.header for c in columns}
    if hasattr(error, "error_dict"):
        return [
            RowProblem(line, headers.get(name, name if name != "__all__" else ""), "", " ".join(messages))
            for name, messages in error.message_dict.items()
        ]
    return [RowProblem(line, "", "", " ".join(error.messages))]


# --- the project library ---------------------------------------------------------------


def project_library_import(*, user: User, file_name: str, data: bytes) -> LedgerImport:
    """A village's proposals from a sheet: new rows are entered as drafts, rows with a
    project number update that draft (only what changed)."""
    report = LedgerImport()
    province = user.area.code[:2] if user.area else ""
    rows = _read(file_name, data, PROJECT_COLUMNS, province=province, report=report)
    if report.problems:
        return report
    try:
        with transaction.atomic():
            for line, values in rows:
                try:
                    _write_project(user, line, values, report)
                except (ValidationError, PermissionDenied) as error:
                    if isinstance(error, PermissionDenied):
                        report.problems.append(RowProblem(line, "", "", str(error)))
                    else:
                        report.problems.extend(_problems_of(error, line, PROJECT_COLUMNS))
            if report.problems:
                raise _Refused
    except _Refused:
        report.created = report.updated = report.unchanged = 0
    return report


def _project_fields(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: values[name]
        for name in project_services.PROJECT_FIELDS
        if name in values and values[name] is not None
    }


def _budget(values: dict[str, Any]) -> list[project_services.BudgetInput]:
    return [
        project_services.BudgetInput(level, "01", values[f"budget_{level}"])
        for level in FundLevel
        if values.get(f"budget_{level}")
    ]


def _write_project(user: User, line: int, values: dict[str, Any], report: LedgerImport) -> None:
    if user.area is None or values.get("village") != user.area.code:
        report.problems.append(
            RowProblem(
                line, "实施村代码", str(values.get("village", "")), _("Only your own village's projects.")
            )
        )
        return
    others = [code for code in clean_text(values.get("villages", "")).replace(",", "、").split("、") if code]
    pk = _number_pk(values.get("number", ""), "XM")
    if pk is None:
        project_services.project_create(
            user=user, budget=_budget(values), villages=others, **_project_fields(values)
        )
        report.created += 1
        return
    project = Project.objects.filter(pk=pk, area_id=user.area.code).first()
    if project is None:
        report.problems.append(
            RowProblem(line, "项目编号", values["number"], _("No such project of your village."))
        )
        return
    fields = {
        name: value for name, value in _project_fields(values).items() if getattr(project, name) != value
    }
    budget = _budget(values)
    current = sorted((line_.level, line_.fund_type, line_.amount) for line_ in project.budget_lines.all())
    wanted = sorted((b.level, b.fund_type, b.amount) for b in budget)
    same_villages = sorted(others) == sorted(project.villages.values_list("code", flat=True))
    if not fields and current == wanted and same_villages:
        report.unchanged += 1
        return
    project_services.project_update(
        user=user,
        project=project,
        budget=None if current == wanted else budget,
        villages=None if same_villages else others,
        **fields,
    )
    report.updated += 1


# --- the asset ledger -------------------------------------------------------------------


def asset_ledger_import(*, user: User, file_name: str, data: bytes) -> LedgerImport:
    """Assets of accepted projects from a sheet (registered by the county); rows with an
    asset number update its rights, operation and upkeep."""
    report = LedgerImport()
    province = user.area.code[:2] if user.area else ""
    rows = _read(file_name, data, ASSET_COLUMNS, province=province, report=report)
    if report.problems:
        return report
    try:
        with transaction.atomic():
            for line, values in rows:
                try:
                    _write_asset(user, line, values, report)
                except PermissionDenied as error:
                    report.problems.append(RowProblem(line, "", "", str(error)))
                except ValidationError as error:
                    report.problems.extend(_problems_of(error, line, ASSET_COLUMNS))
            if report.problems:
                raise _Refused
    except _Refused:
        report.created = report.updated = report.unchanged = 0
    return report


def _write_asset(user: User, line: int, values: dict[str, Any], report: LedgerImport) -> None:
    pk = _number_pk(values.get("number", ""), "ZC")
    rights = {name: values[name] for name in RIGHTS_FIELDS if name in values and values[name] is not None}
    if pk is not None:
        asset = Asset.objects.filter(pk=pk).first()
        if asset is None or user.area is None or not user.area.contains(asset.village_id):
            report.problems.append(
                RowProblem(line, "资产编号", values["number"], _("No such asset in your area."))
            )
            return
        changed = {name: value for name, value in rights.items() if getattr(asset, name) != value}
        if not changed:
            report.unchanged += 1
            return
        asset_services.asset_rights_save(user=user, asset=asset, **changed)
        report.updated += 1
        return
    project_pk = _number_pk(values["project"], "XM")
    project = Project.objects.filter(pk=project_pk or 0).first()
    if project is None:
        report.problems.append(
            RowProblem(line, "形成资产的项目编号", values["project"], _("No such project."))
        )
        return
    registered = {
        name: values[name]
        for name in (
            "name",
            "asset_type",
            "quantity",
            "unit",
            "value",
            "year_formed",
            "owner_kind",
            "owner_name",
        )
    }
    asset_services.asset_register(
        user=user, project=project, village_code=values["village"], **registered, **rights
    )
    report.created += 1


# --- evaluation questionnaires, for teams working on paper --------------------------------


def _answer(name: str) -> Callable[[Any], Any]:
    def value(sampled: Any) -> Any:
        questionnaire = getattr(sampled, "questionnaire", None)
        if questionnaire is None:
            return None
        answer = getattr(questionnaire, name)
        if isinstance(answer, bool):
            return "是" if answer else "否"
        if name == "verdict":
            return questionnaire.get_verdict_display()
        return answer

    return value


Q_ = Questionnaire
QUESTIONNAIRE_COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("样本编号", "sampled", None, lambda s: s.pk, True, 10),
    LedgerColumn("行政村", "village_name", None, lambda s: s.village.name),
    LedgerColumn("户编号", "household_number", None, lambda s: s.household.household_number, width=20),
    LedgerColumn("户主", "head_name", None, lambda s: getattr(s, "head_name", "") or ""),
    LedgerColumn("样本层", "stratum", None, lambda s: s.get_stratum_display(), width=18),
    LedgerColumn("访谈日期", "interviewed_on", _f(Q_, "interviewed_on"), _answer("interviewed_on"), True, 12),
    LedgerColumn(
        "共同生活人数", "resident_members", _f(Q_, "resident_members"), _answer("resident_members"), True, 10
    ),
    *(
        LedgerColumn(header, name, _f(Q_, name), _answer(name))
        for header, name in (
            ("工资性收入(元)", "wage_income"),
            ("生产经营性收入(元)", "business_income"),
            ("财产性收入(元)", "property_income"),
            ("转移性收入(元)", "transfer_income"),
            ("生产经营性支出(元)", "production_costs"),
        )
    ),
    *(
        LedgerColumn(header, name, _f(Q_, name), _answer(name), width=10)
        for header, name in (
            ("不愁吃穿", "food_and_clothing"),
            ("义务教育有保障", "schooling"),
            ("基本医疗有保障", "medical"),
            ("住房安全有保障", "housing"),
            ("饮水安全有保障", "water"),
            ("认可帮扶工作", "satisfied"),
        )
    ),
    LedgerColumn("评估结论", "verdict", _f(Q_, "verdict"), _answer("verdict"), True, 12),
    LedgerColumn("备注", "note", _f(Q_, "note"), _answer("note"), width=30),
)

ANSWER_FIELDS = (
    "resident_members",
    "wage_income",
    "business_income",
    "property_income",
    "transfer_income",
    "production_costs",
    "food_and_clothing",
    "schooling",
    "medical",
    "housing",
    "water",
    "satisfied",
    "verdict",
    "note",
)


def questionnaire_import(*, user: User, plan: SamplingPlan, file_name: str, data: bytes) -> LedgerImport:
    """The questionnaires of a plan from the sheet its evaluator filled in on paper: rows of
    households assigned to this evaluator only, all or nothing."""
    report = LedgerImport()
    rows = _read(file_name, data, QUESTIONNAIRE_COLUMNS, province=plan.area.code[:2], report=report)
    if report.problems:
        return report
    mine = {s.pk: s for s in sample_of(user=user, plan=plan).filter(evaluator=user)}
    try:
        with transaction.atomic():
            for line, values in rows:
                key = clean_text(values.get("sampled", ""))
                sampled = mine.get(int(key)) if key.isdigit() else None
                if sampled is None:
                    report.problems.append(
                        RowProblem(line, "样本编号", key, _("Not a household assigned to you."))
                    )
                    continue
                answers = {
                    name: values[name]
                    for name in ANSWER_FIELDS
                    if name in values and values[name] is not None
                }
                try:
                    questionnaire_save(
                        user=user, sampled=sampled, interviewed_on=values["interviewed_on"], **answers
                    )
                except ValidationError as error:
                    report.problems.extend(_problems_of(error, line, QUESTIONNAIRE_COLUMNS))
                except PermissionDenied as error:
                    report.problems.append(RowProblem(line, "", "", str(error)))
                else:
                    report.updated += 1
            if report.problems:
                raise _Refused
    except _Refused:
        report.updated = 0
    return report
