"""What each department dataset looks like: its columns, their Chinese headers,
how each value is parsed and which column of DepartmentRecord receives it.

Adding a dataset is adding a schema here (and its kinds in choices.KINDS).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jingzhun.core.spreadsheets import clean_text, normalise_header, parse_bool, parse_date, parse_decimal
from jingzhun.departments.choices import DatasetType


@dataclass(frozen=True)
class Column:
    field: str  # attribute of DepartmentRecord, or "flags.<name>" for a water criterion
    headers: tuple[str, ...]  # accepted header texts (normalised when compared)
    parse: Callable[[object], Any]
    required: bool = False


def _text(value: object) -> str:
    return clean_text(value)


ID = Column("id_number", ("身份证号", "身份证号码", "证件号码", "公民身份号码", "id_number"), _text)
VILLAGE = Column("village_code", ("村代码", "行政区划代码", "区划代码", "village_code"), _text)


@dataclass(frozen=True)
class DatasetSchema:
    dataset_type: DatasetType
    columns: tuple[Column, ...]
    # Household- or area-level data may name a village instead of a person.
    area_level_allowed: bool = False
    # The kind when the file has no kind column (e.g. every housing row is an appraisal).
    default_kind: str = ""

    def header_map(self) -> dict[str, Column]:
        return {normalise_header(header): column for column in self.columns for header in column.headers}


SCHEMAS: dict[str, DatasetSchema] = {
    schema.dataset_type: schema
    for schema in (
        DatasetSchema(
            DatasetType.MEDICAL,
            (
                ID,
                Column("event_date", ("结算日期", "就诊日期", "settled_on"), parse_date, required=True),
                Column("kind", ("就诊类型", "住院门诊", "visit_type"), _text, required=True),
                Column("amount_total", ("医疗总费用", "总费用", "total_cost"), parse_decimal, required=True),
                Column("amount_fund", ("基金支付", "统筹支付", "fund_paid"), parse_decimal),
                Column(
                    "amount_out_of_pocket",
                    ("政策范围内自付", "合规自付", "个人自付", "eligible_out_of_pocket"),
                    parse_decimal,
                    required=True,
                ),
            ),
        ),
        DatasetSchema(
            DatasetType.EDUCATION,
            (
                ID,
                Column("text", ("学校", "学校名称", "school"), _text),
                Column("category", ("年级", "grade"), _text),
                Column("kind", ("在校状态", "就学状态", "status"), _text, required=True),
                Column("event_date", ("日期", "学期开始", "date"), parse_date, required=True),
                Column("amount", ("资助金额", "aid"), parse_decimal),
                Column(
                    "amount_out_of_pocket", ("资助后费用", "资助后教育支出", "cost_after_aid"), parse_decimal
                ),
            ),
        ),
        DatasetSchema(
            DatasetType.CIVIL_AFFAIRS,
            (
                ID,
                Column("kind", ("救助类型", "assistance_type"), _text, required=True),
                Column("event_date", ("开始日期", "start_date"), parse_date, required=True),
                Column("end_date", ("结束日期", "end_date"), parse_date),
                Column("amount", ("金额", "救助金额", "amount"), parse_decimal),
            ),
        ),
        DatasetSchema(
            DatasetType.DISABILITY,
            (
                ID,
                Column("category", ("残疾类别", "category"), _text, required=True),
                Column("grade", ("残疾等级", "grade"), _text, required=True),
                Column("kind", ("补贴类型", "subsidy_type"), _text, required=True),
                Column("amount", ("补贴金额", "subsidy"), parse_decimal),
                Column("event_date", ("发证日期", "日期", "date"), parse_date, required=True),
            ),
            default_kind="none",
        ),
        DatasetSchema(
            DatasetType.HOUSING,
            (
                ID,
                Column("grade", ("鉴定等级", "危房等级", "grade"), _text, required=True),
                Column("event_date", ("鉴定日期", "date"), parse_date, required=True),
            ),
            default_kind="appraisal",
        ),
        DatasetSchema(
            DatasetType.WATER,
            (
                ID,
                VILLAGE,
                Column("flags.quantity_ok", ("水量达标", "quantity_ok"), parse_bool, required=True),
                Column("flags.quality_ok", ("水质达标", "quality_ok"), parse_bool, required=True),
                Column("flags.convenience_ok", ("用水方便", "convenience_ok"), parse_bool, required=True),
                Column(
                    "flags.reliability_ok", ("供水保证率达标", "reliability_ok"), parse_bool, required=True
                ),
                Column("event_date", ("核查日期", "date"), parse_date, required=True),
            ),
            area_level_allowed=True,
            default_kind="inspection",
        ),
        DatasetSchema(
            DatasetType.HUMAN_RESOURCES,
            (
                ID,
                Column("kind", ("事项", "类型", "event"), _text, required=True),
                Column("event_date", ("日期", "date"), parse_date, required=True),
                Column("text", ("地点", "务工地点", "place"), _text),
            ),
        ),
        DatasetSchema(
            DatasetType.PUBLIC_SECURITY,
            (
                ID,
                Column("kind", ("事项", "类型", "event"), _text, required=True),
                Column("event_date", ("日期", "date"), parse_date, required=True),
            ),
        ),
        DatasetSchema(
            DatasetType.DISASTER,
            (
                ID,
                VILLAGE,
                Column("kind", ("灾害类型", "disaster_type"), _text, required=True),
                Column("event_date", ("受灾日期", "date"), parse_date, required=True),
                Column("amount", ("损失金额", "直接经济损失", "loss"), parse_decimal, required=True),
            ),
            area_level_allowed=True,
        ),
        DatasetSchema(
            DatasetType.EXCLUSION,
            (
                ID,
                Column("kind", ("比对类型", "类型", "kind"), _text, required=True),
                Column("text", ("说明", "车牌号/房产/企业", "description"), _text),
                Column("amount", ("价值", "value"), parse_decimal),
                Column("event_date", ("登记日期", "date"), parse_date, required=True),
            ),
        ),
    )
}
