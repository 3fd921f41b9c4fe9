"""Work in progress for the demo county, made through the real services so that every
step has its audit trail: a self-declaration waiting, warnings confirmed into cases at
several steps, a helper paired with the first village and a few visits."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Exists, OuterRef

from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.assistance.services import pairing_assign_village, visit_record
from jingzhun.cases.choices import AttachmentKind, CaseAction, CaseState
from jingzhun.cases.declarations import declaration_submit
from jingzhun.cases.models import Case
from jingzhun.cases.services import Upload, case_transition, identification_open
from jingzhun.monitoring.choices import OPEN_STATUSES, WarningStatus
from jingzhun.monitoring.models import RiskWarning
from jingzhun.monitoring.services import warning_transition
from jingzhun.registry.choices import HEAD_RELATION
from jingzhun.registry.models import Household, Member, MonitoringObject

# How far along each demo case is walked (the rest wait at their first step).
TARGETS = (
    CaseState.HOME_VISIT,
    CaseState.PUBLIC_NOTICE,
    CaseState.TOWNSHIP_REVIEW,
    CaseState.COUNTY_APPROVAL,
)


def _form() -> list[Upload]:
    return [
        Upload(
            AttachmentKind.SIGNED_APPLICATION, SimpleUploadedFile("申请书.pdf", b"%PDF-1.4\n% demo\n%%EOF\n")
        )
    ]


def _walk(case: Case, target: CaseState, people: dict[str, User], today: datetime.date) -> Case:
    past = today - datetime.timedelta(days=6)
    steps = [
        (CaseAction.SUBMIT_APPLICATION, "village", {}, _form()),
        (
            CaseAction.RECORD_VISIT,
            "village",
            {
                "visited_on": past,
                "visited_by": "village",
                "income_last_12_months": Decimal("16800"),
                "per_capita_net_income": Decimal("4200"),
                "eligible_out_of_pocket": Decimal("23000"),
                "household_type": "2",
                "category": "2",
                "risk_types": case.risk_types or ["01"],
                "disaster_subtype": "1",
                "risk_note": "演示",
            },
            [],
        ),
        (CaseAction.RECORD_COMPARISON, "county", {}, []),
        (
            CaseAction.RECORD_APPRAISAL,
            "village",
            {
                "appraised_on": past,
                "representatives": 15,
                "attendance": 12,
                "votes_for": 11,
                "votes_against": 1,
                "notice_starts_on": past if target != CaseState.PUBLIC_NOTICE else today,
            },
            [],
        ),
        (CaseAction.CLOSE_NOTICE, "village", {}, []),
        (CaseAction.TOWNSHIP_APPROVE, "township", {}, []),
    ]
    for action, who, data, uploads in steps:
        if case.state == target:
            break
        case = case_transition(user=people[who], case=case, action=action, data=data, uploads=uploads)
    return case


def demo_procedures(*, county: Area, village: Area, today: datetime.date) -> dict[str, int]:
    people = {
        user.username: user
        for user in User.objects.filter(username__in=["village", "township", "county", "helper"])
    }
    households = Household.objects.filter(village=village, is_active=True).exclude(
        Exists(MonitoringObject.objects.filter(household=OuterRef("pk"), risk_eliminated=False))
    )
    warnings = RiskWarning.objects.filter(household__in=households, status__in=OPEN_STATUSES).order_by("pk")
    seen: set[int] = set()
    for warning in warnings:
        if warning.household_id in seen or len(seen) >= len(TARGETS) + 1:
            continue
        seen.add(warning.household_id)
        warning_transition(
            user=people["village"], warning=warning, to=WarningStatus.CONFIRMED, note="入户核实属实"
        )
    cases = list(Case.objects.filter(household_id__in=seen).order_by("pk"))
    if not cases:
        household = households.first()
        if household is not None:
            cases = [
                identification_open(
                    user=people["village"], household=household, lead="户主务工受伤，收入骤减"
                )
            ]
    for case, target in zip(cases, TARGETS, strict=False):
        _walk(case, target, people, today)
    # A household that declared its own hardship, waiting for the village.
    head = (
        Member.objects.filter(household__in=households.exclude(pk__in=seen), relation_to_head=HEAD_RELATION)
        .order_by("pk")
        .first()
    )
    if head is not None:
        declaration_submit(
            name=head.name,
            id_number=head.id_number,
            phone="13800000000",
            village=village,
            what_happened="孩子考上高中，学费和住宿费负担重",
            client_address="demo",
        )
    paired = pairing_assign_village(user=people["township"], cadre=people["helper"], village=village)
    monitored = Household.objects.filter(village=village, pairings__cadre=people["helper"]).order_by("pk")[:3]
    for household in monitored:
        visit_record(user=people["helper"], household=household, visited_on=today, notes="了解近况，宣传政策")
    return {"cases": len(cases), "paired": paired}
