"""What each role may do: one table, read by services, views and templates alike."""

from __future__ import annotations

from enum import StrEnum

from jingzhun.accounts.choices import Role


class Capability(StrEnum):
    EDIT_REGISTER = "edit_register"
    REVEAL_SENSITIVE = "reveal_sensitive"
    RUN_SCREENING = "run_screening"
    VERIFY_WARNINGS = "verify_warnings"
    RECORD_ASSISTANCE = "record_assistance"
    ASSIGN_PAIRING = "assign_pairing"
    REFRESH_FIGURES = "refresh_figures"


CAPABILITIES: dict[Capability, frozenset[Role]] = {
    # Village staff keep the register; the county corrects it; the administrator repairs it.
    Capability.EDIT_REGISTER: frozenset({Role.VILLAGE_CADRE, Role.COUNTY_OFFICER, Role.SYSTEM_ADMIN}),
    # Seeing a full ID number or phone is needed to visit, verify and approve;
    # departments, supervisors and evaluators work from masked data.
    Capability.REVEAL_SENSITIVE: frozenset(
        {Role.VILLAGE_CADRE, Role.TOWNSHIP_REVIEWER, Role.COUNTY_OFFICER, Role.SYSTEM_ADMIN}
    ),
    # The county runs the department data comparison (domain.md §1).
    Capability.RUN_SCREENING: frozenset({Role.COUNTY_OFFICER, Role.SYSTEM_ADMIN}),
    # The village verifies warnings at the door; the county may decide too.
    Capability.VERIFY_WARNINGS: frozenset({Role.VILLAGE_CADRE, Role.COUNTY_OFFICER, Role.SYSTEM_ADMIN}),
    # Measures and visits are recorded by the village, the paired cadre (for their own
    # households only), the departments that deliver measures and the county.
    Capability.RECORD_ASSISTANCE: frozenset(
        {Role.VILLAGE_CADRE, Role.ASSISTANCE_CADRE, Role.DEPARTMENT_USER, Role.COUNTY_OFFICER}
    ),
    # Pairing cadres with households is organised by the village, township or county.
    Capability.ASSIGN_PAIRING: frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_REVIEWER, Role.COUNTY_OFFICER}),
    # Figures are refreshed after every screening and import; recounting on demand is
    # for those who read them across villages.
    Capability.REFRESH_FIGURES: frozenset(
        {Role.TOWNSHIP_REVIEWER, Role.COUNTY_OFFICER, Role.SUPERVISOR, Role.SYSTEM_ADMIN}
    ),
}


def role_can(role: str, capability: Capability) -> bool:
    return role in CAPABILITIES[capability]


# Roles whose accounts reach a whole county or more (or its money), or administer the system: their
# log-in needs a second factor (TOTP). Every other role may add one.
SECOND_FACTOR_ROLES: frozenset[Role] = frozenset(
    {Role.COUNTY_OFFICER, Role.FINANCE_OFFICER, Role.SUPERVISOR, Role.SYSTEM_ADMIN}
)


def role_needs_second_factor(role: str) -> bool:
    return role in SECOND_FACTOR_ROLES
