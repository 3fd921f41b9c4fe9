"""The national household-and-member layout: one row per member, the household's
columns repeated (or merged) over its members' rows.

The headers are the Chinese column names of the national 建档立卡 household and
member forms and of the monitoring-object export. Each column says which record
and field it fills; the first header is the one written by exports, the others
are names found in provincial and county variants of the same sheet.
Roster-only columns (area names, monitoring episode) are written by the export
and recognised on import, but never written to the register from a file: a
monitoring object comes only from the identification procedure.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models

from jingzhun.core.spreadsheets import normalise_header
from jingzhun.registry.display import Sensitivity
from jingzhun.registry.models import Household, IncomeRecord, LivingConditions, Member


class Record(StrEnum):
    HOUSEHOLD = "household"
    MEMBER = "member"
    INCOME = "income"
    CONDITIONS = "conditions"
    # Read for the checks or the village, never written from a file.
    INFO = "info"


@dataclass(frozen=True)
class Column:
    record: Record
    field: str
    headers: tuple[str, ...]
    sensitivity: Sensitivity = Sensitivity.NONE

    @property
    def key(self) -> str:
        return f"{self.record}.{self.field}"

    @property
    def header(self) -> str:
        return self.headers[0]

    def model_field(self) -> models.Field | None:
        model = _MODELS.get(self.record)
        return None if model is None else model._meta.get_field(self.field)  # type: ignore[return-value]


_MODELS: dict[Record, type[models.Model]] = {
    Record.HOUSEHOLD: Household,
    Record.MEMBER: Member,
    Record.INCOME: IncomeRecord,
    Record.CONDITIONS: LivingConditions,
}

H, M, IN, C, X = Record.HOUSEHOLD, Record.MEMBER, Record.INCOME, Record.CONDITIONS, Record.INFO
S = Sensitivity

COLUMNS: tuple[Column, ...] = (
    # Where the household is: names as the national export writes them, the code for matching.
    Column(X, "province_name", ("省(区、市)", "省", "省份")),
    Column(X, "city_name", ("市(地、州)", "市", "地市")),
    Column(X, "county_name", ("县(市、区、旗)", "县", "县(区)", "县区")),
    Column(X, "township_name", ("乡(镇)", "乡镇", "乡(镇、街道)")),
    Column(X, "village_name", ("行政村", "村", "村名称", "行政村名称")),
    Column(H, "village", ("行政村代码", "村代码", "行政区划代码", "村级区划代码")),
    Column(H, "household_number", ("户编号", "户码", "家庭编号", "户号")),
    Column(H, "group_name", ("村民小组", "组", "所在组")),
    Column(H, "address", ("家庭住址", "住址", "详细地址")),
    Column(H, "phone", ("联系电话", "户联系电话", "户主联系电话"), S.PHONE),
    Column(H, "bank_name", ("开户银行名称", "开户银行", "开户行")),
    Column(H, "bank_account", ("银行卡号", "银行账号", "开户账号"), S.ACCOUNT),
    Column(H, "identification_standard", ("识别标准",)),
    Column(H, "attribute", ("贫困户属性", "户属性", "脱贫户属性")),
    Column(H, "main_cause", ("主要致贫原因",)),
    Column(H, "other_causes", ("其他致贫原因", "次要致贫原因")),
    Column(H, "poverty_status", ("脱贫标志", "贫困户状态", "脱贫状态")),
    Column(H, "registered_year", ("识别年度", "建档立卡年度", "纳入年度")),
    Column(H, "lifted_out_year", ("脱贫年度", "计划脱贫年度")),
    Column(X, "household_size", ("家庭人口数", "家庭人口", "户人口数", "人数")),
    # Members.
    Column(M, "name", ("姓名", "成员姓名")),
    Column(M, "id_type", ("证件类型",)),
    Column(M, "id_number", ("证件号码", "身份证号码", "身份证号", "公民身份号码"), S.ID_NUMBER),
    Column(M, "sex", ("性别",)),
    Column(M, "birth_date", ("出生日期",), S.BIRTH_DATE),
    Column(M, "ethnicity", ("民族",)),
    Column(M, "relation_to_head", ("与户主关系",)),
    Column(M, "is_resident", ("是否共同生活", "是否常住", "是否在家居住")),
    Column(M, "political_status", ("政治面貌",)),
    Column(M, "education", ("文化程度",)),
    Column(M, "school_status", ("在校生状况", "在校生情况", "在校状况")),
    Column(M, "dropout_reason", ("未上学原因", "辍学原因", "失学辍学原因")),
    Column(M, "speaks_mandarin", ("是否会讲普通话", "会讲普通话")),
    Column(M, "health", ("健康状况",), S.HEALTH),
    Column(M, "disability_category", ("残疾类别",), S.HEALTH),
    Column(M, "disability_grade", ("残疾等级",), S.HEALTH),
    Column(M, "disability_certificate_year", ("残疾证办证年度", "办证年度"), S.HEALTH),
    Column(M, "labour_skill", ("劳动技能",)),
    Column(M, "migrant_work_months", ("务工时间(月)", "务工月数", "务工时间")),
    Column(M, "migrant_work_place", ("务工区域", "务工地点", "务工所在地")),
    Column(M, "migrant_monthly_income", ("月务工收入", "务工月收入")),
    Column(M, "employer", ("务工企业名称", "务工单位", "就业单位")),
    Column(M, "works_abroad", ("是否在国外务工", "是否境外务工")),
    Column(M, "public_welfare_job", ("公益岗位", "公益性岗位")),
    Column(M, "public_welfare_job_months", ("公益岗位月数", "公益性岗位月数", "公益岗位时间(月)")),
    Column(M, "has_minimum_allowance", ("是否享受低保", "享受低保", "低保")),
    Column(M, "has_extreme_poverty_support", ("是否特困供养", "特困供养", "是否享受特困供养")),
    Column(M, "resident_medical_insurance", ("是否参加城乡居民基本医疗保险", "城乡居民基本医疗保险")),
    Column(M, "employee_medical_insurance", ("是否参加职工基本医疗保险", "职工基本医疗保险")),
    Column(M, "serious_illness_insurance", ("是否参加大病保险", "大病保险")),
    Column(M, "commercial_supplementary_insurance", ("是否参加商业补充医疗保险", "商业补充医疗保险")),
    Column(M, "resident_pension_insurance", ("是否参加城乡居民基本养老保险", "城乡居民基本养老保险")),
    Column(M, "employee_pension_insurance", ("是否参加城镇职工基本养老保险", "职工基本养老保险")),
    Column(M, "medical_assistance_received", ("是否接受医疗救助", "享受医疗救助")),
    Column(M, "phone", ("本人联系电话", "成员联系电话"), S.PHONE),
    # The household's income for one year.
    Column(IN, "year", ("收入年度", "年度")),
    Column(IN, "wage_income", ("工资性收入",)),
    Column(IN, "business_income", ("生产经营性收入",)),
    Column(IN, "property_income", ("财产性收入",)),
    Column(IN, "family_planning_subsidy", ("计划生育金",)),
    Column(IN, "minimum_allowance_income", ("低保金",)),
    Column(IN, "ecological_compensation", ("生态补偿金", "生态补偿")),
    Column(IN, "extreme_poverty_support_income", ("特困供养金", "五保金")),
    Column(IN, "pension_income", ("养老金", "养老保险金")),
    Column(IN, "other_transfer_income", ("其他转移性收入",)),
    Column(IN, "production_costs", ("生产经营性支出",)),
    Column(X, "per_capita_net_income", ("人均纯收入", "家庭人均纯收入")),
    # Production and living conditions.
    Column(C, "cultivated_land_mu", ("耕地面积(亩)", "耕地面积")),
    Column(C, "irrigated_land_mu", ("有效灌溉面积(亩)", "有效灌溉面积")),
    Column(C, "forest_land_mu", ("林地面积(亩)", "林地面积")),
    Column(C, "returned_forest_mu", ("退耕还林面积(亩)", "退耕还林面积")),
    Column(C, "orchard_mu", ("林果面积(亩)", "林果面积")),
    Column(C, "pasture_mu", ("牧草地面积(亩)", "牧草地面积")),
    Column(C, "water_surface_mu", ("水面面积(亩)", "水面面积")),
    Column(C, "has_production_power", ("是否通生产用电",)),
    Column(C, "has_living_power", ("是否通生活用电",)),
    Column(C, "drinking_water_difficulty", ("饮水是否困难", "是否饮水困难")),
    Column(C, "water_source", ("饮用水源", "饮水水源")),
    Column(C, "water_quantity_ok", ("水量是否达标",)),
    Column(C, "water_quality_ok", ("水质是否达标",)),
    Column(C, "water_convenience_ok", ("用水方便程度是否达标", "取水是否方便")),
    Column(C, "water_reliability_ok", ("供水保证率是否达标",)),
    Column(C, "distance_to_main_road_km", ("与村主干路距离(公里)", "距村主干路距离(公里)")),
    Column(C, "road_type", ("入户路类型",)),
    Column(C, "housing_area_m2", ("住房面积(平方米)", "住房面积")),
    Column(C, "housing_structure", ("住房结构",)),
    Column(C, "housing_year_built", ("建房年度", "建房年份")),
    Column(C, "house_grade", ("危房等级", "住房安全等级")),
    Column(C, "toilet_type", ("厕所类型", "卫生厕所")),
    Column(C, "fuel_type", ("主要燃料类型", "主要燃料")),
    Column(C, "in_cooperative", ("是否加入农民专业合作社", "是否加入合作社")),
    Column(C, "relocation_mode", ("易地扶贫搬迁方式", "搬迁方式")),
    # The current monitoring episode (roster export; set by the identification procedure).
    Column(X, "monitoring_category", ("监测对象类别",)),
    Column(X, "identified_on", ("识别监测时间", "纳入监测时间")),
    Column(X, "risk_types", ("风险类型", "致贫返贫风险")),
    Column(X, "risk_eliminated", ("风险是否已消除", "是否消除风险")),
    Column(X, "eliminated_on", ("风险消除时间",)),
    Column(X, "elimination_mode", ("风险消除方式",)),
)

BY_KEY: dict[str, Column] = {column.key: column for column in COLUMNS}


def header_index(mapping: dict[str, str] | None = None) -> dict[str, Column]:
    """Normalised header → column, with a local layout's renamed headers
    (``mapping``: header in the file → column key such as ``member.id_number``
    or a national header such as ``证件号码``)."""
    index = {normalise_header(header): column for column in COLUMNS for header in column.headers}
    for source, target in (mapping or {}).items():
        column = BY_KEY.get(target) or index.get(normalise_header(target))
        if column is None:
            raise KeyError(target)
        index[normalise_header(source)] = column
    return index


# The roster in the national monitoring-object export layout: one row per member.
ROSTER_COLUMNS: tuple[Column, ...] = tuple(
    BY_KEY[key]
    for key in (
        "info.province_name",
        "info.city_name",
        "info.county_name",
        "info.township_name",
        "info.village_name",
        "household.village",
        "household.household_number",
        "household.group_name",
        "member.name",
        "member.id_type",
        "member.id_number",
        "info.household_size",
        "member.relation_to_head",
        "member.sex",
        "member.birth_date",
        "member.ethnicity",
        "member.political_status",
        "member.education",
        "member.school_status",
        "member.health",
        "member.labour_skill",
        "member.migrant_work_months",
        "member.migrant_work_place",
        "member.resident_medical_insurance",
        "member.employee_medical_insurance",
        "member.serious_illness_insurance",
        "member.has_minimum_allowance",
        "member.has_extreme_poverty_support",
        "household.attribute",
        "household.poverty_status",
        "info.monitoring_category",
        "info.identified_on",
        "info.risk_types",
        "info.risk_eliminated",
        "info.eliminated_on",
        "info.elimination_mode",
        "info.per_capita_net_income",
        "household.phone",
    )
)
