"""Writes of the funds: fund documents, allocations to projects, payments, reversals.

The invariants hold for every writer and any number of them at once:

- a fund's allocations never exceed its amount;
- what is paid from a fund for a project never exceeds what that fund allocated to
  it (so no project is paid more than it was allocated);
- every movement is a row with who, when and why; a correction is a reversal of one
  earlier row, never an edit; totals are sums of the rows.

Each movement locks its fund's row before it reads the sums it checks (PostgreSQL:
``SELECT … FOR UPDATE``; SQLite: the write transaction is taken at ``BEGIN``), so
two movements on one fund are decided one after the other.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.codelists.validation import coded_field_errors
from jingzhun.core.money import ZERO, MoneyField, parse_yuan
from jingzhun.core.uploads import clean_document
from jingzhun.funds.choices import REVERSAL_OF, MovementKind, PayeeKind
from jingzhun.funds.models import Fund, FundMovement
from jingzhun.projects.choices import FUNDABLE_STATES, FundLevel
from jingzhun.projects.models import Beneficiary, Project
from jingzhun.registry.idnumbers import InvalidIdNumber, check_id_number

K = MovementKind


def signed_sum(kind: str, reversal: str, prefix: str = "") -> Coalesce:
    """The net of one kind of movement over the rows at ``prefix``: each row minus its reversals."""
    # Fen, summed as integers by every engine; read back as Decimal yuan.
    amount = F(f"{prefix}amount")
    return Coalesce(
        Sum(
            Case(
                When(**{f"{prefix}kind": kind}, then=amount),
                When(**{f"{prefix}kind": reversal}, then=-amount),
                default=Value(0),
                output_field=MoneyField(),
            )
        ),
        Value(0),
        output_field=MoneyField(),
    )


def _net(movements: Any) -> tuple[Decimal, Decimal]:
    totals = movements.aggregate(
        allocated=signed_sum(K.ALLOCATION, K.ALLOCATION_REVERSAL),
        paid=signed_sum(K.PAYMENT, K.PAYMENT_REVERSAL),
    )
    return totals["allocated"], totals["paid"]


def fund_totals(fund: Fund) -> tuple[Decimal, Decimal]:
    """(allocated, paid) of a fund, summed from its movements."""
    return _net(FundMovement.objects.filter(fund=fund))


def fund_project_totals(fund: Fund, project: Project) -> tuple[Decimal, Decimal]:
    """(allocated, paid) of a fund to one project."""
    return _net(FundMovement.objects.filter(fund=fund, project=project))


def _require_finance(user: User, area_code: str) -> None:
    if (
        not user.is_active
        or user.role != Role.FINANCE_OFFICER
        or user.area is None
        or not user.area.contains(area_code)
    ):
        raise PermissionDenied(_("Only the finance office of the area records funds and payments."))


def _lock(fund: Fund) -> Fund:
    return Fund.objects.select_for_update().get(pk=fund.pk)


def _date(value: Any, field: str = "occurred_on") -> datetime.date:
    if not isinstance(value, datetime.date):
        raise ValidationError({field: [_("Enter the date.")]})
    return value


# --- fund documents -----------------------------------------------------------------


def fund_create(
    *,
    user: User,
    area: Area,
    document_number: str,
    title: str,
    issued_on: datetime.date,
    year: int,
    level: str,
    fund_type: str,
    amount: Any,
    note: str = "",
) -> Fund:
    """Record a fund allocation document received by ``area`` (the county or a township)."""
    _require_finance(user, area.code)
    fund = Fund(
        area=area,
        document_number=document_number.strip(),
        title=title.strip(),
        issued_on=_date(issued_on, "issued_on"),
        year=year,
        level=level,
        fund_type=fund_type,
        amount=parse_yuan(amount),
        note=note,
        recorded_by=user,
    )
    errors: dict[str, list[str]] = {}
    try:
        fund.full_clean(exclude=["area", "recorded_by"], validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    if level not in FundLevel.values:
        errors.setdefault("level", []).append(_("Unknown fund level: %(level)s") % {"level": level})
    for name, messages in coded_field_errors(fund, province=area.code[:2], year=year).items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            fund.save()
    except IntegrityError:
        raise ValidationError(
            {"document_number": [_("This document is already recorded for this fund source.")]}
        ) from None
    return fund


# --- allocations and payments -------------------------------------------------------


def _check_project(fund: Fund, project: Project) -> None:
    if not fund.area.contains(project.area_id):
        raise ValidationError({"project": [_("The project lies outside the area this fund was given to.")]})
    if project.state not in FUNDABLE_STATES:
        raise ValidationError(
            {"project": [_("Only projects in the year's implementation plan or under way receive money.")]}
        )


def allocate(
    *, user: User, fund: Fund, project: Project, amount: Any, occurred_on: datetime.date, reason: str = ""
) -> FundMovement:
    """Allocate part of a fund to a project; never more than the fund has unallocated."""
    _require_finance(user, fund.area_id)
    amount = parse_yuan(amount)
    occurred_on = _date(occurred_on)
    with transaction.atomic():
        locked = _lock(fund)
        project = Project.objects.get(pk=project.pk)
        _check_project(locked, project)
        allocated, _paid = fund_totals(locked)
        unallocated = locked.amount - allocated
        if amount > unallocated:
            raise ValidationError(
                {
                    "amount": [
                        _("The fund has %(left)s yuan unallocated; %(amount)s cannot be allocated.")
                        % {"left": unallocated, "amount": amount}
                    ]
                }
            )
        return FundMovement.objects.create(
            kind=K.ALLOCATION,
            fund=locked,
            project=project,
            amount=amount,
            occurred_on=occurred_on,
            reason=reason,
            recorded_by=user,
        )


def pay(
    *,
    user: User,
    fund: Fund,
    project: Project,
    amount: Any,
    occurred_on: datetime.date,
    payee_kind: str,
    payee_name: str,
    voucher: UploadedFile | Any,
    payee_id_number: str = "",
    beneficiary: Beneficiary | None = None,
    reason: str = "",
) -> FundMovement:
    """Pay from what a fund allocated to a project, with the voucher; never more than allocated."""
    _require_finance(user, fund.area_id)
    amount = parse_yuan(amount)
    occurred_on = _date(occurred_on)
    errors: dict[str, list[str]] = {}
    if payee_kind not in PayeeKind.values:
        errors["payee_kind"] = [_("Say whether a unit or a person was paid.")]
    if not payee_name.strip():
        errors["payee_name"] = [_("Name the payee.")]
    id_number = payee_id_number.strip().upper()
    if id_number:
        try:
            id_number = check_id_number(id_number).number
        except InvalidIdNumber as error:
            errors["payee_id_number"] = [str(error)]
    if beneficiary is not None and beneficiary.project_id != project.pk:
        errors["beneficiary"] = [_("This household does not benefit from this project.")]
    if voucher is None:
        errors["voucher"] = [_("Attach the payment voucher.")]
    if errors:
        raise ValidationError(errors)
    clean = clean_document(voucher, field="voucher")
    with transaction.atomic():
        locked = _lock(fund)
        project = Project.objects.get(pk=project.pk)
        _check_project(locked, project)
        allocated, paid = fund_project_totals(locked, project)
        if paid + amount > allocated:
            raise ValidationError(
                {
                    "amount": [
                        _("%(left)s yuan allocated to the project is unpaid; %(amount)s cannot be paid.")
                        % {"left": allocated - paid, "amount": amount}
                    ]
                }
            )
        return FundMovement.objects.create(
            kind=K.PAYMENT,
            fund=locked,
            project=project,
            amount=amount,
            occurred_on=occurred_on,
            reason=reason,
            recorded_by=user,
            payee_kind=payee_kind,
            payee_name=payee_name.strip(),
            payee_id_number=id_number,
            beneficiary=beneficiary,
            voucher=clean.content,
            voucher_name=clean.original_name,
        )


def reverse(*, user: User, movement: FundMovement, reason: str, occurred_on: datetime.date) -> FundMovement:
    """Correct an allocation or a payment by reversing it whole (then enter the right one).

    An allocation can be reversed only while what stays allocated still covers what was paid."""
    fund = movement.fund
    _require_finance(user, fund.area_id)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    occurred_on = _date(occurred_on)
    with transaction.atomic():
        locked = _lock(fund)
        original = FundMovement.objects.select_related("project").get(pk=movement.pk)
        if original.kind not in REVERSAL_OF:
            raise ValidationError(_("A reversal cannot itself be reversed; enter the movement again."))
        if FundMovement.objects.filter(reverses=original).exists():
            raise ValidationError(_("This movement has already been reversed."))
        if original.kind == K.ALLOCATION:
            allocated, paid = fund_project_totals(locked, original.project)
            if allocated - original.amount < paid:
                raise ValidationError(
                    _("%(paid)s yuan has been paid from this allocation; reverse payments first.")
                    % {"paid": paid}
                )
        return FundMovement.objects.create(
            kind=REVERSAL_OF[K(original.kind)],
            fund=locked,
            project=original.project,
            amount=original.amount,
            occurred_on=occurred_on,
            reason=reason,
            recorded_by=user,
            reverses=original,
            payee_kind=original.payee_kind,
            payee_name=original.payee_name,
            payee_id_number=original.payee_id_number,
            beneficiary=original.beneficiary,
        )


def reconciles(fund: Fund) -> bool:
    """The fund's books add up: no more allocated than the fund holds, nothing below zero, no
    project paid more than allocated from it, and the projects' sums are the fund's."""
    allocated, paid = fund_totals(fund)
    if not ZERO <= allocated <= fund.amount or paid < ZERO:
        return False
    per_project = (
        FundMovement.objects.filter(fund=fund)
        .values("project")
        .annotate(
            allocated=signed_sum(K.ALLOCATION, K.ALLOCATION_REVERSAL),
            paid=signed_sum(K.PAYMENT, K.PAYMENT_REVERSAL),
        )
    )
    rows = list(per_project)
    return (
        all(ZERO <= row["paid"] <= row["allocated"] for row in rows)
        and sum((row["allocated"] for row in rows), ZERO) == allocated
        and sum((row["paid"] for row in rows), ZERO) == paid
    )
