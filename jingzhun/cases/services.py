"""Writes of the procedures: opening cases, moving them along the table in
``workflow``, objections, attachments and self-declarations.

Every move locks the case row, checks the user's role, area and level and the
step's preconditions, and writes its audit event in the same transaction; a
refused move raises and changes nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.cases.choices import (
    CLOSED_STATES,
    OPEN_STATES,
    AttachmentKind,
    CaseAction,
    CaseEventKind,
    CaseKind,
    CaseState,
    Channel,
    ComparisonResult,
    DeclarationStatus,
)
from jingzhun.cases.conditions import current_episode, elimination_conditions
from jingzhun.cases.deadlines import decision_deadline
from jingzhun.cases.models import (
    CalendarDay,
    Case,
    CaseAttachment,
    CaseEvent,
    Declaration,
    Objection,
    PublicRequest,
)
from jingzhun.cases.workflow import FIRST_STATE, Transition, is_village_cadre, transition_for
from jingzhun.codelists.models import Parameter
from jingzhun.codelists.selectors import code_map, codes_with, parameter_value
from jingzhun.codelists.services import load_seed
from jingzhun.core.errors import StateConflict
from jingzhun.core.uploads import CleanUpload, clean_document
from jingzhun.departments.choices import DatasetType
from jingzhun.departments.models import DepartmentRecord
from jingzhun.registry.choices import LIFTED_OUT_STATUS, CodeListKey
from jingzhun.registry.idnumbers import InvalidIdNumber, check_id_number, id_number_digest
from jingzhun.registry.models import Household, Member, MonitoringObject
from jingzhun.registry.services import household_status_set, monitoring_episode_record

ZERO = Decimal("0")
# The county's decisions: the case records the date and the comment as its decision.
DECISIONS = frozenset({CaseState.APPROVED, CaseState.REJECTED})


@dataclass(frozen=True)
class Upload:
    kind: AttachmentKind
    file: UploadedFile


def _today() -> datetime.date:
    return timezone.localdate()


def _province(case_or_household: Case | Household) -> str:
    household = case_or_household.household if isinstance(case_or_household, Case) else case_or_household
    return household.village_id[:2]


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
        decision_deadline(today, province=_province(household)) if kind == CaseKind.IDENTIFICATION else None
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
    *, user: User, household: Household, lead: str, channel: Channel = Channel.CADRE_SCREENING
) -> Case:
    """A village cadre opens an identification case from the household's page."""
    _require_village_cadre(user, household.village_id)
    if not lead.strip():
        raise ValidationError({"lead": [_("Describe what happened to the household.")]})
    _check_can_be_identified(household)
    with transaction.atomic():
        return _open(
            user=user,
            household=household,
            kind=CaseKind.IDENTIFICATION,
            today=_today(),
            channel=channel,
            lead=lead,
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
        today=_today(),
        channel=Channel.DEPARTMENT_WARNING,
        warning=warning,
        lead=warning.message,
        evidence=evidence,
        risk_types=[warning.risk_type] if warning.risk_type else [],
    )


def elimination_open(*, user: User, household: Household, comment: str = "") -> Case:
    """Start risk elimination, only when every condition holds (each failing one is named)."""
    _require_village_cadre(user, household.village_id)
    today = _today()
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
    province = _province(household)
    registered = codes_with(CodeListKey.HOUSEHOLD_ATTRIBUTE, "registered_poor", province=province)
    lifted = codes_with(CodeListKey.HOUSEHOLD_ATTRIBUTE, "lifted_out", province=province)
    if household.attribute not in registered - lifted:
        raise ValidationError(_("Only a registered poor household not yet lifted out can exit."))
    with transaction.atomic():
        return _open(user=user, household=household, kind=CaseKind.EXIT, today=_today(), comment=comment)


# --- moving cases -----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What a step's handler gets: the locked case, the entered data and files, who and when."""

    case: Case
    data: Mapping[str, Any]
    uploads: list[Upload]
    user: User
    today: datetime.date


# A handler checks the step's data and preconditions, sets them on the case and
# returns what the audit event records; it raises ValidationError to refuse.
StepHandler = Callable[[Step], dict[str, Any]]


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
    today = _today()
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
        transition = transition_for(locked.kind, action, locked.state)
        if transition is None:
            raise StateConflict(
                _("This case is at the step “%(step)s”; “%(action)s” cannot be done now.")
                % {"step": locked.get_state_display(), "action": _action_label(action)}
            )
        _check_actor(user, transition)
        if transition.needs_comment and not comment.strip():
            raise ValidationError({"comment": [_("Give the reason.")]})
        from_state = locked.state
        handler = _HANDLERS.get(
            (CaseKind(locked.kind), CaseAction(action)), _HANDLERS_ANY_KIND.get(CaseAction(action))
        )
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


def _action_label(action: str) -> str:
    try:
        return str(CaseAction(action).label)
    except ValueError:
        return action


def _check_actor(user: User, transition: Transition) -> None:
    if not user.is_active or user.area is None or not transition.allows(user.role, user.area.level):
        roles = ", ".join(str(Role(role).label) for role in sorted(transition.roles))
        raise PermissionDenied(
            _("Only %(roles)s at %(level)s level may do this.")
            % {"roles": roles, "level": AreaLevel(transition.level).label}
        )


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


def _has_upload(step: Step, kind: AttachmentKind) -> bool:
    """Uploaded with this step, or earlier (a step done again after a return)."""
    return any(u.kind == kind for u in step.uploads) or step.case.attachments.filter(kind=kind).exists()


def _required(data: Mapping[str, Any], *names: str) -> None:
    missing = {name: [_("This field is required.")] for name in names if data.get(name) in (None, "", [])}
    if missing:
        raise ValidationError(missing)


def _date_not_future(data: Mapping[str, Any], name: str, today: datetime.date) -> datetime.date:
    value = data[name]
    if value > today:
        raise ValidationError({name: [_("The date cannot be in the future.")]})
    return value


def _amount(data: Mapping[str, Any], name: str, *, may_be_negative: bool = False) -> Decimal:
    """Spending cannot be negative; a net income can (costs above earnings)."""
    value = Decimal(data[name])
    if value < ZERO and not may_be_negative:
        raise ValidationError({name: [_("The amount cannot be negative.")]})
    return value


def _submit_application(step: Step) -> dict[str, Any]:
    case, data = step.case, step.data
    if not _has_upload(step, AttachmentKind.SIGNED_APPLICATION):
        raise ValidationError({"file": [_("Upload the signed application and authorisation.")]})
    proxy = (data.get("proxy_signer") or "").strip()
    note = (data.get("fingerprint_note") or "").strip()
    if proxy and not note:
        raise ValidationError({"fingerprint_note": [_("A proxy signature needs the fingerprint note.")]})
    case.proxy_signer, case.fingerprint_note = proxy, note
    return {"proxy_signer": proxy, "fingerprint_note": note}


def _visit_common(case: Case, data: Mapping[str, Any], today: datetime.date) -> dict[str, Any]:
    _required(data, "visited_on", "visited_by", "per_capita_net_income")
    case.visited_on = _date_not_future(data, "visited_on", today)
    case.visited_by = data["visited_by"]
    case.per_capita_net_income = _amount(data, "per_capita_net_income", may_be_negative=True)
    case.visit_note = data.get("visit_note", "")
    return {
        "visited_on": case.visited_on.isoformat(),
        "visited_by": case.visited_by,
        "per_capita_net_income": str(case.per_capita_net_income),
    }


def _record_identification_visit(step: Step) -> dict[str, Any]:
    case, data, today = step.case, step.data, step.today
    _required(
        data, "income_last_12_months", "eligible_out_of_pocket", "household_type", "category", "risk_types"
    )
    recorded = _visit_common(case, data, today)
    province = _province(case)
    risk_codes = code_map(CodeListKey.RISK_TYPE, province=province)
    risk_types = list(dict.fromkeys(data["risk_types"]))
    errors: dict[str, list[str]] = {}
    if len(risk_types) > 5:
        errors["risk_types"] = [_("At most 5 risk types.")]
    unknown = [code for code in risk_types if code not in risk_codes]
    if unknown:
        errors["risk_types"] = [_("Unknown risk type: %(codes)s") % {"codes": ", ".join(unknown)}]
    for key, name in (
        (CodeListKey.MONITORING_HOUSEHOLD_TYPE, "household_type"),
        (CodeListKey.MONITORING_CATEGORY, "category"),
    ):
        if data[name] not in code_map(key, province=province):
            errors[name] = [_("Not a value of the code list.")]
    needs_subtype = any(risk_codes[c].attributes.get("has_subtype") for c in risk_types if c in risk_codes)
    if needs_subtype and not data.get("disaster_subtype"):
        errors["disaster_subtype"] = [_("Name the kind of natural disaster.")]
    needs_note = any(risk_codes[c].attributes.get("needs_note") for c in risk_types if c in risk_codes)
    if needs_note and not (data.get("risk_note") or "").strip():
        errors["risk_note"] = [_("Describe the other risk.")]
    if errors:
        raise ValidationError(errors)
    case.income_last_12_months = _amount(data, "income_last_12_months", may_be_negative=True)
    case.eligible_out_of_pocket = _amount(data, "eligible_out_of_pocket")
    case.household_type = data["household_type"]
    case.category = data["category"]
    case.risk_types = risk_types
    case.disaster_subtype = data.get("disaster_subtype") or "" if needs_subtype else ""
    case.risk_note = data.get("risk_note", "")
    case.without_labour_capacity = bool(data.get("without_labour_capacity"))
    recorded.update(
        income_last_12_months=str(case.income_last_12_months),
        eligible_out_of_pocket=str(case.eligible_out_of_pocket),
        household_type=case.household_type,
        category=case.category,
        risk_types=case.risk_types,
        without_labour_capacity=case.without_labour_capacity,
    )
    return recorded


def _record_elimination_visit(step: Step) -> dict[str, Any]:
    case, data, today = step.case, step.data, step.today
    _required(data, "elimination_mode")
    recorded = _visit_common(case, data, today)
    if data["elimination_mode"] not in code_map(CodeListKey.ELIMINATION_MODE, province=_province(case)):
        raise ValidationError({"elimination_mode": [_("Not a value of the code list.")]})
    case.elimination_mode = data["elimination_mode"]
    recorded["elimination_mode"] = case.elimination_mode
    return recorded


def _record_exit_verification(step: Step) -> dict[str, Any]:
    case, data, today = step.case, step.data, step.today
    recorded = _visit_common(case, data, today)
    line = parameter_value(
        "poverty_line", year=case.visited_on.year if case.visited_on else today.year, province=_province(case)
    )
    if case.per_capita_net_income is not None and case.per_capita_net_income <= line:
        raise ValidationError(
            {
                "per_capita_net_income": [
                    _("At or below the poverty line (%(line)s): the household cannot exit.") % {"line": line}
                ]
            }
        )
    return recorded


def exclusion_findings(case: Case) -> list[dict[str, str]]:
    """Members found in the exclusion datasets (vehicles, commercial housing, business
    registration, public payroll) for the county's comparison."""
    records = DepartmentRecord.objects.filter(
        dataset_type=DatasetType.EXCLUSION, household_id=case.household_id
    ).select_related("member")
    return [
        {
            "member": record.member.name if record.member else "",
            "kind": record.kind,
            "date": record.event_date.isoformat(),
            "text": record.text,
        }
        for record in records.order_by("event_date", "pk")
    ]


def _record_comparison(step: Step) -> dict[str, Any]:
    case, data = step.case, step.data
    findings = exclusion_findings(case)
    note = (data.get("comparison_note") or "").strip()
    if findings and not note:
        raise ValidationError(
            {
                "comparison_note": [
                    _("The comparison found %(count)d records: explain them, or reject the case.")
                    % {"count": len(findings)}
                ]
            }
        )
    case.comparison_findings = findings
    case.comparison_note = note
    case.comparison_result = ComparisonResult.EXPLAINED if findings else ComparisonResult.CLEAR
    return {"result": case.comparison_result, "findings": findings}


def _start_notice(case: Case, data: Mapping[str, Any], today: datetime.date) -> dict[str, str]:
    # Paper comes first in many villages: a notice already posted is recorded with its real date.
    starts = data.get("notice_starts_on") or today
    if starts > today:
        raise ValidationError({"notice_starts_on": [_("The date cannot be in the future.")]})
    earliest = case.appraised_on if case.kind != CaseKind.EXIT else case.consent_on
    if earliest is not None and starts < earliest:
        raise ValidationError(
            {"notice_starts_on": [_("The notice cannot start before the step that leads to it.")]}
        )
    days = int(parameter_value("public_notice_days", year=starts.year, province=_province(case)))
    case.notice_starts_on = starts
    case.notice_ends_on = starts + datetime.timedelta(days=days - 1)
    return {"notice_starts_on": starts.isoformat(), "notice_ends_on": case.notice_ends_on.isoformat()}


def _record_appraisal(step: Step) -> dict[str, Any]:
    case, data, today = step.case, step.data, step.today
    _required(data, "appraised_on", "representatives", "attendance", "votes_for", "votes_against")
    appraised_on = _date_not_future(data, "appraised_on", today)
    representatives, attendance = int(data["representatives"]), int(data["attendance"])
    votes_for, votes_against = int(data["votes_for"]), int(data["votes_against"])
    quorum = parameter_value("appraisal_quorum_share", year=appraised_on.year, province=_province(case))
    if attendance > representatives:
        raise ValidationError({"attendance": [_("More present than there are representatives.")]})
    if attendance < quorum * representatives:
        raise ValidationError(
            {
                "attendance": [
                    _("Too few representatives present: at least %(share)s%% are needed.")
                    % {"share": round(quorum * 100)}
                ]
            }
        )
    if votes_for + votes_against > attendance:
        raise ValidationError({"votes_for": [_("More votes than representatives present.")]})
    if votes_for * 2 <= attendance:
        raise ValidationError(
            {"votes_for": [_("The appraisal did not pass: a majority of those present must vote for it.")]}
        )
    case.appraised_on, case.representatives, case.attendance = appraised_on, representatives, attendance
    case.votes_for, case.votes_against = votes_for, votes_against
    recorded: dict[str, Any] = {
        "appraised_on": appraised_on.isoformat(),
        "representatives": representatives,
        "attendance": attendance,
        "votes_for": votes_for,
        "votes_against": votes_against,
    }
    if case.kind != CaseKind.EXIT:
        recorded.update(_start_notice(case, data, today))
    return recorded


def _record_consent(step: Step) -> dict[str, Any]:
    case, data, today = step.case, step.data, step.today
    _required(data, "consent_on")
    if not _has_upload(step, AttachmentKind.CONSENT):
        raise ValidationError({"file": [_("Upload the household's signed consent.")]})
    case.consent_on = _date_not_future(data, "consent_on", today)
    return {"consent_on": case.consent_on.isoformat(), **_start_notice(case, data, today)}


def _close_notice(step: Step) -> dict[str, Any]:
    case, today = step.case, step.today
    if case.notice_ends_on is None or today <= case.notice_ends_on:
        raise ValidationError(
            _("The public notice runs until %(date)s; it can be closed the day after.")
            % {"date": case.notice_ends_on.isoformat() if case.notice_ends_on else "—"}
        )
    unresolved = case.objections.filter(resolved_at__isnull=True).count()
    if unresolved:
        raise ValidationError(
            _("%(count)d objections are not resolved; resolve them before moving on.") % {"count": unresolved}
        )
    return {"objections": case.objections.count()}


def _county_approve(step: Step) -> dict[str, Any]:
    case, user, today = step.case, step.user, step.today
    if case.kind == CaseKind.IDENTIFICATION:
        episode = MonitoringObject(
            household=case.household,
            household_type=case.household_type,
            category=case.category,
            identified_on=today,
            risk_types=case.risk_types,
            disaster_subtype=case.disaster_subtype,
            per_capita_net_income=case.per_capita_net_income,
            eligible_out_of_pocket=case.eligible_out_of_pocket or ZERO,
            without_labour_capacity=case.without_labour_capacity,
            collected_by=case.visited_by,
        )
        case.episode = monitoring_episode_record(user=user, episode=episode)
        return {"episode": episode.pk}
    if case.kind == CaseKind.ELIMINATION:
        if case.episode_id is None:
            raise ValidationError(_("The case names no monitoring episode."))
        episode = MonitoringObject.objects.select_for_update().get(pk=case.episode_id)
        episode.risk_eliminated = True
        episode.eliminated_on = today
        episode.elimination_mode = case.elimination_mode
        monitoring_episode_record(user=user, episode=episode)
        return {"episode": episode.pk, "elimination_mode": case.elimination_mode}
    return _mark_lifted_out(case, user)


def _mark_lifted_out(case: Case, user: User) -> dict[str, Any]:
    """Exit: the household's attribute becomes its lifted-out variant (named by the code
    list), its poverty status 'lifted out (still enjoying policy)'."""
    attributes = code_map(CodeListKey.HOUSEHOLD_ATTRIBUTE, province=_province(case))
    current = attributes.get(case.household.attribute)
    target = current.attributes.get("lifted_out_code", case.household.attribute) if current else ""
    household_status_set(
        user=user,
        household=case.household,
        attribute=target,
        poverty_status=LIFTED_OUT_STATUS,
        lifted_out_year=_today().year,
    )
    return {"attribute": target, "poverty_status": LIFTED_OUT_STATUS}


_HANDLERS: dict[tuple[CaseKind, CaseAction], StepHandler] = {
    (CaseKind.IDENTIFICATION, CaseAction.RECORD_VISIT): _record_identification_visit,
    (CaseKind.ELIMINATION, CaseAction.RECORD_VISIT): _record_elimination_visit,
    (CaseKind.EXIT, CaseAction.RECORD_VISIT): _record_exit_verification,
}
_HANDLERS_ANY_KIND: dict[CaseAction, StepHandler] = {
    CaseAction.SUBMIT_APPLICATION: _submit_application,
    CaseAction.RECORD_COMPARISON: _record_comparison,
    CaseAction.RECORD_APPRAISAL: _record_appraisal,
    CaseAction.RECORD_CONSENT: _record_consent,
    CaseAction.CLOSE_NOTICE: _close_notice,
    CaseAction.COUNTY_APPROVE: _county_approve,
}


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


# --- self-declarations ------------------------------------------------------------


class RateLimited(Exception):
    pass


def public_key(value: str) -> str:
    """A keyed hash: rate limits work on it, and the stored value reveals nothing."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def _check_limit(kind: str, *, parameter: str, window: datetime.timedelta, **same: str) -> None:
    """Refuse when requests of ``kind`` with the same key(s) in ``window`` reached the limit."""
    since = timezone.now() - window
    if PublicRequest.objects.filter(kind=kind, at__gte=since, **same).count() >= int(
        parameter_value(parameter)
    ):
        raise RateLimited


def declaration_submit(
    *, name: str, id_number: str, phone: str, village: Area, what_happened: str, client_address: str
) -> Declaration:
    """The public form: validate, rate-limit per address and per ID number, store."""
    errors: dict[str, list[str]] = {}
    try:
        number = check_id_number(id_number).number
    except InvalidIdNumber as error:
        errors["id_number"] = [str(error)]
        number = ""
    if village.level != AreaLevel.VILLAGE or not village.is_valid:
        errors["village"] = [_("Choose your village.")]
    if not what_happened.strip():
        errors["what_happened"] = [_("Tell us what happened.")]
    if errors:
        raise ValidationError(errors)
    client, id_key = public_key(client_address), public_key(number)
    day = datetime.timedelta(days=1)
    with transaction.atomic():
        _check_limit(
            "declare", parameter="declaration_daily_limit_per_address", window=day, client_key=client
        )
        _check_limit("declare", parameter="declaration_daily_limit_per_id", window=day, id_key=id_key)
        PublicRequest.objects.create(kind="declare", client_key=client, id_key=id_key)
        member = (
            Member.objects.filter(id_number_index=id_number_digest(number))
            .select_related("household")
            .first()
        )
        return Declaration.objects.create(
            name=name.strip(),
            id_number=number,
            phone=phone.strip(),
            village=village,
            what_happened=what_happened.strip(),
            client_key=client,
            household=member.household if member else None,
        )


def declaration_lookup(*, id_number: str, phone: str, client_address: str) -> list[Declaration]:
    """Declarations matching both ID number and phone; nothing when either differs."""
    client = public_key(client_address)
    with transaction.atomic():
        _check_limit(
            "lookup",
            parameter="declaration_lookup_hourly_limit",
            window=datetime.timedelta(hours=1),
            client_key=client,
        )
        PublicRequest.objects.create(kind="lookup", client_key=client)
    try:
        number = check_id_number(id_number).number
    except InvalidIdNumber:
        return []
    # Both are encrypted: found by the ID number's digest, the phone compared once decrypted.
    found = Declaration.objects.filter(id_number_index=id_number_digest(number)).prefetch_related("cases")
    return [declaration for declaration in found if declaration.phone == phone.strip()]


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
            today=_today(),
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
