"""The register (建档立卡): households, members, yearly incomes, living conditions.

Fields follow domain.md §3. Coded fields (CodeField, CodeListField) store
codes of a code list of the codelists app and are validated against it by the
services.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import ExtractDay, ExtractMonth
from django.utils.translation import gettext_lazy as _

from jingzhun.codelists.fields import CodeField, CodeListField
from jingzhun.core.audit import AuditEntry
from jingzhun.core.crypto import BlindIndexField, DerivedBooleanField, EncryptedCharField
from jingzhun.registry.choices import ChangeAction
from jingzhun.registry.conditions import SAFE_WATER, ConditionTerms
from jingzhun.registry.idnumbers import ID_NUMBER_PURPOSE, ID_TAIL_LENGTH, ID_TAIL_PURPOSE


def money(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    options: dict = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0")}
    options.update(kwargs)
    return models.DecimalField(verbose_name, validators=[MinValueValidator(Decimal("0"))], **options)


def area_mu(verbose_name: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )


class Household(models.Model):
    """A registered rural household (户), identified by its household number."""

    household_number = models.CharField(_("household number"), max_length=30, unique=True)
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("village"), on_delete=models.PROTECT, related_name="households"
    )
    group_name = models.CharField(_("village group"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Encrypted in the database (core.crypto): shown masked, never searched.
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = EncryptedCharField(_("bank account"), max_length=40, blank=True)

    identification_standard = CodeField(_("identification standard"), code_list="identification_standard")
    attribute = CodeField(_("household attribute"), code_list="household_attribute")
    main_cause = CodeField(_("main cause of poverty"), code_list="cause_of_poverty")
    other_causes = CodeListField(_("other causes of poverty"), code_list="cause_of_poverty")
    poverty_status = CodeField(_("poverty status"), code_list="poverty_status")
    registered_year = models.PositiveSmallIntegerField(_("year registered"), null=True, blank=True)
    lifted_out_year = models.PositiveSmallIntegerField(_("year lifted out"), null=True, blank=True)

    is_active = models.BooleanField(_("in the register"), default=True)
    removed_on = models.DateField(_("removed from the register on"), null=True, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Incremental screening picks households changed since its last run by this column.
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["household_number"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [models.Index(fields=["village", "household_number"], name="household_village_idx")]

    def __str__(self) -> str:
        return self.household_number


class Member(models.Model):
    """A member of a household (家庭成员). One person is in at most one household."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    id_type = CodeField(_("ID type"), code_list="id_type", default="1")
    id_number = EncryptedCharField(_("ID number"), max_length=22, blind_index="id_number_index")
    # Keyed digests for what SQL still needs: exact search and uniqueness (the whole
    # number), search by its last four characters, and whether it is well formed.
    id_number_index = BlindIndexField(source="id_number", purpose=ID_NUMBER_PURPOSE, unique=True)
    id_number_tail = BlindIndexField(
        source="id_number", purpose=ID_TAIL_PURPOSE, tail=ID_TAIL_LENGTH, db_index=True
    )
    id_number_well_formed = DerivedBooleanField(
        _("ID number well formed"), source="id_number", function="jingzhun.registry.idnumbers.is_well_formed"
    )
    name = models.CharField(_("name"), max_length=50, db_index=True)
    sex = CodeField(_("sex"), code_list="sex")
    birth_date = models.DateField(_("birth date"))
    ethnicity = CodeField(_("ethnicity"), code_list="ethnicity")
    relation_to_head = CodeField(_("relation to head"), code_list="relation_to_head")
    is_resident = models.BooleanField(
        _("lives in the household"),
        default=True,
        help_text=_("Counted in the per-capita net income."),
    )

    education = CodeField(_("education"), code_list="education")
    school_status = CodeField(_("school status"), code_list="school_status")
    dropout_reason = models.CharField(_("reason for not attending school"), max_length=200, blank=True)
    speaks_mandarin = models.BooleanField(_("speaks Mandarin"), default=True)

    labour_skill = CodeField(_("labour skill"), code_list="labour_skill")
    migrant_work_months = models.PositiveSmallIntegerField(
        _("months of migrant work"), default=0, validators=[MaxValueValidator(12)]
    )
    migrant_work_place = CodeField(_("migrant-work place"), code_list="migrant_work_place")
    migrant_monthly_income = models.DecimalField(
        _("monthly migrant-work income"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    works_abroad = models.BooleanField(_("works abroad"), default=False)
    public_welfare_job = CodeField(_("public-welfare job"), code_list="public_welfare_job")
    public_welfare_job_months = models.PositiveSmallIntegerField(
        _("months in public-welfare job"), default=0, validators=[MaxValueValidator(12)]
    )

    health = CodeListField(_("health"), code_list="health")
    disability_category = CodeField(_("disability category"), code_list="disability_category")
    disability_grade = CodeField(_("disability grade"), code_list="disability_grade")
    disability_certificate_year = models.PositiveSmallIntegerField(
        _("disability certificate year"), null=True, blank=True
    )
    political_status = CodeField(_("political status"), code_list="political_status")

    has_minimum_allowance = models.BooleanField(_("minimum living allowance (低保)"), default=False)
    has_extreme_poverty_support = models.BooleanField(_("extreme-poverty support (特困)"), default=False)
    resident_medical_insurance = models.BooleanField(_("resident basic medical insurance"), default=False)
    employee_medical_insurance = models.BooleanField(_("employee basic medical insurance"), default=False)
    serious_illness_insurance = models.BooleanField(_("serious-illness insurance"), default=False)
    commercial_supplementary_insurance = models.BooleanField(
        _("commercial supplementary medical insurance"), default=False
    )
    resident_pension_insurance = models.BooleanField(_("resident pension insurance"), default=False)
    employee_pension_insurance = models.BooleanField(_("employee pension insurance"), default=False)
    medical_assistance_received = models.BooleanField(_("received medical assistance"), default=False)

    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["household", "relation_to_head", "birth_date"]
        # Whose birthday falls in a few days (conditions.birthday_between, asked by every
        # incremental figure refresh): found in the index, not by reading every member.
        indexes = [
            models.Index(ExtractMonth("birth_date"), ExtractDay("birth_date"), name="member_birthday_idx")
        ]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.name


class IncomeRecord(models.Model):
    """A household's income for one year. Derived figures are stored (computed by
    registry.income.compute_income in the services) so that screening and
    reports read them set-wise."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="incomes")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2010)])
    wage_income = money(_("wage income"))
    business_income = money(_("production and business income"))
    property_income = money(_("property income"))
    # Kept by the asset ledger (distributions of project assets' income), never entered.
    asset_income = money(_("income from project assets"), editable=False)
    family_planning_subsidy = money(_("family-planning subsidy"))
    minimum_allowance_income = money(_("minimum living allowance"))
    ecological_compensation = money(_("ecological compensation"))
    extreme_poverty_support_income = money(_("five-guarantee / extreme-poverty support"))
    pension_income = money(_("pensions"))
    other_transfer_income = money(_("other transfer income"))
    production_costs = money(_("production and business costs"))

    resident_members = models.PositiveSmallIntegerField(_("resident members"), default=0)
    transfer_income = money(_("transfer income"))
    annual_income = money(_("annual income"))
    net_income = models.DecimalField(_("net income"), max_digits=14, decimal_places=2, default=Decimal("0"))
    per_capita_net_income = models.DecimalField(
        _("per-capita net income"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["household", "-year"]
        verbose_name = _("income record")
        verbose_name_plural = _("income records")
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="income_one_per_year")]

    def __str__(self) -> str:
        return f"{self.household} {self.year}"


LAND_FIELDS = (
    "cultivated_land_mu",
    "irrigated_land_mu",
    "forest_land_mu",
    "returned_forest_mu",
    "orchard_mu",
    "pasture_mu",
    "water_surface_mu",
)


class LivingConditions(models.Model):
    """Production and living conditions of a household (生产生活条件)."""

    household = models.OneToOneField(Household, on_delete=models.CASCADE, related_name="conditions")
    cultivated_land_mu = area_mu(_("cultivated land (mu)"))
    irrigated_land_mu = area_mu(_("irrigated land (mu)"))
    forest_land_mu = area_mu(_("forest land (mu)"))
    returned_forest_mu = area_mu(_("land returned to forest (mu)"))
    orchard_mu = area_mu(_("orchard (mu)"))
    pasture_mu = area_mu(_("pasture (mu)"))
    water_surface_mu = area_mu(_("water surface (mu)"))

    has_production_power = models.BooleanField(_("power for production"), default=True)
    has_living_power = models.BooleanField(_("power for living"), default=True)
    drinking_water_difficulty = models.BooleanField(_("difficulty obtaining drinking water"), default=False)
    water_source = CodeField(_("drinking-water source"), code_list="water_source")
    water_quantity_ok = models.BooleanField(_("water quantity sufficient"), default=True)
    water_quality_ok = models.BooleanField(_("water quality tested and safe"), default=True)
    water_convenience_ok = models.BooleanField(_("water convenient"), default=True)
    water_reliability_ok = models.BooleanField(_("water supply reliable"), default=True)

    distance_to_main_road_km = models.DecimalField(
        _("distance to main road (km)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    road_type = CodeField(_("road type"), code_list="road_type")
    housing_area_m2 = models.DecimalField(
        _("housing area (m²)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    housing_structure = CodeField(_("housing structure"), code_list="housing_structure")
    housing_year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    house_grade = CodeField(_("dangerous-house grade"), code_list="house_grade")
    toilet_type = CodeField(_("toilet"), code_list="toilet_type")
    fuel_type = CodeField(_("main fuel"), code_list="fuel_type")
    in_cooperative = models.BooleanField(_("member of a cooperative"), default=False)
    relocation_mode = CodeField(_("relocation mode"), code_list="relocation_mode")
    relocation_willing = models.BooleanField(_("willing to relocate"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("living conditions")
        verbose_name_plural = _("living conditions")

    def __str__(self) -> str:
        return f"{self.household}"

    @property
    def water_safe(self) -> bool:
        """Safe water by its one definition (registry.conditions), which needs no terms."""
        return SAFE_WATER.holds(self, ConditionTerms(as_of=datetime.date.today()))


class MonitoringObject(models.Model):
    """One episode of a household being a monitoring object (监测对象).

    It belongs to the register, not to the monitoring app: being a monitoring object
    is part of the household's national record (the monitoring fields of the household
    form, 一户一档), decided by the procedures (cases) and read by every app, while the
    monitoring app only screens and warns. Episodes are never deleted: a household
    whose risk was eliminated and which is identified again gets a new episode.
    """

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="monitoring_episodes")
    household_type = CodeField(_("monitored household type"), code_list="monitoring_household_type")
    category = CodeField(_("monitoring category"), code_list="monitoring_category")
    identified_on = models.DateField(_("identified on"))
    risk_types = CodeListField(_("risk types"), code_list="risk_type", max_items=5)
    disaster_subtype = CodeField(_("natural-disaster type"), code_list="disaster_subtype")
    per_capita_net_income = models.DecimalField(
        _("per-capita net income at identification"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    eligible_out_of_pocket = money(_("eligible out-of-pocket spending"))
    without_labour_capacity = models.BooleanField(_("fully without labour capacity (兜底)"), default=False)
    risk_eliminated = models.BooleanField(_("risk eliminated"), default=False)
    eliminated_on = models.DateField(_("risk eliminated on"), null=True, blank=True)
    elimination_mode = CodeField(_("elimination mode"), code_list="elimination_mode")
    collected_by = models.CharField(_("information collected by"), max_length=50, blank=True)

    class Meta:
        ordering = ["household", "-identified_on"]
        verbose_name = _("monitoring object")
        verbose_name_plural = _("monitoring objects")

    def __str__(self) -> str:
        return f"{self.household} {self.identified_on}"


class StatusChange(models.Model):
    """A change of a household's attribute or poverty status (状态变更历史)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="status_changes")
    field = models.CharField(_("field"), max_length=30)
    old_value = models.CharField(_("from"), max_length=20, blank=True)
    new_value = models.CharField(_("to"), max_length=20, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["household", "-changed_at"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.household} {self.field}: {self.old_value} → {self.new_value}"


class HouseholdChange(AuditEntry):
    """The audit trail of a household's records: who changed what, when, and
    every time someone displayed a masked value in full.

    Written by the services in the same transaction as the change itself.
    """

    household = models.ForeignKey(
        Household, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)
    record_type = models.CharField(_("record"), max_length=30)
    record_id = models.BigIntegerField(_("record id"), null=True)
    record_label = models.CharField(_("record label"), max_length=100, blank=True)
    changes = models.JSONField(_("changes"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("change")
        verbose_name_plural = _("change history")
        indexes = [models.Index(fields=["household", "-at"], name="change_household_idx")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.action} {self.record_type}"
