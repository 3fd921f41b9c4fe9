"""Writes of the procedures: opening cases, moving them along the table in
``workflow`` (what each step checks and records: ``steps``), objections, and the
village's handling of self-declarations (the public form: ``declarations``).

Every move locks the case row, checks the user's role, area and level and the
step's preconditions, and writes its audit event in the same transaction; a
refused move raises and changes nothing.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from importlib import resources
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.cases.choices import (
    CLOSED_STATES,
    OPEN_STATES,
    AttachmentKind,
    CaseAction,
    CaseEventKind,
    CaseKind,
    CaseState,
    Channel,
    DeclarationStatus,
)
from jingzhun.cases.conditions import current_episode, elimination_conditions
from jingzhun.cases.deadlines import decision_deadline
from jingzhun.cases.models import (
    Case,
    CaseAttachment,
    CaseEvent,
    Declaration,
    Objection,
)
from jingzhun.cases.steps import Step, Upload, handler_for, local_today, province_of
from jingzhun.cases.workflow import FIRST_STATE, TRANSITIONS, is_village_cadre
from jingzhun.codelists.models import CalendarDay, Parameter
from jingzhun.codelists.selectors import codes_with
from jingzhun.codelists.services import load_seed
from jingzhun.core.uploads import CleanUpload, clean_document
from jingzhun.registry.choices import CodeListKey
from jingzhun.registry.models import Household

ZERO = Decimal("0")
# The county's decisions: the case records the date and the comment as its decision.
DECISIONS = frozenset({CaseState.APPROVED, CaseState.REJECTED})


def _require_area(user: User, household: Household) -> None:
    if user.area is None or not user.area.contains(household.village_id):
        raise PermissionDenied(_("This household is outside your area."))


def _require_village_cadre(user: User, village_code: str) -> None:
    if user.area is None or not user.area.contains(village_code):
        raise PermissionDenied(_("This household is outside your area."))
    if not is_village_cadre(user):
        raise PermissionDenied(_("Only the village's cadres may do this."))


# --- opening cases ----------------------------------------------------------------


def _open(
    *,
    user: User | None,
    household: Household,
    kind: CaseKind,
    today: datetime.date,
    comment: str = "",
    **fields: Any,
) -> Case:
    """Create a case in its first state with its opening event (inside the caller's transaction)."""
    deadline = (
        decision_deadline(today, province=province_of(household)) if kind == CaseKind.IDENTIFICATION else None
    )
    case = Case(
        kind=kind,
        household=household,
        state=FIRST_STATE[kind],
        opened_on=today,
        opened_by=user,
        deadline=deadline,
        **fields,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # The partial unique index allows one open case per procedure and household.
        raise ValidationError(_("This household already has an open case of this procedure.")) from None
    CaseEvent.objects.create(
        case=case, action=CaseEventKind.OPEN, from_state="", to_state=case.state, actor=user, comment=comment
    )
    return case


def _check_can_be_identified(household: Household) -> None:
    if not household.is_active:
        raise ValidationError(_("The household has been removed from the register."))
    if current_episode(household) is not None:
        raise ValidationError(_("The household is already a monitoring object."))


def identification_open(
    *,
    user: User,
    household: Household,
    lead: str,
    channel: Channel = Channel.CADRE_SCREENING,
    evidence: Mapping[str, Any] | None = None,
) -> Case:
    """A village cadre opens an identification case from the household's page (or from a
    finding elsewhere, e.g. an evaluation, whose ``evidence`` the case carries)."""
    _require_village_cadre(user, household.village_id)
    if not lead.strip():
        raise ValidationError({"lead": [_("Describe what happened to the household.")]})
    _check_can_be_identified(household)
    with transaction.atomic():
        return _open(
            user=user,
            household=household,
            kind=CaseKind.IDENTIFICATION,
            today=local_today(),
            channel=channel,
            lead=lead,
            evidence=dict(evidence or {}),
        )


def identification_open_from_warning(*, user: User, warning: Any) -> Case | None:
    """Called inside the transaction that confirms a warning: open a case carrying its
    evidence, or attach the warning to the identification already under way. A
    household already monitored gets no new case (None)."""
    household = warning.household
    existing = Case.objects.filter(
        household=household, kind=CaseKind.IDENTIFICATION, state__in=OPEN_STATES
    ).first()
    if existing is not None:
        CaseEvent.objects.create(
            case=existing,
            action=CaseEventKind.WARNING,
            from_state=existing.state,
            to_state=existing.state,
            actor=user,
            comment=warning.rule.name,
            data={"warning": warning.pk, "rule": warning.rule_id, "evidence": warning.evidence},
        )
        return existing
    if not household.is_active or current_episode(household) is not None:
        return None
    evidence = {"rule": warning.rule_id, "rule_name": warning.rule.name, **warning.evidence}
    return _open(
        user=user,
        household=household,
        kind=CaseKind.IDENTIFICATION,
        today=local_today(),
        channel=Channel.DEPARTMENT_WARNING,
        warning=warning,
        lead=warning.message,
        evidence=evidence,
        risk_types=[warning.risk_type] if warning.risk_type else [],
    )


def elimination_open(*, user: User, household: Household, comment: str = "") -> Case:
    """Start risk elimination, only when every condition holds (each failing one is named)."""
    _require_village_cadre(user, household.village_id)
    today = local_today()
    failing = [c for c in elimination_conditions(household, today=today) if not c.met]
    if failing:
        raise ValidationError(
            [
                _("Risk elimination cannot start: %(condition)s%(detail)s")
                % {"condition": c.label, "detail": f" ({c.detail})" if c.detail else ""}
                for c in failing
            ]
        )
    with transaction.atomic():
        return _open(
            user=user,
            household=household,
            kind=CaseKind.ELIMINATION,
            today=today,
            comment=comment,
            episode=current_episode(household),
        )


def exit_open(*, user: User, household: Household, comment: str = "") -> Case:
    """Start the exit of a registered poor household not yet lifted out."""
    _require_village_cadre(user, household.village_id)
    province = province_of(household)
    registered = codes_with(CodeListKey.HOUSEHOLD_ATTRIBUTE, "registered_poor", province=province)
    lifted = codes_with(CodeListKey.HOUSEHOLD_ATTRIBUTE, "lifted_out", province=province)
    if household.attribute not in registered - lifted:
        raise ValidationError(_("Only a registered poor household not yet lifted out can exit."))
    with transaction.atomic():
        return _open(user=user, household=household, kind=CaseKind.EXIT, today=local_today(), comment=comment)


# --- moving cases -----------------------------------------------------------------


def case_transition(
    *,
    user: User,
    case: Case,
    action: str,
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    uploads: Iterable[Upload] = (),
) -> Case:
    """Make one move of the table; refused moves raise and leave the case as it was."""
    _require_area(user, case.household)
    data = data or {}
    uploads = list(uploads)
    # Checked by content before anything is written: a refused file leaves the case as it was.
    checked = [(upload.kind, clean_document(upload.file, field="file")) for upload in uploads]
    today = local_today()
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
        transition = TRANSITIONS.resolve(
            user=user,
            action=action,
            state=locked.state,
            state_label=locked.get_state_display(),
            kind=locked.kind,
            comment=comment,
        )
        from_state = locked.state
        handler = handler_for(CaseKind(locked.kind), CaseAction(action))
        recorded = handler(Step(locked, data, uploads, user, today)) if handler else {}
        locked.state = transition.target
        if transition.target in CLOSED_STATES:
            locked.closed_on = today
        if transition.target in DECISIONS:
            locked.decided_on, locked.decision_note = today, comment
        locked.save()
        event = CaseEvent.objects.create(
            case=locked,
            action=action,
            from_state=from_state,
            to_state=locked.state,
            actor=user,
            comment=comment,
            data=recorded,
        )
        for kind, clean in checked:
            _attach(locked, kind, clean, user=user, event=event)
    return locked


def _attach(
    case: Case, kind: AttachmentKind, upload: CleanUpload, *, user: User, event: CaseEvent | None
) -> CaseAttachment:
    return CaseAttachment.objects.create(
        case=case,
        event=event,
        kind=kind,
        file=upload.content,
        original_name=upload.original_name,
        uploaded_by=user,
    )


# --- objections and attachments ---------------------------------------------------


def objection_record(
    *, user: User, case: Case, raised_on: datetime.date, raised_by: str, content: str
) -> Objection:
    _require_village_cadre(user, case.household.village_id)
    if not content.strip():
        raise ValidationError({"content": [_("Write down the objection.")]})
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.state != CaseState.PUBLIC_NOTICE:
            raise ValidationError(_("Objections are recorded while the notice is posted."))
        objection = Objection.objects.create(
            case=locked, raised_on=raised_on, raised_by=raised_by, content=content, recorded_by=user
        )
        CaseEvent.objects.create(
            case=locked,
            action=CaseEventKind.OBJECTION,
            from_state=locked.state,
            to_state=locked.state,
            actor=user,
            comment=content,
            data={"objection": objection.pk, "raised_by": raised_by},
        )
    return objection


def objection_resolve(*, user: User, objection: Objection, resolution: str) -> Objection:
    case = objection.case
    _require_village_cadre(user, case.household.village_id)
    if not resolution.strip():
        raise ValidationError({"resolution": [_("Say how the objection was resolved.")]})
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.resolved_at is not None:
            raise ValidationError(_("This objection is already resolved."))
        locked.resolution, locked.resolved_at, locked.resolved_by = resolution, timezone.now(), user
        locked.save()
        CaseEvent.objects.create(
            case=case,
            action=CaseEventKind.OBJECTION_RESOLVED,
            from_state=case.state,
            to_state=case.state,
            actor=user,
            comment=resolution,
            data={"objection": locked.pk},
        )
    return locked


# --- self-declarations, as the village handles them (the public side: declarations.py)


def declaration_accept(*, user: User, declaration: Declaration, household: Household) -> Case:
    """Open an identification case from a declaration, for the household it concerns."""
    _require_village_cadre(user, household.village_id)
    if household.village_id != declaration.village_id:
        raise ValidationError(_("This declaration belongs to another village."))
    _check_can_be_identified(household)
    with transaction.atomic():
        locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if locked.status != DeclarationStatus.RECEIVED:
            raise ValidationError(_("This declaration has already been handled."))
        case = _open(
            user=user,
            household=household,
            kind=CaseKind.IDENTIFICATION,
            today=local_today(),
            channel=Channel.SELF_DECLARATION,
            declaration=locked,
            lead=locked.what_happened,
        )
        locked.status, locked.household = DeclarationStatus.ACCEPTED, household
        locked.handled_by, locked.handled_at = user, timezone.now()
        locked.save()
    return case


def declaration_decline(*, user: User, declaration: Declaration, reason: str) -> Declaration:
    _require_village_cadre(user, declaration.village_id)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    with transaction.atomic():
        locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if locked.status != DeclarationStatus.RECEIVED:
            raise ValidationError(_("This declaration has already been handled."))
        locked.status, locked.handling_note = DeclarationStatus.DECLINED, reason
        locked.handled_by, locked.handled_at = user, timezone.now()
        locked.save()
    return locked


# --- reference data ----------------------------------------------------------------


def load_procedure_data(*, parameter_model: Any = None, calendar_model: Any = None) -> None:
    """Upsert the procedures' default parameters and the national working-day calendar."""
    data = json.loads(resources.files("jingzhun.cases").joinpath("data/procedure.json").read_text("utf-8"))
    load_seed({"lists": [], "parameters": data["parameters"]}, parameter_model=parameter_model or Parameter)
    calendar_model = calendar_model or CalendarDay
    for day, working, name in data["calendar"]:
        calendar_model.objects.update_or_create(
            date=datetime.date.fromisoformat(day),
            province="",
            defaults={"is_working_day": working, "name": name},
        )
