"""The rectification ledger (问题整改台账): every finding, from any source, with its
responsible area, deadline by severity, the measures submitted and the sign-off.

Who may do what: findings are raised by supervisors, county officers and township
reviewers over areas below them; the responsible area's own staff (its village cadres,
township reviewers or county officers) submit the rectification; staff of the area that
issued the finding sign it off or return it with a reason. Every move is one row of
``workflow.TRANSITIONS``, locked and recorded in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.codelists.selectors import parameter_value
from jingzhun.codelists.validation import coded_field_errors
from jingzhun.core.uploads import CleanUpload, Readable, clean_image
from jingzhun.oversight.choices import PhotoStage, RectificationAction, RectificationEventKind, Severity
from jingzhun.oversight.models import Finding, FindingEvent, FindingPhoto, Inspection, InspectionVisit
from jingzhun.oversight.workflow import TRANSITIONS
from jingzhun.quality.selectors import issue_counts_by_village
from jingzhun.registry.models import Household

A = RectificationAction
# A finding the data-quality catalogue raised is keyed by its rule: "quality:<rule>".
QUALITY_KEY_PREFIX = "quality:"
RAISERS = frozenset({Role.SUPERVISOR, Role.COUNTY_OFFICER, Role.TOWNSHIP_REVIEWER, Role.SYSTEM_ADMIN})
# Who answers for an area of each level.
RESPONSIBLE_ROLE = {
    AreaLevel.VILLAGE: Role.VILLAGE_CADRE,
    AreaLevel.TOWNSHIP: Role.TOWNSHIP_REVIEWER,
    AreaLevel.COUNTY: Role.COUNTY_OFFICER,
}


def inspection_create(
    *,
    user: User,
    area: Area,
    title: str,
    team: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    undercover: bool = False,
) -> Inspection:
    """An inspection (or an undercover visit) of an area below the user's; its findings follow."""
    if user.role not in RAISERS or user.area is None or not user.area.contains(area.code):
        raise PermissionDenied(_("Findings are raised by an inspecting level over the areas below it."))
    if ends_on < starts_on:
        raise ValidationError({"ends_on": [_("The inspection cannot end before it starts.")]})
    inspection = Inspection(
        area=area,
        title=title.strip(),
        team=team.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        undercover=undercover,
        created_by=user,
    )
    inspection.full_clean(exclude=["area", "created_by"])
    inspection.save()
    return inspection


def inspection_visit_record(
    *,
    user: User,
    inspection: Inspection,
    village: Area,
    visited_on: datetime.date,
    notes: str,
    household: Household | None = None,
) -> InspectionVisit:
    """A village (and a household in it) the inspection's team saw on a day."""
    if user.role not in RAISERS or user.area_id is None or user.area_id != inspection.created_by.area_id:
        raise PermissionDenied(_("Visits are recorded by the level that made the inspection."))
    errors: dict[str, list[str]] = {}
    if village.level != AreaLevel.VILLAGE or not inspection.area.contains(village.code):
        errors["village"] = [_("Choose a village of the area inspected.")]
    if household is not None and household.village_id != village.code:
        errors["household_number"] = [_("The household does not live in this village.")]
    if not inspection.starts_on <= visited_on <= inspection.ends_on:
        errors["visited_on"] = [
            _("The inspection ran from %(start)s to %(end)s.")
            % {"start": inspection.starts_on, "end": inspection.ends_on}
        ]
    elif visited_on > timezone.localdate():
        errors["visited_on"] = [_("The date cannot be in the future.")]
    if not notes.strip():
        errors["notes"] = [_("Write what was seen.")]
    if errors:
        raise ValidationError(errors)
    return InspectionVisit.objects.create(
        inspection=inspection,
        village=village,
        household=household,
        visited_on=visited_on,
        notes=notes.strip(),
        recorded_by=user,
    )


def _store_photos(finding: Finding, photos: list[CleanUpload], stage: str, user: User) -> None:
    for photo in photos:
        FindingPhoto.objects.create(
            finding=finding,
            stage=stage,
            file=photo.content,
            original_name=photo.original_name,
            uploaded_by=user,
        )


def deadline_for(severity: str, raised_on: datetime.date, province: str) -> datetime.date:
    days = int(parameter_value(f"rectification_days_{severity}", year=raised_on.year, province=province))
    return raised_on + datetime.timedelta(days=days)


def finding_raise(
    *,
    user: User | None,
    area: Area,
    source: str,
    problem_type: str,
    description: str,
    severity: str = Severity.MEDIUM,
    issuing_area: Area | None = None,
    raised_on: datetime.date | None = None,
    raised_by_user: User | None = None,
    delegate_sign_off: bool = False,
    photos: Iterable[Readable] = (),
    **links: Any,
) -> Finding:
    """Record a finding against ``area``; ``user`` None: entered by another procedure on behalf
    of ``issuing_area`` (a confirmed fund finding), recorded under ``raised_by_user``.
    ``photos`` are the evidence of the problem, each checked before anything is written."""
    if user is not None:
        if (
            user.role not in RAISERS
            or user.area is None
            or not user.area.contains(area.code)
            or user.area == area
        ):
            raise PermissionDenied(_("Findings are raised by an inspecting level over the areas below it."))
        issuing_area = user.area
    if issuing_area is None:
        raise ValueError("a finding needs the area that issued it")
    if area.level not in RESPONSIBLE_ROLE:
        raise ValidationError({"area": [_("A finding concerns a village, a township or a county.")]})
    if not description.strip():
        raise ValidationError({"description": [_("Describe the problem.")]})
    visit = links.get("visit")
    if visit is not None:
        if links.get("inspection") not in (None, visit.inspection):
            raise ValidationError({"visit": [_("The visit belongs to another inspection.")]})
        if not area.contains(visit.village_id):
            raise ValidationError({"visit": [_("The visit was not in the responsible area.")]})
        links["inspection"] = visit.inspection
    checked = [clean_image(photo, field="photos") for photo in photos]
    raised_on = raised_on or timezone.localdate()
    finding = Finding(
        source=source,
        problem_type=problem_type,
        severity=severity,
        area=area,
        issuing_area=issuing_area,
        description=description.strip(),
        raised_by=user or raised_by_user or _system_user(),
        raised_on=raised_on,
        deadline=deadline_for(severity, raised_on, area.code[:2]),
        # Delegated: the responsible area's parent signs off (it must lie under the issuer).
        sign_off_area=(
            area.parent
            if delegate_sign_off and area.parent and issuing_area.contains(area.parent.code)
            else issuing_area
        ),
        **links,
    )
    errors = coded_field_errors(finding, province=area.code[:2], year=raised_on.year)
    if errors:
        raise ValidationError(errors)
    finding.full_clean(
        exclude=["area", "issuing_area", "raised_by", "household", "case", "project", "inspection", "visit"]
    )
    with transaction.atomic():
        finding.save()
        _store_photos(finding, checked, PhotoStage.PROBLEM, finding.raised_by)
        FindingEvent.objects.create(
            finding=finding,
            action=RectificationEventKind.RAISE,
            from_state="",
            to_state=finding.state,
            actor=user,
        )
    return finding


def _system_user() -> User:
    """The account system-raised findings are recorded under (the first administrator)."""
    admin = User.objects.filter(role=Role.SYSTEM_ADMIN).order_by("pk").first()
    if admin is None:
        raise PermissionDenied(_("No administrator account to record a system finding under."))
    return admin


def _check_area(user: User, finding: Finding, action: str) -> None:
    area = user.area
    if area is None:
        raise PermissionDenied(_("This finding is outside your area."))
    if action == A.SUBMIT:
        if area.code != finding.area_id or RESPONSIBLE_ROLE.get(AreaLevel(area.level)) != user.role:
            raise PermissionDenied(_("Only the responsible area submits its rectification."))
    elif area.code != (finding.sign_off_area_id or finding.issuing_area_id):
        raise PermissionDenied(_("Only the level that issued the finding signs it off or returns it."))


def _check_data_corrected(finding: Finding) -> None:
    """A finding of the data-quality catalogue is signed off only once the catalogue no
    longer finds its error in the village."""
    if not finding.source_key.startswith(QUALITY_KEY_PREFIX):
        return
    rule = finding.source_key.removeprefix(QUALITY_KEY_PREFIX)
    counts = issue_counts_by_village(area=finding.area, codes=[rule])
    remaining = counts.get((finding.area_id, rule), 0)
    if remaining:
        raise ValidationError(
            _(
                "The data-quality catalogue still finds this error in %(count)s households of the"
                " village: correct the data before signing off."
            )
            % {"count": remaining}
        )


def moves_for(user: User, finding: Finding) -> list[Any]:
    """The moves this user may make on this finding now (what the page offers)."""
    allowed = []
    for transition in TRANSITIONS.available(user, finding.state):
        try:
            _check_area(user, finding, transition.action)
        except PermissionDenied:
            continue
        allowed.append(transition)
    return allowed


def finding_transition(
    *,
    user: User,
    finding: Finding,
    action: str,
    comment: str = "",
    measures: str = "",
    photos: Iterable[Readable] = (),
) -> Finding:
    """One move of the ledger's table; a submission may carry photos of the rectification."""
    checked = [clean_image(photo, field="photos") for photo in photos]
    if checked and action != A.SUBMIT:
        raise ValidationError({"photos": [_("Photos go with the rectification submitted.")]})
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        transition = TRANSITIONS.resolve(
            user=user,
            action=action,
            state=locked.state,
            state_label=locked.get_state_display(),
            comment=comment,
        )
        _check_area(user, locked, action)
        from_state = locked.state
        data: dict[str, Any] = {}
        if action == A.SUBMIT:
            if not measures.strip():
                raise ValidationError({"measures": [_("Describe the rectification measures taken.")]})
            locked.measures, locked.rectified_on = measures.strip(), timezone.localdate()
            data = {"measures": locked.measures, "photos": len(checked)}
            _store_photos(locked, checked, PhotoStage.RECTIFIED, user)
        elif action == A.SIGN_OFF:
            _check_data_corrected(locked)
            locked.signed_off_on = timezone.localdate()
        locked.state = transition.target
        locked.save()
        FindingEvent.objects.create(
            finding=locked,
            action=action,
            from_state=from_state,
            to_state=locked.state,
            actor=user,
            comment=comment,
            data=data,
        )
    return locked
