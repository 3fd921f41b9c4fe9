from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    REVEAL = "reveal", _("Sensitive data shown")


# Names of the code lists (codelists.CodeList.key) the register's fields draw from.
class CodeListKey:
    CAUSE_OF_POVERTY = "cause_of_poverty"
    HOUSEHOLD_ATTRIBUTE = "household_attribute"
    POVERTY_STATUS = "poverty_status"
    IDENTIFICATION_STANDARD = "identification_standard"
    MONITORING_CATEGORY = "monitoring_category"
    MONITORING_HOUSEHOLD_TYPE = "monitoring_household_type"
    RISK_TYPE = "risk_type"
    DISASTER_SUBTYPE = "disaster_subtype"
    ELIMINATION_MODE = "elimination_mode"
    ID_TYPE = "id_type"
    SEX = "sex"
    ETHNICITY = "ethnicity"
    RELATION_TO_HEAD = "relation_to_head"
    EDUCATION = "education"
    SCHOOL_STATUS = "school_status"
    LABOUR_SKILL = "labour_skill"
    HEALTH = "health"
    DISABILITY_CATEGORY = "disability_category"
    DISABILITY_GRADE = "disability_grade"
    POLITICAL_STATUS = "political_status"
    MIGRANT_WORK_PLACE = "migrant_work_place"
    PUBLIC_WELFARE_JOB = "public_welfare_job"
    HOUSING_STRUCTURE = "housing_structure"
    HOUSE_GRADE = "house_grade"
    WATER_SOURCE = "water_source"
    TOILET_TYPE = "toilet_type"
    FUEL_TYPE = "fuel_type"
    ROAD_TYPE = "road_type"
    RELOCATION_MODE = "relocation_mode"
    ASSISTANCE_MEASURE = "assistance_measure"


# Codes with a fixed meaning in the national lists that the code relies on.
RESIDENT_ID_TYPE = "1"
DISABILITY_CERTIFICATE_ID_TYPE = "2"
HEAD_RELATION = "01"
SPOUSE_RELATION = "02"
NOT_IN_SCHOOL = "00"
HEALTHY = "1"
SERIOUS_ILLNESS = "3"
DISABLED = "4"
# 已脱贫（享受政策）: the status a household takes when it exits poverty.
LIFTED_OUT_STATUS = "2"
# Poverty statuses counted as lifted out (2, 4) and as not (1 未脱贫, 3 返贫) in summaries.
LIFTED_OUT_STATUSES = ("2", "4")
NOT_LIFTED_OUT_STATUSES = ("1", "3")
