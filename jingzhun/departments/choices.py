from django.db import models
from django.utils.translation import gettext_lazy as _


class DatasetType(models.TextChoices):
    """The departments' datasets (行业部门数据) the early warning reads."""

    MEDICAL = "medical", _("Medical insurance settlements")
    EDUCATION = "education", _("Education enrolment and aid")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs assistance")
    DISABILITY = "disability", _("Disability registry")
    HOUSING = "housing", _("Housing safety appraisals")
    WATER = "water", _("Water supply")
    HUMAN_RESOURCES = "human_resources", _("Human resources")
    PUBLIC_SECURITY = "public_security", _("Public security")
    DISASTER = "disaster", _("Disaster reports")
    EXCLUSION = "exclusion", _("Exclusion data for identification checks")


class MatchStatus(models.TextChoices):
    MATCHED = "matched", _("Matched to a member")
    NOT_IN_REGISTER = "not_in_register", _("Not in the register")
    INVALID_ID = "invalid_id", _("Invalid ID number")
    AREA = "area", _("Area-level record")


# The values of ``DepartmentRecord.kind`` each dataset accepts (label zh, en).
KINDS: dict[str, dict[str, tuple[str, str]]] = {
    DatasetType.MEDICAL: {"inpatient": ("住院", "Inpatient"), "outpatient": ("门诊", "Outpatient")},
    DatasetType.EDUCATION: {"enrolled": ("在校", "Enrolled"), "not_enrolled": ("未在校", "Not enrolled")},
    DatasetType.CIVIL_AFFAIRS: {
        "minimum_allowance": ("低保", "Minimum living allowance"),
        "extreme_poverty": ("特困供养", "Extreme-poverty support"),
        "temporary": ("临时救助", "Temporary assistance"),
    },
    DatasetType.DISABILITY: {
        "living": ("困难残疾人生活补贴", "Living subsidy"),
        "nursing": ("重度残疾人护理补贴", "Nursing subsidy"),
        "none": ("未享受补贴", "No subsidy"),
    },
    DatasetType.HOUSING: {"appraisal": ("鉴定", "Appraisal")},
    DatasetType.WATER: {"inspection": ("核查", "Inspection")},
    DatasetType.HUMAN_RESOURCES: {
        "migrant_start": ("外出务工", "Migrant work started"),
        "migrant_end": ("返乡", "Returned from migrant work"),
        "unemployed": ("失业登记", "Registered unemployed"),
    },
    DatasetType.PUBLIC_SECURITY: {
        "death": ("死亡", "Death"),
        "moved_out": ("户籍迁出", "Registration moved out"),
        "moved_in": ("户籍迁入", "Registration moved in"),
    },
    DatasetType.DISASTER: {
        "flood": ("洪涝", "Flood"),
        "drought": ("干旱", "Drought"),
        "hail": ("风雹", "Hail"),
        "earthquake": ("地震", "Earthquake"),
        "geological": ("地质灾害", "Geological hazard"),
        "snow": ("低温冷冻和雪灾", "Cold and snow"),
        "other": ("其他", "Other"),
    },
    DatasetType.EXCLUSION: {
        "vehicle": ("车辆", "Vehicle"),
        "commercial_housing": ("商品房", "Commercial housing"),
        "business": ("工商注册", "Business registration"),
        "public_payroll": ("财政供养", "Public payroll"),
    },
}
