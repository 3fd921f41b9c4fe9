"""The people of one county and the data each procedure step needs, for the case tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.cases.choices import AttachmentKind, CaseAction, CaseKind
from jingzhun.cases.models import Case
from jingzhun.cases.services import Upload, case_transition
from tests import factories


@dataclass
class People:
    village: User
    other_village: User
    township: User
    other_township: User
    county: User
    assistance: User
    supervisor: User
    department: User

    def everyone(self) -> list[User]:
        return [getattr(self, name) for name in self.__dataclass_fields__]


def people(village: Area, other_village: Area) -> People:
    county = Area.objects.get(code=factories.COUNTY)
    return People(
        village=factories.user("v-cadre", Role.VILLAGE_CADRE, village),
        other_village=factories.user("v-other", Role.VILLAGE_CADRE, other_village),
        township=factories.user("t-review", Role.TOWNSHIP_REVIEWER, village.parent),
        other_township=factories.user("t-other", Role.TOWNSHIP_REVIEWER, other_village.parent),
        county=factories.user("c-officer", Role.COUNTY_OFFICER, county),
        assistance=factories.user("a-cadre", Role.ASSISTANCE_CADRE, village),
        supervisor=factories.user("s-visor", Role.SUPERVISOR, county),
        department=factories.user("d-user", Role.DEPARTMENT_USER, county, department="health"),
    )


def signed_form(name: str = "application.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 signed\n%%EOF\n", content_type="application/pdf")


def step_input(action: str, kind: str) -> dict[str, Any]:
    """Valid data and files for ``action``; the notice is dated so that it has already run."""
    today = timezone.localdate()
    past = today - datetime.timedelta(days=10)
    if action == CaseAction.SUBMIT_APPLICATION:
        return {"uploads": [Upload(AttachmentKind.SIGNED_APPLICATION, signed_form())]}
    if action == CaseAction.RECORD_VISIT:
        data: dict[str, Any] = {
            "visited_on": past,
            "visited_by": "张三",
            "per_capita_net_income": Decimal("5200"),
        }
        if kind == CaseKind.IDENTIFICATION:
            data.update(
                income_last_12_months=Decimal("20800"),
                eligible_out_of_pocket=Decimal("18000"),
                household_type="2",
                category="2",
                risk_types=["01"],
            )
        elif kind == CaseKind.ELIMINATION:
            data.update(elimination_mode="1", per_capita_net_income=Decimal("9800"))
        return {"data": data}
    if action == CaseAction.RECORD_APPRAISAL:
        return {
            "data": {
                "appraised_on": past,
                "representatives": 15,
                "attendance": 12,
                "votes_for": 11,
                "votes_against": 1,
                "notice_starts_on": past,
            }
        }
    if action == CaseAction.RECORD_CONSENT:
        return {
            "data": {"consent_on": past, "notice_starts_on": past},
            "uploads": [Upload(AttachmentKind.CONSENT, signed_form("consent.pdf"))],
        }
    return {"comment": "理由"}


def act(user: User, case: Case, action: str) -> Case:
    given = step_input(action, case.kind)
    return case_transition(
        user=user,
        case=case,
        action=action,
        comment=given.get("comment", ""),
        data=given.get("data"),
        uploads=given.get("uploads", ()),
    )


def case_in_notice(staff: Any, household: Any, *, lead: str) -> Case:
    """A village's identification case taken to its public notice, which starts today."""
    from jingzhun.cases import services

    case = services.identification_open(user=staff.village, household=household, lead=lead)
    for user, action in [
        (staff.village, "submit_application"),
        (staff.village, "record_visit"),
        (staff.county, "record_comparison"),
    ]:
        case = act(user, case, action)
    today = timezone.localdate()
    data = step_input("record_appraisal", case.kind)["data"] | {
        "appraised_on": today,
        "notice_starts_on": today,
    }
    return services.case_transition(user=staff.village, case=case, action="record_appraisal", data=data)
