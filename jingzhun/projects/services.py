"""Writes of the project library: entering a project (budget, targets, the villages it
covers), its beneficiary households, the moves of ``workflow.TRANSITIONS`` with what
each step checks and records, and progress.

Every write checks the user's role and area, locks the project row, and writes its
``ProjectEvent`` in the same transaction; a refused write raises and changes nothing.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.codelists.calendar import days_after
from jingzhun.codelists.models import Parameter
from jingzhun.codelists.selectors import parameter_value
from jingzhun.codelists.services import load_seed
from jingzhun.codelists.validation import coded_field_errors
from jingzhun.core.money import CENT
from jingzhun.core.uploads import CleanUpload, clean_document
from jingzhun.projects.choices import (
    TARGET_DIMENSIONS,
    AttachmentKind,
    Comparison,
    FundLevel,
    ProjectAction,
    ProjectEventKind,
    ProjectState,
    TargetDimension,
    TargetLevel,
)
from jingzhun.projects.models import (
    Beneficiary,
    BudgetLine,
    PerformanceTarget,
    Project,
    ProjectAttachment,
    ProjectEvent,
)
from jingzhun.projects.workflow import TRANSITIONS
from jingzhun.registry.models import Household

A = ProjectAction
S = ProjectState
# What a village may still change: the proposal before it is submitted (or after a return).
EDITABLE_STATES = frozenset({S.DRAFT})
PROJECT_FIELDS = (
    "name",
    "year",
    "category",
    "construction_type",
    "responsible_unit",
    "content",
    "planned_start",
    "planned_end",
    "benefit_mechanisms",
    "benefit_note",
    "households_planned",
    "people_planned",
)


@dataclass(frozen=True)
class Upload:
    kind: AttachmentKind
    file: UploadedFile


@dataclass(frozen=True)
class BudgetInput:
    level: FundLevel | str
    fund_type: str
    amount: Decimal


@dataclass(frozen=True)
class TargetInput:
    level: TargetLevel | str
    dimension: TargetDimension | str
    indicator: str
    planned_value: Decimal
    unit: str = ""
    comparison: Comparison | str = Comparison.AT_LEAST
    weight: Decimal = Decimal("10")


def province_of(project: Project) -> str:
    return project.area_id[:2]


def _require_scope(user: User, project: Project) -> None:
    if not user.is_active or user.area is None or not user.area.contains(project.area_id):
        raise PermissionDenied(_("This project is outside your area."))


def _require_village_cadre_of(user: User, area_code: str) -> None:
    if (
        not user.is_active
        or user.role != Role.VILLAGE_CADRE
        or user.area is None
        or user.area.level != AreaLevel.VILLAGE
        or not user.area.contains(area_code)
    ):
        raise PermissionDenied(_("Only the village's cadres may do this."))


def _event(
    project: Project,
    *,
    user: User | None,
    action: str,
    from_state: str = "",
    comment: str = "",
    data: Mapping[str, Any] | None = None,
) -> ProjectEvent:
    return ProjectEvent.objects.create(
        project=project,
        action=action,
        from_state=from_state or project.state,
        to_state=project.state,
        actor=user,
        comment=comment,
        data=dict(data or {}),
    )


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("area").get(pk=project.pk)


# --- entering and editing a proposal ------------------------------------------------


def _check_project(project: Project) -> None:
    errors: dict[str, list[str]] = {}
    try:
        project.full_clean(exclude=["area", "created_by"])
    except ValidationError as error:
        errors.update(error.message_dict)
    for field, messages in coded_field_errors(
        project, province=province_of(project), year=project.year
    ).items():
        errors.setdefault(field, []).extend(messages)
    if project.planned_start and project.planned_end and project.planned_end < project.planned_start:
        errors.setdefault("planned_end", []).append(_("The completion cannot come before the start."))
    if errors:
        raise ValidationError(errors)


def _covered_villages(project: Project, codes: Iterable[str]) -> list[Area]:
    codes = sorted(set(codes) - {project.area_id})
    township = project.area_id[:9]
    villages = list(Area.objects.filter(code__in=codes, level=AreaLevel.VILLAGE))
    if len(villages) != len(codes) or any(not v.code.startswith(township) for v in villages):
        raise ValidationError({"villages": [_("Only villages of the same township can be covered.")]})
    return villages


def _write_budget(project: Project, budget: Iterable[BudgetInput]) -> list[dict[str, str]]:
    lines: dict[tuple[str, str], Decimal] = {}
    for line in budget:
        if line.amount is None or line.amount < 0 or line.amount != line.amount.quantize(CENT):
            raise ValidationError(
                {"budget": [_("Amounts are yuan with at most two decimals, not negative.")]}
            )
        if line.level not in FundLevel.values:
            raise ValidationError({"budget": [_("Unknown fund level: %(level)s") % {"level": line.level}]})
        key = (str(line.level), line.fund_type)
        lines[key] = lines.get(key, Decimal("0")) + line.amount
    rows = [
        BudgetLine(project=project, level=level, fund_type=fund_type, amount=amount)
        for (level, fund_type), amount in sorted(lines.items())
        if amount > 0
    ]
    for row in rows:
        errors = coded_field_errors(row, province=province_of(project), year=project.year)
        if errors:
            raise ValidationError(
                {"budget": [message for messages in errors.values() for message in messages]}
            )
    project.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(rows)
    return [{"level": r.level, "fund_type": r.fund_type, "amount": str(r.amount)} for r in rows]


def _default_satisfaction_target(project: Project) -> PerformanceTarget:
    target = parameter_value("project_satisfaction_target", year=project.year, province=province_of(project))
    return PerformanceTarget(
        project=project,
        level=TargetLevel.SATISFACTION,
        dimension=TargetDimension.BENEFICIARY_SATISFACTION,
        indicator=_("Beneficiaries' satisfaction"),
        comparison=Comparison.AT_LEAST,
        planned_value=Decimal(str(target)),
        unit="%",
    )


def project_create(
    *,
    user: User,
    budget: Iterable[BudgetInput] = (),
    villages: Iterable[str] = (),
    targets: Iterable[TargetInput] = (),
    **fields: Any,
) -> Project:
    """A village enters a proposal for its own village; it starts as a draft with the
    default satisfaction target, and goes into notice once it is complete."""
    if user.area is None:
        raise PermissionDenied(_("Only the village's cadres may do this."))
    _require_village_cadre_of(user, user.area.code)
    project = Project(
        area=user.area, created_by=user, **{k: v for k, v in fields.items() if k in PROJECT_FIELDS}
    )
    _check_project(project)
    with transaction.atomic():
        project.save()
        project.villages.set(_covered_villages(project, villages))
        recorded_budget = _write_budget(project, budget)
        _default_satisfaction_target(project).save()
        for target in targets:
            _add_target(project, target)
        _event(project, user=user, action=ProjectEventKind.CREATE, data={"budget": recorded_budget})
    return project


def project_update(
    *,
    user: User,
    project: Project,
    budget: Iterable[BudgetInput] | None = None,
    villages: Iterable[str] | None = None,
    **fields: Any,
) -> Project:
    _require_village_cadre_of(user, project.area_id)
    with transaction.atomic():
        locked = _locked(project)
        if locked.state not in EDITABLE_STATES:
            raise ValidationError(_("Only a proposal being prepared can be changed."))
        changed = {}
        for name, value in fields.items():
            if name in PROJECT_FIELDS and getattr(locked, name) != value:
                changed[name] = str(value)
                setattr(locked, name, value)
        _check_project(locked)
        locked.save()
        if villages is not None:
            locked.villages.set(_covered_villages(locked, villages))
            changed["villages"] = ",".join(sorted(villages))
        if budget is not None:
            changed["budget"] = json.dumps(_write_budget(locked, budget), ensure_ascii=False)
        _event(locked, user=user, action=ProjectEventKind.EDIT, data=changed)
    return locked


def _add_target(project: Project, target: TargetInput) -> PerformanceTarget:
    if target.dimension not in TARGET_DIMENSIONS.get(str(target.level), frozenset()):
        raise ValidationError({"dimension": [_("This dimension does not belong to the target level.")]})
    row = PerformanceTarget(
        project=project,
        level=target.level,
        dimension=target.dimension,
        indicator=target.indicator.strip(),
        comparison=target.comparison,
        planned_value=target.planned_value,
        unit=target.unit,
        weight=target.weight,
    )
    row.full_clean(exclude=["project"])
    row.save()
    return row


def target_add(*, user: User, project: Project, target: TargetInput) -> PerformanceTarget:
    _require_village_cadre_of(user, project.area_id)
    with transaction.atomic():
        locked = _locked(project)
        if locked.state not in EDITABLE_STATES:
            raise ValidationError(_("Only a proposal being prepared can be changed."))
        row = _add_target(locked, target)
        _event(locked, user=user, action=ProjectEventKind.TARGETS, comment=str(row), data={"added": row.pk})
    return row


def target_remove(*, user: User, target: PerformanceTarget) -> None:
    project = target.project
    _require_village_cadre_of(user, project.area_id)
    with transaction.atomic():
        locked = _locked(project)
        if locked.state not in EDITABLE_STATES:
            raise ValidationError(_("Only a proposal being prepared can be changed."))
        text = str(target)
        PerformanceTarget.objects.filter(pk=target.pk, project=locked).delete()
        _event(locked, user=user, action=ProjectEventKind.TARGETS, comment=text, data={"removed": target.pk})


# --- beneficiaries ------------------------------------------------------------------


def _project_villages(project: Project) -> set[str]:
    return {project.area_id, *project.villages.values_list("code", flat=True)}


def beneficiary_add(
    *,
    user: User,
    project: Project,
    household: Household,
    benefit_type: str,
    expected_amount: Decimal = Decimal("0"),
    note: str = "",
) -> Beneficiary:
    """The village names the households of its own village that benefit and how."""
    _require_village_cadre_of(user, household.village_id)
    with transaction.atomic():
        locked = _locked(project)
        if household.village_id not in _project_villages(locked):
            raise ValidationError(_("The household lives in a village the project does not cover."))
        if not household.is_active:
            raise ValidationError(_("The household has been removed from the register."))
        if locked.state in {S.ACCEPTED, S.REMOVED, S.WITHDRAWN}:
            raise ValidationError(_("The beneficiaries of a closed project cannot change."))
        if benefit_type not in locked.benefit_mechanisms:
            raise ValidationError(
                {
                    "benefit_type": [
                        _("The project does not name this benefit link; add it to the project first.")
                    ]
                }
            )
        row = Beneficiary(
            project=locked,
            household=household,
            benefit_type=benefit_type,
            expected_amount=expected_amount,
            note=note,
        )
        row.full_clean(exclude=["project", "household"], validate_constraints=False)
        if Beneficiary.objects.filter(
            project=locked, household=household, benefit_type=benefit_type
        ).exists():
            raise ValidationError(_("This household already benefits from the project this way."))
        row.save()
        _event(
            locked,
            user=user,
            action=ProjectEventKind.BENEFICIARIES,
            data={"added": household.pk, "benefit_type": benefit_type, "expected": str(expected_amount)},
        )
    return row


def beneficiary_remove(*, user: User, beneficiary: Beneficiary, reason: str) -> None:
    _require_village_cadre_of(user, beneficiary.household.village_id)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    with transaction.atomic():
        locked = _locked(beneficiary.project)
        if locked.state in {S.ACCEPTED, S.REMOVED, S.WITHDRAWN}:
            raise ValidationError(_("The beneficiaries of a closed project cannot change."))
        Beneficiary.objects.filter(pk=beneficiary.pk).delete()
        _event(
            locked,
            user=user,
            action=ProjectEventKind.BENEFICIARIES,
            comment=reason,
            data={"removed": beneficiary.household_id, "benefit_type": beneficiary.benefit_type},
        )


# --- the steps ----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What a step's handler gets: the locked project, the entered data and files, who and when."""

    project: Project
    data: Mapping[str, Any]
    uploads: list[Upload]
    user: User
    today: datetime.date

    def date(self, name: str, label: str) -> datetime.date:
        value = self.data.get(name)
        if not isinstance(value, datetime.date):
            raise ValidationError({name: [_("Enter the date: %(what)s.") % {"what": label}]})
        if value > self.today:
            raise ValidationError({name: [_("The date cannot be in the future.")]})
        return value

    def require_upload(self, kind: AttachmentKind) -> None:
        if not any(upload.kind == kind for upload in self.uploads):
            raise ValidationError({"file": [_("Attach the %(what)s.") % {"what": kind.label}]})


def entry_problems(project: Project) -> list[str]:
    """Why the project cannot enter the library yet (none: it can)."""
    problems = []
    levels = set(project.targets.values_list("level", flat=True))
    for level in (TargetLevel.OUTPUT, TargetLevel.BENEFIT, TargetLevel.SATISFACTION):
        if level not in levels:
            problems.append(_("No %(level)s target.") % {"level": level.label})
    if not project.benefit_mechanisms:
        problems.append(_("No benefit link to households."))
    if not project.budget_lines.exists():
        problems.append(_("No budget."))
    return problems


def _require_entry_conditions(project: Project) -> None:
    problems = entry_problems(project)
    if problems:
        lead = _("Without performance targets, a benefit link and a budget no project enters the library.")
        raise ValidationError([lead, *problems])


def _start_notice(step: Step) -> dict[str, Any]:
    project = step.project
    province = province_of(project)
    days = int(parameter_value("project_notice_days", year=step.today.year, province=province))
    working = bool(parameter_value("project_notice_working_days", year=step.today.year, province=province))
    project.notice_starts_on = step.today
    project.notice_ends_on = days_after(step.today, days, working_days=working, province=province)
    return {"notice_starts_on": str(project.notice_starts_on), "notice_ends_on": str(project.notice_ends_on)}


def _close_notice(step: Step) -> dict[str, Any]:
    project = step.project
    if project.notice_ends_on is None or step.today < project.notice_ends_on:
        raise ValidationError(
            _("The notice runs until %(date)s; it can be closed after that.")
            % {"date": project.notice_ends_on}
        )
    return {"notice": f"{project.notice_starts_on} – {project.notice_ends_on}"}


def _submit_proposal(step: Step) -> dict[str, Any]:
    _require_entry_conditions(step.project)
    step.require_upload(AttachmentKind.MEETING_MINUTES)
    step.project.meeting_on = step.date("meeting_on", _("villagers' meeting"))
    return {"meeting_on": str(step.project.meeting_on), **_start_notice(step)}


def _record_review(step: Step) -> dict[str, Any]:
    conclusion = str(step.data.get("review_conclusion", "")).strip()
    if not conclusion:
        raise ValidationError({"review_conclusion": [_("Write down the joint review's conclusion.")]})
    step.project.review_conclusion = conclusion
    return {"review_conclusion": conclusion}


def _county_approve(step: Step) -> dict[str, Any]:
    _require_entry_conditions(step.project)
    step.project.approved_on = step.today
    return _start_notice(step)


def _close_announcement(step: Step) -> dict[str, Any]:
    recorded = _close_notice(step)
    step.project.entered_library_on = step.today
    return recorded


def _select_for_plan(step: Step) -> dict[str, Any]:
    year = step.data.get("plan_year") or step.today.year
    if not isinstance(year, int) or not step.project.year <= year <= step.today.year + 1:
        raise ValidationError({"plan_year": [_("Choose a plan year from the library year to next year.")]})
    step.project.plan_year = year
    return {"plan_year": year}


def _start(step: Step) -> dict[str, Any]:
    step.project.started_on = step.date("started_on", _("start of works"))
    return {"started_on": str(step.project.started_on)}


def self_evaluation_score(targets: Iterable[PerformanceTarget]) -> Decimal | None:
    """The self-evaluation at completion: each target's weight times the share achieved,
    out of 100 (None while a target has no achieved value)."""
    targets = list(targets)
    total_weight = sum((t.weight for t in targets), Decimal("0"))
    if not targets or total_weight <= 0:
        return None
    earned = Decimal("0")
    for target in targets:
        achievement = target.achievement
        if achievement is None:
            return None
        earned += target.weight * achievement
    return (earned * 100 / total_weight).quantize(CENT)


def _complete(step: Step) -> dict[str, Any]:
    project = step.project
    project.completed_on = step.date("completed_on", _("completion"))
    achieved: Mapping[Any, Any] = step.data.get("achieved") or {}
    targets = list(project.targets.all())
    missing = []
    for target in targets:
        value = achieved.get(target.pk, achieved.get(str(target.pk)))
        if value is None or value == "":
            missing.append(target.indicator)
            continue
        target.achieved_value = Decimal(str(value)).quantize(CENT)
    if missing:
        raise ValidationError(
            {"achieved": [_("Record the achieved value of: %(targets)s") % {"targets": "、".join(missing)}]}
        )
    PerformanceTarget.objects.bulk_update(targets, ["achieved_value"])
    project.self_evaluation_score = self_evaluation_score(targets)
    project.completion_percent = 100
    return {
        "completed_on": str(project.completed_on),
        "achieved": {str(t.pk): str(t.achieved_value) for t in targets},
        "score": str(project.self_evaluation_score),
    }


def _accept(step: Step) -> dict[str, Any]:
    step.require_upload(AttachmentKind.ACCEPTANCE_REPORT)
    project = step.project
    project.accepted_on = step.date("accepted_on", _("acceptance"))
    if project.completed_on and project.accepted_on < project.completed_on:
        raise ValidationError({"accepted_on": [_("Acceptance cannot come before completion.")]})
    note = str(step.data.get("acceptance_note", "")).strip()
    if not note:
        raise ValidationError({"acceptance_note": [_("Write down the acceptance result.")]})
    project.acceptance_note = note
    return {"accepted_on": str(project.accepted_on), "acceptance_note": note}


def _return(step: Step) -> dict[str, Any]:
    step.project.notice_starts_on = step.project.notice_ends_on = None
    return {}


STEP_HANDLERS: dict[str, Callable[[Step], dict[str, Any]]] = {
    A.SUBMIT_PROPOSAL: _submit_proposal,
    A.CLOSE_VILLAGE_NOTICE: _close_notice,
    A.TOWNSHIP_APPROVE: _start_notice,
    A.CLOSE_TOWNSHIP_NOTICE: _close_notice,
    A.RECORD_REVIEW: _record_review,
    A.COUNTY_APPROVE: _county_approve,
    A.CLOSE_ANNOUNCEMENT: _close_announcement,
    A.SELECT_FOR_PLAN: _select_for_plan,
    A.START: _start,
    A.COMPLETE: _complete,
    A.ACCEPT: _accept,
    A.RETURN: _return,
}


def project_transition(
    *,
    user: User,
    project: Project,
    action: str,
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    uploads: Iterable[Upload] = (),
) -> Project:
    """Make one move of the table; refused moves raise and leave the project as it was."""
    _require_scope(user, project)
    uploads = list(uploads)
    # Checked by content before anything is written: a refused file leaves the project as it was.
    checked = [(upload.kind, clean_document(upload.file, field="file")) for upload in uploads]
    today = timezone.localdate()
    with transaction.atomic():
        locked = _locked(project)
        transition = TRANSITIONS.resolve(
            user=user,
            action=action,
            state=locked.state,
            state_label=locked.get_state_display(),
            comment=comment,
        )
        from_state = locked.state
        handler = STEP_HANDLERS.get(action)
        recorded = handler(Step(locked, data or {}, uploads, user, today)) if handler else {}
        locked.state = transition.target
        locked.save()
        event = _event(
            locked, user=user, action=action, from_state=from_state, comment=comment, data=recorded
        )
        for kind, clean in checked:
            _attach(locked, kind, clean, user=user, event=event)
    return locked


def _attach(
    project: Project, kind: AttachmentKind, upload: CleanUpload, *, user: User, event: ProjectEvent | None
) -> ProjectAttachment:
    return ProjectAttachment.objects.create(
        project=project,
        event=event,
        kind=kind,
        file=upload.content,
        original_name=upload.original_name,
        uploaded_by=user,
    )


def progress_record(*, user: User, project: Project, progress: int, note: str = "") -> Project:
    """The county or the township records how far the works have come."""
    _require_scope(user, project)
    if user.role not in (Role.COUNTY_OFFICER, Role.TOWNSHIP_REVIEWER):
        raise PermissionDenied(_("Only the township or the county records progress."))
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": [_("Progress is a percentage from 0 to 100.")]})
    with transaction.atomic():
        locked = _locked(project)
        if locked.state != S.UNDER_WAY:
            raise ValidationError(_("Progress is recorded while the works are under way."))
        previous = locked.completion_percent
        locked.completion_percent = progress
        locked.save(update_fields=["completion_percent"])
        _event(
            locked,
            user=user,
            action=ProjectEventKind.PROGRESS,
            comment=note,
            data={"from": previous, "to": progress},
        )
    return locked


# --- reference data -----------------------------------------------------------------


def project_seed() -> dict[str, Any]:
    text = resources.files("jingzhun.projects").joinpath("data/projects.json").read_text("utf-8")
    return json.loads(text)


def load_project_data(**models: Any) -> None:
    """Upsert the project code lists and parameters (a data migration passes its models)."""
    load_seed(project_seed(), **(models or {"parameter_model": Parameter}))
