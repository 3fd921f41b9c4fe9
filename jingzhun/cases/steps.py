"""The steps of the procedures: what each move of the table in ``workflow`` checks and
records (a visit, the comparison with department data, the village appraisal, the
household's consent, the county's approval). A handler gets the locked case, the
entered data and files, who and when; it refuses with a field error or sets the case's
fields and returns what the step's event records. ``services.case_transition`` calls it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.cases.choices import AttachmentKind, CaseAction, CaseKind, ComparisonResult
from jingzhun.cases.models import Case
from jingzhun.codelists.selectors import code_map, parameter_value
from jingzhun.departments.choices import DatasetType
from jingzhun.departments.models import DepartmentRecord
from jingzhun.registry.choices import LIFTED_OUT_STATUS, CodeListKey
from jingzhun.registry.models import Household, MonitoringObject
from jingzhun.registry.services import household_status_set, monitoring_episode_record

ZERO = Decimal("0")


@dataclass(frozen=True)
class Upload:
    kind: AttachmentKind
    file: UploadedFile


def local_today() -> datetime.date:
    return timezone.localdate()


def province_of(case_or_household: Case | Household) -> str:
    household = case_or_household.household if isinstance(case_or_household, Case) else case_or_household
    return household.village_id[:2]


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
    province = province_of(case)
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
    if data["elimination_mode"] not in code_map(CodeListKey.ELIMINATION_MODE, province=province_of(case)):
        raise ValidationError({"elimination_mode": [_("Not a value of the code list.")]})
    case.elimination_mode = data["elimination_mode"]
    recorded["elimination_mode"] = case.elimination_mode
    return recorded


def _record_exit_verification(step: Step) -> dict[str, Any]:
    case, data, today = step.case, step.data, step.today
    recorded = _visit_common(case, data, today)
    line = parameter_value(
        "poverty_line",
        year=case.visited_on.year if case.visited_on else today.year,
        province=province_of(case),
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
    days = int(parameter_value("public_notice_days", year=starts.year, province=province_of(case)))
    case.notice_starts_on = starts
    case.notice_ends_on = starts + datetime.timedelta(days=days - 1)
    return {"notice_starts_on": starts.isoformat(), "notice_ends_on": case.notice_ends_on.isoformat()}


def _record_appraisal(step: Step) -> dict[str, Any]:
    case, data, today = step.case, step.data, step.today
    _required(data, "appraised_on", "representatives", "attendance", "votes_for", "votes_against")
    appraised_on = _date_not_future(data, "appraised_on", today)
    representatives, attendance = int(data["representatives"]), int(data["attendance"])
    votes_for, votes_against = int(data["votes_for"]), int(data["votes_against"])
    quorum = parameter_value("appraisal_quorum_share", year=appraised_on.year, province=province_of(case))
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
    attributes = code_map(CodeListKey.HOUSEHOLD_ATTRIBUTE, province=province_of(case))
    current = attributes.get(case.household.attribute)
    target = current.attributes.get("lifted_out_code", case.household.attribute) if current else ""
    household_status_set(
        user=user,
        household=case.household,
        attribute=target,
        poverty_status=LIFTED_OUT_STATUS,
        lifted_out_year=local_today().year,
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


def handler_for(kind: CaseKind, action: CaseAction) -> StepHandler | None:
    """The handler of ``action`` in a case of ``kind``: the kind's own, else the one every kind shares."""
    return _HANDLERS.get((kind, action), _HANDLERS_ANY_KIND.get(action))
