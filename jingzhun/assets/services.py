"""Writes of the asset ledger: registering the assets of an accepted project, their
rights and operation, income, its distribution to households (which flows into the
household's income for the year), and disposal by the table in ``workflow``.

Every write checks the user's role and area and writes its ``AssetEvent`` in the same
transaction. A distribution locks its income row, so that all distributions of one
income never add up to more than the income, whoever writes them at once.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.choices import AreaLevel
from jingzhun.assets.choices import (
    AssetAction,
    AssetEventKind,
    AssetState,
    AssetType,
    DisposalMode,
    OwnerKind,
)
from jingzhun.assets.models import Asset, AssetEvent, AssetIncome, Distribution
from jingzhun.assets.workflow import TRANSITIONS
from jingzhun.core.money import ZERO, parse_yuan
from jingzhun.projects.choices import ProjectState
from jingzhun.projects.models import Beneficiary, Project
from jingzhun.registry.models import Household
from jingzhun.registry.services import income_ledger_add

S = AssetState
# The rights and operation a village or the county may record on an asset in use.
RIGHTS_FIELDS = (
    "operator",
    "contract_number",
    "contract_start",
    "contract_end",
    "income_rule",
    "supervisor",
    "custodian",
    "location",
)
REGISTER_FIELDS = (
    "name",
    "asset_type",
    "quantity",
    "unit",
    "value",
    "year_formed",
    "owner_kind",
    "owner_name",
    *RIGHTS_FIELDS,
)


def _event(
    asset: Asset,
    *,
    user: User,
    action: str,
    from_state: str = "",
    comment: str = "",
    data: Mapping[str, Any] | None = None,
) -> AssetEvent:
    return AssetEvent.objects.create(
        asset=asset,
        action=action,
        from_state=from_state or asset.state,
        to_state=asset.state,
        actor=user,
        comment=comment,
        data=dict(data or {}),
    )


def _is(user: User, role: Role, level: AreaLevel, code: str) -> bool:
    area = user.area
    return bool(
        user.is_active
        and user.role == role
        and area is not None
        and area.level == level
        and area.contains(code)
    )


def _require_keeper(user: User, asset: Asset) -> None:
    """The village whose ledger holds the asset, or the county above it."""
    if not (
        _is(user, Role.VILLAGE_CADRE, AreaLevel.VILLAGE, asset.village_id)
        or _is(user, Role.COUNTY_OFFICER, AreaLevel.COUNTY, asset.village_id)
    ):
        raise PermissionDenied(_("Only the asset's village or the county records this."))


def _check(asset: Asset) -> None:
    errors: dict[str, list[str]] = {}
    try:
        asset.full_clean(exclude=["project", "village", "owner_household", "registered_by"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if asset.owner_kind == OwnerKind.HOUSEHOLD and asset.owner_household_id is None:
        errors.setdefault("owner_household", []).append(_("Name the household that owns it."))
    if asset.asset_type == AssetType.HOUSEHOLD and asset.owner_kind != OwnerKind.HOUSEHOLD:
        errors.setdefault("owner_kind", []).append(_("A household asset is owned by a household."))
    if asset.contract_start and asset.contract_end and asset.contract_end < asset.contract_start:
        errors.setdefault("contract_end", []).append(_("The contract cannot end before it starts."))
    if errors:
        raise ValidationError(errors)


def asset_register(
    *,
    user: User,
    project: Project,
    village_code: str,
    owner_household: Household | None = None,
    **fields: Any,
) -> Asset:
    """On acceptance the county registers what the project formed."""
    if not _is(user, Role.COUNTY_OFFICER, AreaLevel.COUNTY, project.area_id):
        raise PermissionDenied(_("Only the county registers the assets of its projects."))
    unknown = sorted(set(fields) - set(REGISTER_FIELDS))
    if unknown:
        raise TypeError(f"Asset has no field the caller may set named {', '.join(unknown)}")
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        if project.state != ProjectState.ACCEPTED:
            raise ValidationError(_("Assets are registered once the project has been accepted."))
        villages = {project.area_id, *project.villages.values_list("code", flat=True)}
        if village_code not in villages:
            raise ValidationError({"village": [_("The asset lies in a village the project does not cover.")]})
        if owner_household is not None and owner_household.village_id not in villages:
            raise ValidationError(
                {"owner_household": [_("The household lives outside the project's villages.")]}
            )
        asset = Asset(
            project=project,
            village_id=village_code,
            owner_household=owner_household,
            registered_by=user,
            **fields,
        )
        if "value" in fields:
            asset.value = parse_yuan(fields["value"], field="value", allow_zero=True)
        _check(asset)
        asset.save()
        _event(asset, user=user, action=AssetEventKind.REGISTER, data={"value": str(asset.value)})
    return asset


def asset_rights_save(*, user: User, asset: Asset, **fields: Any) -> Asset:
    """Record who runs the asset, under which contract, how income is shared, who supervises and keeps it."""
    _require_keeper(user, asset)
    unknown = sorted(set(fields) - set(RIGHTS_FIELDS))
    if unknown:
        raise TypeError(f"Asset has no field the caller may set named {', '.join(unknown)}")
    with transaction.atomic():
        locked = Asset.objects.select_for_update().get(pk=asset.pk)
        if locked.state == S.DISPOSED:
            raise ValidationError(_("A disposed asset stays in the ledger as it was."))
        changes = {
            name: [str(getattr(locked, name)), str(value)]
            for name, value in fields.items()
            if getattr(locked, name) != value
        }
        for name, value in fields.items():
            setattr(locked, name, value)
        _check(locked)
        locked.save()
        _event(locked, user=user, action=AssetEventKind.EDIT, data=changes)
    return locked


def income_record(
    *,
    user: User,
    asset: Asset,
    year: int,
    period: str,
    received_on: datetime.date,
    amount: Any,
    note: str = "",
) -> AssetIncome:
    _require_keeper(user, asset)
    amount = parse_yuan(amount)
    if not period.strip():
        raise ValidationError({"period": [_("Name the period the income is for.")]})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": [_("The date cannot be in the future.")]})
    with transaction.atomic():
        locked = Asset.objects.select_for_update().get(pk=asset.pk)
        if locked.state == S.DISPOSED:
            raise ValidationError(_("A disposed asset earns no more income."))
        if locked.asset_type == AssetType.PUBLIC_BENEFIT:
            raise ValidationError(_("A public-benefit asset earns no income to distribute."))
        income = AssetIncome.objects.create(
            asset=locked,
            year=year,
            period=period.strip(),
            received_on=received_on,
            amount=amount,
            note=note,
            recorded_by=user,
        )
        _event(
            locked,
            user=user,
            action=AssetEventKind.INCOME,
            comment=period,
            data={"income": income.pk, "amount": str(amount)},
        )
    return income


def distributed(income: AssetIncome) -> Decimal:
    return income.distributions.aggregate(total=Sum("amount"))["total"] or ZERO


def distribute(
    *, user: User, income: AssetIncome, household: Household, amount: Any, paid_on: datetime.date
) -> Distribution:
    """Pay part of an income to a household that benefits from the asset's project; the
    amount joins the household's property income for the income's year."""
    asset = income.asset
    _require_keeper(user, asset)
    amount = parse_yuan(amount)
    with transaction.atomic():
        locked = AssetIncome.objects.select_for_update().get(pk=income.pk)
        benefits = Beneficiary.objects.filter(project_id=asset.project_id, household=household).exists()
        if not (benefits or asset.owner_household_id == household.pk):
            raise ValidationError(
                {"household": [_("The household does not benefit from this asset's project.")]}
            )
        left = locked.amount - distributed(locked)
        if amount > left:
            raise ValidationError(
                {
                    "amount": [
                        _("%(left)s yuan of this income is undistributed; %(amount)s cannot be paid.")
                        % {"left": left, "amount": amount}
                    ]
                }
            )
        row = Distribution.objects.create(
            income=locked, household=household, amount=amount, paid_on=paid_on, recorded_by=user
        )
        income_ledger_add(user=user, household=household, year=locked.year, asset_income=amount)
        _event(
            asset,
            user=user,
            action=AssetEventKind.DISTRIBUTION,
            data={"income": locked.pk, "household": household.pk, "amount": str(amount)},
        )
    return row


def asset_transition(
    *, user: User, asset: Asset, action: str, comment: str = "", data: Mapping[str, Any] | None = None
) -> Asset:
    """One move of the disposal table; refused moves raise and leave the asset as it was."""
    if user.area is None or not user.area.contains(asset.village_id):
        raise PermissionDenied(_("This asset is outside your area."))
    data = data or {}
    with transaction.atomic():
        locked = Asset.objects.select_for_update().get(pk=asset.pk)
        transition = TRANSITIONS.resolve(
            user=user,
            action=action,
            state=locked.state,
            state_label=locked.get_state_display(),
            comment=comment,
        )
        from_state = locked.state
        recorded: dict[str, Any] = {}
        if action == AssetAction.PROPOSE_DISPOSAL:
            mode, reason = data.get("disposal_mode", ""), str(data.get("disposal_reason", "")).strip()
            if mode not in DisposalMode.values:
                raise ValidationError({"disposal_mode": [_("Say how the asset is to be disposed of.")]})
            if not reason:
                raise ValidationError({"disposal_reason": [_("Give the reason.")]})
            locked.disposal_mode, locked.disposal_reason = mode, reason
            proceeds = data.get("disposal_value")
            locked.disposal_value = (
                None
                if proceeds in (None, "")
                else parse_yuan(proceeds, field="disposal_value", allow_zero=True)
            )
            recorded = {
                "disposal_mode": mode,
                "disposal_reason": reason,
                "disposal_value": str(locked.disposal_value or ""),
            }
        elif action in (AssetAction.RETURN, AssetAction.WITHDRAW):
            locked.disposal_mode, locked.disposal_reason, locked.disposal_value = "", "", None
        elif action == AssetAction.COUNTY_APPROVE:
            locked.disposed_on = timezone.localdate()
            recorded = {"disposed_on": str(locked.disposed_on)}
        locked.state = transition.target
        locked.save()
        _event(locked, user=user, action=action, from_state=from_state, comment=comment, data=recorded)
    return locked
