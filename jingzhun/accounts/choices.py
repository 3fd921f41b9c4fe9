from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of domain.md §1; each user has exactly one."""

    VILLAGE_CADRE = "village_cadre", _("Village cadre")
    ASSISTANCE_CADRE = "assistance_cadre", _("Assistance cadre")
    TOWNSHIP_REVIEWER = "township_reviewer", _("Township reviewer")
    COUNTY_OFFICER = "county_officer", _("County officer")
    DEPARTMENT_USER = "department_user", _("Department user")
    # County finance (财政): records fund allocations and payments.
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    EVALUATOR = "evaluator", _("Third-party evaluator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class Department(models.TextChoices):
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    MEDICAL_INSURANCE = "medical_insurance", _("Medical insurance")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    HOUSING = "housing", _("Housing and construction")
    WATER = "water", _("Water")
    DISABLED_PERSONS = "disabled_persons", _("Disabled persons' federation")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security")
    PUBLIC_SECURITY = "public_security", _("Public security")
