"""Writes to the register. Each service checks the user's role and area,
validates, saves, and records a HouseholdChange in the same transaction."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.accounts.roles import Capability
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.codelists.validation import coded_field_errors
from jingzhun.core.crypto import sealed_for_audit
from jingzhun.registry.choices import (
    ChangeAction,
)
from jingzhun.registry.income import RECORD_AMOUNT_FIELDS, income_record_values
from jingzhun.registry.models import (
    Household,
    HouseholdChange,
    IncomeRecord,
    LivingConditions,
    Member,
    MonitoringObject,
    StatusChange,
)
from jingzhun.registry.rules import MemberBatch, check_members

# Fields never copied into the change history: bookkeeping, not data.
_UNTRACKED = {"id", "created_at", "updated_at", "household"}
# Derived income figures follow from the entered ones; recording them too would only add noise.
_DERIVED_INCOME = frozenset(
    {
        "resident_members",
        "transfer_income",
        "annual_income",
        "net_income",
        "per_capita_net_income",
    }
)
STATUS_FIELDS = ("attribute", "poverty_status")


def history_value(value: Any) -> Any:
    """A value as the change history stores it (JSON): amounts and dates as text. The
    register's writer stores its values the same way."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    return {
        field.attname: history_value(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if field.name not in _UNTRACKED
    }


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = list(after) + [key for key in before if key not in after]
    return {key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)}


def _record(
    *, user: User | None, household_id: int, action: str, instance: models.Model, changes: dict[str, Any]
) -> HouseholdChange:
    return HouseholdChange.objects.create(
        household_id=household_id,
        action=action,
        record_type=instance._meta.model_name or "",
        record_id=instance.pk,
        record_label=str(instance)[:100],
        changes=sealed_for_audit(type(instance), changes),
        actor=user,
    )


def _save_with_history(
    *,
    user: User,
    household_id: int,
    instance: models.Model,
    before: dict[str, Any] | None,
    ignore: frozenset[str] = frozenset(),
) -> dict[str, list[Any]]:
    """Save ``instance`` and, if anything changed, record it and mark the household
    as changed (incremental screening picks it up). ``before`` is None for a new record.
    Must run inside the caller's transaction."""
    instance.save()
    changes = {k: v for k, v in _diff(before or {}, snapshot(instance)).items() if k not in ignore}
    if changes or before is None:
        action = ChangeAction.CREATE if before is None else ChangeAction.UPDATE
        _record(user=user, household_id=household_id, action=action, instance=instance, changes=changes)
        if not isinstance(instance, Household):
            Household.objects.filter(pk=household_id).update(updated_at=timezone.now())
    return changes


def _assign(instance: models.Model, fields: dict[str, Any], *, managed: frozenset[str] = frozenset()) -> None:
    """Set ``fields`` on ``instance``, refusing any name that is not one of its editable
    fields or that the service sets itself (keys, the household, computed figures):
    a misspelt name would otherwise be set as a stray attribute and silently ignored."""
    editable = {
        name
        for field in instance._meta.concrete_fields
        if field.editable and not field.primary_key
        for name in (field.name, field.attname)
    }
    unknown = sorted(name for name in fields if name not in editable or name in managed)
    if unknown:
        raise TypeError(
            f"{type(instance).__name__} has no field the caller may set named {', '.join(unknown)}"
        )
    for name, value in fields.items():
        setattr(instance, name, value)


_MANAGED_BY_SERVICE = frozenset({"household", "household_id", "created_at", "updated_at"})


def _require_edit(user: User, village_code: str) -> None:
    if not user.can(Capability.EDIT_REGISTER):
        raise PermissionDenied(_("Your role may not change the register."))
    if user.area is None or not user.area.contains(village_code):
        raise PermissionDenied(_("This household is outside your area."))


def _province(village_code: str) -> str:
    return village_code[:2]


def _validate(instance: models.Model, *, village_code: str, exclude: list[str] | None = None) -> None:
    errors: dict[str, list[str]] = {}
    try:
        instance.full_clean(exclude=exclude, validate_unique=True)
    except ValidationError as error:
        errors.update({key: [str(m) for m in value] for key, value in error.message_dict.items()})
    for key, messages in coded_field_errors(
        instance, year=timezone.localdate().year, province=_province(village_code)
    ).items():
        errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


# --- households ---------------------------------------------------------------


def status_changes_record(*, household: Household, changes: dict[str, list[Any]], user: User | None) -> None:
    """The attribute / poverty-status history for ``changes`` (field → [old, new]) of a saved household."""
    StatusChange.objects.bulk_create(
        status_changes_for(household_id=household.pk, changes=changes, user=user)
    )


def status_changes_for(
    *, household_id: int, changes: dict[str, list[Any]], user: User | None
) -> list[StatusChange]:
    """The unsaved history records for ``changes``, for callers that write many households at once."""
    return [
        StatusChange(
            household_id=household_id,
            field=name,
            old_value=changes[name][0] or "",
            new_value=changes[name][1] or "",
            changed_by=user,
        )
        for name in STATUS_FIELDS
        if name in changes
    ]


def household_create(*, user: User, village: Area, **fields: Any) -> Household:
    _require_edit(user, village.code)
    if village.level != AreaLevel.VILLAGE:
        raise ValidationError({"village": [_("A household belongs to a village.")]})
    household = Household(village=village)
    _assign(household, fields, managed=_MANAGED_BY_SERVICE | {"village", "village_id"})
    _validate(household, village_code=village.code)
    with transaction.atomic():
        household.save()
        _record(
            user=user,
            household_id=household.pk,
            action=ChangeAction.CREATE,
            instance=household,
            changes=_diff({}, snapshot(household)),
        )
        # Recorded like every record created, as the register's writer does for a sheet's households.
        _save_with_history(
            user=user, household_id=household.pk, instance=LivingConditions(household=household), before=None
        )
    return household


def household_update(*, user: User, household: Household, **fields: Any) -> Household:
    _require_edit(user, household.village_id)
    with transaction.atomic():
        locked = Household.objects.select_for_update().get(pk=household.pk)
        before = snapshot(locked)
        _assign(locked, fields, managed=_MANAGED_BY_SERVICE)
        # Moving a household is allowed only into a village the user also manages.
        _require_edit(user, locked.village_id)
        _validate(locked, village_code=locked.village_id)
        changes = _save_with_history(user=user, household_id=locked.pk, instance=locked, before=before)
        status_changes_record(household=locked, changes=changes, user=user)
    return locked


# --- members ------------------------------------------------------------------


class _FieldErrors:
    """The sink of ``registry.rules`` for a member entered on the form: its problems as
    the form's field errors, its warnings (a historical area code) as messages."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.warnings: list[str] = []

    def fail_at(self, index: int, key: str, value: object, reason: str) -> None:
        self.errors[key.removeprefix("member.")].append(reason)

    def warn_at(self, index: int, key: str, value: object, reason: str) -> None:
        self.warnings.append(reason)

    def fail_household(self, number: str, key: str, value: object, reason: str) -> None:
        self.errors[key.removeprefix("member.")].append(reason)


def _check_member(member: Member, *, warnings: list[str]) -> None:
    """The register's member rules (``registry.rules``, as for a sheet) for this one
    member: its ID number normalised, birth date and sex derived or compared, the number
    not registered to anyone else, at most one head in the household."""
    number = member.household.household_number
    batch = MemberBatch(
        members={
            "name": [member.name],
            "relation_to_head": [member.relation_to_head],
            "id_type": [member.id_type],
            "birth_date": [member.birth_date],
            "sex": [member.sex or None],
        },
        raw_id_numbers=[member.id_number],
        numbers=[number],
        households={number: [0]},
        member_pks=[member.pk],
        whole_households=False,
    )
    sink = _FieldErrors()
    check_members(batch, sink)
    if sink.errors:
        raise ValidationError(dict(sink.errors))
    member.id_number = batch.members["id_number"][0]
    member.birth_date = batch.members["birth_date"][0]
    member.sex = batch.members["sex"][0]
    warnings.extend(sink.warnings)


def _member_save(*, user: User, member: Member, before: dict[str, Any] | None) -> list[str]:
    """Check, save and record a member; returns warnings (e.g. a historical area code)."""
    household = member.household
    warnings: list[str] = []
    _check_member(member, warnings=warnings)
    _validate(member, village_code=household.village_id)
    changes = _save_with_history(user=user, household_id=household.pk, instance=member, before=before)
    if before is None or "is_resident" in changes:
        _refresh_latest_income(household)
    return warnings


def member_create(*, user: User, household: Household, **fields: Any) -> tuple[Member, list[str]]:
    _require_edit(user, household.village_id)
    member = Member(household=household)
    _assign(member, fields, managed=_MANAGED_BY_SERVICE)
    with transaction.atomic():
        warnings = _member_save(user=user, member=member, before=None)
    return member, warnings


def member_update(*, user: User, member: Member, **fields: Any) -> tuple[Member, list[str]]:
    _require_edit(user, member.household.village_id)
    with transaction.atomic():
        locked = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
        before = snapshot(locked)
        _assign(locked, fields, managed=_MANAGED_BY_SERVICE)
        warnings = _member_save(user=user, member=locked, before=before)
    return locked, warnings


def member_delete(*, user: User, member: Member) -> None:
    household = member.household
    _require_edit(user, household.village_id)
    with transaction.atomic():
        _record(
            user=user,
            household_id=household.pk,
            action=ChangeAction.DELETE,
            instance=member,
            changes=_diff(snapshot(member), {}),
        )
        member.delete()
        _refresh_latest_income(household)
        Household.objects.filter(pk=household.pk).update(updated_at=timezone.now())


# --- incomes and living conditions -------------------------------------------


def _apply_income_figures(record: IncomeRecord, resident_members: int) -> None:
    amounts = {name: getattr(record, name) for name in RECORD_AMOUNT_FIELDS}
    for name, value in income_record_values(amounts, resident_members).items():
        setattr(record, name, value)


def _resident_count(household: Household) -> int:
    return Member.objects.filter(household=household, is_resident=True).count()


def _refresh_latest_income(household: Household) -> None:
    """A member joining or leaving changes the per-capita figure of the latest year
    (the one monitoring uses); earlier years keep the household size they were
    recorded with."""
    latest = IncomeRecord.objects.filter(household=household).order_by("-year").first()
    if latest is not None:
        _apply_income_figures(latest, _resident_count(household))
        latest.save()


def income_record_save(*, user: User, household: Household, year: int, **amounts: Any) -> IncomeRecord:
    _require_edit(user, household.village_id)
    with transaction.atomic():
        record = IncomeRecord.objects.select_for_update().filter(household=household, year=year).first()
        before = None if record is None else snapshot(record)
        record = record or IncomeRecord(household=household, year=year)
        # Only the amounts: the year is the argument, the figures are computed.
        _assign(record, amounts, managed=_MANAGED_BY_SERVICE | _DERIVED_INCOME | {"year"})
        _apply_income_figures(record, _resident_count(household))
        _validate(record, village_code=household.village_id)
        _save_with_history(
            user=user, household_id=household.pk, instance=record, before=before, ignore=_DERIVED_INCOME
        )
    return record


def living_conditions_save(*, user: User, household: Household, **fields: Any) -> LivingConditions:
    _require_edit(user, household.village_id)
    with transaction.atomic():
        conditions, _created = LivingConditions.objects.select_for_update().get_or_create(household=household)
        before = snapshot(conditions)
        _assign(conditions, fields, managed=_MANAGED_BY_SERVICE)
        _validate(conditions, village_code=household.village_id)
        _save_with_history(user=user, household_id=household.pk, instance=conditions, before=before)
    return conditions


# --- sensitive data ------------------------------------------------------------


def sensitive_reveal(*, user: User, household: Household, fields: list[str]) -> None:
    """Record that ``user`` was shown the full value of masked fields."""
    if not user.can(Capability.REVEAL_SENSITIVE):
        raise PermissionDenied(_("Your role may not see these details in full."))
    if user.area is None or not user.area.contains(household.village_id):
        raise PermissionDenied(_("This household is outside your area."))
    _record(
        user=user,
        household_id=household.pk,
        action=ChangeAction.REVEAL,
        instance=household,
        changes={"fields": fields},
    )


def phone_reveal_for_check(*, user: User, household: Household, purpose: str) -> str:
    """The household's phone for a check another procedure has drawn it for (a phone
    spot-check): shown to a role that may not otherwise see it, and recorded with the
    purpose. The caller has checked that the household is drawn for this user."""
    _record(
        user=user,
        household_id=household.pk,
        action=ChangeAction.REVEAL,
        instance=household,
        changes={"fields": ["phone"], "purpose": purpose},
    )
    return household.phone


# --- outcomes of procedures -----------------------------------------------------
# The procedures (jingzhun.cases) check who may decide; these record the decision
# in the register with its history. They must run inside the caller's transaction.


def household_record_save(*, user: User, instance: models.Model) -> dict[str, list[Any]]:
    """Save a record another app keeps about a household (a measure, a visit) with its
    history; the caller has checked the user and runs the transaction."""
    household_id: int = instance.household_id  # type: ignore[attr-defined]
    before = snapshot(type(instance)._default_manager.get(pk=instance.pk)) if instance.pk else None
    return _save_with_history(user=user, household_id=household_id, instance=instance, before=before)


def income_ledger_add(*, user: User, household: Household, year: int, asset_income: Decimal) -> IncomeRecord:
    """Add income a ledger paid the household (project assets' distributions) to its year's
    record, creating the record if needed, and recompute the figures; the caller has
    checked the user and runs the transaction."""
    record = IncomeRecord.objects.select_for_update().filter(household=household, year=year).first()
    before = None if record is None else snapshot(record)
    record = record or IncomeRecord(household=household, year=year)
    record.asset_income = (record.asset_income or Decimal("0")) + asset_income
    _apply_income_figures(record, _resident_count(household))
    _save_with_history(
        user=user, household_id=household.pk, instance=record, before=before, ignore=_DERIVED_INCOME
    )
    return record


def monitoring_episode_record(*, user: User, episode: MonitoringObject) -> MonitoringObject:
    """Save a new or changed monitoring episode and record the change."""
    before = None
    if episode.pk is not None:
        before = snapshot(MonitoringObject.objects.get(pk=episode.pk))
    _save_with_history(user=user, household_id=episode.household_id, instance=episode, before=before)
    return episode


def household_status_set(
    *, user: User, household: Household, lifted_out_year: int | None = None, **statuses: str
) -> Household:
    """Change a household's attribute and/or poverty status, keeping both histories."""
    unknown = set(statuses) - set(STATUS_FIELDS)
    if unknown:
        raise ValueError(f"not a status field: {sorted(unknown)}")
    locked = Household.objects.select_for_update().get(pk=household.pk)
    before = snapshot(locked)
    for name, value in statuses.items():
        setattr(locked, name, value)
    if lifted_out_year is not None:
        locked.lifted_out_year = lifted_out_year
    changes = _save_with_history(user=user, household_id=locked.pk, instance=locked, before=before)
    status_changes_record(household=locked, changes=changes, user=user)
    return locked
